/*
 * Membership (contract in members.h): this server's registration and session
 * keys, the server list as read from the store, and `peer probe`.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "glusterfs/ctx.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "addr.h"
#include "glusterd.h"
#include "members.h"
#include "volume.h"

#define ADDRS_MAX 1024
#define RESOLVED_MAX 16

static char self_addrs[ADDRS_MAX];
static void (*ready_fn)(int err);
static void (*session_fn)(int up);
static int session_up;

/* --- this server --- */

/* Appends addr to the comma-separated list self_addrs (when it fits). */
static void
add_addr(const char *addr)
{
    size_t len = strlen(self_addrs);
    if (len + strlen(addr) + 2 < sizeof(self_addrs))
        snprintf(self_addrs + len, sizeof(self_addrs) - len, "%s%s", len ? "," : "", addr);
}

int
gd_members_init(void)
{
    struct ifaddrs *ifs, *i;
    char host[256], buf[INET6_ADDRSTRLEN];

    if (!gd_addr_is_any(gd.conf.bind)) {
        add_addr(gd.conf.bind);
        return 0;
    }
    if (gethostname(host, sizeof(host)) == 0 && host[0])
        add_addr(host);
    if (getifaddrs(&ifs) != 0)
        return -errno;
    for (i = ifs; i; i = i->ifa_next) {
        const void *a = NULL;
        if (!i->ifa_addr)
            continue;
        if (i->ifa_addr->sa_family == AF_INET)
            a = &((struct sockaddr_in *)i->ifa_addr)->sin_addr;
        else if (i->ifa_addr->sa_family == AF_INET6)
            a = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
        if (a && inet_ntop(i->ifa_addr->sa_family, a, buf, sizeof(buf)) &&
            strncmp(buf, "127.", 4) && strcmp(buf, "::1") && strncmp(buf, "fe80:", 5))
            add_addr(buf);
    }
    freeifaddrs(ifs);
    if (!self_addrs[0])
        add_addr("127.0.0.1");
    return 0;
}

int
gd_members_session_up(void)
{
    return session_up;
}

static void
registered(int err, uint64_t rev, void *cookie)
{
    char msg[512];
    void (*ready)(int) = ready_fn;

    if (err) {
        gd_store_strerror(gd.store, err, msg, sizeof(msg));
        gf_log(GF_LOG_ERROR, "cannot register this server (uuid %s) in the store: %s; trying "
                             "again at the next session",
               gd.conf.uuid, msg);
        return;
    }
    gf_log(GF_LOG_INFO, "registered as server %s (%s) in the %s store", gd.conf.uuid,
           self_addrs, gd.store->ops->name);
    ready_fn = NULL;
    if (ready)
        ready(0);
    else if (session_fn)
        session_fn(1);
}

/* Puts server/UUID and alive/UUID. */
static void
register_self(void)
{
    gd_txn_t *txn = gd_txn_new();
    char key[128], value[ADDRS_MAX + 64];

    if (!txn) {
        registered(-ENOMEM, 0, NULL);
        return;
    }
    snprintf(key, sizeof(key), GD_SERVER_PREFIX "%s", gd.conf.uuid);
    snprintf(value, sizeof(value), "addrs=%s\nport=%d\n", self_addrs, gd.conf.port);
    gd_txn_put_str(txn, key, value);
    snprintf(key, sizeof(key), GD_ALIVE_PREFIX "%s", gd.conf.uuid);
    snprintf(value, sizeof(value), "since=%lld\n", (long long)time(NULL));
    gd_txn_put_session(txn, key, value);
    gd_store_txn(gd.store, txn, registered, NULL);
    gd_txn_free(txn);
}

static void
session_changed(int up, void *cookie)
{
    session_up = up;
    if (up) {
        gf_log(GF_LOG_INFO, "session with the %s store is up", gd.store->ops->name);
        register_self();
        return;
    }
    gf_log(GF_LOG_WARNING, "session with the monitor cluster lost: this server shows as "
                           "Disconnected until it is back (bricks keep serving)");
    if (session_fn)
        session_fn(0);
}

void
gd_members_start(int ttl_s, void (*ready)(int err), void (*on_session)(int up))
{
    int err;

    ready_fn = ready;
    session_fn = on_session;
    if ((err = gd_store_session_open(gd.store, ttl_s, session_changed, NULL)) != 0) {
        ready_fn = NULL;
        ready(err);
    }
}

/* --- the server list --- */

const char *
gd_server_host(const gd_server_t *s)
{
    static char first[256];
    size_t n = strcspn(s->addrs, ",");
    snprintf(first, sizeof(first), "%.*s", (int)n, s->addrs);
    return first;
}

/* A reading of the three prefixes. */
typedef struct loading {
    gd_servers_cb_t cb;
    void *cookie;
    gd_server_t *servers;
    int n;
    int step; /* 0: server/, 1: alive/, 2: pool/ */
} loading_t;

static void load_step(loading_t *l);

static void
load_end(loading_t *l, int err)
{
    char msg[512] = "";

    if (err)
        gd_store_strerror(gd.store, err, msg, sizeof(msg));
    l->cb(err, msg, err ? NULL : l->servers, err ? 0 : l->n, l->cookie);
    for (int i = 0; i < l->n; i++)
        gf_free(l->servers[i].addrs);
    gf_free(l->servers);
    gf_free(l);
}

static int
add_servers(loading_t *l, const gd_kv_t *kvs, int n)
{
    size_t skip = strlen(GD_SERVER_PREFIX);

    if (n && !(l->servers = gf_calloc((size_t)n, sizeof(*l->servers))))
        return -ENOMEM;
    for (int i = 0; i < n; i++) {
        gd_server_t *s = &l->servers[l->n];
        char *port = gd_field(kvs[i].value, "port");
        if (strlen(kvs[i].key + skip) != 36 || !(s->addrs = gd_field(kvs[i].value, "addrs"))) {
            gf_free(port);
            continue;
        }
        snprintf(s->uuid, sizeof(s->uuid), "%s", kvs[i].key + skip);
        s->port = port ? atoi(port) : 0;
        s->self = strcmp(s->uuid, gd.conf.uuid) == 0;
        gf_free(port);
        l->n++;
    }
    return 0;
}

static void
listed(int err, const gd_kv_t *kvs, int n, void *cookie)
{
    loading_t *l = cookie;

    if (!err && l->step == 0)
        err = add_servers(l, kvs, n);
    for (int i = 0; !err && l->step > 0 && i < n; i++) {
        const char *uuid = strchr(kvs[i].key, '/') + 1;
        for (int j = 0; j < l->n; j++) {
            if (strcmp(l->servers[j].uuid, uuid) != 0)
                continue;
            if (l->step == 1)
                l->servers[j].alive = 1;
            else
                l->servers[j].in_pool = 1;
        }
    }
    if (err || ++l->step == 3)
        load_end(l, err);
    else
        load_step(l);
}

static void
load_step(loading_t *l)
{
    static const char *const prefixes[] = {GD_SERVER_PREFIX, GD_ALIVE_PREFIX, GD_POOL_PREFIX};
    gd_store_list(gd.store, prefixes[l->step], listed, l);
}

void
gd_servers_load(gd_servers_cb_t cb, void *cookie)
{
    loading_t *l = gf_calloc(1, sizeof(*l));

    if (!l) {
        cb(-ENOMEM, "glusterd is out of memory", NULL, 0, cookie);
        return;
    }
    l->cb = cb;
    l->cookie = cookie;
    load_step(l);
}

const gd_server_t *
gd_server_by_addr(const gd_server_t *servers, int n, const char *addr)
{
    size_t len = strlen(addr);

    for (int i = 0; i < n; i++)
        for (const char *p = servers[i].addrs; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
            if (strncmp(p, addr, len) == 0 && (p[len] == ',' || p[len] == '\0'))
                return &servers[i];
    return NULL;
}

const gd_server_t *
gd_server_by_uuid(const gd_server_t *servers, int n, const char *uuid)
{
    for (int i = 0; i < n; i++)
        if (strcmp(servers[i].uuid, uuid) == 0)
            return &servers[i];
    return NULL;
}

/* --- where bricks are --- */

typedef struct locating {
    const gd_volume_t *vol;
    gd_locate_cb_t cb;
    void *cookie;
    gd_brick_loc_t *locs;
} locating_t;

static void
locate_end(locating_t *l, int err, const char *msg)
{
    l->cb(err, msg, err ? NULL : l->locs, l->cookie);
    gf_free(l->locs);
    gf_free(l);
}

static void
locate_loaded(int err, const char *msg, const gd_server_t *servers, int n, void *cookie)
{
    locating_t *l = cookie;
    const gd_server_t *self = gd_server_by_uuid(servers, n, gd.conf.uuid);

    for (int i = 0; !err && i < l->vol->n_bricks; i++) {
        gd_brick_loc_t *loc = &l->locs[i];
        const gd_server_t *s = loc->local ? self
                                          : gd_server_by_addr(servers, n, l->vol->bricks[i].host);
        if (loc->local) {
            loc->known = loc->in_pool = 1;
            loc->alive = session_up;
            snprintf(loc->uuid, sizeof(loc->uuid), "%s", gd.conf.uuid);
            continue;
        }
        if (!s)
            continue;
        loc->known = 1;
        loc->in_pool = s->in_pool || s->self;
        loc->alive = s->alive || (s->self && session_up);
        snprintf(loc->uuid, sizeof(loc->uuid), "%s", s->uuid);
    }
    locate_end(l, err, msg);
}

static void
locate_resolved(void *data)
{
    gd_servers_load(locate_loaded, data);
}

/* On the worker pool: which bricks are on this server? */
static void
locate_task(void *data)
{
    locating_t *l = data;
    char err[256];

    for (int i = 0; i < l->vol->n_bricks; i++)
        l->locs[i].local = gd_addr_is_local(gd.conf.bind, l->vol->bricks[i].host, err,
                                            sizeof(err)) == 1;
    if (gf_event_post(gf_ctx->events, locate_resolved, l) != 0)
        gf_log(GF_LOG_CRITICAL, "cannot post back to the event loop; an operation on volume %s "
                                "hangs", l->vol->name);
}

void
gd_bricks_locate(const gd_volume_t *vol, gd_locate_cb_t cb, void *cookie)
{
    locating_t *l = gf_calloc(1, sizeof(*l));

    if (!l || !(l->locs = gf_calloc((size_t)vol->n_bricks + 1, sizeof(*l->locs)))) {
        gf_free(l);
        cb(-ENOMEM, "glusterd is out of memory", NULL, cookie);
        return;
    }
    l->vol = vol;
    l->cb = cb;
    l->cookie = cookie;
    if (gf_workpool_submit(gf_ctx->workers, locate_task, l) != 0)
        locate_end(l, -ENOMEM, "cannot queue the brick lookups");
}

/* --- peer probe --- */

typedef struct probe {
    gd_op_done_t done;
    void *cookie;
    char host[256];
    int local;                           /* host is this server */
    char addrs[RESOLVED_MAX][INET6_ADDRSTRLEN]; /* host's resolved addresses */
    int n_addrs;
    char err[256];
} probe_t;

static void
probe_end(probe_t *p, int err, const char *msg, const char *info)
{
    gf_dict_t *out = NULL;

    if (err)
        gf_log(GF_LOG_ERROR, "peer probe %s: %s", p->host, msg);
    else if (info && (!(out = gf_dict_new()) || gf_dict_set_str(out, "info", info)))
        err = -ENOMEM, msg = "glusterd is out of memory";
    p->done(err, msg, out, p->cookie);
    gf_dict_unref(out);
    gf_free(p);
}

static void
pool_saved(int err, uint64_t rev, void *cookie)
{
    probe_t *p = cookie;
    char msg[512];

    if (err) {
        gd_store_strerror(gd.store, err, msg, sizeof(msg));
        probe_end(p, err, msg, NULL);
        return;
    }
    gf_log(GF_LOG_INFO, "peer probe %s: admitted to the trusted pool", p->host);
    probe_end(p, 0, NULL, NULL);
}

/* The registered server that p->host names, or NULL. */
static const gd_server_t *
probed_server(const probe_t *p, const gd_server_t *servers, int n)
{
    const gd_server_t *s = gd_server_by_addr(servers, n, p->host);
    for (int i = 0; !s && i < p->n_addrs; i++)
        s = gd_server_by_addr(servers, n, p->addrs[i]);
    return s;
}

static void
probe_loaded(int err, const char *msg, const gd_server_t *servers, int n, void *cookie)
{
    probe_t *p = cookie;
    const gd_server_t *s;
    char text[1024], key[64];
    gd_txn_t *txn;

    if (err) {
        probe_end(p, err, msg, NULL);
        return;
    }
    if (!(s = probed_server(p, servers, n))) {
        if (!gd.conf.monitor)
            snprintf(text, sizeof(text), "%s is not a server of this cluster: this glusterd "
                     "keeps its configuration in its own working directory; servers form a "
                     "pool through a monitor cluster: start every glusterd with --monitor "
                     "URL[,URL...]", p->host);
        else
            snprintf(text, sizeof(text), "no glusterd at %s has registered with the monitor "
                     "cluster (%s): start glusterd on %s with --monitor %s", p->host,
                     gd.conf.monitor, p->host, gd.conf.monitor);
        probe_end(p, -ENOENT, text, NULL);
        return;
    }
    if (s->self) {
        probe_end(p, 0, NULL, "Probe on localhost not needed");
        return;
    }
    if (s->in_pool) {
        snprintf(text, sizeof(text), "Host %s port %d already in peer list", p->host, s->port);
        probe_end(p, 0, NULL, text);
        return;
    }
    if (!(txn = gd_txn_new())) {
        pool_saved(-ENOMEM, 0, p);
        return;
    }
    snprintf(key, sizeof(key), GD_POOL_PREFIX "%s", s->uuid);
    gd_txn_put_str(txn, key, "");
    snprintf(key, sizeof(key), GD_POOL_PREFIX "%s", gd.conf.uuid);
    gd_txn_put_str(txn, key, "");
    gd_store_txn(gd.store, txn, pool_saved, p);
    gd_txn_free(txn);
}

/* Back on the event thread once the host is resolved. */
static void
probe_resolved(void *data)
{
    probe_t *p = data;
    if (p->local)
        probe_end(p, 0, NULL, "Probe on localhost not needed");
    else
        gd_servers_load(probe_loaded, p);
}

/* On the worker pool: is the host this server, and what are its addresses? */
static void
probe_resolve(void *data)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *r;
    probe_t *p = data;

    p->local = gd_addr_is_local(gd.conf.bind, p->host, p->err, sizeof(p->err)) == 1;
    if (getaddrinfo(p->host, NULL, &hints, &res) == 0) {
        for (r = res; r && p->n_addrs < RESOLVED_MAX; r = r->ai_next)
            if (getnameinfo(r->ai_addr, r->ai_addrlen, p->addrs[p->n_addrs], INET6_ADDRSTRLEN,
                            NULL, 0, NI_NUMERICHOST) == 0)
                p->n_addrs++;
        freeaddrinfo(res);
    }
    if (gf_event_post(gf_ctx->events, probe_resolved, p) != 0)
        gf_log(GF_LOG_CRITICAL, "cannot post back to the event loop; peer probe %s hangs",
               p->host);
}

void
gd_peer_probe(const char *host, gd_op_done_t done, void *cookie)
{
    probe_t *p;

    if (!host || !*host || strlen(host) >= sizeof(p->host)) {
        done(-EINVAL, "peer probe: give the host name or address of the server", NULL, cookie);
        return;
    }
    if (!(p = gf_calloc(1, sizeof(*p)))) {
        done(-ENOMEM, "glusterd is out of memory", NULL, cookie);
        return;
    }
    p->done = done;
    p->cookie = cookie;
    snprintf(p->host, sizeof(p->host), "%s", host);
    if (gf_workpool_submit(gf_ctx->workers, probe_resolve, p) != 0)
        probe_end(p, -ENOMEM, "cannot queue the peer probe", NULL);
}
