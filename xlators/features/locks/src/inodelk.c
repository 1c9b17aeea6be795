/*
 * Inode locks (inodelk, finodelk): byte-range read/write locks that clients
 * take on an inode in a named domain (args->volume), to serialise their own
 * metadata changes (distribute's layout heals, replication's transactions).
 * Domains are independent. Following GlusterFS's locks translator:
 *
 *   - two locks clash when their ranges overlap and one is a write lock; locks
 *     of one owner never stop each other (an owner may hold a range twice);
 *   - the grant rule, with its protection of waiters, is pl_grantable();
 *     F_SETLK fails with EAGAIN when it says no, F_SETLKW waits;
 *   - an unlock removes one held lock of the owner with exactly that range,
 *     and fails with EINVAL when there is none; F_GETLK is not served
 *     (ENOTSUP);
 *   - a lock on the range starting at 2^63 - 2 with length 0 goes to the
 *     domain "<domain>:metadata".
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "glusterfs/fd.h"
#include "glusterfs/mem.h"
#include "locks.h"

#define METADATA_SUFFIX ":metadata"

static bool clash(const pl_lock_t *a, const pl_lock_t *b)
{
    return pl_overlap(a, b) && (a->type == F_WRLCK || b->type == F_WRLCK);
}

void pl_inodelk_drop_client(pl_domain_t *d, void *client, pl_list_t *wakes)
{
    pl_drop_client_list(&d->inodelks, client, false, wakes);
    pl_drop_client_list(&d->inodelk_waiters, client, true, wakes);
    pl_regrant(&d->inodelks, &d->inodelk_waiters, clash, wakes);
}

/* Removes the held lock of l's owner with l's exact range. 0 or -EINVAL. */
static int unlock(pl_domain_t *d, const pl_lock_t *l)
{
    pl_list_t *pos;

    for (pos = d->inodelks.next; pos != &d->inodelks; pos = pos->next) {
        pl_lock_t *h = pl_entry(pos, pl_lock_t, link);

        if (pl_same_owner(h, l) && h->start == l->start && h->end == l->end) {
            pl_list_del(pos);
            pl_lock_free(h);
            return 0;
        }
    }
    return -EINVAL;
}

/* Runs request l of args on domain d (p->mutex held): 0 (answered), 1 (queued),
 * or -errno. l is consumed unless -errno. */
static int run(pl_domain_t *d, pl_lock_t *l, int32_t cmd, gf_frame_t *frame, pl_list_t *wakes)
{
    int ret;

    if (l->type == F_UNLCK) {
        ret = unlock(d, l);
        if (ret)
            return ret;
        pl_lock_free(l);
        pl_regrant(&d->inodelks, &d->inodelk_waiters, clash, wakes);
        return 0;
    }
    if (pl_grantable(&d->inodelks, &d->inodelk_waiters, l, clash)) {
        pl_list_add_tail(&d->inodelks, &l->link);
        return 0;
    }
    if (cmd == F_SETLK)
        return -EAGAIN;
    return pl_wait(&d->inodelk_waiters, l, frame) ? -ENOMEM : 1;
}

/* The domain a request locks in: args->volume, or its ":metadata" twin for
 * the special range. A new string (gf_free it), or NULL on ENOMEM. */
static char *domain_name(const gf_args_t *args)
{
    const char *v = args->volume;
    size_t len = strlen(v), slen = strlen(METADATA_SUFFIX);
    char *name = NULL;

    if (args->flock.l_start != INT64_MAX - 1 || args->flock.l_len != 0 ||
        (len >= slen && !strcmp(v + len - slen, METADATA_SUFFIX)))
        return gf_strdup(v);
    gf_asprintf(&name, "%s%s", v, METADATA_SUFFIX);
    return name;
}

/* The request of args as a new lock record in *out. 0 or -errno. */
static int request(gf_frame_t *frame, const gf_args_t *args, pl_lock_t **out)
{
    int16_t type = args->flock.l_type;
    pl_lock_t *l;
    int err = 0;

    if (args->cmd != F_SETLK && args->cmd != F_SETLKW)
        return -ENOTSUP;
    if ((type != F_RDLCK && type != F_WRLCK && type != F_UNLCK) || !args->volume)
        return -EINVAL;
    l = pl_lock_new(frame, 0, &err);
    if (!l)
        return err;
    l->type = type;
    err = pl_set_range(l, &args->flock);
    if (err) {
        pl_lock_free(l);
        return err;
    }
    *out = l;
    return 0;
}

/* Locks l (of args) on p under p->mutex. As run(). */
static int locked_run(gf_xlator_t *this, pl_inode_t *p, pl_lock_t *l, const gf_args_t *args,
                      gf_frame_t *frame)
{
    char *name = domain_name(args);
    pl_list_t wakes;
    pl_domain_t *d;
    bool idle;
    int ret;

    pl_list_init(&wakes);
    pthread_mutex_lock(&p->mutex);
    d = name ? pl_domain_get(p, name) : NULL;
    ret = d ? run(d, l, args->cmd, frame, &wakes) : -ENOMEM;
    idle = pl_request_settle(this, p, frame->root->client, &wakes);
    pthread_mutex_unlock(&p->mutex);
    gf_free(name);
    pl_wake_all(&wakes);
    if (idle)
        pl_inode_idle(p);
    return ret;
}

static int inodelk_on(gf_frame_t *frame, gf_xlator_t *this, gf_inode_t *inode, gf_args_t *args)
{
    pl_inode_t *p = NULL;
    pl_lock_t *l = NULL;
    gf_reply_t rsp = {0};
    int ret;

    ret = inode ? request(frame, args, &l) : -EINVAL;
    if (!ret && !(p = pl_inode_get(this, inode)))
        ret = -ENOMEM;
    if (!ret)
        ret = locked_run(this, p, l, args, frame);
    if (ret < 0)
        pl_lock_free(l);
    if (ret == 1)
        return 0;
    if (ret < 0)
        return gf_unwind_error(frame, -ret);
    return gf_unwind(frame, &rsp);
}

/* args->loc.inode, args->cmd (F_SETLK / F_SETLKW), args->flock (type, range),
 * args->volume (the domain); the owner is the caller's. */
int pl_inodelk(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    return inodelk_on(frame, this, args->loc.inode, args);
}

/* As inodelk, on args->fd's inode. */
int pl_finodelk(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    return inodelk_on(frame, this, args->fd ? args->fd->inode : NULL, args);
}
