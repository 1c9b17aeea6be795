/*
 * The ONC RPC server (see rpcsvc.h): listeners, connections, call dispatch,
 * replies, and the built-in DUMP program.
 *
 * Lifetimes. The server is reference counted: its creator holds one reference
 * until rpc_svc_destroy, and each connection holds one. A connection holds a
 * reference on its transport and is itself referenced by its "live" state
 * (dropped at disconnect) and by each request being served, so a late reply
 * always finds valid memory. Calls into the user's code (notify, actors) pass
 * through a gate that rpc_svc_destroy closes and waits on.
 */
#include <errno.h>
#include <string.h>

#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "rpcsvc.h"
#include "transport.h"

struct rpc_svc {
    pthread_mutex_t lock; /* listeners, conns, destroyed */
    atomic_int refs;
    gf_event_pool_t *pool;
    rpc_svc_notify_t notify;
    void *mydata;
    rpc_transport_t **listeners;
    int n_listeners;
    rpc_svc_conn_t *conns; /* live connections, doubly linked */
    bool destroyed;
    pthread_rwlock_t progs_lock;
    const rpc_program_t **progs;
    int n_progs;
    rpc_gate_t gate;
};

struct rpc_svc_conn {
    atomic_int refs;
    rpc_svc_t *svc;
    rpc_transport_t *t;
    void *_Atomic priv;
    atomic_bool up_notified; /* CONNECT told: at accept, or when its TLS handshake is done */
    atomic_bool down_notified;
    rpc_svc_conn_t *prev, *next;
};

static const rpc_program_t dump_program;

static void svc_unref(rpc_svc_t *svc)
{
    if (atomic_fetch_sub_explicit(&svc->refs, 1, memory_order_acq_rel) != 1)
        return;
    pthread_mutex_destroy(&svc->lock);
    pthread_rwlock_destroy(&svc->progs_lock);
    rpc_gate_fini(&svc->gate);
    gf_free(svc->listeners);
    gf_free(svc->progs);
    gf_free(svc);
}

rpc_svc_conn_t *rpc_svc_conn_ref(rpc_svc_conn_t *conn)
{
    atomic_fetch_add_explicit(&conn->refs, 1, memory_order_relaxed);
    return conn;
}

void rpc_svc_conn_unref(rpc_svc_conn_t *conn)
{
    if (atomic_fetch_sub_explicit(&conn->refs, 1, memory_order_acq_rel) != 1)
        return;
    rpc_transport_unref(conn->t);
    svc_unref(conn->svc);
    gf_free(conn);
}

void rpc_svc_conn_set_priv(rpc_svc_conn_t *conn, void *priv)
{
    atomic_store(&conn->priv, priv);
}

void *rpc_svc_conn_get_priv(rpc_svc_conn_t *conn)
{
    return atomic_load(&conn->priv);
}

const char *rpc_svc_conn_peer(rpc_svc_conn_t *conn)
{
    return rpc_transport_peer(conn->t);
}

const char *rpc_svc_conn_peer_cn(rpc_svc_conn_t *conn)
{
    return rpc_transport_peer_cn(conn->t);
}

void rpc_svc_conn_disconnect(rpc_svc_conn_t *conn)
{
    rpc_transport_close(conn->t);
}

rpc_svc_t *rpc_svc_conn_svc(rpc_svc_conn_t *conn)
{
    return conn->svc;
}

/* Calls notify for event, through the gate, when it is due: CONNECT once,
 * DISCONNECT once and only after CONNECT. False when the gate is closed. */
static bool notify_gated(rpc_svc_conn_t *conn, int event)
{
    rpc_svc_t *svc = conn->svc;
    rpc_gate_frame_t frame;
    if (!rpc_gate_enter(&svc->gate, &frame))
        return false;
    bool due = event == RPC_SVC_CONNECT ? !atomic_exchange(&conn->up_notified, true)
                                        : atomic_load(&conn->up_notified) &&
                                              !atomic_exchange(&conn->down_notified, true);
    if (due && svc->notify)
        svc->notify(svc, conn, event, svc->mydata);
    rpc_gate_leave(&svc->gate, &frame);
    return true;
}

/* ---- replies ---- */

/* Sends a reply made of header r alone. 0 or -errno. */
static int send_status(rpc_svc_conn_t *conn, const struct rpc_reply_hdr *r)
{
    char *buf = gf_malloc(RPC_REPLY_HDR_MAX);
    if (!buf)
        return -ENOMEM;
    int len = rpc_msg_encode_reply(buf, RPC_REPLY_HDR_MAX, r);
    if (len < 0) {
        gf_free(buf);
        return len;
    }
    return rpc_transport_send(conn->t, buf, (size_t)len, NULL, 0, NULL);
}

static void req_free(rpc_req_t *req)
{
    gf_buf_unref(req->record);
    rpc_svc_conn_unref(req->conn);
    gf_free(req);
}

int rpc_req_error(rpc_req_t *req, int accept_stat)
{
    struct rpc_reply_hdr r = {.xid = req->xid, .reply_stat = MSG_ACCEPTED,
                              .accept_stat = (uint32_t)accept_stat,
                              .low = req->vers, .high = req->vers};
    int err = send_status(req->conn, &r);
    req_free(req);
    return err;
}

/* Encodes the SUCCESS header and rsp into a new buffer; *len gets the length. */
static char *encode_success(rpc_req_t *req, xdrproc_t proc, void *rsp, size_t *len)
{
    struct rpc_reply_hdr r = {.xid = req->xid, .reply_stat = MSG_ACCEPTED, .accept_stat = SUCCESS};
    size_t rsp_len = proc ? xdr_sizeof(proc, rsp) : 0;
    char *buf = gf_malloc(RPC_REPLY_HDR_MAX + rsp_len);
    if (!buf)
        return NULL;
    int hlen = rpc_msg_encode_reply(buf, RPC_REPLY_HDR_MAX, &r);
    XDR x;
    xdrmem_create(&x, buf + hlen, (u_int)rsp_len, XDR_ENCODE);
    if (proc && !proc(&x, rsp)) {
        gf_free(buf);
        return NULL;
    }
    *len = (size_t)hlen + rsp_len;
    return buf;
}

int rpc_req_reply(rpc_req_t *req, xdrproc_t proc, void *rsp, const struct iovec *payload,
                  int count, gf_buf_t *keep)
{
    size_t len;
    char *buf = encode_success(req, proc, rsp, &len);
    if (!buf) {
        gf_log(GF_LOG_ERROR, "cannot encode the reply to %s call %u proc %u for %s",
               req->program->name, req->xid, req->proc, rpc_svc_conn_peer(req->conn));
        rpc_req_error(req, SYSTEM_ERR);
        return -EINVAL;
    }
    int err = rpc_transport_send(req->conn->t, buf, len, payload, count, keep);
    req_free(req);
    return err;
}

int rpc_req_decode(rpc_req_t *req, xdrproc_t proc, void *out, size_t *consumed)
{
    XDR x;
    size_t len = req->args_len > UINT32_MAX ? UINT32_MAX : req->args_len;
    xdrmem_create(&x, (char *)req->args, (u_int)len, XDR_DECODE);
    if (!proc(&x, out)) {
        xdr_free(proc, out);
        return -EBADMSG;
    }
    if (consumed)
        *consumed = xdr_getpos(&x);
    return 0;
}

/* ---- dispatch ---- */

/* Finds the program for prognum and vers. When only the version is wrong,
 * returns NULL with *low and *high set to the versions offered (else *high is 0). */
static const rpc_program_t *find_program(rpc_svc_t *svc, uint32_t prognum, uint32_t vers,
                                         uint32_t *low, uint32_t *high)
{
    const rpc_program_t *found = NULL;
    *low = UINT32_MAX;
    *high = 0;
    pthread_rwlock_rdlock(&svc->progs_lock);
    for (int i = 0; i < svc->n_progs && !found; i++) {
        const rpc_program_t *p = svc->progs[i];
        if (p->prognum != prognum)
            continue;
        if (p->progver == vers)
            found = p;
        *low = p->progver < *low ? p->progver : *low;
        *high = p->progver > *high ? p->progver : *high;
    }
    pthread_rwlock_unlock(&svc->progs_lock);
    return found;
}

/* Routes req to its actor, or answers the routing error. */
static void dispatch(rpc_req_t *req)
{
    uint32_t low, high;
    const rpc_program_t *prog = find_program(req->conn->svc, req->prog, req->vers, &low, &high);
    if (!prog && high == 0) {
        rpc_req_error(req, PROG_UNAVAIL);
        return;
    }
    if (!prog) {
        struct rpc_reply_hdr r = {.xid = req->xid, .reply_stat = MSG_ACCEPTED,
                                  .accept_stat = PROG_MISMATCH, .low = low, .high = high};
        send_status(req->conn, &r);
        req_free(req);
        return;
    }
    req->program = prog;
    if (req->proc >= (uint32_t)prog->n_actors || !prog->actors[req->proc].fn) {
        rpc_req_error(req, PROC_UNAVAIL);
        return;
    }
    int ret = prog->actors[req->proc].fn(req);
    if (ret < 0)
        rpc_req_error(req, ret == -EBADMSG ? GARBAGE_ARGS : SYSTEM_ERR);
}

/* Denies a call: wrong RPC version or bad credential. */
static void deny(rpc_svc_conn_t *conn, uint32_t xid, uint32_t reject_stat, uint32_t auth_stat)
{
    struct rpc_reply_hdr r = {.xid = xid, .reply_stat = MSG_DENIED, .reject_stat = reject_stat,
                              .auth_stat = auth_stat, .low = RPC_VERSION_2,
                              .high = RPC_VERSION_2};
    send_status(conn, &r);
}

/* Builds the request for a decoded call header; NULL after answering or on
 * ENOMEM (which closes the connection). Takes rec. */
static rpc_req_t *make_req(rpc_svc_conn_t *conn, gf_buf_t *rec, const struct rpc_call_hdr *h,
                           size_t hdr_len)
{
    if (h->rpcvers != RPC_VERSION_2) {
        deny(conn, h->xid, RPC_MISMATCH, 0);
        gf_buf_unref(rec);
        return NULL;
    }
    rpc_req_t *req = gf_malloc(sizeof(*req));
    if (!req) {
        gf_buf_unref(rec);
        rpc_svc_conn_disconnect(conn);
        return NULL;
    }
    int err = rpc_auth_decode(h->cred_flavor, h->cred, h->cred_len, &req->auth);
    if (err) {
        deny(conn, h->xid, AUTH_ERROR, err == -EBADMSG ? AUTH_BADCRED : AUTH_REJECTEDCRED);
        gf_buf_unref(rec);
        gf_free(req);
        return NULL;
    }
    req->conn = rpc_svc_conn_ref(conn);
    req->xid = h->xid;
    req->prog = h->prog;
    req->vers = h->vers;
    req->proc = h->proc;
    req->record = rec;
    req->args = rec->data + hdr_len;
    req->args_len = rec->size - hdr_len;
    req->program = NULL;
    req->priv = NULL;
    return req;
}

/* Transport callback: one record from a client. */
static void conn_record(rpc_transport_t *t, gf_buf_t *rec, void *data)
{
    rpc_svc_conn_t *conn = data;
    struct rpc_call_hdr h;
    size_t hdr_len;
    if (rpc_msg_decode_call(rec->data, rec->size, &h, &hdr_len) < 0) {
        gf_log(GF_LOG_ERROR, "closing connection from %s: malformed RPC call (%zu bytes)",
               rpc_transport_peer(t), rec->size);
        gf_buf_unref(rec);
        rpc_transport_close(t);
        return;
    }
    rpc_gate_frame_t frame;
    if (!rpc_gate_enter(&conn->svc->gate, &frame)) {
        gf_buf_unref(rec);
        return;
    }
    rpc_req_t *req = make_req(conn, rec, &h, hdr_len);
    if (req)
        dispatch(req);
    rpc_gate_leave(&conn->svc->gate, &frame);
}

/* Transport callback: the connection ended. */
static void conn_disconnected(rpc_transport_t *t, int err, void *data)
{
    rpc_svc_conn_t *conn = data;
    rpc_svc_t *svc = conn->svc;
    pthread_mutex_lock(&svc->lock);
    if (conn->prev)
        conn->prev->next = conn->next;
    else if (svc->conns == conn)
        svc->conns = conn->next;
    if (conn->next)
        conn->next->prev = conn->prev;
    conn->prev = conn->next = NULL;
    pthread_mutex_unlock(&svc->lock);
    notify_gated(conn, RPC_SVC_DISCONNECT);
    rpc_svc_conn_unref(conn);
}

/* Transport callback: the TLS handshake of an accepted connection is done
 * (the client's certificate verified, its CN known). */
static void conn_connected(rpc_transport_t *t, void *data)
{
    notify_gated(data, RPC_SVC_CONNECT);
}

static const rpc_transport_cbs_t conn_cbs = {
    .connected = conn_connected,
    .record = conn_record,
    .disconnected = conn_disconnected,
};

/* Makes the connection object for an accepted transport and links it. NULL
 * when the server is being destroyed or on ENOMEM. Takes t's reference. */
static rpc_svc_conn_t *conn_new(rpc_svc_t *svc, rpc_transport_t *t)
{
    rpc_svc_conn_t *conn = gf_calloc(1, sizeof(*conn));
    if (!conn) {
        rpc_transport_unref(t);
        return NULL;
    }
    atomic_init(&conn->refs, 1);
    conn->t = t;
    conn->svc = svc;
    atomic_fetch_add(&svc->refs, 1);
    pthread_mutex_lock(&svc->lock);
    bool refused = svc->destroyed;
    if (!refused) {
        conn->next = svc->conns;
        if (svc->conns)
            svc->conns->prev = conn;
        svc->conns = conn;
    }
    pthread_mutex_unlock(&svc->lock);
    if (refused) {
        rpc_svc_conn_unref(conn);
        return NULL;
    }
    return conn;
}

/* Listener callback: a client connected. CONNECT is notified before the
 * connection starts reading, inside the gate so that destroy waits for it;
 * for a TLS connection, only once its handshake is done (conn_connected). */
static void svc_accepted(rpc_transport_t *listener, rpc_transport_t *t, void *data)
{
    rpc_svc_t *svc = data;
    rpc_gate_frame_t frame;
    if (!rpc_gate_enter(&svc->gate, &frame)) {
        rpc_transport_unref(t);
        return;
    }
    rpc_svc_conn_t *conn = conn_new(svc, t);
    if (conn && !t->tls) {
        atomic_store(&conn->up_notified, true);
        if (svc->notify)
            svc->notify(svc, conn, RPC_SVC_CONNECT, svc->mydata);
    }
    if (conn) {
        if (rpc_transport_start(t, &conn_cbs, conn) < 0)
            conn_disconnected(t, 0, conn);
    }
    rpc_gate_leave(&svc->gate, &frame);
}

static const rpc_transport_cbs_t listener_cbs = {.accepted = svc_accepted};

/* ---- the server ---- */

rpc_svc_t *rpc_svc_new(gf_event_pool_t *pool, rpc_svc_notify_t notify, void *mydata)
{
    rpc_svc_t *svc = gf_calloc(1, sizeof(*svc));
    if (!svc)
        return NULL;
    pthread_mutex_init(&svc->lock, NULL);
    pthread_rwlock_init(&svc->progs_lock, NULL);
    rpc_gate_init(&svc->gate);
    atomic_init(&svc->refs, 1);
    svc->pool = pool;
    svc->notify = notify;
    svc->mydata = mydata;
    if (rpc_svc_register(svc, &dump_program) < 0) {
        svc_unref(svc);
        return NULL;
    }
    return svc;
}

int rpc_svc_listen(rpc_svc_t *svc, const char *spec)
{
    return rpc_svc_listen_tls(svc, spec, NULL);
}

int rpc_svc_listen_tls(rpc_svc_t *svc, const char *spec, rpc_tls_ctx_t *tls)
{
    rpc_transport_t *t;
    int err = rpc_transport_listen(svc->pool, spec, tls, &listener_cbs, svc, &t);
    if (err)
        return err;
    pthread_mutex_lock(&svc->lock);
    rpc_transport_t **grown =
        gf_realloc(svc->listeners, (size_t)(svc->n_listeners + 1) * sizeof(*grown));
    if (grown) {
        svc->listeners = grown;
        svc->listeners[svc->n_listeners++] = t;
    }
    pthread_mutex_unlock(&svc->lock);
    if (!grown) {
        rpc_transport_close(t);
        rpc_transport_unref(t);
        return -ENOMEM;
    }
    return 0;
}

int rpc_svc_port(rpc_svc_t *svc)
{
    int port = -ENOENT;
    pthread_mutex_lock(&svc->lock);
    for (int i = 0; i < svc->n_listeners && port < 0; i++)
        if (rpc_transport_port(svc->listeners[i]) > 0)
            port = rpc_transport_port(svc->listeners[i]);
    pthread_mutex_unlock(&svc->lock);
    return port;
}

int rpc_svc_register(rpc_svc_t *svc, const rpc_program_t *prog)
{
    int err = 0;
    pthread_rwlock_wrlock(&svc->progs_lock);
    for (int i = 0; i < svc->n_progs && !err; i++)
        if (svc->progs[i]->prognum == prog->prognum && svc->progs[i]->progver == prog->progver)
            err = -EEXIST;
    const rpc_program_t **grown = NULL;
    if (!err) {
        grown = gf_realloc(svc->progs, (size_t)(svc->n_progs + 1) * sizeof(*grown));
        err = grown ? 0 : -ENOMEM;
    }
    if (!err) {
        svc->progs = grown;
        svc->progs[svc->n_progs++] = prog;
    }
    pthread_rwlock_unlock(&svc->progs_lock);
    return err;
}

/* Takes the listeners and a referenced snapshot of the live connections, and
 * marks the server destroyed. *conns is a gf_malloc'd array (NULL on ENOMEM:
 * connections then end on their own, and notify is skipped for them). */
static int take_all(rpc_svc_t *svc, rpc_transport_t ***listeners, int *n_listeners,
                    rpc_svc_conn_t ***conns)
{
    pthread_mutex_lock(&svc->lock);
    svc->destroyed = true;
    *listeners = svc->listeners;
    *n_listeners = svc->n_listeners;
    svc->listeners = NULL;
    svc->n_listeners = 0;
    int n = 0;
    for (rpc_svc_conn_t *c = svc->conns; c; c = c->next)
        n++;
    *conns = gf_malloc((size_t)(n + 1) * sizeof(**conns));
    n = 0;
    for (rpc_svc_conn_t *c = svc->conns; c && *conns; c = c->next)
        (*conns)[n++] = rpc_svc_conn_ref(c);
    pthread_mutex_unlock(&svc->lock);
    return n;
}

void rpc_svc_destroy(rpc_svc_t *svc)
{
    rpc_transport_t **listeners;
    rpc_svc_conn_t **conns;
    int n_listeners;
    int n = take_all(svc, &listeners, &n_listeners, &conns);
    for (int i = 0; i < n_listeners; i++) {
        rpc_transport_close(listeners[i]);
        rpc_transport_unref(listeners[i]);
    }
    gf_free(listeners);
    for (int i = 0; i < n; i++)
        rpc_svc_conn_disconnect(conns[i]);
    rpc_gate_close(&svc->gate);
    for (int i = 0; i < n; i++) {
        if (atomic_load(&conns[i]->up_notified) &&
            !atomic_exchange(&conns[i]->down_notified, true) && svc->notify)
            svc->notify(svc, conns[i], RPC_SVC_DISCONNECT, svc->mydata);
        rpc_svc_conn_unref(conns[i]);
    }
    gf_free(conns);
    svc_unref(svc);
}

/* ---- the DUMP program ---- */

static int dump_null(rpc_req_t *req)
{
    rpc_req_reply(req, NULL, NULL, NULL, 0, NULL);
    return 0;
}

static int dump_ping(rpc_req_t *req)
{
    gf_common_rsp rsp = {.op_ret = 0};
    rpc_req_reply(req, (xdrproc_t)xdr_gf_common_rsp, &rsp, NULL, 0, NULL);
    return 0;
}

/* Replies with the list of registered programs, in registration order. */
static int dump_dump(rpc_req_t *req)
{
    rpc_svc_t *svc = req->conn->svc;
    gf_dump_rsp rsp = {.op_ret = 0};
    pthread_rwlock_rdlock(&svc->progs_lock);
    gf_prog_detail *details = gf_calloc((size_t)svc->n_progs, sizeof(*details));
    for (int i = 0; details && i < svc->n_progs; i++) {
        details[i].progname = (char *)svc->progs[i]->name;
        details[i].prognum = svc->progs[i]->prognum;
        details[i].progver = svc->progs[i]->progver;
        details[i].next = i + 1 < svc->n_progs ? &details[i + 1] : NULL;
    }
    pthread_rwlock_unlock(&svc->progs_lock);
    if (!details)
        return -ENOMEM;
    rsp.prog = details;
    rpc_req_reply(req, (xdrproc_t)xdr_gf_dump_rsp, &rsp, NULL, 0, NULL);
    gf_free(details);
    return 0;
}

static const rpc_actor_t dump_actors[] = {
    [GF_DUMP_NULL] = {"NULL", dump_null},
    [GF_DUMP_DUMP] = {"DUMP", dump_dump},
    [GF_DUMP_PING] = {"PING", dump_ping},
};

static const rpc_program_t dump_program = {
    .name = "GF-DUMP",
    .prognum = GF_DUMP_PROGRAM,
    .progver = GF_DUMP_VERSION,
    .actors = dump_actors,
    .n_actors = sizeof(dump_actors) / sizeof(dump_actors[0]),
};
