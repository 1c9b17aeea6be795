/*
 * The routing table of protocol/server: which brick a client reaches by the
 * name it gives at handshake (SETVOLUME's remote-subvolume, the brick path) or
 * by the brick's volfile id.
 *
 * A route is one brick served by this process: its top translator, its auth
 * options, its state and a count of its users. Lookups are lock-free (an RCU
 * hash table of liburcu, bulletproof flavour, so that any thread may look up
 * without registering); publishing and unpublishing are serialized by a mutex.
 *
 * Life of a route:
 *   publish        -> ATTACHING: found by lookups, which answer -EAGAIN
 *   set READY      -> lookups hand out references; users may enter
 *   (set ATTACHING again when the brick goes down: -EAGAIN once more)
 *   unpublish      -> DETACHING, removed from the table: lookups answer -ENOENT,
 *                     users can no longer enter
 *   drain          -> the callback runs once the last user has left
 *   last unref     -> freed
 *
 * Users are in-flight calls and bound client connections (a connection enters
 * when it binds and leaves when it is torn down), so a drained brick has no
 * call in progress and no open file held by a client.
 *
 * Bound connections are also linked into the route (server_route_bind), so
 * that a detach can find and disconnect the clients of that brick alone, and
 * STATUS can count them. A connection can no longer bind once the route is
 * unpublished, so a sweep of the links made after unpublishing sees every
 * connection that will ever be bound to it.
 */
#ifndef SERVER_ROUTE_H
#define SERVER_ROUTE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "glusterfs/dict.h"
#include "glusterfs/xlator.h"

typedef enum {
    SERVER_ROUTE_ATTACHING = 0, /* published, brick not up yet (or down again) */
    SERVER_ROUTE_READY,         /* clients may bind and call */
    SERVER_ROUTE_DETACHING,     /* unpublished; draining */
} server_route_state_t;

typedef struct server_routes server_routes_t;
typedef struct server_route server_route_t;

/* Called once when a drained route has no user left (from the thread of the
 * last user to leave, or from server_route_drain itself). */
typedef void (*server_route_drained_cb)(server_route_t *route, void *arg);

/* What a route is published with; strings and the dict are copied / ref'd. */
typedef struct server_route_spec {
    const char *name;       /* brick name = remote-subvolume; required */
    const char *volfile_id; /* may be NULL */
    const char *volume_id;  /* volume uuid text, may be NULL */
    gf_xlator_t *brick;     /* top translator of the brick graph; required */
    gf_dict_t *auth;        /* options holding the brick's auth.* keys; may be NULL */
    void *owner;            /* the publisher's own record of the brick; may be NULL */
} server_route_spec_t;

/* A bound connection's link in its route; embedded in the connection's state. */
typedef struct server_route_link {
    struct server_route_link *prev, *next;
} server_route_link_t;

/* Called for each bound connection, with the route's lock held: must not block,
 * bind or unbind. */
typedef void (*server_route_link_fn)(server_route_link_t *link, void *arg);

/* Read-only for everyone but server-route.c. */
struct server_route {
    char *name;
    char *volfile_id;
    char *volume_id;
    gf_xlator_t *brick;
    gf_dict_t *auth;
    void *owner;
    /* private to server-route.c */
    atomic_int state;
    atomic_int refs;
    atomic_long users; /* users + 1 while not draining */
    server_route_drained_cb drained;
    void *drained_arg;
    atomic_bool drain_started;
};

/* An empty table. NULL on ENOMEM. */
server_routes_t *server_routes_new(void);

/* Frees the table, which must be empty (every route unpublished). */
void server_routes_destroy(server_routes_t *t);

/* Routes currently published. */
size_t server_routes_count(server_routes_t *t);

/*
 * Publishes a new route in state ATTACHING. 0 with *out (may be NULL) getting a
 * reference; -EINVAL without name or brick; -EEXIST when the name or the
 * volfile id is published already; -ENOMEM.
 */
int server_route_publish(server_routes_t *t, const server_route_spec_t *spec, server_route_t **out);

/*
 * The READY route of that brick name (lookup) or volfile id (lookup_volfile_id),
 * with a reference for the caller. 0; -ENOENT when none is published; -EAGAIN
 * when it is published but not READY (*out untouched). Lock-free.
 */
int server_route_lookup(server_routes_t *t, const char *name, server_route_t **out);
int server_route_lookup_volfile_id(server_routes_t *t, const char *volfile_id,
                                   server_route_t **out);

/* The published route of that name in any state, referenced; NULL if none. */
server_route_t *server_route_find(server_routes_t *t, const char *name);

/* Moves a published route between ATTACHING and READY. -EINVAL for another
 * state, or when the route is already DETACHING. */
int server_route_set_state(server_route_t *r, server_route_state_t state);

server_route_state_t server_route_state(const server_route_t *r);

/*
 * Takes r out of the table: it becomes DETACHING, later lookups no longer see
 * it, and this returns after a grace period, when no lookup can still be
 * reading it. Drops the table's reference; the caller keeps its own until the
 * drain is over (users rely on it, see server_route_enter). 0, or -ENOENT when
 * r is not published. Must not run inside a lookup.
 */
int server_route_unpublish(server_routes_t *t, server_route_t *r);

/*
 * Enters r as a user (an in-flight call, a bound client). 0; -EAGAIN when r is
 * not READY; -ENOENT when r is detaching. Every 0 is matched by one
 * server_route_leave. A user needs no reference of its own to leave: r stays
 * alive while it has users, referenced by the table or by its drainer; leaving
 * is the user's last touch of r (the drained callback may free it). Lock-free.
 */
int server_route_enter(server_route_t *r);
void server_route_leave(server_route_t *r);

/* Users currently entered. */
long server_route_users(server_route_t *r);

/*
 * Enters r as a user (as server_route_enter) and links a bound connection into
 * it, both or neither: 0, -EAGAIN when r is not READY, -ENOENT when it is
 * detaching. link must stay valid until server_route_unbind.
 */
int server_route_bind(server_route_t *r, server_route_link_t *link);

/* Unlinks link and leaves r; as server_route_leave, the last touch of r. */
void server_route_unbind(server_route_t *r, server_route_link_t *link);

/* Calls fn(link, arg) for each connection bound to r (see
 * server_route_link_fn); returns how many there were. */
size_t server_route_foreach_bound(server_route_t *r, server_route_link_fn fn, void *arg);

/*
 * Starts draining an unpublished route: cb(r, arg) runs once no user is left,
 * possibly before this returns. 0, -EINVAL when r is still published, -EALREADY
 * when a drain was started before.
 */
int server_route_drain(server_route_t *r, server_route_drained_cb cb, void *arg);

server_route_t *server_route_ref(server_route_t *r);
/* Drops a reference; the last one frees the route. NULL is ignored. */
void server_route_unref(server_route_t *r);

#endif
