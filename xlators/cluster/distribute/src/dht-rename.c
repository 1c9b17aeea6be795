/*
 * Distribute's rename and link: a name may move to, or be added, anywhere in
 * the volume, and the bricks end up as GlusterFS's distribute leaves them, so
 * that either client finds the file afterwards.
 *
 * Words: a name's "hashed" subvolume is the one its hash falls to in its
 * parent's layout; a file's "cached" subvolume is the one holding its data. A
 * link file is what a name's hashed subvolume holds when the data is
 * elsewhere: an empty file of mode ---------T with the file's gfid and the
 * xattr trusted.glusterfs.dht.linkto naming (NUL-terminated) the subvolume
 * that holds the data.
 *
 * Every call first looks the names up on every subvolume (asking for the link
 * xattr), so that it knows where each name's data, link files and directory
 * copies are, and checks what POSIX asks: EISDIR for a file renamed over a
 * directory, ENOTDIR for a directory renamed over a file, ENOTEMPTY for a
 * directory renamed over a directory holding anything on any subvolume,
 * EEXIST for a link to a name that exists; a name that is another name of the
 * same file renames to nothing, as rename(2) does.
 *
 * Rename of a file (S its cached subvolume, Hd the new name's hashed one):
 *   1. when Hd is not S, a link file for the old name on Hd pointing at S
 *      (made now unless it is there already);
 *   2. rename on S: the data takes the new name, replacing in one step any
 *      file the new name had there. A failure here is the call's failure, and
 *      a link file made in step 1 is removed again: nothing changed;
 *   3. rename on Hd: the link file takes the new name, replacing in one step
 *      what the new name had there (its link file, or its data);
 *   4. what is left is removed: the old name's link file on its own hashed
 *      subvolume, the data the new name had on another subvolume, stray link
 *      files of the new name, and, when step 3 failed, what the new name and
 *      the old one still have on Hd (a lookup then finds the file by looking
 *      on every subvolume, as GlusterFS's does with lookup-optimize off).
 * Failures after step 2 are logged, never the call's: the file has its new
 * name and is never lost.
 *
 * Link of a file to a new name: when the new name hashes to S, a hard link
 * there; otherwise a link file for the new name on Hd first, then the hard
 * link on S (a failure removes that link file again).
 *
 * Rename of a directory goes to every subvolume holding a copy: the new name's
 * hashed subvolume first (its failure is the call's, with nothing changed),
 * then the others at once; when any of those fails, every copy already renamed
 * is renamed back and the call fails. A destination directory a rename
 * replaced on some copies is made again there by the next lookup of it (the
 * directory heal).
 *
 * Unlike GlusterFS no inode or entry lock is taken: two clients renaming the
 * same names at once may interleave their steps.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "dht.h"
#include "glusterfs/dict.h"
#include "glusterfs/fd.h"
#include "glusterfs/inode.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"

/* The two names of a call: the old one (loc) and the new one (loc2). */
enum { SRC = 0, DST = 1 };

/* What a lookup of one name found on one subvolume. */
typedef struct seen {
    int err; /* 0: something is there; else the lookup's errno */
    bool is_dir;
    bool is_link; /* a link file */
    int linkto;   /* a link file: the subvolume it names, -1 when none we know */
    gf_iatt_t stat;
} seen_t;

struct dht_rename {
    int src_hashed, dst_hashed; /* where the names hash; -1 unknown */
    int src_cached, dst_cached; /* where each name's file data is; -1 none */
    dht_step_t surveyed;        /* what runs once the names are looked up */
    bool made_link;             /* this call made a link file (to remove on failure) */
    int made_which;             /* ... under the old name (SRC) or the new one (DST) */
    bool link_moved;            /* rename: the link file on Hd has the new name */
    int err;                    /* the failure to report once an undo is done */
    uint32_t uid, gid;          /* the file's owner, which its link file gets */
    gf_iatt_t link_stat;        /* link: the link file made, as its mknod replied */
    gf_iatt_t stat, pre1, post1, pre2, post2; /* the reply to give */
    gf_fd_t *fd;                              /* directory rename: lists the destination's copies */
    int n;
    seen_t seen[]; /* [which * n + subvolume] */
};

void dht_rename_free(dht_rename_t *r)
{
    if (!r)
        return;
    gf_fd_unref(r->fd);
    gf_free(r);
}

static seen_t *seen_at(dht_rename_t *r, int which, int i)
{
    return &r->seen[which * r->n + i];
}

/* Whether name `which` is on subvolume i, as a file that is not a link file. */
static bool holds_data(dht_rename_t *r, int which, int i)
{
    const seen_t *s = seen_at(r, which, i);

    return !s->err && !s->is_dir && !s->is_link;
}

/* Whether name `which` is on subvolume i as a link file. */
static bool holds_link(dht_rename_t *r, int which, int i)
{
    const seen_t *s = seen_at(r, which, i);

    return !s->err && s->is_link;
}

static bool absent(int err)
{
    return err == ENOENT || err == ESTALE;
}

static const gf_loc_t *loc_of(const dht_local_t *local, int which)
{
    return which == SRC ? &local->args->loc : &local->args->loc2;
}

/* A name for logs: the path when known, else the base name. */
static const char *loc_text(const gf_loc_t *loc)
{
    return loc->path ? loc->path : loc->name ? loc->name : "(no name)";
}

/* A loc naming entry `which` by parent and name only, as the bricks look it
 * up: borrows from the call's args. */
static gf_loc_t entry_loc(const dht_local_t *local, int which)
{
    const gf_loc_t *from = loc_of(local, which);
    gf_loc_t loc = {0};

    loc.path = from->path;
    loc.name = from->name;
    loc.parent = from->parent;
    uuid_copy(loc.pargfid, from->pargfid);
    return loc;
}

/* Keeps what a successful rename or link replies, to reply it at the end. */
static void keep_reply(dht_rename_t *r, const gf_reply_t *rsp)
{
    r->stat = rsp->stat;
    r->pre1 = rsp->preparent;
    r->post1 = rsp->postparent;
    r->pre2 = rsp->preparent2;
    r->post2 = rsp->postparent2;
}

/* Unwinds the kept reply (the object, for a link, is args->loc.inode). */
static int reply_kept(gf_frame_t *frame)
{
    dht_local_t *local = frame->local;
    dht_rename_t *r = local->ren;
    gf_reply_t rsp = {0};

    if (frame->op == GF_FOP_LINK)
        rsp.inode = local->args->loc.inode;
    rsp.stat = r->stat;
    rsp.preparent = r->pre1;
    rsp.postparent = r->post1;
    rsp.preparent2 = r->pre2;
    rsp.postparent2 = r->post2;
    return dht_unwind(frame, &rsp);
}

/* ---- the parents' layouts ------------------------------------------------------------- */

static int survey(gf_frame_t *frame, gf_xlator_t *this, bool both);

/* Drops the parent layout loaded for one name, so that the other's can be loaded. */
static void parent_forget(dht_local_t *local)
{
    gf_free(local->playout);
    local->playout = NULL;
    gf_inode_unref(local->ptmp);
    local->ptmp = NULL;
    local->err = 0;
}

/* The new name's hashed subvolume, then what the call does next. */
static int new_name_hashed(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;
    const gf_loc_t *to = &local->args->loc2;
    int h = dht_hashed_subvol(this, local->playout, to->name);
    int err = local->err ? local->err : EIO;

    parent_forget(local);
    if (h < 0) {
        gf_log(GF_LOG_ERROR,
               "%s %s: no subvolume holds the hash of that name in its directory's layout (%s); "
               "a lookup of the directory heals its layout, then try again",
               gf_fop_name(frame->op), loc_text(to), strerror(err));
        return dht_fail(frame, err);
    }
    local->ren->dst_hashed = h;
    return survey(frame, this, frame->op == GF_FOP_RENAME);
}

static int old_name_hashed(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;

    local->ren->src_hashed = dht_hashed_subvol(this, local->playout, local->args->loc.name);
    parent_forget(local);
    return dht_need_parent_layout(frame, this, &local->args->loc2, new_name_hashed);
}

/* ---- looking the names up everywhere --------------------------------------------------- */

/* The subvolume a link xattr value names, or -1. */
static int linkto_subvol(gf_xlator_t *this, gf_dict_t *xdata)
{
    const void *value;
    size_t len;
    int i;

    if (gf_dict_get_bin(xdata, DHT_LINKTO_XATTR, &value, &len) != 0)
        return -1;
    if (len > 0 && ((const char *)value)[len - 1] == '\0')
        len--;
    for (i = 0; i < this->n_children; i++) {
        const char *name = this->children[i]->name;

        if (strlen(name) == len && memcmp(name, value, len) == 0)
            return i;
    }
    return -1;
}

static int survey_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;
    seen_t *s = &local->ren->seen[dht_idx(cookie)];

    s->err = rsp->op_ret < 0 ? rsp->op_errno : 0;
    if (!s->err) {
        s->stat = rsp->stat;
        s->is_dir = GF_IA_ISDIR(&rsp->stat);
        s->is_link = dht_linkfile_mode(&rsp->stat) && gf_dict_has(rsp->xdata, DHT_LINKTO_XATTR);
        s->linkto = s->is_link ? linkto_subvol(this, rsp->xdata) : -1;
    }
    return dht_fan_arrive(frame, this);
}

/* Looks the new name (and the old one too when both) up on every subvolume,
 * asking for the link xattr, into the seen table, then runs local->ren->surveyed. */
static int survey(gf_frame_t *frame, gf_xlator_t *this, bool both)
{
    dht_local_t *local = frame->local;
    int which, i, n = local->n, first = both ? SRC : DST;
    gf_dict_t *xdata = gf_dict_new();
    gf_loc_t locs[2];

    if (!xdata || gf_dict_set_uint64(xdata, DHT_LINKTO_XATTR, 256) != 0) {
        gf_dict_unref(xdata);
        return dht_fail(frame, ENOMEM);
    }
    locs[SRC] = entry_loc(local, SRC);
    locs[DST] = entry_loc(local, DST);
    if (dht_fan_begin(frame, this, (2 - first) * n, local->ren->surveyed)) {
        for (which = first; which <= DST; which++) {
            gf_args_t args = {.loc = locs[which], .xdata = xdata};

            for (i = 0; i < n; i++)
                gf_wind(frame, this->children[i], GF_FOP_LOOKUP, &args, survey_cbk,
                        dht_cookie(which * n + i));
        }
    }
    gf_dict_unref(xdata);
    return 0;
}

/* Of the subvolumes holding name `which` as a file, prefer when it is one,
 * else the first; -1 when none does. */
static int data_subvol(dht_rename_t *r, int which, int prefer)
{
    int i;

    if (prefer >= 0 && holds_data(r, which, prefer))
        return prefer;
    for (i = 0; i < r->n; i++)
        if (holds_data(r, which, i))
            return i;
    return -1;
}

/* The first subvolume where name `which` is a directory, or -1. */
static int dir_subvol(dht_rename_t *r, int which)
{
    int i;

    for (i = 0; i < r->n; i++)
        if (!seen_at(r, which, i)->err && seen_at(r, which, i)->is_dir)
            return i;
    return -1;
}

/* The first failure other than "not there" among name `which`'s lookups, or 0. */
static int survey_error(dht_rename_t *r, int which)
{
    int i;

    for (i = 0; i < r->n; i++)
        if (seen_at(r, which, i)->err && !absent(seen_at(r, which, i)->err))
            return seen_at(r, which, i)->err;
    return 0;
}

/* The per-call state of a rename or link: local (made by the caller) with the
 * new name's parent gfid completed and a dht_rename_t; -EINVAL when either
 * name is incomplete, -ENOMEM. */
static int rename_state(dht_local_t *local, bool need_old_name)
{
    gf_loc_t *to = &local->args->loc2;
    dht_rename_t *r;

    if (uuid_is_null(to->pargfid) && to->parent)
        gf_inode_gfid(to->parent, to->pargfid);
    if (!to->name || !*to->name || uuid_is_null(to->pargfid) || (need_old_name && !local->named))
        return -EINVAL;
    r = gf_calloc(1, sizeof(*r) + 2 * (size_t)local->n * sizeof(r->seen[0]));
    if (!r)
        return -ENOMEM;
    r->n = local->n;
    r->src_hashed = r->dst_hashed = r->src_cached = r->dst_cached = -1;
    local->ren = r;
    return 0;
}

/* ---- link files -------------------------------------------------------------------------- */

/*
 * Makes on subvolume at a link file for name `which` (the file of gfid, held
 * by subvolume target), as GlusterFS makes one: mknod of mode ---------T
 * asking for gfid and carrying the link xattr; cbk gets the reply with cookie
 * `at`. Fails the call on ENOMEM.
 */
static int make_link_file(gf_frame_t *frame, gf_xlator_t *this, int at, int which,
                          const uuid_t gfid, int target, gf_fop_cbk_t cbk)
{
    dht_local_t *local = frame->local;
    gf_args_t args = {0};
    gf_dict_t *xdata = gf_dict_new();

    if (!xdata || gf_dict_set_gfuuid(xdata, "gfid-req", gfid) != 0 ||
        gf_dict_set_str(xdata, DHT_LINKTO_XATTR, this->children[target]->name) != 0 ||
        gf_dict_set_str(xdata, "glusterfs-internal-fop", "yes") != 0) {
        gf_dict_unref(xdata);
        return dht_fail(frame, ENOMEM);
    }
    args.loc = entry_loc(local, which);
    args.mode = S_IFREG | S_ISVTX;
    args.xdata = xdata;
    gf_wind(frame, this->children[at], GF_FOP_MKNOD, &args, cbk, dht_cookie(at));
    gf_dict_unref(xdata);
    return 0;
}

static int owner_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;

    if (rsp->op_ret < 0)
        gf_log(GF_LOG_WARNING, "%s: cannot give the link file on %s the file's owner: %s",
               gf_fop_name(frame->op), this->children[dht_idx(cookie)]->name,
               strerror(rsp->op_errno));
    return local->next(frame, this);
}

/* Gives the link file of name `which` on subvolume at (whose attributes are
 * have) the owner of its file (local->ren->uid, gid), then runs next. */
static int link_file_owner(gf_frame_t *frame, gf_xlator_t *this, int at, int which,
                           const gf_iatt_t *have, dht_step_t next)
{
    dht_local_t *local = frame->local;
    dht_rename_t *r = local->ren;
    gf_args_t args = {0};

    if (have->ia_uid == r->uid && have->ia_gid == r->gid)
        return next(frame, this);
    args.loc = entry_loc(local, which);
    uuid_copy(args.loc.gfid, have->ia_gfid);
    args.stat.ia_uid = r->uid;
    args.stat.ia_gid = r->gid;
    args.valid = GF_SET_ATTR_UID | GF_SET_ATTR_GID;
    local->next = next;
    return gf_wind(frame, this->children[at], GF_FOP_SETATTR, &args, owner_cbk, dht_cookie(at));
}

static int undo_link_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;

    if (rsp->op_ret < 0 && !absent(rsp->op_errno))
        gf_log(GF_LOG_WARNING,
               "%s %s failed, and the link file it made on %s cannot be removed (%s): remove "
               "that empty ---------T file on the brick",
               gf_fop_name(frame->op), loc_text(loc_of(local, local->ren->made_which)),
               this->children[dht_idx(cookie)]->name, strerror(rsp->op_errno));
    return dht_fail(frame, local->ren->err);
}

/* Fails the call with ren->err, once the link file it made (on Hd) is removed. */
static int undo_link(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;
    dht_rename_t *r = local->ren;
    gf_args_t args = {0};

    if (!r->made_link)
        return dht_fail(frame, r->err);
    args.loc = entry_loc(local, r->made_which);
    return gf_wind(frame, this->children[r->dst_hashed], GF_FOP_UNLINK, &args, undo_link_cbk,
                   dht_cookie(r->dst_hashed));
}

/* ---- rename of a file: 4. removing what is left ------------------------------------------- */

static int cleanup_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;
    int k = dht_idx(cookie), n = local->n;

    if (rsp->op_ret < 0 && !absent(rsp->op_errno))
        gf_log(GF_LOG_WARNING,
               "rename %s -> %s: cannot remove the old %s on %s (%s); it is stale: remove "
               "it on the brick",
               loc_text(&local->args->loc), loc_text(&local->args->loc2),
               loc_text(loc_of(local, k / n)), this->children[k % n]->name,
               strerror(rsp->op_errno));
    return dht_fan_arrive(frame, this);
}

static int cleanup_done(gf_frame_t *frame, gf_xlator_t *this)
{
    return reply_kept(frame);
}

/* Whether step 4 removes name `which` from subvolume i (see the top of the file). */
static bool left_over(dht_rename_t *r, int which, int i)
{
    int s = r->src_cached, hd = r->dst_hashed, hs = r->src_hashed;

    if (i == s)
        return false;
    if (i == hd)
        return !r->link_moved && (which == SRC ? r->made_link || holds_link(r, SRC, i)
                                               : holds_data(r, DST, i) || holds_link(r, DST, i));
    if (which == SRC)
        return i == hs && holds_link(r, SRC, i);
    return holds_data(r, DST, i) || holds_link(r, DST, i);
}

/* Step 4, then the reply. */
static int cleanup(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;
    dht_rename_t *r = local->ren;
    int which, i, n = local->n, count = 0;
    bool drop[2 * n];
    gf_loc_t locs[2];

    for (which = SRC; which <= DST; which++)
        for (i = 0; i < n; i++)
            count += drop[which * n + i] = left_over(r, which, i);
    locs[SRC] = entry_loc(local, SRC);
    locs[DST] = entry_loc(local, DST);
    if (!dht_fan_begin(frame, this, count, cleanup_done))
        return 0;
    for (i = 0; i < 2 * n; i++) {
        gf_args_t args = {.loc = locs[i / n]};

        if (drop[i])
            gf_wind(frame, this->children[i % n], GF_FOP_UNLINK, &args, cleanup_cbk, dht_cookie(i));
    }
    return 0;
}

/* ---- rename of a file: 1. to 3. ------------------------------------------------------------ */

static int link_renamed_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;

    if (rsp->op_ret == 0)
        local->ren->link_moved = true;
    else
        gf_log(GF_LOG_WARNING,
               "rename %s -> %s: the link file on %s cannot take the new name (%s); removing "
               "it: lookups find the file by looking on every subvolume",
               loc_text(&local->args->loc), loc_text(&local->args->loc2),
               this->children[dht_idx(cookie)]->name, strerror(rsp->op_errno));
    return cleanup(frame, this);
}

static int data_renamed_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;
    dht_rename_t *r = local->ren;

    if (rsp->op_ret < 0) {
        r->err = rsp->op_errno;
        return undo_link(frame, this);
    }
    keep_reply(r, rsp);
    if (r->dst_hashed == r->src_cached)
        return cleanup(frame, this);
    return gf_wind(frame, this->children[r->dst_hashed], GF_FOP_RENAME, local->args,
                   link_renamed_cbk, dht_cookie(r->dst_hashed));
}

/* Step 2. */
static int data_rename(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;
    int s = local->ren->src_cached;

    return gf_wind(frame, this->children[s], GF_FOP_RENAME, local->args, data_renamed_cbk,
                   dht_cookie(s));
}

static int src_link_made_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;
    dht_rename_t *r = local->ren;

    if (rsp->op_ret < 0) {
        gf_log(GF_LOG_WARNING, "rename %s -> %s: cannot make a link file for it on %s (%s)%s",
               loc_text(&local->args->loc), loc_text(&local->args->loc2),
               this->children[dht_idx(cookie)]->name, strerror(rsp->op_errno),
               rsp->op_errno == EEXIST ? ": another file of that name is on that brick; remove "
                                         "the stale one"
                                       : "");
        return dht_fail(frame, rsp->op_errno);
    }
    r->made_link = true;
    r->made_which = SRC;
    return link_file_owner(frame, this, dht_idx(cookie), SRC, &rsp->stat, data_rename);
}

static int make_src_link(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;
    dht_rename_t *r = local->ren;
    const seen_t *data = seen_at(r, SRC, r->src_cached);

    return make_link_file(frame, this, r->dst_hashed, SRC, data->stat.ia_gfid, r->src_cached,
                          src_link_made_cbk);
}

static int stale_link_gone_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;

    if (rsp->op_ret < 0 && !absent(rsp->op_errno)) {
        gf_log(GF_LOG_WARNING,
               "rename %s: cannot remove the stale link file on %s (%s): remove it on the brick",
               loc_text(&local->args->loc), this->children[dht_idx(cookie)]->name,
               strerror(rsp->op_errno));
        return dht_fail(frame, rsp->op_errno);
    }
    return make_src_link(frame, this);
}

/* Step 1, then 2. */
static int file_rename(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;
    dht_rename_t *r = local->ren;
    int s = r->src_cached, hd = r->dst_hashed;
    const seen_t *there = seen_at(r, SRC, hd);
    gf_args_t args = {0};

    r->uid = seen_at(r, SRC, s)->stat.ia_uid;
    r->gid = seen_at(r, SRC, s)->stat.ia_gid;
    if (hd == s || (holds_link(r, SRC, hd) && there->linkto == s))
        return data_rename(frame, this);
    if (!holds_link(r, SRC, hd))
        return make_src_link(frame, this);
    args.loc = entry_loc(local, SRC); /* a link file pointing elsewhere: stale */
    return gf_wind(frame, this->children[hd], GF_FOP_UNLINK, &args, stale_link_gone_cbk,
                   dht_cookie(hd));
}

/* ---- rename of a directory ------------------------------------------------------------------ */

static int dir_undone_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;

    if (rsp->op_ret < 0)
        gf_log(GF_LOG_ERROR,
               "rename %s -> %s failed, and its copy on %s cannot be renamed back (%s): rename "
               "it back on the brick",
               loc_text(&local->args->loc), loc_text(&local->args->loc2),
               this->children[dht_idx(cookie)]->name, strerror(rsp->op_errno));
    return dht_fan_arrive(frame, this);
}

static int dir_fail(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;

    return dht_fail(frame, local->ren->err);
}

/* Renames back every copy renamed (sub[].op_ret 0), then fails with ren->err. */
static int dir_undo(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;
    int i, n = local->n, count = 0;
    bool back[n];
    gf_args_t args = *local->args;

    args.loc = local->args->loc2;
    args.loc2 = local->args->loc;
    for (i = 0; i < n; i++)
        count += back[i] = local->sub[i].op_ret == 0;
    if (!dht_fan_begin(frame, this, count, dir_fail))
        return 0;
    for (i = 0; i < n; i++)
        if (back[i])
            gf_wind(frame, this->children[i], GF_FOP_RENAME, &args, dir_undone_cbk, dht_cookie(i));
    return 0;
}

static int dir_rest_done(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;
    int i;

    for (i = 0; i < local->n; i++) {
        const dht_sub_t *s = &local->sub[i];

        if (s->op_ret < 0 && s->op_errno) {
            local->ren->err = s->op_errno;
            gf_log(GF_LOG_WARNING, "rename of directory %s -> %s on %s: %s; renaming it back",
                   loc_text(&local->args->loc), loc_text(&local->args->loc2),
                   this->children[i]->name, strerror(s->op_errno));
            return dir_undo(frame, this);
        }
    }
    return reply_kept(frame);
}

static int dir_rest_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;

    dht_sub_store(&local->sub[dht_idx(cookie)], rsp);
    return dht_fan_arrive(frame, this);
}

/* The first copy is renamed: the others follow at once. */
static int dir_first_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;
    dht_rename_t *r = local->ren;
    int i, n = local->n, first = dht_idx(cookie), count = 0;
    bool rest[n];

    if (rsp->op_ret < 0)
        return dht_unwind(frame, rsp);
    keep_reply(r, rsp);
    local->sub[first].op_ret = 0;
    for (i = 0; i < n; i++)
        count += rest[i] = i != first && !seen_at(r, SRC, i)->err;
    if (!dht_fan_begin(frame, this, count, dir_rest_done))
        return 0;
    for (i = 0; i < n; i++)
        if (rest[i])
            gf_wind(frame, this->children[i], GF_FOP_RENAME, local->args, dir_rest_cbk,
                    dht_cookie(i));
    return 0;
}

/* Renames the copy on the new name's hashed subvolume (or, when it has none,
 * on the first that has one) first. */
static int dir_rename(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;
    dht_rename_t *r = local->ren;
    int i, first = seen_at(r, SRC, r->dst_hashed)->err ? dir_subvol(r, SRC) : r->dst_hashed;

    for (i = 0; i < local->n; i++)
        local->sub[i] = (dht_sub_t){.op_ret = -1};
    return gf_wind(frame, this->children[first], GF_FOP_RENAME, local->args, dir_first_cbk,
                   dht_cookie(first));
}

/* Whether a listing of a directory's copy holds more than "." and "..". */
static bool lists_entries(const gf_reply_t *rsp)
{
    size_t i;

    for (i = 0; i < rsp->n_entries; i++)
        if (strcmp(rsp->entries[i].d_name, ".") && strcmp(rsp->entries[i].d_name, ".."))
            return true;
    return false;
}

static int empty_listed_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;
    dht_sub_t *s = &local->sub[dht_idx(cookie)];

    if (rsp->op_ret < 0)
        s->op_errno = rsp->op_errno;
    else if (lists_entries(rsp))
        s->op_errno = ENOTEMPTY;
    return dht_fan_arrive(frame, this);
}

static int empty_opened_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;
    gf_args_t args = {0};

    if (rsp->op_ret < 0) {
        local->sub[dht_idx(cookie)].op_errno = rsp->op_errno;
        return dht_fan_arrive(frame, this);
    }
    args.fd = local->ren->fd;
    args.size = 4096;
    return gf_wind(frame, this->children[dht_idx(cookie)], GF_FOP_READDIR, &args, empty_listed_cbk,
                   cookie);
}

/* Every copy of the destination directory is listed: any entry is ENOTEMPTY. */
static int empty_checked(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;
    int i;

    gf_fd_unref(local->ren->fd);
    local->ren->fd = NULL;
    for (i = 0; i < local->n; i++) {
        if (local->sub[i].op_errno == ENOTEMPTY)
            return dht_fail(frame, ENOTEMPTY);
        if (local->sub[i].op_errno) {
            gf_log(GF_LOG_WARNING, "rename %s -> %s: cannot list the destination on %s: %s",
                   loc_text(&local->args->loc), loc_text(&local->args->loc2),
                   this->children[i]->name, strerror(local->sub[i].op_errno));
            return dht_fail(frame, local->sub[i].op_errno);
        }
    }
    return dir_rename(frame, this);
}

/* Lists every copy of the destination directory (as GlusterFS does, which
 * renames over a directory only when all of its copies are empty). */
static int check_dst_empty(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;
    dht_rename_t *r = local->ren;
    const gf_loc_t *to = &local->args->loc2, *from = &local->args->loc;
    gf_inode_table_t *table = from->inode ? from->inode->table : NULL;
    gf_inode_t *inode = to->inode ? gf_inode_ref(to->inode) : table ? gf_inode_new(table) : NULL;
    int i, n = local->n, count = 0, err = inode ? ENOMEM : EINVAL;
    bool listed[n];
    gf_args_t args = {0};

    r->fd = inode ? gf_fd_create(inode, O_RDONLY, frame->root->pid) : NULL;
    gf_inode_unref(inode);
    if (!r->fd)
        return dht_fail(frame, err);
    args.loc.inode = r->fd->inode;
    uuid_copy(args.loc.gfid, seen_at(r, DST, dir_subvol(r, DST))->stat.ia_gfid);
    args.fd = r->fd;
    for (i = 0; i < n; i++) {
        local->sub[i] = (dht_sub_t){0};
        count += listed[i] = !seen_at(r, DST, i)->err;
    }
    if (!dht_fan_begin(frame, this, count, empty_checked))
        return 0;
    for (i = 0; i < n; i++)
        if (listed[i])
            gf_wind(frame, this->children[i], GF_FOP_OPENDIR, &args, empty_opened_cbk,
                    dht_cookie(i));
    return 0;
}

/* ---- rename: deciding -------------------------------------------------------------------------
 */

/* Both names are looked up: checks what POSIX asks and picks the way. */
static int rename_surveyed(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;
    dht_rename_t *r = local->ren;
    int src_dir = dir_subvol(r, SRC), dst_dir = dir_subvol(r, DST), obj, err;
    const uuid_t *gfid;

    r->src_cached = src_dir < 0 ? data_subvol(r, SRC, r->src_hashed) : -1;
    r->dst_cached = data_subvol(r, DST, r->dst_hashed);
    obj = src_dir >= 0 ? src_dir : r->src_cached;
    if (obj < 0)
        return dht_fail(frame, (err = survey_error(r, SRC)) ? err : ENOENT);
    gfid = &seen_at(r, SRC, obj)->stat.ia_gfid;
    if (!uuid_is_null(local->args->loc.gfid) && uuid_compare(*gfid, local->args->loc.gfid))
        return dht_fail(frame, ENOENT); /* the old name names another object now */
    if ((r->dst_cached >= 0 &&
         !uuid_compare(*gfid, seen_at(r, DST, r->dst_cached)->stat.ia_gfid)) ||
        (dst_dir >= 0 && !uuid_compare(*gfid, seen_at(r, DST, dst_dir)->stat.ia_gfid)))
        return gf_wind(frame, this->children[obj], GF_FOP_RENAME, local->args, dht_pass_cbk,
                       NULL); /* two names of one object: rename(2) does nothing */
    if (src_dir < 0)
        return dst_dir >= 0 ? dht_fail(frame, EISDIR) : file_rename(frame, this);
    if (r->dst_cached >= 0)
        return dht_fail(frame, ENOTDIR);
    if ((err = survey_error(r, SRC)) || (err = survey_error(r, DST))) {
        gf_log(GF_LOG_WARNING, "rename of directory %s: a subvolume could not be asked (%s)",
               loc_text(&local->args->loc), strerror(err));
        return dht_fail(frame, err);
    }
    return dst_dir >= 0 ? check_dst_empty(frame, this) : dir_rename(frame, this);
}

int dht_rename(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    dht_local_t *local = dht_entry_local(frame, this, args);
    int err;

    if (!local)
        return gf_unwind_error(frame, ENOMEM);
    if ((err = rename_state(local, true)))
        return dht_fail(frame, -err);
    local->ren->surveyed = rename_surveyed;
    return dht_need_parent_layout(frame, this, &local->args->loc, old_name_hashed);
}

/* ---- link -------------------------------------------------------------------------------------
 */

static int link_file_owned(gf_frame_t *frame, gf_xlator_t *this)
{
    return reply_kept(frame);
}

static int hard_linked_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;
    dht_rename_t *r = local->ren;

    if (rsp->op_ret < 0) {
        r->err = rsp->op_errno;
        return undo_link(frame, this);
    }
    keep_reply(r, rsp);
    if (!r->made_link)
        return reply_kept(frame);
    r->uid = rsp->stat.ia_uid;
    r->gid = rsp->stat.ia_gid;
    return link_file_owner(frame, this, r->dst_hashed, DST, &r->link_stat, link_file_owned);
}

static int hard_link(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;
    int s = local->ren->src_cached;

    return gf_wind(frame, this->children[s], GF_FOP_LINK, local->args, hard_linked_cbk,
                   dht_cookie(s));
}

static int dst_link_made_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;
    dht_rename_t *r = local->ren;

    if (rsp->op_ret < 0)
        return dht_unwind(frame, rsp);
    r->made_link = true;
    r->made_which = DST;
    r->link_stat = rsp->stat;
    return hard_link(frame, this);
}

/* The new name is looked up everywhere: it must not exist anywhere. */
static int link_surveyed(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;
    dht_rename_t *r = local->ren;
    int i, err;

    for (i = 0; i < local->n; i++)
        if (!seen_at(r, DST, i)->err)
            return dht_fail(frame, EEXIST);
    if ((err = survey_error(r, DST)))
        return dht_fail(frame, err);
    if (r->dst_hashed == r->src_cached)
        return hard_link(frame, this);
    return make_link_file(frame, this, r->dst_hashed, DST, local->args->loc.gfid, r->src_cached,
                          dst_link_made_cbk);
}

static int link_resolved(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;
    gf_loc_t *from = &local->args->loc;
    int err;

    if (local->is_dir)
        return dht_fail(frame, EPERM);
    if (uuid_is_null(from->gfid) && from->inode)
        gf_inode_gfid(from->inode, from->gfid);
    if (uuid_is_null(from->gfid))
        return dht_fail(frame, EINVAL);
    if ((err = rename_state(local, false)))
        return dht_fail(frame, -err);
    local->ren->src_cached = local->hashed; /* dht_resolve: where the file is */
    local->ren->surveyed = link_surveyed;
    return dht_need_parent_layout(frame, this, &local->args->loc2, new_name_hashed);
}

int dht_link(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    return dht_resolve(frame, this, args, link_resolved);
}
