/*
 * POSIX byte-range locks (the lk fop: fcntl's F_GETLK, F_SETLK, F_SETLKW), with
 * the semantics of fcntl(2) record locks, owners being lock owner + client:
 *
 *   - a lock conflicts with a held lock of another owner whose range overlaps
 *     it when either is a write lock; locks of one owner never conflict;
 *   - an owner's locks never overlap one another: a new lock (or an unlock)
 *     replaces whatever the owner held in its range, splitting a lock that
 *     spans it, and a new lock merges with the owner's locks of the same type
 *     that touch it;
 *   - F_SETLK fails with EAGAIN on a conflict; F_SETLKW waits, and waiting
 *     requests are granted in the order they came as soon as nothing held
 *     conflicts with them; F_GETLK answers the first conflicting lock, or the
 *     request itself with type F_UNLCK when there is none;
 *   - an unlock always succeeds, even when the owner held nothing there.
 *
 * A posix lock also ends when its owner flushes the file (close), when the fd
 * it was taken through is released, or when its client goes away (locks.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "glusterfs/fd.h"
#include "glusterfs/mem.h"
#include "locks.h"

/* Whether held lock h stops request l. */
static bool conflicts(const pl_lock_t *h, const pl_lock_t *l)
{
    return !pl_same_owner(h, l) && pl_overlap(h, l) && (h->type == F_WRLCK || l->type == F_WRLCK);
}

static pl_lock_t *first_conflict(pl_inode_t *p, const pl_lock_t *l)
{
    pl_list_t *pos;

    for (pos = p->posix.next; pos != &p->posix; pos = pos->next) {
        pl_lock_t *h = pl_entry(pos, pl_lock_t, link);

        if (conflicts(h, l))
            return h;
    }
    return NULL;
}

/* A copy of h (owner included), not in any list; NULL on ENOMEM. */
static pl_lock_t *copy_lock(const pl_lock_t *h)
{
    pl_lock_t *c = gf_malloc(sizeof(*c) + h->owner_len);

    if (!c)
        return NULL;
    memcpy(c, h, sizeof(*c) + h->owner_len);
    pl_list_init(&c->link);
    c->frame = NULL;
    c->wake = NULL;
    return c;
}

/*
 * Cuts l's range out of the held locks of l's owner. The owner's locks never
 * overlap, so at most one of them spans the range and needs splitting: spare
 * (a record the caller made) becomes its right-hand piece, and is set to NULL
 * when used.
 */
static void carve(pl_inode_t *p, const pl_lock_t *l, pl_lock_t **spare)
{
    pl_list_t *pos, *next;

    pl_list_each_safe(pos, next, &p->posix)
    {
        pl_lock_t *h = pl_entry(pos, pl_lock_t, link);

        if (!pl_same_owner(h, l) || !pl_overlap(h, l))
            continue;
        if (h->start < l->start && h->end > l->end) {
            memcpy(*spare, h, sizeof(*h) + h->owner_len);
            (*spare)->start = l->end + 1;
            pl_list_init(&(*spare)->link);
            pl_list_add_tail(&p->posix, &(*spare)->link);
            *spare = NULL;
            h->end = l->start - 1;
        } else if (h->start < l->start) {
            h->end = l->start - 1;
        } else if (h->end > l->end) {
            h->start = l->end + 1;
        } else {
            pl_list_del(pos);
            pl_lock_free(h);
        }
    }
}

/* Whether h (of l's owner and type) ends right before l or starts right after. */
static bool touches(const pl_lock_t *h, const pl_lock_t *l)
{
    return (h->end != INT64_MAX && h->end + 1 == l->start) ||
           (l->end != INT64_MAX && l->end + 1 == h->start);
}

/* Merges into l the held locks of its owner and type that touch it. */
static void merge(pl_inode_t *p, pl_lock_t *l)
{
    pl_list_t *pos, *next;

    pl_list_each_safe(pos, next, &p->posix)
    {
        pl_lock_t *h = pl_entry(pos, pl_lock_t, link);

        if (!pl_same_owner(h, l) || h->type != l->type || !touches(h, l))
            continue;
        l->start = h->start < l->start ? h->start : l->start;
        l->end = h->end > l->end ? h->end : l->end;
        pl_list_del(pos);
        pl_lock_free(h);
    }
}

/* Applies l, a lock (held afterwards) or an unlock (freed), for its owner.
 * 0, or -ENOMEM with nothing changed (l is then the caller's). */
static int apply(pl_inode_t *p, pl_lock_t *l)
{
    pl_lock_t *spare = copy_lock(l);

    if (!spare)
        return -ENOMEM;
    carve(p, l, &spare);
    pl_lock_free(spare);
    if (l->type == F_UNLCK) {
        pl_lock_free(l);
        return 0;
    }
    merge(p, l);
    pl_list_add_tail(&p->posix, &l->link);
    return 0;
}

/* Grants, in order, the waiting requests nothing held stops any more. */
static void regrant(pl_inode_t *p, pl_list_t *wakes)
{
    pl_list_t *pos, *next;

    pl_list_each_safe(pos, next, &p->posix_waiters)
    {
        pl_lock_t *w = pl_entry(pos, pl_lock_t, link);

        if (first_conflict(p, w))
            continue;
        pl_list_del(pos);
        pl_wake_add(wakes, w, 0);
        if (apply(p, w) != 0) {
            pl_entry(wakes->prev, pl_wake_t, link)->err = ENOMEM;
            pl_lock_free(w);
        }
    }
}

static void drop_if(pl_inode_t *p, bool (*match)(const pl_lock_t *, const void *), const void *arg,
                    pl_list_t *wakes)
{
    pl_list_t *pos, *next;

    pl_list_each_safe(pos, next, &p->posix)
    {
        pl_lock_t *h = pl_entry(pos, pl_lock_t, link);

        if (match(h, arg)) {
            pl_list_del(pos);
            pl_lock_free(h);
        }
    }
    regrant(p, wakes);
}

static bool of_owner(const pl_lock_t *h, const void *owner)
{
    return pl_same_owner(h, owner);
}

static bool of_fd(const pl_lock_t *h, const void *fd)
{
    return h->fd == fd;
}

void pl_posix_drop_owner(pl_inode_t *p, const pl_lock_t *owner, pl_list_t *wakes)
{
    drop_if(p, of_owner, owner, wakes);
}

void pl_posix_drop_fd(pl_inode_t *p, gf_fd_t *fd, pl_list_t *wakes)
{
    drop_if(p, of_fd, fd, wakes);
}

void pl_posix_drop_client(pl_inode_t *p, void *client, pl_list_t *wakes)
{
    pl_drop_client_list(&p->posix, client, false, wakes);
    pl_drop_client_list(&p->posix_waiters, client, true, wakes);
    regrant(p, wakes);
}

/* ---- the lk fop ------------------------------------------------------------------------------ */

/* F_GETLK's answer: the first conflicting lock, or the request as F_UNLCK. */
static void getlk(pl_inode_t *p, const pl_lock_t *l, const gf_flock_t *asked, gf_flock_t *out)
{
    const pl_lock_t *h = first_conflict(p, l);

    *out = *asked;
    if (!h) {
        out->l_type = F_UNLCK;
        return;
    }
    out->l_type = h->type;
    out->l_whence = SEEK_SET;
    out->l_start = h->start;
    out->l_len = h->end == INT64_MAX ? 0 : h->end - h->start + 1;
    out->l_pid = h->pid;
    out->owner_len = h->owner_len;
    memcpy(out->owner, h->owner, h->owner_len);
}

/* Runs request l (cmd) on p with p->mutex held. 0 (answered), 1 (queued: the
 * frame is answered later), or -errno. l is consumed unless -errno. */
static int run(pl_inode_t *p, pl_lock_t *l, int32_t cmd, gf_frame_t *frame, pl_list_t *wakes)
{
    int ret;

    if (l->type == F_UNLCK) {
        ret = apply(p, l);
        if (!ret)
            regrant(p, wakes);
        return ret;
    }
    if (first_conflict(p, l)) {
        if (cmd == F_SETLK)
            return -EAGAIN;
        return pl_wait(&p->posix_waiters, l, frame) ? -ENOMEM : 1;
    }
    return apply(p, l);
}

/* The request of args as a new lock record in *out. 0 or -errno. */
static int lk_request(gf_frame_t *frame, gf_xlator_t *this, const gf_args_t *args, pl_lock_t **out)
{
    const gf_flock_t *f = &args->flock;
    pl_lock_t *l;
    int err = 0;

    if (!args->fd || !args->fd->inode)
        return -EBADF;
    if ((args->cmd != F_GETLK && args->cmd != F_SETLK && args->cmd != F_SETLKW) ||
        (f->l_type != F_RDLCK && f->l_type != F_WRLCK && f->l_type != F_UNLCK))
        return -EINVAL;
    l = pl_lock_new(frame, 0, &err);
    if (!l)
        return err;
    l->type = f->l_type;
    l->pid = f->l_pid;
    l->fd = args->fd;
    err = pl_set_range(l, f);
    if (err) {
        pl_lock_free(l);
        return err;
    }
    *out = l;
    return 0;
}

/* args->fd, args->cmd, args->flock; the owner is the caller's. Replies the lock
 * set, or F_GETLK's answer, in rsp.flock. */
int pl_lk(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    gf_reply_t rsp = {0};
    pl_list_t wakes;
    pl_lock_t *l = NULL;
    pl_inode_t *p;
    bool idle;
    int ret;

    ret = lk_request(frame, this, args, &l);
    p = ret ? NULL : pl_inode_get(this, args->fd->inode);
    if (!ret && (!p || gf_fd_ctx_set(args->fd, this, 1) != 0)) {
        pl_lock_free(l);
        ret = -ENOMEM; /* the fd ctx asks for desc->release */
    }
    if (ret)
        return gf_unwind_error(frame, -ret);
    pl_list_init(&wakes);
    pthread_mutex_lock(&p->mutex);
    if (args->cmd == F_GETLK) {
        getlk(p, l, &args->flock, &rsp.flock);
        pl_lock_free(l);
        ret = 0;
    } else {
        ret = run(p, l, args->cmd, frame, &wakes);
        if (ret < 0)
            pl_lock_free(l);
    }
    idle = pl_request_settle(this, p, frame->root->client, &wakes);
    pthread_mutex_unlock(&p->mutex);
    pl_wake_all(&wakes);
    if (idle)
        pl_inode_idle(p);
    if (ret == 1)
        return 0;
    if (ret < 0)
        return gf_unwind_error(frame, -ret);
    if (args->cmd != F_GETLK)
        rsp.flock = args->flock;
    return gf_unwind(frame, &rsp);
}
