/*
 * Transports: byte-stream connections carrying record-marked RPC messages,
 * behind one small vtable, with two kinds side by side as Redis's connection
 * types are: plain sockets and TLS (see socket.h). rpcsvc and rpc-clnt use
 * only the functions below; a transport kind implements rpc_transport_ops_t.
 * The kind is chosen by the caller: a TLS context (tls.h) given to
 * rpc_transport_listen or rpc_transport_connect means TLS, NULL means plain;
 * the address syntax is the same for both.
 *
 * Threads and callbacks. A transport runs on the event pool it was created on.
 * Its owner's callbacks (rpc_transport_cbs_t) are always called from an event
 * thread, never from inside a call the owner makes into the transport, and
 * never two at once for one transport. rpc_transport_send and
 * rpc_transport_close may be called from any thread.
 *
 * Lifetime. Transports are reference counted. A running transport (listening,
 * connecting or connected) holds a reference on itself until its end: then
 * `disconnected` is called exactly once, as its last callback. Closing is
 * asynchronous: rpc_transport_close returns at once and `disconnected` follows
 * from an event thread.
 */
#ifndef RPC_TRANSPORT_H
#define RPC_TRANSPORT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "glusterfs/buf.h"
#include "glusterfs/event.h"

#define RPC_PEER_MAX 80 /* "[IPv6]:PORT" fits */

typedef struct rpc_transport rpc_transport_t;
typedef struct rpc_tls_ctx rpc_tls_ctx_t; /* tls.h */

typedef struct rpc_transport_cbs {
    /* An outgoing connection is established (its TLS handshake done), records
     * may be sent; or an accepted TLS connection's handshake is done (the
     * peer's certificate verified). Never for accepted plain connections. */
    void (*connected)(rpc_transport_t *t, void *data);
    /* A complete record arrived; the callee takes over the reference. */
    void (*record)(rpc_transport_t *t, gf_buf_t *rec, void *data);
    /* The connection ended, or the connection attempt failed: err is 0 for an
     * orderly end (local close, peer's EOF) or -errno. Last callback. */
    void (*disconnected)(rpc_transport_t *t, int err, void *data);
    /* Listeners only: conn was accepted, holding one reference for the owner,
     * who must either rpc_transport_start it or rpc_transport_unref it. */
    void (*accepted)(rpc_transport_t *listener, rpc_transport_t *conn, void *data);
} rpc_transport_cbs_t;

/* One record waiting to be written: iov[0] is its marker, the rest its bytes,
 * which live in own (freed when done) or in keep (a reference dropped when
 * done). Built by rpc_transport_send; consumed by the transport kind. */
typedef struct rpc_wmsg {
    struct rpc_wmsg *next;
    void *own;
    gf_buf_t *keep;
    int count; /* entries of iov */
    int idx;   /* first entry not yet fully written */
    uint32_t marker;
    struct iovec iov[];
} rpc_wmsg_t;

/* Frees msg: its own memory and its keep reference. */
void rpc_wmsg_free(rpc_wmsg_t *msg);

/* A transport kind. Each function gets the transport created by create. */
typedef struct rpc_transport_ops {
    const char *name;
    rpc_transport_t *(*create)(gf_event_pool_t *pool);
    int (*listen)(rpc_transport_t *t, const struct sockaddr *sa, socklen_t len);
    int (*connect)(rpc_transport_t *t, const struct sockaddr *sa, socklen_t len);
    int (*start)(rpc_transport_t *t); /* begins reading an accepted connection */
    int (*send)(rpc_transport_t *t, rpc_wmsg_t *msg); /* takes msg in all cases */
    void (*close)(rpc_transport_t *t);
    void (*destroy)(rpc_transport_t *t); /* frees; the last reference is gone */
} rpc_transport_ops_t;

/* The part of a transport shared by all kinds; a kind embeds it first. */
struct rpc_transport {
    const rpc_transport_ops_t *ops;
    gf_event_pool_t *pool;
    atomic_int refs;
    rpc_transport_cbs_t cbs;
    void *data;
    int port;                 /* listeners: the bound TCP port (0 for unix) */
    char peer[RPC_PEER_MAX];  /* "ADDR:PORT" or "unix"; the target while connecting */
    rpc_tls_ctx_t *tls;       /* TLS kind: its context (a reference); NULL for plain */
    char *peer_cn;            /* TLS: the verified peer's common name, set before the
                                 first record is delivered; NULL before or for plain */
    char *error;              /* why the connection failed, when the kind knows better
                                 than an errno; set before `disconnected` */
};

/* Initialises the shared part with one reference. For transport kinds. */
void rpc_transport_init(rpc_transport_t *t, const rpc_transport_ops_t *ops, gf_event_pool_t *pool);

/* Releases what the shared part holds (TLS context, peer name, error). For
 * transport kinds, in their destroy. */
void rpc_transport_fini(rpc_transport_t *t);

/* Records the reason t failed (printf format), replacing an earlier one. For
 * transport kinds, before `disconnected`. Best effort: nothing on ENOMEM. */
void rpc_transport_set_error(rpc_transport_t *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Parses "tcp:ADDR:PORT" ("[v6addr]" allowed; ADDR "*" or empty = any, for
 * listening) or "unix:/path" into a socket address. Host names are resolved
 * (which may block). 0, -EINVAL on a malformed spec, or -EHOSTUNREACH when a
 * name does not resolve. */
int rpc_addr_parse(const char *spec, struct sockaddr_storage *ss, socklen_t *len);

/* Formats a socket address as a peer name: "ADDR:PORT" for IP, "unix" else. */
void rpc_addr_name(const struct sockaddr *sa, char *buf, size_t size);

/* Listens on spec; *out gets the listener (one reference for the caller).
 * With tls (NULL: plain) every accepted connection speaks TLS with that
 * context (the listener takes its own reference). cbs->accepted is called for
 * each new connection, before its TLS handshake: the connection's `connected`
 * follows when the handshake is done, or `disconnected` (before any record)
 * when it fails. 0 or -errno. */
int rpc_transport_listen(gf_event_pool_t *pool, const char *spec, rpc_tls_ctx_t *tls,
                         const rpc_transport_cbs_t *cbs, void *data, rpc_transport_t **out);

/* Starts connecting to spec without blocking (except for resolving a host
 * name), over TLS with context tls (NULL: plain); *out gets the transport (one
 * reference for the caller). Later cbs->connected (after the TLS handshake,
 * the server's certificate verified), or cbs->disconnected if the attempt
 * fails. Returns 0, or -errno when the attempt failed at once (no callback
 * follows then). */
int rpc_transport_connect(gf_event_pool_t *pool, const char *spec, rpc_tls_ctx_t *tls,
                          const rpc_transport_cbs_t *cbs, void *data, rpc_transport_t **out);

/* Starts reading an accepted connection, reporting to cbs. 0 or -errno (then the
 * connection is closed and no callback follows). */
int rpc_transport_start(rpc_transport_t *t, const rpc_transport_cbs_t *cbs, void *data);

/* Sends one record made of hdr (hdr_len bytes allocated with gf_malloc, of which
 * the transport takes ownership in every case) followed by payload. When keep
 * is given, the payload lies in memory kept alive by keep and the transport
 * takes its own reference until it is written; when keep is NULL the payload
 * is copied now. Callable from any thread; records go out in the order of the
 * calls. 0 (queued or written), -ENOTCONN, -EMSGSIZE or -ENOMEM. */
int rpc_transport_send(rpc_transport_t *t, char *hdr, size_t hdr_len, const struct iovec *payload,
                       int count, gf_buf_t *keep);

/* Ends the connection (or stops listening), from any thread; idempotent.
 * Queued records are dropped; `disconnected` follows from an event thread. */
void rpc_transport_close(rpc_transport_t *t);

rpc_transport_t *rpc_transport_ref(rpc_transport_t *t);
void rpc_transport_unref(rpc_transport_t *t);

/* The peer name, valid while a reference is held. */
const char *rpc_transport_peer(const rpc_transport_t *t);

/* The TCP port a listener is bound to (useful after listening on port 0). */
int rpc_transport_port(const rpc_transport_t *t);

/* The common name of the peer's verified certificate on a TLS connection
 * whose handshake is done (always so once a record was delivered); NULL for
 * plain connections or before. Valid while a reference is held. */
const char *rpc_transport_peer_cn(const rpc_transport_t *t);

/* Why the connection failed, in words, when the kind said more than the errno
 * of `disconnected` (e.g. a TLS verification failure, or a peer that does not
 * speak TLS); else NULL. Meant for the `disconnected` callback. */
const char *rpc_transport_error(const rpc_transport_t *t);

/*
 * A gate around calls into an owner's code (notify functions, handlers,
 * completion callbacks), so that a destroy function can wait until none is
 * running. A thread may be inside several gates, or inside one several
 * times; each entry pushes a frame kept on the caller's stack.
 */
typedef struct rpc_gate {
    pthread_mutex_t lock;
    pthread_cond_t idle;
    int active; /* entries not yet left, all threads */
    bool closed;
} rpc_gate_t;

typedef struct rpc_gate_frame {
    rpc_gate_t *gate;
    struct rpc_gate_frame *prev;
} rpc_gate_frame_t;

void rpc_gate_init(rpc_gate_t *g);
void rpc_gate_fini(rpc_gate_t *g);
/* Enters g, pushing frame; false (nothing pushed) once g is closed. */
bool rpc_gate_enter(rpc_gate_t *g, rpc_gate_frame_t *frame);
/* Leaves what the matching rpc_gate_enter entered. */
void rpc_gate_leave(rpc_gate_t *g, rpc_gate_frame_t *frame);
/* Closes g, then waits until no thread but the caller is inside it. */
void rpc_gate_close(rpc_gate_t *g);

#endif
