/*
 * features/locks: POSIX byte-range locks, inode locks and entry locks on the
 * brick (see locks.h for the families and doc/locks.md for the rules they
 * follow). This file holds the descriptor, the inode ctx, the lock records,
 * the answering of waiting requests, and the three ways locks end without an
 * unlock: flush, the release of an fd, and a client going away.
 *
 * Every other fop passes through to the brick unchanged.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glusterfs/fd.h"
#include "glusterfs/inode.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "locks.h"

/* ---- inode ctx -------------------------------------------------------------------------- */

static pl_inode_t *pl_inode_new(gf_inode_t *inode)
{
    pl_inode_t *p = gf_calloc(1, sizeof(*p));

    if (!p)
        return NULL;
    pthread_mutex_init(&p->mutex, NULL);
    p->inode = inode;
    pl_list_init(&p->active_link);
    pl_list_init(&p->posix);
    pl_list_init(&p->posix_waiters);
    pl_list_init(&p->domains);
    return p;
}

pl_inode_t *pl_inode_get(gf_xlator_t *this, gf_inode_t *inode)
{
    pl_priv_t *priv = this->priv;
    pl_inode_t *p = NULL;
    uint64_t v;

    if (!inode)
        return NULL;
    pthread_mutex_lock(&priv->mutex);
    if (gf_inode_ctx_get(inode, this, &v) == 0) {
        p = (pl_inode_t *)(uintptr_t)v;
    } else if ((p = pl_inode_new(inode)) != NULL &&
               gf_inode_ctx_set(inode, this, (uint64_t)(uintptr_t)p) != 0) {
        pthread_mutex_destroy(&p->mutex);
        gf_free(p);
        p = NULL;
    }
    pthread_mutex_unlock(&priv->mutex);
    return p;
}

pl_inode_t *pl_inode_find(gf_xlator_t *this, gf_inode_t *inode)
{
    pl_priv_t *priv = this->priv;
    uint64_t v = 0;

    if (!inode)
        return NULL;
    pthread_mutex_lock(&priv->mutex);
    if (gf_inode_ctx_get(inode, this, &v) != 0)
        v = 0;
    pthread_mutex_unlock(&priv->mutex);
    return (pl_inode_t *)(uintptr_t)v;
}

static bool domain_busy(const pl_domain_t *d)
{
    return !pl_list_empty(&d->inodelks) || !pl_list_empty(&d->inodelk_waiters) ||
           !pl_list_empty(&d->entrylks) || !pl_list_empty(&d->entrylk_waiters);
}

static bool inode_busy(pl_inode_t *p)
{
    pl_list_t *pos;

    if (!pl_list_empty(&p->posix) || !pl_list_empty(&p->posix_waiters))
        return true;
    for (pos = p->domains.next; pos != &p->domains; pos = pos->next)
        if (domain_busy(pl_entry(pos, pl_domain_t, link)))
            return true;
    return false;
}

bool pl_inode_settle(gf_xlator_t *this, pl_inode_t *p)
{
    pl_priv_t *priv = this->priv;
    bool busy = inode_busy(p);

    if (busy == p->active)
        return false;
    if (busy)
        gf_inode_ref(p->inode); /* dropped by pl_inode_idle */
    pthread_mutex_lock(&priv->mutex);
    if (busy)
        pl_list_add_tail(&priv->active, &p->active_link);
    else
        pl_list_del(&p->active_link);
    pthread_mutex_unlock(&priv->mutex);
    p->active = busy;
    return !busy;
}

void pl_inode_idle(pl_inode_t *p)
{
    gf_inode_unref(p->inode);
}

pl_domain_t *pl_domain_get(pl_inode_t *p, const char *name)
{
    size_t len = strlen(name);
    pl_list_t *pos;
    pl_domain_t *d;

    for (pos = p->domains.next; pos != &p->domains; pos = pos->next) {
        d = pl_entry(pos, pl_domain_t, link);
        if (!strcmp(d->name, name))
            return d;
    }
    d = gf_calloc(1, sizeof(*d) + len + 1);
    if (!d)
        return NULL;
    memcpy(d->name, name, len);
    pl_list_init(&d->inodelks);
    pl_list_init(&d->inodelk_waiters);
    pl_list_init(&d->entrylks);
    pl_list_init(&d->entrylk_waiters);
    pl_list_add_tail(&p->domains, &d->link);
    return d;
}

/* desc->forget: the inode holds no lock (an active inode is referenced). */
static void pl_forget(gf_xlator_t *this, gf_inode_t *inode)
{
    pl_list_t *pos, *next;
    pl_inode_t *p;
    uint64_t v;

    if (gf_inode_ctx_del(inode, this, &v) != 0)
        return;
    p = (pl_inode_t *)(uintptr_t)v;
    pl_list_each_safe(pos, next, &p->domains) gf_free(pl_entry(pos, pl_domain_t, link));
    pthread_mutex_destroy(&p->mutex);
    gf_free(p);
}

/* ---- lock records ------------------------------------------------------------------------- */

/* Whether an owner is unusable: empty, or all zeros (GlusterFS refuses both). */
static bool owner_null(const gf_call_root_t *root)
{
    uint32_t i;

    for (i = 0; i < root->lk_owner_len; i++)
        if (root->lk_owner[i])
            return false;
    return true;
}

pl_lock_t *pl_lock_new(gf_frame_t *frame, size_t extra, int *err)
{
    const gf_call_root_t *root = frame->root;
    pl_lock_t *l;

    if (owner_null(root)) {
        *err = -EINVAL;
        return NULL;
    }
    l = gf_calloc(1, sizeof(*l) + root->lk_owner_len + extra);
    if (!l) {
        *err = -ENOMEM;
        return NULL;
    }
    pl_list_init(&l->link);
    l->client = root->client;
    l->pid = root->pid;
    l->owner_len = root->lk_owner_len;
    memcpy(l->owner, root->lk_owner, root->lk_owner_len);
    return l;
}

void pl_lock_free(pl_lock_t *l)
{
    if (!l)
        return;
    gf_free(l->wake);
    gf_free(l);
}

bool pl_same_owner(const pl_lock_t *a, const pl_lock_t *b)
{
    return a->client == b->client && a->owner_len == b->owner_len &&
           memcmp(a->owner, b->owner, a->owner_len) == 0;
}

int pl_set_range(pl_lock_t *l, const gf_flock_t *f)
{
    if (f->l_start < 0 || f->l_len < 0)
        return -EINVAL;
    l->start = f->l_start;
    l->end = f->l_len == 0 || f->l_len - 1 > INT64_MAX - f->l_start ? INT64_MAX
                                                                    : f->l_start + f->l_len - 1;
    return 0;
}

bool pl_overlap(const pl_lock_t *a, const pl_lock_t *b)
{
    return a->end >= b->start && b->end >= a->start;
}

/* ---- answering waiters ------------------------------------------------------------------- */

int pl_wait(pl_list_t *waiters, pl_lock_t *l, gf_frame_t *frame)
{
    l->wake = gf_calloc(1, sizeof(*l->wake));
    if (!l->wake)
        return -ENOMEM;
    l->frame = frame;
    pl_list_add_tail(waiters, &l->link);
    return 0;
}

void pl_wake_add(pl_list_t *wakes, pl_lock_t *l, int err)
{
    pl_wake_t *w = l->wake;
    gf_flock_t *f = &w->flock;

    l->wake = NULL;
    w->frame = l->frame;
    w->err = err;
    l->frame = NULL;
    f->l_type = l->type;
    f->l_whence = SEEK_SET;
    f->l_start = l->start;
    f->l_len = l->end == INT64_MAX ? 0 : l->end - l->start + 1;
    f->l_pid = l->pid;
    f->owner_len = l->owner_len;
    memcpy(f->owner, l->owner, l->owner_len);
    pl_list_add_tail(wakes, &w->link);
}

void pl_wake_all(pl_list_t *wakes)
{
    pl_list_t *pos, *next;

    pl_list_each_safe(pos, next, wakes)
    {
        pl_wake_t *w = pl_entry(pos, pl_wake_t, link);
        gf_reply_t rsp = {.op_ret = w->err ? -1 : 0, .op_errno = w->err};

        pl_list_del(pos);
        if (!w->err)
            rsp.flock = w->flock;
        gf_unwind(w->frame, &rsp);
        gf_free(w);
    }
}

void pl_drop_client_list(pl_list_t *list, void *client, bool waiters, pl_list_t *wakes)
{
    pl_list_t *pos, *next;

    pl_list_each_safe(pos, next, list)
    {
        pl_lock_t *l = pl_entry(pos, pl_lock_t, link);

        if (l->client != client)
            continue;
        pl_list_del(pos);
        if (waiters)
            pl_wake_add(wakes, l, EAGAIN);
        pl_lock_free(l);
    }
}

/* ---- domain locks: grant rules shared by inode and entry locks ------------------------------ */

/* Whether some lock of list clashes with l (of another owner only, when
 * other_owner is set). */
static bool any_clash(const pl_list_t *list, const pl_lock_t *l, pl_clash_fn clash,
                      bool other_owner)
{
    const pl_list_t *pos;

    for (pos = list->next; pos != list; pos = pos->next) {
        const pl_lock_t *h = pl_entry(pos, pl_lock_t, link);

        if (clash(h, l) && !(other_owner && pl_same_owner(h, l)))
            return true;
    }
    return false;
}

static bool any_of_owner(const pl_list_t *list, const pl_lock_t *l)
{
    const pl_list_t *pos;

    for (pos = list->next; pos != list; pos = pos->next)
        if (pl_same_owner(pl_entry(pos, pl_lock_t, link), l))
            return true;
    return false;
}

bool pl_grantable(const pl_list_t *held, const pl_list_t *waiters, const pl_lock_t *l,
                  pl_clash_fn clash)
{
    if (any_clash(held, l, clash, true))
        return false;
    return !any_clash(waiters, l, clash, false) || any_of_owner(held, l) ||
           any_of_owner(waiters, l);
}

void pl_regrant(pl_list_t *held, pl_list_t *waiters, pl_clash_fn clash, pl_list_t *wakes)
{
    pl_list_t pending, *pos, *next;

    pl_list_init(&pending);
    if (pl_list_empty(waiters))
        return;
    pending.next = waiters->next; /* the waiters move to pending, in order */
    pending.prev = waiters->prev;
    pending.next->prev = &pending;
    pending.prev->next = &pending;
    pl_list_init(waiters);
    pl_list_each_safe(pos, next, &pending)
    {
        pl_lock_t *w = pl_entry(pos, pl_lock_t, link);

        pl_list_del(pos);
        if (!pl_grantable(held, waiters, w, clash)) {
            pl_list_add_tail(waiters, pos);
            continue;
        }
        pl_wake_add(wakes, w, 0);
        pl_list_add_tail(held, pos);
    }
}

/* ---- locks that end without an unlock ------------------------------------------------------ */

/* Drops everything client holds or waits for on p (p->mutex held), queueing
 * the answers of its waiters and of the waiters of others this frees. */
static void drop_client_locked(pl_inode_t *p, void *client, pl_list_t *wakes)
{
    pl_list_t *pos;

    pl_posix_drop_client(p, client, wakes);
    for (pos = p->domains.next; pos != &p->domains; pos = pos->next) {
        pl_inodelk_drop_client(pl_entry(pos, pl_domain_t, link), client, wakes);
        pl_entrylk_drop_client(pl_entry(pos, pl_domain_t, link), client, wakes);
    }
}

static void drop_client(gf_xlator_t *this, pl_inode_t *p, void *client)
{
    pl_list_t wakes;
    bool idle;

    pl_list_init(&wakes);
    pthread_mutex_lock(&p->mutex);
    drop_client_locked(p, client, &wakes);
    idle = pl_inode_settle(this, p);
    pthread_mutex_unlock(&p->mutex);
    pl_wake_all(&wakes);
    if (idle)
        pl_inode_idle(p);
}

/* Index of client among the gone ones (priv->mutex held), or -1. */
static ssize_t gone_index(const pl_priv_t *priv, void *client)
{
    size_t i;

    for (i = 0; client && i < priv->n_gone; i++)
        if (priv->gone[i] == client)
            return (ssize_t)i;
    return -1;
}

bool pl_request_settle(gf_xlator_t *this, pl_inode_t *p, void *client, pl_list_t *wakes)
{
    pl_priv_t *priv = this->priv;
    bool idle = pl_inode_settle(this, p), gone;

    pthread_mutex_lock(&priv->mutex);
    gone = gone_index(priv, client) >= 0;
    pthread_mutex_unlock(&priv->mutex);
    if (!gone)
        return idle;
    drop_client_locked(p, client, wakes);
    return pl_inode_settle(this, p) || idle;
}

/* Marks client gone (GONE) or forgets it (FREED). 0 or -ENOMEM. */
static int mark_gone(pl_priv_t *priv, void *client, bool gone)
{
    ssize_t i;
    void **v;
    int ret = 0;

    pthread_mutex_lock(&priv->mutex);
    i = gone_index(priv, client);
    if (!gone && i >= 0) {
        priv->gone[i] = priv->gone[--priv->n_gone];
        if (priv->n_gone == 0) { /* the usual case: hold nothing between clients */
            gf_free(priv->gone);
            priv->gone = NULL;
            priv->cap_gone = 0;
        }
    } else if (gone && i < 0 && priv->n_gone == priv->cap_gone) {
        v = gf_realloc(priv->gone, (priv->cap_gone * 2 + 4) * sizeof(*v));
        ret = v ? 0 : -ENOMEM;
        if (v) {
            priv->gone = v;
            priv->cap_gone = priv->cap_gone * 2 + 4;
        }
    }
    if (gone && i < 0 && !ret)
        priv->gone[priv->n_gone++] = client;
    pthread_mutex_unlock(&priv->mutex);
    return ret;
}

/* The active inodes, each referenced, in a new array (*n of them). NULL when
 * there are none, or on ENOMEM (*n is then -1). */
static pl_inode_t **active_inodes(pl_priv_t *priv, int *n)
{
    pl_inode_t **v = NULL;
    pl_list_t *pos;
    int count = 0;

    pthread_mutex_lock(&priv->mutex);
    for (pos = priv->active.next; pos != &priv->active; pos = pos->next)
        count++;
    v = count ? gf_calloc((size_t)count, sizeof(*v)) : NULL;
    *n = count && !v ? -1 : 0;
    for (pos = priv->active.next; v && pos != &priv->active; pos = pos->next) {
        v[*n] = pl_entry(pos, pl_inode_t, active_link);
        gf_inode_ref(v[(*n)++]->inode);
    }
    pthread_mutex_unlock(&priv->mutex);
    return v;
}

/* Drops everything of client on every inode. 0 or -ENOMEM. */
static int sweep(gf_xlator_t *this, void *client)
{
    pl_inode_t **v;
    int i, n;

    v = active_inodes(this->priv, &n);
    if (n < 0)
        return -ENOMEM;
    for (i = 0; i < n; i++) {
        drop_client(this, v[i], client);
        gf_inode_unref(v[i]->inode);
    }
    gf_free(v);
    return 0;
}

/*
 * The IPC ops about the client of the call's root (locks.h): GONE marks it
 * gone, then releases every lock it holds on any inode and answers EAGAIN to
 * its waiting requests, granting what that frees to others (a request of it
 * that arrives later leaves nothing, see pl_request_settle); FREED releases
 * whatever is still left and forgets the mark. Other IPC ops pass on.
 */
static int pl_ipc(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    void *client = frame->root->client;
    gf_reply_t rsp = {0};
    int ret;

    if (args->flags != PL_IPC_CLIENT_GONE && args->flags != PL_IPC_CLIENT_FREED)
        return gf_default_fop(frame, this, args);
    ret = client && args->flags == PL_IPC_CLIENT_GONE ? mark_gone(this->priv, client, true) : 0;
    if (!ret)
        ret = sweep(this, client);
    if (args->flags == PL_IPC_CLIENT_FREED)
        mark_gone(this->priv, client, false);
    if (ret) {
        gf_log(GF_LOG_ERROR, "no memory to release the locks of a client that went away: they "
                             "stay until the brick restarts");
        return gf_unwind_error(frame, -ret);
    }
    return gf_unwind(frame, &rsp);
}

/* flush: the posix locks of the caller's owner on the file end (close(2) does
 * so to a process's locks), then the flush goes on. */
static int pl_flush(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    pl_inode_t *p = args->fd ? pl_inode_find(this, args->fd->inode) : NULL;
    pl_list_t wakes;
    pl_lock_t *owner;
    bool idle;
    int err;

    owner = p ? pl_lock_new(frame, 0, &err) : NULL;
    if (owner) {
        pl_list_init(&wakes);
        pthread_mutex_lock(&p->mutex);
        pl_posix_drop_owner(p, owner, &wakes);
        idle = pl_inode_settle(this, p);
        pthread_mutex_unlock(&p->mutex);
        pl_wake_all(&wakes);
        if (idle)
            pl_inode_idle(p);
        pl_lock_free(owner);
    }
    return gf_default_fop(frame, this, args);
}

/* desc->release: the posix locks taken through fd end with it. */
static void pl_release(gf_xlator_t *this, gf_fd_t *fd)
{
    pl_inode_t *p;
    pl_list_t wakes;
    bool idle;

    gf_fd_ctx_del(fd, this, NULL);
    p = pl_inode_find(this, fd->inode);
    if (!p)
        return;
    pl_list_init(&wakes);
    pthread_mutex_lock(&p->mutex);
    pl_posix_drop_fd(p, fd, &wakes);
    idle = pl_inode_settle(this, p);
    pthread_mutex_unlock(&p->mutex);
    pl_wake_all(&wakes);
    if (idle)
        pl_inode_idle(p);
}

/* ---- the translator ----------------------------------------------------------------------- */

static int pl_init(gf_xlator_t *this)
{
    pl_priv_t *priv = this->priv;

    if (this->n_children != 1) {
        gf_log(GF_LOG_ERROR, "features/locks needs exactly one subvolume (the brick's "
                             "storage/posix); give its volume one 'subvolumes' line");
        return -EINVAL;
    }
    pthread_mutex_init(&priv->mutex, NULL);
    pl_list_init(&priv->active);
    return 0;
}

/* By fini every client is gone (protocol/server drains the brick first), so
 * no lock is left: the inode table frees the ctxs through forget. */
static void pl_fini(gf_xlator_t *this)
{
    pl_priv_t *priv = this->priv;

    gf_free(priv->gone);
    pthread_mutex_destroy(&priv->mutex);
}

const gf_xlator_desc_t gf_xlator_desc = {
    .abi_version = GF_XLATOR_ABI_VERSION,
    .type = "features/locks",
    .priv_size = sizeof(pl_priv_t),
    .init = pl_init,
    .fini = pl_fini,
    .forget = pl_forget,
    .release = pl_release,
    .fops =
        {
            [GF_FOP_LK] = pl_lk,
            [GF_FOP_INODELK] = pl_inodelk,
            [GF_FOP_FINODELK] = pl_finodelk,
            [GF_FOP_ENTRYLK] = pl_entrylk,
            [GF_FOP_FENTRYLK] = pl_fentrylk,
            [GF_FOP_FLUSH] = pl_flush,
            [GF_FOP_IPC] = pl_ipc,
        },
};
