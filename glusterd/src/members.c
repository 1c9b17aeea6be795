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
#include "glusterfs/timer.h"
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

/*
 * Registration. server/UUID, addr/A for each address A and alive/UUID are written
 * in one transaction guarded by the revisions read just before (server/UUID and
 * every addr/A it touches), so that the index never names a server for an address
 * it no longer has. It is tried until it succeeds, for as long as the session that
 * started it lives: a failure, or an outcome unknown, is tried again after a pause;
 * a guard that fails (another server took an address, or an earlier attempt of
 * ours was applied after all) reads again and writes what is then missing.
 * Writing the same values again is harmless.
 */

/* One addr/A key the registration writes (keep) or removes (an old address). */
typedef struct reg_addr {
    char *addr;
    int keep;       /* A is one of this server's addresses now */
    uint64_t rev;   /* addr/A's revision as read, 0: absent */
    char owner[37]; /* the UUID addr/A names, as read ("" if absent) */
} reg_addr_t;

/* A registration in progress, for the session of generation gen. */
typedef struct reg {
    uint64_t gen;
    uint64_t server_rev; /* server/UUID's revision as read, 0: absent */
    reg_addr_t *addrs;
    int n_addrs;
    int next;     /* the next addr/A to read */
    int canceled; /* guard failures in a row */
} reg_t;

static uint64_t session_gen; /* counts session changes; a registration serves one */

static void reg_read(void *data);

static void
reg_free(reg_t *r)
{
    for (int i = 0; r && i < r->n_addrs; i++)
        gf_free(r->addrs[i].addr);
    if (r)
        gf_free(r->addrs);
    gf_free(r);
}

/* key = addr/ADDR; 0, or -EINVAL when that is no valid store key. */
static int
addr_key(char *key, size_t size, const char *addr)
{
    if ((size_t)snprintf(key, size, GD_ADDR_PREFIX "%s", addr) >= size ||
        !gd_store_key_valid(key))
        return -EINVAL;
    return 0;
}

/* Adds addr to r (once), to keep or to remove. 0 or -ENOMEM. */
static int
reg_add(reg_t *r, const char *addr, size_t len, int keep)
{
    reg_addr_t *a;
    char one[ADDRS_MAX], key[GD_STORE_KEY_MAX + 1];

    for (int i = 0; i < r->n_addrs; i++)
        if (strlen(r->addrs[i].addr) == len && strncmp(r->addrs[i].addr, addr, len) == 0)
            return 0;
    snprintf(one, sizeof(one), "%.*s", (int)len, addr);
    if (!len || len >= sizeof(one) || addr_key(key, sizeof(key), one) != 0)
        return 0; /* not indexable (a probe falls back to reading every server) */
    a = gf_realloc(r->addrs, ((size_t)r->n_addrs + 1) * sizeof(*a));
    if (!a)
        return -ENOMEM;
    r->addrs = a;
    a = &r->addrs[r->n_addrs];
    memset(a, 0, sizeof(*a));
    if (!(a->addr = gf_strndup(addr, len)))
        return -ENOMEM;
    a->keep = keep;
    r->n_addrs++;
    return 0;
}

/* Adds each address of the comma-separated list. 0 or -ENOMEM. */
static int
reg_add_list(reg_t *r, const char *list, int keep)
{
    int err = 0;

    for (const char *p = list; p && !err; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        err = reg_add(r, p, strcspn(p, ","), keep);
    return err;
}

static void
reg_retry_cb(void *data)
{
    if (gf_event_post(gf_ctx->events, reg_read, data) != 0)
        gf_log(GF_LOG_CRITICAL, "cannot post the registration's retry to the event loop; "
                                "this server (uuid %s) stays unregistered until its next "
                                "session", gd.conf.uuid);
}

/* Starts r again from its reads: at once (posted), or after 1 to 2 s. */
static void
reg_again(reg_t *r, int pause)
{
    reg_t *fresh = gf_calloc(1, sizeof(*fresh));

    if (fresh) {
        fresh->gen = r->gen;
        fresh->canceled = r->canceled;
    }
    reg_free(r);
    if (!fresh || (pause ? !gf_timer_add(gf_ctx->timers, 1000 + (uint64_t)(random() % 1000),
                                         reg_retry_cb, fresh)
                         : gf_event_post(gf_ctx->events, reg_read, fresh) != 0)) {
        gf_log(GF_LOG_CRITICAL, "cannot schedule the registration's retry (out of memory); "
                                "this server (uuid %s) stays unregistered until its next "
                                "session", gd.conf.uuid);
        gf_free(fresh);
    }
}

/* r failed with err (a read or the transaction): tried again while its session
 * lives. */
static void
reg_failed(reg_t *r, int err)
{
    char msg[512];

    gd_store_strerror(gd.store, err, msg, sizeof(msg));
    if (err == -ENOTCONN || r->gen != session_gen) {
        gf_log(GF_LOG_WARNING, "cannot register this server (uuid %s) in the store: %s; its "
                               "session ended: registering again in the next one",
               gd.conf.uuid, msg);
        reg_free(r);
        return;
    }
    gf_log(GF_LOG_WARNING, "cannot register this server (uuid %s) in the store: %s; trying "
                           "again in about 1 s",
           gd.conf.uuid, msg);
    r->canceled = 0;
    reg_again(r, 1);
}

static void
registered(int err, uint64_t rev, void *cookie)
{
    reg_t *r = cookie;
    void (*ready)(int) = ready_fn;

    if (r->gen != session_gen) {
        reg_free(r); /* a later session registers again */
        return;
    }
    if (err == -ECANCELED) {
        gf_log(GF_LOG_INFO, "registration of this server (uuid %s): its keys changed since "
                            "read (an earlier attempt applied, or another server registered "
                            "one of its addresses); reading them again",
               gd.conf.uuid);
        r->canceled++;
        reg_again(r, r->canceled > 1);
        return;
    }
    if (err) {
        reg_failed(r, err);
        return;
    }
    reg_free(r);
    gf_log(GF_LOG_INFO, "registered as server %s (%s) in the %s store", gd.conf.uuid,
           self_addrs, gd.store->ops->name);
    ready_fn = NULL;
    if (ready)
        ready(0);
    else if (session_fn)
        session_fn(1);
}

/* Adds r's guards and its addr/ puts and deletes to txn. */
static void
reg_index(const reg_t *r, gd_txn_t *txn)
{
    char key[GD_STORE_KEY_MAX + 1];

    for (int i = 0; i < r->n_addrs; i++) {
        const reg_addr_t *a = &r->addrs[i];
        int ours = strcmp(a->owner, gd.conf.uuid) == 0;
        addr_key(key, sizeof(key), a->addr);
        if (a->keep && a->owner[0] && !ours)
            gf_log(GF_LOG_WARNING, "address %s was registered by server %s; it now names this "
                                   "server (uuid %s): `peer probe %s` admits this one. Give "
                                   "each glusterd its own address (--bind) if both run",
                   a->addr, a->owner, gd.conf.uuid, a->addr);
        if (!a->keep && !ours)
            continue; /* an old address of ours that another server has taken since */
        gd_txn_guard(txn, key, a->rev);
        if (a->keep && !ours)
            gd_txn_put_str(txn, key, gd.conf.uuid);
        else if (!a->keep)
            gd_txn_delete(txn, key);
    }
}

/* Every read done: the transaction. */
static void
reg_write(reg_t *r)
{
    gd_txn_t *txn = gd_txn_new();
    char key[128], value[ADDRS_MAX + 64];

    if (!txn) {
        reg_failed(r, -ENOMEM);
        return;
    }
    snprintf(key, sizeof(key), GD_SERVER_PREFIX "%s", gd.conf.uuid);
    gd_txn_guard(txn, key, r->server_rev);
    snprintf(value, sizeof(value), "addrs=%s\nport=%d\n", self_addrs, gd.conf.port);
    gd_txn_put_str(txn, key, value);
    reg_index(r, txn);
    snprintf(key, sizeof(key), GD_ALIVE_PREFIX "%s", gd.conf.uuid);
    snprintf(value, sizeof(value), "since=%lld\n", (long long)time(NULL));
    gd_txn_put_session(txn, key, value);
    gd_store_txn(gd.store, txn, registered, r);
    gd_txn_free(txn);
}

static void reg_read_addr(reg_t *r);

static void
reg_addr_read(int err, const gd_kv_t *kv, void *cookie)
{
    reg_t *r = cookie;
    reg_addr_t *a = &r->addrs[r->next];

    if (err && err != -ENOENT) {
        reg_failed(r, err);
        return;
    }
    if (!err) {
        a->rev = kv->rev;
        snprintf(a->owner, sizeof(a->owner), "%.*s", (int)strcspn(kv->value, "\n"),
                 kv->value);
    }
    r->next++;
    reg_read_addr(r);
}

/* Reads the next addr/A, or writes once all are read. */
static void
reg_read_addr(reg_t *r)
{
    char key[GD_STORE_KEY_MAX + 1];

    if (r->next == r->n_addrs) {
        reg_write(r);
        return;
    }
    addr_key(key, sizeof(key), r->addrs[r->next].addr);
    gd_store_get(gd.store, key, reg_addr_read, r);
}

static void
reg_server_read(int err, const gd_kv_t *kv, void *cookie)
{
    reg_t *r = cookie;
    char *old = NULL;

    if (err && err != -ENOENT) {
        reg_failed(r, err);
        return;
    }
    if (!err) {
        r->server_rev = kv->rev;
        old = gd_field(kv->value, "addrs");
    }
    err = reg_add_list(r, self_addrs, 1);
    if (!err && old)
        err = reg_add_list(r, old, 0);
    gf_free(old);
    if (err) {
        reg_failed(r, err);
        return;
    }
    reg_read_addr(r);
}

/* Reads what the registration will guard: server/UUID (for the addresses it
 * registered before), then each addr/A. data: the reg_t, owned from here. */
static void
reg_read(void *data)
{
    reg_t *r = data;
    char key[128];

    if (r->gen != session_gen) {
        reg_free(r);
        return;
    }
    snprintf(key, sizeof(key), GD_SERVER_PREFIX "%s", gd.conf.uuid);
    gd_store_get(gd.store, key, reg_server_read, r);
}

/* Registers this server for the session now starting. */
static void
register_self(void)
{
    reg_t *r = gf_calloc(1, sizeof(*r));

    if (!r) {
        gf_log(GF_LOG_CRITICAL, "cannot register this server (uuid %s): glusterd is out of "
                                "memory; registering again in the next session",
               gd.conf.uuid);
        return;
    }
    r->gen = session_gen;
    reg_read(r);
}

static void
session_changed(int up, void *cookie)
{
    session_up = up;
    session_gen++;
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

/* Fills s from server/UUID's value (s->addrs allocated, for the caller to free).
 * 0, or -EINVAL when the UUID or the value is not a registration (or when out of
 * memory: the server is then left out, as an unreadable one). */
static int
parse_server(const char *uuid, const char *value, gd_server_t *s)
{
    char *port;

    memset(s, 0, sizeof(*s));
    if (strlen(uuid) != 36)
        return -EINVAL;
    if (!(s->addrs = gd_field(value, "addrs")))
        return -EINVAL;
    port = gd_field(value, "port");
    snprintf(s->uuid, sizeof(s->uuid), "%s", uuid);
    s->port = port ? atoi(port) : 0;
    s->self = strcmp(s->uuid, gd.conf.uuid) == 0;
    gf_free(port);
    return 0;
}

static int
add_servers(loading_t *l, const gd_kv_t *kvs, int n)
{
    size_t skip = strlen(GD_SERVER_PREFIX);

    if (n && !(l->servers = gf_calloc((size_t)n, sizeof(*l->servers))))
        return -ENOMEM;
    for (int i = 0; i < n; i++) {
        if (parse_server(kvs[i].key + skip, kvs[i].value, &l->servers[l->n]) == 0)
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

/*
 * A probe looks HOST up in the address index: addr/HOST, then addr/A for each
 * address A that HOST resolves to, until one names a server whose registration
 * still has that address; then it reads that server's pool/UUID. A few reads,
 * whatever the number of servers. When the index has no such entry, it reads
 * every server once, as before the index existed (see probe_fallback).
 */
typedef struct probe {
    gd_op_done_t done;
    void *cookie;
    char host[256];
    int local;                           /* host is this server */
    char addrs[RESOLVED_MAX][INET6_ADDRSTRLEN]; /* host's resolved addresses */
    int n_addrs;
    int next;        /* the next candidate: 0 host, then addrs[next - 1] */
    gd_server_t server; /* the server found in the index (its addrs allocated) */
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
    gf_free(p->server.addrs);
    gf_free(p);
}

/* Ends p with the store's message for err. */
static void
probe_store_failed(probe_t *p, int err)
{
    char msg[512];

    gd_store_strerror(gd.store, err, msg, sizeof(msg));
    probe_end(p, err, msg, NULL);
}

static void
pool_saved(int err, uint64_t rev, void *cookie)
{
    probe_t *p = cookie;

    if (err) {
        probe_store_failed(p, err);
        return;
    }
    gf_log(GF_LOG_INFO, "peer probe %s: admitted to the trusted pool", p->host);
    probe_end(p, 0, NULL, NULL);
}

/* Ends p for server s (found, registered): nothing to do, or admits it with this
 * server into the pool. */
static void
probe_admit(probe_t *p, const gd_server_t *s)
{
    char text[1024], key[64];
    gd_txn_t *txn;

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

/* Ends p: no registered server has that address. */
static void
probe_unknown(probe_t *p)
{
    char text[1024];

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

    if (err)
        probe_end(p, err, msg, NULL);
    else if (!(s = probed_server(p, servers, n)))
        probe_unknown(p);
    else
        probe_admit(p, s);
}

/*
 * The index has no entry for the host. Either no such server registered, or it
 * registered with a glusterd older than the index (its server/UUID has no addr/
 * keys until it restarts: each glusterd writes its own at every registration).
 * So that such a store keeps working, read every server, once for this probe, as
 * probes did before the index (a cost in the number of servers).
 */
static void
probe_fallback(probe_t *p)
{
    gd_servers_load(probe_loaded, p);
}

static void probe_next(probe_t *p);

static void
probe_pool_read(int err, const gd_kv_t *kv, void *cookie)
{
    probe_t *p = cookie;

    if (err && err != -ENOENT) {
        probe_store_failed(p, err);
        return;
    }
    p->server.in_pool = !err;
    probe_admit(p, &p->server);
}

/* The address the candidate p->next - 1 stands for. */
static const char *
probe_candidate(const probe_t *p)
{
    return p->next == 1 ? p->host : p->addrs[p->next - 2];
}

static void
probe_server_read(int err, const gd_kv_t *kv, void *cookie)
{
    probe_t *p = cookie;
    char key[64];

    if (err && err != -ENOENT) {
        probe_store_failed(p, err);
        return;
    }
    gf_free(p->server.addrs);
    p->server.addrs = NULL;
    if (err || parse_server(strchr(kv->key, '/') + 1, kv->value, &p->server) != 0 ||
        !gd_server_by_addr(&p->server, 1, probe_candidate(p))) {
        probe_next(p); /* a stale entry: that server is gone or has other addresses */
        return;
    }
    snprintf(key, sizeof(key), GD_POOL_PREFIX "%s", p->server.uuid);
    gd_store_get(gd.store, key, probe_pool_read, p);
}

static void
probe_addr_read(int err, const gd_kv_t *kv, void *cookie)
{
    probe_t *p = cookie;
    char key[128];

    if (err && err != -ENOENT) {
        probe_store_failed(p, err);
        return;
    }
    if (err || strcspn(kv->value, "\n") != 36) {
        probe_next(p);
        return;
    }
    snprintf(key, sizeof(key), GD_SERVER_PREFIX "%.36s", kv->value);
    gd_store_get(gd.store, key, probe_server_read, p);
}

/* Looks the next candidate address up in the index, or falls back once all
 * missed. */
static void
probe_next(probe_t *p)
{
    char key[GD_STORE_KEY_MAX + 1];

    while (p->next <= p->n_addrs) {
        const char *addr = p->next == 0 ? p->host : p->addrs[p->next - 1];
        p->next++;
        if (addr_key(key, sizeof(key), addr) == 0) {
            gd_store_get(gd.store, key, probe_addr_read, p);
            return;
        }
    }
    probe_fallback(p);
}

/* Back on the event thread once the host is resolved. */
static void
probe_resolved(void *data)
{
    probe_t *p = data;
    if (p->local)
        probe_end(p, 0, NULL, "Probe on localhost not needed");
    else
        probe_next(p);
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
