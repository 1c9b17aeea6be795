/*
 * The client library's internals, shared by its files: the glfs_t and
 * glfs_fd_t structures, the synchronous call helper (glfs-sync.c) and path
 * resolution (glfs-resolve.c). Internal functions return 0 or a negative errno;
 * only the public functions of glfs.h turn that into -1 and errno.
 *
 * The library takes part in the graph as two tiny translators of its own that
 * run no fops: `api`, the parent of the graph's top (it hears the top's
 * CHILD_UP/CHILD_DOWN and is the translator the application's root frames run
 * in), and `watch`, an extra parent of every protocol/client translator, which
 * hears each brick's own events so that a failed start can name the bricks
 * that did not come up.
 */
#ifndef GLFS_INTERNAL_H
#define GLFS_INTERNAL_H

#include <dirent.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "glfs.h"
#include "glusterfs/fd.h"
#include "glusterfs/graph.h"
#include "glusterfs/iatt.h"
#include "glusterfs/inode.h"
#include "glusterfs/xlator.h"

/* Largest read or write sent down the graph in one call. */
#define GLFS_IO_CHUNK        (128u * 1024u)
/* How long glfs_init waits for glusterd, and then for the bricks. */
#define GLFS_INIT_TIMEOUT_MS 10000
/* Unreferenced inodes the table keeps cached. */
#define GLFS_INODE_LRU       16384

/* One protocol/client translator of the graph and what it last reported. */
typedef struct glfs_brick {
    gf_xlator_t *xl;
    gf_event_t state; /* GF_EVENT_CHILD_UP, GF_EVENT_CHILD_DOWN, or 0: nothing yet */
} glfs_brick_t;

struct glfs {
    char *volname;
    char *server_spec; /* rpc address of glusterd: "tcp:HOST:PORT" or "unix:PATH" */
    char *server_name; /* the same for messages: "HOST:PORT" or the socket path */
    char *volfile;     /* local volfile path (glfs_set_volfile), or NULL */
    char err[1024];    /* why glfs_init failed; "" otherwise */
    bool init_called;
    bool ready;    /* glfs_init succeeded: fops may run */
    bool ctx_held; /* holds a use of the shared process context */

    gf_graph_t *graph;
    gf_xlator_t *top;
    gf_xlator_t *api;   /* parent of top; root frames run in it */
    gf_xlator_t *watch; /* parent of every protocol/client translator */
    gf_inode_table_t *itable;
    gf_inode_t *root;

    pthread_mutex_t lock; /* guards the fields below */
    pthread_cond_t cond;  /* signalled on every event (monotonic clock) */
    bool top_up;
    glfs_brick_t *bricks;
    int n_bricks;
    glfs_fd_t *fds; /* open fds, closed by glfs_fini if the application did not */
};

/* One directory entry kept between glfs_readdir calls. */
typedef struct glfs_dent {
    char *name; /* points into the batch's allocation */
    uint64_t ino;
    uint64_t off;
    unsigned char type;
} glfs_dent_t;

struct glfs_fd {
    glfs_t *fs;
    gf_fd_t *fd;
    bool is_dir;
    bool registered;        /* opened: in fs->fds */
    glfs_fd_t *prev, *next; /* in fs->fds, under fs->lock */

    pthread_mutex_t lock; /* guards the fields below */
    off_t offset;         /* glfs_read/glfs_write */
    glfs_dent_t *ents;    /* directories: the current batch, one allocation */
    size_t n_ents, pos;
    uint64_t next_off; /* where the next batch starts */
    bool eof;
    struct dirent de; /* what glfs_readdir returned last */
};

/* ---- glfs-sync.c --------------------------------------------------------------------- */

/*
 * Copies what a caller needs out of a successful reply (op_ret >= 0) into out.
 * It runs inside the callback, while rsp is valid: it must copy data, take
 * references on inodes or fds it keeps, and not block. Returns 0 or a negative
 * errno, which the call then fails with.
 */
typedef int (*glfs_copy_fn)(const gf_reply_t *rsp, void *out);

/*
 * Winds fop op with args into fs's top translator from a new root frame that
 * carries the caller's identity (effective uid and gid, groups, pid), waits in
 * the calling thread for the reply, and frees the frame. copy (may be NULL)
 * runs in the callback on success. args stays the caller's. Returns op_ret
 * (>= 0), or -op_errno (or copy's error).
 */
int glfs_sync_call(glfs_t *fs, gf_fop_t op, gf_args_t *args, glfs_copy_fn copy, void *out);

/* ---- glfs-fops.c --------------------------------------------------------------------- */

/* Takes gfd out of its fs's list (if registered), drops its fd (the last
 * reference: the translators release what they opened) and frees it. */
void glfs_fd_free(glfs_fd_t *gfd);

/* ---- glfs-resolve.c ------------------------------------------------------------------ */

enum {
    GLFS_RESOLVE_NOCACHE = 0x1,   /* look every component up, ignoring the cache */
    GLFS_RESOLVE_ABSENT_OK = 0x2, /* a missing last component is no error */
};

/* Where a path led: its parent directory and last name, and the object. */
typedef struct glfs_loc {
    gf_inode_t *parent; /* referenced; NULL for the root */
    gf_inode_t *inode;  /* referenced; NULL when absent (GLFS_RESOLVE_ABSENT_OK) */
    char *name;         /* last component; NULL for the root */
    char *path;         /* the normalized path, for logs */
    gf_iatt_t stat;     /* the object's attributes, from its lookup just now */
    bool cached;        /* a directory on the way came from the inode cache */
} glfs_loc_t;

/*
 * Resolves path (absolute within the volume; "." and ".." taken by name) from
 * the root, one LOOKUP per component, linking what it finds into the inode
 * table. Directories on the way are taken from the table when it knows them
 * (unless GLFS_RESOLVE_NOCACHE); the last component is always looked up, so
 * out->stat is fresh. When a lookup fails with ENOENT or ESTALE after cached
 * directories were used, the walk is done again once without the cache.
 * Returns 0 with *out filled (release it with glfs_loc_release), or a negative
 * errno (ENOENT, ENOTDIR, ENAMETOOLONG, ...); *out is then empty.
 */
int glfs_resolve(glfs_t *fs, const char *path, int flags, glfs_loc_t *out);

/* Drops the references and copies of loc. */
void glfs_loc_release(glfs_loc_t *loc);

/* Fills a fop's loc from loc: path, the parent with its gfid and the name (when
 * not the root), the inode with its gfid (when it exists). Borrows: the fop loc
 * references nothing, so it must not outlive loc. */
void glfs_loc_fill(const glfs_loc_t *loc, gf_loc_t *out);

/*
 * Links inode, just made by a fop that returned ia, under name in parent.
 * Returns the linked inode (referenced), or NULL when the reply had no gfid.
 * Drops nothing: the caller keeps its reference on inode.
 */
gf_inode_t *glfs_link(gf_inode_t *inode, gf_inode_t *parent, const char *name, const gf_iatt_t *ia);

/* Converts attributes to struct stat. */
void glfs_iatt_to_stat(const gf_iatt_t *ia, struct stat *st);

#endif
