/*
 * The store's etcd backend: the operations of store.h as etcd requests, through
 * the asynchronous client of etcd-client.h. Store keys live under one prefix of
 * etcd's key space, so several test clusters or products can share one etcd. A
 * guard "revision R" is the compare mod_revision == R, and "must not exist" is
 * version == 0; a transaction whose guards fail changes nothing and reports
 * -ECANCELED. Unlike the local backend, a transaction that changes nothing (only
 * guards, or deletes of missing keys) does not get a new revision: it reports
 * the cluster's current one.
 *
 * A watch is an etcd watch of the prefix from "now"; when etcd has compacted the
 * revision it would resume from, a new one starts and reports n 0 again.
 *
 * The session is a lease, renewed by a keepalive every TTL / 3 (a timer on the
 * timer wheel sends it; replies come on event threads). It is reported lost when
 * no renewal has succeeded for a TTL (etcd unreachable), or at once when etcd
 * answers that the lease is gone; a new lease is then granted, and the session
 * is up again when it is. Session keys are puts attached to the current lease.
 *
 * An election is a campaign in etcd's election service with the session's lease,
 * started again with each new lease. A won campaign is checked against the
 * election's leader before it is reported: etcd's service answers a campaign
 * whose lease died while it waited as won once the candidates before it are gone,
 * although its key went with the lease. A campaign still waiting when a session
 * that seemed lost comes back is checked the same way (its answer may have been
 * lost while the members were too busy to renew the lease in time).
 *
 * Watch, session and election callbacks go through the serial queue of
 * store-backend.h; get, list and txn answer from the client's callbacks. State
 * shared between the timer, the client's callbacks and callers is under mu, which
 * is never held while calling out of the store.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "store-backend.h"
#include "store-etcd.h"

#define DEFAULT_PREFIX "/gfs/"

typedef struct etcd_store etcd_store_t;
typedef struct election election_t;

/* One store call in flight (get, list, txn), listed so destroy can free it. */
typedef struct call {
    struct call *prev, *next;
    etcd_store_t *s;
    union {
        gd_store_get_cb_t get;
        gd_store_list_cb_t list;
        gd_store_txn_cb_t txn;
    } cb;
    void *cookie;
    int session; /* txn: it puts session keys */
} call_t;

/* A campaign in flight (then the check of its win), listed in its election. */
typedef struct campaign {
    struct campaign *next;
    election_t *el;
    int64_t lease;
} campaign_t;

struct election {
    election_t *next;
    etcd_store_t *s;
    char *name; /* etcd's election name: the prefix and the store key */
    char *value;
    gd_store_elect_cb_t cb;
    void *cookie;
    int64_t lease;     /* of the campaign in flight or won; 0: none */
    int64_t won_lease; /* the lease this server was found leading with */
    int leader;        /* as last reported */
    campaign_t *campaigns;
};

typedef struct etcd_watch etcd_watch_t;
struct etcd_watch {
    gd_store_watch_t base;
    etcd_watch_t *next;  /* in the store's list */
    char *key;           /* the etcd prefix watched */
    gd_etcd_watch_t *ew; /* NULL once cancelled (or when it could not restart) */
};

typedef struct session {
    int open;
    uint64_t ttl_ms, renew_ms;
    gd_store_session_cb_t cb;
    void *cookie;
    int64_t lease;         /* the current lease; 0: none */
    int up;                /* as last reported */
    int granting, keeping; /* a grant, a keepalive in flight */
    int64_t keep_lease;    /* the lease of the keepalive in flight */
    uint64_t sent;         /* when the grant or keepalive in flight was sent */
    uint64_t last_ok;      /* when the last renewal that succeeded was sent */
    uint64_t recheck;      /* when to check waiting campaigns against the leader; 0: no */
    int relet;             /* a lease was granted before (this one replaces it) */
    uint64_t next_renew;   /* when to send the next keepalive */
    gf_timer_t *tick;
} session_t;

struct etcd_store {
    gd_store_t base;
    gd_etcd_t *etcd;
    gf_timer_wheel_t *timers;
    gd_store_queue_t *queue;
    char *prefix;
    size_t plen;
    pthread_mutex_t mu; /* guards everything below */
    int closing;
    int last_code;
    char last_err[1024];
    call_t *calls;
    session_t sess;
    election_t *elections;
    etcd_watch_t *watches;
};

static void campaign(etcd_store_t *s, election_t *el);

static etcd_store_t *of(gd_store_t *s)
{
    return (etcd_store_t *)s;
}

static void set_error(etcd_store_t *s, int err, const char *msg)
{
    pthread_mutex_lock(&s->mu);
    s->last_code = err;
    snprintf(s->last_err, sizeof(s->last_err), "%s", msg ? msg : strerror(-err));
    pthread_mutex_unlock(&s->mu);
}

/* The etcd key of store key key (gf_malloc'd), NULL on ENOMEM. */
static char *full_key(etcd_store_t *s, const char *key)
{
    char *k = NULL;
    return gf_asprintf(&k, "%s%s", s->prefix, key) < 0 ? NULL : k;
}

/*
 * Get, list and txn.
 */

static call_t *new_call(etcd_store_t *s, void *cookie)
{
    call_t *c = gf_calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->s = s;
    c->cookie = cookie;
    pthread_mutex_lock(&s->mu);
    c->next = s->calls;
    if (s->calls)
        s->calls->prev = c;
    s->calls = c;
    pthread_mutex_unlock(&s->mu);
    return c;
}

/* Unlists c and frees it. */
static void end_call(call_t *c)
{
    etcd_store_t *s = c->s;
    pthread_mutex_lock(&s->mu);
    if (c->prev)
        c->prev->next = c->next;
    else
        s->calls = c->next;
    if (c->next)
        c->next->prev = c->prev;
    pthread_mutex_unlock(&s->mu);
    gf_free(c);
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
    end_call(c);
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
        if (c)
            end_call(c);
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
    end_call(c);
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
        if (c)
            end_call(c);
        cb(err, NULL, 0, cookie);
    }
}

static void committed(const gd_etcd_reply_t *r, void *cookie)
{
    call_t *c = cookie;
    int err = r->err;
    if (err)
        set_error(c->s, err, r->errmsg);
    if (err == -ENOENT && c->session) /* etcd: "requested lease not found" */
        err = -ENOTCONN;
    if (err)
        c->cb.txn(err, 0, c->cookie);
    else if (!r->succeeded)
        c->cb.txn(-ECANCELED, 0, c->cookie);
    else
        c->cb.txn(0, (uint64_t)r->rev, c->cookie);
    end_call(c);
}

/* The etcd txn of store txn t: compares and operations with full keys, which
 * are allocated in keys (n_guards + n_ops entries, freed by the caller); session
 * puts are attached to lease. */
static int build_txn(etcd_store_t *s, const gd_txn_t *t, int64_t lease, gd_etcd_cmp_t *cmps,
                     gd_etcd_op_t *ops, char **keys)
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
        ops[i] =
            (gd_etcd_op_t){.key = *k,
                           .value = o->value,
                           .value_len = o->len,
                           .type = o->type == GD_TXN_DELETE ? GD_ETCD_OP_DELETE : GD_ETCD_OP_PUT,
                           .lease = o->type == GD_TXN_PUT_SESSION ? lease : 0};
    }
    return 0;
}

/* The lease session keys go with now: 0 when the session is not up. */
static int64_t live_lease(etcd_store_t *s)
{
    int64_t lease;
    pthread_mutex_lock(&s->mu);
    lease = s->sess.up ? s->sess.lease : 0;
    pthread_mutex_unlock(&s->mu);
    return lease;
}

static int has_session_put(const gd_txn_t *t)
{
    for (int i = 0; i < t->n_ops; i++)
        if (t->ops[i].type == GD_TXN_PUT_SESSION)
            return 1;
    return 0;
}

/* Sends store txn t for call c; its session puts go with lease. 0 or -errno. */
static int send_txn(etcd_store_t *s, const gd_txn_t *t, int64_t lease, call_t *c)
{
    int nk = t->n_guards + t->n_ops;
    gd_etcd_cmp_t *cmps = gf_calloc((size_t)t->n_guards + 1, sizeof(*cmps));
    gd_etcd_op_t *ops = gf_calloc((size_t)t->n_ops + 1, sizeof(*ops));
    char **keys = gf_calloc((size_t)nk + 1, sizeof(*keys));
    int err = cmps && ops && keys ? build_txn(s, t, lease, cmps, ops, keys) : -ENOMEM;
    if (!err) {
        gd_etcd_txn_t et = {
            .cmps = cmps, .n_cmps = t->n_guards, .success = ops, .n_success = t->n_ops};
        err = gd_etcd_txn(s->etcd, &et, committed, c);
    }
    for (int i = 0; keys && i < nk; i++)
        gf_free(keys[i]);
    gf_free(keys);
    gf_free(cmps);
    gf_free(ops);
    return err;
}

/* A transaction with session puts needs the session up (-ENOTCONN). */
static void es_txn(gd_store_t *base, const gd_txn_t *t, gd_store_txn_cb_t cb, void *cookie)
{
    etcd_store_t *s = of(base);
    int session = has_session_put(t);
    int64_t lease = session ? live_lease(s) : 0;
    call_t *c = NULL;
    int err = session && !lease ? -ENOTCONN : 0;
    if (!err && !(c = new_call(s, cookie)))
        err = -ENOMEM;
    if (!err) {
        c->cb.txn = cb;
        c->session = session;
        err = send_txn(s, t, lease, c);
    }
    if (err) {
        if (c)
            end_call(c);
        cb(err, 0, cookie);
    }
}

/*
 * Watches.
 */

static void watch_free(gd_store_watch_t *base)
{
    etcd_watch_t *w = (etcd_watch_t *)base;
    gf_free(w->key);
    gf_free(w);
}

static void watched(int err, const gd_etcd_event_t *evs, int n, int64_t rev, void *cookie);

/* Replaces w's etcd watch, whose history was compacted, with a new one from now
 * (its "established" reports n 0). Runs in the old watch's callback; once the
 * lock is released, w may be cancelled and freed. */
static void watch_restart(etcd_watch_t *w)
{
    etcd_store_t *s = (etcd_store_t *)w->base.store;
    int err;
    pthread_mutex_lock(&s->mu);
    if (w->ew && !s->closing) {
        gd_etcd_watch_cancel(w->ew);
        w->ew = NULL;
        err = gd_etcd_watch(s->etcd, w->key, 1, 0, watched, w, &w->ew);
        if (err)
            gf_log(GF_LOG_ERROR,
                   "etcd store: cannot watch %s again (%s); its changes are no "
                   "longer followed",
                   w->key, strerror(-err));
    }
    pthread_mutex_unlock(&s->mu);
}

/* The etcd watch's callback: passes its changes on, keys without the prefix. */
static void watched(int err, const gd_etcd_event_t *evs, int n, int64_t rev, void *cookie)
{
    etcd_watch_t *w = cookie;
    size_t plen = ((etcd_store_t *)w->base.store)->plen;
    gd_store_event_t *out = NULL;

    if (err == -ESTALE) {
        watch_restart(w);
        return;
    }
    if (err || (n > 0 && !(out = gf_calloc((size_t)n, sizeof(*out))))) {
        gf_log(GF_LOG_ERROR, "etcd store: watch of %s: %s", w->key,
               err ? strerror(-err) : "out of memory; changes missed");
        return;
    }
    for (int i = 0; i < n; i++) {
        const gd_etcd_kv_t *kv = &evs[i].kv;
        int del = evs[i].type == GD_ETCD_EV_DELETE;
        out[i] =
            (gd_store_event_t){.deleted = del,
                               .kv = {.key = kv->key + (kv->key_len >= plen ? plen : kv->key_len),
                                      .value = del || !kv->value ? "" : kv->value,
                                      .len = del ? 0 : kv->value_len,
                                      .rev = (uint64_t)kv->mod_rev}};
    }
    if (gd_store_watch_post(&w->base, out, n) != 0)
        gf_log(GF_LOG_ERROR, "etcd store: watch of %s: out of memory; changes missed", w->key);
    gf_free(out);
}

static int es_watch(gd_store_t *base, const char *prefix, gd_store_watch_cb_t cb, void *cookie,
                    gd_store_watch_t **out)
{
    etcd_store_t *s = of(base);
    etcd_watch_t *w = gf_calloc(1, sizeof(*w));
    int err;
    if (!w || !(w->key = full_key(s, prefix))) {
        gf_free(w);
        return -ENOMEM;
    }
    gd_store_watch_init(&w->base, base, s->queue, cb, cookie, watch_free);
    pthread_mutex_lock(&s->mu);
    err = gd_etcd_watch(s->etcd, w->key, 1, 0, watched, w, &w->ew);
    if (!err) {
        w->next = s->watches;
        s->watches = w;
    }
    pthread_mutex_unlock(&s->mu);
    if (err) {
        watch_free(&w->base);
        return err;
    }
    *out = &w->base;
    return 0;
}

/* Unlists w and ends its etcd watch (waiting for its callback if it runs). */
static void es_watch_cancel(gd_store_watch_t *base)
{
    etcd_watch_t *w = (etcd_watch_t *)base;
    etcd_store_t *s = of(base->store);
    gd_etcd_watch_t *ew;
    pthread_mutex_lock(&s->mu);
    for (etcd_watch_t **pp = &s->watches; *pp; pp = &(*pp)->next) {
        if (*pp == w) {
            *pp = w->next;
            break;
        }
    }
    ew = w->ew;
    w->ew = NULL;
    pthread_mutex_unlock(&s->mu);
    gd_etcd_watch_cancel(ew);
}

/*
 * The session. Everything here runs with mu held.
 */

/* Queues a session callback. */
static void report_session(etcd_store_t *s, int up)
{
    s->sess.up = up;
    if (gd_store_queue_call(s->queue, s->sess.cb, up, s->sess.cookie) != 0)
        gf_log(GF_LOG_ERROR,
               "etcd store: out of memory; the session's change to %s is not "
               "reported",
               up ? "up" : "down");
}

static void report_leader(election_t *el, etcd_store_t *s, int leader)
{
    el->leader = leader;
    if (gd_store_queue_call(s->queue, el->cb, leader, el->cookie) != 0)
        gf_log(GF_LOG_ERROR, "etcd store: out of memory; leadership of %s not reported", el->name);
}

static void session_lost(etcd_store_t *s)
{
    report_session(s, 0);
    for (election_t *el = s->elections; el; el = el->next)
        if (el->leader)
            report_leader(el, s, 0);
}

/* Campaigns in every election that has no campaign for the current lease. */
static void campaign_all(etcd_store_t *s)
{
    if (!s->sess.lease || !s->sess.up)
        return;
    for (election_t *el = s->elections; el; el = el->next)
        if (el->lease != s->sess.lease)
            campaign(s, el);
}

static void granted(const gd_etcd_reply_t *r, void *cookie);
static void kept(const gd_etcd_reply_t *r, void *cookie);

static void send_grant(etcd_store_t *s, uint64_t now)
{
    int err = gd_etcd_lease_grant(s->etcd, (int64_t)(s->sess.ttl_ms / 1000), granted, s);
    s->sess.granting = !err;
    s->sess.sent = now;
    if (err)
        gf_log(GF_LOG_ERROR, "etcd store: cannot ask for a lease (%s); trying again",
               strerror(-err));
}

static void send_keepalive(etcd_store_t *s, uint64_t now)
{
    int err = gd_etcd_lease_keepalive(s->etcd, s->sess.lease, kept, s);
    s->sess.keeping = !err;
    s->sess.keep_lease = s->sess.lease;
    s->sess.sent = now;
    s->sess.next_renew = now + s->sess.renew_ms;
}

static void tick(void *data);
static void recheck_all(etcd_store_t *s);

/* Sets the timer for the next keepalive, grant retry or loss check. */
static void arm(etcd_store_t *s, uint64_t now)
{
    session_t *ss = &s->sess;
    uint64_t due = now + ss->renew_ms;
    if (ss->lease && !ss->keeping && ss->next_renew < due)
        due = ss->next_renew;
    if (ss->up && ss->last_ok + ss->ttl_ms < due)
        due = ss->last_ok + ss->ttl_ms;
    ss->tick = gf_timer_add(s->timers, due > now ? due - now : 1, tick, s);
    if (!ss->tick)
        gf_log(GF_LOG_CRITICAL, "etcd store: out of memory; the session is no longer renewed");
}

/* The timer (on the timer thread): declares the session lost when it was not
 * renewed for a TTL, sends what is due, campaigns where needed. */
static void tick(void *data)
{
    etcd_store_t *s = data;
    session_t *ss = &s->sess;
    uint64_t now = gf_time_ms();
    pthread_mutex_lock(&s->mu);
    if (s->closing) {
        pthread_mutex_unlock(&s->mu);
        return;
    }
    ss->tick = NULL;
    if (ss->up && now >= ss->last_ok + ss->ttl_ms) {
        gf_log(GF_LOG_WARNING,
               "etcd store: lease %" PRIx64 " not renewed for %" PRIu64
               " s: session lost; still trying",
               (uint64_t)ss->lease, ss->ttl_ms / 1000);
        session_lost(s);
    }
    if (!ss->lease && !ss->granting)
        send_grant(s, now);
    else if (ss->lease && !ss->keeping && now >= ss->next_renew)
        send_keepalive(s, now);
    campaign_all(s);
    if (ss->recheck && now >= ss->recheck && ss->up)
        recheck_all(s);
    arm(s, now);
    pthread_mutex_unlock(&s->mu);
}

static void granted(const gd_etcd_reply_t *r, void *cookie)
{
    etcd_store_t *s = cookie;
    session_t *ss = &s->sess;
    if (r->err)
        set_error(s, r->err, r->errmsg);
    pthread_mutex_lock(&s->mu);
    ss->granting = 0;
    if (!s->closing && !r->err) {
        ss->lease = r->lease;
        ss->last_ok = ss->sent;
        ss->next_renew = gf_time_ms() + ss->renew_ms;
        if (ss->relet) /* as in renewed: the campaigns started now are checked later */
            ss->recheck = gf_time_ms() + ss->ttl_ms + 1000;
        ss->relet = 1;
        report_session(s, 1);
        campaign_all(s);
    }
    pthread_mutex_unlock(&s->mu);
}

static void rechecked(const gd_etcd_reply_t *r, void *cookie);
static void campaign_end(campaign_t *c);

/* Checks each campaign still waiting with the session's lease against its
 * election's leader (rechecked). mu held. */
static void recheck_all(etcd_store_t *s)
{
    s->sess.recheck = 0;
    for (election_t *el = s->elections; el; el = el->next) {
        campaign_t *c;
        if (el->lease != s->sess.lease || el->leader || !(c = gf_calloc(1, sizeof(*c))))
            continue;
        *c = (campaign_t){.next = el->campaigns, .el = el, .lease = el->lease};
        el->campaigns = c;
        if (gd_etcd_leader(s->etcd, el->name, rechecked, c) != 0)
            campaign_end(c);
    }
}

/* A renewal of the current lease succeeded: a session that seemed lost is up
 * again, with the leaderships it held. A TTL later (when the lease of any
 * server that lost its session meanwhile has expired), the campaigns still
 * waiting are checked against their election's leader: while the members were
 * too busy to renew leases in time, the answer to a campaign can be lost
 * although its key has become the leader's (seen with 1000 servers). */
static void renewed(etcd_store_t *s)
{
    s->sess.last_ok = s->sess.sent;
    if (s->sess.up)
        return;
    report_session(s, 1);
    for (election_t *el = s->elections; el; el = el->next)
        if (el->won_lease == s->sess.lease && el->lease == s->sess.lease && !el->leader)
            report_leader(el, s, 1);
    s->sess.recheck = gf_time_ms() + s->sess.ttl_ms + 1000;
    campaign_all(s);
}

static void kept(const gd_etcd_reply_t *r, void *cookie)
{
    etcd_store_t *s = cookie;
    session_t *ss = &s->sess;
    if (r->err)
        set_error(s, r->err, r->errmsg);
    pthread_mutex_lock(&s->mu);
    ss->keeping = 0;
    if (s->closing || ss->keep_lease != ss->lease) {
        pthread_mutex_unlock(&s->mu);
        return;
    }
    if (!r->err) {
        renewed(s);
    } else if (r->err == -ENOENT) {
        gf_log(GF_LOG_WARNING, "etcd store: lease %" PRIx64 " expired; asking for a new one",
               (uint64_t)ss->lease);
        if (ss->up)
            session_lost(s);
        ss->lease = 0;
        send_grant(s, gf_time_ms());
    }
    pthread_mutex_unlock(&s->mu);
}

static int es_session_open(gd_store_t *base, int ttl_s, gd_store_session_cb_t cb, void *cookie)
{
    etcd_store_t *s = of(base);
    session_t *ss = &s->sess;
    uint64_t now = gf_time_ms();
    int err = 0;
    pthread_mutex_lock(&s->mu);
    if (ss->open) {
        err = -EEXIST;
    } else {
        *ss = (session_t){.open = 1,
                          .ttl_ms = (uint64_t)ttl_s * 1000,
                          .renew_ms = (uint64_t)ttl_s * 1000 / 3,
                          .cb = cb,
                          .cookie = cookie};
        arm(s, now);
        if (ss->tick)
            send_grant(s, now);
        else
            *ss = (session_t){0};
        err = ss->open ? 0 : -ENOMEM;
    }
    pthread_mutex_unlock(&s->mu);
    return err;
}

/*
 * Elections.
 */

/* Unlists campaign c from its election and frees it. mu held. */
static void campaign_end(campaign_t *c)
{
    for (campaign_t **pp = &c->el->campaigns; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    gf_free(c);
}

/* Whether lease is the session's, and the session is up. mu held. */
static int lease_live(etcd_store_t *s, int64_t lease)
{
    return s->sess.up && lease && lease == s->sess.lease;
}

/* Campaign c did not (or not yet) make this server the leader: the election
 * campaigns again at the next tick if the lease is still the session's. */
static void campaign_failed(campaign_t *c)
{
    if (c->el->lease == c->lease)
        c->el->lease = 0;
    campaign_end(c);
}

/* Whether the leader read in r is campaign c's key, with the session's live lease;
 * if so, this server is reported leading. mu held. */
static int lead_if_ours(campaign_t *c, const gd_etcd_reply_t *r)
{
    election_t *el = c->el;
    if (r->err || r->n_kvs == 0 || r->kvs[0].lease != c->lease || !lease_live(el->s, c->lease))
        return 0;
    el->won_lease = c->lease;
    if (!el->leader)
        report_leader(el, el->s, 1);
    return 1;
}

/* The election's leader, read after a won campaign: this server leads when the
 * leader's key is the one of the campaign's lease; else it campaigns again. */
static void checked(const gd_etcd_reply_t *r, void *cookie)
{
    campaign_t *c = cookie;
    etcd_store_t *s = c->el->s;
    if (r->err && r->err != -ENOENT)
        set_error(s, r->err, r->errmsg);
    pthread_mutex_lock(&s->mu);
    if (s->closing) {
        pthread_mutex_unlock(&s->mu);
        return;
    }
    if (lead_if_ours(c, r))
        campaign_end(c);
    else
        campaign_failed(c);
    pthread_mutex_unlock(&s->mu);
}

/* The leader read by recheck_all: the same, but a campaign that does not lead
 * goes on waiting. */
static void rechecked(const gd_etcd_reply_t *r, void *cookie)
{
    campaign_t *c = cookie;
    etcd_store_t *s = c->el->s;
    pthread_mutex_lock(&s->mu);
    if (s->closing) {
        pthread_mutex_unlock(&s->mu);
        return;
    }
    lead_if_ours(c, r);
    campaign_end(c);
    pthread_mutex_unlock(&s->mu);
}

static void campaigned(const gd_etcd_reply_t *r, void *cookie)
{
    campaign_t *c = cookie;
    etcd_store_t *s = c->el->s;
    int err = r->err;
    if (err && err != -ENOENT)
        set_error(s, err, r->errmsg);
    pthread_mutex_lock(&s->mu);
    if (s->closing) {
        pthread_mutex_unlock(&s->mu);
        return;
    }
    if (!err && lease_live(s, c->lease))
        err = gd_etcd_leader(s->etcd, c->el->name, checked, c);
    else if (!err)
        err = -ESTALE;
    if (err)
        campaign_failed(c);
    pthread_mutex_unlock(&s->mu);
}

/* Campaigns in el with the session's lease. mu held. */
static void campaign(etcd_store_t *s, election_t *el)
{
    campaign_t *c = gf_calloc(1, sizeof(*c));
    int err = c ? 0 : -ENOMEM;
    if (c) {
        *c = (campaign_t){.next = el->campaigns, .el = el, .lease = s->sess.lease};
        el->campaigns = c;
        err = gd_etcd_campaign(s->etcd, el->name, c->lease, el->value, campaigned, c);
        if (err)
            campaign_end(c);
    }
    el->lease = err ? 0 : s->sess.lease;
    if (err)
        gf_log(GF_LOG_ERROR, "etcd store: cannot campaign in %s (%s); trying again", el->name,
               strerror(-err));
}

static void election_free(election_t *el)
{
    while (el->campaigns)
        campaign_end(el->campaigns);
    gf_free(el->name);
    gf_free(el->value);
    gf_free(el);
}

static int es_elect(gd_store_t *base, const char *name, const char *value, gd_store_elect_cb_t cb,
                    void *cookie)
{
    etcd_store_t *s = of(base);
    election_t *el = gf_calloc(1, sizeof(*el));
    if (!el || !(el->name = full_key(s, name)) || !(el->value = gf_strdup(value))) {
        if (el)
            election_free(el);
        return -ENOMEM;
    }
    el->s = s;
    el->cb = cb;
    el->cookie = cookie;
    pthread_mutex_lock(&s->mu);
    if (!s->sess.open) {
        pthread_mutex_unlock(&s->mu);
        election_free(el);
        return -ENOTCONN;
    }
    el->next = s->elections;
    s->elections = el;
    if (lease_live(s, s->sess.lease))
        campaign(s, el);
    pthread_mutex_unlock(&s->mu);
    return 0;
}

/*
 * Errors, opening and closing.
 */

static void es_strerror(gd_store_t *base, int err, char *buf, size_t len)
{
    etcd_store_t *s = of(base);
    pthread_mutex_lock(&s->mu);
    if (err == s->last_code && s->last_err[0])
        snprintf(buf, len, "%s", s->last_err);
    else if (err == -ENOTCONN)
        snprintf(buf, len,
                 "no session with the monitor cluster (%s): this server's lease is "
                 "not granted yet, or was lost; the store grants a new one as soon as "
                 "etcd answers",
                 gd_etcd_urls(s->etcd));
    pthread_mutex_unlock(&s->mu);
}

/* Stops the session's timer; its callback does not start again. */
static void stop_timer(etcd_store_t *s)
{
    gf_timer_t *t;
    pthread_mutex_lock(&s->mu);
    s->closing = 1;
    t = s->sess.tick;
    s->sess.tick = NULL;
    pthread_mutex_unlock(&s->mu);
    if (t)
        gf_timer_cancel(s->timers, t);
}

/* Closes the store: the timer, then the queue (the running callback finishes,
 * the others are dropped), then the client (dropping its requests), then what
 * is left. The lease is not revoked: it expires within its TTL. */
static void es_destroy(gd_store_t *base)
{
    etcd_store_t *s = of(base);
    stop_timer(s);
    gd_store_queue_close(s->queue);
    gd_etcd_destroy(s->etcd);
    while (s->watches) {
        etcd_watch_t *w = s->watches;
        s->watches = w->next;
        gd_store_watch_unref(&w->base);
    }
    while (s->elections) {
        election_t *el = s->elections;
        s->elections = el->next;
        election_free(el);
    }
    while (s->calls) {
        call_t *c = s->calls;
        s->calls = c->next;
        gf_free(c);
    }
    pthread_mutex_destroy(&s->mu);
    gf_free(s->prefix);
    gf_free(s);
}

static const gd_store_ops_t etcd_ops = {
    .name = "etcd",
    .get = es_get,
    .list = es_list,
    .txn = es_txn,
    .watch = es_watch,
    .watch_cancel = es_watch_cancel,
    .session_open = es_session_open,
    .elect = es_elect,
    .strerror = es_strerror,
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
    if (!err && !(s->queue = gd_store_queue_new(events)))
        err = -ENOMEM;
    if (!err)
        err = gd_etcd_new(urls, events, timers, opts, &s->etcd);
    if (err) {
        gd_store_queue_close(s->queue);
        gf_free(s->prefix);
        gf_free(s);
        return err;
    }
    s->timers = timers;
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
