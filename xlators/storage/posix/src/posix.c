/*
 * storage/posix: the brick's backing store, a translator that keeps files in a
 * local directory in the on-disk format of GlusterFS bricks (gfid xattrs and the
 * .glusterfs handle tree, see posix-handle.h).
 *
 * This file holds the descriptor and its options, init (checks of the brick
 * directory: its volume id, its root gfid, its handle tree), the per-fd state
 * (opened on first use for the anonymous fds protocol/server makes) and the
 * helpers the fop files share. An idle brick holds no descriptor: paths
 * are resolved through the handles on each call.
 *
 * Ownership of new objects: posix runs as root and creates files as root, then
 * gives them to the caller's uid/gid (frame->root) when the caller is not root.
 * Permission checks on behalf of the caller are not posix's job.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "glusterfs/dict.h"
#include "glusterfs/log.h"
#include "posix-handle.h"
#include "posix.h"

int posix_loc_path(gf_xlator_t *this, const gf_loc_t *loc, char *buf, size_t len)
{
    uuid_t gfid;

    if (!uuid_is_null(loc->gfid))
        return posix_gfid_path(posix_brick(this), loc->gfid, buf, len);
    if (loc->name && !uuid_is_null(loc->pargfid))
        return posix_entry_path(posix_brick(this), loc->pargfid, loc->name, buf, len);
    if (!loc->inode)
        return -EINVAL;
    gf_inode_gfid(loc->inode, gfid);
    return posix_gfid_path(posix_brick(this), gfid, buf, len);
}

int posix_entry_paths(gf_xlator_t *this, const gf_loc_t *loc, char *ppath, char *path)
{
    size_t plen;
    int ret;

    ret = posix_entry_path(posix_brick(this), loc->pargfid, loc->name, path, PATH_MAX);
    if (ret)
        return ret == -ENOENT ? -ESTALE : ret;
    plen = strlen(path) - strlen(loc->name) - 1;
    memcpy(ppath, path, plen);
    ppath[plen] = '\0';
    return 0;
}

void posix_gfid_req(const gf_args_t *args, uuid_t gfid)
{
    if (gf_dict_get_gfuuid(args->xdata, "gfid-req", gfid) != 0 || uuid_is_null(gfid))
        uuid_generate(gfid);
}

int posix_set_owner(gf_frame_t *frame, const char *path, const gf_iatt_t *parent)
{
    uid_t uid = frame->root->uid;
    gid_t gid = frame->root->gid;

    if (uid == 0 && gid == 0)
        return 0;
    if (parent->ia_mode & S_ISGID)
        gid = (gid_t)-1;
    return lchown(path, uid, gid) ? -errno : 0;
}

int posix_heal_gfid(gf_xlator_t *this, const gf_args_t *args, const char *path, uuid_t gfid)
{
    struct stat st;
    int ret;

    posix_gfid_req(args, gfid);
    ret = posix_gfid_set(path, gfid);
    if (ret == -EEXIST) /* another lookup healed it first */
        return posix_gfid_get(path, gfid);
    if (ret)
        return ret;
    if (lstat(path, &st) != 0)
        return -errno;
    gf_log(GF_LOG_INFO, "gave gfid to %s, found without one", path);
    return posix_handle_make(posix_brick(this), gfid, path, &st, args->loc.pargfid,
                             args->loc.name);
}

void posix_iatt_set_gfid(gf_iatt_t *ia, const uuid_t gfid)
{
    uint64_t ino = 0;
    int i;

    uuid_copy(ia->ia_gfid, gfid);
    if (uuid_is_null(gfid))
        return;
    for (i = 8; i < 16; i++)
        ino = (ino << 8) | gfid[i];
    ia->ia_ino = ino;
}

/* A non-directory with a gfid has a handle, which is one more hard link to
 * it: the names alone are counted, as GlusterFS bricks report them. */
void posix_iatt_names_only(gf_iatt_t *ia)
{
    if (!GF_IA_ISDIR(ia) && !uuid_is_null(ia->ia_gfid) && ia->ia_nlink > 0)
        ia->ia_nlink--;
}

int posix_iatt_path(const char *path, const uuid_t gfid, gf_iatt_t *ia)
{
    struct stat st;
    uuid_t found;

    if (lstat(path, &st) != 0)
        return -errno;
    memset(ia, 0, sizeof(*ia));
    gf_iatt_from_stat(ia, &st);
    if (gfid)
        posix_iatt_set_gfid(ia, gfid);
    else if (posix_gfid_get(path, found) == 0)
        posix_iatt_set_gfid(ia, found);
    posix_iatt_names_only(ia);
    return 0;
}

int posix_iatt_fd(const posix_fd_t *pfd, gf_iatt_t *ia)
{
    struct stat st;

    if (fstat(pfd->fd, &st) != 0)
        return -errno;
    memset(ia, 0, sizeof(*ia));
    gf_iatt_from_stat(ia, &st);
    posix_iatt_set_gfid(ia, pfd->gfid);
    posix_iatt_names_only(ia);
    return 0;
}

/* Opens the object with that gfid for an fd nobody opened: directories as
 * streams, files read-write when possible. 0 with *desc (and *dir), or -errno. */
static int open_by_gfid(gf_xlator_t *this, const uuid_t gfid, int *desc, DIR **dir)
{
    char path[PATH_MAX];
    struct stat st;
    int ret, fd;

    ret = posix_gfid_path(posix_brick(this), gfid, path, sizeof(path));
    if (ret)
        return ret;
    if (lstat(path, &st) != 0)
        return -errno;
    *dir = NULL;
    if (S_ISDIR(st.st_mode)) {
        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        *dir = fd >= 0 ? fdopendir(fd) : NULL;
        if (fd >= 0 && !*dir) {
            ret = -errno;
            close(fd);
            return ret;
        }
    } else {
        fd = open(path, O_RDWR | O_CLOEXEC);
        if (fd < 0 && (errno == EACCES || errno == EROFS || errno == ETXTBSY))
            fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0)
        return -errno;
    *desc = fd;
    return 0;
}

int posix_fd_get(gf_xlator_t *this, gf_fd_t *fd, posix_fd_t **out)
{
    posix_priv_t *priv = this->priv;
    uint64_t v;
    uuid_t gfid;
    DIR *dir;
    int ret = 0, desc;

    if (fd && gf_fd_ctx_get(fd, this, &v) == 0) {
        *out = (posix_fd_t *)(uintptr_t)v;
        return 0;
    }
    if (!fd || !fd->inode)
        return -EBADF;
    gf_inode_gfid(fd->inode, gfid);
    if (uuid_is_null(gfid))
        return -EBADF;
    pthread_mutex_lock(&priv->anon_lock);
    if (gf_fd_ctx_get(fd, this, &v) != 0) {
        ret = open_by_gfid(this, gfid, &desc, &dir);
        if (!ret && (ret = posix_fd_attach(this, fd, desc, dir, gfid)) != 0) {
            if (dir)
                closedir(dir);
            else
                close(desc);
        }
        if (!ret)
            gf_fd_ctx_get(fd, this, &v);
    }
    pthread_mutex_unlock(&priv->anon_lock);
    if (!ret)
        *out = (posix_fd_t *)(uintptr_t)v;
    return ret;
}

int posix_fd_attach(gf_xlator_t *this, gf_fd_t *fd, int desc, DIR *dir, const uuid_t gfid)
{
    posix_fd_t *pfd;

    if (!fd)
        return -EINVAL;
    pfd = gf_calloc(1, sizeof(*pfd));
    if (!pfd)
        return -ENOMEM;
    pfd->fd = desc;
    pfd->dir = dir;
    uuid_copy(pfd->gfid, gfid);
    pthread_mutex_init(&pfd->lock, NULL);
    if (gf_fd_ctx_set(fd, this, (uint64_t)(uintptr_t)pfd) != 0) {
        pthread_mutex_destroy(&pfd->lock);
        gf_free(pfd);
        return -ENOMEM;
    }
    return 0;
}

void posix_release(gf_xlator_t *this, gf_fd_t *fd)
{
    posix_fd_t *pfd;
    uint64_t v;

    if (gf_fd_ctx_del(fd, this, &v) != 0)
        return;
    pfd = (posix_fd_t *)(uintptr_t)v;
    if (pfd->dir)
        closedir(pfd->dir); /* closes pfd->fd too */
    else
        close(pfd->fd);
    pthread_mutex_destroy(&pfd->lock);
    gf_free(pfd);
}

/* Changes owner and/or group when valid selects them. */
static int apply_owner(int fd, const char *path, const gf_iatt_t *ia, int32_t valid)
{
    uid_t uid = (valid & GF_SET_ATTR_UID) ? (uid_t)ia->ia_uid : (uid_t)-1;
    gid_t gid = (valid & GF_SET_ATTR_GID) ? (gid_t)ia->ia_gid : (gid_t)-1;
    int r;

    if (uid == (uid_t)-1 && gid == (gid_t)-1)
        return 0;
    r = fd >= 0 ? fchown(fd, uid, gid) : lchown(path, uid, gid);
    return r ? -errno : 0;
}

/* Sets atime and/or mtime when valid selects them. */
static int apply_times(int fd, const char *path, const gf_iatt_t *ia, int32_t valid)
{
    struct timespec ts[2] = {{.tv_nsec = UTIME_OMIT}, {.tv_nsec = UTIME_OMIT}};
    int r;

    if (!(valid & (GF_SET_ATTR_ATIME | GF_SET_ATTR_MTIME)))
        return 0;
    if (valid & GF_SET_ATTR_ATIME)
        ts[0] = (struct timespec){.tv_sec = ia->ia_atime, .tv_nsec = ia->ia_atime_nsec};
    if (valid & GF_SET_ATTR_MTIME)
        ts[1] = (struct timespec){.tv_sec = ia->ia_mtime, .tv_nsec = ia->ia_mtime_nsec};
    r = fd >= 0 ? futimens(fd, ts) : utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW);
    return r ? -errno : 0;
}

int posix_apply_attrs(int fd, const char *path, bool is_link, const gf_iatt_t *ia,
                      int32_t valid)
{
    mode_t mode = ia->ia_mode & 07777;
    int ret, r = 0;

    ret = apply_owner(fd, path, ia, valid);
    if (ret)
        return ret;
    /* GF_SET_ATTR_SIZE is ignored, as GlusterFS's posix does: sizes change through
     * truncate/ftruncate, and the stock distribute heals directories with valid = ~0. */
    if ((valid & GF_SET_ATTR_MODE) && !is_link)
        r = fd >= 0 ? fchmod(fd, mode) : chmod(path, mode);
    if (r)
        return -errno;
    return apply_times(fd, path, ia, valid);
}

/* Checks that the brick directory exists and is a directory; drops trailing '/'. */
static int check_directory(posix_priv_t *priv)
{
    size_t n = strlen(priv->directory);
    struct stat st;

    while (n > 1 && priv->directory[n - 1] == '/')
        priv->directory[--n] = '\0';
    if (stat(priv->directory, &st) != 0) {
        gf_log(GF_LOG_ERROR, "brick directory %s: %s: create it, or correct the option "
               "'directory'", priv->directory, strerror(errno));
        return -errno;
    }
    if (!S_ISDIR(st.st_mode)) {
        gf_log(GF_LOG_ERROR, "brick directory %s is not a directory: correct the option "
               "'directory'", priv->directory);
        return -ENOTDIR;
    }
    return 0;
}

/* Sets a 16-byte xattr on the brick root; logs and returns -errno on failure. */
static int set_root_xattr(const char *dir, const char *key, const uuid_t value)
{
    if (lsetxattr(dir, key, value, sizeof(uuid_t), XATTR_CREATE) == 0)
        return 0;
    gf_log(GF_LOG_ERROR, "cannot set %s on brick directory %s: %s (bricks need root and a "
           "file system with extended attributes)", key, dir, strerror(errno));
    return -errno;
}

/*
 * Checks the brick's volume id against the option volume-id: sets it on a brick
 * that has none, refuses a brick that belongs to another volume.
 */
static int check_volume_id(posix_priv_t *priv)
{
    char found_text[37];
    uuid_t want, found;
    ssize_t n;

    if (!priv->volume_id)
        return 0;
    if (uuid_parse(priv->volume_id, want) != 0) {
        gf_log(GF_LOG_ERROR, "option volume-id '%s' is not a uuid", priv->volume_id);
        return -EINVAL;
    }
    n = lgetxattr(priv->directory, POSIX_VOLID_XATTR, found, sizeof(found));
    if (n < 0 && errno == ENODATA)
        return set_root_xattr(priv->directory, POSIX_VOLID_XATTR, want);
    if (n != sizeof(found)) {
        gf_log(GF_LOG_ERROR, "brick directory %s: cannot read %s: %s", priv->directory,
               POSIX_VOLID_XATTR, n < 0 ? strerror(errno) : "not 16 bytes");
        return n < 0 ? -errno : -EINVAL;
    }
    if (uuid_compare(want, found) == 0)
        return 0;
    uuid_unparse_lower(found, found_text);
    gf_log(GF_LOG_ERROR, "brick directory %s belongs to another volume: its volume id is "
           "%s, expected %s; use another directory, or clear %s if the old volume is gone",
           priv->directory, found_text, priv->volume_id, POSIX_VOLID_XATTR);
    return -EEXIST;
}

/* Gives the brick root the root gfid, or checks the one it has. */
static int check_root_gfid(const char *dir)
{
    char text[37];
    uuid_t gfid;
    int ret;

    ret = posix_gfid_get(dir, gfid);
    if (ret == -ENODATA)
        return set_root_xattr(dir, POSIX_GFID_XATTR, posix_root_gfid);
    if (ret) {
        gf_log(GF_LOG_ERROR, "brick directory %s: cannot read %s: %s", dir, POSIX_GFID_XATTR,
               strerror(-ret));
        return ret;
    }
    if (posix_gfid_is_root(gfid))
        return 0;
    uuid_unparse_lower(gfid, text);
    gf_log(GF_LOG_ERROR, "brick directory %s has gfid %s, not the root gfid: it is a "
           "directory inside another brick, not a brick root", dir, text);
    return -EINVAL;
}

static void locks_init(posix_priv_t *priv)
{
    int i;

    for (i = 0; i < POSIX_XATTROP_LOCKS; i++)
        pthread_mutex_init(&priv->xattrop_locks[i], NULL);
    pthread_mutex_init(&priv->anon_lock, NULL);
}

static void posix_fini(gf_xlator_t *this)
{
    posix_priv_t *priv = this->priv;
    int i;

    for (i = 0; i < POSIX_XATTROP_LOCKS; i++)
        pthread_mutex_destroy(&priv->xattrop_locks[i]);
    pthread_mutex_destroy(&priv->anon_lock);
}

static int posix_init(gf_xlator_t *this)
{
    posix_priv_t *priv = this->priv;
    int ret;

    if (!priv->directory) {
        gf_log(GF_LOG_ERROR, "option 'directory' is missing: name the brick directory");
        return -EINVAL;
    }
    ret = check_directory(priv);
    if (!ret)
        ret = check_volume_id(priv);
    if (!ret)
        ret = check_root_gfid(priv->directory);
    if (!ret)
        ret = posix_handle_init(priv->directory);
    if (ret)
        return ret;
    locks_init(priv);
    gf_log(GF_LOG_INFO, "serving brick directory %s", priv->directory);
    return 0;
}

static const gf_option_t posix_options[] = {
    {.key = "directory",
     .type = GF_OPT_PATH,
     .scope = GF_SCOPE_BRICK,
     .offset = offsetof(posix_priv_t, directory),
     .desc = "the brick: the local directory that holds the files (required)"},
    {.key = "volume-id",
     .type = GF_OPT_STR,
     .scope = GF_SCOPE_BRICK,
     .offset = offsetof(posix_priv_t, volume_id),
     .desc = "uuid of the volume; a brick directory marked for another volume is refused"},
    {.key = NULL},
};

const gf_xlator_desc_t gf_xlator_desc = {
    .abi_version = GF_XLATOR_ABI_VERSION,
    .type = "storage/posix",
    .priv_size = sizeof(posix_priv_t),
    .init = posix_init,
    .fini = posix_fini,
    .release = posix_release,
    .options = posix_options,
    .fops =
        {
            [GF_FOP_LOOKUP] = posix_lookup,
            [GF_FOP_STAT] = posix_stat,
            [GF_FOP_ACCESS] = posix_access,
            [GF_FOP_STATFS] = posix_statfs,
            [GF_FOP_TRUNCATE] = posix_truncate,
            [GF_FOP_SETATTR] = posix_setattr,
            [GF_FOP_GETXATTR] = posix_getxattr,
            [GF_FOP_SETXATTR] = posix_setxattr,
            [GF_FOP_REMOVEXATTR] = posix_removexattr,
            [GF_FOP_MKDIR] = posix_mkdir,
            [GF_FOP_CREATE] = posix_create,
            [GF_FOP_UNLINK] = posix_unlink,
            [GF_FOP_RMDIR] = posix_rmdir,
            [GF_FOP_OPEN] = posix_open,
            [GF_FOP_READ] = posix_readv,
            [GF_FOP_WRITE] = posix_writev,
            [GF_FOP_FLUSH] = posix_flush,
            [GF_FOP_FSYNC] = posix_fsync,
            [GF_FOP_FSTAT] = posix_fstat,
            [GF_FOP_FTRUNCATE] = posix_ftruncate,
            [GF_FOP_FSETATTR] = posix_fsetattr,
            [GF_FOP_OPENDIR] = posix_opendir,
            [GF_FOP_READDIR] = posix_readdir,
            [GF_FOP_READDIRP] = posix_readdirp,
            [GF_FOP_FSYNCDIR] = posix_fsyncdir,
            [GF_FOP_READLINK] = posix_readlink,
            [GF_FOP_MKNOD] = posix_mknod,
            [GF_FOP_SYMLINK] = posix_symlink,
            [GF_FOP_RENAME] = posix_rename,
            [GF_FOP_LINK] = posix_link,
            [GF_FOP_FGETXATTR] = posix_fgetxattr,
            [GF_FOP_FSETXATTR] = posix_fsetxattr,
            [GF_FOP_FREMOVEXATTR] = posix_fremovexattr,
            [GF_FOP_XATTROP] = posix_xattrop,
            [GF_FOP_FXATTROP] = posix_fxattrop,
            [GF_FOP_FALLOCATE] = posix_allocate,
            [GF_FOP_DISCARD] = posix_discard,
            [GF_FOP_ZEROFILL] = posix_zerofill,
            [GF_FOP_SEEK] = posix_seek,
        },
};
