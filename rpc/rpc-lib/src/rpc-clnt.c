/*
 * The ONC RPC client (see rpc-clnt.h).
 *
 * State lives under one mutex: the current transport (an attempt in progress
 * or a connection), the table of pending calls (hashed by xid), the retry and
 * tick timers. Connection attempts run as tasks posted to the event pool (so
 * their failures are reported from an event thread); timers only post tasks.
 * A "tick" task runs periodically while connected: it fails calls past their
 * deadline and sends pings.
 *
 * Ownership of a pending call goes to whoever removes it from the table under
 * the mutex (reply, timeout, disconnection, destroy, failed send): that one
 * calls its cbk. Callbacks into the user's code pass through a gate entered
 * before a pending call is taken, which rpc_clnt_destroy closes and waits on.
 *
 * References on the client: its creator's (until destroy), one per connection
 * attempt (until its `disconnected`), one per armed timer and posted task.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "rpc-clnt.h"
#include "tls.h"
#include "transport.h"

#define BUCKETS 256 /* pending-call hash buckets (power of two) */
#define TICK_MAX_MS 1000
#define TICK_MIN_MS 10

typedef struct pending {
    struct pending *next;
    uint32_t xid, prog, vers, proc;
    uint64_t deadline; /* gf_time_ms(); 0: none */
    rpc_clnt_cbk_t cbk;
    void *cookie;
} pending_t;

struct rpc_clnt {
    pthread_mutex_t lock;
    pthread_cond_t changed; /* connection state changed (CLOCK_MONOTONIC) */
    atomic_int refs;
    gf_event_pool_t *pool;
    gf_timer_wheel_t *timers;
    char *spec;
    rpc_clnt_opts_t opts;
    uint64_t tick_ms;
    rpc_clnt_notify_t notify;
    void *mydata;
    rpc_gate_t gate;
    rpc_transport_t *trans; /* the attempt in progress or the connection */
    bool connected;
    bool want_connect;
    bool destroyed;
    bool attempt_posted;
    bool ping_outstanding;
    bool failure_logged; /* a failed attempt was logged since the last connection */
    bool answered;       /* the current connection delivered a reply */
    atomic_uint next_xid;
    int backoff_ms;
    gf_timer_t *retry_timer;
    gf_timer_t *tick_timer;
    uint64_t last_rx_ms;
    pending_t *buckets[BUCKETS];
};

static void on_connected(rpc_transport_t *t, void *data);
static void on_record(rpc_transport_t *t, gf_buf_t *rec, void *data);
static void on_disconnected(rpc_transport_t *t, int err, void *data);

static const rpc_transport_cbs_t clnt_cbs = {
    .connected = on_connected,
    .record = on_record,
    .disconnected = on_disconnected,
};

static rpc_clnt_t *clnt_ref(rpc_clnt_t *clnt)
{
    atomic_fetch_add_explicit(&clnt->refs, 1, memory_order_relaxed);
    return clnt;
}

static void clnt_unref(rpc_clnt_t *clnt)
{
    if (atomic_fetch_sub_explicit(&clnt->refs, 1, memory_order_acq_rel) != 1)
        return;
    pthread_mutex_destroy(&clnt->lock);
    pthread_cond_destroy(&clnt->changed);
    rpc_gate_fini(&clnt->gate);
    rpc_tls_ctx_unref(clnt->opts.tls);
    gf_free(clnt->spec);
    gf_free(clnt);
}

/* ---- the pending-call table (lock held) ---- */

static void table_insert(rpc_clnt_t *clnt, pending_t *p)
{
    pending_t **bucket = &clnt->buckets[p->xid & (BUCKETS - 1)];
    p->next = *bucket;
    *bucket = p;
}

static pending_t *table_remove(rpc_clnt_t *clnt, uint32_t xid)
{
    for (pending_t **pp = &clnt->buckets[xid & (BUCKETS - 1)]; *pp; pp = &(*pp)->next) {
        pending_t *p = *pp;
        if (p->xid == xid) {
            *pp = p->next;
            return p;
        }
    }
    return NULL;
}

/* Removes the calls whose deadline is at or before now (all calls when now is
 * UINT64_MAX, deadline-less ones included) and returns them as a list. */
static pending_t *table_take(rpc_clnt_t *clnt, uint64_t now)
{
    pending_t *taken = NULL;
    for (int i = 0; i < BUCKETS; i++) {
        for (pending_t **pp = &clnt->buckets[i]; *pp;) {
            pending_t *p = *pp;
            if (now != UINT64_MAX && (!p->deadline || p->deadline > now)) {
                pp = &p->next;
                continue;
            }
            *pp = p->next;
            p->next = taken;
            taken = p;
        }
    }
    return taken;
}

/* Calls p's cbk and frees p. */
static void complete(rpc_clnt_t *clnt, pending_t *p, int status, const char *res, size_t len,
                     gf_buf_t *rec)
{
    p->cbk(clnt, status, res, len, rec, p->cookie);
    gf_free(p);
}

static void complete_all(rpc_clnt_t *clnt, pending_t *list, int status)
{
    while (list) {
        pending_t *next = list->next;
        complete(clnt, list, status, NULL, 0, NULL);
        list = next;
    }
}

/* ---- timers and tasks ---- */

static void attempt_task(void *data);
static void tick_fire(void *data);

/* Posts a connection attempt unless one is posted, in progress or scheduled.
 * Lock held. 0 or -errno. */
static int post_attempt(rpc_clnt_t *clnt)
{
    if (clnt->attempt_posted || clnt->trans || clnt->retry_timer)
        return 0;
    int err = gf_event_post(clnt->pool, attempt_task, clnt_ref(clnt));
    if (err)
        clnt_unref(clnt); /* not the last reference: the caller holds one */
    else
        clnt->attempt_posted = true;
    return err;
}

static void retry_fire(void *data)
{
    rpc_clnt_t *clnt = data;
    pthread_mutex_lock(&clnt->lock);
    clnt->retry_timer = NULL;
    if (!clnt->destroyed && clnt->want_connect && post_attempt(clnt) < 0)
        gf_log(GF_LOG_ERROR, "cannot schedule a connection attempt to %s", clnt->spec);
    pthread_mutex_unlock(&clnt->lock);
    clnt_unref(clnt);
}

/* Schedules the next attempt after the backoff, when reconnection is on. Lock held. */
static void schedule_retry(rpc_clnt_t *clnt)
{
    if (!clnt->opts.reconnect || clnt->destroyed || !clnt->want_connect || clnt->retry_timer ||
        clnt->attempt_posted)
        return;
    int delay = clnt->backoff_ms;
    clnt->backoff_ms = delay * 2 < clnt->opts.backoff_max_ms ? delay * 2 : clnt->opts.backoff_max_ms;
    clnt->retry_timer = gf_timer_add(clnt->timers, (uint64_t)delay, retry_fire, clnt_ref(clnt));
    if (!clnt->retry_timer) {
        gf_log(GF_LOG_ERROR, "cannot schedule a reconnection to %s: no memory", clnt->spec);
        clnt_unref(clnt);
    }
}

/* Arms the tick unless it is armed. Lock held. */
static void arm_tick(rpc_clnt_t *clnt)
{
    if (clnt->tick_timer || clnt->destroyed)
        return;
    clnt->tick_timer = gf_timer_add(clnt->timers, clnt->tick_ms, tick_fire, clnt_ref(clnt));
    if (!clnt->tick_timer)
        clnt_unref(clnt);
}

/* Notifies event through the gate the caller is in, unless destroy began. */
static void notify(rpc_clnt_t *clnt, int event)
{
    pthread_mutex_lock(&clnt->lock);
    bool live = !clnt->destroyed;
    pthread_mutex_unlock(&clnt->lock);
    if (live && clnt->notify)
        clnt->notify(clnt, event, clnt->mydata);
}

/* Reports the end of an attempt that never connected, or whose connection
 * ended in error before any answer (a refused TLS certificate, say): logged
 * once until the next good connection. why (may be NULL) is the transport's
 * account of the failure, said instead of err's. */
static void log_failed_attempt(rpc_clnt_t *clnt, int err, const char *why)
{
    pthread_mutex_lock(&clnt->lock);
    bool first = !clnt->failure_logged;
    clnt->failure_logged = true;
    pthread_mutex_unlock(&clnt->lock);
    if (first)
        gf_log(GF_LOG_WARNING, "connection to %s failed: %s%s", clnt->spec,
               why ? why : strerror(-err), clnt->opts.reconnect ? " (will retry)" : "");
}

static void attempt_task(void *data)
{
    rpc_clnt_t *clnt = data;
    pthread_mutex_lock(&clnt->lock);
    clnt->attempt_posted = false;
    if (clnt->destroyed || !clnt->want_connect || clnt->trans) {
        pthread_mutex_unlock(&clnt->lock);
        clnt_unref(clnt);
        return;
    }
    rpc_transport_t *t;
    int err = rpc_transport_connect(clnt->pool, clnt->spec, clnt->opts.tls, &clnt_cbs, clnt, &t);
    if (!err)
        clnt->trans = t; /* the task's reference now belongs to the attempt */
    else
        schedule_retry(clnt);
    pthread_cond_broadcast(&clnt->changed);
    pthread_mutex_unlock(&clnt->lock);
    if (!err)
        return;
    rpc_gate_frame_t frame;
    if (rpc_gate_enter(&clnt->gate, &frame)) {
        log_failed_attempt(clnt, err, NULL);
        notify(clnt, RPC_CLNT_DISCONNECT);
        rpc_gate_leave(&clnt->gate, &frame);
    }
    clnt_unref(clnt);
}

static void log_timeout(rpc_clnt_t *clnt, const pending_t *p, const char *peer)
{
    if (p->prog == GF_DUMP_PROGRAM && p->proc == GF_DUMP_PING)
        gf_log(GF_LOG_WARNING, "no answer to a ping from %s in time: disconnecting", peer);
    else
        gf_log(GF_LOG_WARNING, "call xid %u (program %u version %u proc %u) to %s timed out",
               p->xid, p->prog, p->vers, p->proc, peer);
}

static int submit_call(rpc_clnt_t *clnt, uint32_t prog, uint32_t vers, uint32_t proc,
                       const struct rpc_auth *auth, xdrproc_t xargs, void *args,
                       const struct iovec *payload, int count, gf_buf_t *keep, rpc_clnt_cbk_t cbk,
                       void *cookie, int timeout_ms, uint32_t *xid_out);

static void ping_done(rpc_clnt_t *clnt, int status, const char *res, size_t len, gf_buf_t *rec,
                      void *cookie)
{
    pthread_mutex_lock(&clnt->lock);
    clnt->ping_outstanding = false;
    pthread_mutex_unlock(&clnt->lock);
    if (status == -ETIMEDOUT)
        rpc_clnt_disconnect(clnt);
}

/* Decides, lock held, what one tick does: takes the expired calls, starts a
 * ping when nothing was received for an interval, re-arms the tick. */
static pending_t *tick_locked(rpc_clnt_t *clnt, bool *ping)
{
    uint64_t now = gf_time_ms();
    int interval = clnt->opts.ping_interval_ms;
    *ping = interval > 0 && !clnt->ping_outstanding && now - clnt->last_rx_ms >= (uint64_t)interval;
    if (*ping)
        clnt->ping_outstanding = true;
    arm_tick(clnt);
    return table_take(clnt, now);
}

static void tick_task(void *data)
{
    rpc_clnt_t *clnt = data;
    rpc_gate_frame_t frame;
    if (!rpc_gate_enter(&clnt->gate, &frame)) {
        clnt_unref(clnt);
        return;
    }
    bool ping = false;
    pending_t *expired = NULL;
    char peer[RPC_PEER_MAX] = "";
    pthread_mutex_lock(&clnt->lock);
    if (clnt->connected && !clnt->destroyed) {
        expired = tick_locked(clnt, &ping);
        snprintf(peer, sizeof(peer), "%s", rpc_transport_peer(clnt->trans));
    }
    pthread_mutex_unlock(&clnt->lock);
    for (pending_t *p = expired; p; p = p->next)
        log_timeout(clnt, p, peer);
    complete_all(clnt, expired, -ETIMEDOUT);
    if (ping) {
        int timeout = clnt->opts.call_timeout_ms ? clnt->opts.call_timeout_ms
                                                 : clnt->opts.ping_interval_ms;
        submit_call(clnt, GF_DUMP_PROGRAM, GF_DUMP_VERSION, GF_DUMP_PING, NULL, NULL, NULL, NULL,
                    0, NULL, ping_done, NULL, timeout, NULL);
    }
    rpc_gate_leave(&clnt->gate, &frame);
    clnt_unref(clnt);
}

static void tick_fire(void *data)
{
    rpc_clnt_t *clnt = data;
    pthread_mutex_lock(&clnt->lock);
    clnt->tick_timer = NULL;
    pthread_mutex_unlock(&clnt->lock);
    if (gf_event_post(clnt->pool, tick_task, clnt) < 0)
        clnt_unref(clnt);
}

/* ---- transport callbacks ---- */

static void on_connected(rpc_transport_t *t, void *data)
{
    rpc_clnt_t *clnt = data;
    rpc_gate_frame_t frame;
    if (!rpc_gate_enter(&clnt->gate, &frame))
        return;
    pthread_mutex_lock(&clnt->lock);
    bool live = !clnt->destroyed;
    if (live) {
        clnt->connected = true;
        clnt->answered = false;
        clnt->backoff_ms = clnt->opts.backoff_min_ms;
        clnt->last_rx_ms = gf_time_ms();
        arm_tick(clnt);
        pthread_cond_broadcast(&clnt->changed);
    }
    pthread_mutex_unlock(&clnt->lock);
    if (live) {
        gf_log(GF_LOG_INFO, "connected to %s", rpc_transport_peer(t));
        notify(clnt, RPC_CLNT_CONNECT);
    }
    rpc_gate_leave(&clnt->gate, &frame);
}

/* Logs why the server refused a call. */
static void log_refusal(const pending_t *p, const struct rpc_reply_hdr *r, const char *peer)
{
    if (r->reply_stat == MSG_DENIED && r->reject_stat == RPC_MISMATCH)
        gf_log(GF_LOG_WARNING, "%s denied call (program %u version %u proc %u): RPC version "
               "mismatch (%u-%u)", peer, p->prog, p->vers, p->proc, r->low, r->high);
    else if (r->reply_stat == MSG_DENIED)
        gf_log(GF_LOG_WARNING, "%s denied call (program %u version %u proc %u): %s", peer,
               p->prog, p->vers, p->proc, rpc_auth_stat_name(r->auth_stat));
    else if (r->accept_stat == PROG_MISMATCH)
        gf_log(GF_LOG_WARNING, "%s refused call (program %u version %u proc %u): "
               "PROG_MISMATCH, versions %u-%u offered", peer, p->prog, p->vers, p->proc,
               r->low, r->high);
    else
        gf_log(GF_LOG_WARNING, "%s refused call (program %u version %u proc %u): %s", peer,
               p->prog, p->vers, p->proc, rpc_accept_stat_name(r->accept_stat));
}

/* Completes the call a well-formed reply answers. */
static void take_reply(rpc_clnt_t *clnt, rpc_transport_t *t, gf_buf_t *rec,
                       const struct rpc_reply_hdr *r, size_t hdr_len)
{
    pthread_mutex_lock(&clnt->lock);
    pending_t *p = table_remove(clnt, r->xid);
    clnt->last_rx_ms = gf_time_ms();
    clnt->answered = true;
    clnt->failure_logged = false;
    pthread_mutex_unlock(&clnt->lock);
    if (!p) {
        gf_log(GF_LOG_DEBUG, "reply xid %u from %s matches no pending call", r->xid,
               rpc_transport_peer(t));
        return;
    }
    if (r->reply_stat == MSG_ACCEPTED && r->accept_stat == SUCCESS) {
        complete(clnt, p, 0, rec->data + hdr_len, rec->size - hdr_len, rec);
        return;
    }
    log_refusal(p, r, rpc_transport_peer(t));
    complete(clnt, p, -EPROTO, NULL, 0, NULL);
}

static void on_record(rpc_transport_t *t, gf_buf_t *rec, void *data)
{
    rpc_clnt_t *clnt = data;
    struct rpc_reply_hdr r;
    size_t hdr_len;
    uint32_t xid, mtype;
    if (rpc_msg_peek(rec->data, rec->size, &xid, &mtype) == 0 && mtype == CALL) {
        gf_log(GF_LOG_DEBUG, "ignoring call xid %u from server %s", xid, rpc_transport_peer(t));
    } else if (rpc_msg_decode_reply(rec->data, rec->size, &r, &hdr_len) < 0) {
        gf_log(GF_LOG_ERROR, "closing connection to %s: malformed RPC reply (%zu bytes)",
               rpc_transport_peer(t), rec->size);
        rpc_transport_close(t);
    } else {
        rpc_gate_frame_t frame;
        if (rpc_gate_enter(&clnt->gate, &frame)) {
            take_reply(clnt, t, rec, &r, hdr_len);
            rpc_gate_leave(&clnt->gate, &frame);
        }
    }
    gf_buf_unref(rec);
}

static void on_disconnected(rpc_transport_t *t, int err, void *data)
{
    rpc_clnt_t *clnt = data;
    rpc_gate_frame_t frame;
    const char *why = rpc_transport_error(t);
    bool gated = rpc_gate_enter(&clnt->gate, &frame);
    pthread_mutex_lock(&clnt->lock);
    /* A connection that was answered, or ended without an error, was a good
     * one: the next failure is worth a line. Else this counts as a failed
     * attempt (a server that refused our TLS certificate at its first read). */
    bool good = clnt->connected && (clnt->answered || (!err && !why));
    if (good)
        clnt->failure_logged = false;
    clnt->trans = NULL;
    clnt->connected = false;
    clnt->ping_outstanding = false;
    pending_t *failed = gated ? table_take(clnt, UINT64_MAX) : NULL;
    schedule_retry(clnt);
    pthread_cond_broadcast(&clnt->changed);
    pthread_mutex_unlock(&clnt->lock);
    if (gated) {
        if (good)
            gf_log(GF_LOG_INFO, "disconnected from %s%s%s", rpc_transport_peer(t),
                   err ? ": " : "", why ? why : err ? strerror(-err) : "");
        else
            log_failed_attempt(clnt, err ? err : -ECONNABORTED, why);
        complete_all(clnt, failed, -ENOTCONN);
        notify(clnt, RPC_CLNT_DISCONNECT);
        rpc_gate_leave(&clnt->gate, &frame);
    }
    rpc_transport_unref(t);
    clnt_unref(clnt);
}

/* ---- public functions ---- */

rpc_clnt_t *rpc_clnt_new(gf_event_pool_t *pool, gf_timer_wheel_t *timers, const char *spec,
                         const rpc_clnt_opts_t *opts, rpc_clnt_notify_t notify_fn, void *mydata)
{
    static const rpc_clnt_opts_t defaults = RPC_CLNT_OPTS_DEFAULT;
    if (strncmp(spec, "tcp:", 4) != 0 && strncmp(spec, "unix:", 5) != 0) {
        errno = EINVAL;
        return NULL;
    }
    rpc_clnt_t *clnt = gf_calloc(1, sizeof(*clnt));
    if (!clnt || !(clnt->spec = gf_strdup(spec))) {
        gf_free(clnt);
        errno = ENOMEM;
        return NULL;
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&clnt->changed, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&clnt->lock, NULL);
    rpc_gate_init(&clnt->gate);
    atomic_init(&clnt->refs, 1);
    atomic_init(&clnt->next_xid, 1);
    clnt->pool = pool;
    clnt->timers = timers;
    clnt->notify = notify_fn;
    clnt->mydata = mydata;
    clnt->opts = opts ? *opts : defaults;
    if (clnt->opts.tls)
        rpc_tls_ctx_ref(clnt->opts.tls);
    if (clnt->opts.backoff_min_ms <= 0)
        clnt->opts.backoff_min_ms = defaults.backoff_min_ms;
    if (clnt->opts.backoff_max_ms < clnt->opts.backoff_min_ms)
        clnt->opts.backoff_max_ms = defaults.backoff_max_ms > clnt->opts.backoff_min_ms
                                        ? defaults.backoff_max_ms
                                        : clnt->opts.backoff_min_ms;
    clnt->backoff_ms = clnt->opts.backoff_min_ms;
    int tick = TICK_MAX_MS;
    if (clnt->opts.call_timeout_ms > 0 && clnt->opts.call_timeout_ms / 4 < tick)
        tick = clnt->opts.call_timeout_ms / 4;
    if (clnt->opts.ping_interval_ms > 0 && clnt->opts.ping_interval_ms / 4 < tick)
        tick = clnt->opts.ping_interval_ms / 4;
    clnt->tick_ms = (uint64_t)(tick < TICK_MIN_MS ? TICK_MIN_MS : tick);
    return clnt;
}

int rpc_clnt_connect(rpc_clnt_t *clnt)
{
    pthread_mutex_lock(&clnt->lock);
    int err = clnt->destroyed ? -ESHUTDOWN : 0;
    if (!err) {
        clnt->want_connect = true;
        err = post_attempt(clnt);
    }
    pthread_mutex_unlock(&clnt->lock);
    return err;
}

bool rpc_clnt_connected(rpc_clnt_t *clnt)
{
    pthread_mutex_lock(&clnt->lock);
    bool connected = clnt->connected;
    pthread_mutex_unlock(&clnt->lock);
    return connected;
}

void rpc_clnt_disconnect(rpc_clnt_t *clnt)
{
    pthread_mutex_lock(&clnt->lock);
    rpc_transport_t *t = clnt->trans ? rpc_transport_ref(clnt->trans) : NULL;
    pthread_mutex_unlock(&clnt->lock);
    if (t) {
        rpc_transport_close(t);
        rpc_transport_unref(t);
    }
}

/* Encodes the call header and arguments into a new buffer. NULL with *err set. */
static char *encode_call(uint32_t xid, uint32_t prog, uint32_t vers, uint32_t proc,
                         const struct rpc_auth *auth, xdrproc_t xargs, void *args, size_t *len,
                         int *err)
{
    size_t alen = xargs ? xdr_sizeof(xargs, args) : 0;
    char *buf = gf_malloc(RPC_CALL_HDR_MAX + alen);
    *err = -ENOMEM;
    if (!buf)
        return NULL;
    int hlen = rpc_msg_encode_call(buf, RPC_CALL_HDR_MAX, xid, prog, vers, proc, auth);
    *err = hlen < 0 ? hlen : -EINVAL;
    XDR x;
    if (hlen >= 0)
        xdrmem_create(&x, buf + hlen, (u_int)alen, XDR_ENCODE);
    if (hlen < 0 || (xargs && !xargs(&x, args))) {
        gf_free(buf);
        return NULL;
    }
    *len = (size_t)hlen + alen;
    return buf;
}

static int submit_call(rpc_clnt_t *clnt, uint32_t prog, uint32_t vers, uint32_t proc,
                       const struct rpc_auth *auth, xdrproc_t xargs, void *args,
                       const struct iovec *payload, int count, gf_buf_t *keep, rpc_clnt_cbk_t cbk,
                       void *cookie, int timeout_ms, uint32_t *xid_out)
{
    uint32_t xid = atomic_fetch_add(&clnt->next_xid, 1);
    if (xid_out)
        *xid_out = xid;
    size_t len;
    int err;
    char *buf = encode_call(xid, prog, vers, proc, auth, xargs, args, &len, &err);
    pending_t *p = buf ? gf_malloc(sizeof(*p)) : NULL;
    if (!p) {
        gf_free(buf);
        cbk(clnt, buf ? -ENOMEM : err, NULL, 0, NULL, cookie);
        return buf ? -ENOMEM : err;
    }
    *p = (pending_t){.xid = xid, .prog = prog, .vers = vers, .proc = proc, .cbk = cbk,
                     .cookie = cookie,
                     .deadline = timeout_ms > 0 ? gf_time_ms() + (uint64_t)timeout_ms : 0};
    pthread_mutex_lock(&clnt->lock);
    rpc_transport_t *t = NULL;
    if (clnt->connected && !clnt->destroyed) {
        table_insert(clnt, p);
        t = rpc_transport_ref(clnt->trans);
    }
    pthread_mutex_unlock(&clnt->lock);
    err = t ? rpc_transport_send(t, buf, len, payload, count, keep) : -ENOTCONN;
    if (!t)
        gf_free(buf);
    else
        rpc_transport_unref(t);
    if (!err)
        return 0;
    pthread_mutex_lock(&clnt->lock);
    pending_t *mine = t ? table_remove(clnt, xid) : p;
    pthread_mutex_unlock(&clnt->lock);
    if (mine)
        complete(clnt, mine, err, NULL, 0, NULL);
    return err;
}

int rpc_clnt_submit(rpc_clnt_t *clnt, uint32_t prog, uint32_t vers, uint32_t proc,
                    const struct rpc_auth *auth, xdrproc_t xargs, void *args,
                    const struct iovec *payload, int count, gf_buf_t *keep, rpc_clnt_cbk_t cbk,
                    void *cookie)
{
    return submit_call(clnt, prog, vers, proc, auth, xargs, args, payload, count, keep, cbk,
                       cookie, clnt->opts.call_timeout_ms, NULL);
}

/* ---- blocking calls ---- */

typedef struct sync_call {
    pthread_mutex_t lock;
    pthread_cond_t done_cond;
    bool done;
    int status;
    xdrproc_t xres;
    void *res;
} sync_call_t;

static void sync_cbk(rpc_clnt_t *clnt, int status, const char *res, size_t len, gf_buf_t *rec,
                     void *cookie)
{
    sync_call_t *sc = cookie;
    if (status == 0 && sc->xres) {
        XDR x;
        xdrmem_create(&x, (char *)res, (u_int)(len > UINT32_MAX ? UINT32_MAX : len), XDR_DECODE);
        if (!sc->xres(&x, sc->res)) {
            xdr_free(sc->xres, sc->res);
            status = -EBADMSG;
        }
    }
    pthread_mutex_lock(&sc->lock);
    sc->status = status;
    sc->done = true;
    pthread_cond_signal(&sc->done_cond);
    pthread_mutex_unlock(&sc->lock);
}

/* The CLOCK_MONOTONIC time of deadline (a gf_time_ms() value), for timed waits. */
static struct timespec abs_time(uint64_t deadline)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t now = gf_time_ms();
    uint64_t ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec +
                  (deadline > now ? deadline - now : 0) * 1000000u;
    return (struct timespec){.tv_sec = (time_t)(ns / 1000000000u),
                             .tv_nsec = (long)(ns % 1000000000u)};
}

/* Waits until connected, no attempt is under way or scheduled, or deadline
 * (gf_time_ms) passes. True when connected. */
static bool wait_connected(rpc_clnt_t *clnt, uint64_t deadline)
{
    struct timespec ts = abs_time(deadline);
    pthread_mutex_lock(&clnt->lock);
    while (!clnt->connected && !clnt->destroyed &&
           (clnt->trans || clnt->attempt_posted || clnt->retry_timer)) {
        if (pthread_cond_timedwait(&clnt->changed, &clnt->lock, &ts) == ETIMEDOUT)
            break;
    }
    bool connected = clnt->connected;
    pthread_mutex_unlock(&clnt->lock);
    return connected;
}

/* Waits for the call xid to complete; at deadline, expires it (unless its
 * completion is already under way) rather than waiting for the next tick. */
static void wait_call(rpc_clnt_t *clnt, sync_call_t *sc, uint32_t xid, uint64_t deadline)
{
    struct timespec ts = abs_time(deadline);
    pthread_mutex_lock(&sc->lock);
    while (!sc->done && pthread_cond_timedwait(&sc->done_cond, &sc->lock, &ts) != ETIMEDOUT)
        ;
    bool done = sc->done;
    pthread_mutex_unlock(&sc->lock);
    if (done)
        return;
    pthread_mutex_lock(&clnt->lock);
    pending_t *p = table_remove(clnt, xid);
    char peer[RPC_PEER_MAX] = "";
    if (p && clnt->trans)
        snprintf(peer, sizeof(peer), "%s", rpc_transport_peer(clnt->trans));
    pthread_mutex_unlock(&clnt->lock);
    if (p) {
        log_timeout(clnt, p, peer);
        complete(clnt, p, -ETIMEDOUT, NULL, 0, NULL);
    }
    pthread_mutex_lock(&sc->lock);
    while (!sc->done)
        pthread_cond_wait(&sc->done_cond, &sc->lock);
    pthread_mutex_unlock(&sc->lock);
}

int rpc_clnt_call_sync(rpc_clnt_t *clnt, uint32_t prog, uint32_t vers, uint32_t proc,
                       const struct rpc_auth *auth, xdrproc_t xargs, void *args, xdrproc_t xres,
                       void *res, int timeout_ms)
{
    uint64_t deadline = gf_time_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
    if (!wait_connected(clnt, deadline))
        return -ENOTCONN;
    uint64_t now = gf_time_ms();
    if (now >= deadline)
        return -ETIMEDOUT;
    sync_call_t sc = {.xres = xres, .res = res};
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&sc.lock, NULL);
    pthread_cond_init(&sc.done_cond, &ca);
    pthread_condattr_destroy(&ca);
    uint32_t xid;
    submit_call(clnt, prog, vers, proc, auth, xargs, args, NULL, 0, NULL, sync_cbk, &sc,
                (int)(deadline - now), &xid);
    wait_call(clnt, &sc, xid, deadline);
    pthread_mutex_destroy(&sc.lock);
    pthread_cond_destroy(&sc.done_cond);
    return sc.status;
}

void rpc_clnt_destroy(rpc_clnt_t *clnt)
{
    pthread_mutex_lock(&clnt->lock);
    clnt->destroyed = true;
    clnt->want_connect = false;
    pending_t *pending = table_take(clnt, UINT64_MAX);
    gf_timer_t *retry = clnt->retry_timer;
    gf_timer_t *tick = clnt->tick_timer;
    clnt->retry_timer = clnt->tick_timer = NULL;
    rpc_transport_t *t = clnt->trans ? rpc_transport_ref(clnt->trans) : NULL;
    pthread_cond_broadcast(&clnt->changed);
    pthread_mutex_unlock(&clnt->lock);
    if (retry && gf_timer_cancel(clnt->timers, retry) == 0)
        clnt_unref(clnt);
    if (tick && gf_timer_cancel(clnt->timers, tick) == 0)
        clnt_unref(clnt);
    if (t) {
        rpc_transport_close(t);
        rpc_transport_unref(t);
    }
    rpc_gate_close(&clnt->gate);
    complete_all(clnt, pending, -ENOTCONN);
    clnt_unref(clnt);
}
