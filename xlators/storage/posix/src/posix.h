/*
 * Internal interface of storage/posix, shared by its source files: the private
 * struct its options bind into, the per-fd state kept in fd ctx, the helpers that
 * turn locations into paths and stat results into gf_iatt_t, and the fops each
 * file implements (posix-inode.c, posix-entry.c, posix-data.c, posix-dir.c).
 *
 * Every fop runs on a worker thread, does its system calls (which may block) and
 * unwinds before returning. Errors are the errno the system call gave, as a
 * local file system gives them (ENOENT, EEXIST, ENOTEMPTY, EISDIR, ...).
 */
#ifndef POSIX_H
#define POSIX_H

#include <dirent.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "glusterfs/dict.h"
#include "glusterfs/fd.h"
#include "glusterfs/iatt.h"
#include "glusterfs/xlator.h"

/* Locks that make each xattrop atomic: the one of an object is chosen by its gfid. */
#define POSIX_XATTROP_LOCKS 64

typedef struct posix_priv {
    char *directory; /* option "directory": the brick */
    char *volume_id; /* option "volume-id": the volume's uuid, or NULL */
    pthread_mutex_t xattrop_locks[POSIX_XATTROP_LOCKS];
    pthread_mutex_t anon_lock; /* serialises the lazy opening of fds (posix_fd_get) */
} posix_priv_t;

/* What an open fd holds (its fd ctx value is a pointer to this). */
typedef struct posix_fd {
    int fd;               /* the real descriptor (dirfd(dir) for directories) */
    DIR *dir;             /* directories only */
    uuid_t gfid;          /* of the file or directory opened */
    pthread_mutex_t lock; /* directories: serialises seekdir/readdir */
} posix_fd_t;

/* The brick directory of this posix instance. */
static inline const char *posix_brick(gf_xlator_t *this)
{
    return ((posix_priv_t *)this->priv)->directory;
}

/*
 * Writes the path a loc names into buf: its gfid's when the gfid is set,
 * otherwise the name in the parent pargfid. 0 or -errno (see posix-handle.h).
 */
int posix_loc_path(gf_xlator_t *this, const gf_loc_t *loc, char *buf, size_t len);

/*
 * For entry fops: writes the path of loc->name in the directory loc->pargfid
 * into path, and that directory's path into ppath (both PATH_MAX bytes).
 * 0 or -errno (see posix_entry_path); a parent that no longer exists is
 * -ESTALE, as GlusterFS bricks answer.
 */
int posix_entry_paths(gf_xlator_t *this, const gf_loc_t *loc, char *ppath, char *path);

/* The gfid a client chose for a new object (xdata "gfid-req"), or a new one. */
void posix_gfid_req(const gf_args_t *args, uuid_t gfid);

/*
 * Gives an object found without a gfid (made on the backend directly) the gfid
 * the client asked for (or a new one) and its handle; args->loc names it in its
 * parent. 0 with gfid set, or -errno.
 */
int posix_heal_gfid(gf_xlator_t *this, const gf_args_t *args, const char *path, uuid_t gfid);

/* Gives a new object the caller's uid/gid (the parent's gid instead when the
 * parent directory is set-group-ID) unless the caller is root. 0 or -errno. */
int posix_set_owner(gf_frame_t *frame, const char *path, const gf_iatt_t *parent);

/* Copies gfid into ia and derives ia_ino from it, as GlusterFS does. */
void posix_iatt_set_gfid(gf_iatt_t *ia, const uuid_t gfid);

/* Drops the gfid handle from ia's link count (non-directories with a gfid). */
void posix_iatt_names_only(gf_iatt_t *ia);

/* lstat of path into *ia, with gfid (NULL: read from the gfid xattr, left null
 * when absent); ia_nlink counts names only (posix_iatt_names_only). 0 or -errno. */
int posix_iatt_path(const char *path, const uuid_t gfid, gf_iatt_t *ia);

/* fstat of pfd's descriptor into *ia, with pfd's gfid; names only. 0 or -errno. */
int posix_iatt_fd(const posix_fd_t *pfd, gf_iatt_t *ia);

/*
 * The posix_fd_t of fd in *out: the one open/create/opendir stored, or, for an
 * fd nobody opened here (protocol/server's anonymous fds), one made now by
 * opening fd's inode by gfid (read-write when it can, read-only otherwise;
 * directories as directory streams). 0, -EBADF without an fd or inode, or the
 * errno of opening.
 */
int posix_fd_get(gf_xlator_t *this, gf_fd_t *fd, posix_fd_t **out);

/* Wraps a descriptor (and DIR for directories) into a new posix_fd_t stored on fd.
 * 0 or -ENOMEM; on failure nothing is closed. */
int posix_fd_attach(gf_xlator_t *this, gf_fd_t *fd, int desc, DIR *dir, const uuid_t gfid);

/* desc->release: closes what posix_fd_attach stored on fd. */
void posix_release(gf_xlator_t *this, gf_fd_t *fd);

/*
 * Applies the setattr fields selected by valid (GF_SET_ATTR_*) from *ia, to fd
 * when fd >= 0, otherwise to path (not following a final symlink; is_link says
 * path is a symlink, whose mode cannot change). 0 or -errno.
 */
int posix_apply_attrs(int fd, const char *path, bool is_link, const gf_iatt_t *ia, int32_t valid);

/* Where an xattr fop acts: a path (not following a final symlink) or, when
 * path is NULL, an open descriptor. */
typedef struct posix_xtarget {
    const char *path;
    int fd;
} posix_xtarget_t;

/* l/fgetxattr, l/fsetxattr, l/flistxattr, l/fremovexattr on t; as the calls. */
ssize_t posix_xget(const posix_xtarget_t *t, const char *name, void *buf, size_t size);
int posix_xset(const posix_xtarget_t *t, const char *name, const void *buf, size_t size, int flags);
ssize_t posix_xlist(const posix_xtarget_t *t, char *buf, size_t size);

/*
 * What a lookup (readdirp entry, xattrop) request's xdata asks for, as GlusterFS
 * bricks answer it: each key not meant for other translators is a pattern
 * (fnmatch) over the object's xattr names, and every xattr it matches comes
 * back under its own name; "glusterfs.content" asks for the contents of a
 * regular file of at most that many bytes (ia: the object's attributes).
 * Returns a new dict (one reference), or NULL when xdata is NULL or asks for
 * nothing the object has, or on ENOMEM.
 */
gf_dict_t *posix_xattr_fill(const posix_xtarget_t *t, const gf_iatt_t *ia, gf_dict_t *xdata);

/* Unwinds an error given as a negative errno. */
static inline int posix_fail(gf_frame_t *frame, int neg_errno)
{
    return gf_unwind_error(frame, -neg_errno);
}

/* posix-inode.c */
int posix_lookup(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_readlink(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_stat(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_access(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_statfs(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_truncate(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_setattr(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);

/* posix-xattr.c */
int posix_getxattr(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_setxattr(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_removexattr(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_fgetxattr(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_fsetxattr(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_fremovexattr(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_xattrop(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_fxattrop(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);

/* posix-entry.c */
int posix_mkdir(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_create(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_unlink(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_rmdir(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_mknod(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_symlink(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_rename(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_link(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);

/* posix-data.c */
int posix_open(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_readv(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_writev(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_flush(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_fsync(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_fstat(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_ftruncate(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_fsetattr(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
/* the fallocate fop (libc has a posix_fallocate) */
int posix_allocate(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_discard(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_zerofill(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_seek(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);

/* posix-dir.c */
int posix_opendir(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_readdir(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_readdirp(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_fsyncdir(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);

#endif
