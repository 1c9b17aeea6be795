/*
 * protocol/server: serves the bricks below it to GlusterFS clients over the
 * handshake and FOP programs, on one TCP port for all of them.
 *
 * Each child of this translator is a brick: its name is the brick name that
 * clients give as remote-subvolume. At init every child gets an inode table
 * (child->itable) and a route in the routing table, published ATTACHING: a
 * client naming it is told to retry (EAGAIN) until the brick is up. The
 * brick's top translator speaks for it: when that translator has a notify() of
 * its own, the brick is up once CHILD_UP comes from it; when it has none (the
 * io-stats on top of every brick graph), the brick is up as soon as PARENT_UP
 * has gone down through it, since the whole graph is initialized by then.
 * Later CHILD_DOWN / CHILD_UP from the child (passed up by io-stats from
 * below) make it ATTACHING / READY again. The brick's auth rules are the
 * auth.* options of this translator (multiplexing will give each attached
 * brick its own).
 *
 * This file also keeps the per-connection client state (server.h): made when
 * a client connects, bound to a brick by SETVOLUME, torn down on the worker
 * pool when the connection and every call of it are gone.
 *
 * fini: stop listening and disconnect every client, unpublish every brick and
 * wait until it is drained (no call in flight, no client left), then destroy
 * the inode tables.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <uuid/uuid.h>

#include "glusterfs/ctx.h"
#include "glusterfs/dict.h"
#include "glusterfs/inode.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "server.h"

/* ---- replies and work charged to the process ------------------------------------- */

int server_reply(rpc_req_t *req, xdrproc_t proc, void *rsp, const struct iovec *payload, int count)
{
    gf_xlator_t *saved = gf_this;
    int ret;

    gf_this = NULL;
    ret = rpc_req_reply(req, proc, rsp, payload, count, NULL);
    gf_this = saved;
    return ret;
}

int server_reply_error(rpc_req_t *req, int accept_stat)
{
    gf_xlator_t *saved = gf_this;
    int ret;

    gf_this = NULL;
    ret = rpc_req_error(req, accept_stat);
    gf_this = saved;
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
 * the client stays a user of its route until everything it held is freed: the
 * drain of a brick (fini, detach) may free the brick as soon as the last user
 * has left, and the client's reference to the route is dropped before leaving
 * (the route stays referenced by the table, or by whoever drains it). Last,
 * the client is counted out, which fini waits for before freeing anything.
 */
static void client_teardown(void *data)
{
    server_client_t *c = data;
    server_route_t *route = atomic_load(&c->route);
    server_priv_t *priv = c->server->priv;
    gf_xlator_t *saved = gf_this;

    gf_this = c->server;
    gf_fdtable_destroy(c->fdtable);
    gf_free(c->identity);
    rpc_svc_conn_unref(c->conn);
    gf_free(c);
    gf_this = saved;
    if (route) {
        server_route_unref(route);
        server_route_leave(route);
    }
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
    ret = server_route_enter(route);
    if (ret)
        return ret;
    c->identity = gf_strdup(identity);
    c->fdtable = gf_fdtable_new();
    if (!c->identity || !c->fdtable) {
        gf_free(c->identity);
        gf_fdtable_destroy(c->fdtable);
        c->identity = NULL;
        c->fdtable = NULL;
        server_route_leave(route);
        return -ENOMEM;
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
    atomic_init(&c->route, NULL);
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
            server_client_unref(c);
        }
    }
    gf_this = saved;
}

/* ---- bricks ---------------------------------------------------------------------- */

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

/* Gives child an inode table and publishes its route (ATTACHING). 0 or -errno. */
static int brick_add(gf_xlator_t *this, gf_xlator_t *child)
{
    server_priv_t *priv = this->priv;
    server_route_spec_t spec = {
        .name = child->name,
        .volume_id = brick_volume_id(child),
        .brick = child,
        .auth = this->options,
    };
    int ret;

    child->itable = gf_inode_table_new((size_t)priv->lru_limit, child);
    if (!child->itable)
        return -ENOMEM;
    ret = server_route_publish(priv->routes, &spec, NULL);
    if (ret)
        gf_log(GF_LOG_ERROR, "cannot serve brick '%s': %s", child->name,
               ret == -EEXIST ? "a brick of that name is served already" : strerror(-ret));
    return ret;
}

/* Marks the brick child up (READY) or down (ATTACHING again). Events that come
 * before init has published the bricks are ignored. */
static void brick_set_up(gf_xlator_t *this, gf_xlator_t *child, bool up)
{
    server_priv_t *priv = this->priv;
    server_route_t *r = child && priv->routes ? server_route_find(priv->routes, child->name) : NULL;

    if (!r)
        return;
    if (server_route_set_state(r, up ? SERVER_ROUTE_READY : SERVER_ROUTE_ATTACHING) == 0)
        gf_log(up ? GF_LOG_INFO : GF_LOG_WARNING, "brick '%s' is %s", child->name,
               up ? "up: clients may connect to it" : "down: clients are told to retry");
    server_route_unref(r);
}

/* Counts drained routes; fini waits on it. */
typedef struct drain_wait {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int left;
} drain_wait_t;

static void route_drained(server_route_t *r, void *arg)
{
    drain_wait_t *w = arg;

    pthread_mutex_lock(&w->lock);
    if (--w->left == 0)
        pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

/* Unpublishes every brick and waits until each is drained: no call in flight,
 * no client left (clients are disconnected before this runs). */
static void bricks_drain(gf_xlator_t *this)
{
    server_priv_t *priv = this->priv;
    drain_wait_t w = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
    server_route_t *routes[this->n_children > 0 ? this->n_children : 1];
    int n = 0;

    for (int i = 0; i < this->n_children; i++) {
        server_route_t *r = server_route_find(priv->routes, this->children[i]->name);

        if (r && server_route_unpublish(priv->routes, r) == 0)
            routes[n++] = r;
        else if (r)
            server_route_unref(r);
    }
    w.left = n;
    for (int i = 0; i < n; i++)
        server_route_drain(routes[i], route_drained, &w);
    pthread_mutex_lock(&w.lock);
    while (w.left > 0)
        pthread_cond_wait(&w.cond, &w.lock);
    pthread_mutex_unlock(&w.lock);
    for (int i = 0; i < n; i++)
        server_route_unref(routes[i]);
}

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
        bricks_drain(this);
        server_routes_destroy(priv->routes);
        priv->routes = NULL;
    }
    for (int i = 0; i < this->n_children; i++) {
        gf_inode_table_destroy(this->children[i]->itable);
        this->children[i]->itable = NULL;
    }
    pthread_cond_destroy(&priv->cond);
    pthread_mutex_destroy(&priv->lock);
}

/* Creates the RPC server (charged to the process, see server_teardown),
 * registers both programs and listens. 0 or -errno. */
static int rpc_start(gf_xlator_t *this)
{
    server_priv_t *priv = this->priv;
    const char *addr = priv->bind_address;
    bool v6 = strchr(addr, ':') && addr[0] != '[';
    char spec[300];
    int ret;

    snprintf(spec, sizeof(spec), "tcp:%s%s%s:%" PRId64, v6 ? "[" : "", addr, v6 ? "]" : "",
             priv->listen_port);
    gf_this = NULL;
    priv->svc = rpc_svc_new(gf_ctx->events, conn_notify, this);
    ret = priv->svc ? rpc_svc_register(priv->svc, &server_handshake_program) : -ENOMEM;
    if (!ret)
        ret = rpc_svc_register(priv->svc, &server_fop_program);
    if (!ret)
        ret = rpc_svc_listen(priv->svc, spec);
    gf_this = this;
    if (ret) {
        gf_log(GF_LOG_ERROR,
               "cannot serve clients on %s: %s (check transport.socket.bind-address and "
               "transport.socket.listen-port; is another process using the port?)",
               spec + 4, strerror(-ret));
        return ret;
    }
    gf_log(GF_LOG_INFO, "listening on %s:%d for %d brick(s)", addr, rpc_svc_port(priv->svc),
           this->n_children);
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
    pthread_mutex_init(&priv->lock, NULL);
    pthread_cond_init(&priv->cond, NULL);
    uuid_generate(uuid);
    uuid_unparse(uuid, priv->process_uuid);
    priv->routes = server_routes_new();
    if (!priv->routes)
        ret = -ENOMEM;
    for (int i = 0; !ret && i < this->n_children; i++)
        ret = brick_add(this, this->children[i]);
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
    switch (event) {
    case GF_EVENT_PARENT_UP:
        gf_default_notify(this, event, data);
        for (int i = 0; i < this->n_children; i++)
            if (!this->children[i]->desc || !this->children[i]->desc->notify)
                brick_set_up(this, this->children[i], true);
        return 0;
    case GF_EVENT_CHILD_UP:
        brick_set_up(this, data, true);
        return 0;
    case GF_EVENT_CHILD_DOWN:
        brick_set_up(this, data, false);
        return 0;
    default:
        return gf_default_notify(this, event, data);
    }
}

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
    {.key = "auth.login.*",
     .type = GF_OPT_ANY,
     .scope = GF_SCOPE_BRICK,
     .offset = GF_OPT_NO_FIELD,
     .desc = "auth.login.BRICK.allow: users allowed to use BRICK (comma-separated); "
             "auth.login.USER.password: that user's password"},
    {.key = "auth.addr.*",
     .type = GF_OPT_ANY,
     .scope = GF_SCOPE_BRICK,
     .offset = GF_OPT_NO_FIELD,
     .desc = "auth.addr.BRICK.allow / .reject: client addresses or glob patterns allowed / "
             "refused for BRICK (comma-separated, * = any)"},
    {.key = NULL},
};

const gf_xlator_desc_t gf_xlator_desc = {
    .abi_version = GF_XLATOR_ABI_VERSION,
    .type = "protocol/server",
    .priv_size = sizeof(server_priv_t),
    .init = server_init,
    .fini = server_fini,
    .notify = server_notify,
    .options = server_options,
};
