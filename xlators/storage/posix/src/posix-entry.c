/*
 * storage/posix fops that add or remove names: mkdir, create, unlink, rmdir.
 *
 * A new object is made private (mode 0700/0600, owned by root), then given its
 * gfid xattr (the client's "gfid-req" or a new one), its handle, its owner and
 * last its mode, so no client ever sees it half made with wider rights. When a
 * step fails the object is removed again. Removing a name removes the handle
 * with it when that was the object's last name.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "glusterfs/log.h"
#include "posix-handle.h"
#include "posix.h"

/* Everything an entry fop works with. */
typedef struct {
    char ppath[PATH_MAX]; /* the parent directory */
    char path[PATH_MAX];  /* the entry */
    uuid_t gfid;
} entry_t;

/* Resolves the paths of args->loc and stats the parent into rsp->preparent. */
static int entry_begin(gf_xlator_t *this, const gf_args_t *args, entry_t *e, gf_reply_t *rsp)
{
    int ret = posix_entry_paths(this, &args->loc, e->ppath, e->path);

    return ret ? ret : posix_iatt_path(e->ppath, args->loc.pargfid, &rsp->preparent);
}

/* Fills rsp->postparent and unwinds success. */
static int entry_done(gf_frame_t *frame, const gf_args_t *args, entry_t *e, gf_reply_t *rsp)
{
    int ret = posix_iatt_path(e->ppath, args->loc.pargfid, &rsp->postparent);

    if (ret)
        return posix_fail(frame, ret);
    return gf_unwind(frame, rsp);
}

/* Gives a just-made object its gfid, handle, owner and mode (see above). */
static int finish_new(gf_frame_t *frame, gf_xlator_t *this, const gf_args_t *args, entry_t *e,
                      const gf_iatt_t *parent)
{
    mode_t mode = args->mode & ~args->umask & 07777;
    struct stat st;
    int ret;

    ret = posix_gfid_set(e->path, e->gfid);
    if (!ret && lstat(e->path, &st) != 0)
        ret = -errno;
    if (!ret)
        ret = posix_handle_make(posix_brick(this), e->gfid, e->path, &st, args->loc.pargfid,
                                args->loc.name);
    if (!ret)
        ret = posix_set_owner(frame, e->path, parent);
    if (!ret && S_ISDIR(st.st_mode) && (parent->ia_mode & S_ISGID))
        mode |= S_ISGID; /* inherited, as mkdir(2) does */
    if (!ret && chmod(e->path, mode) != 0)
        ret = -errno;
    return ret;
}

/* Removes a half-made object and its handle after finish_new failed. */
static void undo_new(gf_xlator_t *this, entry_t *e, bool is_dir, int err)
{
    gf_log(GF_LOG_WARNING, "cannot complete %s: %s; removed it again", e->path, strerror(err));
    if (is_dir)
        rmdir(e->path);
    else
        unlink(e->path);
    posix_handle_remove(posix_brick(this), e->gfid, is_dir);
}

int posix_mkdir(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    gf_reply_t rsp = {0};
    entry_t e;
    int ret;

    ret = entry_begin(this, args, &e, &rsp);
    if (ret)
        return posix_fail(frame, ret);
    if (mkdir(e.path, 0700) != 0)
        return gf_unwind_error(frame, errno);
    posix_gfid_req(args, e.gfid);
    ret = finish_new(frame, this, args, &e, &rsp.preparent);
    if (!ret)
        ret = posix_iatt_path(e.path, e.gfid, &rsp.stat);
    if (ret) {
        undo_new(this, &e, true, -ret);
        return posix_fail(frame, ret);
    }
    rsp.inode = args->loc.inode;
    return entry_done(frame, args, &e, &rsp);
}

/*
 * Opens e->path for create: makes it (exclusively) and sets *made, or opens the
 * existing file when the client did not ask for O_EXCL. The descriptor or -errno.
 */
static int open_new(entry_t *e, int32_t flags, bool *made)
{
    int fd = open(e->path, flags | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

    *made = fd >= 0;
    if (fd < 0 && errno == EEXIST && !(flags & O_EXCL))
        fd = open(e->path, (flags & ~O_CREAT) | O_CLOEXEC);
    return fd >= 0 ? fd : -errno;
}

/* Gives the file just opened by create its gfid: new file, or existing one. */
static int create_gfid(gf_frame_t *frame, gf_xlator_t *this, const gf_args_t *args, entry_t *e,
                       bool made, const gf_iatt_t *parent)
{
    int ret;

    if (made) {
        posix_gfid_req(args, e->gfid);
        ret = finish_new(frame, this, args, e, parent);
        if (ret)
            undo_new(this, e, false, -ret);
        return ret;
    }
    ret = posix_gfid_get(e->path, e->gfid);
    return ret == -ENODATA ? posix_heal_gfid(this, args, e->path, e->gfid) : ret;
}

/* args->flags: open(2) flags; args->mode, args->umask; reply fd is args->fd. */
int posix_create(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    gf_reply_t rsp = {0};
    bool made;
    entry_t e;
    int fd, ret;

    if (!args->fd)
        return gf_unwind_error(frame, EINVAL);
    ret = entry_begin(this, args, &e, &rsp);
    if (ret)
        return posix_fail(frame, ret);
    fd = open_new(&e, args->flags, &made);
    if (fd < 0)
        return posix_fail(frame, fd);
    ret = create_gfid(frame, this, args, &e, made, &rsp.preparent);
    if (!ret)
        ret = posix_iatt_path(e.path, e.gfid, &rsp.stat);
    if (!ret)
        ret = posix_fd_attach(this, args->fd, fd, NULL, e.gfid);
    if (ret) {
        close(fd);
        return posix_fail(frame, ret);
    }
    rsp.fd = args->fd;
    rsp.inode = args->loc.inode;
    return entry_done(frame, args, &e, &rsp);
}

/* Removes the entry of args->loc with rm (unlink or rmdir), then its handle. */
static int remove_entry(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args,
                        int (*rm)(const char *), bool is_dir)
{
    gf_reply_t rsp = {0};
    bool has_gfid;
    entry_t e;
    int ret;

    ret = entry_begin(this, args, &e, &rsp);
    if (ret)
        return posix_fail(frame, ret);
    has_gfid = posix_gfid_get(e.path, e.gfid) == 0;
    if (rm(e.path) != 0)
        return gf_unwind_error(frame, errno);
    if (has_gfid) {
        ret = posix_handle_remove(posix_brick(this), e.gfid, is_dir);
        if (ret)
            gf_log(GF_LOG_WARNING, "removed %s but not its handle: %s", e.path,
                   strerror(-ret));
    }
    return entry_done(frame, args, &e, &rsp);
}

int posix_unlink(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    return remove_entry(frame, this, args, unlink, false);
}

/* args->flags (GlusterFS "xflags") are ignored: the directory must be empty. */
int posix_rmdir(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    return remove_entry(frame, this, args, rmdir, true);
}
