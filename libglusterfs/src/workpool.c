/*
 * The worker pool: a locked FIFO of work items served by a number of threads
 * that follows the load. A submit starts a new thread (up to max) when more
 * items wait than threads are idle; a thread above min that stays idle for
 * IDLE_EXIT_MS leaves.
 *
 * A leaving thread cannot join itself, so it records its id in the pool's list
 * of finished threads; that list is joined at the next thread start and at
 * destroy, so no thread is ever left unjoined.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "glusterfs/mem.h"
#include "glusterfs/workpool.h"

#define IDLE_EXIT_MS 5000

typedef struct work {
    gf_work_fn_t fn;
    void *data;
    struct work *next;
} work_t;

struct gf_workpool {
    pthread_mutex_t lock;  /* guards all below */
    pthread_cond_t ready;  /* work queued, or stopping */
    pthread_cond_t exited; /* a thread left */
    work_t *head, *tail;
    int queued;            /* items in the queue */
    int nthreads;          /* threads alive */
    int idle;              /* threads waiting for work */
    int min, max;
    pthread_t *finished;   /* left but not joined yet; room for max */
    int nfinished;
    bool stopping;
};

static void join_finished(gf_workpool_t *p)
{
    while (p->nfinished > 0)
        pthread_join(p->finished[--p->nfinished], NULL);
}

static struct timespec idle_deadline(void)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += IDLE_EXIT_MS / 1000;
    return until;
}

/* Waits for work, lock held. Returns false when the thread should leave: the
 * pool stops with an empty queue, or it stayed idle IDLE_EXIT_MS above min. */
static bool wait_for_work(gf_workpool_t *p)
{
    struct timespec until = idle_deadline();
    while (!p->head) {
        if (p->stopping)
            return false;
        p->idle++;
        int rc = pthread_cond_timedwait(&p->ready, &p->lock, &until);
        p->idle--;
        if (rc != ETIMEDOUT || p->head)
            continue;
        if (p->nthreads > p->min)
            return false;
        until = idle_deadline(); /* needed to keep min threads: wait on */
    }
    return true;
}

static void *worker(void *arg)
{
    gf_workpool_t *p = arg;
    pthread_mutex_lock(&p->lock);
    while (wait_for_work(p)) {
        work_t *w = p->head;
        p->head = w->next;
        if (!p->head)
            p->tail = NULL;
        p->queued--;
        pthread_mutex_unlock(&p->lock);
        w->fn(w->data);
        gf_free(w);
        pthread_mutex_lock(&p->lock);
    }
    p->nthreads--;
    p->finished[p->nfinished++] = pthread_self();
    pthread_cond_broadcast(&p->exited);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* Starts one more thread. Lock held. 0 or -errno from pthread_create. */
static int start_thread(gf_workpool_t *p)
{
    pthread_t tid;
    join_finished(p);
    int err = pthread_create(&tid, NULL, worker, p);
    if (err)
        return -err;
    pthread_setname_np(tid, "gfs-worker");
    p->nthreads++;
    return 0;
}

/* Creates a pool with min_threads threads (0 <= min <= max, max >= 1) that may
 * grow to max_threads. NULL on failure with errno set. */
gf_workpool_t *gf_workpool_new(int min_threads, int max_threads)
{
    if (min_threads < 0 || max_threads < 1 || min_threads > max_threads) {
        errno = EINVAL;
        return NULL;
    }
    gf_workpool_t *p = gf_calloc(1, sizeof(*p));
    pthread_t *finished = gf_calloc((size_t)max_threads, sizeof(*finished));
    if (!p || !finished) {
        gf_free(p);
        gf_free(finished);
        return NULL;
    }
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->ready, &attr);
    pthread_cond_init(&p->exited, NULL);
    pthread_condattr_destroy(&attr);
    p->min = min_threads;
    p->max = max_threads;
    p->finished = finished;
    pthread_mutex_lock(&p->lock);
    int err = 0;
    while (!err && p->nthreads < min_threads)
        err = start_thread(p);
    pthread_mutex_unlock(&p->lock);
    if (err) {
        gf_workpool_destroy(p);
        errno = -err;
        return NULL;
    }
    return p;
}

/* Runs everything queued (including work submitted meanwhile), joins every
 * thread and frees p. Must not be called from a work item. */
void gf_workpool_destroy(gf_workpool_t *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_broadcast(&p->ready);
    while (p->nthreads > 0)
        pthread_cond_wait(&p->exited, &p->lock);
    join_finished(p);
    pthread_mutex_unlock(&p->lock);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->ready);
    pthread_cond_destroy(&p->exited);
    gf_free(p->finished);
    gf_free(p);
}

/* Queues fn(data), starting a thread if none is free and max allows. 0,
 * -EINVAL, -ENOMEM, or pthread_create's error when the pool has no thread at
 * all to run it (then nothing was queued). */
int gf_workpool_submit(gf_workpool_t *p, gf_work_fn_t fn, void *data)
{
    if (!p || !fn)
        return -EINVAL;
    work_t *w = gf_malloc(sizeof(*w));
    if (!w)
        return -ENOMEM;
    *w = (work_t){.fn = fn, .data = data};
    pthread_mutex_lock(&p->lock);
    if (p->tail)
        p->tail->next = w;
    else
        p->head = w;
    p->tail = w;
    p->queued++;
    int err = 0;
    if (p->queued > p->idle && p->nthreads < p->max)
        err = start_thread(p);
    if (p->idle > 0)
        pthread_cond_signal(&p->ready);
    if (err && p->nthreads > 0) {
        err = 0; /* a running thread will get to it */
    } else if (err) {
        p->head = p->tail = NULL; /* with no thread, w is the only item */
        p->queued = 0;
        gf_free(w);
    }
    pthread_mutex_unlock(&p->lock);
    return err;
}

int gf_workpool_nthreads(gf_workpool_t *p)
{
    pthread_mutex_lock(&p->lock);
    int n = p->nthreads;
    pthread_mutex_unlock(&p->lock);
    return n;
}
