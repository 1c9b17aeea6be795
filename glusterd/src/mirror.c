/*
 * Mirrors of store prefixes (contract in mirror.h): a sorted array of owned key
 * copies, a watch, and the merge of the changes seen while a read was in flight.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "glusterfs/ctx.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "glusterd.h"
#include "mirror.h"

/* The retry timer's data; outlives the mirror when the timer fires meanwhile. */
typedef struct token {
    gd_mirror_t *m; /* NULL once the mirror is freed */
} token_t;

struct gd_mirror {
    char *prefix;
    gd_mirror_cb_t cb;
    void *cookie;
    gd_store_watch_t *watch;
    gd_kv_t *kvs; /* sorted by key; keys and values owned */
    int n, cap;
    bool ready;
    bool loading;   /* a read is in flight */
    bool reload;    /* the watch was re-established during it */
    bool in_cb;     /* cb is on the stack */
    bool dead;      /* freed from cb: free once it returns */
    gd_store_event_t *pending; /* changes seen during a read (owned copies) */
    int n_pending, cap_pending;
    token_t *token; /* of the armed retry timer */
    gf_timer_t *timer;
};

static void load(gd_mirror_t *m);

static void
kv_clear(gd_kv_t *kv)
{
    gf_free(kv->key);
    gf_free(kv->value);
}

static void
kvs_clear(gd_kv_t *kvs, int n)
{
    for (int i = 0; i < n; i++)
        kv_clear(&kvs[i]);
}

/* The index of key in m, or -(insertion point) - 1. */
static int
find(const gd_mirror_t *m, const char *key)
{
    int lo = 0, hi = m->n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2, c = strcmp(m->kvs[mid].key, key);
        if (c == 0)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -lo - 1;
}

/* Applies one change unless the copy holds a later state of the key. 0 or
 * -ENOMEM. */
static int
apply(gd_mirror_t *m, const gd_store_event_t *ev)
{
    int i = find(m, ev->kv.key);
    gd_kv_t kv = {0};

    if (i >= 0 && m->kvs[i].rev > ev->kv.rev)
        return 0;
    if (ev->deleted) {
        if (i >= 0) {
            kv_clear(&m->kvs[i]);
            memmove(&m->kvs[i], &m->kvs[i + 1], (size_t)(m->n - i - 1) * sizeof(*m->kvs));
            m->n--;
        }
        return 0;
    }
    if (!(kv.key = gf_strdup(ev->kv.key)) || !(kv.value = gf_malloc(ev->kv.len + 1))) {
        kv_clear(&kv);
        return -ENOMEM;
    }
    memcpy(kv.value, ev->kv.value, ev->kv.len + 1);
    kv.len = ev->kv.len;
    kv.rev = ev->kv.rev;
    if (i >= 0) {
        kv_clear(&m->kvs[i]);
        m->kvs[i] = kv;
        return 0;
    }
    if (m->n == m->cap) {
        int cap = m->cap ? m->cap * 2 : 16;
        gd_kv_t *grown = gf_realloc(m->kvs, (size_t)cap * sizeof(*grown));
        if (!grown) {
            kv_clear(&kv);
            return -ENOMEM;
        }
        m->kvs = grown;
        m->cap = cap;
    }
    i = -i - 1;
    memmove(&m->kvs[i + 1], &m->kvs[i], (size_t)(m->n - i) * sizeof(*m->kvs));
    m->kvs[i] = kv;
    m->n++;
    return 0;
}

/* Calls the callback (m may be freed by it: then freed here). */
static void
changed(gd_mirror_t *m)
{
    m->in_cb = true;
    m->cb(m, m->cookie);
    m->in_cb = false;
    if (m->dead)
        gd_mirror_free(m);
}

/* Keeps copies of evs to merge once the read in flight ends. 0 or -ENOMEM. */
static int
buffer(gd_mirror_t *m, const gd_store_event_t *evs, int n)
{
    for (int i = 0; i < n; i++) {
        gd_store_event_t *e;
        if (m->n_pending == m->cap_pending) {
            int cap = m->cap_pending ? m->cap_pending * 2 : 16;
            gd_store_event_t *grown = gf_realloc(m->pending, (size_t)cap * sizeof(*grown));
            if (!grown)
                return -ENOMEM;
            m->pending = grown;
            m->cap_pending = cap;
        }
        e = &m->pending[m->n_pending];
        *e = evs[i];
        e->kv.key = gf_strdup(evs[i].kv.key);
        e->kv.value = gf_malloc(evs[i].kv.len + 1);
        if (!e->kv.key || !e->kv.value) {
            kv_clear(&e->kv);
            return -ENOMEM;
        }
        memcpy(e->kv.value, evs[i].kv.value, evs[i].kv.len + 1);
        m->n_pending++;
    }
    return 0;
}

static void
drop_pending(gd_mirror_t *m)
{
    for (int i = 0; i < m->n_pending; i++)
        kv_clear(&m->pending[i].kv);
    m->n_pending = 0;
}

/* --- reading --- */

static void
retry_task(void *data)
{
    token_t *t = data;
    gd_mirror_t *m = t->m;

    gf_free(t);
    if (!m)
        return;
    m->token = NULL;
    m->timer = NULL;
    load(m);
}

static void
retry_cb(void *data)
{
    if (gf_event_post(gf_ctx->events, retry_task, data) != 0)
        gf_log(GF_LOG_ERROR, "cannot post a store read's retry to the event loop");
}

/* Reads again in 1 to 2 s. */
static void
retry_later(gd_mirror_t *m)
{
    if (m->timer || !(m->token = gf_calloc(1, sizeof(*m->token))))
        return;
    m->token->m = m;
    m->timer = gf_timer_add(gf_ctx->timers, 1000 + (uint64_t)(random() % 1000), retry_cb,
                            m->token);
    if (!m->timer) {
        gf_free(m->token);
        m->token = NULL;
    }
}

static void
listed(int err, const gd_kv_t *kvs, int n, void *cookie)
{
    gd_mirror_t *m = cookie;
    gd_kv_t *old = m->kvs;
    int n_old = m->n, cap_old = m->cap;
    char why[512];

    m->loading = false;
    if (m->dead) {
        gd_mirror_free(m);
        return;
    }
    if (err) {
        gd_store_strerror(gd.store, err, why, sizeof(why));
        gf_log(GF_LOG_WARNING, "cannot read %s from the store (%s); trying again", m->prefix,
               why);
        drop_pending(m);
        retry_later(m);
        return;
    }
    m->kvs = NULL;
    m->n = m->cap = 0;
    for (int i = 0; i < n && !err; i++) {
        gd_store_event_t ev = {.kv = kvs[i]};
        err = apply(m, &ev);
    }
    for (int i = 0; i < m->n_pending && !err; i++)
        err = apply(m, &m->pending[i]);
    drop_pending(m);
    if (err) { /* out of memory: keep the old copy, read again later */
        kvs_clear(m->kvs, m->n);
        gf_free(m->kvs);
        m->kvs = old;
        m->n = n_old;
        m->cap = cap_old;
        retry_later(m);
        return;
    }
    kvs_clear(old, n_old);
    gf_free(old);
    m->ready = true;
    if (m->reload)
        load(m);
    else
        changed(m);
}

static void
load(gd_mirror_t *m)
{
    if (m->loading) {
        m->reload = true;
        return;
    }
    m->loading = true;
    m->reload = false;
    gd_store_list(gd.store, m->prefix, listed, m);
}

static void
watched(const gd_store_event_t *evs, int n, void *cookie)
{
    gd_mirror_t *m = cookie;
    int err = 0;

    if (n == 0 || !m->ready) {
        if (n && buffer(m, evs, n) != 0)
            m->reload = true;
        if (n == 0)
            load(m);
        return;
    }
    if (m->loading) {
        if (buffer(m, evs, n) != 0)
            m->reload = true;
        return;
    }
    for (int i = 0; i < n && !err; i++)
        err = apply(m, &evs[i]);
    if (err)
        load(m);
    else
        changed(m);
}

int
gd_mirror_new(const char *prefix, gd_mirror_cb_t cb, void *cookie, gd_mirror_t **out)
{
    gd_mirror_t *m = gf_calloc(1, sizeof(*m));
    int err;

    if (!m || !(m->prefix = gf_strdup(prefix))) {
        gf_free(m);
        return -ENOMEM;
    }
    m->cb = cb;
    m->cookie = cookie;
    if ((err = gd_store_watch(gd.store, prefix, watched, m, &m->watch)) != 0) {
        gf_free(m->prefix);
        gf_free(m);
        return err;
    }
    *out = m;
    return 0;
}

void
gd_mirror_free(gd_mirror_t *m)
{
    if (!m)
        return;
    if (m->watch) {
        gd_store_watch_cancel(m->watch);
        m->watch = NULL;
    }
    if (m->timer && gf_timer_cancel(gf_ctx->timers, m->timer) == 0)
        gf_free(m->token);
    else if (m->token)
        m->token->m = NULL;
    m->timer = NULL;
    m->token = NULL;
    if (m->in_cb || m->loading) { /* freed when the callback or the read returns */
        m->dead = true;
        return;
    }
    drop_pending(m);
    gf_free(m->pending);
    kvs_clear(m->kvs, m->n);
    gf_free(m->kvs);
    gf_free(m->prefix);
    gf_free(m);
}

const gd_kv_t *
gd_mirror_kvs(const gd_mirror_t *m, int *n)
{
    *n = m->ready ? m->n : 0;
    return m->ready ? m->kvs : NULL;
}

int
gd_mirror_ready(const gd_mirror_t *m)
{
    return m->ready;
}
