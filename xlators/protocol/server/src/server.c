/*
 * protocol/server: serves bricks to GlusterFS clients over the handshake and
 * FOP programs, on one TCP port for all of them.
 *
 * The translator is built alone (no subvolumes) and starts with no brick; the
 * brick process attaches each brick graph under it and detaches it again
 * through the functions of server-mux.h, exported as `server_mux`:
 *
 *   attach: check the brick's own options (those of protocol/server in its
 *           volfile; the brick-scoped ones apply to it alone), give the brick's
 *           top an inode table, publish its route ATTACHING (a client naming
 *           it is told to retry) with its auth.* rules, graft it under this
 *           translator, initialize it, and make the route READY once up: when
 *           the top translator has a notify() of its own, at its CHILD_UP;
 *           when it has none (the io-stats on top of every brick graph), as
 *           soon as its init is over. Later CHILD_DOWN / CHILD_UP from it make
 *           it ATTACHING / READY again.
 *   detach: unpublish the route (SETVOLUME naming it gets ENOENT, its calls
 *           ENOTCONN), disconnect the connections bound to it (only those),
 *           and once it is drained (no call in flight, no client left) free
 *           its inode table and graph on a worker, reporting what remained
 *           accounted to its translators.
 *
 * No brick has a thread: attach and detach run on the caller's thread, the
 * end of a detach on the shared worker pool.
 *
 * This file also keeps the per-connection client state (server.h): made when
 * a client connects, bound to a brick by SETVOLUME, torn down on the worker
 * pool when the connection and every call of it are gone.
 *
 * fini: stop listening and disconnect every client, detach every brick and
 * wait until each is freed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <uuid/uuid.h>

#include "glusterfs/ctx.h"
#include "glusterfs/dict.h"
#include "glusterfs/graph.h"
#include "glusterfs/inode.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "server-mux.h"
#include "server.h"

/* ---- replies and work charged to the process, bytes counted ----------------------- */

/* Bytes of an accepted reply's header with accept state accept_stat. */
static size_t reply_header_len(int accept_stat)
{
    struct rpc_reply_hdr hdr = {.reply_stat = MSG_ACCEPTED, .accept_stat = (uint32_t)accept_stat};
    char buf[RPC_REPLY_HDR_MAX];
    int len = rpc_msg_encode_reply(buf, sizeof(buf), &hdr);

    return len > 0 ? (size_t)len : 0;
}

/* Adds bytes to c's bytes_written (c may be NULL). */
static void count_written(server_client_t *c, size_t bytes)
{
    if (c)
        atomic_fetch_add_explicit(&c->bytes_written, bytes, memory_order_relaxed);
}

void server_client_count_call(server_client_t *c, const rpc_req_t *req)
{
    if (c)
        atomic_fetch_add_explicit(&c->bytes_read, req->record->size, memory_order_relaxed);
}

int server_reply(server_client_t *c, rpc_req_t *req, xdrproc_t proc, void *rsp,
                 const struct iovec *payload, int count)
{
    gf_xlator_t *saved = gf_this;
    size_t bytes = 0;
    int ret;

    if (c) {
        bytes = reply_header_len(SUCCESS) + (proc ? xdr_sizeof(proc, rsp) : 0);
        for (int i = 0; i < count; i++)
            bytes += payload[i].iov_len;
    }
    gf_this = NULL;
    ret = rpc_req_reply(req, proc, rsp, payload, count, NULL);
    gf_this = saved;
    if (ret == 0)
        count_written(c, bytes);
    return ret;
}

int server_reply_error(server_client_t *c, rpc_req_t *req, int accept_stat)
{
    gf_xlator_t *saved = gf_this;
    int ret;

    gf_this = NULL;
    ret = rpc_req_error(req, accept_stat);
    gf_this = saved;
    if (ret == 0)
        count_written(c, reply_header_len(accept_stat));
    return ret;
}

int server_submit(gf_work_fn_t fn, void *data)
{
    gf_xlator_t *saved = gf_this;
    int ret;

    gf_this = NULL;
    ret = gf_workpool_submit(gf_ctx->workers, fn, data);
    gf_this = saved;
    return ret;
}

/* ---- client state -------------------------------------------------------------- */

server_client_t *server_client_of(rpc_req_t *req)
{
    return rpc_svc_conn_get_priv(req->conn);
}

server_client_t *server_client_ref(server_client_t *c)
{
    atomic_fetch_add(&c->refs, 1);
    return c;
}

/*
 * Work item: frees a client nobody references any more. Closing its files
 * (the fd table) may call into the brick, so it runs off the event threads and
 * the client stays bound to its route until its files are closed: the drain of
 * a brick (fini, detach) may free the brick as soon as the last user has left.
 * The connection stays referenced while the client is linked into the route
 * (a detach may be disconnecting it). The client's reference to the route is
 * dropped before unbinding (the route stays referenced by the table, or by
 * whoever drains it). Last, the client is counted out, which fini waits for.
 */
static void client_teardown(void *data)
{
    server_client_t *c = data;
    server_route_t *route = atomic_load(&c->route);
    server_priv_t *priv = c->server->priv;
    gf_xlator_t *saved = gf_this;

    gf_this = c->server;
    gf_fdtable_destroy(c->fdtable);
    server_fops_client_freed(c);
    if (route) {
        server_route_unref(route);
        server_route_unbind(route, &c->link);
    }
    rpc_svc_conn_unref(c->conn);
    gf_free(c->identity);
    gf_free(c);
    gf_this = saved;
    pthread_mutex_lock(&priv->lock);
    if (--priv->clients == 0)
        pthread_cond_broadcast(&priv->cond);
    pthread_mutex_unlock(&priv->lock);
}

void server_client_unref(server_client_t *c)
{
    if (atomic_fetch_sub(&c->refs, 1) != 1)
        return;
    if (server_submit(client_teardown, c) != 0)
        client_teardown(c);
}

int server_client_bind(server_client_t *c, server_route_t *route, const char *identity)
{
    int ret;

    if (atomic_load(&c->route))
        return -EALREADY;
    c->identity = gf_strdup(identity);
    c->fdtable = gf_fdtable_new();
    ret = c->identity && c->fdtable ? server_route_bind(route, &c->link) : -ENOMEM;
    if (ret) {
        gf_free(c->identity);
        gf_fdtable_destroy(c->fdtable);
        c->identity = NULL;
        c->fdtable = NULL;
        return ret;
    }
    atomic_store(&c->route, route);
    return 0;
}

server_route_t *server_client_route(server_client_t *c)
{
    return atomic_load(&c->route);
}

static server_client_t *client_new(gf_xlator_t *this, rpc_svc_conn_t *conn)
{
    server_priv_t *priv = this->priv;
    server_client_t *c = gf_calloc(1, sizeof(*c));

    if (!c)
        return NULL;
    atomic_init(&c->refs, 1);
    c->server = this;
    c->conn = rpc_svc_conn_ref(conn);
    c->id = atomic_fetch_add(&priv->next_client_id, 1) + 1;
    snprintf(c->peer, sizeof(c->peer), "%s", rpc_svc_conn_peer(conn));
    c->tls_name = rpc_svc_conn_peer_cn(conn);
    atomic_init(&c->route, NULL);
    atomic_init(&c->bytes_read, 0);
    atomic_init(&c->bytes_written, 0);
    pthread_mutex_lock(&priv->lock);
    priv->clients++;
    pthread_mutex_unlock(&priv->lock);
    return c;
}

/* Waits until every client state is torn down (after the RPC server is gone,
 * so that no new one comes). */
static void clients_wait(server_priv_t *priv)
{
    pthread_mutex_lock(&priv->lock);
    while (priv->clients > 0)
        pthread_cond_wait(&priv->cond, &priv->lock);
    pthread_mutex_unlock(&priv->lock);
}

/* rpc_svc notify: a client state per connection, dropped at disconnect. */
static void conn_notify(rpc_svc_t *svc, rpc_svc_conn_t *conn, int event, void *mydata)
{
    gf_xlator_t *saved = gf_this;
    server_client_t *c;

    gf_this = mydata;
    if (event == RPC_SVC_CONNECT) {
        c = client_new(mydata, conn);
        if (!c) {
            gf_log(GF_LOG_ERROR, "no memory for the client connecting from %s: closing it",
                   rpc_svc_conn_peer(conn));
            rpc_svc_conn_disconnect(conn);
        }
        rpc_svc_conn_set_priv(conn, c);
    } else if (event == RPC_SVC_DISCONNECT) {
        c = rpc_svc_conn_get_priv(conn);
        rpc_svc_conn_set_priv(conn, NULL);
        if (c) {
            gf_log(GF_LOG_DEBUG, "client %s (%s) disconnected", c->peer,
                   c->identity ? c->identity : "no handshake");
            server_fops_client_gone(c);
            server_client_unref(c);
        }
    }
    gf_this = saved;
}

/* ---- options --------------------------------------------------------------------- */

/* The scope of each option is what decides whether two bricks may share a
 * process (the brick process refuses to attach a brick whose process-scoped
 * options differ from its own, and glusterd reads the same table). */
static const gf_option_t server_options[] = {
    {.key = "transport-type",
     .type = GF_OPT_ENUM,
     .def = "tcp",
     .values = {"tcp"},
     .scope = GF_SCOPE_PROCESS,
     .offset = GF_OPT_NO_FIELD,
     .desc = "transport clients connect with (tcp only: checked, nothing to choose)"},
    {.key = "transport.socket.bind-address",
     .type = GF_OPT_ANY,
     .def = "0.0.0.0",
     .scope = GF_SCOPE_PROCESS,
     .offset = offsetof(server_priv_t, bind_address),
     .desc = "address to listen on (0.0.0.0: every IPv4 address)"},
    {.key = "transport.socket.listen-port",
     .type = GF_OPT_INT,
     .def = "0",
     .min = 0,
     .max = 65535,
     .scope = GF_SCOPE_PROCESS,
     .offset = offsetof(server_priv_t, listen_port),
     .desc = "TCP port to listen on (0: any free port, logged at start)"},
    {.key = "inode-lru-limit",
     .type = GF_OPT_INT,
     .def = "16384",
     .min = 0,
     .max = 1048576,
     .scope = GF_SCOPE_BRICK,
     .offset = offsetof(server_priv_t, lru_limit),
     .desc = "unreferenced inodes each brick's inode table keeps cached (0: no limit)"},
    RPC_TLS_OPTIONS(server_priv_t, tls, GF_SCOPE_PROCESS),
    {.key = "auth.login.*",
     .type = GF_OPT_ANY,
     .scope = GF_SCOPE_BRICK,
     .offset = GF_OPT_NO_FIELD,
     .desc = "auth.login.BRICK.allow: users allowed to use BRICK (separated by commas or blanks); "
             "auth.login.USER.password: that user's password; auth.login.BRICK.ssl-allow: "
             "names (TLS certificate common names, glob patterns) allowed to use BRICK"},
    {.key = "auth.addr.*",
     .type = GF_OPT_ANY,
     .scope = GF_SCOPE_BRICK,
     .offset = GF_OPT_NO_FIELD,
     .desc = "auth.addr.BRICK.allow / .reject: client addresses or glob patterns allowed / "
             "refused for BRICK (separated by commas or blanks, * = any)"},
    {.key = NULL},
};

/* ---- bricks: records ---------------------------------------------------------- */

/* A brick served by this server, from attach until its detach is over. Fields
 * marked (lock) are guarded by priv->bricks_lock. */
struct server_brick {
    server_brick_t *prev, *next; /* (lock) in priv->bricks */
    gf_xlator_t *server;
    gf_graph_t *graph;       /* taken over at attach; its top is the brick */
    server_route_t *route;   /* published at attach; this record's reference */
    bool started;            /* (lock) its graph is initialized */
    bool up_seen;            /* (lock) CHILD_UP came while it was starting */
    bool leaving;            /* (lock) its detach has begun */
    server_detached_cb done; /* set when leaving; NULL: nobody to tell */
    void *done_arg;
};

static void list_add(server_priv_t *priv, server_brick_t *b)
{
    if (!priv->bricks) {
        b->prev = b->next = b;
        priv->bricks = b;
    } else {
        b->prev = priv->bricks->prev;
        b->next = priv->bricks;
        b->prev->next = b;
        priv->bricks->prev = b;
    }
    priv->n_bricks++;
}

static void list_del(server_priv_t *priv, server_brick_t *b)
{
    if (b->next == b) {
        priv->bricks = NULL;
    } else {
        b->prev->next = b->next;
        b->next->prev = b->prev;
        if (priv->bricks == b)
            priv->bricks = b->next;
    }
    priv->n_bricks--;
}

/* The record of the brick called name (or whose top is top, when given), or
 * NULL. Call with bricks_lock held: records leave the list under it, so the
 * one returned stays valid until it is released. */
static server_brick_t *brick_find(server_priv_t *priv, const char *name, const gf_xlator_t *top)
{
    server_route_t *r = server_route_find(priv->routes, name);
    server_brick_t *b = r ? r->owner : NULL;

    if (b && top && b->graph->top != top)
        b = NULL;
    server_route_unref(r);
    return b;
}

/* The "volume-id" option of the first translator of the brick graph under xl
 * that has one (storage/posix does), or NULL. */
static const char *brick_volume_id(gf_xlator_t *xl)
{
    const char *id = NULL;

    if (xl->options && gf_dict_get_str(xl->options, "volume-id", &id) == 0)
        return id;
    for (int i = 0; i < xl->n_children; i++) {
        id = brick_volume_id(xl->children[i]);
        if (id)
            return id;
    }
    return NULL;
}

/* gf_dict_foreach: copies the auth.* options into the dict arg. */
static int copy_auth(gf_dict_t *options, const char *key, const gf_data_t *value, void *arg)
{
    const char *text = NULL;

    if (strncmp(key, "auth.", 5) != 0 || gf_dict_get_str(options, key, &text) != 0)
        return 0;
    return gf_dict_set_str(arg, key, text);
}

/*
 * Checks a brick's own options of this translator against the option table
 * (bound into a scratch priv) and takes what applies to the brick alone: its
 * inode-lru-limit and a new dict of its auth.* rules. 0 or -errno with err.
 */
static int brick_options(gf_dict_t *options, int64_t *lru, gf_dict_t **auth, char *err,
                         size_t errlen)
{
    server_priv_t *scratch = gf_calloc(1, sizeof(*scratch));
    gf_dict_t *none = options ? NULL : gf_dict_new();
    int ret;

    *auth = gf_dict_new();
    if (!scratch || !*auth || (!options && !none)) {
        snprintf(err, errlen, "out of memory");
        ret = -ENOMEM;
    } else {
        ret = gf_options_bind(server_options, options ? options : none, scratch, err, errlen);
        *lru = scratch->lru_limit;
        gf_options_unbind(server_options, scratch);
    }
    if (!ret && options && gf_dict_foreach(options, copy_auth, *auth)) {
        snprintf(err, errlen, "out of memory");
        ret = -ENOMEM;
    }
    gf_free(scratch);
    gf_dict_unref(none);
    if (ret) {
        gf_dict_unref(*auth);
        *auth = NULL;
    }
    return ret;
}

/* ---- bricks: detach ------------------------------------------------------------ */

/* Work item (or called directly): the end of a detach, once the brick is
 * drained. Frees its inode table (forgetting inodes calls into its still
 * initialized translators), then its graph, and reports what remained. */
static void brick_finish(void *data)
{
    server_brick_t *b = data;
    gf_xlator_t *this = b->server, *top = b->graph->top, *saved = gf_this;
    server_priv_t *priv = this->priv;
    server_detached_cb done = b->done;
    void *done_arg = b->done_arg;
    gf_mem_acct_t left;

    gf_this = this;
    pthread_mutex_lock(&priv->bricks_lock);
    gf_graph_ungraft(this, b->graph);
    pthread_mutex_unlock(&priv->bricks_lock);
    gf_inode_table_destroy(top->itable);
    top->itable = NULL;
    server_route_unref(b->route);
    gf_log(GF_LOG_INFO, "brick '%s' detached: freeing its graph", top->name);
    gf_graph_fini_counted(b->graph, &left);
    if (left.blocks || left.bytes)
        gf_log(GF_LOG_WARNING,
               "a detached brick left %" PRIu64 " bytes in %" PRIu64
               " blocks accounted to its translators (a leak)",
               left.bytes, left.blocks);
    pthread_mutex_lock(&priv->bricks_lock);
    list_del(priv, b);
    pthread_cond_broadcast(&priv->bricks_cond);
    pthread_mutex_unlock(&priv->bricks_lock);
    gf_free(b);
    gf_this = saved;
    if (done)
        done(&left, done_arg);
}

/* Drain callback: the brick's last user has left; finish on a worker (the
 * last user may be an event thread, and fini may block). */
static void brick_drained(server_route_t *route, void *arg)
{
    if (server_submit(brick_finish, arg) != 0)
        brick_finish(arg);
}

/* server_route_foreach_bound: disconnects one bound client. */
static void disconnect_bound(server_route_link_t *link, void *arg)
{
    server_client_t *c = (server_client_t *)((char *)link - offsetof(server_client_t, link));

    rpc_svc_conn_disconnect(c->conn);
}

/* Begins the detach of b (marked leaving): unpublishes it, disconnects its
 * clients and drains it; brick_finish follows. */
static void brick_leave(server_brick_t *b)
{
    server_priv_t *priv = b->server->priv;
    size_t n;

    server_route_unpublish(priv->routes, b->route);
    n = server_route_foreach_bound(b->route, disconnect_bound, NULL);
    gf_log(GF_LOG_INFO, "detaching brick '%s': unpublished, %zu client(s) disconnected",
           b->route->name, n);
    server_route_drain(b->route, brick_drained, b);
}

static int mux_detach(gf_xlator_t *this, const char *name, server_detached_cb done, void *arg)
{
    server_priv_t *priv = this->priv;
    server_brick_t *b;
    int ret = 0;

    pthread_mutex_lock(&priv->bricks_lock);
    b = brick_find(priv, name, NULL);
    if (!b || b->leaving) {
        ret = -ENOENT;
    } else if (!b->started) {
        ret = -EBUSY;
    } else {
        b->leaving = true;
        b->done = done;
        b->done_arg = arg;
    }
    pthread_mutex_unlock(&priv->bricks_lock);
    if (ret == 0)
        brick_leave(b);
    return ret;
}

/* Detaches every brick and waits until each is freed (fini: no client is
 * left, so the drains are quick). Bricks still starting are waited for. */
static void bricks_stop(gf_xlator_t *this)
{
    server_priv_t *priv = this->priv;

    pthread_mutex_lock(&priv->bricks_lock);
    while (priv->bricks) {
        server_brick_t *b = priv->bricks, *found = NULL;

        do {
            if (b->started && !b->leaving)
                found = b;
            b = b->next;
        } while (!found && b != priv->bricks);
        if (!found) {
            pthread_cond_wait(&priv->bricks_cond, &priv->bricks_lock);
            continue;
        }
        found->leaving = true;
        pthread_mutex_unlock(&priv->bricks_lock);
        brick_leave(found);
        pthread_mutex_lock(&priv->bricks_lock);
    }
    pthread_mutex_unlock(&priv->bricks_lock);
}

/* ---- bricks: attach ------------------------------------------------------------ */

/* Grafts graph under this and publishes its top as a brick (ATTACHING), both
 * under bricks_lock, so that a brick found by name is always in the list. 0
 * or -errno with err. */
static int brick_publish(gf_xlator_t *this, server_brick_t *b, const server_route_spec_t *spec,
                         char *err, size_t errlen)
{
    server_priv_t *priv = this->priv;
    int ret;

    pthread_mutex_lock(&priv->bricks_lock);
    ret = gf_graph_graft(this, b->graph);
    if (!ret) {
        ret = server_route_publish(priv->routes, spec, &b->route);
        if (ret)
            gf_graph_ungraft(this, b->graph);
    }
    if (!ret)
        list_add(priv, b);
    pthread_mutex_unlock(&priv->bricks_lock);
    if (ret == -EEXIST)
        snprintf(err, errlen, "brick %s (or its volfile id %s) is served by this process already",
                 spec->name, spec->volfile_id ? spec->volfile_id : "-");
    return ret;
}

/* Publishes graph's top as a brick, with an inode table (see brick_publish).
 * 0 with *out, or -errno with err (graph untouched). */
static int brick_add(gf_xlator_t *this, gf_graph_t *graph, const char *volfile_id,
                     gf_dict_t *options, server_brick_t **out, char *err, size_t errlen)
{
    gf_xlator_t *top = graph->top;
    server_brick_t *b = NULL;
    gf_dict_t *auth = NULL;
    int64_t lru = 0;
    int ret = brick_options(options, &lru, &auth, err, errlen);

    if (!ret && !(top->itable = gf_inode_table_new((size_t)lru, top)))
        ret = -ENOMEM;
    if (!ret && !(b = gf_calloc(1, sizeof(*b))))
        ret = -ENOMEM;
    if (ret == -ENOMEM)
        snprintf(err, errlen, "out of memory attaching brick %s", top->name);
    if (!ret) {
        server_route_spec_t spec = {.name = top->name,
                                    .volfile_id = volfile_id,
                                    .volume_id = brick_volume_id(top),
                                    .brick = top,
                                    .auth = auth,
                                    .owner = b};
        b->server = this;
        b->graph = graph;
        ret = brick_publish(this, b, &spec, err, errlen);
    }
    gf_dict_unref(auth);
    if (ret) {
        gf_inode_table_destroy(top->itable);
        top->itable = NULL;
        gf_free(b);
        return ret;
    }
    *out = b;
    return 0;
}

/* Initializes b's graph and serves it. 0, or init's error with err (then b
 * is being detached). */
static int brick_start(server_brick_t *b, char *err, size_t errlen)
{
    server_priv_t *priv = b->server->priv;
    gf_xlator_t *top = b->graph->top;
    int ret = gf_graph_init(b->graph, err, errlen);
    bool up;

    pthread_mutex_lock(&priv->bricks_lock);
    b->started = true;
    b->leaving = ret != 0;
    up = !top->desc->notify || b->up_seen;
    pthread_cond_broadcast(&priv->bricks_cond);
    pthread_mutex_unlock(&priv->bricks_lock);
    if (ret) {
        brick_leave(b);
        return ret;
    }
    if (up)
        server_route_set_state(b->route, SERVER_ROUTE_READY);
    gf_log(GF_LOG_INFO, "brick '%s' attached%s", top->name,
           up ? " and up: clients may connect to it" : "; waiting for it to come up");
    return 0;
}

static int mux_attach(gf_xlator_t *this, gf_graph_t *graph, const char *volfile_id,
                      gf_dict_t *options, char *err, size_t errlen)
{
    gf_xlator_t *saved = gf_this;
    server_brick_t *b = NULL;
    int ret;

    gf_this = this;
    ret = brick_add(this, graph, volfile_id, options, &b, err, errlen);
    if (ret)
        gf_graph_fini(graph);
    else
        ret = brick_start(b, err, errlen);
    gf_this = saved;
    return ret;
}

/* CHILD_UP / CHILD_DOWN from a brick's top: READY / ATTACHING again; kept for
 * later while it is starting. Events of unknown translators are ignored. */
static void brick_event(gf_xlator_t *this, gf_xlator_t *top, bool up)
{
    server_priv_t *priv = this->priv;
    server_brick_t *b;

    if (!top || !top->name)
        return;
    pthread_mutex_lock(&priv->bricks_lock);
    b = brick_find(priv, top->name, top);
    if (b && !b->started)
        b->up_seen = up;
    else if (b && !b->leaving &&
             server_route_set_state(b->route, up ? SERVER_ROUTE_READY : SERVER_ROUTE_ATTACHING) ==
                 0)
        gf_log(up ? GF_LOG_INFO : GF_LOG_WARNING, "brick '%s' is %s", top->name,
               up ? "up: clients may connect to it" : "down: clients are told to retry");
    pthread_mutex_unlock(&priv->bricks_lock);
}

/* ---- bricks: figures ------------------------------------------------------------- */

/* What brick_figures gathers from the connections bound to a brick. The list
 * is reused from brick to brick of one stat call and freed at its end. */
typedef struct tally {
    uint64_t fds;               /* files they hold open */
    server_client_stat_t *list; /* the first of them */
    size_t listed, room;        /* entries used, allocated */
} tally_t;

/* Makes room for more entries in t's list, up to SERVER_STAT_CLIENTS_MAX.
 * False when it is full or there is no memory. */
static bool tally_grow(tally_t *t)
{
    size_t room = t->room ? t->room * 2 : 16;
    server_client_stat_t *list;

    if (t->room >= SERVER_STAT_CLIENTS_MAX)
        return false;
    if (room > SERVER_STAT_CLIENTS_MAX)
        room = SERVER_STAT_CLIENTS_MAX;
    list = gf_realloc(t->list, room * sizeof(*list));
    if (!list)
        return false;
    t->list = list;
    t->room = room;
    return true;
}

/* server_route_foreach_bound: counts a bound client's open files into the
 * tally arg and lists the client while there is room. */
static void tally_client(server_route_link_t *link, void *arg)
{
    server_client_t *c = (server_client_t *)((char *)link - offsetof(server_client_t, link));
    tally_t *t = arg;
    server_client_stat_t *s;

    t->fds += gf_fdtable_count(c->fdtable);
    if (t->listed == t->room && !tally_grow(t))
        return;
    s = &t->list[t->listed++];
    snprintf(s->peer, sizeof(s->peer), "%s", c->peer);
    s->bytes_read = atomic_load_explicit(&c->bytes_read, memory_order_relaxed);
    s->bytes_written = atomic_load_explicit(&c->bytes_written, memory_order_relaxed);
    s->op_version = c->op_version;
}

/* Fills st with b's figures, its clients listed in t (whose list st then
 * points into). Call with bricks_lock held. */
static void brick_figures(server_brick_t *b, server_brick_stat_t *st, tally_t *t)
{
    gf_xlator_t *top = b->graph->top;

    *st = (server_brick_stat_t){.name = top->name,
                                .volfile_id = b->route->volfile_id ? b->route->volfile_id : ""};
    if (!b->started)
        st->state = SERVER_BRICK_STARTING;
    else
        st->state = server_route_state(b->route) == SERVER_ROUTE_READY ? SERVER_BRICK_READY
                                                                       : SERVER_BRICK_DOWN;
    t->fds = 0;
    t->listed = 0;
    st->clients = server_route_foreach_bound(b->route, tally_client, t);
    st->fds = t->fds;
    st->client_list = t->list;
    st->listed = t->listed;
    st->inodes = top->itable ? gf_inode_table_count(top->itable) : 0;
    gf_graph_mem(b->graph, &st->mem);
}

static int mux_stat(gf_xlator_t *this, const char *name, server_stat_fn fn, void *arg)
{
    server_priv_t *priv = this->priv;
    server_brick_stat_t st;
    tally_t tally = {0};
    server_brick_t *b;
    int n = 0;

    pthread_mutex_lock(&priv->bricks_lock);
    b = priv->bricks;
    for (int i = 0; i < priv->n_bricks; i++, b = b->next) {
        if (b->leaving || (name && strcmp(name, b->graph->top->name) != 0))
            continue;
        brick_figures(b, &st, &tally);
        fn(&st, arg);
        n++;
    }
    pthread_mutex_unlock(&priv->bricks_lock);
    gf_free(tally.list);
    return name && n == 0 ? -ENOENT : n;
}

static int mux_port(gf_xlator_t *this)
{
    server_priv_t *priv = this->priv;

    return rpc_svc_port(priv->svc);
}

const server_mux_t server_mux = {
    .attach = mux_attach,
    .detach = mux_detach,
    .stat = mux_stat,
    .port = mux_port,
};

/* ---- init / fini / notify ------------------------------------------------------ */

/* Undoes init, in whatever state it stopped. The RPC server is charged to the
 * process (its connections end on event threads, after we are gone). */
static void server_teardown(gf_xlator_t *this)
{
    server_priv_t *priv = this->priv;
    gf_xlator_t *saved = gf_this;

    if (priv->svc) {
        gf_this = NULL;
        rpc_svc_destroy(priv->svc);
        gf_this = saved;
        priv->svc = NULL;
    }
    clients_wait(priv);
    if (priv->routes) {
        bricks_stop(this);
        server_routes_destroy(priv->routes);
        priv->routes = NULL;
    }
    pthread_cond_destroy(&priv->bricks_cond);
    pthread_mutex_destroy(&priv->bricks_lock);
    pthread_cond_destroy(&priv->cond);
    pthread_mutex_destroy(&priv->lock);
}

/* Creates the RPC server (charged to the process, see server_teardown),
 * registers both programs and listens, speaking TLS when ssl-enabled is on.
 * 0 or -errno. */
static int rpc_start(gf_xlator_t *this)
{
    server_priv_t *priv = this->priv;
    const char *addr = priv->bind_address;
    bool v6 = strchr(addr, ':') && addr[0] != '[';
    rpc_tls_ctx_t *tls = NULL;
    char spec[300];
    int ret;

    snprintf(spec, sizeof(spec), "tcp:%s%s%s:%" PRId64, v6 ? "[" : "", addr, v6 ? "]" : "",
             priv->listen_port);
    gf_this = NULL;
    ret = rpc_tls_ctx_from_options(&priv->tls, &tls); /* says what is wrong */
    if (ret) {
        gf_this = this;
        return ret;
    }
    priv->svc = rpc_svc_new(gf_ctx->events, conn_notify, this);
    ret = priv->svc ? rpc_svc_register(priv->svc, &server_handshake_program) : -ENOMEM;
    if (!ret)
        ret = rpc_svc_register(priv->svc, &server_fop_program);
    if (!ret)
        ret = rpc_svc_listen_tls(priv->svc, spec, tls);
    rpc_tls_ctx_unref(tls); /* the listener keeps its own */
    gf_this = this;
    if (ret) {
        gf_log(GF_LOG_ERROR,
               "cannot serve clients on %s: %s (check transport.socket.bind-address and "
               "transport.socket.listen-port; is another process using the port?)",
               spec + 4, strerror(-ret));
        return ret;
    }
    gf_log(GF_LOG_INFO, "listening on %s:%d%s; bricks are attached to it", addr,
           rpc_svc_port(priv->svc), priv->tls.enabled ? " with TLS" : "");
    return 0;
}

static int server_init(gf_xlator_t *this)
{
    server_priv_t *priv = this->priv;
    uuid_t uuid;
    int ret = 0;

    if (!gf_ctx || !gf_ctx->events || !gf_ctx->workers) {
        gf_log(GF_LOG_ERROR, "protocol/server needs the process context (event threads and "
                             "workers): the process must call gf_ctx_init before building "
                             "the graph");
        return -EINVAL;
    }
    if (this->n_children > 0) {
        gf_log(GF_LOG_ERROR, "protocol/server is built alone, without subvolumes: bricks are "
                             "attached to it at run time (glusterfsd does this)");
        return -EINVAL;
    }
    pthread_mutex_init(&priv->lock, NULL);
    pthread_cond_init(&priv->cond, NULL);
    pthread_mutex_init(&priv->bricks_lock, NULL);
    pthread_cond_init(&priv->bricks_cond, NULL);
    uuid_generate(uuid);
    uuid_unparse(uuid, priv->process_uuid);
    priv->routes = server_routes_new();
    if (!priv->routes)
        ret = -ENOMEM;
    if (!ret)
        ret = rpc_start(this);
    if (ret)
        server_teardown(this);
    return ret;
}

static void server_fini(gf_xlator_t *this)
{
    server_teardown(this);
}

static int server_notify(gf_xlator_t *this, gf_event_t event, void *data)
{
    /* Other events stop here: bricks get PARENT_UP from their own graph's init,
     * and their detach is the server's business. */
    if (event == GF_EVENT_CHILD_UP || event == GF_EVENT_CHILD_DOWN)
        brick_event(this, data, event == GF_EVENT_CHILD_UP);
    return 0;
}

const gf_xlator_desc_t gf_xlator_desc = {
    .abi_version = GF_XLATOR_ABI_VERSION,
    .type = "protocol/server",
    .priv_size = sizeof(server_priv_t),
    .init = server_init,
    .fini = server_fini,
    .notify = server_notify,
    .options = server_options,
};
