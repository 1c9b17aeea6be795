/*
 * cluster/distribute: the descriptor, options, init/fini, the notify that tells
 * the parents when the subvolumes are up, the inode ctx, and the per-call state
 * with the fan-out counting every multi-subvolume step uses (see dht.h).
 *
 * Events: the translator reports CHILD_UP once every subvolume is up (a file
 * may be on any of them, so a volume with a subvolume missing is not usable
 * yet), and CHILD_DOWN once every subvolume has reported and none is up. A
 * subvolume lost after that changes nothing upward: calls to it fail with
 * ENOTCONN until it is back.
 *
 * The inode ctx value of an object is a pointer to a dht_ictx_t, made on first
 * use and freed by forget; the translator's mutex guards every ctx's fields.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>

#include "dht.h"
#include "glusterfs/inode.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"

typedef struct dht_ictx {
    bool is_dir;
    int subvol;
    dht_layout_t *layout; /* directories, once known */
} dht_ictx_t;

bool dht_linkfile_mode(const gf_iatt_t *ia)
{
    return S_ISREG(ia->ia_mode) && (ia->ia_mode & 07777) == S_ISVTX && ia->ia_size == 0;
}

/* ---- inode ctx ---------------------------------------------------------------------- */

/* The ctx of inode, made when absent. Called with priv->lock held. */
static dht_ictx_t *ictx_locked(gf_xlator_t *this, gf_inode_t *inode)
{
    dht_ictx_t *c;
    uint64_t v;

    if (gf_inode_ctx_get(inode, this, &v) == 0)
        return (dht_ictx_t *)(uintptr_t)v;
    c = gf_calloc(1, sizeof(*c));
    if (c && gf_inode_ctx_set(inode, this, (uint64_t)(uintptr_t)c) != 0) {
        gf_free(c);
        c = NULL;
    }
    return c;
}

int dht_ctx_set_file(gf_xlator_t *this, gf_inode_t *inode, int subvol)
{
    dht_priv_t *priv = this->priv;
    dht_ictx_t *c;

    if (!inode)
        return 0;
    pthread_mutex_lock(&priv->lock);
    c = ictx_locked(this, inode);
    if (c) {
        c->is_dir = false;
        c->subvol = subvol;
        gf_free(c->layout);
        c->layout = NULL;
    }
    pthread_mutex_unlock(&priv->lock);
    return c ? 0 : -ENOMEM;
}

int dht_ctx_set_dir(gf_xlator_t *this, gf_inode_t *inode, const dht_layout_t *l)
{
    dht_layout_t *copy = l ? dht_layout_dup(l) : NULL;
    dht_priv_t *priv = this->priv;
    dht_ictx_t *c;

    if (!inode || (l && !copy)) {
        gf_free(copy);
        return inode ? -ENOMEM : 0;
    }
    pthread_mutex_lock(&priv->lock);
    c = ictx_locked(this, inode);
    if (c) {
        c->is_dir = true;
        c->subvol = 0;
        if (copy) {
            gf_free(c->layout);
            c->layout = copy;
            copy = NULL;
        }
    }
    pthread_mutex_unlock(&priv->lock);
    gf_free(copy);
    return c ? 0 : -ENOMEM;
}

int dht_ctx_get(gf_xlator_t *this, gf_inode_t *inode, dht_info_t *info)
{
    dht_priv_t *priv = this->priv;
    dht_ictx_t *c = NULL;
    uint64_t v;
    int ret = 0;

    memset(info, 0, sizeof(*info));
    if (!inode)
        return 0;
    pthread_mutex_lock(&priv->lock);
    if (gf_inode_ctx_get(inode, this, &v) == 0)
        c = (dht_ictx_t *)(uintptr_t)v;
    if (c) {
        info->known = true;
        info->is_dir = c->is_dir;
        info->subvol = c->subvol;
        if (c->layout && !(info->layout = dht_layout_dup(c->layout)))
            ret = -ENOMEM;
    }
    pthread_mutex_unlock(&priv->lock);
    return ret;
}

static void dht_forget(gf_xlator_t *this, gf_inode_t *inode)
{
    uint64_t v;
    dht_ictx_t *c;

    if (gf_inode_ctx_del(inode, this, &v) != 0)
        return;
    c = (dht_ictx_t *)(uintptr_t)v;
    gf_free(c->layout);
    gf_free(c);
}

/* ---- per-call state ---------------------------------------------------------------- */

dht_local_t *dht_local_new(gf_frame_t *frame, gf_xlator_t *this, const gf_args_t *args)
{
    dht_priv_t *priv = this->priv;
    dht_local_t *local;

    local = gf_calloc(1, sizeof(*local) + (size_t)priv->n * sizeof(local->sub[0]));
    if (!local)
        return NULL;
    local->n = priv->n;
    local->hashed = -1;
    if (args && !(local->args = gf_args_dup(args))) {
        gf_free(local);
        return NULL;
    }
    frame->local = local;
    return local;
}

static void local_free(dht_local_t *local)
{
    if (!local)
        return;
    gf_args_free(local->args);
    gf_free(local->playout);
    gf_free(local->layout);
    gf_inode_unref(local->ptmp);
    dht_rename_free(local->ren);
    gf_free(local);
}

int dht_unwind(gf_frame_t *frame, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;

    frame->local = NULL;
    gf_unwind(frame, rsp);
    local_free(local);
    return 0;
}

int dht_fail(gf_frame_t *frame, int err)
{
    gf_reply_t rsp = {.op_ret = -1, .op_errno = err};

    return dht_unwind(frame, &rsp);
}

bool dht_fan_begin(gf_frame_t *frame, gf_xlator_t *this, int count, dht_step_t next)
{
    dht_local_t *local = frame->local;

    local->next = next;
    atomic_store(&local->pending, count);
    if (count > 0)
        return true;
    next(frame, this);
    return false;
}

int dht_fan_arrive(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;

    if (atomic_fetch_sub_explicit(&local->pending, 1, memory_order_acq_rel) != 1)
        return 0;
    return local->next(frame, this);
}

void dht_sub_store(dht_sub_t *sub, const gf_reply_t *rsp)
{
    sub->op_ret = rsp->op_ret;
    sub->op_errno = rsp->op_ret < 0 ? rsp->op_errno : 0;
    if (rsp->op_ret < 0)
        return;
    sub->stat = rsp->stat;
    sub->prestat = rsp->prestat;
    sub->poststat = rsp->poststat;
    sub->preparent = rsp->preparent;
    sub->postparent = rsp->postparent;
    sub->statfs = rsp->statfs;
}

int dht_pass_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    return dht_unwind(frame, rsp);
}

/* ---- events --------------------------------------------------------------------------- */

/* Which event the parents must hear now, if any. Called with priv->lock held. */
static gf_event_t event_due_locked(dht_priv_t *priv)
{
    int i, up = 0, reported = 0;

    for (i = 0; i < priv->n; i++) {
        up += priv->child_ev[i] == GF_EVENT_CHILD_UP;
        reported += priv->child_ev[i] != 0;
    }
    if (up == priv->n && priv->told != GF_EVENT_CHILD_UP)
        return priv->told = GF_EVENT_CHILD_UP;
    if (up == 0 && reported == priv->n && priv->told != GF_EVENT_CHILD_DOWN)
        return priv->told = GF_EVENT_CHILD_DOWN;
    return 0;
}

static int dht_notify(gf_xlator_t *this, gf_event_t event, void *data)
{
    dht_priv_t *priv = this->priv;
    gf_event_t tell = 0;
    int i;

    if (event != GF_EVENT_CHILD_UP && event != GF_EVENT_CHILD_DOWN) {
        if (event == GF_EVENT_CHILD_CONNECTING)
            return 0;
        return gf_default_notify(this, event, data);
    }
    pthread_mutex_lock(&priv->lock);
    for (i = 0; i < priv->n; i++)
        if (this->children[i] == data)
            priv->child_ev[i] = event;
    tell = event_due_locked(priv);
    pthread_mutex_unlock(&priv->lock);
    if (tell == GF_EVENT_CHILD_UP)
        gf_log(GF_LOG_INFO, "all %d subvolumes are up", priv->n);
    for (i = 0; tell && i < this->n_parents; i++)
        gf_xlator_notify(this->parents[i], tell, this);
    return 0;
}

/* ---- init and fini ------------------------------------------------------------------- */

static int dht_init(gf_xlator_t *this)
{
    dht_priv_t *priv = this->priv;
    int i;

    if (this->n_children < 1) {
        gf_log(GF_LOG_ERROR, "cluster/distribute needs at least one subvolume: add "
                             "'subvolumes' to its volume in the volfile");
        return -EINVAL;
    }
    if (dht_hasher_init(&priv->hasher, priv->rsync_regex, priv->extra_regex)) {
        dht_hasher_fini(&priv->hasher);
        return -EINVAL;
    }
    priv->n = this->n_children;
    priv->names = gf_calloc((size_t)priv->n, sizeof(*priv->names));
    priv->child_ev = gf_calloc((size_t)priv->n, sizeof(*priv->child_ev));
    if (!priv->names || !priv->child_ev) {
        gf_free(priv->names);
        gf_free(priv->child_ev);
        dht_hasher_fini(&priv->hasher);
        return -ENOMEM;
    }
    for (i = 0; i < priv->n; i++)
        priv->names[i] = this->children[i]->name;
    pthread_mutex_init(&priv->lock, NULL);
    gf_log(GF_LOG_INFO, "distributing over %d subvolumes", priv->n);
    return 0;
}

static void dht_fini(gf_xlator_t *this)
{
    dht_priv_t *priv = this->priv;

    dht_hasher_fini(&priv->hasher);
    gf_free(priv->names);
    gf_free(priv->child_ev);
    priv->names = NULL;
    priv->child_ev = NULL;
    pthread_mutex_destroy(&priv->lock);
}

static const gf_option_t dht_options[] = {
    {.key = "rsync-hash-regex",
     .type = GF_OPT_STR,
     .scope = GF_SCOPE_BRICK,
     .offset = offsetof(dht_priv_t, rsync_regex),
     .desc = "regex whose first group is the part of a temporary file name that is hashed "
             "(default: rsync's ^\\.(.+)\\.[^.]+$)"},
    {.key = "extra-hash-regex",
     .type = GF_OPT_STR,
     .scope = GF_SCOPE_BRICK,
     .offset = offsetof(dht_priv_t, extra_regex),
     .desc = "another such regex, tried before the rsync one"},
    {.key = NULL},
};

const gf_xlator_desc_t gf_xlator_desc = {
    .abi_version = GF_XLATOR_ABI_VERSION,
    .type = "cluster/distribute",
    .priv_size = sizeof(dht_priv_t),
    .init = dht_init,
    .fini = dht_fini,
    .notify = dht_notify,
    .forget = dht_forget,
    .options = dht_options,
    .fops =
        {
            [GF_FOP_LOOKUP] = dht_lookup,
            [GF_FOP_MKDIR] = dht_mkdir,
            [GF_FOP_CREATE] = dht_create,
            [GF_FOP_MKNOD] = dht_create,
            [GF_FOP_SYMLINK] = dht_create,
            [GF_FOP_UNLINK] = dht_unlink,
            [GF_FOP_RMDIR] = dht_rmdir,
            [GF_FOP_RENAME] = dht_rename,
            [GF_FOP_LINK] = dht_link,
            [GF_FOP_OPENDIR] = dht_opendir,
            [GF_FOP_READDIR] = dht_readdir,
            [GF_FOP_READDIRP] = dht_readdir,
            [GF_FOP_STATFS] = dht_statfs,
            [GF_FOP_STAT] = dht_route,
            [GF_FOP_READLINK] = dht_route,
            [GF_FOP_TRUNCATE] = dht_route,
            [GF_FOP_OPEN] = dht_route,
            [GF_FOP_READ] = dht_route,
            [GF_FOP_WRITE] = dht_route,
            [GF_FOP_FLUSH] = dht_route,
            [GF_FOP_FSYNC] = dht_route,
            [GF_FOP_SETXATTR] = dht_route,
            [GF_FOP_GETXATTR] = dht_route,
            [GF_FOP_REMOVEXATTR] = dht_route,
            [GF_FOP_FSYNCDIR] = dht_route,
            [GF_FOP_ACCESS] = dht_route,
            [GF_FOP_FTRUNCATE] = dht_route,
            [GF_FOP_FSTAT] = dht_route,
            [GF_FOP_LK] = dht_route,
            [GF_FOP_INODELK] = dht_route,
            [GF_FOP_FINODELK] = dht_route,
            [GF_FOP_ENTRYLK] = dht_route,
            [GF_FOP_FENTRYLK] = dht_route,
            [GF_FOP_XATTROP] = dht_route,
            [GF_FOP_FXATTROP] = dht_route,
            [GF_FOP_FGETXATTR] = dht_route,
            [GF_FOP_FSETXATTR] = dht_route,
            [GF_FOP_RCHECKSUM] = dht_route,
            [GF_FOP_SETATTR] = dht_route,
            [GF_FOP_FSETATTR] = dht_route,
            [GF_FOP_FREMOVEXATTR] = dht_route,
            [GF_FOP_FALLOCATE] = dht_route,
            [GF_FOP_DISCARD] = dht_route,
            [GF_FOP_ZEROFILL] = dht_route,
            [GF_FOP_SEEK] = dht_route,
            [GF_FOP_IPC] = dht_unsupported,
            [GF_FOP_COMPOUND] = dht_unsupported,
            [GF_FOP_LEASE] = dht_unsupported,
            [GF_FOP_GETACTIVELK] = dht_unsupported,
            [GF_FOP_SETACTIVELK] = dht_unsupported,
            [GF_FOP_ICREATE] = dht_unsupported,
            [GF_FOP_NAMELINK] = dht_unsupported,
            [GF_FOP_PUT] = dht_unsupported,
            [GF_FOP_COPY_FILE_RANGE] = dht_unsupported,
        },
};
