/*
 * The coordinator and the role holders (contract in coord.h). The coordinator
 * works from a snapshot: a few prefixes of the store read one after the other
 * and kept until its assignment is saved; its passes are coalesced like the
 * reconciler's (a change during a pass asks for one more pass, never two at
 * once). A holder works from a mirror of role/ (mirror.h) and remembers the
 * records it made, so a role change costs each server no read.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "glusterfs/ctx.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "glusterfs/timer.h"
#include "coord.h"
#include "glusterd.h"
#include "members.h"
#include "mirror.h"
#include "roles.h"
#include "volume.h"

#define SNAP_MAX 6

/* --- snapshots --- */

typedef struct snap snap_t;
typedef void (*snap_cb_t)(snap_t *s, int err);

struct snap {
    const char *prefixes[SNAP_MAX];
    int n;
    int step;
    gd_kv_t *kvs[SNAP_MAX]; /* copies */
    int nk[SNAP_MAX];
    snap_cb_t cb;
    void *cookie;
};

static void
snap_free(snap_t *s)
{
    for (int i = 0; i < s->n; i++) {
        for (int j = 0; j < s->nk[i]; j++) {
            gf_free(s->kvs[i][j].key);
            gf_free(s->kvs[i][j].value);
        }
        gf_free(s->kvs[i]);
    }
    gf_free(s);
}

static void snap_step(snap_t *s);

static void
snap_listed(int err, const gd_kv_t *kvs, int n, void *cookie)
{
    snap_t *s = cookie;
    gd_kv_t *copy = n ? gf_calloc((size_t)n, sizeof(*copy)) : NULL;

    if (!err && n && !copy)
        err = -ENOMEM;
    for (int i = 0; !err && i < n; i++) {
        copy[i] = kvs[i];
        copy[i].key = gf_strdup(kvs[i].key);
        copy[i].value = gf_strdup(kvs[i].value);
        if (!copy[i].key || !copy[i].value)
            err = -ENOMEM;
        s->nk[s->step] = i + 1;
    }
    s->kvs[s->step] = copy;
    if (err || ++s->step == s->n) {
        s->cb(s, err);
        snap_free(s);
        return;
    }
    snap_step(s);
}

static void
snap_step(snap_t *s)
{
    gd_store_list(gd.store, s->prefixes[s->step], snap_listed, s);
}

/* Reads the n prefixes (static strings), then cb(s, err); s is freed after cb. */
static void
snap_read(const char *const *prefixes, int n, snap_cb_t cb, void *cookie)
{
    snap_t *s = gf_calloc(1, sizeof(*s));

    if (!s) {
        snap_t dummy = {.cookie = cookie};
        cb(&dummy, -ENOMEM);
        return;
    }
    for (int i = 0; i < n; i++)
        s->prefixes[i] = prefixes[i];
    s->n = n;
    s->cb = cb;
    s->cookie = cookie;
    snap_step(s);
}

/* The value of key in listing i of s, or NULL. */
static const gd_kv_t *
snap_get(const snap_t *s, int i, const char *key)
{
    for (int j = 0; j < s->nk[i]; j++)
        if (!strcmp(s->kvs[i][j].key, key))
            return &s->kvs[i][j];
    return NULL;
}

/* A coalescing pass: run() starts one, or asks for one more after the current. */
typedef struct passer {
    bool running, again;
    void (*start)(void);
} passer_t;

static void
pass_run(passer_t *p)
{
    if (p->running) {
        p->again = true;
        return;
    }
    p->running = true;
    p->again = false;
    p->start();
}

static void
pass_done(passer_t *p)
{
    p->running = false;
    if (p->again)
        pass_run(p);
}

/* --- the coordinator --- */

enum { C_ALIVE, C_POOL, C_VOLS, C_ROLES, C_COORD, C_N };

static bool leader, stopping;
static gd_store_watch_t *coord_watches[3];
static void assign_start(void);
static passer_t assigner = {.start = assign_start};

static void
assigned(int err, uint64_t rev, void *cookie)
{
    char why[512];

    if (err == -ECANCELED)
        gf_log(GF_LOG_WARNING, "role assignment not saved: this server is no longer the "
                               "coordinator");
    else if (err) {
        gd_store_strerror(gd.store, err, why, sizeof(why));
        gf_log(GF_LOG_WARNING, "cannot save the role assignment: %s; trying again at the next "
                               "change", why);
    }
    pass_done(&assigner);
}

/* The roles wanted now: rebalance for every started volume. Returns the count
 * (roles has room for the number of volume keys). */
static int
wanted_roles(const snap_t *s, gd_role_t *roles)
{
    gd_volume_t **vols = NULL;
    int nv = 0, n = 0;
    char warn[256];

    if (gd_vols_from_kvs(s->kvs[C_VOLS], s->nk[C_VOLS], &vols, &nv, warn, sizeof(warn)) != 0)
        return -ENOMEM;
    for (int i = 0; i < nv; i++) {
        if (vols[i]->status != GD_VOL_STARTED)
            continue;
        snprintf(roles[n].kind, sizeof(roles[n].kind), "rebalance");
        snprintf(roles[n].scope, sizeof(roles[n].scope), "%s", vols[i]->name);
        n++;
    }
    gd_vols_free(vols, nv);
    return n;
}

/* The live servers of the pool (this one included): UUIDs pointing into s. */
static int
live_servers(const snap_t *s, const char **uuids)
{
    int n = 0;
    for (int i = 0; i < s->nk[C_ALIVE]; i++) {
        const char *uuid = s->kvs[C_ALIVE][i].key + strlen(GD_ALIVE_PREFIX);
        char pool_key[64];
        snprintf(pool_key, sizeof(pool_key), GD_POOL_PREFIX "%s", uuid);
        if (snap_get(s, C_POOL, pool_key) || !strcmp(uuid, gd.conf.uuid))
            uuids[n++] = uuid;
    }
    return n;
}

/* Adds to txn the changes from the stored roles of s to roles. */
static int
diff_roles(const snap_t *s, const gd_role_t *roles, int n, gd_txn_t *txn)
{
    char key[GD_STORE_KEY_MAX];
    int changes = 0;

    for (int i = 0; i < n; i++) {
        const gd_kv_t *kv;
        snprintf(key, sizeof(key), GD_ROLE_PREFIX "%s/%s", roles[i].kind, roles[i].scope);
        kv = snap_get(s, C_ROLES, key);
        if (kv && !strcmp(kv->value, roles[i].holder))
            continue;
        changes++;
        gf_log(GF_LOG_INFO, "role %s/%s: %s%s", roles[i].kind, roles[i].scope,
               roles[i].holder[0] ? "assigned to server " : "unassigned (no live server)",
               roles[i].holder);
        if (roles[i].holder[0])
            gd_txn_put_str(txn, key, roles[i].holder);
        else if (kv)
            gd_txn_delete(txn, key);
    }
    for (int j = 0; j < s->nk[C_ROLES]; j++) {
        const char *key2 = s->kvs[C_ROLES][j].key;
        bool still = false;
        for (int i = 0; i < n && !still; i++) {
            snprintf(key, sizeof(key), GD_ROLE_PREFIX "%s/%s", roles[i].kind, roles[i].scope);
            still = !strcmp(key, key2);
        }
        if (!still) {
            gd_txn_delete(txn, key2);
            changes++;
        }
    }
    return changes;
}

/* Fills roles' holders from the stored assignment of s. */
static void
current_holders(const snap_t *s, gd_role_t *roles, int n)
{
    char key[GD_STORE_KEY_MAX];

    for (int i = 0; i < n; i++) {
        const gd_kv_t *kv;
        snprintf(key, sizeof(key), GD_ROLE_PREFIX "%s/%s", roles[i].kind, roles[i].scope);
        kv = snap_get(s, C_ROLES, key);
        snprintf(roles[i].holder, sizeof(roles[i].holder), "%s", kv ? kv->value : "");
    }
}

static void
assign_read(snap_t *s, int err)
{
    gd_role_t *roles = gf_calloc((size_t)s->nk[C_VOLS] + 1, sizeof(*roles));
    const char **live = gf_calloc((size_t)s->nk[C_ALIVE] + 1, sizeof(*live));
    const gd_kv_t *me = snap_get(s, C_COORD, GD_COORD_KEY);
    gd_txn_t *txn = NULL;
    int n = -ENOMEM, n_live;

    if (!err && roles && live && leader && me && !strcmp(me->value, gd.conf.uuid) &&
        (n = wanted_roles(s, roles)) >= 0 && (txn = gd_txn_new())) {
        n_live = live_servers(s, live);
        current_holders(s, roles, n);
        gd_roles_assign(live, n_live, roles, n);
        gd_txn_guard(txn, GD_COORD_KEY, me->rev);
        if (diff_roles(s, roles, n, txn) > 0) {
            gd_store_txn(gd.store, txn, assigned, NULL);
            txn = (gd_txn_free(txn), NULL);
            gf_free(roles);
            gf_free(live);
            return;
        }
    }
    gd_txn_free(txn);
    gf_free(roles);
    gf_free(live);
    pass_done(&assigner);
}

static void
assign_start(void)
{
    static const char *const prefixes[C_N] = {GD_ALIVE_PREFIX, GD_POOL_PREFIX, GD_VOL_PREFIX,
                                              GD_ROLE_PREFIX, GD_COORD_KEY};
    if (!leader || stopping) {
        pass_done(&assigner);
        return;
    }
    snap_read(prefixes, C_N, assign_read, NULL);
}

static void
coord_changed(const gd_store_event_t *evs, int n, void *cookie)
{
    pass_run(&assigner);
}

static void
coord_unwatch(void)
{
    for (int i = 0; i < 3; i++) {
        if (coord_watches[i])
            gd_store_watch_cancel(coord_watches[i]);
        coord_watches[i] = NULL;
    }
}

static void coord_publish(void);

static void
coord_publish_task(void *data)
{
    if (leader)
        coord_publish();
}

static void
coord_publish_cb(void *data)
{
    if (gf_event_post(gf_ctx->events, coord_publish_task, NULL) != 0)
        gf_log(GF_LOG_CRITICAL, "cannot post to the event loop: roles are not assigned");
}

static void
coord_published(int err, uint64_t rev, void *cookie)
{
    static const char *const watched[3] = {GD_ALIVE_PREFIX, GD_POOL_PREFIX, GD_VOL_PREFIX};
    char why[512];

    if (err) {
        gd_store_strerror(gd.store, err, why, sizeof(why));
        gf_log(GF_LOG_ERROR, "elected coordinator, but cannot say so in the store: %s; trying "
                             "again in 1 s", why);
        if (leader && !gf_timer_add(gf_ctx->timers, 1000, coord_publish_cb, NULL))
            gf_log(GF_LOG_CRITICAL, "out of memory: roles are not assigned");
        return;
    }
    if (!leader || coord_watches[0])
        return; /* no longer the coordinator, or a retry's twin already watches */
    for (int i = 0; i < 3 && leader; i++)
        if (gd_store_watch(gd.store, watched[i], coord_changed, NULL, &coord_watches[i]) != 0)
            gf_log(GF_LOG_ERROR, "coordinator: cannot watch %s", watched[i]);
}

static void
elected(int is_leader, void *cookie)
{
    leader = is_leader;
    coord_unwatch();
    if (!is_leader) {
        gf_log(GF_LOG_WARNING, "no longer the coordinator (session lost)");
        return;
    }
    gf_log(GF_LOG_INFO, "elected coordinator: assigning roles");
    coord_publish();
}

/* Says in the store that this server is the coordinator, then watches what the
 * roles depend on (coord_published). */
static void
coord_publish(void)
{
    gd_txn_t *txn = gd_txn_new();

    if (!txn) {
        coord_published(-ENOMEM, 0, NULL);
        return;
    }
    gd_txn_put_session(txn, GD_COORD_KEY, gd.conf.uuid);
    gd_store_txn(gd.store, txn, coord_published, NULL);
    gd_txn_free(txn);
}

/* --- the holders --- */

static gd_mirror_t *roles_mirror; /* role/ */
static char **held;               /* role keys (KIND/SCOPE) this server recorded holding */
static int n_held;
static bool republish;

static void
held_saved(int err, uint64_t rev, void *cookie)
{
    char why[512];

    if (err && err != -ENOTCONN) {
        gd_store_strerror(gd.store, err, why, sizeof(why));
        gf_log(GF_LOG_WARNING, "cannot record the roles held: %s", why);
    }
}

/* Whether the role KIND/SCOPE is assigned to this server in the mirror. */
static bool
mine(const gd_kv_t *kvs, int n, const char *kind_scope)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(kvs[i].key + strlen(GD_ROLE_PREFIX), kind_scope))
            return !strcmp(kvs[i].value, gd.conf.uuid);
    return false;
}

static bool
held_has(const char *kind_scope)
{
    for (int i = 0; i < n_held; i++)
        if (!strcmp(held[i], kind_scope))
            return true;
    return false;
}

/* Records (session keys held/KIND/SCOPE) the roles assigned to this server that
 * it has not recorded yet, and deletes the records of those moved away. The
 * assignments come from the mirror of role/; the records this server made are
 * remembered here, so no read is needed. */
static void
hold(gd_mirror_t *m, void *cookie)
{
    int n, changes = 0;
    const gd_kv_t *kvs = gd_mirror_kvs(m, &n);
    gd_txn_t *txn = gd_txn_new();
    char key[GD_STORE_KEY_MAX];

    if (!txn)
        return;
    for (int i = 0; i < n_held; i++) {
        if (mine(kvs, n, held[i]) && !republish)
            continue;
        snprintf(key, sizeof(key), GD_HELD_PREFIX "%s", held[i]);
        if (mine(kvs, n, held[i])) {
            gd_txn_put_session(txn, key, gd.conf.uuid);
        } else {
            gf_log(GF_LOG_INFO, "role %s moved away: released", held[i]);
            gd_txn_delete(txn, key);
            gf_free(held[i]);
            held[i--] = held[--n_held];
        }
        changes++;
    }
    for (int i = 0; i < n; i++) {
        const char *ks = kvs[i].key + strlen(GD_ROLE_PREFIX);
        char **grown;
        if (strcmp(kvs[i].value, gd.conf.uuid) || held_has(ks))
            continue;
        if (!(grown = gf_realloc(held, (size_t)(n_held + 1) * sizeof(*held))) ||
            !(grown[n_held] = gf_strdup(ks))) {
            held = grown ? grown : held;
            break;
        }
        held = grown;
        n_held++;
        gf_log(GF_LOG_INFO, "holding role %s", ks);
        snprintf(key, sizeof(key), GD_HELD_PREFIX "%s", ks);
        gd_txn_put_session(txn, key, gd.conf.uuid);
        changes++;
    }
    republish = false;
    if (changes)
        gd_store_txn(gd.store, txn, held_saved, NULL);
    gd_txn_free(txn);
}

void
gd_coord_start(void)
{
    int err;

    if ((err = gd_mirror_new(GD_ROLE_PREFIX, hold, NULL, &roles_mirror)))
        gf_log(GF_LOG_ERROR, "cannot watch the role assignments: %s", strerror(-err));
    if ((err = gd_store_elect(gd.store, GD_ELECTION_KEY, gd.conf.uuid, elected, NULL)))
        gf_log(GF_LOG_ERROR, "cannot campaign for coordinator: %s", strerror(-err));
}

void
gd_coord_session_up(void)
{
    republish = true;
    if (roles_mirror && gd_mirror_ready(roles_mirror))
        hold(roles_mirror, NULL);
}

void
gd_coord_fini(void)
{
    stopping = true;
    coord_unwatch();
    gd_mirror_free(roles_mirror);
    roles_mirror = NULL;
    for (int i = 0; i < n_held; i++)
        gf_free(held[i]);
    gf_free(held);
    held = NULL;
    n_held = 0;
}

/* --- `volume status VOL roles` --- */

enum { R_ROLES, R_HELD, R_COORD, R_SERVERS, R_N };

typedef struct roles_call {
    gd_roles_cb_t cb;
    void *cookie;
    char vol[GD_VOL_NAME_MAX + 1];
} roles_call_t;

/* The first address of server uuid in s ("" when unknown). */
static void
host_of(const snap_t *s, const char *uuid, char *buf, size_t len)
{
    char key[64], *addrs;
    const gd_kv_t *kv;

    snprintf(key, sizeof(key), GD_SERVER_PREFIX "%s", uuid);
    kv = snap_get(s, R_SERVERS, key);
    addrs = kv ? gd_field(kv->value, "addrs") : NULL;
    snprintf(buf, len, "%.*s", addrs ? (int)strcspn(addrs, ",") : 0, addrs ? addrs : "");
    gf_free(addrs);
}

/* Adds the role kv (role/KIND/SCOPE) as roleN to out. 0 or -ENOMEM. */
static int
add_role(gf_dict_t *out, int n, const snap_t *s, const gd_kv_t *kv)
{
    const char *ks = kv->key + strlen(GD_ROLE_PREFIX), *slash = strchr(ks, '/');
    char key[64], host[256], kind[64], held_key[GD_STORE_KEY_MAX];
    const gd_kv_t *held;
    int err = 0;

    snprintf(kind, sizeof(kind), "%.*s", (int)(slash - ks), ks);
    snprintf(held_key, sizeof(held_key), GD_HELD_PREFIX "%s", ks);
    held = snap_get(s, R_HELD, held_key);
    host_of(s, kv->value, host, sizeof(host));
    snprintf(key, sizeof(key), "role%d.kind", n);
    err |= gf_dict_set_str(out, key, kind);
    snprintf(key, sizeof(key), "role%d.scope", n);
    err |= gf_dict_set_str(out, key, slash + 1);
    snprintf(key, sizeof(key), "role%d.holder", n);
    err |= gf_dict_set_str(out, key, kv->value);
    snprintf(key, sizeof(key), "role%d.holder-host", n);
    err |= gf_dict_set_str(out, key, host);
    snprintf(key, sizeof(key), "role%d.held", n);
    err |= gf_dict_set_int32(out, key, held && !strcmp(held->value, kv->value));
    return err ? -ENOMEM : 0;
}

/* Whether scope (after KIND/) belongs to volume vol: "VOL" or "VOL/...". */
static bool
of_volume(const char *kind_scope, const char *vol)
{
    const char *scope = strchr(kind_scope, '/');
    size_t len = strlen(vol);
    return scope && !strncmp(scope + 1, vol, len) && (!scope[1 + len] || scope[1 + len] == '/');
}

static void
roles_read(snap_t *s, int err)
{
    roles_call_t *c = s->cookie;
    gf_dict_t *out = err ? NULL : gf_dict_new();
    const gd_kv_t *coord = out ? snap_get(s, R_COORD, GD_COORD_KEY) : NULL;
    char host[256] = "", msg[512];
    int n = 0;

    if (!err && !out)
        err = -ENOMEM;
    if (coord)
        host_of(s, coord->value, host, sizeof(host));
    if (!err)
        err = gf_dict_set_str(out, "volume1.name", c->vol) |
              gf_dict_set_str(out, "coordinator", coord ? coord->value : "") |
              gf_dict_set_str(out, "coordinator-host", host) ? -ENOMEM : 0;
    for (int i = 0; !err && i < s->nk[R_ROLES]; i++)
        if (of_volume(s->kvs[R_ROLES][i].key + strlen(GD_ROLE_PREFIX), c->vol))
            err = add_role(out, ++n, s, &s->kvs[R_ROLES][i]);
    if (!err)
        err = gf_dict_set_int32(out, "role-count", n) ? -ENOMEM : 0;
    if (err)
        gd_store_strerror(gd.store, err, msg, sizeof(msg));
    c->cb(err, err ? msg : NULL, err ? NULL : out, c->cookie);
    gf_dict_unref(out);
    gf_free(c);
}

void
gd_coord_roles(const char *vol, gd_roles_cb_t cb, void *cookie)
{
    static const char *const prefixes[R_N] = {GD_ROLE_PREFIX, GD_HELD_PREFIX, GD_COORD_KEY,
                                              GD_SERVER_PREFIX};
    roles_call_t *c = gf_calloc(1, sizeof(*c));

    if (!c) {
        cb(-ENOMEM, "glusterd is out of memory", NULL, cookie);
        return;
    }
    c->cb = cb;
    c->cookie = cookie;
    snprintf(c->vol, sizeof(c->vol), "%s", vol);
    snap_read(prefixes, R_N, roles_read, c);
}
