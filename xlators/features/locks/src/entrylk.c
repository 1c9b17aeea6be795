/*
 * Entry locks (entrylk, fentrylk): locks on a name in a directory (or, with no
 * name, on every name of it), in a named domain, that clients take around
 * changes of directory entries. Following GlusterFS's locks translator:
 *
 *   - two entry locks clash when their names are equal or either has none;
 *     the lock type (read or write) plays no part in clashes;
 *   - locks of one owner never stop each other; the grant rule, with its
 *     protection of waiters, is pl_grantable(); ENTRYLK_LOCK_NB fails with
 *     EAGAIN when it says no, ENTRYLK_LOCK waits;
 *   - an unlock removes the owner's held lock of that name and type, and fails
 *     with EINVAL when there is none.
 *
 * The request's fields (fop-codec.c): args->cmd GF_ENTRYLK_LOCK (0), _UNLOCK
 * (1), _LOCK_NB (2); args->flags the type, RDLCK (0) or WRLCK (1); args->name
 * the entry or NULL; args->volume the domain.
 */
#include <errno.h>
#include <string.h>

#include "glusterfs/fd.h"
#include "locks.h"

enum { ENTRYLK_LOCK = 0, ENTRYLK_UNLOCK = 1, ENTRYLK_LOCK_NB = 2 };
enum { ENTRYLK_RDLCK = 0, ENTRYLK_WRLCK = 1 };

static bool same_name(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

static bool clash(const pl_lock_t *a, const pl_lock_t *b)
{
    return !a->basename || !b->basename || !strcmp(a->basename, b->basename);
}

void pl_entrylk_drop_client(pl_domain_t *d, void *client, pl_list_t *wakes)
{
    pl_drop_client_list(&d->entrylks, client, false, wakes);
    pl_drop_client_list(&d->entrylk_waiters, client, true, wakes);
    pl_regrant(&d->entrylks, &d->entrylk_waiters, clash, wakes);
}

/* Removes the held lock of l's owner, name and type. 0 or -EINVAL. */
static int unlock(pl_domain_t *d, const pl_lock_t *l)
{
    pl_list_t *pos;

    for (pos = d->entrylks.next; pos != &d->entrylks; pos = pos->next) {
        pl_lock_t *h = pl_entry(pos, pl_lock_t, link);

        if (pl_same_owner(h, l) && h->type == l->type && same_name(h->basename, l->basename)) {
            pl_list_del(pos);
            pl_lock_free(h);
            return 0;
        }
    }
    return -EINVAL;
}

/* Runs request l on domain d (p->mutex held): 0 (answered), 1 (queued), or
 * -errno. l is consumed unless -errno. */
static int run(pl_domain_t *d, pl_lock_t *l, int32_t cmd, gf_frame_t *frame, pl_list_t *wakes)
{
    int ret;

    if (cmd == ENTRYLK_UNLOCK) {
        ret = unlock(d, l);
        if (ret)
            return ret;
        pl_lock_free(l);
        pl_regrant(&d->entrylks, &d->entrylk_waiters, clash, wakes);
        return 0;
    }
    if (pl_grantable(&d->entrylks, &d->entrylk_waiters, l, clash)) {
        pl_list_add_tail(&d->entrylks, &l->link);
        return 0;
    }
    if (cmd == ENTRYLK_LOCK_NB)
        return -EAGAIN;
    return pl_wait(&d->entrylk_waiters, l, frame) ? -ENOMEM : 1;
}

/* The request of args as a new lock record (the name copied after the owner)
 * in *out. 0 or -errno. */
static int request(gf_frame_t *frame, const gf_args_t *args, pl_lock_t **out)
{
    size_t len = args->name ? strlen(args->name) + 1 : 0;
    pl_lock_t *l;
    int err = 0;

    if ((args->cmd != ENTRYLK_LOCK && args->cmd != ENTRYLK_UNLOCK &&
         args->cmd != ENTRYLK_LOCK_NB) ||
        (args->flags != ENTRYLK_RDLCK && args->flags != ENTRYLK_WRLCK) || !args->volume)
        return -EINVAL;
    l = pl_lock_new(frame, len, &err);
    if (!l)
        return err;
    l->type = (int16_t)args->flags;
    l->start = 0;
    l->end = INT64_MAX;
    if (len) {
        l->basename = l->owner + l->owner_len;
        memcpy(l->basename, args->name, len);
    }
    *out = l;
    return 0;
}

/* Runs l in its domain on p under p->mutex. As run(). */
static int locked_run(gf_xlator_t *this, pl_inode_t *p, pl_lock_t *l, const gf_args_t *args,
                      gf_frame_t *frame)
{
    pl_list_t wakes;
    pl_domain_t *d;
    bool idle;
    int ret;

    pl_list_init(&wakes);
    pthread_mutex_lock(&p->mutex);
    d = pl_domain_get(p, args->volume);
    ret = d ? run(d, l, args->cmd, frame, &wakes) : -ENOMEM;
    idle = pl_request_settle(this, p, frame->root->client, &wakes);
    pthread_mutex_unlock(&p->mutex);
    pl_wake_all(&wakes);
    if (idle)
        pl_inode_idle(p);
    return ret;
}

static int entrylk_on(gf_frame_t *frame, gf_xlator_t *this, gf_inode_t *inode, gf_args_t *args)
{
    gf_reply_t rsp = {0};
    pl_inode_t *p = NULL;
    pl_lock_t *l = NULL;
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

/* args->loc.inode: the directory; the owner is the caller's. */
int pl_entrylk(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    return entrylk_on(frame, this, args->loc.inode, args);
}

/* As entrylk, on args->fd's directory. */
int pl_fentrylk(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    return entrylk_on(frame, this, args->fd ? args->fd->inode : NULL, args);
}
