/*
 * The event loop: one epoll set served by a fixed number of threads.
 *
 * Every registration is armed EPOLLONESHOT, so at most one thread dispatches a
 * handle at a time; the dispatching thread re-arms it after the callback, with
 * the events wanted at that moment (so gf_event_mod from the callback takes
 * effect then).
 *
 * epoll does not carry handle pointers: a thread may receive an event for a
 * handle that another thread is deleting. Each handle instead lives in a slot
 * table and epoll carries a key (slot number | generation << 32); an event whose
 * key no longer names a live handle is dropped. Handle state and the table are
 * protected by the pool lock, held only briefly (never across a callback). A
 * handle holds one reference for its registration and one while a thread
 * dispatches it; whoever drops the last one frees it.
 *
 * Posted tasks go to a locked FIFO; an eventfd in semaphore mode counts them, so
 * each count wakes one thread to run one task. Stopping the pool adds one extra
 * count that every thread passes on to the next before it exits.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "glusterfs/event.h"
#include "glusterfs/mem.h"

#define POST_KEY UINT64_MAX /* epoll key of the eventfd that counts posted tasks */
#define SLOT_MASK 0xffffffffu

struct gf_event_handle {
    gf_event_pool_t *pool;
    int fd;
    uint64_t key; /* slot | generation << 32; the epoll data */
    gf_event_cb_t cb;
    void *data;
    uint32_t events;  /* GF_EV_* watched */
    uint32_t pending; /* GF_EV_* that fired while the callback ran */
    int refs;
    bool deleted;
    bool in_cb;
    pthread_t cb_thread; /* valid while in_cb */
};

typedef struct post {
    gf_event_task_t task;
    void *data;
    struct post *next;
} post_t;

typedef struct slot {
    gf_event_handle_t *h; /* NULL when free */
    int next_free;        /* -1 ends the free list */
} slot_t;

struct gf_event_pool {
    int epfd;
    int postfd;
    int nthreads;
    pthread_t *threads;
    pthread_mutex_t lock;   /* guards all below and every handle's state */
    pthread_cond_t cb_done; /* signalled when a callback returns */
    slot_t *slots;
    int nslots;
    int free_slot;
    uint32_t generation;
    post_t *post_head, *post_tail;
    bool stopping;
};

static uint32_t to_epoll(uint32_t events)
{
    return ((events & GF_EV_IN) ? EPOLLIN : 0) | ((events & GF_EV_OUT) ? EPOLLOUT : 0) |
           EPOLLONESHOT;
}

static uint32_t from_epoll(uint32_t revents)
{
    return ((revents & EPOLLIN) ? GF_EV_IN : 0) | ((revents & EPOLLOUT) ? GF_EV_OUT : 0) |
           ((revents & (EPOLLERR | EPOLLHUP)) ? GF_EV_ERR : 0);
}

/* Arms (op EPOLL_CTL_ADD) or re-arms (EPOLL_CTL_MOD) h one-shot. 0 or -errno. */
static int arm(gf_event_handle_t *h, int op)
{
    struct epoll_event ev = {.events = to_epoll(h->events), .data.u64 = h->key};
    return epoll_ctl(h->pool->epfd, op, h->fd, &ev) < 0 ? -errno : 0;
}

/* Drops one reference; frees h on the last. Pool lock held. */
static void handle_unref(gf_event_handle_t *h)
{
    if (--h->refs == 0)
        gf_free(h);
}

/* The live handle named by key, or NULL. Pool lock held. */
static gf_event_handle_t *lookup(gf_event_pool_t *pool, uint64_t key)
{
    uint32_t slot = (uint32_t)(key & SLOT_MASK);
    if (slot >= (uint32_t)pool->nslots)
        return NULL;
    gf_event_handle_t *h = pool->slots[slot].h;
    return h && h->key == key ? h : NULL;
}

/* Doubles the slot table, chaining the new slots into the free list. Pool lock
 * held (or the pool not yet shared). 0 or -ENOMEM. gf_realloc keeps the table
 * charged to the account of its first allocation, made by gf_event_pool_new. */
static int grow_slots(gf_event_pool_t *pool)
{
    int n = pool->nslots ? pool->nslots * 2 : 64;
    slot_t *slots = gf_realloc(pool->slots, (size_t)n * sizeof(*slots));
    if (!slots)
        return -ENOMEM;
    for (int i = pool->nslots; i < n; i++)
        slots[i] = (slot_t){.h = NULL, .next_free = i + 1 < n ? i + 1 : pool->free_slot};
    pool->free_slot = pool->nslots;
    pool->slots = slots;
    pool->nslots = n;
    return 0;
}

/* Places h in a free slot and gives it its key. Pool lock held. 0 or -ENOMEM. */
static int take_slot(gf_event_pool_t *pool, gf_event_handle_t *h)
{
    if (pool->free_slot < 0 && grow_slots(pool) < 0)
        return -ENOMEM;
    int slot = pool->free_slot;
    pool->free_slot = pool->slots[slot].next_free;
    pool->slots[slot].h = h;
    h->key = (uint64_t)(uint32_t)slot | (uint64_t)++pool->generation << 32;
    return 0;
}

static void put_slot(gf_event_pool_t *pool, gf_event_handle_t *h)
{
    int slot = (int)(h->key & SLOT_MASK);
    pool->slots[slot] = (slot_t){.h = NULL, .next_free = pool->free_slot};
    pool->free_slot = slot;
}

/* Runs h's callback for events, again for whatever fired meanwhile, then
 * re-arms h unless it was deleted. Called and returns with the pool lock held. */
static void run_handle(gf_event_handle_t *h, uint32_t events)
{
    gf_event_pool_t *pool = h->pool;
    h->in_cb = true;
    h->cb_thread = pthread_self();
    h->refs++;
    while (events && !h->deleted) {
        pthread_mutex_unlock(&pool->lock);
        h->cb(h->fd, events, h->data);
        pthread_mutex_lock(&pool->lock);
        events = h->pending;
        h->pending = 0;
    }
    h->in_cb = false;
    if (!h->deleted)
        arm(h, EPOLL_CTL_MOD);
    pthread_cond_broadcast(&pool->cb_done);
    handle_unref(h);
}

/* Handles one epoll event for a registration. */
static void dispatch(gf_event_pool_t *pool, uint64_t key, uint32_t revents)
{
    pthread_mutex_lock(&pool->lock);
    gf_event_handle_t *h = lookup(pool, key);
    if (h && h->in_cb)
        h->pending |= from_epoll(revents);
    else if (h)
        run_handle(h, from_epoll(revents));
    pthread_mutex_unlock(&pool->lock);
}

/* Adds one count to the post eventfd, waking one thread. The write cannot fail:
 * the counter would need 2^64 - 1 unconsumed counts to overflow. */
static void count_post(gf_event_pool_t *pool)
{
    uint64_t one = 1;
    ssize_t n = write(pool->postfd, &one, sizeof(one));
    (void)n;
}

/* Consumes one count of the post eventfd and runs one posted task. Returns
 * true when the pool is stopping and nothing is left to run: the caller exits. */
static bool run_posted(gf_event_pool_t *pool)
{
    uint64_t one;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLONESHOT, .data.u64 = POST_KEY};
    bool took = read(pool->postfd, &one, sizeof(one)) == sizeof(one);
    epoll_ctl(pool->epfd, EPOLL_CTL_MOD, pool->postfd, &ev);
    pthread_mutex_lock(&pool->lock);
    post_t *p = pool->post_head;
    if (p) {
        pool->post_head = p->next;
        if (!pool->post_head)
            pool->post_tail = NULL;
    }
    bool stop = !p && took && pool->stopping;
    pthread_mutex_unlock(&pool->lock);
    if (p) {
        p->task(p->data);
        gf_free(p);
    }
    return stop;
}

static void *event_thread(void *arg)
{
    gf_event_pool_t *pool = arg;
    for (;;) {
        struct epoll_event ev;
        int n = epoll_wait(pool->epfd, &ev, 1, -1);
        if (n < 0 && errno != EINTR)
            break;
        if (n <= 0)
            continue;
        if (ev.data.u64 != POST_KEY)
            dispatch(pool, ev.data.u64, ev.events);
        else if (run_posted(pool))
            break;
    }
    count_post(pool); /* pass the stop count on to the next thread */
    return NULL;
}

/* Opens the epoll set and the post eventfd, registered under POST_KEY. 0 or -errno. */
static int open_fds(gf_event_pool_t *pool)
{
    pool->epfd = epoll_create1(EPOLL_CLOEXEC);
    pool->postfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE);
    if (pool->epfd < 0 || pool->postfd < 0)
        return -errno;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLONESHOT, .data.u64 = POST_KEY};
    return epoll_ctl(pool->epfd, EPOLL_CTL_ADD, pool->postfd, &ev) < 0 ? -errno : 0;
}

/* Creates the pool and its nthreads (>= 1) threads. NULL on failure with errno
 * set (EINVAL, ENOMEM, or that of epoll/eventfd/pthread_create). */
gf_event_pool_t *gf_event_pool_new(int nthreads)
{
    if (nthreads < 1) {
        errno = EINVAL;
        return NULL;
    }
    gf_event_pool_t *pool = gf_calloc(1, sizeof(*pool));
    pthread_t *threads = gf_calloc((size_t)nthreads, sizeof(*threads));
    if (!pool || !threads) {
        gf_free(pool);
        gf_free(threads);
        return NULL;
    }
    pool->threads = threads;
    pool->free_slot = -1;
    pool->epfd = pool->postfd = -1;
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->cb_done, NULL);
    int err = grow_slots(pool); /* now, so the table is charged to the creator */
    if (!err)
        err = open_fds(pool);
    while (!err && pool->nthreads < nthreads) {
        err = -pthread_create(&threads[pool->nthreads], NULL, event_thread, pool);
        if (!err)
            pthread_setname_np(threads[pool->nthreads++], "gfs-event");
    }
    if (err) {
        gf_event_pool_destroy(pool);
        errno = -err;
        return NULL;
    }
    return pool;
}

/* Stops and joins the threads (running callbacks finish; queued posted tasks run
 * first), then frees the handles still registered and the pool. Must not be
 * called from an event thread. */
void gf_event_pool_destroy(gf_event_pool_t *pool)
{
    if (!pool)
        return;
    pthread_mutex_lock(&pool->lock);
    pool->stopping = true;
    pthread_mutex_unlock(&pool->lock);
    if (pool->nthreads > 0)
        count_post(pool);
    for (int i = 0; i < pool->nthreads; i++)
        pthread_join(pool->threads[i], NULL);
    for (int i = 0; i < pool->nslots; i++)
        gf_free(pool->slots[i].h);
    for (post_t *p = pool->post_head, *next; p; p = next) {
        next = p->next;
        gf_free(p);
    }
    if (pool->epfd >= 0)
        close(pool->epfd);
    if (pool->postfd >= 0)
        close(pool->postfd);
    pthread_mutex_destroy(&pool->lock);
    pthread_cond_destroy(&pool->cb_done);
    gf_free(pool->slots);
    gf_free(pool->threads);
    gf_free(pool);
}

int gf_event_pool_nthreads(gf_event_pool_t *pool)
{
    return pool->nthreads;
}

/* Registers fd; see event.h. *out is set before the callback can first run, so
 * the callback may use it. Returns 0, or -EINVAL on bad arguments, -ESHUTDOWN
 * when the pool is stopping, -ENOMEM, or epoll_ctl's error (e.g. -EEXIST,
 * -EPERM), with *out set to NULL. */
int gf_event_add(gf_event_pool_t *pool, int fd, uint32_t events, gf_event_cb_t cb, void *data,
                 gf_event_handle_t **out)
{
    if (!pool || fd < 0 || !cb || !out)
        return -EINVAL;
    gf_event_handle_t *h = gf_calloc(1, sizeof(*h));
    if (!h)
        return -ENOMEM;
    *h = (gf_event_handle_t){.pool = pool, .fd = fd, .cb = cb, .data = data,
                             .events = events, .refs = 1};
    pthread_mutex_lock(&pool->lock);
    int err = pool->stopping ? -ESHUTDOWN : take_slot(pool, h);
    if (!err) {
        *out = h;
        err = arm(h, EPOLL_CTL_ADD);
        if (err)
            put_slot(pool, h);
    }
    pthread_mutex_unlock(&pool->lock);
    if (err) {
        *out = NULL;
        gf_free(h);
    }
    return err;
}

/* Sets the watched events. From h's callback they apply at re-arm; otherwise h
 * is re-armed now. 0 or -errno from epoll_ctl. */
int gf_event_mod(gf_event_handle_t *h, uint32_t events)
{
    gf_event_pool_t *pool = h->pool;
    int err = 0;
    pthread_mutex_lock(&pool->lock);
    h->events = events;
    if (!h->in_cb && !h->deleted)
        err = arm(h, EPOLL_CTL_MOD);
    pthread_mutex_unlock(&pool->lock);
    return err;
}

/* Unregisters h; see event.h. The descriptor must still be open (closing it
 * first lets its number be reused by another registration). Returns 0. */
int gf_event_del(gf_event_handle_t *h)
{
    gf_event_pool_t *pool = h->pool;
    pthread_mutex_lock(&pool->lock);
    h->deleted = true;
    put_slot(pool, h);
    epoll_ctl(pool->epfd, EPOLL_CTL_DEL, h->fd, NULL);
    bool own_cb = h->in_cb && pthread_equal(h->cb_thread, pthread_self());
    while (h->in_cb && !own_cb)
        pthread_cond_wait(&pool->cb_done, &pool->lock);
    handle_unref(h);
    pthread_mutex_unlock(&pool->lock);
    return 0;
}

/* Queues task(data) to run once on an event thread. 0, -ENOMEM, or -ESHUTDOWN
 * when the pool is stopping. */
int gf_event_post(gf_event_pool_t *pool, gf_event_task_t task, void *data)
{
    post_t *p = gf_malloc(sizeof(*p));
    if (!p)
        return -ENOMEM;
    *p = (post_t){.task = task, .data = data};
    pthread_mutex_lock(&pool->lock);
    int err = pool->stopping ? -ESHUTDOWN : 0;
    if (!err) {
        if (pool->post_tail)
            pool->post_tail->next = p;
        else
            pool->post_head = p;
        pool->post_tail = p;
    }
    pthread_mutex_unlock(&pool->lock);
    if (err)
        gf_free(p);
    else
        count_post(pool);
    return err;
}
