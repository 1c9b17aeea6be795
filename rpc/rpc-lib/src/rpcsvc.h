/*
 * The ONC RPC server: listens on TCP and unix sockets, accepts connections,
 * decodes calls and dispatches them to the handlers (actors) of registered
 * programs, and sends their replies. The DUMP program (GF_DUMP_PROGRAM: NULL,
 * DUMP listing the registered programs, PING) is registered on every server.
 *
 * Threads. Actors and the notify function run on event threads and must not
 * block (an actor with blocking work hands it to gf_ctx->workers and replies
 * from there). Calls of one connection are dispatched one at a time, in order;
 * calls of different connections run in parallel. An actor may reply at once
 * or later, from any thread: the request holds a reference on its connection.
 *
 * Connections. notify(RPC_SVC_CONNECT) comes before the connection's first
 * call is dispatched (for TLS, after its handshake) and, for a connection so
 * notified, notify(RPC_SVC_DISCONNECT) exactly once at its end,
 * after every dispatch of that connection has returned (replies still pending
 * in other threads simply go nowhere once the connection is gone).
 *
 * Errors in what a client sends: an undecodable record or call header closes
 * that connection with one log line naming the peer; a call to an unknown
 * program, version or procedure gets PROG_UNAVAIL, PROG_MISMATCH (with the
 * range of versions offered) or PROC_UNAVAIL; an unknown credential flavour
 * or malformed credential is denied with AUTH_ERROR.
 */
#ifndef RPC_SVC_H
#define RPC_SVC_H

#include <stdint.h>
#include <sys/uio.h>

#include "glusterfs/buf.h"
#include "glusterfs/event.h"
#include "rpc-msg.h"

typedef struct rpc_svc rpc_svc_t;
typedef struct rpc_svc_conn rpc_svc_conn_t;
typedef struct rpc_req rpc_req_t;
typedef struct rpc_tls_ctx rpc_tls_ctx_t; /* tls.h */

enum { RPC_SVC_CONNECT = 1, RPC_SVC_DISCONNECT = 2 };

typedef void (*rpc_svc_notify_t)(rpc_svc_t *svc, rpc_svc_conn_t *conn, int event, void *mydata);

/* A procedure's handler. It owns req: it must eventually call rpc_req_reply or
 * rpc_req_error exactly once (now or later, from any thread) and return 0. Or
 * it returns a negative errno without having touched req, and the server
 * replies for it: GARBAGE_ARGS for -EBADMSG, SYSTEM_ERR otherwise. */
typedef struct rpc_actor {
    const char *name;
    int (*fn)(rpc_req_t *req);
} rpc_actor_t;

/* A program: actors[proc] serves procedure proc. The struct and its actors
 * must stay valid until the server is destroyed. */
typedef struct rpc_program {
    const char *name;
    uint32_t prognum, progver;
    const rpc_actor_t *actors;
    int n_actors;
    void *priv;
} rpc_program_t;

/* One call being served. */
struct rpc_req {
    rpc_svc_conn_t *conn;
    uint32_t xid, prog, vers, proc;
    struct rpc_auth auth;
    const char *args; /* bytes after the call header: XDR arguments then any payload */
    size_t args_len;
    gf_buf_t *record; /* holds args; take a reference to keep bytes beyond the reply */
    const rpc_program_t *program;
    void *priv; /* free for the actor's use */
};

/* Creates a server on pool; notify (may be NULL) hears of connections. NULL on
 * ENOMEM. */
rpc_svc_t *rpc_svc_new(gf_event_pool_t *pool, rpc_svc_notify_t notify, void *mydata);

/* Listens on "tcp:ADDR:PORT" (PORT 0: an ephemeral port, see rpc_svc_port) or
 * "unix:/path" (a stale socket file is replaced; a live one is -EADDRINUSE).
 * May be called several times. 0 or -errno. */
int rpc_svc_listen(rpc_svc_t *svc, const char *spec);

/* Like rpc_svc_listen, with every connection accepted on that listener
 * speaking TLS with context tls (tls.h; the listener takes its own
 * reference); NULL is plain. Such a connection is notified CONNECT once its
 * handshake is done, the client's certificate verified (rpc_svc_conn_peer_cn
 * is set by then); one whose handshake fails is never notified. 0 or -errno. */
int rpc_svc_listen_tls(rpc_svc_t *svc, const char *spec, rpc_tls_ctx_t *tls);

/* The port of the first TCP listener, or -ENOENT when there is none. */
int rpc_svc_port(rpc_svc_t *svc);

/* Registers prog (kept by pointer). 0, -EEXIST when that program and version
 * are already registered, or -ENOMEM. */
int rpc_svc_register(rpc_svc_t *svc, const rpc_program_t *prog);

/* Stops listening (the ports are free when it returns), closes every
 * connection, notifies RPC_SVC_DISCONNECT for each connection not yet
 * notified (possibly from this call), waits until no actor or notify of this
 * server runs on another thread, and releases the server. Afterwards no actor
 * or notify starts. Replies sent later for old requests are dropped. May be
 * called from an actor or notify of this server. */
void rpc_svc_destroy(rpc_svc_t *svc);

/* Decodes the XDR arguments at the start of req->args with proc into out.
 * *consumed (may be NULL) gets the bytes used; the rest of args is the
 * trailing payload. Variable-length parts of out are allocated by libtirpc:
 * release them with xdr_free(proc, out). 0 or -EBADMSG (out then released). */
int rpc_req_decode(rpc_req_t *req, xdrproc_t proc, void *out, size_t *consumed);

/* Replies SUCCESS with rsp encoded by proc (proc NULL: no result), followed by
 * payload (count iovecs). When keep is given the payload lies in memory it
 * keeps alive (a reference is taken until sent); when NULL it is copied.
 * Frees req in every case. 0, or -errno when the reply could not be sent
 * (-ENOTCONN when the connection is gone, -EINVAL when rsp does not encode: a
 * SYSTEM_ERR is sent instead). */
int rpc_req_reply(rpc_req_t *req, xdrproc_t proc, void *rsp, const struct iovec *payload,
                  int count, gf_buf_t *keep);

/* Replies with the error accept_stat (PROG_UNAVAIL, PROC_UNAVAIL, GARBAGE_ARGS,
 * SYSTEM_ERR; PROG_MISMATCH gives the request's program version as range).
 * Frees req. 0 or -errno as rpc_req_reply. */
int rpc_req_error(rpc_req_t *req, int accept_stat);

rpc_svc_conn_t *rpc_svc_conn_ref(rpc_svc_conn_t *conn);
void rpc_svc_conn_unref(rpc_svc_conn_t *conn);
/* One pointer for the server's user (e.g. protocol/server's client state). */
void rpc_svc_conn_set_priv(rpc_svc_conn_t *conn, void *priv);
void *rpc_svc_conn_get_priv(rpc_svc_conn_t *conn);
/* "ADDR:PORT" or "unix"; valid while a reference is held. */
const char *rpc_svc_conn_peer(rpc_svc_conn_t *conn);
/* On a TLS connection, the common name of the client's certificate (verified
 * against the CA list; "" when it has no CN), known before the first call is
 * dispatched; NULL on a plain connection. Valid while a reference is held. */
const char *rpc_svc_conn_peer_cn(rpc_svc_conn_t *conn);
/* Closes the connection (asynchronously); RPC_SVC_DISCONNECT follows. */
void rpc_svc_conn_disconnect(rpc_svc_conn_t *conn);
rpc_svc_t *rpc_svc_conn_svc(rpc_svc_conn_t *conn);

#endif
