/*
 * cluster/distribute (DHT), internal header: what its files share.
 *
 * Distribute spreads the files of a volume over its subvolumes by a hash of
 * their names, with the on-disk format of GlusterFS's own distribute
 * translator, so that either client reads a volume the other wrote:
 *
 *   - every directory exists on every subvolume, with the same gfid, and carries
 *     the xattr "trusted.glusterfs.dht" on each: the range of 32-bit name hashes
 *     that subvolume holds in that directory (dht-layout.c);
 *   - a file lives on the subvolume whose range holds the hash of its name
 *     (dht-hash.c), in the layout of its parent directory.
 *
 * dht.c holds the descriptor, the options, the child-state notify, the inode
 * ctx (which subvolume holds a file, the layout of a directory) and the
 * per-call state; dht-entry.c lookup, mkdir, create, unlink and rmdir;
 * dht-heal.c the directory self-heal and layout writes; dht-dir.c opendir and readdir(p);
 * dht-data.c the fops routed to the one subvolume that holds an object, and statfs;
 * dht-rename.c rename and link across subvolumes, with GlusterFS's link files.
 *
 * No thread ever blocks: a call to several subvolumes winds to each with the
 * subvolume's index as cookie; each callback stores its answer in its own slot
 * of the per-call state (dht_local_t.sub) and counts itself off an atomic
 * counter, and the last one to arrive carries the call on.
 */
#ifndef DHT_H
#define DHT_H

#include <pthread.h>
#include <regex.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/statvfs.h>

#include "glusterfs/xlator.h"

/* ---- dht-hash.c: the name hash ---------------------------------------------------- */

/* The Davies-Meyer hash over TEA that GlusterFS uses (gf_dm_hashfn), of len
 * bytes at msg. */
uint32_t dht_dm_hash(const char *msg, size_t len);

/* The regular expressions that reduce a temporary name to the name it will be
 * renamed to before hashing (rsync's ".NAME.XXXXXX"), as GlusterFS does. */
typedef struct dht_hasher {
    regex_t rsync_re, extra_re;
    bool rsync_valid, extra_valid;
} dht_hasher_t;

/* The default of option rsync-hash-regex. */
#define DHT_RSYNC_REGEX "^\\.(.+)\\.[^.]+$"

/*
 * Compiles the regexes: rsync_re NULL means DHT_RSYNC_REGEX, extra_re NULL
 * means none. 0, or -EINVAL when one does not compile (the other stays usable;
 * dht_hasher_fini is needed either way).
 */
int dht_hasher_init(dht_hasher_t *h, const char *rsync_re, const char *extra_re);
void dht_hasher_fini(dht_hasher_t *h);

/* The hash of a file name: of the first parenthesised match of the extra
 * regex, else of the rsync regex, else of the whole name. */
uint32_t dht_hash_name(const dht_hasher_t *h, const char *name);

/* ---- dht-layout.c: layouts and their xattr ------------------------------------------ */

#define DHT_LAYOUT_XATTR        "trusted.glusterfs.dht"
#define DHT_LINKTO_XATTR        "trusted.glusterfs.dht.linkto"
#define DHT_LAYOUT_DISK_SIZE    16
/* Hash types of the xattr: both hash names with dht_dm_hash; USER marks a
 * layout an administrator set by hand. */
#define DHT_HASH_TYPE_DM        0u
#define DHT_HASH_TYPE_DM_USER   1u
/* The commit hash written with fresh layouts: "not known to be balanced", so
 * that every client looks for a missing name on all subvolumes. */
#define DHT_COMMIT_HASH_INVALID 1u

/* One subvolume's part of a directory's layout. A range with start == stop
 * (0-0 normally) takes no part in hashing. */
typedef struct dht_range {
    uint32_t commit; /* commit hash as read or to write */
    uint32_t start, stop;
    int err; /* 0: range valid; -1: directory there without a layout; else errno */
} dht_range_t;

/* A directory's layout, one entry per subvolume, in subvolume order. */
typedef struct dht_layout {
    int n;
    uint32_t type;
    dht_range_t r[];
} dht_layout_t;

/* A layout of n entries, every one with err -1 and an empty range. NULL on
 * ENOMEM. Free with gf_free. */
dht_layout_t *dht_layout_new(int n);

/* A copy of l; NULL on ENOMEM. */
dht_layout_t *dht_layout_dup(const dht_layout_t *l);

/* Writes r (and type) in the on-disk format: four big-endian 32-bit words,
 * commit hash, type, start, stop. */
void dht_layout_encode(const dht_range_t *r, uint32_t type, unsigned char out[16]);

/*
 * Reads an on-disk value of len bytes into *r (err 0) and *type. 0, or
 * -EINVAL for a value that is not 16 bytes, has an unknown type, or a start
 * past its stop.
 */
int dht_layout_decode(const void *buf, size_t len, dht_range_t *r, uint32_t *type);

/* Whether the valid, non-empty ranges of l cover 0..2^32-1 exactly once. */
bool dht_layout_complete(const dht_layout_t *l);

/* The index of the entry whose valid, non-empty range holds hash, or -1. */
int dht_layout_search(const dht_layout_t *l, uint32_t hash);

/*
 * Gives a fresh layout to the entries of l whose member[] is true, as
 * GlusterFS does for a new directory: the entries ordered by the names of their
 * subvolumes (strcmp), the 2^32 hashes cut into equal chunks (the last one
 * taking the remainder), handed out in that order starting at entry seed % n
 * of it. Members get err 0 and commit DHT_COMMIT_HASH_INVALID; the others get
 * an empty range and keep their err. type becomes DHT_HASH_TYPE_DM. No member:
 * nothing changes.
 */
void dht_layout_fresh(dht_layout_t *l, const char *const *names, const bool *member, uint32_t seed);

/* ---- dht.c: private state, inode ctx, per-call state --------------------------------- */

typedef struct dht_priv {
    /* Options. */
    char *rsync_regex;
    char *extra_regex;

    dht_hasher_t hasher;
    int n;                /* subvolumes: this->n_children */
    const char **names;   /* their names, for fresh layouts */
    pthread_mutex_t lock; /* guards the inode ctxs and the child states */
    gf_event_t *child_ev; /* last CHILD_UP/DOWN each child reported; 0: none */
    gf_event_t told;      /* last event told to the parents; 0: none */
} dht_priv_t;

/* What the inode ctx knows of an object. */
typedef struct dht_info {
    bool known;
    bool is_dir;
    int subvol;           /* files: where the file is; directories: 0 */
    dht_layout_t *layout; /* directories: a copy of the layout (gf_free), or NULL */
} dht_info_t;

/* Whether ia looks like a GlusterFS link file: an empty regular file of mode
 * ---------T (the linkto xattr, when it was read, settles it). */
bool dht_linkfile_mode(const gf_iatt_t *ia);

/* Records that inode is a file held by subvolume subvol. 0 or -ENOMEM. */
int dht_ctx_set_file(gf_xlator_t *this, gf_inode_t *inode, int subvol);

/* Records that inode is a directory with layout l (copied; NULL: unknown). 0 or
 * -ENOMEM. */
int dht_ctx_set_dir(gf_xlator_t *this, gf_inode_t *inode, const dht_layout_t *l);

/* Fills *info from inode's ctx (known false when there is none; inode may be
 * NULL). The layout is a copy the caller frees. 0, or -ENOMEM. */
int dht_ctx_get(gf_xlator_t *this, gf_inode_t *inode, dht_info_t *info);

/* What one subvolume answered to one step of a call. */
typedef struct dht_sub {
    int32_t op_ret, op_errno;
    gf_iatt_t stat, prestat, poststat, preparent, postparent;
    struct statvfs statfs;
    bool has_range; /* getxattr: a valid layout xattr was read into range */
    bool write;     /* heal: range must be written */
    dht_range_t range;
    uint32_t type;
} dht_sub_t;

typedef struct dht_local dht_local_t;
typedef int (*dht_step_t)(gf_frame_t *frame, gf_xlator_t *this);

/* What a rename or link keeps between its steps (dht-rename.c). */
typedef struct dht_rename dht_rename_t;

/* Frees r and what it holds; NULL is ignored. */
void dht_rename_free(dht_rename_t *r);

/* Per-call state, in frame->local. */
struct dht_local {
    gf_args_t *args;    /* the caller's arguments, copied */
    atomic_int pending; /* replies still expected from the current step */
    dht_step_t next;    /* what runs once the current step is done */
    dht_step_t done;    /* what runs once a heal or layout write is done */
    int hashed;         /* subvolume the name hashes to (or the object is on); -1 */
    int err;            /* errno to report once the call is done; 0: none */
    bool named;         /* args->loc names an entry (pargfid + name) */
    bool is_dir;        /* dht_resolve: the object is a directory */
    uuid_t gfid;        /* of the object looked up or made */
    gf_iatt_t stat;     /* of the object, as it will be replied */
    gf_iatt_t preparent, postparent;
    dht_layout_t *playout; /* the parent's layout, when needed */
    dht_layout_t *layout;  /* the object's layout (directories) */
    gf_inode_t *ptmp;      /* the parent whose layout is loaded (a ref; maybe a stand-in) */
    uint64_t offset;       /* readdir: where the listing goes on */
    int subvol;            /* readdir: the subvolume being listed; unlink: the file's */
    dht_rename_t *ren;     /* rename and link */
    int n;
    dht_sub_t sub[];
};

/* New per-call state in frame->local, with a copy of args when args is not
 * NULL. NULL on ENOMEM. */
dht_local_t *dht_local_new(gf_frame_t *frame, gf_xlator_t *this, const gf_args_t *args);

/* Unwinds rsp and frees the per-call state afterwards (rsp may point into it). */
int dht_unwind(gf_frame_t *frame, gf_reply_t *rsp);

/* Unwinds op_ret -1 with err (and frees the per-call state). */
int dht_fail(gf_frame_t *frame, int err);

/* Sets local->pending for count replies; with count 0, runs next at once.
 * Returns whether winds should follow. */
bool dht_fan_begin(gf_frame_t *frame, gf_xlator_t *this, int count, dht_step_t next);

/* Counts one reply off; the last one runs local->next. */
int dht_fan_arrive(gf_frame_t *frame, gf_xlator_t *this);

/* A callback that passes the reply up as it is (and frees the per-call state). */
int dht_pass_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp);

/* Copies what dht keeps of a reply into sub. */
void dht_sub_store(dht_sub_t *sub, const gf_reply_t *rsp);

/* The subvolume index a cookie carries. */
static inline int dht_idx(void *cookie)
{
    return (int)(intptr_t)cookie;
}

static inline void *dht_cookie(int idx)
{
    return (void *)(intptr_t)idx;
}

/* ---- dht-entry.c ----------------------------------------------------------------------- */

/* Per-call state for an entry fop: a copy of args whose loc has its gfids
 * completed from its inodes, and local->named set. NULL on ENOMEM. */
dht_local_t *dht_entry_local(gf_frame_t *frame, gf_xlator_t *this, const gf_args_t *args);

int dht_lookup(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int dht_mkdir(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int dht_create(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int dht_unlink(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int dht_rmdir(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);

/*
 * Makes local->playout the layout of the parent of loc (args->loc or
 * args->loc2 of local->args), looking the parent up (which heals its layout)
 * when its ctx does not have it, then runs next. When no layout can be had,
 * playout stays NULL, local->err says why when known, and next runs anyway.
 */
int dht_need_parent_layout(gf_frame_t *frame, gf_xlator_t *this, const gf_loc_t *loc,
                           dht_step_t next);

/* The subvolume name hashes to in layout l, or -1. */
int dht_hashed_subvol(gf_xlator_t *this, const dht_layout_t *l, const char *name);

/* ---- dht-heal.c ------------------------------------------------------------------------ */

/*
 * Heals the directory local->gfid (attributes in local->stat, named by
 * local->args->loc): makes it, by name, on the subvolumes where local->sub[]
 * says ENOENT, reads its layout from every subvolume where it is, completes
 * that layout (or makes a fresh one when it has holes or overlaps), writes
 * what changed, keeps it in the inode ctx and in local->layout, and runs done.
 * Failures to heal are logged, never fatal: done runs in every case.
 */
int dht_dir_heal(gf_frame_t *frame, gf_xlator_t *this, dht_step_t done);

/* Seeds the fresh layout of directory local->gfid (see dht_layout_fresh): the
 * hash of its path, as GlusterFS does, or of its gfid when no path was given. */
uint32_t dht_layout_seed(gf_xlator_t *this, const dht_local_t *local);

/* Writes local->layout's range to every subvolume whose sub[].write is set,
 * keeps the layout in the inode ctx of local->args->loc.inode, and runs done. */
int dht_layout_write(gf_frame_t *frame, gf_xlator_t *this, dht_step_t done);

/* ---- dht-dir.c ------------------------------------------------------------------------- */

int dht_opendir(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int dht_readdir(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);

/* ---- dht-data.c ------------------------------------------------------------------------ */

/*
 * Finds which subvolume holds the object of args->loc (from its inode ctx,
 * else by looking it up), then runs next with local->args a copy of args,
 * local->hashed that subvolume (0 for a directory) and local->is_dir. A failed
 * lookup fails the call with its error.
 */
int dht_resolve(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args, dht_step_t next);

/* Every fop on an existing object (by loc or fd) that goes to the subvolume
 * holding it: to the first subvolume for directories, to all subvolumes for
 * directory attribute changes. */
int dht_route(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int dht_statfs(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int dht_unsupported(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);

/* ---- dht-rename.c ---------------------------------------------------------------------- */

/* rename of a file or directory, and link of a file, to a name anywhere in
 * the volume (see the top of dht-rename.c). */
int dht_rename(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int dht_link(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);

#endif
