/*
 * Directory self-heal: what makes every directory exist on every subvolume
 * with one gfid and a complete layout, as GlusterFS clients expect to find it.
 *
 * It runs after a lookup found a directory (the root at the first lookup of a
 * volume, directories made while a subvolume was away or by an older set of
 * bricks), and after an rmdir that removed only some copies. Steps, each a
 * fan-out over the subvolumes concerned:
 *
 *   1. mkdir, by name and with the directory's gfid, where it is missing, then
 *      setattr to give the new copy the directory's owner;
 *   2. getxattr trusted.glusterfs.dht where it exists;
 *   3. settle the layout: when the ranges read (plus the ranges the inode ctx
 *      remembers for copies that have none) cover every hash exactly once, the
 *      copies without a range get an empty one (0-0), so no client sees a
 *      piece missing; otherwise a fresh layout over all the copies;
 *   4. setxattr the ranges that changed.
 *
 * Two clients healing the same directory at once write the same fresh layout,
 * since it depends only on the subvolume names and the directory's path.
 */
#include <errno.h>
#include <string.h>

#include "dht.h"
#include "glusterfs/dict.h"
#include "glusterfs/inode.h"
#include "glusterfs/log.h"

/* A loc naming the directory being healed by gfid. */
static gf_loc_t dir_loc(const dht_local_t *local)
{
    gf_loc_t loc = {0};

    uuid_copy(loc.gfid, local->gfid);
    loc.inode = local->args->loc.inode;
    loc.path = local->args->loc.path;
    return loc;
}

static const char *dir_name(const dht_local_t *local)
{
    const gf_loc_t *loc = &local->args->loc;

    return loc->path ? loc->path : loc->name ? loc->name : "(directory)";
}

/* ---- 4. writing ranges ------------------------------------------------------------------ */

static int write_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;

    if (rsp->op_ret < 0)
        gf_log(GF_LOG_WARNING, "cannot write the layout of %s on %s: %s", dir_name(local),
               this->children[dht_idx(cookie)]->name, strerror(rsp->op_errno));
    return dht_fan_arrive(frame, this);
}

static int write_done(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;

    dht_ctx_set_dir(this, local->args->loc.inode, local->layout);
    return local->done(frame, this);
}

int dht_layout_write(gf_frame_t *frame, gf_xlator_t *this, dht_step_t done)
{
    dht_local_t *local = frame->local;
    unsigned char value[local->n][DHT_LAYOUT_DISK_SIZE];
    int idx[local->n];
    gf_args_t args = {0};
    int i, count = 0;

    local->done = done;
    for (i = 0; i < local->n; i++) {
        if (!local->sub[i].write)
            continue;
        dht_layout_encode(&local->layout->r[i], local->layout->type, value[count]);
        idx[count++] = i;
    }
    args.loc = dir_loc(local);
    if (!dht_fan_begin(frame, this, count, write_done))
        return 0;
    for (i = 0; i < count; i++) {
        gf_dict_t *xattr = gf_dict_new();

        if (!xattr || gf_dict_set_bin(xattr, DHT_LAYOUT_XATTR, value[i], sizeof(value[i]))) {
            gf_reply_t fail = {.op_ret = -1, .op_errno = ENOMEM};

            if (xattr)
                gf_dict_unref(xattr);
            write_cbk(frame, dht_cookie(idx[i]), this, &fail);
            continue;
        }
        args.xattr = xattr;
        gf_wind(frame, this->children[idx[i]], GF_FOP_SETXATTR, &args, write_cbk,
                dht_cookie(idx[i]));
        gf_dict_unref(xattr);
    }
    return 0;
}

/* ---- 3. settling the layout ------------------------------------------------------------- */

/* Whether entry i of l gives a valid range. */
static bool has_range(const dht_layout_t *l, int i)
{
    return l && i < l->n && l->r[i].err == 0;
}

uint32_t dht_layout_seed(gf_xlator_t *this, const dht_local_t *local)
{
    const dht_hasher_t *h = &((dht_priv_t *)this->priv)->hasher;
    char text[37];

    if (local->args->loc.path)
        return dht_hash_name(h, local->args->loc.path);
    uuid_unparse_lower(local->gfid, text);
    return dht_hash_name(h, text);
}

/* The layout from what was read, with the ranges the ctx remembers for copies
 * that have none marked to be written. */
static void settle_merge(dht_local_t *local, dht_layout_t *l, const dht_layout_t *known)
{
    int i;

    for (i = 0; i < local->n; i++) {
        dht_sub_t *s = &local->sub[i];

        s->write = false;
        if (s->op_ret < 0) {
            l->r[i].err = s->op_errno ? s->op_errno : EIO;
        } else if (s->has_range) {
            l->r[i] = s->range;
            if (s->type == DHT_HASH_TYPE_DM_USER)
                l->type = s->type;
        } else if (has_range(known, i)) {
            l->r[i] = known->r[i];
            s->write = true;
        }
    }
}

static int members(const bool *member, int n)
{
    int i, count = 0;

    for (i = 0; i < n; i++)
        count += member[i];
    return count;
}

static int heal_settle(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;
    dht_priv_t *priv = this->priv;
    bool member[local->n];
    dht_info_t known;
    dht_layout_t *l;
    int i;

    l = dht_layout_new(local->n);
    if (!l || dht_ctx_get(this, local->args->loc.inode, &known)) {
        gf_free(l);
        return local->done(frame, this);
    }
    settle_merge(local, l, known.layout);
    gf_free(known.layout);
    if (dht_layout_complete(l)) {
        for (i = 0; i < local->n; i++) {
            if (local->sub[i].op_ret < 0 || l->r[i].err == 0)
                continue;
            l->r[i] = (dht_range_t){.commit = DHT_COMMIT_HASH_INVALID};
            local->sub[i].write = true;
        }
    } else {
        for (i = 0; i < local->n; i++)
            local->sub[i].write = member[i] = local->sub[i].op_ret == 0;
        gf_log(GF_LOG_INFO, "giving %s a fresh layout over %d of %d subvolumes", dir_name(local),
               members(member, local->n), priv->n);
        dht_layout_fresh(l, priv->names, member, dht_layout_seed(this, local));
    }
    gf_free(local->layout);
    local->layout = l;
    return dht_layout_write(frame, this, local->done);
}

/* ---- 2. reading ranges ------------------------------------------------------------------ */

static int read_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;
    dht_sub_t *s = &local->sub[dht_idx(cookie)];
    const void *value;
    size_t len;

    s->has_range = false;
    if (rsp->op_ret >= 0 && rsp->xattr &&
        gf_dict_get_bin(rsp->xattr, DHT_LAYOUT_XATTR, &value, &len) == 0) {
        s->has_range = dht_layout_decode(value, len, &s->range, &s->type) == 0;
        if (!s->has_range)
            gf_log(GF_LOG_WARNING, "%s on %s: malformed %s (%zu bytes); it will be rewritten",
                   dir_name(local), this->children[dht_idx(cookie)]->name, DHT_LAYOUT_XATTR, len);
    }
    return dht_fan_arrive(frame, this);
}

static int heal_read(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;
    int i, n = local->n, count = 0, last = -1;
    gf_args_t args = {0};

    for (i = 0; i < n; i++) {
        if (local->sub[i].op_ret == 0) {
            count++;
            last = i;
        }
    }
    args.loc = dir_loc(local);
    args.name = DHT_LAYOUT_XATTR;
    if (!dht_fan_begin(frame, this, count, heal_settle))
        return 0;
    for (i = 0; i <= last; i++)
        if (local->sub[i].op_ret == 0)
            gf_wind(frame, this->children[i], GF_FOP_GETXATTR, &args, read_cbk, dht_cookie(i));
    return 0;
}

/* ---- 1. making missing copies ----------------------------------------------------------- */

static int owner_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;

    if (rsp->op_ret < 0)
        gf_log(GF_LOG_WARNING, "cannot give the copy of %s made on %s its owner: %s",
               dir_name(local), this->children[dht_idx(cookie)]->name, strerror(rsp->op_errno));
    return dht_fan_arrive(frame, this);
}

static int make_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;
    dht_sub_t *s = &local->sub[dht_idx(cookie)];
    gf_args_t args = {0};

    if (rsp->op_ret < 0 && rsp->op_errno != EEXIST) {
        gf_log(GF_LOG_WARNING, "cannot make %s on %s: %s", dir_name(local),
               this->children[dht_idx(cookie)]->name, strerror(rsp->op_errno));
        return dht_fan_arrive(frame, this);
    }
    s->op_ret = 0;
    s->op_errno = 0;
    if (rsp->op_ret < 0)
        return dht_fan_arrive(frame, this);
    gf_log(GF_LOG_INFO, "made missing directory %s on %s", dir_name(local),
           this->children[dht_idx(cookie)]->name);
    args.loc = dir_loc(local);
    args.stat.ia_uid = local->stat.ia_uid;
    args.stat.ia_gid = local->stat.ia_gid;
    args.valid = GF_SET_ATTR_UID | GF_SET_ATTR_GID;
    return gf_wind(frame, this->children[dht_idx(cookie)], GF_FOP_SETATTR, &args, owner_cbk,
                   cookie);
}

/* Whether the copy on subvolume i is missing and can be made by name. */
static bool makeable(const dht_local_t *local, int i)
{
    const dht_sub_t *s = &local->sub[i];

    return local->named && s->op_ret < 0 && s->op_errno == ENOENT;
}

int dht_dir_heal(gf_frame_t *frame, gf_xlator_t *this, dht_step_t done)
{
    dht_local_t *local = frame->local;
    int i, n = local->n, count = 0, last = -1;
    gf_args_t args = {0};
    gf_dict_t *xdata;

    local->done = done;
    for (i = 0; i < n; i++) {
        if (makeable(local, i)) {
            count++;
            last = i;
        }
    }
    if (!count)
        return heal_read(frame, this);
    xdata = gf_dict_new();
    if (!xdata || gf_dict_set_gfuuid(xdata, "gfid-req", local->gfid)) {
        if (xdata)
            gf_dict_unref(xdata);
        return heal_read(frame, this);
    }
    args.loc = local->args->loc;
    uuid_clear(args.loc.gfid);
    args.mode = local->stat.ia_mode & 07777;
    args.xdata = xdata;
    if (dht_fan_begin(frame, this, count, heal_read))
        for (i = 0; i <= last; i++)
            if (makeable(local, i))
                gf_wind(frame, this->children[i], GF_FOP_MKDIR, &args, make_cbk, dht_cookie(i));
    gf_dict_unref(xdata);
    return 0;
}
