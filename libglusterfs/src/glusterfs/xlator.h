/*
 * Translators and asynchronous calls.
 *
 * A translator is a shared object exporting one descriptor, `gf_xlator_desc`, of
 * type gf_xlator_desc_t: init/fini/notify/reconfigure, a fop table indexed by
 * gf_fop_t, and an option table. Graphs of translator instances (gf_xlator_t) are
 * built from volfiles (graph.h).
 *
 * Calls go down the graph with gf_wind() and come back with gf_unwind() through the
 * callback the caller gave; nothing blocks waiting for a reply. Every fop has the
 * same shape: its inputs in a gf_args_t, its results in a gf_reply_t, so one
 * default pass-through serves every fop a translator does not implement.
 *
 * Ownership: gf_args_t belongs to the caller and is valid only until the fop
 * function returns (a translator that defers work copies what it keeps, see
 * gf_args_dup). gf_reply_t belongs to whoever unwinds and is valid only until
 * gf_unwind() returns (a callback that keeps an inode, fd or buffer takes a ref).
 */
#ifndef GF_XLATOR_H
#define GF_XLATOR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <uuid/uuid.h>

#include "glusterfs/iatt.h"
#include "glusterfs/mem.h"
#include "glusterfs/options.h"

#define GF_XLATOR_ABI_VERSION 1u

typedef enum {
    GF_FOP_NULL = 0,
#define GF_FOP(ENUM, name, num) GF_FOP_##ENUM = num,
#include "glusterfs/fops.def"
#undef GF_FOP
    GF_FOP_MAXVALUE,
} gf_fop_t;

/* "lookup", "readv", ...; "unknown" when out of range. */
const char *gf_fop_name(gf_fop_t op);

typedef struct gf_dict gf_dict_t;
typedef struct gf_inode gf_inode_t;
typedef struct gf_inode_table gf_inode_table_t;
typedef struct gf_fd gf_fd_t;
typedef struct gf_buf gf_buf_t;
typedef struct gf_xlator gf_xlator_t;
typedef struct gf_graph gf_graph_t;
typedef struct gf_frame gf_frame_t;

/* Where a fop acts: a gfid (inode) or a name in a parent directory, or both. */
typedef struct gf_loc {
    const char *path;   /* for logs; may be NULL */
    const char *name;   /* basename in parent, for entry fops */
    gf_inode_t *inode;  /* may be NULL (lookup of a new name) */
    gf_inode_t *parent; /* may be NULL when only gfids are known */
    uuid_t gfid;
    uuid_t pargfid;
} gf_loc_t;

typedef struct gf_flock {
    int16_t l_type;
    int16_t l_whence;
    int64_t l_start;
    int64_t l_len;
    int32_t l_pid;
    uint32_t owner_len;
    char owner[1024]; /* lock owner, opaque */
} gf_flock_t;

typedef struct gf_dirent {
    uint64_t d_ino;
    uint64_t d_off;
    uint32_t d_type;
    char *d_name;
    gf_iatt_t d_stat; /* readdirp only */
    gf_dict_t *dict;  /* readdirp only; may be NULL */
} gf_dirent_t;

/* Inputs of a fop. Each fop reads only the fields it needs (see fops.def). */
typedef struct gf_args {
    gf_loc_t loc;    /* the object acted on */
    gf_loc_t loc2;   /* rename/link: the new name */
    gf_fd_t *fd;
    int32_t flags;   /* open/create flags, unlink/rmdir xflags, fsync datasync, ... */
    uint32_t mode;
    uint32_t umask;
    uint64_t rdev;
    int64_t offset;
    uint64_t size;
    struct iovec *vector; /* writev payload */
    int count;
    gf_buf_t *buf;        /* keeps vector's memory alive; ref it to keep it */
    gf_iatt_t stat;       /* setattr */
    int32_t valid;        /* setattr: GF_SET_ATTR_* */
    const char *linkname; /* symlink target */
    const char *name;     /* xattr name */
    gf_dict_t *xattr;     /* setxattr, xattrop */
    int32_t cmd;          /* lk, inodelk: F_SETLK ... */
    gf_flock_t flock;
    const char *volume;   /* inodelk/entrylk domain */
    gf_dict_t *xdata;
} gf_args_t;

/* Results of a fop. op_ret < 0 means failure with op_errno set. */
typedef struct gf_reply {
    int32_t op_ret;
    int32_t op_errno;
    gf_inode_t *inode; /* lookup/create/mkdir/...: the inode acted on */
    gf_fd_t *fd;       /* open/create/opendir */
    gf_iatt_t stat;    /* the object's attributes after the fop */
    gf_iatt_t prestat, poststat;       /* data fops: before/after */
    gf_iatt_t preparent, postparent;   /* entry fops: parent before/after */
    gf_iatt_t preparent2, postparent2; /* rename: new parent */
    struct iovec *vector;              /* readv data */
    int count;
    gf_buf_t *buf;
    gf_dirent_t *entries; /* readdir(p) */
    size_t n_entries;
    struct statvfs statfs;
    const char *linkname; /* readlink */
    gf_dict_t *xattr;     /* getxattr */
    gf_flock_t flock;     /* lk */
    int64_t offset;       /* seek */
    gf_dict_t *xdata;
} gf_reply_t;

typedef int (*gf_fop_fn_t)(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
typedef int (*gf_fop_cbk_t)(gf_frame_t *frame, void *cookie, gf_xlator_t *this,
                            gf_reply_t *rsp);

/* Events passed to notify(), down (PARENT_*) and up (CHILD_*) the graph. */
typedef enum {
    GF_EVENT_PARENT_UP = 1,
    GF_EVENT_PARENT_DOWN,
    GF_EVENT_CHILD_UP,
    GF_EVENT_CHILD_DOWN,
    GF_EVENT_CHILD_CONNECTING,
    GF_EVENT_CLEANUP,
} gf_event_t;

typedef struct gf_xlator_desc {
    uint32_t abi_version; /* GF_XLATOR_ABI_VERSION */
    const char *type;     /* "storage/posix" */
    size_t priv_size;     /* allocated zeroed before init; options bind into it */
    int (*init)(gf_xlator_t *this);
    void (*fini)(gf_xlator_t *this);
    /* NULL: pass the event to every parent (up) or child (down). */
    int (*notify)(gf_xlator_t *this, gf_event_t event, void *data);
    int (*reconfigure)(gf_xlator_t *this, gf_dict_t *options);
    /* Called once when an inode or fd this translator has a ctx on is destroyed. */
    void (*forget)(gf_xlator_t *this, gf_inode_t *inode);
    void (*release)(gf_xlator_t *this, gf_fd_t *fd);
    gf_fop_fn_t fops[GF_FOP_MAXVALUE]; /* NULL: default pass-through */
    const gf_option_t *options;        /* NULL-key terminated; may be NULL */
} gf_xlator_desc_t;

struct gf_xlator {
    char *name;
    char *type;
    const gf_xlator_desc_t *desc;
    void *dl_handle;
    gf_dict_t *options; /* as given in the volfile */
    void *priv;         /* desc->priv_size bytes; options are bound here */
    gf_xlator_t **children;
    int n_children;
    gf_xlator_t **parents;
    int n_parents;
    gf_graph_t *graph;
    gf_mem_acct_t mem_acct; /* everything allocated while this translator runs */
    gf_inode_table_t *itable;
    const char *brick; /* brick this instance serves, for logs; may be NULL */
    bool initialized;
};

/*
 * Frames: one per translator a call passes through. A root frame (made by
 * whoever starts a call: protocol/server, the api) carries the caller's identity.
 */
/* Supplementary groups a call carries: as many as an AUTH_GLUSTERFS credential
 * (400 bytes) can hold. */
#define GF_CALL_MAX_GROUPS 200

typedef struct gf_call_root {
    uint64_t unique;
    uint32_t uid, gid;
    int32_t pid;
    uint32_t ngroups;
    uint32_t groups[GF_CALL_MAX_GROUPS];
    uint32_t lk_owner_len;
    char lk_owner[1024];
    void *client; /* protocol/server: the connection the call came from */
} gf_call_root_t;

struct gf_frame {
    gf_call_root_t *root;
    gf_frame_t *parent;
    gf_xlator_t *this; /* translator running in this frame */
    gf_fop_cbk_t ret;  /* parent's callback */
    void *cookie;
    void *local;       /* this translator's per-call state */
    gf_fop_t op;
};

/* Makes a root frame run by `this` (the caller's translator). NULL on ENOMEM. */
gf_frame_t *gf_frame_root_new(gf_xlator_t *this);
/* Frees a root frame once its call has come back. */
void gf_frame_root_destroy(gf_frame_t *frame);

/*
 * Calls fop `op` of `child` with args; `cbk` runs in `frame` when child unwinds
 * (possibly before gf_wind returns, possibly on another thread). Returns 0.
 */
int gf_wind(gf_frame_t *frame, gf_xlator_t *child, gf_fop_t op, gf_args_t *args,
            gf_fop_cbk_t cbk, void *cookie);

/* Returns rsp to the parent of frame through its callback, then frees frame. */
int gf_unwind(gf_frame_t *frame, gf_reply_t *rsp);

/* Unwinds op_ret = -1, op_errno = err. */
int gf_unwind_error(gf_frame_t *frame, int err);

/* The pass-through used for every fop a translator leaves NULL: winds to the first
 * child, or fails with ENOSYS when there is none. */
int gf_default_fop(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int gf_default_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp);

/* Sends event to `this`: its notify(), or the default propagation. */
int gf_xlator_notify(gf_xlator_t *this, gf_event_t event, void *data);
/* Default propagation: CHILD_* to every parent, PARENT_* to every child. */
int gf_default_notify(gf_xlator_t *this, gf_event_t event, void *data);

/* The translator the calling thread runs for (memory accounting, logs); may be NULL. */
extern __thread gf_xlator_t *gf_this;

/* Deep copy of args for translators that defer a call; gf_args_free undoes it. */
gf_args_t *gf_args_dup(const gf_args_t *args);
void gf_args_free(gf_args_t *args);
/* Releases the references a loc holds (inode, parent, path/name copies). */
void gf_loc_wipe(gf_loc_t *loc);
int gf_loc_copy(gf_loc_t *dst, const gf_loc_t *src);

#endif
