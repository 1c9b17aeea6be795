/*
 * Distribute's fops on existing objects: each goes to the one subvolume that
 * holds the object, found in the inode ctx (set by lookup, create, mkdir) or,
 * when the ctx does not know it, by a lookup first. Directories exist
 * everywhere: reads of them (stat, getxattr, access...) go to the first
 * subvolume, changes of their attributes and xattrs to every subvolume.
 * statfs adds up every subvolume.
 */
#include <errno.h>
#include <string.h>

#include "dht.h"
#include "glusterfs/fd.h"
#include "glusterfs/inode.h"
#include "glusterfs/log.h"

/* ---- finding the subvolume ---------------------------------------------------------------- */

static int resolve_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;
    dht_info_t info;

    if (rsp->op_ret < 0)
        return dht_unwind(frame, rsp);
    if (dht_ctx_get(this, local->args->loc.inode, &info) == 0 && info.known) {
        local->hashed = info.subvol;
        local->is_dir = info.is_dir;
    } else if (GF_IA_ISDIR(&rsp->stat)) {
        local->hashed = 0;
        local->is_dir = true;
    }
    gf_free(info.layout);
    if (local->hashed < 0)
        return dht_fail(frame, ESTALE);
    return local->next(frame, this);
}

int dht_resolve(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args, dht_step_t next)
{
    dht_local_t *local = dht_entry_local(frame, this, args);
    dht_info_t info;

    if (!local)
        return gf_unwind_error(frame, ENOMEM);
    if (dht_ctx_get(this, local->args->loc.inode, &info) == 0 && info.known) {
        gf_free(info.layout);
        local->hashed = info.subvol;
        local->is_dir = info.is_dir;
        return next(frame, this);
    }
    local->next = next;
    return gf_wind(frame, this, GF_FOP_LOOKUP, local->args, resolve_cbk, NULL);
}

/* ---- routing ------------------------------------------------------------------------------ */

/* Fops that name their object by fd rather than by loc. */
static bool by_fd(gf_fop_t op)
{
    switch (op) {
    case GF_FOP_READ:
    case GF_FOP_WRITE:
    case GF_FOP_FLUSH:
    case GF_FOP_FSYNC:
    case GF_FOP_FSYNCDIR:
    case GF_FOP_FTRUNCATE:
    case GF_FOP_FSTAT:
    case GF_FOP_LK:
    case GF_FOP_FINODELK:
    case GF_FOP_FENTRYLK:
    case GF_FOP_FXATTROP:
    case GF_FOP_FGETXATTR:
    case GF_FOP_FSETXATTR:
    case GF_FOP_FSETATTR:
    case GF_FOP_FREMOVEXATTR:
    case GF_FOP_FALLOCATE:
    case GF_FOP_DISCARD:
    case GF_FOP_ZEROFILL:
    case GF_FOP_SEEK:
    case GF_FOP_RCHECKSUM:
        return true;
    default:
        return false;
    }
}

/* Fops that change a directory's attributes: they go to every copy. */
static bool changes_dir(gf_fop_t op)
{
    switch (op) {
    case GF_FOP_SETATTR:
    case GF_FOP_FSETATTR:
    case GF_FOP_SETXATTR:
    case GF_FOP_FSETXATTR:
    case GF_FOP_REMOVEXATTR:
    case GF_FOP_FREMOVEXATTR:
        return true;
    default:
        return false;
    }
}

static int everywhere_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;

    dht_sub_store(&local->sub[dht_idx(cookie)], rsp);
    return dht_fan_arrive(frame, this);
}

/* A change to every copy of a directory succeeded when it did everywhere; the
 * first subvolume's reply stands for all. */
static int everywhere_done(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;
    const dht_sub_t *s = &local->sub[0];
    gf_reply_t rsp = {0};
    int i;

    for (i = 0; i < local->n; i++) {
        if (local->sub[i].op_ret < 0) {
            gf_log(GF_LOG_WARNING, "%s of a directory on %s: %s", gf_fop_name(frame->op),
                   this->children[i]->name, strerror(local->sub[i].op_errno));
            return dht_fail(frame, local->sub[i].op_errno);
        }
    }
    rsp.op_ret = s->op_ret;
    rsp.stat = s->stat;
    rsp.prestat = s->prestat;
    rsp.poststat = s->poststat;
    return dht_unwind(frame, &rsp);
}

/* Winds frame->op with local->args to every subvolume. */
static int to_every_subvol(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;
    int i, n = local->n;

    if (!dht_fan_begin(frame, this, n, everywhere_done))
        return 0;
    for (i = 0; i < n; i++)
        gf_wind(frame, this->children[i], frame->op, local->args, everywhere_cbk, dht_cookie(i));
    return 0;
}

static int route_resolved(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;

    if (local->is_dir && changes_dir(frame->op))
        return to_every_subvol(frame, this);
    return gf_wind(frame, this->children[local->hashed], frame->op, local->args, dht_pass_cbk,
                   NULL);
}

int dht_route(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    gf_inode_t *inode = by_fd(frame->op) ? (args->fd ? args->fd->inode : NULL) : args->loc.inode;
    dht_info_t info;

    if (dht_ctx_get(this, inode, &info) != 0)
        return gf_unwind_error(frame, ENOMEM);
    gf_free(info.layout);
    if (info.known && !(info.is_dir && changes_dir(frame->op)))
        return gf_wind(frame, this->children[info.subvol], frame->op, args, gf_default_cbk, NULL);
    if (by_fd(frame->op) && !info.known)
        return gf_unwind_error(frame, EBADFD);
    if (info.known) {
        if (!dht_local_new(frame, this, args))
            return gf_unwind_error(frame, ENOMEM);
        return to_every_subvol(frame, this);
    }
    return dht_resolve(frame, this, args, route_resolved);
}

/* ---- statfs ------------------------------------------------------------------------------- */

/* Adds s (in its own fragment size) into *sum (in sum's). */
static void statfs_add(struct statvfs *sum, const struct statvfs *s)
{
    unsigned long unit = sum->f_frsize ? sum->f_frsize : 1;
    unsigned long frsize = s->f_frsize ? s->f_frsize : unit;

    sum->f_blocks += (fsblkcnt_t)((unsigned __int128)s->f_blocks * frsize / unit);
    sum->f_bfree += (fsblkcnt_t)((unsigned __int128)s->f_bfree * frsize / unit);
    sum->f_bavail += (fsblkcnt_t)((unsigned __int128)s->f_bavail * frsize / unit);
    sum->f_files += s->f_files;
    sum->f_ffree += s->f_ffree;
    sum->f_favail += s->f_favail;
    if (s->f_namemax < sum->f_namemax)
        sum->f_namemax = s->f_namemax;
}

/* The volume's figures: the sum over the subvolumes that answered, in the
 * fragment size of the first of them; fails only when none answered. */
static int statfs_done(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;
    gf_reply_t rsp = {0};
    int i, first = -1;

    for (i = 0; i < local->n; i++) {
        const struct statvfs *s = &local->sub[i].statfs;

        if (local->sub[i].op_ret < 0)
            continue;
        if (first < 0) {
            first = i;
            rsp.statfs = *s;
            continue;
        }
        statfs_add(&rsp.statfs, s);
    }
    if (first < 0)
        return dht_fail(frame, local->sub[0].op_errno);
    return dht_unwind(frame, &rsp);
}

int dht_statfs(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    dht_local_t *local = dht_local_new(frame, this, args);
    int i, n;

    if (!local)
        return gf_unwind_error(frame, ENOMEM);
    n = local->n;
    if (!dht_fan_begin(frame, this, n, statfs_done))
        return 0;
    for (i = 0; i < n; i++)
        gf_wind(frame, this->children[i], GF_FOP_STATFS, local->args, everywhere_cbk,
                dht_cookie(i));
    return 0;
}

/* ---- what distribute does not serve --------------------------------------------------- */

int dht_unsupported(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    return gf_unwind_error(frame, ENOTSUP);
}
