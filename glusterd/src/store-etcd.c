/*
 * The store's etcd backend: the operations of store.h as etcd requests, through
 * the asynchronous client of etcd-client.h. Store keys live under one prefix of
 * etcd's key space, so several test clusters or products can share one etcd. A
 * guard "revision R" is the compare mod_revision == R, and "must not exist" is
 * version == 0; a transaction whose guards fail changes nothing and reports
 * -ECANCELED. Unlike the local backend, a transaction that changes nothing (only
 * guards, or deletes of missing keys) does not get a new revision: it reports
 * the cluster's current one.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "glusterfs/mem.h"
#include "store-etcd.h"

#define DEFAULT_PREFIX "/gfs/"

typedef struct etcd_store {
    gd_store_t base;
    gd_etcd_t *etcd;
    char *prefix;
    size_t plen;
    pthread_mutex_t mu; /* guards last_err */
    char last_err[1024];
} etcd_store_t;

/* One store call in flight. */
typedef struct call {
    etcd_store_t *s;
    union {
        gd_store_get_cb_t get;
        gd_store_list_cb_t list;
        gd_store_txn_cb_t txn;
    } cb;
    void *cookie;
} call_t;

static etcd_store_t *of(gd_store_t *s)
{
    return (etcd_store_t *)s;
}

static void set_error(etcd_store_t *s, int err, const char *msg)
{
    pthread_mutex_lock(&s->mu);
    snprintf(s->last_err, sizeof(s->last_err), "%s", msg ? msg : strerror(-err));
    pthread_mutex_unlock(&s->mu);
}

/* The etcd key of store key key (gf_malloc'd), NULL on ENOMEM. */
static char *full_key(etcd_store_t *s, const char *key)
{
    char *k = NULL;
    return gf_asprintf(&k, "%s%s", s->prefix, key) < 0 ? NULL : k;
}

static call_t *new_call(etcd_store_t *s, void *cookie)
{
    call_t *c = gf_calloc(1, sizeof(*c));
    if (c) {
        c->s = s;
        c->cookie = cookie;
    }
    return c;
}

/* A store kv of etcd kv e, with the store's prefix taken off its key. */
static gd_kv_t store_kv(etcd_store_t *s, const gd_etcd_kv_t *e)
{
    gd_kv_t kv = {.key = e->key + (e->key_len >= s->plen ? s->plen : e->key_len),
                  .value = e->value,
                  .len = e->value_len,
                  .rev = (uint64_t)e->mod_rev};
    return kv;
}

static void got(const gd_etcd_reply_t *r, void *cookie)
{
    call_t *c = cookie;
    gd_kv_t kv;
    if (r->err)
        set_error(c->s, r->err, r->errmsg);
    if (r->err || r->n_kvs == 0) {
        c->cb.get(r->err ? r->err : -ENOENT, NULL, c->cookie);
    } else {
        kv = store_kv(c->s, &r->kvs[0]);
        c->cb.get(0, &kv, c->cookie);
    }
    gf_free(c);
}

static void es_get(gd_store_t *base, const char *key, gd_store_get_cb_t cb, void *cookie)
{
    etcd_store_t *s = of(base);
    call_t *c = new_call(s, cookie);
    char *k = full_key(s, key);
    int err = c && k ? 0 : -ENOMEM;
    if (!err) {
        c->cb.get = cb;
        err = gd_etcd_range(s->etcd, k, 0, got, c);
    }
    gf_free(k);
    if (err) {
        gf_free(c);
        cb(err, NULL, cookie);
    }
}

static void listed(const gd_etcd_reply_t *r, void *cookie)
{
    call_t *c = cookie;
    gd_kv_t *kvs = NULL;
    int err = r->err;
    if (err)
        set_error(c->s, err, r->errmsg);
    if (!err && r->n_kvs > 0 && !(kvs = gf_calloc((size_t)r->n_kvs, sizeof(*kvs))))
        err = -ENOMEM;
    for (int i = 0; kvs && i < r->n_kvs; i++)
        kvs[i] = store_kv(c->s, &r->kvs[i]);
    c->cb.list(err, err ? NULL : kvs, err ? 0 : r->n_kvs, c->cookie);
    gf_free(kvs);
    gf_free(c);
}

static void es_list(gd_store_t *base, const char *prefix, gd_store_list_cb_t cb, void *cookie)
{
    etcd_store_t *s = of(base);
    call_t *c = new_call(s, cookie);
    char *k = full_key(s, prefix ? prefix : "");
    int err = c && k ? 0 : -ENOMEM;
    if (!err) {
        c->cb.list = cb;
        err = gd_etcd_range(s->etcd, k, 1, listed, c);
    }
    gf_free(k);
    if (err) {
        gf_free(c);
        cb(err, NULL, 0, cookie);
    }
}

static void committed(const gd_etcd_reply_t *r, void *cookie)
{
    call_t *c = cookie;
    if (r->err)
        set_error(c->s, r->err, r->errmsg);
    if (r->err)
        c->cb.txn(r->err, 0, c->cookie);
    else if (!r->succeeded)
        c->cb.txn(-ECANCELED, 0, c->cookie);
    else
        c->cb.txn(0, (uint64_t)r->rev, c->cookie);
    gf_free(c);
}

/* The etcd txn of store txn t: compares and operations with full keys, which
 * are allocated in keys (n_guards + n_ops entries, freed by the caller). */
static int build_txn(etcd_store_t *s, const gd_txn_t *t, gd_etcd_cmp_t *cmps, gd_etcd_op_t *ops,
                     char **keys)
{
    for (int i = 0; i < t->n_guards; i++) {
        const gd_txn_guard_t *g = &t->guards[i];
        if (!(keys[i] = full_key(s, g->key)))
            return -ENOMEM;
        cmps[i] = (gd_etcd_cmp_t){.key = keys[i],
                                  .result = GD_ETCD_EQUAL,
                                  .target = g->rev ? GD_ETCD_MOD : GD_ETCD_VERSION,
                                  .num = (int64_t)g->rev};
    }
    for (int i = 0; i < t->n_ops; i++) {
        const gd_txn_op_t *o = &t->ops[i];
        char **k = &keys[t->n_guards + i];
        if (!(*k = full_key(s, o->key)))
            return -ENOMEM;
        ops[i] = (gd_etcd_op_t){.key = *k,
                                .value = o->value,
                                .value_len = o->len,
                                .type = o->type == GD_TXN_PUT ? GD_ETCD_OP_PUT : GD_ETCD_OP_DELETE};
    }
    return 0;
}

static void es_txn(gd_store_t *base, const gd_txn_t *t, gd_store_txn_cb_t cb, void *cookie)
{
    etcd_store_t *s = of(base);
    int nk = t->n_guards + t->n_ops;
    gd_etcd_cmp_t *cmps = gf_calloc((size_t)t->n_guards + 1, sizeof(*cmps));
    gd_etcd_op_t *ops = gf_calloc((size_t)t->n_ops + 1, sizeof(*ops));
    char **keys = gf_calloc((size_t)nk + 1, sizeof(*keys));
    call_t *c = new_call(s, cookie);
    int err = cmps && ops && keys && c ? build_txn(s, t, cmps, ops, keys) : -ENOMEM;
    if (!err) {
        gd_etcd_txn_t et = {
            .cmps = cmps, .n_cmps = t->n_guards, .success = ops, .n_success = t->n_ops};
        c->cb.txn = cb;
        err = gd_etcd_txn(s->etcd, &et, committed, c);
    }
    for (int i = 0; keys && i < nk; i++)
        gf_free(keys[i]);
    gf_free(keys);
    gf_free(cmps);
    gf_free(ops);
    if (err) {
        gf_free(c);
        cb(err, 0, cookie);
    }
}

static void es_destroy(gd_store_t *base)
{
    etcd_store_t *s = of(base);
    gd_etcd_destroy(s->etcd);
    pthread_mutex_destroy(&s->mu);
    gf_free(s->prefix);
    gf_free(s);
}

static const gd_store_ops_t etcd_ops = {
    .name = "etcd",
    .get = es_get,
    .list = es_list,
    .txn = es_txn,
    .destroy = es_destroy,
};

int gd_store_etcd_open(const char *urls, const char *prefix, gf_event_pool_t *events,
                       gf_timer_wheel_t *timers, const gd_etcd_opts_t *opts, gd_store_t **out)
{
    etcd_store_t *s = gf_calloc(1, sizeof(*s));
    const char *p = prefix && *prefix ? prefix : DEFAULT_PREFIX;
    int err;
    if (!s)
        return -ENOMEM;
    err = gf_asprintf(&s->prefix, "%s%s", p, p[strlen(p) - 1] == '/' ? "" : "/") < 0 ? -ENOMEM : 0;
    if (!err)
        err = gd_etcd_new(urls, events, timers, opts, &s->etcd);
    if (err) {
        gf_free(s->prefix);
        gf_free(s);
        return err;
    }
    s->plen = strlen(s->prefix);
    s->base.ops = &etcd_ops;
    pthread_mutex_init(&s->mu, NULL);
    *out = &s->base;
    return 0;
}

gd_etcd_t *gd_store_etcd_client(gd_store_t *s)
{
    return of(s)->etcd;
}

void gd_store_etcd_last_error(gd_store_t *base, char *buf, size_t size)
{
    etcd_store_t *s = of(base);
    pthread_mutex_lock(&s->mu);
    snprintf(buf, size, "%s", s->last_err);
    pthread_mutex_unlock(&s->mu);
}
