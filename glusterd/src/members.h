/*
 * This server in the cluster: its registration, its liveness and the trusted
 * pool, all kept in the store (no glusterd talks to another):
 *
 *   server/UUID   "addrs=A[,B...]\nport=P\n"  each glusterd registers itself at start
 *   alive/UUID    "since=EPOCH\n"  a session key: present while the server's session
 *                 (its lease with the monitor cluster) lives, gone within the TTL of
 *                 its death: that is what Connected / Disconnected means
 *   pool/UUID     ""  the server was admitted to the trusted pool (`peer probe`)
 *   addr/A        "UUID"  the index of registered addresses: written with server/UUID
 *                 for each of its addresses A, removed when it registers without A;
 *                 when two servers claim A, it names the one that registered last
 *
 * Registration is tried until it succeeds, for as long as the session lives (a
 * failure or an unknown outcome is tried again after about a second). `peer
 * probe` finds a server through addr/ (reading all servers only when the index
 * has no entry, as for a server registered by a glusterd older than the index).
 *
 * A server is in the pool once probed (a probe also admits the prober). A brick
 * may be placed on this server or on a server of the pool, named by one of its
 * registered addresses. With the local store there is only this server.
 *
 * Runs on the event thread.
 */
#ifndef GD_MEMBERS_H
#define GD_MEMBERS_H

#include "vol-ops.h"
#include "volume.h"

#define GD_SERVER_PREFIX "server/"
#define GD_ALIVE_PREFIX "alive/"
#define GD_POOL_PREFIX "pool/"
#define GD_ADDR_PREFIX "addr/"

typedef struct gd_server {
    char uuid[37];
    char *addrs; /* comma-separated, as registered */
    int port;
    int in_pool;
    int alive;
    int self; /* this glusterd */
} gd_server_t;

/* What this server registers: its addresses (the bind address, or with all
 * addresses the host name and the interface addresses), computed once at start.
 * Blocks (interfaces, host name): call before the event loop runs. 0 or -errno. */
int gd_members_init(void);

/*
 * Opens the store's session (lease TTL ttl_s) and keeps this server registered
 * and alive in it: at every session start, server/UUID, its addr/ keys and
 * alive/UUID are put again, tried until that succeeds while the session lives.
 * ready is called once, after the first registration (with 0), or with -errno
 * when the session cannot be opened. Further session starts call
 * on_session(1), losses on_session(0) (either may be NULL).
 */
void gd_members_start(int ttl_s, void (*ready)(int err), void (*on_session)(int up));

/* The server's session is up (its session keys are in place). */
int gd_members_session_up(void);

/* The first registered address of server s, to show it. */
const char *gd_server_host(const gd_server_t *s);

/* The servers read from the store: every registered one (sorted by UUID) with its
 * pool and alive flags; cb borrows the array for the call. err is -errno of the
 * store (msg says what failed), then n is 0. */
typedef void (*gd_servers_cb_t)(int err, const char *msg, const gd_server_t *servers, int n,
                                void *cookie);
void gd_servers_load(gd_servers_cb_t cb, void *cookie);

/* The server among servers[0..n) that registered address addr, or NULL. */
const gd_server_t *gd_server_by_addr(const gd_server_t *servers, int n, const char *addr);
/* The server with this UUID, or NULL. */
const gd_server_t *gd_server_by_uuid(const gd_server_t *servers, int n, const char *uuid);

/* Where a brick is: on this server, or on a registered server (known), which may
 * be in the pool and alive. */
typedef struct gd_brick_loc {
    int local;
    int known;
    int in_pool;
    int alive;
    char uuid[37]; /* of its server, when local or known */
} gd_brick_loc_t;

/* Locates every brick of vol (resolving host names on the worker pool, then
 * reading the servers); cb borrows locs[0..vol->n_bricks). err -errno with msg on
 * a store failure. vol must stay valid until cb. */
typedef void (*gd_locate_cb_t)(int err, const char *msg, const gd_brick_loc_t *locs,
                               void *cookie);
void gd_bricks_locate(const gd_volume_t *vol, gd_locate_cb_t cb, void *cookie);

/*
 * `peer probe HOST`: admits the registered server that HOST names (literally, or
 * by one of its resolved addresses) into the pool, with this server. Fails with
 * a message saying what to do when no such server has registered. done's out
 * dict has "info" when there was nothing to do (HOST is this server, or already
 * in the pool).
 */
void gd_peer_probe(const char *host, gd_op_done_t done, void *cookie);

#endif
