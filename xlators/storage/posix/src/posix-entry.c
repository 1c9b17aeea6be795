/*
 * storage/posix fops that add, move or remove names: mkdir, create, mknod,
 * symlink, link, rename, unlink, rmdir.
 *
 * A new object is made private (mode 0700/0600, owned by root), then given its
 * gfid xattr (the client's "gfid-req" or a new one), its handle, the xattrs
 * the request's xdata carries, its owner and last its mode, so no client ever
 * sees it half made with wider rights. When a step fails the object is removed
 * again. Removing a name removes the handle with it when that was the
 * object's last name; renaming a directory points its handle at the new name.
 *
 * Facts of GlusterFS bricks followed here: the xdata of mkdir, create, mknod
 * and symlink holds xattrs to set on the new object (distribute's link-file
 * target and its mds marker travel so), except keys meant for the brick
 * itself; and when it names a parent xattr under "glusterfs.preop.parent.key"
 * with the value the client expects, an entry is made only if the parent
 * still has that value: otherwise the fop fails with EIO and the reply's
 * xdata says "glusterfs.preop.check.failed" (a client whose layout is stale
 * then reads it again). And distribute's own mknod of a link file whose gfid
 * the brick holds already makes a hard link to that file.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "glusterfs/log.h"
#include "posix-handle.h"
#include "posix.h"

#define PREOP_PARENT_KEY   "glusterfs.preop.parent.key"
#define PREOP_CHECK_FAILED "glusterfs.preop.check.failed"

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

/* ---- xattrs carried by the xdata of a new entry ------------------------------------------- */

/* The parent xattr whose value a creating request checks, or NULL. */
static const char *preop_key(const gf_args_t *args)
{
    const char *key = NULL;

    if (gf_dict_get_str(args->xdata, PREOP_PARENT_KEY, &key) != 0 || !gf_dict_has(args->xdata, key))
        return NULL;
    return key;
}

/* Whether the parent (ppath) still holds the value of its xattr that args
 * expects (always true when args expects none). */
static bool preop_holds(const gf_args_t *args, const char *ppath)
{
    const char *key = preop_key(args);
    char disk[4096];
    const void *want;
    size_t len;
    ssize_t n;

    if (!key)
        return true;
    if (gf_dict_get_bin(args->xdata, key, &want, &len) != 0 || len > sizeof(disk))
        return false;
    n = lgetxattr(ppath, key, disk, sizeof(disk));
    return n == (ssize_t)len && memcmp(disk, want, len) == 0;
}

/* Unwinds the failed preop check: EIO, with the marker in the reply's xdata. */
static int preop_fail(gf_frame_t *frame, const entry_t *e)
{
    gf_reply_t rsp = {.op_ret = -1, .op_errno = EIO};

    gf_log(GF_LOG_INFO,
           "not creating %s: its parent's layout is not the one the client "
           "holds (the client reads it again)",
           e->path);
    rsp.xdata = gf_dict_new();
    if (rsp.xdata)
        gf_dict_set_int32(rsp.xdata, PREOP_CHECK_FAILED, 1);
    gf_unwind(frame, &rsp);
    gf_dict_unref(rsp.xdata);
    return 0;
}

/* Whether key of a creating request's xdata is an xattr for the new object. */
static bool create_xattr_key(const gf_args_t *args, const char *key)
{
    const char *preop = preop_key(args);

    if (!strcmp(key, "gfid-req") || !strcmp(key, POSIX_GFID_XATTR) ||
        !strcmp(key, POSIX_VOLID_XATTR) || !strcmp(key, PREOP_PARENT_KEY) ||
        (preop && !strcmp(key, preop)) || !strncmp(key, "system.posix_acl_", 17))
        return false;
    return !strncmp(key, "trusted.", 8) || !strncmp(key, "user.", 5) ||
           !strncmp(key, "security.", 9);
}

typedef struct {
    const gf_args_t *args;
    const char *path;
} create_xattrs_t;

/* gf_dict_foreach callback: sets one xattr of the new entry; a failure is
 * logged only, as GlusterFS bricks do. */
static int create_xattr_one(gf_dict_t *d, const char *key, const gf_data_t *v, void *arg)
{
    const create_xattrs_t *c = arg;

    if (!create_xattr_key(c->args, key) || v->type == GF_DATA_TYPE_INT ||
        v->type == GF_DATA_TYPE_UINT || v->type == GF_DATA_TYPE_DOUBLE)
        return 0;
    if (lsetxattr(c->path, key, v->v.bytes, v->len, XATTR_CREATE) != 0)
        gf_log(GF_LOG_DEBUG, "new entry %s: cannot set %s: %s", c->path, key, strerror(errno));
    return 0;
}

/* ---- making objects ------------------------------------------------------------------------- */

/* Gives a just-made object its gfid, handle, xattrs, owner and mode (see above). */
static int finish_new(gf_frame_t *frame, gf_xlator_t *this, const gf_args_t *args, entry_t *e,
                      const gf_iatt_t *parent)
{
    mode_t mode = args->mode & ~args->umask & 07777;
    create_xattrs_t cx = {.args = args, .path = e->path};
    struct stat st;
    int ret;

    ret = posix_gfid_set(e->path, e->gfid);
    if (!ret && lstat(e->path, &st) != 0)
        ret = -errno;
    if (!ret)
        ret = posix_handle_make(posix_brick(this), e->gfid, e->path, &st, args->loc.pargfid,
                                args->loc.name);
    if (!ret && args->xdata)
        gf_dict_foreach(args->xdata, create_xattr_one, &cx);
    if (!ret)
        ret = posix_set_owner(frame, e->path, parent);
    if (ret || S_ISLNK(st.st_mode)) /* a symlink's own mode cannot change */
        return ret;
    if (S_ISDIR(st.st_mode) && (parent->ia_mode & S_ISGID))
        mode |= S_ISGID; /* inherited, as mkdir(2) does */
    return chmod(e->path, mode) != 0 ? -errno : 0;
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

/* How mkdir, mknod and symlink make their object at path. */
typedef int (*make_fn_t)(const char *path, const gf_args_t *args);

static int make_dir(const char *path, const gf_args_t *args)
{
    return mkdir(path, 0700);
}

/* mknod: the type from args->mode (none: a regular file), args->rdev. */
static int make_node(const char *path, const gf_args_t *args)
{
    mode_t type = args->mode & S_IFMT;

    return mknod(path, (type ? type : S_IFREG) | 0600, (dev_t)args->rdev);
}

static int make_symlink(const char *path, const gf_args_t *args)
{
    return args->linkname ? symlink(args->linkname, path) : (errno = EINVAL, -1);
}

/* mkdir, mknod and symlink: make, finish (undoing on failure), reply the new
 * object and its parent before and after. */
static int make_entry(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args, make_fn_t make,
                      bool is_dir)
{
    gf_reply_t rsp = {0};
    entry_t e;
    int ret;

    ret = entry_begin(this, args, &e, &rsp);
    if (ret)
        return posix_fail(frame, ret);
    if (!preop_holds(args, e.ppath))
        return preop_fail(frame, &e);
    if (make(e.path, args) != 0)
        return gf_unwind_error(frame, errno);
    posix_gfid_req(args, e.gfid);
    ret = finish_new(frame, this, args, &e, &rsp.preparent);
    if (!ret)
        ret = posix_iatt_path(e.path, e.gfid, &rsp.stat);
    if (ret) {
        undo_new(this, &e, is_dir, -ret);
        return posix_fail(frame, ret);
    }
    rsp.inode = args->loc.inode;
    return entry_done(frame, args, &e, &rsp);
}

int posix_mkdir(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    return make_entry(frame, this, args, make_dir, true);
}

/* The non-directory the brick holds with gfid, in handle[PATH_MAX]. */
static bool have_file(gf_xlator_t *this, const uuid_t gfid, char *handle)
{
    struct stat st;

    return posix_handle_path(posix_brick(this), gfid, handle, PATH_MAX) == 0 &&
           lstat(handle, &st) == 0 && !S_ISDIR(st.st_mode);
}

/*
 * distribute's own mknod ("glusterfs-internal-fop" in xdata) of a link file
 * for a file whose gfid the brick holds already (a link file of another hard
 * link of that file) is a hard link to it, as GlusterFS bricks make it.
 * Returns false when the mknod is not such a one (nothing done).
 */
static bool mknod_as_link(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    char handle[PATH_MAX];
    gf_reply_t rsp = {0};
    uuid_t gfid;
    entry_t e;
    int ret;

    if (!gf_dict_has(args->xdata, "glusterfs-internal-fop") ||
        gf_dict_get_gfuuid(args->xdata, "gfid-req", gfid) != 0 || !have_file(this, gfid, handle))
        return false;
    ret = entry_begin(this, args, &e, &rsp);
    if (!ret && link(handle, e.path) != 0)
        ret = -errno;
    if (!ret)
        ret = posix_iatt_path(e.path, gfid, &rsp.stat);
    if (ret) {
        posix_fail(frame, ret);
        return true;
    }
    rsp.inode = args->loc.inode;
    entry_done(frame, args, &e, &rsp);
    return true;
}

/* args->mode: type and permission bits; args->rdev: the device of a device node. */
int posix_mknod(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    if (mknod_as_link(frame, this, args))
        return 0;
    return make_entry(frame, this, args, make_node, false);
}

/* args->linkname: the target. */
int posix_symlink(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    return make_entry(frame, this, args, make_symlink, false);
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

/* args->flags: open(2) flags; args->mode, args->umask; reply fd is args->fd. The
 * parent check applies only when the file is new. */
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
    if (access(e.path, F_OK) != 0 && !preop_holds(args, e.ppath))
        return preop_fail(frame, &e);
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

/* ---- link ---------------------------------------------------------------------------------- */

/* args->loc: the existing file (by gfid); args->loc2: the new name. Replies the
 * file's attributes and the new parent's before and after. */
int posix_link(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    char src[PATH_MAX];
    gf_reply_t rsp = {0};
    gf_iatt_t old;
    entry_t e;
    int ret;

    ret = posix_loc_path(this, &args->loc, src, sizeof(src));
    if (!ret)
        ret = posix_iatt_path(src, NULL, &old);
    if (ret)
        return posix_fail(frame, ret);
    if (GF_IA_ISDIR(&old))
        return gf_unwind_error(frame, EPERM); /* as link(2) answers for a directory */
    ret = posix_entry_paths(this, &args->loc2, e.ppath, e.path);
    if (!ret)
        ret = posix_iatt_path(e.ppath, args->loc2.pargfid, &rsp.preparent);
    if (ret)
        return posix_fail(frame, ret);
    if (link(src, e.path) != 0)
        return gf_unwind_error(frame, errno);
    ret = posix_iatt_path(e.path, old.ia_gfid, &rsp.stat);
    if (!ret)
        ret = posix_iatt_path(e.ppath, args->loc2.pargfid, &rsp.postparent);
    if (ret)
        return posix_fail(frame, ret);
    rsp.inode = args->loc.inode;
    return gf_unwind(frame, &rsp);
}

/* ---- rename ------------------------------------------------------------------------------- */

/* The two names of a rename, and what the new one named before (the victim). */
typedef struct {
    entry_t from, to;
    gf_iatt_t obj;    /* the object renamed */
    gf_iatt_t victim; /* what `to` named; ia_mode 0 when nothing */
} rename_t;

static int rename_begin(gf_xlator_t *this, const gf_args_t *args, rename_t *r, gf_reply_t *rsp)
{
    int ret = posix_entry_paths(this, &args->loc, r->from.ppath, r->from.path);

    if (!ret)
        ret = posix_entry_paths(this, &args->loc2, r->to.ppath, r->to.path);
    if (!ret)
        ret = posix_iatt_path(r->from.path, NULL, &r->obj);
    if (!ret)
        ret = posix_iatt_path(r->from.ppath, args->loc.pargfid, &rsp->preparent);
    if (!ret)
        ret = posix_iatt_path(r->to.ppath, args->loc2.pargfid, &rsp->preparent2);
    if (!ret && posix_iatt_path(r->to.path, NULL, &r->victim) != 0)
        memset(&r->victim, 0, sizeof(r->victim));
    return ret;
}

/* After the rename: a directory's handle follows it; a victim that lost its
 * last name loses its handle. Failures are logged: the rename itself is done. */
static void rename_handles(gf_xlator_t *this, const gf_args_t *args, const rename_t *r)
{
    const char *brick = posix_brick(this);
    const gf_iatt_t *v = &r->victim;
    int ret = 0;

    if (GF_IA_ISDIR(&r->obj) && !uuid_is_null(r->obj.ia_gfid))
        ret = posix_handle_relink(brick, r->obj.ia_gfid, args->loc2.pargfid, args->loc2.name);
    if (ret)
        gf_log(GF_LOG_WARNING, "renamed %s to %s but could not move its handle: %s", r->from.path,
               r->to.path, strerror(-ret));
    if (v->ia_mode && !uuid_is_null(v->ia_gfid) && uuid_compare(v->ia_gfid, r->obj.ia_gfid))
        posix_handle_remove(brick, v->ia_gfid, GF_IA_ISDIR(v));
}

/* args->loc: the old name; args->loc2: the new one. Replies the object's
 * attributes, the old parent's (preparent/postparent) and the new parent's
 * (preparent2/postparent2) before and after. Errors are rename(2)'s. */
int posix_rename(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    gf_reply_t rsp = {0};
    rename_t r;
    int ret;

    ret = rename_begin(this, args, &r, &rsp);
    if (ret)
        return posix_fail(frame, ret);
    if (rename(r.from.path, r.to.path) != 0)
        return gf_unwind_error(frame, errno);
    rename_handles(this, args, &r);
    ret = posix_iatt_path(r.to.path, r.obj.ia_gfid, &rsp.stat);
    if (!ret)
        ret = posix_iatt_path(r.from.ppath, args->loc.pargfid, &rsp.postparent);
    if (!ret)
        ret = posix_iatt_path(r.to.ppath, args->loc2.pargfid, &rsp.postparent2);
    if (ret)
        return posix_fail(frame, ret);
    return gf_unwind(frame, &rsp);
}

/* ---- unlink and rmdir --------------------------------------------------------------------- */

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
            gf_log(GF_LOG_WARNING, "removed %s but not its handle: %s", e.path, strerror(-ret));
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
