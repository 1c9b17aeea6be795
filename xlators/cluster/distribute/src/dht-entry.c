/*
 * Distribute's entry fops: lookup, mkdir, create (and mknod, symlink), unlink
 * and rmdir. The directory self-heal they share is in dht-heal.c.
 *
 * Lookup of a name goes to the subvolume the parent's layout hashes it to. A
 * file found there is answered at once. A directory, a miss, or a lookup by
 * gfid alone goes to every subvolume: a name found nowhere is ENOENT; a file
 * found elsewhere (placed under another layout) is answered from where it is;
 * a directory is healed (dht_dir_heal): made where it is missing, given a
 * complete layout where its layout has holes, overlaps or missing pieces.
 * Which subvolume holds a file, and a directory's layout, are kept in the
 * inode ctx for the fops that follow.
 *
 * A directory is made on its hashed subvolume first, then on all the others
 * with the same gfid, then given a fresh layout. A file is made on its hashed
 * subvolume. Removing a file goes to the subvolume holding it; removing a
 * directory goes to every subvolume, and when some refuse (ENOTEMPTY) the
 * copies already removed are made again, with their old layout ranges.
 *
 * Link files (trusted.glusterfs.dht.linkto, left on a name's hashed
 * subvolume by rename and link, ours in dht-rename.c or GlusterFS's, and by
 * its rebalance) are not followed by their xattr: a lookup that finds one on
 * the hashed subvolume looks on every subvolume and takes the real file.
 * unlink removes the link file of the name it removes.
 */
#include <errno.h>
#include <string.h>

#include "dht.h"
#include "glusterfs/dict.h"
#include "glusterfs/inode.h"
#include "glusterfs/log.h"

static const uuid_t root_gfid = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

/* Completes the gfids of loc from its inodes, so that every subvolume is
 * asked about the same object however the caller filled it. */
static void loc_fill(gf_loc_t *loc)
{
    if (uuid_is_null(loc->pargfid) && loc->parent)
        gf_inode_gfid(loc->parent, loc->pargfid);
    if (uuid_is_null(loc->gfid) && loc->inode)
        gf_inode_gfid(loc->inode, loc->gfid);
}

static bool loc_named(const gf_loc_t *loc)
{
    return loc->name && *loc->name && !uuid_is_null(loc->pargfid);
}

dht_local_t *dht_entry_local(gf_frame_t *frame, gf_xlator_t *this, const gf_args_t *args)
{
    dht_local_t *local = dht_local_new(frame, this, args);

    if (local) {
        loc_fill(&local->args->loc);
        local->named = loc_named(&local->args->loc);
    }
    return local;
}

static uint32_t name_hash(gf_xlator_t *this, const char *name)
{
    return dht_hash_name(&((dht_priv_t *)this->priv)->hasher, name);
}

int dht_hashed_subvol(gf_xlator_t *this, const dht_layout_t *l, const char *name)
{
    return l && name ? dht_layout_search(l, name_hash(this, name)) : -1;
}

/* Unwinds a successful entry reply naming args->loc.inode. */
static int reply_entry(gf_frame_t *frame, const gf_iatt_t *stat, const gf_iatt_t *preparent,
                       const gf_iatt_t *postparent)
{
    dht_local_t *local = frame->local;
    gf_reply_t rsp = {0};

    rsp.inode = local->args->loc.inode;
    rsp.stat = *stat;
    if (preparent)
        rsp.preparent = *preparent;
    if (postparent)
        rsp.postparent = *postparent;
    return dht_unwind(frame, &rsp);
}

/* ---- the parent's layout ---------------------------------------------------------------- */

static int parent_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;
    dht_step_t next = local->next;
    dht_info_t info;

    if (rsp->op_ret < 0)
        local->err = rsp->op_errno;
    else if (dht_ctx_get(this, local->ptmp, &info) == 0)
        local->playout = info.layout;
    return next(frame, this);
}

/* The parent inode of loc with a reference: loc->parent, the table's inode of
 * that gfid, or a fresh stand-in inode to hold the layout while this call runs. */
static gf_inode_t *parent_inode(const gf_loc_t *loc)
{
    gf_inode_table_t *table = loc->inode ? loc->inode->table : NULL;
    gf_inode_t *parent;

    if (loc->parent)
        return gf_inode_ref(loc->parent);
    if (!table)
        return NULL;
    parent = gf_inode_find(table, loc->pargfid);
    return parent ? parent : gf_inode_new(table);
}

int dht_need_parent_layout(gf_frame_t *frame, gf_xlator_t *this, const gf_loc_t *loc,
                           dht_step_t next)
{
    dht_local_t *local = frame->local;
    gf_args_t pargs = {0};
    char path[4096];
    const char *slash;
    dht_info_t info;

    local->ptmp = parent_inode(loc);
    if (dht_ctx_get(this, local->ptmp, &info) == 0 && info.layout) {
        local->playout = info.layout;
        return next(frame, this);
    }
    if (!local->ptmp)
        return next(frame, this);
    uuid_copy(pargs.loc.gfid, loc->pargfid);
    pargs.loc.inode = local->ptmp;
    slash = loc->path ? strrchr(loc->path, '/') : NULL;
    if (slash && (size_t)(slash - loc->path) < sizeof(path)) {
        size_t len = slash == loc->path ? 1 : (size_t)(slash - loc->path);
        memcpy(path, loc->path, len);
        path[len] = '\0';
        pargs.loc.path = path;
    }
    local->next = next;
    return gf_wind(frame, this, GF_FOP_LOOKUP, &pargs, parent_cbk, NULL);
}

/* ---- lookup ---------------------------------------------------------------------------- */

static int everywhere_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;

    dht_sub_store(&local->sub[dht_idx(cookie)], rsp);
    return dht_fan_arrive(frame, this);
}

/* The errno of a lookup that found nothing: ENOENT when every subvolume said
 * so, else the first other failure (a subvolume down, say). */
static int lookup_errno(const dht_local_t *local)
{
    int i;

    for (i = 0; i < local->n; i++)
        if (local->sub[i].op_errno != ENOENT && local->sub[i].op_errno != ESTALE)
            return local->sub[i].op_errno;
    return local->sub[0].op_errno;
}

/* Of the subvolumes where the file was found, the one to use: the hashed one,
 * else the first that does not hold a mere link file. */
static int pick_file(const dht_local_t *local)
{
    int i, pick = -1;

    for (i = 0; i < local->n; i++) {
        const dht_sub_t *s = &local->sub[i];

        if (s->op_ret < 0 || GF_IA_ISDIR(&s->stat))
            continue;
        if (i == local->hashed && !dht_linkfile_mode(&s->stat))
            return i;
        if (pick < 0 || (dht_linkfile_mode(&local->sub[pick].stat) && !dht_linkfile_mode(&s->stat)))
            pick = i;
    }
    return pick;
}

static int lookup_dir_done(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;

    return reply_entry(frame, &local->stat, NULL, &local->postparent);
}

static int everywhere_done(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;
    int i, dir = -1, file = pick_file(local);

    for (i = 0; i < local->n && dir < 0; i++)
        if (local->sub[i].op_ret == 0 && GF_IA_ISDIR(&local->sub[i].stat))
            dir = i;
    if (dir >= 0 && file >= 0) {
        gf_log(GF_LOG_ERROR,
               "%s is a directory on %s and a file on %s: remove one of them on "
               "its brick",
               local->args->loc.path ? local->args->loc.path : local->args->loc.name,
               this->children[dir]->name, this->children[file]->name);
        return dht_fail(frame, EIO);
    }
    if (file >= 0) {
        dht_ctx_set_file(this, local->args->loc.inode, file);
        return reply_entry(frame, &local->sub[file].stat, NULL, &local->sub[file].postparent);
    }
    if (dir < 0)
        return dht_fail(frame, lookup_errno(local));
    local->stat = local->sub[dir].stat;
    local->postparent = local->sub[dir].postparent;
    uuid_copy(local->gfid, local->stat.ia_gfid);
    return dht_dir_heal(frame, this, lookup_dir_done);
}

/* Looks args->loc up on every subvolume. */
static int lookup_everywhere(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;
    int i, n = local->n;

    memset(local->sub, 0, (size_t)n * sizeof(local->sub[0]));
    if (!dht_fan_begin(frame, this, n, everywhere_done))
        return 0;
    for (i = 0; i < n; i++)
        gf_wind(frame, this->children[i], GF_FOP_LOOKUP, local->args, everywhere_cbk,
                dht_cookie(i));
    return 0;
}

/* A file found where the hashed (or remembered) subvolume is answers at once;
 * anything else is looked for everywhere. */
static int single_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;

    if (rsp->op_ret == 0 && !GF_IA_ISDIR(&rsp->stat) && !dht_linkfile_mode(&rsp->stat)) {
        dht_ctx_set_file(this, local->args->loc.inode, dht_idx(cookie));
        return dht_unwind(frame, rsp);
    }
    return lookup_everywhere(frame, this);
}

static int lookup_hashed(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;
    int h;

    if (!local->playout)
        return lookup_everywhere(frame, this);
    h = dht_hashed_subvol(this, local->playout, local->args->loc.name);
    if (h < 0)
        return lookup_everywhere(frame, this);
    local->hashed = h;
    return gf_wind(frame, this->children[h], GF_FOP_LOOKUP, local->args, single_cbk, dht_cookie(h));
}

int dht_lookup(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    dht_local_t *local = dht_entry_local(frame, this, args);
    dht_info_t info;

    if (!local)
        return gf_unwind_error(frame, ENOMEM);
    if (!local->named || !uuid_compare(local->args->loc.gfid, root_gfid))
        return lookup_everywhere(frame, this);
    if (dht_ctx_get(this, local->args->loc.inode, &info) != 0)
        return dht_fail(frame, ENOMEM);
    gf_free(info.layout);
    if (info.known && info.is_dir) /* a directory is looked up (and healed) everywhere */
        return lookup_everywhere(frame, this);
    if (info.known)
        return gf_wind(frame, this->children[info.subvol], GF_FOP_LOOKUP, local->args, single_cbk,
                       dht_cookie(info.subvol));
    return dht_need_parent_layout(frame, this, &local->args->loc, lookup_hashed);
}

/* ---- mkdir ------------------------------------------------------------------------------ */

static int mkdir_done(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;

    return reply_entry(frame, &local->stat, &local->preparent, &local->postparent);
}

static int mkdir_layout(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;
    dht_priv_t *priv = this->priv;
    bool member[local->n];
    int i;

    local->layout = dht_layout_new(local->n);
    if (!local->layout)
        return dht_fail(frame, ENOMEM);
    for (i = 0; i < local->n; i++)
        local->sub[i].write = member[i] = local->sub[i].op_ret == 0;
    dht_layout_fresh(local->layout, priv->names, member, dht_layout_seed(this, local));
    return dht_layout_write(frame, this, mkdir_done);
}

static int mkdir_rest_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;
    dht_sub_t *s = &local->sub[dht_idx(cookie)];

    dht_sub_store(s, rsp);
    if (rsp->op_ret < 0 && rsp->op_errno == EEXIST)
        s->op_ret = 0; /* left by an earlier attempt: it gets its layout all the same */
    else if (rsp->op_ret < 0)
        gf_log(GF_LOG_WARNING, "mkdir %s on %s: %s; a later lookup makes it there",
               local->args->loc.name, this->children[dht_idx(cookie)]->name,
               strerror(rsp->op_errno));
    return dht_fan_arrive(frame, this);
}

static int mkdir_hashed_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;
    int i, n = local->n, h = dht_idx(cookie);

    if (rsp->op_ret < 0)
        return dht_unwind(frame, rsp);
    dht_sub_store(&local->sub[h], rsp);
    local->stat = rsp->stat;
    local->preparent = rsp->preparent;
    local->postparent = rsp->postparent;
    if (!dht_fan_begin(frame, this, n - 1, mkdir_layout))
        return 0;
    for (i = 0; i < n; i++)
        if (i != h)
            gf_wind(frame, this->children[i], GF_FOP_MKDIR, local->args, mkdir_rest_cbk,
                    dht_cookie(i));
    return 0;
}

static int mkdir_hashed(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;
    int h = dht_hashed_subvol(this, local->playout, local->args->loc.name);

    local->hashed = h < 0 ? 0 : h;
    return gf_wind(frame, this->children[local->hashed], GF_FOP_MKDIR, local->args,
                   mkdir_hashed_cbk, dht_cookie(local->hashed));
}

/* Makes sure every subvolume is asked for the same gfid: the caller's
 * gfid-req, or a new one put into a copy of its xdata. 0 or -ENOMEM. */
static int ensure_gfid_req(dht_local_t *local)
{
    gf_args_t *a = local->args;
    gf_dict_t *x = a->xdata ? gf_dict_copy(a->xdata) : gf_dict_new();

    if (!x)
        return -ENOMEM;
    if (gf_dict_get_gfuuid(x, "gfid-req", local->gfid) != 0 || uuid_is_null(local->gfid)) {
        uuid_generate(local->gfid);
        if (gf_dict_set_gfuuid(x, "gfid-req", local->gfid) != 0) {
            gf_dict_unref(x);
            return -ENOMEM;
        }
    }
    if (a->xdata)
        gf_dict_unref(a->xdata);
    a->xdata = x;
    return 0;
}

int dht_mkdir(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    dht_local_t *local = dht_entry_local(frame, this, args);

    if (!local)
        return gf_unwind_error(frame, ENOMEM);
    if (!local->named)
        return dht_fail(frame, EINVAL);
    if (ensure_gfid_req(local))
        return dht_fail(frame, ENOMEM);
    return dht_need_parent_layout(frame, this, &local->args->loc, mkdir_hashed);
}

/* ---- create, mknod, symlink ------------------------------------------------------------ */

static int create_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;

    if (rsp->op_ret >= 0)
        dht_ctx_set_file(this, local->args->loc.inode, dht_idx(cookie));
    return dht_unwind(frame, rsp);
}

static int create_hashed(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;
    int h;

    if (!local->playout)
        return dht_fail(frame, local->err ? local->err : EIO);
    h = dht_hashed_subvol(this, local->playout, local->args->loc.name);
    if (h < 0) {
        gf_log(GF_LOG_ERROR, "no subvolume holds the hash of %s in its parent's layout",
               local->args->loc.name);
        return dht_fail(frame, EIO);
    }
    local->hashed = h;
    return gf_wind(frame, this->children[h], frame->op, local->args, create_cbk, dht_cookie(h));
}

/* create, mknod and symlink: the new file goes to the subvolume its name hashes to. */
int dht_create(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    dht_local_t *local = dht_entry_local(frame, this, args);

    if (!local)
        return gf_unwind_error(frame, ENOMEM);
    if (!local->named)
        return dht_fail(frame, EINVAL);
    return dht_need_parent_layout(frame, this, &local->args->loc, create_hashed);
}

/* ---- unlink ------------------------------------------------------------------------------ */

/* The unlink of the file is done; its reply stands. */
static int unlink_done(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;
    const dht_sub_t *s = &local->sub[local->subvol];
    gf_reply_t rsp = {0};

    rsp.preparent = s->preparent;
    rsp.postparent = s->postparent;
    return dht_unwind(frame, &rsp);
}

static int unlink_link_file_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    if (rsp->op_ret < 0 && rsp->op_errno != ENOENT)
        gf_log(GF_LOG_WARNING, "cannot remove the link file of %s on %s: %s",
               ((dht_local_t *)frame->local)->args->loc.name, this->children[dht_idx(cookie)]->name,
               strerror(rsp->op_errno));
    return unlink_done(frame, this);
}

/* What the name's hashed subvolume holds: a link file to the file just
 * removed goes too (a lookup would find nothing else behind it). */
static int probe_link_file_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;

    if (rsp->op_ret < 0 || !dht_linkfile_mode(&rsp->stat) ||
        !gf_dict_has(rsp->xdata, DHT_LINKTO_XATTR))
        return unlink_done(frame, this);
    return gf_wind(frame, this->children[dht_idx(cookie)], GF_FOP_UNLINK, local->args,
                   unlink_link_file_cbk, cookie);
}

/* Looks the name up on its hashed subvolume h, asking for the link xattr. */
static int probe_link_file(gf_frame_t *frame, gf_xlator_t *this, int h)
{
    dht_local_t *local = frame->local;
    gf_args_t args = *local->args;
    gf_dict_t *xdata = gf_dict_new();
    int ret;

    if (!xdata || gf_dict_set_uint64(xdata, DHT_LINKTO_XATTR, 256) != 0) {
        gf_dict_unref(xdata);
        return unlink_done(frame, this);
    }
    args.xdata = xdata;
    ret =
        gf_wind(frame, this->children[h], GF_FOP_LOOKUP, &args, probe_link_file_cbk, dht_cookie(h));
    gf_dict_unref(xdata);
    return ret;
}

static int unlink_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;
    int h = dht_idx(cookie);

    if (rsp->op_ret < 0 || h < 0 || h == local->subvol)
        return dht_unwind(frame, rsp);
    dht_sub_store(&local->sub[local->subvol], rsp);
    return probe_link_file(frame, this, h);
}

/* Removes the file where it is (local->subvol); when its name hashes to
 * another subvolume, what is left there is looked at afterwards. */
static int unlink_file(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;
    int h = dht_hashed_subvol(this, local->playout, local->args->loc.name);

    return gf_wind(frame, this->children[local->subvol], GF_FOP_UNLINK, local->args, unlink_cbk,
                   dht_cookie(h));
}

static int unlink_resolved(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;

    if (local->is_dir)
        return dht_fail(frame, EISDIR);
    local->subvol = local->hashed; /* dht_resolve: where the file is */
    return dht_need_parent_layout(frame, this, &local->args->loc, unlink_file);
}

/* Removes the file from the subvolume holding it and, as GlusterFS does, the
 * link file its name may have on its hashed subvolume (left by a rename of
 * the stock client). */
int dht_unlink(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    return dht_resolve(frame, this, args, unlink_resolved);
}

/* ---- rmdir ------------------------------------------------------------------------------ */

static int rmdir_fail(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;

    return dht_fail(frame, local->err);
}

/* After a partial rmdir: the copies still there are present, the removed ones
 * missing; the heal makes those again (with their old ranges from the ctx). */
static int revert_stat_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;
    int i;

    if (rsp->op_ret < 0)
        return rmdir_fail(frame, this);
    local->stat = rsp->stat;
    uuid_copy(local->gfid, rsp->stat.ia_gfid);
    for (i = 0; i < local->n; i++) {
        dht_sub_t *s = &local->sub[i];
        bool removed = s->op_ret == 0;

        s->op_ret = removed ? -1 : 0;
        s->op_errno = removed ? ENOENT : 0;
    }
    gf_log(GF_LOG_INFO, "rmdir %s: %s on a subvolume; making it again where it was removed",
           local->args->loc.name, strerror(local->err));
    return dht_dir_heal(frame, this, rmdir_fail);
}

static int rmdir_done(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;
    int i, removed = -1, kept = -1;
    gf_args_t sargs = {0};

    for (i = 0; i < local->n; i++) {
        dht_sub_t *s = &local->sub[i];

        if (s->op_ret == 0 && removed < 0)
            removed = i;
        if (s->op_ret < 0 && s->op_errno != ENOENT && s->op_errno != ESTALE) {
            if (kept < 0 || s->op_errno == ENOTEMPTY)
                local->err = s->op_errno;
            if (kept < 0)
                kept = i;
        }
    }
    if (kept < 0 && removed < 0)
        return dht_fail(frame, local->sub[0].op_errno);
    if (kept < 0)
        return reply_entry(frame, &local->sub[removed].stat, &local->sub[removed].preparent,
                           &local->sub[removed].postparent);
    if (removed < 0 || !local->named)
        return rmdir_fail(frame, this);
    uuid_copy(sargs.loc.gfid, local->args->loc.gfid);
    sargs.loc.inode = local->args->loc.inode;
    return gf_wind(frame, this->children[kept], GF_FOP_STAT, &sargs, revert_stat_cbk, NULL);
}

/* Removes the directory from every subvolume (see the top of the file). */
int dht_rmdir(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    dht_local_t *local = dht_entry_local(frame, this, args);
    int i, n;

    if (!local)
        return gf_unwind_error(frame, ENOMEM);
    n = local->n;
    if (!dht_fan_begin(frame, this, n, rmdir_done))
        return 0;
    for (i = 0; i < n; i++)
        gf_wind(frame, this->children[i], GF_FOP_RMDIR, local->args, everywhere_cbk, dht_cookie(i));
    return 0;
}
