/*
 * storage/posix fops that act on an object by location, without an open fd:
 * lookup (by gfid, or by name in a parent), readlink, stat, access, statfs,
 * truncate and setattr.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "glusterfs/log.h"
#include "posix-handle.h"
#include "posix.h"

/* Lookup of loc->name in loc->pargfid into path[PATH_MAX]. A missing name
 * still reports postparent. */
static int lookup_named(gf_xlator_t *this, const gf_args_t *args, char *path, gf_reply_t *rsp)
{
    char ppath[PATH_MAX];
    uuid_t gfid;
    int ret;

    ret = posix_entry_paths(this, &args->loc, ppath, path);
    if (ret)
        return ret;
    ret = posix_iatt_path(ppath, args->loc.pargfid, &rsp->postparent);
    if (ret)
        return ret == -ENOENT ? -ESTALE : ret;
    ret = posix_iatt_path(path, NULL, &rsp->stat);
    if (ret || !uuid_is_null(rsp->stat.ia_gfid))
        return ret;
    ret = posix_heal_gfid(this, args, path, gfid);
    if (!ret)
        posix_iatt_set_gfid(&rsp->stat, gfid);
    return ret;
}

/* Lookup by gfid alone ("nameless") into path[PATH_MAX]: no parent to report. */
static int lookup_gfid(gf_xlator_t *this, const gf_args_t *args, char *path, gf_reply_t *rsp)
{
    int ret;

    ret = posix_gfid_path(posix_brick(this), args->loc.gfid, path, PATH_MAX);
    if (ret)
        return ret;
    return posix_iatt_path(path, args->loc.gfid, &rsp->stat);
}

/* Also answers, in the reply's xdata, the xattrs the request's xdata asks for
 * (posix_xattr_fill): GlusterFS's distribute reads directory layouts so. */
int posix_lookup(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    gf_reply_t rsp = {0};
    bool named = args->loc.name && *args->loc.name && !uuid_is_null(args->loc.pargfid);
    char path[PATH_MAX];
    posix_xtarget_t t = {.path = path};
    int ret;

    ret = named ? lookup_named(this, args, path, &rsp) : lookup_gfid(this, args, path, &rsp);
    if (ret) {
        rsp.op_ret = -1;
        rsp.op_errno = -ret;
    } else {
        rsp.inode = args->loc.inode;
        rsp.xdata = posix_xattr_fill(&t, &rsp.stat, args->xdata);
    }
    gf_unwind(frame, &rsp);
    gf_dict_unref(rsp.xdata);
    return 0;
}

/* args->size: the most bytes the caller takes (0: any); replies the target in
 * rsp.linkname, op_ret = its length, and the link's attributes. */
int posix_readlink(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    char path[PATH_MAX], target[PATH_MAX];
    gf_reply_t rsp = {0};
    ssize_t n;
    int ret;

    ret = posix_loc_path(this, &args->loc, path, sizeof(path));
    if (!ret)
        ret = posix_iatt_path(path, NULL, &rsp.stat);
    if (ret)
        return posix_fail(frame, ret);
    n = readlink(path, target, sizeof(target) - 1);
    if (n < 0)
        return gf_unwind_error(frame, errno);
    if (args->size && (uint64_t)n > args->size)
        n = (ssize_t)args->size;
    target[n] = '\0';
    rsp.op_ret = (int32_t)n;
    rsp.linkname = target;
    return gf_unwind(frame, &rsp);
}

int posix_stat(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    gf_reply_t rsp = {0};
    char path[PATH_MAX];
    int ret;

    ret = posix_loc_path(this, &args->loc, path, sizeof(path));
    if (!ret)
        ret = posix_iatt_path(path, NULL, &rsp.stat);
    if (ret)
        return posix_fail(frame, ret);
    return gf_unwind(frame, &rsp);
}

/* args->flags: the access(2) mask. */
int posix_access(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    gf_reply_t rsp = {0};
    char path[PATH_MAX];
    int ret;

    ret = posix_loc_path(this, &args->loc, path, sizeof(path));
    if (ret)
        return posix_fail(frame, ret);
    if (access(path, args->flags) != 0)
        return gf_unwind_error(frame, errno);
    return gf_unwind(frame, &rsp);
}

/* Reports the file system of the brick directory, whatever the loc. */
int posix_statfs(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    gf_reply_t rsp = {0};

    if (statvfs(posix_brick(this), &rsp.statfs) != 0)
        return gf_unwind_error(frame, errno);
    return gf_unwind(frame, &rsp);
}

/* args->offset: the new size. */
int posix_truncate(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    gf_reply_t rsp = {0};
    char path[PATH_MAX];
    int ret;

    ret = posix_loc_path(this, &args->loc, path, sizeof(path));
    if (!ret)
        ret = posix_iatt_path(path, NULL, &rsp.prestat);
    if (!ret && truncate(path, args->offset) != 0)
        ret = -errno;
    if (!ret)
        ret = posix_iatt_path(path, rsp.prestat.ia_gfid, &rsp.poststat);
    if (ret)
        return posix_fail(frame, ret);
    return gf_unwind(frame, &rsp);
}

/* args->stat and args->valid: which attributes to set, to what. */
int posix_setattr(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    gf_reply_t rsp = {0};
    char path[PATH_MAX];
    int ret;

    ret = posix_loc_path(this, &args->loc, path, sizeof(path));
    if (!ret)
        ret = posix_iatt_path(path, NULL, &rsp.prestat);
    if (!ret)
        ret = posix_apply_attrs(-1, path, S_ISLNK(rsp.prestat.ia_mode), &args->stat, args->valid);
    if (!ret)
        ret = posix_iatt_path(path, rsp.prestat.ia_gfid, &rsp.poststat);
    if (ret)
        return posix_fail(frame, ret);
    return gf_unwind(frame, &rsp);
}
