/*
 * Internal interface of storage/posix, shared by its source files: the private
 * struct its options bind into, the per-fd state kept in fd ctx, the helpers that
 * turn locations into paths and stat results into gf_iatt_t, and the fops each
 * file implements (posix-inode.c, posix-entry.c, posix-data.c, posix-dir.c).
 *
 * Every fop runs on a worker thread, does its system calls (which may block) and
 * unwinds before returning. Errors are the errno the system call gave.
 */
#ifndef POSIX_H
#define POSIX_H

#include <dirent.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "glusterfs/fd.h"
#include "glusterfs/iatt.h"
#include "glusterfs/xlator.h"

typedef struct posix_priv {
    char *directory; /* option "directory": the brick */
    char *volume_id; /* option "volume-id": the volume's uuid, or NULL */
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
 * 0 or -errno (see posix_entry_path).
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

/* lstat of path into *ia, with gfid (NULL: read from the gfid xattr, left null
 * when absent). 0 or -errno. */
int posix_iatt_path(const char *path, const uuid_t gfid, gf_iatt_t *ia);

/* fstat of pfd's descriptor into *ia, with pfd's gfid. 0 or -errno. */
int posix_iatt_fd(const posix_fd_t *pfd, gf_iatt_t *ia);

/* The posix_fd_t stored on fd by open/create/opendir, or NULL (EBADFD). */
posix_fd_t *posix_fd_get(gf_xlator_t *this, gf_fd_t *fd);

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
int posix_apply_attrs(int fd, const char *path, bool is_link, const gf_iatt_t *ia,
                      int32_t valid);

/* Unwinds an error given as a negative errno. */
static inline int posix_fail(gf_frame_t *frame, int neg_errno)
{
    return gf_unwind_error(frame, -neg_errno);
}

/* posix-inode.c */
int posix_lookup(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_stat(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_access(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_statfs(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_truncate(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_setattr(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);

/* posix-xattr.c */
int posix_getxattr(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_setxattr(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_removexattr(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);

/* posix-entry.c */
int posix_mkdir(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_create(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_unlink(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_rmdir(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);

/* posix-data.c */
int posix_open(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_readv(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_writev(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_flush(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_fsync(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_fstat(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_ftruncate(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_fsetattr(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);

/* posix-dir.c */
int posix_opendir(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_readdir(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);
int posix_readdirp(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args);

#endif
