/*
 * The backend-independent half of the store: key rules, transaction building, the
 * calls that dispatch to a backend's operations, and what backends share
 * (store-backend.h): the serial queue of their callbacks and the base of a watch.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "store-backend.h"

int
gd_store_key_valid(const char *key)
{
    size_t len = key ? strlen(key) : 0;
    if (len == 0 || len > GD_STORE_KEY_MAX)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)key[i];
        int part_start = (i == 0 || key[i - 1] == '/');
        if (!isprint(c))
            return 0;
        if (part_start && (c == '/' || c == '.'))
            return 0;
    }
    return key[len - 1] != '/';
}

void
gd_store_get(gd_store_t *s, const char *key, gd_store_get_cb_t cb, void *cookie)
{
    if (!gd_store_key_valid(key)) {
        cb(-EINVAL, NULL, cookie);
        return;
    }
    s->ops->get(s, key, cb, cookie);
}

void
gd_store_list(gd_store_t *s, const char *prefix, gd_store_list_cb_t cb, void *cookie)
{
    s->ops->list(s, prefix, cb, cookie);
}

void
gd_store_txn(gd_store_t *s, const gd_txn_t *txn, gd_store_txn_cb_t cb, void *cookie)
{
    if (txn->err) {
        cb(txn->err, 0, cookie);
        return;
    }
    for (int i = 0; i < txn->n_guards; i++) {
        if (!gd_store_key_valid(txn->guards[i].key)) {
            cb(-EINVAL, 0, cookie);
            return;
        }
    }
    for (int i = 0; i < txn->n_ops; i++) {
        if (!gd_store_key_valid(txn->ops[i].key)) {
            cb(-EINVAL, 0, cookie);
            return;
        }
    }
    s->ops->txn(s, txn, cb, cookie);
}

/* Runs a transaction of one put (value non-NULL) or one delete (value NULL). */
static void
single_op(gd_store_t *s, const char *key, const char *value, gd_store_txn_cb_t cb, void *cookie)
{
    gd_txn_t *txn = gd_txn_new();
    if (!txn) {
        cb(-ENOMEM, 0, cookie);
        return;
    }
    if (value)
        gd_txn_put_str(txn, key, value);
    else
        gd_txn_delete(txn, key);
    gd_store_txn(s, txn, cb, cookie);
    gd_txn_free(txn);
}

void
gd_store_put(gd_store_t *s, const char *key, const char *value, gd_store_txn_cb_t cb,
             void *cookie)
{
    single_op(s, key, value ? value : "", cb, cookie);
}

void
gd_store_delete(gd_store_t *s, const char *key, gd_store_txn_cb_t cb, void *cookie)
{
    single_op(s, key, NULL, cb, cookie);
}

void
gd_store_destroy(gd_store_t *s)
{
    if (s)
        s->ops->destroy(s);
}

/* Whether prefix may be watched: any printable string of at most a key's
 * length, "" (everything) included. */
static int
prefix_valid(const char *prefix)
{
    size_t len = prefix ? strlen(prefix) : GD_STORE_KEY_MAX + 1;
    if (len > GD_STORE_KEY_MAX)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!isprint((unsigned char)prefix[i]))
            return 0;
    return 1;
}

int
gd_store_watch(gd_store_t *s, const char *prefix, gd_store_watch_cb_t cb, void *cookie,
               gd_store_watch_t **out)
{
    if (!prefix_valid(prefix) || !cb || !out)
        return -EINVAL;
    if (!s->ops->watch)
        return -EOPNOTSUPP;
    return s->ops->watch(s, prefix, cb, cookie, out);
}

void
gd_store_watch_cancel(gd_store_watch_t *w)
{
    if (!w)
        return;
    __atomic_store_n(&w->cancelled, 1, __ATOMIC_RELEASE);
    w->store->ops->watch_cancel(w);
    gd_store_watch_unref(w);
}

int
gd_store_session_open(gd_store_t *s, int ttl_s, gd_store_session_cb_t cb, void *cookie)
{
    if (ttl_s < 1 || !cb)
        return -EINVAL;
    if (!s->ops->session_open)
        return -EOPNOTSUPP;
    return s->ops->session_open(s, ttl_s, cb, cookie);
}

int
gd_store_elect(gd_store_t *s, const char *name, const char *value, gd_store_elect_cb_t cb,
               void *cookie)
{
    if (!gd_store_key_valid(name) || !value || !cb)
        return -EINVAL;
    if (!s->ops->elect)
        return -EOPNOTSUPP;
    return s->ops->elect(s, name, value, cb, cookie);
}

void
gd_store_strerror(gd_store_t *s, int err, char *buf, size_t len)
{
    if (!buf || len == 0)
        return;
    buf[0] = '\0';
    if (s && s->ops->strerror)
        s->ops->strerror(s, err, buf, len);
    if (!buf[0])
        snprintf(buf, len, "%s", strerror(err < 0 ? -err : err));
}

/*
 * The serial queue. One task posted to the event loop at a time drains it (the
 * "drainer"), so jobs never overlap and keep their order whatever the number of
 * event threads. The queue's memory is shared by its owner and the posted task;
 * the last of the two to let go frees it.
 */

struct gd_store_queue {
    gf_event_pool_t *events;
    pthread_mutex_t mu;
    pthread_cond_t idle; /* a job finished */
    /* Under mu. */
    gd_store_job_t *head, *tail;
    int posted;  /* a drain task is queued or running */
    int running; /* a job runs now, on thread runner */
    pthread_t runner;
    int closed;
    int refs; /* the owner's, and the posted drain task's */
};

gd_store_queue_t *
gd_store_queue_new(gf_event_pool_t *events)
{
    gd_store_queue_t *q = gf_calloc(1, sizeof(*q));
    if (!q)
        return NULL;
    q->events = events;
    q->refs = 1;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->idle, NULL);
    return q;
}

static void
queue_free(gd_store_queue_t *q)
{
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->idle);
    gf_free(q);
}

/* The drain task: runs jobs until none is left or the queue is closed. */
static void
queue_drain(void *data)
{
    gd_store_queue_t *q = data;
    int last;

    pthread_mutex_lock(&q->mu);
    while (!q->closed && q->head) {
        gd_store_job_t *j = q->head;
        q->head = j->next;
        if (!q->head)
            q->tail = NULL;
        q->running = 1;
        q->runner = pthread_self();
        pthread_mutex_unlock(&q->mu);
        j->fn(j, 1);
        pthread_mutex_lock(&q->mu);
        q->running = 0;
        pthread_cond_broadcast(&q->idle);
    }
    q->posted = 0;
    last = --q->refs == 0;
    pthread_mutex_unlock(&q->mu);
    if (last)
        queue_free(q);
}

void
gd_store_queue_push(gd_store_queue_t *q, gd_store_job_t *j)
{
    pthread_mutex_lock(&q->mu);
    if (q->closed) {
        pthread_mutex_unlock(&q->mu);
        j->fn(j, 0);
        return;
    }
    j->next = NULL;
    if (q->tail)
        q->tail->next = j;
    else
        q->head = j;
    q->tail = j;
    if (!q->posted) {
        if (gf_event_post(q->events, queue_drain, q) == 0) {
            q->posted = 1;
            q->refs++;
        } else {
            gf_log(GF_LOG_ERROR, "store: cannot post to the event loop; watch, session and "
                                 "election callbacks wait for the next change");
        }
    }
    pthread_mutex_unlock(&q->mu);
}

void
gd_store_queue_close(gd_store_queue_t *q)
{
    gd_store_job_t *jobs;
    int last;

    if (!q)
        return;
    pthread_mutex_lock(&q->mu);
    q->closed = 1;
    jobs = q->head;
    q->head = q->tail = NULL;
    while (q->running && !pthread_equal(q->runner, pthread_self()))
        pthread_cond_wait(&q->idle, &q->mu);
    last = --q->refs == 0;
    pthread_mutex_unlock(&q->mu);
    while (jobs) {
        gd_store_job_t *j = jobs;
        jobs = j->next;
        j->fn(j, 0);
    }
    if (last)
        queue_free(q);
}

typedef struct call_job {
    gd_store_job_t base;
    void (*fn)(int arg, void *cookie);
    int arg;
    void *cookie;
} call_job_t;

static void
call_job(gd_store_job_t *j, int run)
{
    call_job_t *c = (call_job_t *)j;
    if (run)
        c->fn(c->arg, c->cookie);
    gf_free(c);
}

int
gd_store_queue_call(gd_store_queue_t *q, void (*fn)(int arg, void *cookie), int arg, void *cookie)
{
    call_job_t *c = gf_calloc(1, sizeof(*c));
    if (!c)
        return -ENOMEM;
    *c = (call_job_t){.base.fn = call_job, .fn = fn, .arg = arg, .cookie = cookie};
    gd_store_queue_push(q, &c->base);
    return 0;
}

/*
 * Watches.
 */

void
gd_store_watch_init(gd_store_watch_t *w, gd_store_t *s, gd_store_queue_t *q,
                    gd_store_watch_cb_t cb, void *cookie, void (*free_fn)(gd_store_watch_t *))
{
    *w = (gd_store_watch_t){
        .store = s, .queue = q, .cb = cb, .cookie = cookie, .refs = 1, .free_fn = free_fn};
}

int
gd_store_watch_cancelled(gd_store_watch_t *w)
{
    return __atomic_load_n(&w->cancelled, __ATOMIC_ACQUIRE);
}

void
gd_store_watch_unref(gd_store_watch_t *w)
{
    if (__atomic_sub_fetch(&w->refs, 1, __ATOMIC_ACQ_REL) == 0)
        w->free_fn(w);
}

/* One delivery: the changes and their keys and values, in one allocation. */
typedef struct watch_job {
    gd_store_job_t base;
    gd_store_watch_t *w;
    int n;
    gd_store_event_t evs[];
} watch_job_t;

static void
watch_job(gd_store_job_t *j, int run)
{
    watch_job_t *wj = (watch_job_t *)j;
    gd_store_watch_t *w = wj->w;
    if (run && !gd_store_watch_cancelled(w))
        w->cb(wj->n ? wj->evs : NULL, wj->n, w->cookie);
    gd_store_watch_unref(w);
    gf_free(wj);
}

/* Copies s (len bytes and a NUL) to *p, advancing it; returns the copy. */
static char *
copy_out(char **p, const char *s, size_t len)
{
    char *d = *p;
    memcpy(d, s, len);
    d[len] = '\0';
    *p += len + 1;
    return d;
}

int
gd_store_watch_post(gd_store_watch_t *w, const gd_store_event_t *evs, int n)
{
    size_t size = sizeof(watch_job_t) + (size_t)n * sizeof(gd_store_event_t);
    watch_job_t *wj;
    char *p;

    for (int i = 0; i < n; i++)
        size += strlen(evs[i].kv.key) + 1 + evs[i].kv.len + 1;
    if (!(wj = gf_malloc(size)))
        return -ENOMEM;
    *wj = (watch_job_t){.base.fn = watch_job, .w = w, .n = n};
    p = (char *)&wj->evs[n];
    for (int i = 0; i < n; i++) {
        const gd_kv_t *kv = &evs[i].kv;
        wj->evs[i] = (gd_store_event_t){
            .deleted = evs[i].deleted, .kv.len = kv->value ? kv->len : 0, .kv.rev = kv->rev};
        wj->evs[i].kv.key = copy_out(&p, kv->key, strlen(kv->key));
        wj->evs[i].kv.value = copy_out(&p, kv->value ? kv->value : "", kv->value ? kv->len : 0);
    }
    __atomic_add_fetch(&w->refs, 1, __ATOMIC_RELAXED);
    gd_store_queue_push(w->queue, &wj->base);
    return 0;
}

gd_txn_t *
gd_txn_new(void)
{
    return gf_calloc(1, sizeof(gd_txn_t));
}

/* Grows *arr (of *n elements of size sz) by one zeroed element; NULL on ENOMEM. */
static void *
grow(void **arr, int *n, size_t sz)
{
    char *p = gf_realloc(*arr, (size_t)(*n + 1) * sz);
    if (!p)
        return NULL;
    memset(p + (size_t)*n * sz, 0, sz);
    *arr = p;
    return p + (size_t)(*n)++ * sz;
}

void
gd_txn_guard(gd_txn_t *txn, const char *key, uint64_t rev)
{
    gd_txn_guard_t *g;
    if (txn->err)
        return;
    g = grow((void **)&txn->guards, &txn->n_guards, sizeof(*g));
    if (!g || !(g->key = gf_strdup(key))) {
        if (g)
            txn->n_guards--;
        txn->err = -ENOMEM;
        return;
    }
    g->rev = rev;
}

/* Appends an operation; value NULL for a delete. */
static void
add_op(gd_txn_t *txn, gd_txn_op_type_t type, const char *key, const char *value, size_t len)
{
    gd_txn_op_t *op;
    if (txn->err)
        return;
    op = grow((void **)&txn->ops, &txn->n_ops, sizeof(*op));
    if (!op) {
        txn->err = -ENOMEM;
        return;
    }
    op->type = type;
    op->key = gf_strdup(key);
    op->len = len;
    if (value) {
        op->value = gf_malloc(len + 1);
        if (op->value) {
            memcpy(op->value, value, len);
            op->value[len] = '\0';
        }
    }
    if (!op->key || (value && !op->value))
        txn->err = -ENOMEM;
}

void
gd_txn_put(gd_txn_t *txn, const char *key, const char *value, size_t len)
{
    add_op(txn, GD_TXN_PUT, key, value, len);
}

void
gd_txn_put_str(gd_txn_t *txn, const char *key, const char *value)
{
    add_op(txn, GD_TXN_PUT, key, value, strlen(value));
}

void
gd_txn_delete(gd_txn_t *txn, const char *key)
{
    add_op(txn, GD_TXN_DELETE, key, NULL, 0);
}

void
gd_txn_put_session(gd_txn_t *txn, const char *key, const char *value)
{
    add_op(txn, GD_TXN_PUT_SESSION, key, value, strlen(value));
}

void
gd_txn_free(gd_txn_t *txn)
{
    if (!txn)
        return;
    for (int i = 0; i < txn->n_guards; i++)
        gf_free(txn->guards[i].key);
    for (int i = 0; i < txn->n_ops; i++) {
        gf_free(txn->ops[i].key);
        gf_free(txn->ops[i].value);
    }
    gf_free(txn->guards);
    gf_free(txn->ops);
    gf_free(txn);
}
