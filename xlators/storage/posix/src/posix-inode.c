/*
 * storage/posix fops that act on an object by location, without an open fd:
 * lookup (by gfid, or by name in a parent), stat, access, statfs, truncate and
 * setattr.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "glusterfs/log.h"
#include "posix-handle.h"
#include "posix.h"

/* Lookup of loc->name in loc->pargfid. A missing name still reports postparent. */
static int lookup_named(gf_xlator_t *this, const gf_args_t *args, gf_reply_t *rsp)
{
    char ppath[PATH_MAX], path[PATH_MAX];
    uuid_t gfid;
    int ret;

    ret = posix_entry_paths(this, &args->loc, ppath, path);
    if (ret)
        return ret;
    ret = posix_iatt_path(ppath, args->loc.pargfid, &rsp->postparent);
    if (ret)
        return ret;
    ret = posix_iatt_path(path, NULL, &rsp->stat);
    if (ret || !uuid_is_null(rsp->stat.ia_gfid))
        return ret;
    ret = posix_heal_gfid(this, args, path, gfid);
    if (!ret)
        posix_iatt_set_gfid(&rsp->stat, gfid);
    return ret;
}

/* Lookup by gfid alone ("nameless"): no parent to report. */
static int lookup_gfid(gf_xlator_t *this, const gf_args_t *args, gf_reply_t *rsp)
{
    char path[PATH_MAX];
    int ret;

    ret = posix_gfid_path(posix_brick(this), args->loc.gfid, path, sizeof(path));
    if (ret)
        return ret;
    return posix_iatt_path(path, args->loc.gfid, &rsp->stat);
}

int posix_lookup(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    gf_reply_t rsp = {0};
    bool named = args->loc.name && *args->loc.name && !uuid_is_null(args->loc.pargfid);
    int ret;

    ret = named ? lookup_named(this, args, &rsp) : lookup_gfid(this, args, &rsp);
    if (ret) {
        rsp.op_ret = -1;
        rsp.op_errno = -ret;
    } else {
        rsp.inode = args->loc.inode;
    }
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
        ret = posix_apply_attrs(-1, path, S_ISLNK(rsp.prestat.ia_mode), &args->stat,
                                args->valid);
    if (!ret)
        ret = posix_iatt_path(path, rsp.prestat.ia_gfid, &rsp.poststat);
    if (ret)
        return posix_fail(frame, ret);
    return gf_unwind(frame, &rsp);
}
