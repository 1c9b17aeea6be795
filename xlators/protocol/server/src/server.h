/*
 * Internal interface of protocol/server, shared by its source files:
 *
 *   server.c            the descriptor, options, init/fini/notify, the bricks
 *                       (children) and the per-connection client state
 *   server-route.c      the routing table (server-route.h)
 *   server-handshake.c  the handshake program: SETVOLUME (auth, binding), PING
 *   server-fops.c       the FOP program: one generic handler for every fop
 *
 * A client connection gets a server_client_t when it connects. SETVOLUME binds
 * it to one brick (a route) and gives it an fd table; from then on its FOP
 * calls go to that brick. The client state is reference counted: the
 * connection holds one reference until it disconnects, each call in progress
 * holds one, and the last one tears it down (closing the files the client left
 * open) on the worker pool.
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
#include "server-route.h"

#define SERVER_PEER_MAX 96 /* "[IPv6]:PORT" fits */

/* The translator's private struct; the option table binds into its first part. */
typedef struct server_priv {
    char *bind_address;  /* transport.socket.bind-address */
    int64_t listen_port; /* transport.socket.listen-port (0: any free port) */
    int64_t lru_limit;   /* inode-lru-limit: per brick inode table */

    rpc_svc_t *svc;
    server_routes_t *routes;
    char process_uuid[37]; /* sent to clients at SETVOLUME */
    atomic_uint_fast64_t next_client_id;
    pthread_mutex_t lock; /* clients */
    pthread_cond_t cond;  /* signalled when clients reaches 0 */
    int clients;          /* client states not yet torn down */
} server_priv_t;

/* One client connection. Fields are set before the client is shared and do
 * not change, except route (set once by server_client_bind). */
typedef struct server_client {
    atomic_uint refs;
    gf_xlator_t *server;  /* the protocol/server translator */
    rpc_svc_conn_t *conn; /* referenced until teardown */
    uint64_t id;          /* unique in the process, for logs and "transport-ptr" */
    char peer[SERVER_PEER_MAX];
    gf_fdtable_t *fdtable;         /* set by bind, before route */
    char *identity;                /* the client's process-uuid, set by bind */
    server_route_t *_Atomic route; /* the bound brick; NULL before SETVOLUME */
} server_client_t;

extern const rpc_program_t server_handshake_program;
extern const rpc_program_t server_fop_program;

/*
 * rpc_req_reply, rpc_req_error and gf_workpool_submit, with what they allocate
 * charged to the process rather than to the translator running: RPC send
 * queues and work items are freed later by the RPC layer or the pool, maybe
 * after this translator (or a brick) is gone. Same returns as those.
 */
int server_reply(rpc_req_t *req, xdrproc_t proc, void *rsp, const struct iovec *payload, int count);
int server_reply_error(rpc_req_t *req, int accept_stat);
int server_submit(gf_work_fn_t fn, void *data);

/* The client state of the connection a request came on; NULL only when there
 * was no memory for it at connect (the connection is then being closed). Not
 * referenced: valid while the request is being dispatched. */
server_client_t *server_client_of(rpc_req_t *req);

server_client_t *server_client_ref(server_client_t *c);
/* Drops a reference; the last one tears the client down (see above). */
void server_client_unref(server_client_t *c);

/*
 * Binds c to route (whose reference c takes over) as client identity: enters
 * the route as a user and gives c an fd table. 0; -EALREADY when c is bound
 * already; the error of server_route_enter; -ENOMEM. On error the route
 * reference stays the caller's.
 */
int server_client_bind(server_client_t *c, server_route_t *route, const char *identity);

/* The route c is bound to, or NULL. Not referenced: valid while c is. */
server_route_t *server_client_route(server_client_t *c);

#endif
