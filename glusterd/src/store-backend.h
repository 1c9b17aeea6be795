/*
 * What the store's backends share (store.c implements it; code above the store
 * uses store.h only): the serial queue through which a backend delivers its
 * watch, session and election callbacks, and the base every backend's watch
 * starts with.
 *
 * The queue runs its jobs one at a time, in the order they were pushed, on the
 * event threads, never inside the call that pushed them. That is what keeps a
 * watch's changes in order although the pool has several threads, and a session
 * "down" reported after the "up" before it.
 */
#ifndef GD_STORE_BACKEND_H
#define GD_STORE_BACKEND_H

#include "store.h"

typedef struct gd_store_queue gd_store_queue_t;
typedef struct gd_store_job gd_store_job_t;

/* One job. fn(j, 1) runs it, fn(j, 0) drops it (the queue was closed); either
 * way fn frees j. */
struct gd_store_job {
    gd_store_job_t *next;
    void (*fn)(gd_store_job_t *j, int run);
};

/* A queue whose jobs run on events (which must outlive it). NULL on ENOMEM. */
gd_store_queue_t *gd_store_queue_new(gf_event_pool_t *events);
/* Appends j (the queue owns it from now on). */
void gd_store_queue_push(gd_store_queue_t *q, gd_store_job_t *j);
/* Queues fn(arg, cookie), a session or election callback. 0 or -ENOMEM. */
int gd_store_queue_call(gd_store_queue_t *q, void (*fn)(int arg, void *cookie), int arg,
                        void *cookie);
/* Drops the jobs not yet run and waits for the one running on another thread,
 * then releases q (its memory goes with the last task posted for it). */
void gd_store_queue_close(gd_store_queue_t *q);

/*
 * A watch as store.c knows it: a backend's watch starts with this. Its changes
 * are delivered through the backend's queue (gd_store_watch_post). It holds one
 * reference for its registration, dropped by gd_store_watch_cancel (after the
 * backend's watch_cancel, which stops whatever feeds the watch) or by the
 * backend's destroy, and one per delivery queued; the last one frees it with
 * free_fn.
 */
struct gd_store_watch {
    gd_store_t *store;
    gd_store_queue_t *queue;
    gd_store_watch_cb_t cb;
    void *cookie;
    int cancelled; /* atomic */
    int refs;      /* atomic */
    void (*free_fn)(gd_store_watch_t *w);
};

void gd_store_watch_init(gd_store_watch_t *w, gd_store_t *s, gd_store_queue_t *q,
                         gd_store_watch_cb_t cb, void *cookie, void (*free_fn)(gd_store_watch_t *));
/* Queues a call of w's callback with a copy of evs (n 0: "established"). 0 or
 * -ENOMEM (the changes are lost: the backend should report n 0 later). */
int gd_store_watch_post(gd_store_watch_t *w, const gd_store_event_t *evs, int n);
/* Whether w was cancelled. */
int gd_store_watch_cancelled(gd_store_watch_t *w);
/* Drops one reference; the last frees w. */
void gd_store_watch_unref(gd_store_watch_t *w);

#endif
