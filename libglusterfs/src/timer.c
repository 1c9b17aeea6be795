/*
 * Timers: one thread per wheel sleeps on a condition variable (CLOCK_MONOTONIC)
 * until the earliest pending timer is due, then runs its callback without the
 * lock held. Pending timers sit in a binary min-heap ordered by due time (ties
 * in order of creation).
 *
 * A gf_timer_t * is a ticket, not memory: it carries the timer's id (a counter
 * that never repeats), and the entry itself is found through a hash table of the
 * pending ones. The entry is freed as soon as its callback returns, yet
 * gf_timer_cancel on a timer that has run stays safe and answers -EALREADY, so
 * a caller need not cancel timers that fired.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "glusterfs/mem.h"
#include "glusterfs/timer.h"

#define INITIAL_SLOTS 64

typedef struct tentry {
    uint64_t id;
    uint64_t due_ns; /* CLOCK_MONOTONIC */
    gf_timer_cb_t cb;
    void *data;
    size_t heap_idx;
    struct tentry *hnext; /* next in its hash bucket */
} tentry_t;

struct gf_timer_wheel {
    pthread_mutex_t lock; /* guards all below */
    pthread_cond_t wake;  /* the earliest timer changed, or stopping */
    pthread_cond_t done;  /* a callback returned */
    pthread_t thread;
    tentry_t **heap;
    size_t count, cap;    /* pending timers; heap and buckets sizes */
    tentry_t **buckets;   /* cap buckets: the hash keeps a load of at most 1 */
    uint64_t next_id;
    uint64_t running;     /* id whose callback runs now; 0 when none */
    bool stopping;
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t gf_time_ms(void)
{
    return now_ns() / 1000000u;
}

static bool earlier(const tentry_t *a, const tentry_t *b)
{
    return a->due_ns < b->due_ns || (a->due_ns == b->due_ns && a->id < b->id);
}

static void heap_set(gf_timer_wheel_t *w, size_t i, tentry_t *e)
{
    w->heap[i] = e;
    e->heap_idx = i;
}

static void sift_up(gf_timer_wheel_t *w, size_t i)
{
    tentry_t *e = w->heap[i];
    while (i > 0 && earlier(e, w->heap[(i - 1) / 2])) {
        heap_set(w, i, w->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    heap_set(w, i, e);
}

static void sift_down(gf_timer_wheel_t *w, size_t i)
{
    tentry_t *e = w->heap[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= w->count)
            break;
        if (c + 1 < w->count && earlier(w->heap[c + 1], w->heap[c]))
            c++;
        if (!earlier(w->heap[c], e))
            break;
        heap_set(w, i, w->heap[c]);
        i = c;
    }
    heap_set(w, i, e);
}

static tentry_t **bucket(gf_timer_wheel_t *w, uint64_t id)
{
    return &w->buckets[(id * 0x9e3779b97f4a7c15u >> 32) & (w->cap - 1)];
}

/* Removes e from the heap and the hash. Lock held. */
static void unlink_entry(gf_timer_wheel_t *w, tentry_t *e)
{
    size_t i = e->heap_idx;
    tentry_t *last = w->heap[--w->count];
    if (last != e) {
        heap_set(w, i, last);
        sift_up(w, i);
        sift_down(w, last->heap_idx);
    }
    tentry_t **pp = bucket(w, e->id);
    while (*pp != e)
        pp = &(*pp)->hnext;
    *pp = e->hnext;
}

static tentry_t *find_entry(gf_timer_wheel_t *w, uint64_t id)
{
    tentry_t *e = *bucket(w, id);
    while (e && e->id != id)
        e = e->hnext;
    return e;
}

/* Doubles the heap and the hash table (rehashing). Lock held. 0 or -ENOMEM. */
static int grow(gf_timer_wheel_t *w)
{
    size_t cap = w->cap * 2;
    tentry_t **heap = gf_realloc(w->heap, cap * sizeof(*heap));
    if (!heap)
        return -ENOMEM;
    w->heap = heap;
    tentry_t **buckets = gf_realloc(w->buckets, cap * sizeof(*buckets));
    if (!buckets)
        return -ENOMEM;
    for (size_t i = 0; i < cap; i++)
        buckets[i] = NULL;
    w->buckets = buckets;
    w->cap = cap;
    for (size_t i = 0; i < w->count; i++) {
        tentry_t **b = bucket(w, w->heap[i]->id);
        w->heap[i]->hnext = *b;
        *b = w->heap[i];
    }
    return 0;
}

/* Runs the earliest timer if it is due, else sleeps until it is or until woken.
 * Lock held on entry and return. */
static void run_or_wait(gf_timer_wheel_t *w)
{
    if (w->count == 0) {
        pthread_cond_wait(&w->wake, &w->lock);
        return;
    }
    tentry_t *e = w->heap[0];
    if (e->due_ns > now_ns()) {
        struct timespec until = {.tv_sec = (time_t)(e->due_ns / 1000000000u),
                                 .tv_nsec = (long)(e->due_ns % 1000000000u)};
        pthread_cond_timedwait(&w->wake, &w->lock, &until);
        return;
    }
    unlink_entry(w, e);
    w->running = e->id;
    pthread_mutex_unlock(&w->lock);
    e->cb(e->data);
    gf_free(e);
    pthread_mutex_lock(&w->lock);
    w->running = 0;
    pthread_cond_broadcast(&w->done);
}

static void *timer_thread(void *arg)
{
    gf_timer_wheel_t *w = arg;
    pthread_mutex_lock(&w->lock);
    while (!w->stopping)
        run_or_wait(w);
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* Frees the wheel's memory and synchronisation objects (not the thread). */
static void wheel_free(gf_timer_wheel_t *w)
{
    for (size_t i = 0; i < w->count; i++)
        gf_free(w->heap[i]);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->wake);
    pthread_cond_destroy(&w->done);
    gf_free(w->heap);
    gf_free(w->buckets);
    gf_free(w);
}

/* Creates a wheel and starts its thread. NULL on failure with errno set. Its
 * tables are charged to the current account, for the wheel's lifetime. */
gf_timer_wheel_t *gf_timer_wheel_new(void)
{
    gf_timer_wheel_t *w = gf_calloc(1, sizeof(*w));
    if (!w)
        return NULL;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, &attr);
    pthread_cond_init(&w->done, NULL);
    pthread_condattr_destroy(&attr);
    w->cap = INITIAL_SLOTS;
    w->heap = gf_calloc(w->cap, sizeof(*w->heap));
    w->buckets = gf_calloc(w->cap, sizeof(*w->buckets));
    int err = w->heap && w->buckets ? pthread_create(&w->thread, NULL, timer_thread, w) : ENOMEM;
    if (err) {
        wheel_free(w);
        errno = err;
        return NULL;
    }
    pthread_setname_np(w->thread, "gfs-timer");
    return w;
}

/* Stops the thread (after a running callback returns), dropping pending timers
 * without running them, and frees w. Must not be called from a timer callback. */
void gf_timer_wheel_destroy(gf_timer_wheel_t *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    wheel_free(w);
}

/* Schedules cb(data) delay_ms from now. Returns the timer's ticket, or NULL
 * (errno ENOMEM, or ESHUTDOWN when w is being destroyed). */
gf_timer_t *gf_timer_add(gf_timer_wheel_t *w, uint64_t delay_ms, gf_timer_cb_t cb, void *data)
{
    tentry_t *e = gf_malloc(sizeof(*e));
    if (!e)
        return NULL;
    uint64_t now = now_ns(), delay_ns;
    if (__builtin_mul_overflow(delay_ms, 1000000u, &delay_ns) || delay_ns > UINT64_MAX - now)
        delay_ns = UINT64_MAX - now; /* never, in practice */
    *e = (tentry_t){.due_ns = now + delay_ns, .cb = cb, .data = data};
    pthread_mutex_lock(&w->lock);
    int err = w->stopping ? ESHUTDOWN : 0;
    if (!err && w->count == w->cap)
        err = -grow(w);
    if (err) {
        pthread_mutex_unlock(&w->lock);
        gf_free(e);
        errno = err;
        return NULL;
    }
    uint64_t id = e->id = ++w->next_id; /* e may be freed once unlocked */
    tentry_t **b = bucket(w, e->id);
    e->hnext = *b;
    *b = e;
    heap_set(w, w->count++, e);
    sift_up(w, e->heap_idx);
    if (w->heap[0] == e)
        pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    return (gf_timer_t *)(uintptr_t)id;
}

/* See timer.h. A callback running on the timer thread is waited for unless the
 * caller is that callback, so after gf_timer_cancel returns (outside the
 * callback) the callback is not running and will not run: do not hold a lock
 * the callback takes. -EINVAL when t is NULL. */
int gf_timer_cancel(gf_timer_wheel_t *w, gf_timer_t *t)
{
    uint64_t id = (uintptr_t)t;
    if (!id)
        return -EINVAL;
    pthread_mutex_lock(&w->lock);
    tentry_t *e = find_entry(w, id);
    if (e)
        unlink_entry(w, e);
    else if (!pthread_equal(pthread_self(), w->thread))
        while (w->running == id)
            pthread_cond_wait(&w->done, &w->lock);
    pthread_mutex_unlock(&w->lock);
    gf_free(e);
    return e ? 0 : -EALREADY;
}
