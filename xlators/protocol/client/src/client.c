/*
 * protocol/client: the client side of a brick connection. This file holds the
 * descriptor, the option table, init/fini/notify and the connection state
 * machine; the handshake calls are in client-handshake.c and the fops in
 * client-fops.c.
 *
 * States. After PARENT_UP the translator connects to remote-host:remote-port
 * (glusterd's port) and runs the handshake: DUMP; if the server is glusterd,
 * PORTBYBRICK, then a new attempt at the brick's port at once; at the brick,
 * SETVOLUME. The attempt at glusterd's port speaks TLS when the process's
 * management path does (rpc_tls_mgmt, GlusterFS's secure-access); the one at
 * the brick's port when transport.socket.ssl-enabled is on (client.ssl). A successful SETVOLUME makes the connection "up": fops go through
 * it and the parents hear CHILD_UP. Any failure or disconnect drops the attempt,
 * tells the parents CHILD_DOWN (once per change, and once at the first failure
 * so that they do not wait for a brick that never answers), and schedules a new
 * attempt through glusterd again (the brick may have moved) after a backoff.
 *
 * Threads. Callbacks of the rpc clients run on event threads and never block;
 * a new attempt is made at once from the callback that decided it, or from the
 * timer thread after a backoff. priv->lock guards the state; it is never held
 * while calling into the rpc library or a parent.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "glusterfs/ctx.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"

/* ---- calls into the rpc library ------------------------------------------------------ */

/*
 * Calls into the rpc library run on the process's memory account (gf_this
 * NULL): the library frees some of what it allocates (queued records, posted
 * tasks, the rpc client itself) after rpc_clnt_destroy has returned, possibly
 * after this translator is gone, so none of it may be charged to it.
 */
int client_submit(client_conn_t *conn, uint32_t prog, uint32_t vers, uint32_t proc,
                  const struct rpc_auth *auth, xdrproc_t xargs, void *args,
                  const struct iovec *payload, int count, gf_buf_t *keep, rpc_clnt_cbk_t cbk,
                  void *cookie)
{
    gf_xlator_t *saved = gf_this;
    int ret;

    gf_this = NULL;
    ret = rpc_clnt_submit(conn->rpc, prog, vers, proc, auth, xargs, args, payload, count, keep, cbk,
                          cookie);
    gf_this = saved;
    return ret;
}

/* ---- connections ----------------------------------------------------------------- */

client_conn_t *client_conn_ref(client_conn_t *conn)
{
    atomic_fetch_add_explicit(&conn->refs, 1, memory_order_relaxed);
    return conn;
}

bool client_conn_tryref(client_conn_t *conn)
{
    unsigned refs = atomic_load_explicit(&conn->refs, memory_order_relaxed);

    while (refs && !atomic_compare_exchange_weak_explicit(
                       &conn->refs, &refs, refs + 1, memory_order_acquire, memory_order_relaxed))
        ;
    return refs != 0;
}

/* Destroys conn's rpc client (pending calls fail inside that call), then frees
 * conn and tells fini, which may be waiting for the last connection to go. */
static void conn_destroy(client_conn_t *conn)
{
    client_priv_t *priv = conn->this->priv;
    gf_xlator_t *saved = gf_this;

    gf_this = NULL;
    rpc_clnt_destroy(conn->rpc);
    gf_this = saved;
    gf_free(conn); /* before fini may return: conn is charged to the translator */
    pthread_mutex_lock(&priv->lock);
    if (--priv->nconns == 0)
        pthread_cond_broadcast(&priv->idle);
    pthread_mutex_unlock(&priv->lock);
}

void client_conn_unref(client_conn_t *conn)
{
    if (conn && atomic_fetch_sub_explicit(&conn->refs, 1, memory_order_acq_rel) == 1)
        conn_destroy(conn);
}

client_conn_t *client_conn_get_up(gf_xlator_t *this)
{
    client_priv_t *priv = this->priv;
    client_conn_t *conn = NULL;

    pthread_mutex_lock(&priv->lock);
    if (priv->conn && priv->up)
        conn = client_conn_ref(priv->conn);
    pthread_mutex_unlock(&priv->lock);
    return conn;
}

/* Takes conn out of the state when it is the current attempt (caller holds
 * priv->lock). True when it was: the caller then owns the translator's
 * reference and drops it once the lock is released. */
static bool conn_retire_locked(client_priv_t *priv, client_conn_t *conn)
{
    if (priv->conn != conn)
        return false;
    priv->conn = NULL;
    priv->up = false;
    return true;
}

/* ---- telling the parents ----------------------------------------------------- */

/* Records that event (CHILD_UP or CHILD_DOWN) is due (caller holds priv->lock);
 * true when it differs from the last one told, so it must be sent. */
static bool event_due_locked(client_priv_t *priv, gf_event_t event)
{
    if (priv->last_event == event)
        return false;
    priv->last_event = event;
    return true;
}

/* Tells every parent (outside priv->lock). */
static void tell_parents(gf_xlator_t *this, gf_event_t event)
{
    gf_default_notify(this, event, this);
}

/* ---- scheduling attempts ----------------------------------------------------------- */

static void connect_step(gf_xlator_t *this);

/* Timer callback: the backoff is over, make the next attempt. */
static void retry_timer_cb(void *data)
{
    gf_xlator_t *this = data;
    client_priv_t *priv = this->priv;

    pthread_mutex_lock(&priv->lock);
    priv->timer = NULL;
    pthread_mutex_unlock(&priv->lock);
    connect_step(this);
}

/*
 * Schedules the next attempt, to port (the brick's when brick, else
 * glusterd's), after delay_ms (0: now, from this thread). Does nothing while
 * stopping or when an attempt is already scheduled.
 */
static void schedule_attempt(gf_xlator_t *this, int port, bool brick, unsigned delay_ms)
{
    client_priv_t *priv = this->priv;
    bool now;

    pthread_mutex_lock(&priv->lock);
    if (priv->stopping || priv->scheduled) {
        pthread_mutex_unlock(&priv->lock);
        return;
    }
    priv->next_port = port;
    priv->next_brick = brick;
    priv->scheduled = true;
    priv->pending++;
    if (delay_ms) {
        gf_xlator_t *saved = gf_this;

        gf_this = NULL; /* the wheel may free the timer after fini: see client_submit */
        priv->timer = gf_timer_add(gf_ctx->timers, delay_ms, retry_timer_cb, this);
        gf_this = saved;
    }
    now = !priv->timer;
    pthread_mutex_unlock(&priv->lock);
    if (now)
        connect_step(this);
}

/* The delay before the next retry; doubles the one after it, up to the maximum
 * (caller holds priv->lock). */
static unsigned next_backoff_locked(client_priv_t *priv)
{
    unsigned delay = priv->backoff_ms;

    priv->backoff_ms = delay * 2 > CLIENT_BACKOFF_MAX_MS ? CLIENT_BACKOFF_MAX_MS : delay * 2;
    return delay;
}

/* ---- attempts ------------------------------------------------------------------------ */

/* The rpc client's events for attempt conn. */
static void conn_notify(rpc_clnt_t *rpc, int event, void *mydata)
{
    client_conn_t *conn = mydata;
    gf_xlator_t *saved = gf_this;
    bool held = client_conn_tryref(conn);

    gf_this = conn->this;
    if (event == RPC_CLNT_CONNECT)
        client_handshake_start(conn);
    else
        client_handshake_failed(conn);
    gf_this = saved;
    if (held)
        client_conn_unref(conn);
}

/* "tcp:HOST:PORT", with brackets around an IPv6 address. NULL on ENOMEM. */
static char *conn_spec(const char *host, int port)
{
    char *spec = NULL;
    bool v6 = strchr(host, ':') != NULL;

    if (gf_asprintf(&spec, v6 ? "tcp:[%s]:%d" : "tcp:%s:%d", host, port) < 0)
        return NULL;
    return spec;
}

/* A new attempt to port (the brick's when brick) with its rpc client (not
 * connecting yet), holding one reference. NULL on failure, logged. */
static client_conn_t *conn_new(gf_xlator_t *this, int port, bool brick, uint32_t gen)
{
    client_priv_t *priv = this->priv;
    rpc_clnt_opts_t opts = RPC_CLNT_OPTS_DEFAULT;
    client_conn_t *conn = gf_calloc(1, sizeof(*conn));
    char *spec = conn_spec(priv->remote_host, port);
    rpc_tls_ctx_t *mgmt = brick ? NULL : rpc_tls_mgmt();

    opts.call_timeout_ms = (int)(priv->frame_timeout * 1000);
    opts.ping_interval_ms = (int)(priv->ping_timeout * 1000);
    opts.tls = brick ? priv->tls_ctx : mgmt;
    if (conn && spec) {
        gf_this = NULL; /* see client_submit */
        conn->rpc = rpc_clnt_new(gf_ctx->events, gf_ctx->timers, spec, &opts, conn_notify, conn);
        gf_this = this;
    }
    rpc_tls_ctx_unref(mgmt); /* the rpc client holds its own */
    if (!conn || !conn->rpc) {
        gf_log_xl(this, GF_LOG_ERROR, "cannot set up a connection to %s: %s",
                  spec ? spec : priv->remote_host, strerror(conn && spec ? errno : ENOMEM));
        gf_free(conn);
        gf_free(spec);
        return NULL;
    }
    gf_free(spec);
    atomic_init(&conn->refs, 1);
    conn->this = this;
    conn->gen = gen;
    conn->port = port;
    pthread_mutex_lock(&priv->lock);
    priv->nconns++;
    pthread_mutex_unlock(&priv->lock);
    return conn;
}

/* Makes conn the current attempt (it has no other owner yet) unless the
 * translator is stopping. True when installed; the translator then holds the
 * reference conn came with, and the caller gets a new one. */
static bool conn_install(client_priv_t *priv, client_conn_t *conn)
{
    bool ok;

    pthread_mutex_lock(&priv->lock);
    ok = !priv->stopping && !priv->conn;
    if (ok) {
        priv->conn = conn;
        client_conn_ref(conn);
    }
    pthread_mutex_unlock(&priv->lock);
    return ok;
}

/*
 * One attempt: builds it, installs it, starts connecting (nothing here blocks:
 * the rpc client connects from an event thread). Whatever fails ends like a
 * lost connection: a retry after the backoff. The step counts as pending until
 * it returns, so that fini waits for it; it is no longer "scheduled" once it
 * runs, so that its outcome may schedule the next one.
 */
static void connect_step(gf_xlator_t *this)
{
    client_priv_t *priv = this->priv;
    gf_xlator_t *saved = gf_this;
    client_conn_t *conn = NULL;
    bool stopping;
    int port;
    bool brick;
    uint32_t gen;

    gf_this = this;
    pthread_mutex_lock(&priv->lock);
    priv->scheduled = false;
    stopping = priv->stopping;
    port = priv->next_port;
    brick = priv->next_brick;
    gen = ++priv->gen;
    pthread_mutex_unlock(&priv->lock);

    if (!stopping)
        conn = conn_new(this, port, brick, gen);
    if (conn && conn_install(priv, conn)) {
        int err;

        gf_this = NULL; /* see client_submit */
        err = rpc_clnt_connect(conn->rpc);
        gf_this = this;
        if (err) {
            gf_log_xl(this, GF_LOG_WARNING, "cannot connect to %s:%d: %s", priv->remote_host, port,
                      strerror(-err));
            client_handshake_failed(conn);
        }
    } else if (!conn && !stopping) {
        schedule_attempt(this, (int)priv->remote_port, false, CLIENT_BACKOFF_MAX_MS);
    }
    client_conn_unref(conn);

    pthread_mutex_lock(&priv->lock);
    if (--priv->pending == 0)
        pthread_cond_broadcast(&priv->idle);
    pthread_mutex_unlock(&priv->lock);
    gf_this = saved;
}

/* ---- handshake outcomes ------------------------------------------------------------ */

void client_handshake_redirect(client_conn_t *conn, int port)
{
    gf_xlator_t *this = conn->this;
    client_priv_t *priv = this->priv;
    bool mine;

    pthread_mutex_lock(&priv->lock);
    mine = conn_retire_locked(priv, conn);
    pthread_mutex_unlock(&priv->lock);
    if (!mine)
        return;
    gf_log_xl(this, GF_LOG_DEBUG, "brick %s is on port %d of %s", priv->remote_subvolume, port,
              priv->remote_host);
    schedule_attempt(this, port, true, 0);
    client_conn_unref(conn);
}

void client_handshake_done(client_conn_t *conn)
{
    gf_xlator_t *this = conn->this;
    client_priv_t *priv = this->priv;
    bool mine, tell = false;

    pthread_mutex_lock(&priv->lock);
    mine = priv->conn == conn;
    if (mine) {
        priv->up = true;
        priv->backoff_ms = CLIENT_BACKOFF_MIN_MS;
        tell = event_due_locked(priv, GF_EVENT_CHILD_UP);
    }
    pthread_mutex_unlock(&priv->lock);
    if (!mine)
        return;
    gf_log_xl(this, GF_LOG_INFO, "connected to brick %s on %s:%d", priv->remote_subvolume,
              priv->remote_host, conn->port);
    if (tell)
        tell_parents(this, GF_EVENT_CHILD_UP);
}

void client_handshake_failed(client_conn_t *conn)
{
    gf_xlator_t *this = conn->this;
    client_priv_t *priv = this->priv;
    bool mine, was_up = false, tell = false;
    unsigned delay = 0;

    pthread_mutex_lock(&priv->lock);
    was_up = priv->up;
    mine = conn_retire_locked(priv, conn);
    if (mine) {
        tell = event_due_locked(priv, GF_EVENT_CHILD_DOWN);
        delay = next_backoff_locked(priv);
    }
    pthread_mutex_unlock(&priv->lock);
    if (!mine)
        return;
    if (was_up)
        gf_log_xl(this, GF_LOG_WARNING,
                  "disconnected from brick %s on %s:%d; reconnecting through %s:%d",
                  priv->remote_subvolume, priv->remote_host, conn->port, priv->remote_host,
                  (int)priv->remote_port);
    else if (tell)
        gf_log_xl(this, GF_LOG_WARNING,
                  "brick %s on %s is not available (last attempt on port %d, see above "
                  "why); retrying every few seconds",
                  priv->remote_subvolume, priv->remote_host, conn->port);
    if (tell)
        tell_parents(this, GF_EVENT_CHILD_DOWN);
    schedule_attempt(this, (int)priv->remote_port, false, delay);
    client_conn_unref(conn);
}

/* ---- translator ---------------------------------------------------------------------- */

static int client_init(gf_xlator_t *this)
{
    client_priv_t *priv = this->priv;
    gf_xlator_t *saved;
    int err;

    if (!priv->remote_host || !*priv->remote_host || !priv->remote_subvolume ||
        !*priv->remote_subvolume) {
        gf_log(GF_LOG_ERROR, "protocol/client needs options remote-host and remote-subvolume "
                             "(the brick's host and path): add them to the volfile");
        return -EINVAL;
    }
    if (this->n_children) {
        gf_log(GF_LOG_ERROR, "protocol/client takes no subvolumes, it has %d: fix the volfile",
               this->n_children);
        return -EINVAL;
    }
    if (!gf_ctx || !gf_ctx->events || !gf_ctx->timers) {
        gf_log(GF_LOG_ERROR, "protocol/client needs the process context (gf_ctx_init)");
        return -EINVAL;
    }
    /* The TLS context is shared with the rpc layer and may outlive this translator:
     * charge it to the process, not to us (see mem.h). */
    saved = gf_this;
    gf_this = NULL;
    err = rpc_tls_ctx_from_options(&priv->tls, &priv->tls_ctx);
    gf_this = saved;
    if (err) {
        gf_log(GF_LOG_ERROR, "protocol/client cannot set up TLS to brick %s (client.ssl is on): "
                             "see above",
               priv->remote_subvolume);
        return err;
    }
    if (client_process_uuid_init(this)) {
        rpc_tls_ctx_unref(priv->tls_ctx);
        return -ENOMEM;
    }
    pthread_mutex_init(&priv->lock, NULL);
    pthread_cond_init(&priv->idle, NULL);
    priv->backoff_ms = CLIENT_BACKOFF_MIN_MS;
    return 0;
}

/* Stops every attempt and waits until the last connection is gone: scheduled
 * steps finish (they see `stopping`), the current connection is destroyed
 * (pending calls fail with ENOTCONN), retired ones finish their destruction. */
static void client_fini(gf_xlator_t *this)
{
    client_priv_t *priv = this->priv;
    client_conn_t *conn;
    gf_timer_t *timer;

    pthread_mutex_lock(&priv->lock);
    priv->stopping = true;
    timer = priv->timer;
    priv->timer = NULL;
    pthread_mutex_unlock(&priv->lock);
    if (timer && gf_timer_cancel(gf_ctx->timers, timer) == 0) {
        pthread_mutex_lock(&priv->lock);
        priv->scheduled = false;
        priv->pending--;
        pthread_mutex_unlock(&priv->lock);
    }

    pthread_mutex_lock(&priv->lock);
    while (priv->pending)
        pthread_cond_wait(&priv->idle, &priv->lock);
    conn = priv->conn;
    priv->conn = NULL;
    priv->up = false;
    pthread_mutex_unlock(&priv->lock);
    client_conn_unref(conn);

    pthread_mutex_lock(&priv->lock);
    while (priv->nconns)
        pthread_cond_wait(&priv->idle, &priv->lock);
    pthread_mutex_unlock(&priv->lock);
    pthread_cond_destroy(&priv->idle);
    pthread_mutex_destroy(&priv->lock);
    gf_free(priv->process_uuid);
    priv->process_uuid = NULL;
    rpc_tls_ctx_unref(priv->tls_ctx);
    priv->tls_ctx = NULL;
}

/* PARENT_UP starts connecting (once); everything else takes the default path. */
static int client_notify(gf_xlator_t *this, gf_event_t event, void *data)
{
    client_priv_t *priv = this->priv;
    bool start;

    if (event != GF_EVENT_PARENT_UP)
        return gf_default_notify(this, event, data);
    pthread_mutex_lock(&priv->lock);
    start = !priv->started;
    priv->started = true;
    pthread_mutex_unlock(&priv->lock);
    if (start)
        schedule_attempt(this, (int)priv->remote_port, false, 0);
    return 0;
}

static const gf_option_t client_options[] = {
    {.key = "remote-host",
     .type = GF_OPT_ANY,
     .scope = GF_SCOPE_BRICK,
     .offset = offsetof(client_priv_t, remote_host),
     .desc = "host of the brick (and of the glusterd that knows its port); required"},
    {.key = "remote-port",
     .type = GF_OPT_INT,
     .def = "24007",
     .min = 1,
     .max = 65535,
     .scope = GF_SCOPE_BRICK,
     .offset = offsetof(client_priv_t, remote_port),
     .desc = "glusterd's port on remote-host, asked for the brick's port"},
    {.key = "remote-subvolume",
     .type = GF_OPT_ANY,
     .scope = GF_SCOPE_BRICK,
     .offset = offsetof(client_priv_t, remote_subvolume),
     .desc = "name of the brick (its path) on remote-host; required"},
    {.key = "transport-type",
     .type = GF_OPT_ENUM,
     .def = "tcp",
     .values = {"tcp", "socket", NULL},
     .scope = GF_SCOPE_BRICK,
     .offset = offsetof(client_priv_t, transport_type),
     .desc = "transport to the brick (tcp only)"},
    {.key = "username",
     .type = GF_OPT_ANY,
     .scope = GF_SCOPE_BRICK,
     .offset = offsetof(client_priv_t, username),
     .desc = "login sent to the brick at handshake"},
    {.key = "password",
     .type = GF_OPT_ANY,
     .scope = GF_SCOPE_BRICK,
     .offset = offsetof(client_priv_t, password),
     .desc = "password of that login"},
    {.key = "ping-timeout",
     .type = GF_OPT_TIME,
     .def = "42",
     .min = 0,
     .max = 1013,
     .scope = GF_SCOPE_BRICK,
     .offset = offsetof(client_priv_t, ping_timeout),
     .desc = "seconds of silence after which the brick is pinged (0: never)"},
    {.key = "frame-timeout",
     .type = GF_OPT_TIME,
     .def = "1800",
     .min = 0,
     .max = 86400,
     .scope = GF_SCOPE_BRICK,
     .offset = offsetof(client_priv_t, frame_timeout),
     .desc = "seconds after which an unanswered call fails (0: never)"},
    RPC_TLS_OPTIONS(client_priv_t, tls, GF_SCOPE_BRICK),
    {.key = NULL},
};

const gf_xlator_desc_t gf_xlator_desc = {
    .abi_version = GF_XLATOR_ABI_VERSION,
    .type = "protocol/client",
    .priv_size = sizeof(client_priv_t),
    .init = client_init,
    .fini = client_fini,
    .notify = client_notify,
    .release = client_release,
    .options = client_options,
    .fops =
        {
#define GF_FOP(ENUM, name, num) [GF_FOP_##ENUM] = client_fop,
#include "glusterfs/fops.def"
#undef GF_FOP
        },
};
