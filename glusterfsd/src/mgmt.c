/*
 * The brick process's connection to glusterd (contract in mgmt.h).
 *
 * One rpc client with reconnection carries everything: the GETSPEC of the
 * first volfile at startup (a blocking call from the main thread), the SIGNIN
 * of each brick (sent asynchronously when the brick is attached, and again for
 * every brick from the notify of every new connection), and the SIGNOUTs.
 * Calls carry the AUTH_GLUSTERFS_v2 credential of this process, as the stock
 * brick's do.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "glusterfs/ctx.h"
#include "glusterfs/dict.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "glusterfs/timer.h"
#include "handshake-xdr.h"
#include "mgmt.h"
#include "portmap-xdr.h"
#include "rpc-clnt.h"

/* The op-versions this brick speaks, sent in GETSPEC as the stock brick does:
 * 1 up to GlusterFS 10.0 (op-version 100000). */
#define MGMT_MIN_OP_VERSION 1
#define MGMT_MAX_OP_VERSION 100000

#define MGMT_PEER_MAX 300

/* A brick signed in on each connection. */
typedef struct signed_brick {
    struct signed_brick *next;
    int port;
    char name[];
} signed_brick_t;

struct gfsd_mgmt {
    rpc_clnt_t *clnt;
    char peer[MGMT_PEER_MAX]; /* "HOST:PORT" of glusterd, for messages */
    struct rpc_auth auth;
    pthread_mutex_t lock;   /* guards the fields below */
    pthread_cond_t changed; /* signalled when connected or cancelled changes */
    signed_brick_t *bricks; /* signed in on each connection */
    bool connected;
    bool cancelled;
    int failed_attempts; /* attempts that failed since the last connection */
};

/* One SIGNIN or SIGNOUT in flight: what its callback reports on, and to whom. */
struct pmap_call {
    struct pmap_call *next; /* in a batch being sent */
    gfsd_mgmt_t *m;
    int port;
    gfsd_mgmt_cb cb; /* may be NULL */
    void *arg;
    char brick[];
};

/* Fills the AUTH_GLUSTERFS_v2 credential of this process: its pid, uid and gid,
 * and the pid as lock owner (least significant byte first). */
static void make_auth(struct rpc_auth *auth)
{
    uint32_t pid = (uint32_t)getpid();
    auth->flavor = GF_AUTH_GLUSTERFS_V2;
    auth->pid = (int32_t)pid;
    auth->uid = (uint32_t)getuid();
    auth->gid = (uint32_t)getgid();
    auth->lk_owner_len = 4;
    for (int i = 0; i < 4; i++)
        auth->lk_owner[i] = (char)(pid >> (8 * i));
}

/* Decodes a pmap reply (two ints, nothing to free) from res. 0 or -EBADMSG. */
static int decode_pmap_rsp(const char *res, size_t len, xdrproc_t proc, void *out)
{
    XDR xdr;
    xdrmem_create(&xdr, (char *)res, (u_int)len, XDR_DECODE);
    bool ok = proc(&xdr, out);
    xdr_destroy(&xdr);
    return ok ? 0 : -EBADMSG;
}

/* A new call record for brick and port. NULL on ENOMEM. */
static struct pmap_call *call_new(gfsd_mgmt_t *m, const char *brick, int port, gfsd_mgmt_cb cb,
                                  void *arg)
{
    size_t n = strlen(brick) + 1;
    struct pmap_call *c = gf_malloc(sizeof(*c) + n);

    if (!c)
        return NULL;
    *c = (struct pmap_call){.m = m, .port = port, .cb = cb, .arg = arg};
    memcpy(c->brick, brick, n);
    return c;
}

/* Reports status to the call's cb, if any, and frees the call. */
static void call_done(struct pmap_call *c, int status)
{
    if (c->cb)
        c->cb(status, c->arg);
    gf_free(c);
}

/* Logs the outcome of one SIGNIN and completes its call. */
static void signin_cbk(rpc_clnt_t *clnt, int status, const char *res, size_t res_len,
                       gf_buf_t *record, void *cookie)
{
    struct pmap_call *s = cookie;
    pmap_signin_rsp rsp = {0};
    if (!status)
        status = decode_pmap_rsp(res, res_len, (xdrproc_t)xdr_pmap_signin_rsp, &rsp);
    if (status)
        gf_log(GF_LOG_WARNING, "SIGNIN of brick %s (port %d) to glusterd at %s failed: %s%s",
               s->brick, s->port, s->m->peer, strerror(-status),
               status == -ENOTCONN ? "; it is sent again on reconnection" : "");
    else if (rsp.op_ret < 0)
        gf_log(GF_LOG_ERROR, "glusterd at %s refused SIGNIN of brick %s (port %d): %s", s->m->peer,
               s->brick, s->port, strerror(rsp.op_errno));
    else
        gf_log(GF_LOG_INFO, "brick %s signed in with glusterd at %s on port %d", s->brick,
               s->m->peer, s->port);
    call_done(s, status ? status : (rsp.op_ret < 0 ? -(rsp.op_errno ? rsp.op_errno : EIO) : 0));
}

/* Sends the SIGNIN of call s. Never blocks. */
static void send_signin(struct pmap_call *s)
{
    pmap_signin_req req = {.brick = s->brick, .port = s->port, .pid = (int)getpid()};
    rpc_clnt_submit(s->m->clnt, GF_PMAP_PROGRAM, GF_PMAP_VERSION, GF_PMAP_SIGNIN, &s->m->auth,
                    (xdrproc_t)xdr_pmap_signin_req, &req, NULL, 0, NULL, signin_cbk, s);
}

/* Signs in every brick of the list (a new connection). */
static void signin_all(gfsd_mgmt_t *m)
{
    struct pmap_call *calls = NULL;
    pthread_mutex_lock(&m->lock);
    for (signed_brick_t *b = m->bricks; b; b = b->next) {
        struct pmap_call *c = call_new(m, b->name, b->port, NULL, NULL);
        if (!c)
            break;
        c->next = calls;
        calls = c;
    }
    pthread_mutex_unlock(&m->lock);
    while (calls) {
        struct pmap_call *c = calls;
        calls = c->next;
        send_signin(c);
    }
}

/* Connection events: signs every brick in again on each connection; logs a
 * lost one. */
static void mgmt_notify(rpc_clnt_t *clnt, int event, void *mydata)
{
    gfsd_mgmt_t *m = mydata;
    pthread_mutex_lock(&m->lock);
    bool was_connected = m->connected;
    m->connected = event == RPC_CLNT_CONNECT;
    if (m->connected)
        m->failed_attempts = 0;
    else if (!was_connected)
        m->failed_attempts++;
    pthread_cond_broadcast(&m->changed);
    pthread_mutex_unlock(&m->lock);
    if (event == RPC_CLNT_CONNECT) {
        gf_log(GF_LOG_INFO, "connected to glusterd at %s", m->peer);
        signin_all(m);
    } else if (was_connected) {
        gf_log(GF_LOG_WARNING, "lost the connection to glusterd at %s; reconnecting", m->peer);
    }
}

int gfsd_mgmt_new(const char *host, int port, gfsd_mgmt_t **out, char *err, size_t errlen)
{
    bool v6 = strchr(host, ':') != NULL;
    char spec[MGMT_PEER_MAX + 8];
    gfsd_mgmt_t *m = gf_calloc(1, sizeof(*m));
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    snprintf(m->peer, sizeof(m->peer), v6 ? "[%s]:%d" : "%s:%d", host, port);
    snprintf(spec, sizeof(spec), "tcp:%s", m->peer);
    make_auth(&m->auth);
    pthread_mutex_init(&m->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&m->changed, &ca);
    pthread_condattr_destroy(&ca);
    rpc_clnt_opts_t opts = {
        .call_timeout_ms = 10000, .reconnect = true, .backoff_min_ms = 100, .backoff_max_ms = 2000};
    m->clnt = rpc_clnt_new(gf_ctx->events, gf_ctx->timers, spec, &opts, mgmt_notify, m);
    int ret = m->clnt ? rpc_clnt_connect(m->clnt) : (errno ? -errno : -ENOMEM);
    if (ret) {
        snprintf(err, errlen, "cannot connect to glusterd at %s: %s", m->peer, strerror(-ret));
        gfsd_mgmt_destroy(m);
        return ret;
    }
    *out = m;
    return 0;
}

/* Serializes the GETSPEC xdata: the op-versions we speak and the brick name.
 * 0 or -errno; *buf is gf_malloc'ed. */
static int getspec_xdata(const char *brick, char **buf, size_t *len)
{
    gf_dict_t *d = gf_dict_new();
    if (!d)
        return -ENOMEM;
    int ret = gf_dict_set_int32(d, "min-op-version", MGMT_MIN_OP_VERSION);
    if (!ret)
        ret = gf_dict_set_int32(d, "max-op-version", MGMT_MAX_OP_VERSION);
    if (!ret && brick)
        ret = gf_dict_set_str(d, "brick_name", brick);
    if (!ret)
        ret = gf_dict_serialize(d, buf, len);
    gf_dict_unref(d);
    return ret;
}

/* Says why a blocking call to glusterd failed with status; returns status. */
static int call_error(gfsd_mgmt_t *m, const char *what, int status, int timeout_ms, char *err,
                      size_t errlen)
{
    pthread_mutex_lock(&m->lock);
    int attempts = m->failed_attempts;
    pthread_mutex_unlock(&m->lock);
    if (status == -ENOTCONN)
        snprintf(err, errlen,
                 "cannot reach glusterd at %s: not connected after %d ms and %d failed "
                 "connection attempts (is glusterd running there?)",
                 m->peer, timeout_ms, attempts);
    else if (status == -ECANCELED)
        snprintf(err, errlen, "stopped while waiting for glusterd at %s", m->peer);
    else if (status == -ETIMEDOUT)
        snprintf(err, errlen, "glusterd at %s did not answer %s within %d ms", m->peer, what,
                 timeout_ms);
    else
        snprintf(err, errlen, "%s to glusterd at %s failed: %s", what, m->peer, strerror(-status));
    return status;
}

/* Takes the volfile out of a GETSPEC reply. 0 or -errno with err set. */
static int take_spec(gfsd_mgmt_t *m, const gf_getspec_rsp *rsp, const char *id, char **spec,
                     size_t *len, char *err, size_t errlen)
{
    if (rsp->op_ret < 0) {
        int e = rsp->op_errno > 0 ? rsp->op_errno : EIO;
        if (e == ENOENT)
            snprintf(err, errlen, "glusterd at %s has no volfile with id '%s'", m->peer, id);
        else
            snprintf(err, errlen, "glusterd at %s refused GETSPEC of '%s': %s", m->peer, id,
                     strerror(e));
        return -e;
    }
    size_t n = (size_t)rsp->op_ret;
    if (!rsp->spec || strlen(rsp->spec) < n) {
        snprintf(err, errlen,
                 "glusterd at %s sent a volfile for '%s' shorter than the %zu bytes "
                 "it announced",
                 m->peer, id, n);
        return -EPROTO;
    }
    *spec = gf_strndup(rsp->spec, n);
    if (!*spec) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    *len = n;
    return 0;
}

void gfsd_mgmt_cancel(gfsd_mgmt_t *m)
{
    pthread_mutex_lock(&m->lock);
    m->cancelled = true;
    pthread_cond_broadcast(&m->changed);
    pthread_mutex_unlock(&m->lock);
}

/* Waits until connected, cancelled or deadline (gf_time_ms). 0 when
 * connected, -ECANCELED, or -ENOTCONN at the deadline. */
static int wait_connected(gfsd_mgmt_t *m, uint64_t deadline)
{
    struct timespec ts = {.tv_sec = (time_t)(deadline / 1000),
                          .tv_nsec = (long)(deadline % 1000) * 1000000L};
    int ret = -ENOTCONN;
    pthread_mutex_lock(&m->lock);
    for (;;) {
        if (m->cancelled || m->connected) {
            ret = m->cancelled ? -ECANCELED : 0;
            break;
        }
        if (pthread_cond_timedwait(&m->changed, &m->lock, &ts) == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&m->lock);
    return ret;
}

/* Calls GETSPEC with req into *rsp within timeout_ms in all: waits for the
 * connection (noticing a cancel at once), then gives the call all the time
 * left; starts again when the connection was lost before the reply. Returns
 * the status of rpc_clnt_call_sync, or -ECANCELED. */
static int call_getspec(gfsd_mgmt_t *m, gf_getspec_req *req, gf_getspec_rsp *rsp, int timeout_ms)
{
    uint64_t deadline = gf_time_ms() + (uint64_t)timeout_ms;
    for (;;) {
        int ret = wait_connected(m, deadline);
        if (ret)
            return ret;
        uint64_t now = gf_time_ms();
        if (now >= deadline)
            return -ETIMEDOUT;
        ret = rpc_clnt_call_sync(m->clnt, GF_HNDSK_PROGRAM, GF_HNDSK_VERSION, GF_HNDSK_GETSPEC,
                                 &m->auth, (xdrproc_t)xdr_gf_getspec_req, req,
                                 (xdrproc_t)xdr_gf_getspec_rsp, rsp, (int)(deadline - now));
        if (ret != -ENOTCONN)
            return ret;
    }
}

int gfsd_mgmt_getspec(gfsd_mgmt_t *m, const char *volfile_id, const char *brick, int timeout_ms,
                      char **spec, size_t *len, char *err, size_t errlen)
{
    gf_getspec_req req = {.flags = 0, .key = (char *)volfile_id};
    char *xdata = NULL;
    size_t xlen = 0;
    int ret = getspec_xdata(brick, &xdata, &xlen);
    if (ret) {
        snprintf(err, errlen, "cannot encode the GETSPEC request: %s", strerror(-ret));
        return ret;
    }
    req.xdata.xdata_val = xdata;
    req.xdata.xdata_len = (u_int)xlen;
    gf_getspec_rsp rsp = {0};
    ret = call_getspec(m, &req, &rsp, timeout_ms);
    gf_free(xdata);
    if (ret)
        return call_error(m, "GETSPEC", ret, timeout_ms, err, errlen);
    ret = take_spec(m, &rsp, volfile_id, spec, len, err, errlen);
    xdr_free((xdrproc_t)xdr_gf_getspec_rsp, (char *)&rsp);
    return ret;
}

/* Takes brick out of the list; returns its record (gf_free it), or NULL.
 * Call with m->lock held. */
static signed_brick_t *list_take(gfsd_mgmt_t *m, const char *brick)
{
    for (signed_brick_t **pp = &m->bricks; *pp; pp = &(*pp)->next) {
        signed_brick_t *b = *pp;
        if (strcmp(b->name, brick) == 0) {
            *pp = b->next;
            return b;
        }
    }
    return NULL;
}

int gfsd_mgmt_signin(gfsd_mgmt_t *m, const char *brick, int port, gfsd_mgmt_cb cb, void *arg)
{
    size_t n = strlen(brick) + 1;
    signed_brick_t *b = gf_malloc(sizeof(*b) + n);
    struct pmap_call *s = call_new(m, brick, port, cb, arg);
    if (!b || !s) {
        gf_free(b);
        gf_free(s);
        return -ENOMEM;
    }
    b->port = port;
    memcpy(b->name, brick, n);
    pthread_mutex_lock(&m->lock);
    gf_free(list_take(m, brick));
    b->next = m->bricks;
    m->bricks = b;
    bool connected = m->connected;
    pthread_mutex_unlock(&m->lock);
    if (connected)
        send_signin(s);
    else
        call_done(s, -ENOTCONN);
    return 0;
}

/* Logs the outcome of one SIGNOUT (status, or rsp when 0) of brick. */
static void log_signout(gfsd_mgmt_t *m, const char *brick, int status, const pmap_signout_rsp *rsp)
{
    if (status)
        gf_log(GF_LOG_WARNING, "SIGNOUT of brick %s from glusterd at %s failed: %s", brick, m->peer,
               strerror(-status));
    else if (rsp->op_ret < 0)
        gf_log(GF_LOG_WARNING, "glusterd at %s refused SIGNOUT of brick %s: %s", m->peer, brick,
               strerror(rsp->op_errno));
    else
        gf_log(GF_LOG_INFO, "brick %s signed out from glusterd at %s", brick, m->peer);
}

static void signout_cbk(rpc_clnt_t *clnt, int status, const char *res, size_t res_len,
                        gf_buf_t *record, void *cookie)
{
    struct pmap_call *s = cookie;
    pmap_signout_rsp rsp = {0};
    if (!status)
        status = decode_pmap_rsp(res, res_len, (xdrproc_t)xdr_pmap_signout_rsp, &rsp);
    log_signout(s->m, s->brick, status, &rsp);
    call_done(s, status ? status : (rsp.op_ret < 0 ? -(rsp.op_errno ? rsp.op_errno : EIO) : 0));
}

void gfsd_mgmt_signout(gfsd_mgmt_t *m, const char *brick, gfsd_mgmt_cb cb, void *arg)
{
    pthread_mutex_lock(&m->lock);
    signed_brick_t *b = list_take(m, brick);
    bool connected = m->connected;
    pthread_mutex_unlock(&m->lock);
    struct pmap_call *s = call_new(m, brick, b ? b->port : 0, cb, arg);
    gf_free(b);
    if (!s) {
        gf_log(GF_LOG_WARNING, "out of memory: brick %s not signed out", brick);
        if (cb)
            cb(-ENOMEM, arg);
        return;
    }
    if (!connected) {
        gf_log(GF_LOG_WARNING, "not connected to glusterd at %s: brick %s not signed out", m->peer,
               brick);
        call_done(s, -ENOTCONN);
        return;
    }
    pmap_signout_req req = {.brick = s->brick, .port = s->port, .rdma_port = 0};
    rpc_clnt_submit(m->clnt, GF_PMAP_PROGRAM, GF_PMAP_VERSION, GF_PMAP_SIGNOUT, &m->auth,
                    (xdrproc_t)xdr_pmap_signout_req, &req, NULL, 0, NULL, signout_cbk, s);
}

void gfsd_mgmt_signout_all(gfsd_mgmt_t *m, int timeout_ms)
{
    uint64_t deadline = gf_time_ms() + (uint64_t)timeout_ms;
    pthread_mutex_lock(&m->lock);
    signed_brick_t *list = m->bricks;
    m->bricks = NULL;
    pthread_mutex_unlock(&m->lock);
    while (list) {
        signed_brick_t *b = list;
        uint64_t now = gf_time_ms();
        list = b->next;
        if (!rpc_clnt_connected(m->clnt) || now >= deadline) {
            gf_log(GF_LOG_WARNING, "%s: brick %s not signed out from glusterd at %s",
                   now >= deadline ? "out of time" : "not connected", b->name, m->peer);
        } else {
            pmap_signout_req req = {.brick = b->name, .port = b->port, .rdma_port = 0};
            pmap_signout_rsp rsp = {0};
            int ret =
                rpc_clnt_call_sync(m->clnt, GF_PMAP_PROGRAM, GF_PMAP_VERSION, GF_PMAP_SIGNOUT,
                                   &m->auth, (xdrproc_t)xdr_pmap_signout_req, &req,
                                   (xdrproc_t)xdr_pmap_signout_rsp, &rsp, (int)(deadline - now));
            log_signout(m, b->name, ret, &rsp);
        }
        gf_free(b);
    }
}

void gfsd_mgmt_destroy(gfsd_mgmt_t *m)
{
    if (!m)
        return;
    if (m->clnt)
        rpc_clnt_destroy(m->clnt);
    while (m->bricks) {
        signed_brick_t *b = m->bricks;
        m->bricks = b->next;
        gf_free(b);
    }
    pthread_cond_destroy(&m->changed);
    pthread_mutex_destroy(&m->lock);
    gf_free(m);
}
