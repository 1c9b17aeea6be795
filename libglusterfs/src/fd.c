/*
 * Open files and per-connection fd tables (see glusterfs/fd.h).
 *
 * The fd table is an array of fd pointers that doubles when full, with a hint
 * below which no slot is free, so the lowest free number is found by scanning
 * up from the hint.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "glusterfs/fd.h"
#include "glusterfs/mem.h"

#define FDTABLE_INITIAL_SIZE 16

struct gf_fdtable {
    pthread_mutex_t lock;
    gf_fd_t **slots;
    size_t size;       /* slots allocated */
    size_t count;      /* slots holding an fd */
    size_t first_free; /* no free slot below this index */
};

static gf_mem_acct_t *fd_acct(const gf_fd_t *fd)
{
    gf_xlator_t *xl = gf_inode_table_xlator(fd->inode->table);
    return xl ? &xl->mem_acct : NULL;
}

gf_fd_t *gf_fd_create(gf_inode_t *inode, int32_t flags, pid_t pid)
{
    if (!inode)
        return NULL;
    gf_xlator_t *xl = gf_inode_table_xlator(inode->table);
    gf_fd_t *fd = xl ? gf_calloc_acct(&xl->mem_acct, 1, sizeof(*fd)) : gf_calloc(1, sizeof(*fd));
    if (!fd)
        return NULL;
    atomic_init(&fd->refcount, 1);
    fd->inode = gf_inode_ref(inode);
    fd->flags = flags;
    fd->pid = pid;
    pthread_mutex_init(&fd->lock, NULL);
    return fd;
}

gf_fd_t *gf_fd_ref(gf_fd_t *fd)
{
    if (fd)
        atomic_fetch_add_explicit(&fd->refcount, 1, memory_order_relaxed);
    return fd;
}

/* Calls release for every translator holding a ctx on fd, with gf_this set to
 * it. Slots are re-read each round: the callback may delete its own value. */
static void call_release(gf_fd_t *fd)
{
    for (uint32_t i = 0; i < fd->ctx.n; i++) {
        gf_xlator_t *xl = fd->ctx.v[i].xl;
        if (!xl || !xl->desc || !xl->desc->release)
            continue;
        gf_xlator_t *saved = gf_this;
        gf_this = xl;
        xl->desc->release(xl, fd);
        gf_this = saved;
    }
}

void gf_fd_unref(gf_fd_t *fd)
{
    if (!fd)
        return;
    if (atomic_fetch_sub_explicit(&fd->refcount, 1, memory_order_acq_rel) != 1)
        return;
    call_release(fd);
    gf_inode_unref(fd->inode);
    gf_ctx_slots_free(&fd->ctx);
    pthread_mutex_destroy(&fd->lock);
    gf_free(fd);
}

int gf_fd_ctx_set(gf_fd_t *fd, gf_xlator_t *xl, uint64_t value)
{
    pthread_mutex_lock(&fd->lock);
    int rc = gf_ctx_slots_set(&fd->ctx, fd_acct(fd), xl, value);
    pthread_mutex_unlock(&fd->lock);
    return rc;
}

int gf_fd_ctx_get(gf_fd_t *fd, gf_xlator_t *xl, uint64_t *value)
{
    pthread_mutex_lock(&fd->lock);
    int rc = gf_ctx_slots_get(&fd->ctx, xl, value);
    pthread_mutex_unlock(&fd->lock);
    return rc;
}

int gf_fd_ctx_del(gf_fd_t *fd, gf_xlator_t *xl, uint64_t *value)
{
    pthread_mutex_lock(&fd->lock);
    int rc = gf_ctx_slots_del(&fd->ctx, xl, value);
    pthread_mutex_unlock(&fd->lock);
    return rc;
}

/* ---- fd tables ---- */

gf_fdtable_t *gf_fdtable_new(void)
{
    gf_fdtable_t *t = gf_calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    pthread_mutex_init(&t->lock, NULL);
    return t;
}

void gf_fdtable_destroy(gf_fdtable_t *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&t->lock);
    gf_fd_t **slots = t->slots;
    size_t size = t->size;
    t->slots = NULL;
    t->size = t->count = t->first_free = 0;
    pthread_mutex_unlock(&t->lock);
    for (size_t i = 0; i < size; i++)
        gf_fd_unref(slots[i]);
    gf_free(slots);
    pthread_mutex_destroy(&t->lock);
    gf_free(t);
}

/* Doubles the slot array; 0 or -ENOMEM. */
static int fdtable_grow(gf_fdtable_t *t)
{
    size_t size = t->size ? t->size * 2 : FDTABLE_INITIAL_SIZE;
    gf_fd_t **slots = gf_calloc(size, sizeof(*slots));
    if (!slots)
        return -ENOMEM;
    if (t->size)
        memcpy(slots, t->slots, t->size * sizeof(*slots));
    gf_free(t->slots);
    t->slots = slots;
    t->size = size;
    return 0;
}

int64_t gf_fdtable_add(gf_fdtable_t *t, gf_fd_t *fd)
{
    if (!fd)
        return -EINVAL;
    pthread_mutex_lock(&t->lock);
    size_t i = t->first_free;
    while (i < t->size && t->slots[i])
        i++;
    int rc = i == t->size ? fdtable_grow(t) : 0;
    if (rc == 0) {
        t->slots[i] = gf_fd_ref(fd);
        t->count++;
        t->first_free = i + 1;
    }
    pthread_mutex_unlock(&t->lock);
    return rc ? rc : (int64_t)i;
}

gf_fd_t *gf_fdtable_get(gf_fdtable_t *t, int64_t fdno)
{
    gf_fd_t *fd = NULL;
    pthread_mutex_lock(&t->lock);
    if (fdno >= 0 && (uint64_t)fdno < t->size)
        fd = gf_fd_ref(t->slots[fdno]);
    pthread_mutex_unlock(&t->lock);
    return fd;
}

gf_fd_t *gf_fdtable_remove(gf_fdtable_t *t, int64_t fdno)
{
    gf_fd_t *fd = NULL;
    pthread_mutex_lock(&t->lock);
    if (fdno >= 0 && (uint64_t)fdno < t->size && t->slots[fdno]) {
        fd = t->slots[fdno];
        t->slots[fdno] = NULL;
        t->count--;
        if ((size_t)fdno < t->first_free)
            t->first_free = (size_t)fdno;
    }
    pthread_mutex_unlock(&t->lock);
    return fd;
}

size_t gf_fdtable_count(gf_fdtable_t *t)
{
    pthread_mutex_lock(&t->lock);
    size_t n = t->count;
    pthread_mutex_unlock(&t->lock);
    return n;
}
