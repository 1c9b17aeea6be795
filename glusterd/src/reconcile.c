/*
 * The reconciler (contract in reconcile.h). It keeps mirrors (mirror.h) of the
 * cluster-wide options and the volumes, so a change costs it no read of the
 * store. A pass takes the volumes from the mirror, learns on the worker pool
 * which brick hosts are this server (remembered per host name), then compares
 * each local brick with what brick-proc runs and acts. Actions run concurrently
 * with later passes; a record busy with an action is left alone by a pass, and
 * asks for another pass when it ends if the volume changed meanwhile. Refreshes
 * run one at a time, so that a process several of them share never runs out of
 * bricks and exits.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "glusterfs/ctx.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "addr.h"
#include "brick-proc.h"
#include "bstatus.h"
#include "glusterd.h"
#include "index.h"
#include "mirror.h"
#include "reconcile.h"

#define RETRY_MS 1000

/* What this server does with one of its bricks. */
typedef struct rec {
    struct rec *next;
    char *path; /* key of by_path */
    char vol[GD_VOL_NAME_MAX + 1];
    int idx;
    gd_volume_t *view; /* the volume as last acted on (all bricks) */
    uint64_t gen;      /* the generation acted on */
    uint64_t seen_gen; /* the latest generation a pass saw */
    uint64_t failed_gen; /* a start failed at this generation */
    char error[1024];    /* why */
    bool busy;           /* an action is in flight */
    bool seen;           /* met by the current pass */
    bool gone;           /* its volume is gone: forget it once stopped */
    char *published;     /* the report last put */
    struct rec *next_refresh;
} rec_t;

/* A host name's locality, once learnt. */
typedef struct host {
    struct host *next;
    char *name;
    int local; /* 1, 0, or -1 when it cannot be resolved */
} host_t;

static rec_t *recs;
static gd_index_t *by_path;
static gd_volume_t **known; /* the volumes as last read */
static int n_known;
static host_t *hosts;
static gd_mirror_t *mirror_vols, *mirror_opts; /* vol/ and global/opt/ */
static gd_mirror_t *mirror_placed;             /* placed/UUID/: this server's bricks */
static bool running, dirty, retry_armed, stopping;
static rec_t *refresh_head, *refresh_tail;
static bool refreshing;

static void pass(void);
static void pass_located(void *data);

/* --- records and reports --- */

static rec_t *
rec_get(const gd_volume_t *vol, int idx)
{
    rec_t *r = gd_index_get(by_path, vol->bricks[idx].path);

    if (r)
        return r;
    if (!(r = gf_calloc(1, sizeof(*r))) || !(r->path = gf_strdup(vol->bricks[idx].path)) ||
        gd_index_put(by_path, r->path, r) != 0) {
        if (r)
            gf_free(r->path);
        gf_free(r);
        return NULL;
    }
    r->next = recs;
    recs = r;
    return r;
}

static void
rec_forget(rec_t *r)
{
    rec_t **pp = &recs;

    while (*pp != r)
        pp = &(*pp)->next;
    *pp = r->next;
    gd_index_del(by_path, r->path);
    gd_vol_free(r->view);
    gf_free(r->published);
    gf_free(r->path);
    gf_free(r);
}

static void retry_later(void);

/* A report was put (or deleted: key cookie). One that failed is put again by a
 * later pass; one that failed for want of a session, when it is back. */
static void
published(int err, uint64_t rev, void *cookie)
{
    char msg[512], key[GD_STORE_KEY_MAX];

    if (err && err != -ENOTCONN) {
        gd_store_strerror(gd.store, err, msg, sizeof(msg));
        gf_log(GF_LOG_WARNING, "cannot report brick %s: %s; trying again", (char *)cookie,
               msg);
        for (rec_t *r = recs; r; r = r->next) {
            gd_bstatus_key(r->vol, r->idx, key, sizeof(key));
            if (!strcmp(key, cookie)) {
                gf_free(r->published);
                r->published = NULL;
            }
        }
        retry_later();
    }
    gf_free(cookie);
}

/* Puts r's report (its brick's state now) unless it is the one put last. */
static void
publish(rec_t *r)
{
    gd_bstatus_t st = {.gen = r->gen};
    gd_brick_state_t bs;
    char key[GD_STORE_KEY_MAX], *value;
    gd_txn_t *txn;

    gd_brick_get_state(r->path, &bs);
    st.state = bs.online ? GD_BS_ONLINE : r->failed_gen == r->gen && r->gen ? GD_BS_FAILED
                                                                            : GD_BS_OFFLINE;
    st.port = bs.online ? bs.port : 0;
    st.pid = bs.online ? (int)bs.pid : 0;
    snprintf(st.server, sizeof(st.server), "%s", gd.conf.uuid);
    if (st.state == GD_BS_FAILED)
        snprintf(st.error, sizeof(st.error), "%s", r->error);
    if (!(value = gd_bstatus_value(&st)) || (r->published && !strcmp(value, r->published))) {
        gf_free(value);
        return;
    }
    gf_free(r->published);
    r->published = value;
    gd_bstatus_key(r->vol, r->idx, key, sizeof(key));
    if (!(txn = gd_txn_new()))
        return;
    gd_txn_put_session(txn, key, value);
    gd_store_txn(gd.store, txn, published, gf_strdup(key));
    gd_txn_free(txn);
}

/* Deletes r's report and forgets r. */
static void
unpublish(rec_t *r)
{
    char key[GD_STORE_KEY_MAX];

    gd_bstatus_key(r->vol, r->idx, key, sizeof(key));
    gd_store_delete(gd.store, key, published, gf_strdup(key));
    rec_forget(r);
}

static void
notify(const char *path)
{
    rec_t *r = by_path ? gd_index_get(by_path, path) : NULL;
    if (r && !r->busy)
        publish(r);
}

void
gd_reconcile_session_up(void)
{
    for (rec_t *r = recs; r; r = r->next) {
        gf_free(r->published);
        r->published = NULL;
        publish(r);
    }
}

/* --- actions --- */

static void
retry_task(void *data)
{
    retry_armed = false;
    pass();
}

static void
retry_cb(void *data)
{
    if (gf_event_post(gf_ctx->events, retry_task, NULL) != 0)
        gf_log(GF_LOG_ERROR, "cannot post the reconciler's retry to the event loop");
}

/* Runs another pass in a while (a busy brick, an unreadable store). */
static void
retry_later(void)
{
    if (retry_armed || stopping)
        return;
    retry_armed = gf_timer_add(gf_ctx->timers, RETRY_MS, retry_cb, NULL) != NULL;
}

/* An action on r ended: err 0, -EBUSY (try again later), or a failure (msg). */
static void
acted(rec_t *r, uint64_t gen, int err, const char *msg)
{
    if (stopping)
        return; /* glusterd is exiting: r is left as it is */
    r->busy = false;
    if (err == -EBUSY) {
        retry_later();
        return;
    }
    r->gen = gen;
    r->failed_gen = err ? gen : 0;
    snprintf(r->error, sizeof(r->error), "%s", err ? msg : "");
    if (r->gone && !gd_brick_exists(r->path)) {
        unpublish(r);
        return;
    }
    publish(r);
    if (r->seen_gen > gen)
        pass(); /* the volume changed while this ran */
}

static void
started(int err, const char *msg, void *cookie)
{
    rec_t *r = cookie;
    acted(r, r->view->gen, err, msg);
}

static void
stopped(int err, const char *msg, void *cookie)
{
    rec_t *r = cookie;
    acted(r, r->view ? r->view->gen : r->gen, err, msg);
}

static void refresh_next(void);

static void
refreshed(int err, const char *msg, void *cookie)
{
    rec_t *r = cookie;
    refreshing = false;
    acted(r, r->view->gen, err, msg);
    refresh_next();
}

/* Starts the next queued refresh unless one runs. */
static void
refresh_next(void)
{
    rec_t *r;

    while (!refreshing && (r = refresh_head)) {
        refresh_head = r->next_refresh;
        if (!refresh_head)
            refresh_tail = NULL;
        refreshing = true;
        gd_brick_refresh(r->view, r->idx, refreshed, r);
    }
}

static void
queue_refresh(rec_t *r)
{
    r->busy = true;
    r->next_refresh = NULL;
    if (refresh_tail)
        refresh_tail->next_refresh = r;
    else
        refresh_head = r;
    refresh_tail = r;
}

/* Makes r's view vol (a copy). 0 or -ENOMEM. */
static int
take_view(rec_t *r, const gd_volume_t *vol, int idx)
{
    gd_volume_t *v = gd_vol_copy(vol);

    if (!v)
        return -ENOMEM;
    gd_vol_free(r->view);
    r->view = v;
    r->idx = idx;
    snprintf(r->vol, sizeof(r->vol), "%s", vol->name);
    return 0;
}

/* Compares brick idx of vol (on this server) with what runs, and acts. */
static void
reconcile_brick(const gd_volume_t *vol, int idx)
{
    rec_t *r = rec_get(vol, idx);
    bool want = vol->status == GD_VOL_STARTED, exists;

    if (!r) {
        gf_log(GF_LOG_ERROR, "out of memory reconciling brick %s", vol->bricks[idx].path);
        return;
    }
    r->seen = true;
    r->gone = false;
    if (vol->gen > r->seen_gen)
        r->seen_gen = vol->gen;
    if (r->busy)
        return;
    exists = gd_brick_exists(r->path);
    if ((exists || want) && take_view(r, vol, idx) != 0)
        return;
    if (want && !exists && r->failed_gen != vol->gen) {
        r->busy = true;
        gd_brick_start(r->view, idx, started, r);
    } else if (want && exists && r->gen != vol->gen) {
        queue_refresh(r);
    } else if (!want && exists) {
        r->busy = true;
        gd_brick_stop(r->path, stopped, r);
    } else {
        if (!exists) {
            snprintf(r->vol, sizeof(r->vol), "%s", vol->name);
            r->idx = idx;
        }
        if (!want)
            r->gen = vol->gen;
        if (vol->status != GD_VOL_CREATED || exists)
            publish(r); /* a volume never started has nothing to report */
    }
}

/* The bricks of volumes that are gone (or no longer here): stopped, forgotten. */
static void
reconcile_gone(void)
{
    for (rec_t *r = recs, *next; r; r = next) {
        next = r->next;
        if (r->seen || r->busy)
            continue;
        r->gone = true;
        if (!gd_brick_exists(r->path)) {
            unpublish(r);
            continue;
        }
        gf_log(GF_LOG_INFO, "brick %s is no longer in the configuration: stopping it", r->path);
        r->busy = true;
        gd_brick_stop(r->path, stopped, r);
    }
}

/* --- a pass --- */

typedef struct pass_data {
    gd_volume_t **vols;
    int n;
} pass_data_t;

static int
host_local(const char *name)
{
    for (host_t *h = hosts; h; h = h->next)
        if (!strcmp(h->name, name))
            return h->local;
    return -2;
}

/* On the worker pool: learns the locality of the hosts not known yet. The list
 * is only read on the event thread while no pass is on the worker pool. */
static void
locate_task(void *data)
{
    pass_data_t *pd = data;
    char err[256];

    for (int v = 0; v < pd->n; v++) {
        for (int i = 0; i < pd->vols[v]->n_bricks; i++) {
            const char *name = pd->vols[v]->bricks[i].host;
            host_t *h;
            if (!name || pd->vols[v]->bricks[i].server || host_local(name) != -2 ||
                !(h = gf_calloc(1, sizeof(*h))))
                continue;
            if (!(h->name = gf_strdup(name))) {
                gf_free(h);
                continue;
            }
            h->local = gd_addr_is_local(gd.conf.bind, name, err, sizeof(err));
            if (h->local < 0)
                gf_log(GF_LOG_WARNING, "%s; its bricks are taken to be on another server", err);
            h->next = hosts;
            hosts = h;
        }
    }
    if (gf_event_post(gf_ctx->events, pass_located, pd) != 0)
        gf_log(GF_LOG_CRITICAL, "cannot post back to the event loop; reconciling stops");
}

/* Whether brick b is on this server: placed here (placed/UUID/), or, when its
 * placement was not recorded (a store of an older glusterd), named by one of this
 * server's addresses. */
static bool
brick_here(const gd_brick_t *b)
{
    if (!b->host)
        return false; /* another server's: not mirrored here */
    if (b->server && b->server[0])
        return strcmp(b->server, gd.conf.uuid) == 0;
    return host_local(b->host) == 1;
}

/* Back on the event thread: acts on every local brick. */
static void
pass_located(void *data)
{
    pass_data_t *pd = data;

    for (rec_t *r = recs; r; r = r->next)
        r->seen = false;
    for (int v = 0; v < pd->n; v++)
        for (int i = 0; i < pd->vols[v]->n_bricks; i++)
            if (brick_here(&pd->vols[v]->bricks[i]))
                reconcile_brick(pd->vols[v], i);
    reconcile_gone();
    refresh_next();
    gd_vols_free(known, n_known);
    known = pd->vols;
    n_known = pd->n;
    gf_free(pd);
    running = false;
    if (dirty)
        pass();
}

void
gd_reconcile_apply_globals(const gd_kv_t *kvs, int n)
{
    gd_mux_conf_t conf;
    char why[512];

    gd_mux_defaults(&conf);
    for (int i = 0; i < n; i++) {
        const char *key = kvs[i].key + strlen(GD_GLOBAL_OPT_PREFIX);
        if (gd_mux_validate(key, kvs[i].value, why, sizeof(why)) == 0)
            gd_mux_apply(&conf, key, kvs[i].value);
        else
            gf_log(GF_LOG_ERROR, "store key %s ignored: %s", kvs[i].key, why);
    }
    if (conf.enabled != gd.mux.enabled || conf.max_bricks != gd.mux.max_bricks)
        gf_log(GF_LOG_INFO, "cluster-wide options: brick multiplexing %s, at most %lld bricks "
                            "per process (0: no limit)",
               conf.enabled ? "on" : "off", (long long)conf.max_bricks);
    gd.mux = conf;
}

/* Adds this server's bricks (as mirrored) to the volumes of pd. 0 or -ENOMEM. */
static int
add_placed(pass_data_t *pd, char *warn, size_t len)
{
    char prefix[GD_STORE_KEY_MAX + 1];
    int n;
    const gd_kv_t *kvs = gd_mirror_kvs(mirror_placed, &n);

    snprintf(prefix, sizeof(prefix), GD_PLACED_PREFIX "%s/", gd.conf.uuid);
    return gd_vols_add_bricks(pd->vols, pd->n, kvs, n, prefix, warn, len);
}

/* Compares the configuration (as mirrored) with what runs: on the worker pool
 * the hosts' locality, then pass_located. */
static void
pass(void)
{
    const gd_kv_t *kvs;
    pass_data_t *pd;
    char warn[512] = "";
    int n;

    if (stopping || !mirror_opts || !mirror_vols || !mirror_placed ||
        !gd_mirror_ready(mirror_opts) || !gd_mirror_ready(mirror_vols) ||
        !gd_mirror_ready(mirror_placed))
        return;
    if (running) {
        dirty = true;
        return;
    }
    running = true;
    dirty = false;
    kvs = gd_mirror_kvs(mirror_opts, &n);
    gd_reconcile_apply_globals(kvs, n);
    kvs = gd_mirror_kvs(mirror_vols, &n);
    if (!(pd = gf_calloc(1, sizeof(*pd))) ||
        gd_vols_from_kvs(kvs, n, &pd->vols, &pd->n, warn, sizeof(warn)) != 0 ||
        add_placed(pd, warn, sizeof(warn)) != 0 ||
        gf_workpool_submit(gf_ctx->workers, locate_task, pd) != 0) {
        gf_log(GF_LOG_ERROR, "out of memory reconciling the bricks; trying again");
        if (pd)
            gd_vols_free(pd->vols, pd->n);
        gf_free(pd);
        running = false;
        retry_later();
        return;
    }
    if (warn[0])
        gf_log(GF_LOG_ERROR, "%s", warn);
}

static void
mirrored(gd_mirror_t *m, void *cookie)
{
    pass();
}

void
gd_reconcile_start(void)
{
    char placed[GD_STORE_KEY_MAX + 1];
    int err;

    if (!(by_path = gd_index_new())) {
        gf_log(GF_LOG_CRITICAL, "out of memory: bricks are not reconciled");
        return;
    }
    gd_brick_set_notify(notify);
    snprintf(placed, sizeof(placed), GD_PLACED_PREFIX "%s/", gd.conf.uuid);
    if ((err = gd_mirror_new(GD_VOL_PREFIX, mirrored, NULL, &mirror_vols)) != 0 ||
        (err = gd_mirror_new(GD_GLOBAL_OPT_PREFIX, mirrored, NULL, &mirror_opts)) != 0 ||
        (err = gd_mirror_new(placed, mirrored, NULL, &mirror_placed)) != 0)
        gf_log(GF_LOG_CRITICAL, "cannot watch the configuration: %s; bricks are not "
                                "reconciled",
               strerror(-err));
}

const gd_volume_t *
gd_reconcile_known(const char *name)
{
    for (int i = 0; i < n_known; i++)
        if (!strcmp(known[i]->name, name))
            return known[i];
    return NULL;
}

void
gd_reconcile_fini(void)
{
    stopping = true;
    gd_mirror_free(mirror_vols);
    gd_mirror_free(mirror_opts);
    gd_mirror_free(mirror_placed);
    mirror_vols = mirror_opts = mirror_placed = NULL;
    gd_brick_set_notify(NULL);
    gd_vols_free(known, n_known);
    known = NULL;
    n_known = 0;
    for (rec_t *r = recs, *next; r; r = next) {
        next = r->next;
        if (!r->busy) /* a busy one's callback may still be queued: it stays */
            rec_forget(r);
    }
    while (hosts) {
        host_t *h = hosts;
        hosts = h->next;
        gf_free(h->name);
        gf_free(h);
    }
}
