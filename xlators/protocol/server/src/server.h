/*
 * Internal interface of protocol/server, shared by its source files:
 *
 *   server.c            the descriptor, options, init/fini/notify, the bricks
 *                       (attached and detached through server-mux.h) and the
 *                       per-connection client state
 *   server-route.c      the routing table (server-route.h)
 *   server-handshake.c  the handshake program: SETVOLUME (auth, binding), PING
 *   server-fops.c       the FOP program: one generic handler for every fop
 *
 * A client connection gets a server_client_t when it connects. SETVOLUME binds
 * it to one brick (a route, which links the client into its list of bound
 * connections) and gives it an fd table; from then on its FOP calls go to that
 * brick. The client state is reference counted: the connection holds one
 * reference until it disconnects, each call in progress holds one, and the
 * last one tears it down (closing the files the client left open) on the
 * worker pool.
 */
#ifndef SERVER_H
#define SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "glusterfs/fd.h"
#include "glusterfs/workpool.h"
#include "glusterfs/xlator.h"
#include "rpcsvc.h"
#include "server-mux.h"
#include "server-route.h"
#include "tls.h"

typedef struct server_brick server_brick_t;

/* The translator's private struct; the option table binds into its first part
 * (for the server's own options, and for a brick's at attach, into a scratch
 * copy: lru_limit is a brick's). */
typedef struct server_priv {
    char *bind_address;    /* transport.socket.bind-address */
    int64_t listen_port;   /* transport.socket.listen-port (0: any free port) */
    int64_t lru_limit;     /* inode-lru-limit: per brick inode table */
    rpc_tls_options_t tls; /* transport.socket.ssl-*: TLS on the listener */

    rpc_svc_t *svc;
    server_routes_t *routes;
    char process_uuid[37]; /* sent to clients at SETVOLUME */
    atomic_uint_fast64_t next_client_id;
    pthread_mutex_t lock;        /* clients */
    pthread_cond_t cond;         /* signalled when clients reaches 0 */
    int clients;                 /* client states not yet torn down */
    pthread_mutex_t bricks_lock; /* the list, brick states, grafts */
    pthread_cond_t bricks_cond;  /* signalled when a brick starts or leaves the list */
    server_brick_t *bricks;      /* circular, in attach order; NULL when none */
    int n_bricks;
} server_priv_t;

/* One client connection. Fields are set before the client is shared and do
 * not change, except route and op_version (set once by SETVOLUME, before
 * server_client_bind links the client into its route) and the byte counters
 * (added to by server_client_count_call and server_reply, read by STATUS). */
typedef struct server_client {
    atomic_uint refs;
    gf_xlator_t *server;  /* the protocol/server translator */
    rpc_svc_conn_t *conn; /* referenced until teardown */
    uint64_t id;          /* unique in the process, for logs and "transport-ptr" */
    char peer[SERVER_PEER_MAX];
    const char *tls_name;  /* the name its TLS certificate proves (held by conn); NULL: plain */
    gf_fdtable_t *fdtable; /* set by bind, before route */
    char *identity;        /* the client's process-uuid, set by bind */
    server_route_t *_Atomic route;      /* the bound brick; NULL before SETVOLUME */
    server_route_link_t link;           /* in route's bound connections while bound */
    uint32_t op_version;                /* the "opversion" given at SETVOLUME, else 0 */
    atomic_uint_fast64_t bytes_read;    /* of its calls (see server_client_stat_t) */
    atomic_uint_fast64_t bytes_written; /* of our replies to them */
} server_client_t;

extern const rpc_program_t server_handshake_program;
extern const rpc_program_t server_fop_program;

/*
 * rpc_req_reply, rpc_req_error and gf_workpool_submit, with what they allocate
 * charged to the process rather than to the translator running: RPC send
 * queues and work items are freed later by the RPC layer or the pool, maybe
 * after this translator (or a brick) is gone. Same returns as those. The two
 * replies add the bytes of the reply record they send to c's bytes_written;
 * c (the client the request came from) may be NULL, and must be referenced by
 * the caller when it replies outside the dispatch of req.
 */
int server_reply(server_client_t *c, rpc_req_t *req, xdrproc_t proc, void *rsp,
                 const struct iovec *payload, int count);
int server_reply_error(server_client_t *c, rpc_req_t *req, int accept_stat);
int server_submit(gf_work_fn_t fn, void *data);

/* Adds the bytes of req's call record to c's bytes_read (c may be NULL). Every
 * actor of the handshake and FOP programs calls it first. */
void server_client_count_call(server_client_t *c, const rpc_req_t *req);

/* The client state of the connection a request came on; NULL only when there
 * was no memory for it at connect (the connection is then being closed). Not
 * referenced: valid while the request is being dispatched. */
server_client_t *server_client_of(rpc_req_t *req);

server_client_t *server_client_ref(server_client_t *c);
/* Drops a reference; the last one tears the client down (see above). */
void server_client_unref(server_client_t *c);

/*
 * Binds c to route (whose reference c takes over) as client identity: gives c
 * an fd table and binds it into the route (a user, linked among its bound
 * connections). 0; -EALREADY when c is bound already; the error of
 * server_route_bind; -ENOMEM. On error the route reference stays the caller's.
 */
int server_client_bind(server_client_t *c, server_route_t *route, const char *identity);

/* The route c is bound to, or NULL. Not referenced: valid while c is. */
server_route_t *server_client_route(server_client_t *c);

/*
 * server-fops.c tells c's brick about c going away (features/locks keeps
 * locks per client): client_gone when c's connection has ended (called at
 * RPC_SVC_DISCONNECT, before the connection's reference to c is dropped; the
 * work runs on the worker pool holding its own reference), client_freed when
 * c's last call is over (called by the teardown of c, while c is still bound
 * to its brick). Both do nothing for a client not bound to a brick.
 */
void server_fops_client_gone(server_client_t *c);
void server_fops_client_freed(server_client_t *c);

#endif
