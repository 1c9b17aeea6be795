/*
 * What protocol/server offers the brick process (glusterfsd) for serving many
 * bricks: attach a brick graph under a running protocol/server, detach it
 * again, and report on the bricks served. The translator module exports one
 * server_mux_t under the name SERVER_MUX_SYMBOL; the brick process finds it
 * with dlsym on the server translator's module (xl->dl_handle), as the graph
 * loader finds gf_xlator_desc.
 *
 * A protocol/server is built alone (no subvolumes) and starts with no brick.
 * Each brick is a graph of its own (gf_graph_construct_below), handed over to
 * attach, which grafts it under the server and publishes it in the routing
 * table; detach unpublishes it, disconnects its clients, waits for its calls,
 * and frees it. Attach and detach may block (a translator's init and fini run
 * in them): call them from a worker or the main thread, never an event
 * thread. Any number may run at once, for different bricks.
 */
#ifndef SERVER_MUX_H
#define SERVER_MUX_H

#include <stddef.h>
#include <stdint.h>

#include "glusterfs/dict.h"
#include "glusterfs/graph.h"
#include "glusterfs/mem.h"
#include "glusterfs/xlator.h"

#define SERVER_MUX_SYMBOL "server_mux"

typedef enum {
    SERVER_BRICK_STARTING = 0, /* its graph is being initialized */
    SERVER_BRICK_READY,        /* served */
    SERVER_BRICK_DOWN,         /* its graph reported CHILD_DOWN: clients are told to retry */
} server_brick_state_t;

#define SERVER_PEER_MAX         96   /* a client's address, "[IPv6]:PORT" fits */
#define SERVER_STAT_CLIENTS_MAX 1000 /* clients listed per brick by stat */

/* One client connection bound to a brick. Bytes count the RPC records of its
 * handshake and FOP calls (call header, arguments, payload) and of our replies
 * to them (reply header, results, payload); record marks, and the calls of the
 * DUMP program (version negotiation, the stock client's pings), are not
 * counted. */
typedef struct server_client_stat {
    char peer[SERVER_PEER_MAX]; /* its address, "IP:PORT" */
    uint64_t bytes_read;        /* received from it */
    uint64_t bytes_written;     /* sent to it */
    uint32_t op_version;        /* the "opversion" it gave at SETVOLUME, else 0 */
} server_client_stat_t;

/* Figures of one brick, valid during the call that reports them. */
typedef struct server_brick_stat {
    const char *name;
    const char *volfile_id; /* "" when none */
    server_brick_state_t state;
    uint64_t clients; /* connections bound to it */
    /* the first of them (in the order they bound), at most
     * SERVER_STAT_CLIENTS_MAX; fewer than clients also when memory is short */
    const server_client_stat_t *client_list;
    size_t listed;
    uint64_t fds;      /* files they hold open on it */
    uint64_t inodes;   /* inodes in its table */
    gf_mem_acct_t mem; /* accounted to its translators */
} server_brick_stat_t;

typedef void (*server_stat_fn)(const server_brick_stat_t *st, void *arg);

/* A detach is over: left is what remained accounted to the brick's
 * translators after its graph was finished (zero when it gave back all). Runs
 * on a worker thread, or in server_mux_t.detach itself. */
typedef void (*server_detached_cb)(const gf_mem_acct_t *left, void *arg);

typedef struct server_mux {
    /*
     * Serves graph (constructed, not initialized; its top's name is the brick
     * name) as a brick of server, taking it over in every case. options are
     * the brick's own options of protocol/server (those of its brick volfile:
     * auth.* rules, inode-lru-limit), checked against the option table; only
     * the brick-scoped ones are used, for this brick alone. volfile_id may be
     * NULL. Publishes the brick (clients naming it get EAGAIN), grafts it,
     * initializes it, and makes it READY once up: when its top translator has
     * no notify() of its own, as soon as init returns; else at its CHILD_UP.
     * 0, or -errno with err[errlen] saying why (nothing left behind):
     * -EEXIST (a brick of that name is served), -EINVAL (bad options), the
     * error of a translator's init, -ENOMEM.
     */
    int (*attach)(gf_xlator_t *server, gf_graph_t *graph, const char *volfile_id,
                  gf_dict_t *options, char *err, size_t errlen);
    /*
     * Stops serving brick name: unpublishes it, disconnects the connections
     * bound to it, and once its calls are over (later, on a worker) frees its
     * inode table and graph and calls done(left, arg). 0, -ENOENT (not
     * served, or being detached), -EBUSY (still starting).
     */
    int (*detach)(gf_xlator_t *server, const char *name, server_detached_cb done, void *arg);
    /* Calls fn for brick name (NULL: every brick, in attach order). Returns
     * how many, or -ENOENT when name is not served. */
    int (*stat)(gf_xlator_t *server, const char *name, server_stat_fn fn, void *arg);
    /* The TCP port clients reach every brick on. */
    int (*port)(gf_xlator_t *server);
} server_mux_t;

#endif
