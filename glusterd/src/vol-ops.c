/*
 * Volume operations (contract in vol-ops.h). Each is a small chain of steps run on
 * the event thread: read the volume from the store, act (check bricks on the
 * worker pool, start or stop brick processes), write the outcome back with a
 * transaction guarded by the revision read, then report. Every step is a callback,
 * so a store or brick that answers later works as well as one that answers inline.
 * A transaction whose outcome the store cannot tell is read back before the answer
 * (op_txn), and bricks that are only slow to report leave the change in place.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "glusterfs/ctx.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "addr.h"
#include "bstatus.h"
#include "members.h"
#include "reconcile.h"
#include "brick-proc.h"
#include "glusterd.h"
#include "mux.h"
#include "vol-ops.h"
#include "volset.h"
#include "volume.h"

#define MAX_BUSY 64
#define MSG_MAX 8192
#define MSG_LINES 10 /* problems shown to the user; the others are counted */
#define MAX_PAIRS 64 /* options in one VOLUME_SET */

typedef struct op op_t;

/* Decides from kvs (a listing read back from the store) whether the transaction
 * of op was applied: 1 (*rev: its revision, when known), 0 (not applied),
 * -ECANCELED (another operation changed the volume meanwhile) or -errno. */
typedef int (*op_verify_t)(op_t *op, const gd_kv_t *kvs, int n, uint64_t *rev);

/* One operation in progress. */
struct op {
    gd_op_done_t done;
    void *cookie;
    char name[GD_VOL_NAME_MAX + 1];
    gd_volume_t *vol;
    int force;
    int was_started; /* the volume was started when the operation began */
    gd_vol_status_t prev_status; /* its status then */
    int *skip;       /* bricks not waited for (their servers are down) */
    int *here;       /* CREATE: bricks on this server (their paths are checked here) */
    const char *cmd; /* "create", "start", ...: names the operation in messages */
    int err;         /* first failure */
    char msg[MSG_MAX]; /* the first MSG_LINES problems, whole */
    int n_fails;     /* problems recorded */
    int n_shown;     /* those of them in msg */
    gf_dict_t *args; /* VOLUME_SET: the request (keyN, valueN) */
    bool reset;      /* VOLUME_SET: remove the options instead */
    int n_keys;      /* VOLUME_SET: pairs in args */
    gd_store_txn_cb_t then; /* the step after the operation's transaction */
    op_verify_t verify;     /* how to tell whether it was applied when unknown */
    char verify_prefix[GD_STORE_KEY_MAX]; /* what verify reads */
    char unknown[512];      /* why the outcome was unknown */
};

static char *busy[MAX_BUSY];

/* --- one operation per volume --- */

static int
claim(const char *name)
{
    int free_slot = -1;
    for (int i = 0; i < MAX_BUSY; i++) {
        if (busy[i] && strcmp(busy[i], name) == 0)
            return -EBUSY;
        if (!busy[i] && free_slot < 0)
            free_slot = i;
    }
    if (free_slot < 0)
        return -EBUSY;
    busy[free_slot] = gf_strdup(name);
    return busy[free_slot] ? 0 : -ENOMEM;
}

static void
release(const char *name)
{
    for (int i = 0; i < MAX_BUSY; i++) {
        if (busy[i] && strcmp(busy[i], name) == 0) {
            gf_free(busy[i]);
            busy[i] = NULL;
        }
    }
}

/* --- operation life --- */

/* Records a failure of op (err: the first one's is reported). The first
 * MSG_LINES problems are kept whole for the user (a problem's text that does not
 * fit is cut at a line end); every problem is logged. */
static void __attribute__((format(printf, 3, 4)))
op_fail(op_t *op, int err, const char *fmt, ...)
{
    size_t len = strlen(op->msg), room = sizeof(op->msg) - len - 1;
    char text[MSG_MAX], *nl;
    va_list ap;

    if (!op->err)
        op->err = err;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    gf_log(GF_LOG_ERROR, "volume %s %s: %s", op->cmd, op->name, text);
    op->n_fails++;
    if (op->n_shown >= MSG_LINES || (len && strlen(text) + 1 > room))
        return;
    if (len) {
        op->msg[len++] = '\n';
        room--;
    }
    while (strlen(text) > room && (nl = strrchr(text, '\n')))
        *nl = '\0';
    snprintf(op->msg + len, room + 1, "%s", text);
    op->n_shown++;
}

/* The message reporting op's failure: op->msg, with a count and "and N more"
 * when problems were left out. Allocated; NULL on ENOMEM. */
static char *
op_message(const op_t *op)
{
    char *text = NULL;

    if (op->n_fails <= op->n_shown)
        return gf_strdup(op->msg);
    if (gf_asprintf(&text, "%d problems (all of them in the glusterd log on this server); the "
                    "first %d:\n%s\nand %d more", op->n_fails, op->n_shown, op->msg,
                    op->n_fails - op->n_shown) < 0)
        return NULL;
    return text;
}

/* Ends op: reports to its caller, frees it. */
static void
op_end(op_t *op, gf_dict_t *out)
{
    char *msg = op->err ? op_message(op) : NULL;

    release(op->name);
    op->done(op->err, op->err ? (msg ? msg : op->msg) : NULL, out, op->cookie);
    gf_free(msg);
    gf_dict_unref(op->args);
    gd_vol_free(op->vol);
    gf_free(op->skip);
    gf_free(op->here);
    gf_free(op);
}

/* A new operation cmd (a static string) claiming name (a volume name, or "all");
 * NULL after reporting the failure. */
static op_t *
op_claim(const char *name, const char *cmd, int force, gd_op_done_t done, void *cookie)
{
    char err[256];
    op_t *op;
    int ret;

    if ((ret = claim(name)) != 0) {
        snprintf(err, sizeof(err),
                 "another operation on %s%s is in progress; try again when it is done",
                 strcmp(name, "all") ? "volume " : "the cluster-wide options", 
                 strcmp(name, "all") ? name : "");
        done(ret, err, NULL, cookie);
        return NULL;
    }
    if (!(op = gf_calloc(1, sizeof(*op)))) {
        release(name);
        done(-ENOMEM, "glusterd is out of memory", NULL, cookie);
        return NULL;
    }
    snprintf(op->name, sizeof(op->name), "%s", name);
    op->cmd = cmd;
    op->force = force;
    op->done = done;
    op->cookie = cookie;
    return op;
}

/* A new operation cmd on volume name, claimed; NULL after reporting the failure. */
static op_t *
op_new(const char *name, const char *cmd, int force, gd_op_done_t done, void *cookie)
{
    char err[256];

    if (gd_vol_name_check(name, err, sizeof(err)) != 0) {
        done(-EINVAL, err, NULL, cookie);
        return NULL;
    }
    return op_claim(name, cmd, force, done, cookie);
}

/* Records a store failure err of op (what failed: doing, on volume op->name). */
static void
op_store_fail(op_t *op, int err, const char *doing)
{
    char why[512];

    if (err == -ECANCELED) {
        op_fail(op, -EAGAIN, "volume %s was changed by another operation; try again",
                op->name);
        return;
    }
    gd_store_strerror(gd.store, err, why, sizeof(why));
    op_fail(op, err, "cannot %s volume %s: %s", doing, op->name, why);
}

/* Takes the single volume loaded for op. 0, or ends op (no such volume, store
 * error) and returns -1. */
static int
op_take_volume(op_t *op, int err, gd_volume_t **vols, int n)
{
    if (err || n != 1) {
        if (err)
            op_store_fail(op, err, "read");
        else
            op_fail(op, -ENOENT, "Volume %s does not exist", op->name);
        gd_vols_free(vols, n);
        op_end(op, NULL);
        return -1;
    }
    op->vol = vols[0];
    gf_free(vols);
    op->was_started = op->vol->status == GD_VOL_STARTED;
    op->prev_status = op->vol->status;
    return 0;
}

/* Store transaction done: the operation's last step. */
static void
op_saved(int err, uint64_t rev, void *cookie)
{
    op_t *op = cookie;
    if (err)
        op_store_fail(op, err, "save");
    op_end(op, NULL);
}

/* --- transactions whose outcome is unknown --- */

/* The listing read back after an unknown outcome (see op_txn). */
static void
read_back(int err, const gd_kv_t *kvs, int n, void *cookie)
{
    op_t *op = cookie;
    uint64_t rev = 0;
    char why[512];

    if (err) {
        gd_store_strerror(gd.store, err, why, sizeof(why));
        op_fail(op, -ETIMEDOUT, "cannot tell whether volume %s %s was applied: %s; reading it "
                "back failed too: %s; see `gluster volume info %s`", op->cmd, op->name,
                op->unknown, why, op->name);
        op_end(op, NULL);
        return;
    }
    err = op->verify(op, kvs, n, &rev);
    if (err == 0) {
        op_fail(op, -EAGAIN, "volume %s %s was not applied: the monitor cluster did not "
                "confirm it (%s), and reading it back shows it was not done; try again",
                op->cmd, op->name, op->unknown);
        op_end(op, NULL);
        return;
    }
    if (err == 1)
        gf_log(GF_LOG_INFO, "volume %s %s: the monitor cluster did not confirm it (%s), but "
               "reading it back shows it was applied", op->cmd, op->name, op->unknown);
    op->then(err == 1 ? 0 : err, rev, op);
}

/* The transaction of op is done: with an unknown outcome (-ETIMEDOUT: an etcd
 * member received it, then went silent), its keys are read back first. */
static void
txn_done(int err, uint64_t rev, void *cookie)
{
    op_t *op = cookie;

    if (err != -ETIMEDOUT) {
        op->then(err, rev, op);
        return;
    }
    gd_store_strerror(gd.store, err, op->unknown, sizeof(op->unknown));
    gd_store_list(gd.store, op->verify_prefix, read_back, op);
}

/* Runs txn (the caller keeps it), then then(err, rev, op). When the store cannot
 * tell whether txn was applied, verify decides from the keys under prefix (read
 * back) before then is called: a change that was applied is reported as done. */
static void
op_txn(op_t *op, const gd_txn_t *txn, const char *prefix, op_verify_t verify,
       gd_store_txn_cb_t then)
{
    op->then = then;
    op->verify = verify;
    snprintf(op->verify_prefix, sizeof(op->verify_prefix), "%s", prefix);
    gd_store_txn(gd.store, txn, txn_done, op);
}

/* The key of vol/NAME/info of op's volume, into key (GD_STORE_KEY_MAX bytes). */
static void
info_key(const op_t *op, char *key)
{
    snprintf(key, GD_STORE_KEY_MAX, GD_VOL_PREFIX "%s/info", op->name);
}

/* The kv of key in kvs, or NULL. */
static const gd_kv_t *
find_kv(const gd_kv_t *kvs, int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (strcmp(kvs[i].key, key) == 0)
            return &kvs[i];
    return NULL;
}

/* create (kvs: vol/NAME/info): applied when the info key carries the volume id
 * this create generated; another id means another create won. */
static int
verify_created(op_t *op, const gd_kv_t *kvs, int n, uint64_t *rev)
{
    char *id;
    int ret;

    if (n == 0)
        return 0;
    if (!(id = gd_field(kvs[0].value, "id")))
        return -ENOMEM;
    ret = strcmp(id, op->vol->id) == 0 ? 1 : -ECANCELED;
    gf_free(id);
    *rev = kvs[0].rev;
    return ret;
}

/* start, stop (kvs: vol/NAME/info): applied when the info key changed since it
 * was read, to what op wrote (its status). */
static int
verify_info(op_t *op, const gd_kv_t *kvs, int n, uint64_t *rev)
{
    char *want;
    int ret;

    if (n == 0)
        return -ECANCELED;
    if (kvs[0].rev == op->vol->info_rev)
        return 0;
    if (!(want = gd_vol_info_value(op->vol)))
        return -ENOMEM;
    ret = strcmp(want, kvs[0].value) == 0 ? 1 : -ECANCELED;
    gf_free(want);
    *rev = kvs[0].rev;
    return ret;
}

/* delete (kvs: vol/NAME/info): applied when the info key is gone. */
static int
verify_deleted(op_t *op, const gd_kv_t *kvs, int n, uint64_t *rev)
{
    if (n == 0)
        return 1;
    return kvs[0].rev == op->vol->info_rev ? 0 : -ECANCELED;
}

/* set, reset of a volume (kvs: vol/NAME/): applied when the info key was written
 * again and the volume's options are now exactly op->vol's. */
static int
verify_options(op_t *op, const gd_kv_t *kvs, int n, uint64_t *rev)
{
    char key[GD_STORE_KEY_MAX], prefix[GD_STORE_KEY_MAX];
    const gd_kv_t *info;
    size_t plen;
    int n_opts = 0;

    info_key(op, key);
    if (!(info = find_kv(kvs, n, key)))
        return -ECANCELED;
    if (info->rev == op->vol->info_rev)
        return 0;
    plen = (size_t)snprintf(prefix, sizeof(prefix), GD_VOL_PREFIX "%s/opt/", op->name);
    for (int i = 0; i < n; i++) {
        const char *want;
        if (strncmp(kvs[i].key, prefix, plen) != 0)
            continue;
        want = gd_vol_opt(op->vol, kvs[i].key + plen);
        if (!want || strcmp(want, kvs[i].value) != 0)
            return -ECANCELED;
        n_opts++;
    }
    *rev = info->rev;
    return n_opts == op->vol->n_opts ? 1 : -ECANCELED;
}

static int pair(op_t *op, int i, const char **key, const char **value);

/* set, reset of cluster-wide options (kvs: global/opt/): applied when every option
 * of the request has its new value (a reset one: no key). Not guarded, so never
 * -ECANCELED. */
static int
verify_globals(op_t *op, const gd_kv_t *kvs, int n, uint64_t *rev)
{
    char skey[GD_STORE_KEY_MAX + 1];
    const char *key, *value;
    const gd_kv_t *kv;

    for (int i = 1; i <= op->n_keys; i++) {
        if (pair(op, i, &key, &value) != 0)
            return -EINVAL;
        snprintf(skey, sizeof(skey), GD_GLOBAL_OPT_PREFIX "%s", key);
        kv = find_kv(kvs, n, skey);
        if (value ? !kv || strcmp(kv->value, value) != 0 : kv != NULL)
            return 0;
    }
    for (const gf_option_t *o = gd_mux_options(); op->reset && !op->n_keys && o->key; o++) {
        snprintf(skey, sizeof(skey), GD_GLOBAL_OPT_PREFIX "%s", o->key);
        if (find_kv(kvs, n, skey))
            return 0;
    }
    for (int i = 0; i < n; i++)
        *rev = kvs[i].rev > *rev ? kvs[i].rev : *rev;
    return 1;
}

/* --- waiting for the bricks --- */

/* Records in op what the bricks reported of its change (err, msg: see
 * gd_bstatus_wait). Bricks that have not reported in time (-ETIMEDOUT) leave the
 * change in place: their servers go on with it; the user is told which and where
 * to watch them. */
static void
bricks_fail(op_t *op, int err, const char *msg)
{
    const char *done = strcmp(op->cmd, "start") == 0  ? "is started"
                       : strcmp(op->cmd, "stop") == 0 ? "is stopped"
                                                      : "has its new options";
    const char *going = strcmp(op->cmd, "start") == 0  ? "starting them"
                        : strcmp(op->cmd, "stop") == 0 ? "stopping them"
                                                       : "applying them";

    if (err == -ETIMEDOUT)
        op_fail(op, err, "volume %s %s, but %s; their servers keep %s; see `gluster volume "
                "status %s`", op->name, done, msg, going, op->name);
    else
        op_fail(op, err, "%s", msg);
}

/* The bricks reported a change (stop, set) made at op->vol->gen. */
static void
bricks_reported(int err, const char *msg, void *cookie)
{
    op_t *op = cookie;

    if (err)
        bricks_fail(op, err, msg);
    op_end(op, NULL);
}

/* The change of op is in the store at revision rev: waits for the bricks (those
 * of live servers) to report it, online or offline, then calls cb. */
static void
op_wait_bricks(op_t *op, int err, uint64_t rev, int online, gd_bstatus_wait_cb_t cb)
{
    if (err) {
        op_saved(err, rev, op);
        return;
    }
    op->vol->gen = rev;
    op->vol->info_rev = rev;
    gd_bstatus_wait(op->vol, rev, online, op->skip, cb, op);
}

/* Saves op->vol with status st, then calls cb. Ends op when it failed before. */
static void
op_save_status(op_t *op, gd_vol_status_t st, gd_store_txn_cb_t cb)
{
    gd_txn_t *txn = op->err ? NULL : gd_txn_new();
    char key[GD_STORE_KEY_MAX];

    if (!txn) {
        if (!op->err)
            op_fail(op, -ENOMEM, "glusterd is out of memory");
        op_end(op, NULL);
        return;
    }
    op->vol->status = st;
    gd_vol_txn_update_info(op->vol, txn);
    info_key(op, key);
    op_txn(op, txn, key, verify_info, cb);
    gd_txn_free(txn);
}

/* The bricks of op->vol were located (err -errno with msg when that failed):
 * checks that each is on this server or a server of the pool, records in op->skip
 * those whose server is down, and with alive_needed fails op for them. */
static void
op_check_locs(op_t *op, int err, const char *msg, const gd_brick_loc_t *locs,
              int alive_needed)
{
    if (err) {
        op_fail(op, err, "%s", msg);
        return;
    }
    for (int i = 0; i < op->vol->n_bricks; i++) {
        const gd_brick_t *b = &op->vol->bricks[i];
        if (!locs[i].local && (!locs[i].known || !locs[i].in_pool))
            op_fail(op, -EHOSTUNREACH, "brick %s:%s: %s is not a server of the trusted pool; "
                    "add it with `gluster peer probe %s`", b->host, b->path, b->host, b->host);
        else if (!locs[i].alive && alive_needed)
            op_fail(op, -EHOSTDOWN, "brick %s:%s: server %s is not connected (its glusterd is "
                    "down or cannot reach the monitor cluster)", b->host, b->path, b->host);
        op->skip[i] = !locs[i].alive;
    }
}

/* --- stop --- */

static void
stop_saved(int err, uint64_t rev, void *cookie)
{
    op_wait_bricks(cookie, err, rev, 0, bricks_reported);
}

static void
stop_located(int err, const char *msg, const gd_brick_loc_t *locs, void *cookie)
{
    op_t *op = cookie;

    op_check_locs(op, err, msg, locs, 0);
    op_save_status(op, GD_VOL_STOPPED, stop_saved);
}

/* Allocates op->skip and locates op->vol's bricks, then calls cb. */
static void
op_locate(op_t *op, gd_locate_cb_t cb)
{
    if (!(op->skip = gf_calloc((size_t)op->vol->n_bricks + 1, sizeof(int)))) {
        op_fail(op, -ENOMEM, "glusterd is out of memory");
        op_end(op, NULL);
        return;
    }
    gd_bricks_locate(op->vol, cb, op);
}

static void
stop_loaded(int err, gd_volume_t **vols, int n, const char *warn, void *cookie)
{
    op_t *op = cookie;
    if (op_take_volume(op, err, vols, n) != 0)
        return;
    if (!op->was_started && !op->force) {
        op_fail(op, -EALREADY, "Volume %s is not in the started state", op->name);
        op_end(op, NULL);
        return;
    }
    op_locate(op, stop_located);
}

void
gd_vol_stop(const char *name, int force, gd_op_done_t done, void *cookie)
{
    op_t *op = op_new(name, "stop", force, done, cookie);
    if (op)
        gd_vols_load(gd.store, name, stop_loaded, op);
}

/* --- start --- */

static void
rollback_saved(int err, uint64_t rev, void *cookie)
{
    char why[512];

    if (err) {
        gd_store_strerror(gd.store, err, why, sizeof(why));
        gf_log(GF_LOG_WARNING, "undoing the failed start of volume %s: %s", (char *)cookie,
               why);
    }
    gf_free(cookie);
}

/* A brick reported that it failed to start: the volume goes back to its former
 * status (the reconcilers then stop the bricks that did start). Bricks that only
 * have not reported in time keep starting: undoing would throw their progress
 * away and add load where servers are already slow. A rollback whose outcome is
 * unknown is only logged (rollback_saved): `volume info` shows the status. */
static void
start_reported(int err, const char *msg, void *cookie)
{
    op_t *op = cookie;
    int undo = err && err != -ETIMEDOUT && !op->was_started;
    gd_txn_t *txn;

    if (err)
        bricks_fail(op, err, msg);
    if (undo && (txn = gd_txn_new())) {
        op->vol->status = op->prev_status;
        gd_vol_txn_update_info(op->vol, txn);
        gd_store_txn(gd.store, txn, rollback_saved, gf_strdup(op->name));
        gd_txn_free(txn);
        op_fail(op, err, "volume %s is not started: the bricks that did start are stopped "
                "again; correct the problem above, then start it again", op->name);
    }
    op_end(op, NULL);
}

static void
start_saved(int err, uint64_t rev, void *cookie)
{
    op_wait_bricks(cookie, err, rev, 1, start_reported);
}

static void
start_located(int err, const char *msg, const gd_brick_loc_t *locs, void *cookie)
{
    op_t *op = cookie;

    op_check_locs(op, err, msg, locs, 1);
    op_save_status(op, GD_VOL_STARTED, start_saved);
}

static void
start_loaded(int err, gd_volume_t **vols, int n, const char *warn, void *cookie)
{
    op_t *op = cookie;
    if (op_take_volume(op, err, vols, n) != 0)
        return;
    if (op->was_started && !op->force) {
        op_fail(op, -EALREADY, "Volume %s already started", op->name);
        op_end(op, NULL);
        return;
    }
    op_locate(op, start_located);
}

void
gd_vol_start(const char *name, int force, gd_op_done_t done, void *cookie)
{
    op_t *op = op_new(name, "start", force, done, cookie);
    if (op)
        gd_vols_load(gd.store, name, start_loaded, op);
}

/* --- delete --- */

/* The volume's keys were listed (step 0), then its brick reports (step 1). */
typedef struct deleting {
    op_t *op;
    gd_txn_t *txn;
    int step;
} deleting_t;

static void
delete_listed(int err, const gd_kv_t *kvs, int n, void *cookie)
{
    deleting_t *d = cookie;
    op_t *op = d->op;
    char prefix[GD_STORE_KEY_MAX];

    if (!err && d->step == 0) {
        gd_vol_txn_delete(op->vol, kvs, n, d->txn);
        d->step = 1;
        snprintf(prefix, sizeof(prefix), GD_STATUS_PREFIX "%s/", op->name);
        gd_store_list(gd.store, prefix, delete_listed, d);
        return;
    }
    for (int i = 0; !err && i < n; i++)
        gd_txn_delete(d->txn, kvs[i].key);
    info_key(op, prefix);
    if (err)
        op_saved(err, 0, op);
    else
        op_txn(op, d->txn, prefix, verify_deleted, op_saved);
    gd_txn_free(d->txn);
    gf_free(d);
}

static void
delete_loaded(int err, gd_volume_t **vols, int n, const char *warn, void *cookie)
{
    op_t *op = cookie;
    char prefix[GD_STORE_KEY_MAX];
    deleting_t *d;

    if (op_take_volume(op, err, vols, n) != 0)
        return;
    if (op->was_started) {
        op_fail(op, -EBUSY,
                "Volume %s has been started. Volume needs to be stopped before deletion.",
                op->name);
        op_end(op, NULL);
        return;
    }
    if (!(d = gf_calloc(1, sizeof(*d))) || !(d->txn = gd_txn_new())) {
        gf_free(d);
        op_saved(-ENOMEM, 0, op);
        return;
    }
    d->op = op;
    snprintf(prefix, sizeof(prefix), GD_VOL_PREFIX "%s/", op->name);
    gd_store_list(gd.store, prefix, delete_listed, d);
}

void
gd_vol_delete(const char *name, gd_op_done_t done, void *cookie)
{
    op_t *op = op_new(name, "delete", 0, done, cookie);
    if (op)
        gd_vols_load(gd.store, name, delete_loaded, op);
}

/* --- create --- */

/* Creates path and its missing parents. 0 or -errno. */
static int
mkdir_p(const char *path)
{
    char buf[4096];
    if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
        return -ENAMETOOLONG;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) < 0 && errno != EEXIST)
            return -errno;
        *p = '/';
    }
    return mkdir(buf, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

/* Checks (and with force, creates) the path of local brick b. On the worker pool. */
static void
check_brick_path(op_t *op, const gd_brick_t *b)
{
    struct stat st, root;
    int err;

    if (stat(b->path, &st) < 0) {
        if (errno != ENOENT) {
            op_fail(op, -errno, "brick %s:%s: cannot access %s: %s", b->host, b->path, b->path,
                    strerror(errno));
            return;
        }
        if (!op->force) {
            op_fail(op, -ENOENT,
                    "brick path %s does not exist on %s: create it first, or add 'force' "
                    "to let glusterd create it",
                    b->path, b->host);
            return;
        }
        if ((err = mkdir_p(b->path)) != 0 || stat(b->path, &st) < 0) {
            op_fail(op, err ? err : -errno, "brick %s:%s: cannot create %s: %s", b->host,
                    b->path, b->path, strerror(err ? -err : errno));
            return;
        }
    }
    if (!S_ISDIR(st.st_mode)) {
        op_fail(op, -ENOTDIR, "brick path %s on %s is not a directory", b->path, b->host);
        return;
    }
    if (!op->force && stat("/", &root) == 0 && root.st_dev == st.st_dev)
        op_fail(op, -EINVAL,
                "brick path %s on %s is on the root file system: use a directory on its own "
                "file system, or add 'force' to use it anyway",
                b->path, b->host);
}

static void create_checked(void *data);

/* On the worker pool: are the paths of the bricks on this server usable? (Those
 * on other servers are checked there when the volume starts.) */
static void
check_bricks(void *data)
{
    op_t *op = data;

    for (int i = 0; i < op->vol->n_bricks; i++)
        if (op->here[i])
            check_brick_path(op, &op->vol->bricks[i]);
    if (gf_event_post(gf_ctx->events, create_checked, op) != 0)
        gf_log(GF_LOG_CRITICAL, "cannot post back to the event loop; volume create %s hangs",
               op->name);
}

static void
create_saved(int err, uint64_t rev, void *cookie)
{
    op_t *op = cookie;
    gf_dict_t *out = NULL;

    if (err == -ECANCELED)
        op_fail(op, -EEXIST, "Volume %s already exists", op->name);
    else if (err)
        op_store_fail(op, err, "save");
    else if (!(out = gf_dict_new()) || gf_dict_set_str(out, "volname", op->name) ||
             gf_dict_set_str(out, "volume-id", op->vol->id))
        op_fail(op, -ENOMEM, "glusterd is out of memory");
    op_end(op, op->err ? NULL : out);
    gf_dict_unref(out);
}

/* Back on the event thread after check_bricks. */
static void
create_checked(void *data)
{
    op_t *op = data;
    char key[GD_STORE_KEY_MAX];
    gd_txn_t *txn;

    if (op->err) {
        op_end(op, NULL);
        return;
    }
    if (!(txn = gd_txn_new())) {
        create_saved(-ENOMEM, 0, op);
        return;
    }
    gd_vol_txn_create(op->vol, txn);
    info_key(op, key);
    op_txn(op, txn, key, verify_created, create_saved);
    gd_txn_free(txn);
}

/* Fails op when name exists or a brick of op->vol belongs to another volume. */
static void
check_against(op_t *op, gd_volume_t **vols, int n)
{
    for (int v = 0; v < n && !op->err; v++) {
        if (strcmp(vols[v]->name, op->name) == 0) {
            op_fail(op, -EEXIST, "Volume %s already exists", op->name);
            return;
        }
        for (int i = 0; i < op->vol->n_bricks; i++)
            for (int j = 0; j < vols[v]->n_bricks; j++)
                if (!strcmp(op->vol->bricks[i].path, vols[v]->bricks[j].path) &&
                    !strcmp(op->vol->bricks[i].host, vols[v]->bricks[j].host))
                    op_fail(op, -EEXIST, "brick %s:%s is already part of volume %s",
                            op->vol->bricks[i].host, op->vol->bricks[i].path, vols[v]->name);
    }
}

/* The bricks are located: those on other servers must be in the pool; the paths
 * of those here are checked on the worker pool. */
static void
create_located(int err, const char *msg, const gd_brick_loc_t *locs, void *cookie)
{
    op_t *op = cookie;

    if (!(op->here = gf_calloc((size_t)op->vol->n_bricks + 1, sizeof(int))))
        op_fail(op, -ENOMEM, "glusterd is out of memory");
    else
        op_check_locs(op, err, msg, locs, 0);
    for (int i = 0; !op->err && i < op->vol->n_bricks; i++) {
        op->here[i] = locs[i].local;
        if (!(op->vol->bricks[i].server = gf_strdup(locs[i].uuid)))
            op_fail(op, -ENOMEM, "glusterd is out of memory");
    }
    if (op->err) {
        op_end(op, NULL);
        return;
    }
    if (gf_workpool_submit(gf_ctx->workers, check_bricks, op) != 0) {
        op_fail(op, -ENOMEM, "cannot queue the brick checks of volume %s", op->name);
        op_end(op, NULL);
    }
}

static void
create_loaded(int err, gd_volume_t **vols, int n, const char *warn, void *cookie)
{
    op_t *op = cookie;

    if (err)
        op_store_fail(op, err, "read the volumes to create");
    else
        check_against(op, vols, n);
    gd_vols_free(vols, n);
    if (op->err)
        op_end(op, NULL);
    else
        op_locate(op, create_located);
}

/* Reads type and transport: only distribute over tcp for now. */
static void
check_kind(op_t *op, gf_dict_t *args)
{
    const char *type = NULL, *transport = NULL;
    gf_dict_get_str(args, "type", &type);
    gf_dict_get_str(args, "transport", &transport);
    if (type && strcmp(type, "distribute") != 0)
        op_fail(op, -EOPNOTSUPP,
                "volume type %s is not supported yet: only distribute volumes can be created",
                type);
    if (transport && strcmp(transport, "tcp") != 0)
        op_fail(op, -EOPNOTSUPP, "transport %s is not supported: use tcp", transport);
}

/* Adds the bricks of args ("brick-count", "brick1".."brickN") to op->vol. */
static void
parse_bricks(op_t *op, gf_dict_t *args)
{
    int32_t count = 0;
    char key[32], err[256], *host, *path;
    const char *spec;

    if (gf_dict_get_int32(args, "brick-count", &count) != 0 || count < 1) {
        op_fail(op, -EINVAL, "volume create %s: at least one brick (HOST:/PATH) is needed",
                op->name);
        return;
    }
    for (int i = 1; i <= count && !op->err; i++) {
        snprintf(key, sizeof(key), "brick%d", i);
        if (gf_dict_get_str(args, key, &spec) != 0) {
            op_fail(op, -EINVAL, "volume create %s: brick %d is missing", op->name, i);
            return;
        }
        if (gd_brick_parse(spec, &host, &path, err, sizeof(err)) != 0) {
            op_fail(op, -EINVAL, "%s", err);
            return;
        }
        for (int j = 0; j < op->vol->n_bricks; j++)
            if (!strcmp(op->vol->bricks[j].host, host) && !strcmp(op->vol->bricks[j].path, path))
                op_fail(op, -EINVAL, "brick %s:%s is given more than once", host, path);
        if (!op->err && gd_vol_add_brick(op->vol, host, path) != 0)
            op_fail(op, -ENOMEM, "glusterd is out of memory");
        gf_free(host);
        gf_free(path);
    }
}

void
gd_vol_create(gf_dict_t *args, gd_op_done_t done, void *cookie)
{
    const char *name = NULL;
    bool force = false;
    op_t *op;

    if (gf_dict_get_str(args, "volname", &name) != 0) {
        done(-EINVAL, "volume create: the volume name is missing", NULL, cookie);
        return;
    }
    gf_dict_get_bool(args, "force", &force);
    if (!(op = op_new(name, "create", force, done, cookie)))
        return;
    if (!(op->vol = gd_vol_new(name))) {
        op_fail(op, -ENOMEM, "glusterd is out of memory");
        op_end(op, NULL);
        return;
    }
    check_kind(op, args);
    if (!op->err)
        parse_bricks(op, args);
    if (op->err) {
        op_end(op, NULL);
        return;
    }
    gd_vols_load(gd.store, NULL, create_loaded, op);
}

/* --- set and reset --- */

/* Key (and value, NULL with reset) of pair i (from 1) of op->args; 0 or -EINVAL
 * after failing op. */
static int
pair(op_t *op, int i, const char **key, const char **value)
{
    char k[32];

    *value = NULL;
    snprintf(k, sizeof(k), "key%d", i);
    if (gf_dict_get_str(op->args, k, key) != 0) {
        op_fail(op, -EINVAL, "volume set: option %d is missing", i);
        return -EINVAL;
    }
    snprintf(k, sizeof(k), "value%d", i);
    if (!op->reset && gf_dict_get_str(op->args, k, value) != 0) {
        op_fail(op, -EINVAL, "volume set: option %s has no value", *key);
        return -EINVAL;
    }
    return 0;
}

static void
global_saved(int err, uint64_t rev, void *cookie)
{
    op_t *op = cookie;
    const char *key, *value;

    if (!err) {
        for (int i = 1; i <= op->n_keys; i++)
            if (pair(op, i, &key, &value) == 0)
                gd_mux_apply(&gd.mux, key, value);
        if (op->reset && op->n_keys == 0)
            gd_mux_defaults(&gd.mux);
        gf_log(GF_LOG_INFO, "cluster-wide options: brick multiplexing %s, at most %lld "
                            "bricks per process (0: no limit)",
               gd.mux.enabled ? "on" : "off", (long long)gd.mux.max_bricks);
    }
    op_saved(err, rev, op);
}

/* Adds the changes of the pairs of op to txn (store keys under prefix). With
 * check, each is checked first (failing op). */
static void
add_pairs(op_t *op, gd_txn_t *txn, int (*check)(op_t *op, const char *key, const char *value))
{
    char skey[GD_STORE_KEY_MAX + 1];
    const char *key, *value;

    for (int i = 1; i <= op->n_keys && !op->err; i++) {
        if (pair(op, i, &key, &value) != 0 || check(op, key, value) != 0)
            return;
        if (op->vol) {
            gd_vol_txn_opt(op->vol, key, value, txn);
            continue;
        }
        snprintf(skey, sizeof(skey), GD_GLOBAL_OPT_PREFIX "%s", key);
        if (value)
            gd_txn_put_str(txn, skey, value);
        else
            gd_txn_delete(txn, skey);
    }
}

/* Checks one cluster-wide pair. 0 or -errno after failing op. */
static int
check_global(op_t *op, const char *key, const char *value)
{
    char err[512];
    int ret = gd_mux_validate(key, value ? value : "0", err, sizeof(err));

    if (ret == -EINVAL && !value)
        ret = 0; /* reset: the value does not matter */
    if (ret)
        op_fail(op, ret, "%s", err);
    return ret;
}

/* volume set|reset all ... */
static void
set_global(op_t *op)
{
    gd_txn_t *txn = gd_txn_new();

    if (!txn) {
        op_saved(-ENOMEM, 0, op);
        return;
    }
    add_pairs(op, txn, check_global);
    for (const gf_option_t *o = gd_mux_options(); op->reset && !op->n_keys && o->key; o++) {
        char skey[GD_STORE_KEY_MAX + 1];
        snprintf(skey, sizeof(skey), GD_GLOBAL_OPT_PREFIX "%s", o->key);
        gd_txn_delete(txn, skey);
    }
    if (op->err)
        op_end(op, NULL);
    else
        op_txn(op, txn, GD_GLOBAL_OPT_PREFIX, verify_globals, global_saved);
    gd_txn_free(txn);
}

/* Checks one pair of a volume and applies it to op->vol. 0 or -errno after failing
 * op. */
static int
check_volume(op_t *op, const char *key, const char *value)
{
    char err[1024];
    int ret = 0;

    /* a reset only needs the key to exist; the check then says why it does not */
    if (value || !gd_volgen_opt_find(key))
        ret = gd_volset_check(gd.xlmeta, key, value ? value : "", err, sizeof(err));
    if (ret) {
        op_fail(op, ret, "%s", err);
        return ret;
    }
    ret = value ? gd_vol_opt_set(op->vol, key, value) : gd_vol_opt_del(op->vol, key);
    if (ret == -ENOMEM)
        op_fail(op, ret, "glusterd is out of memory");
    return ret == -ENOMEM ? ret : 0;
}

/* The options are saved: a started volume's bricks (on live servers) are placed
 * again by their reconcilers; waits for their reports. */
static void
volume_saved(int err, uint64_t rev, void *cookie)
{
    op_t *op = cookie;

    if (err || !op->was_started)
        op_saved(err, rev, op);
    else
        op_wait_bricks(op, err, rev, 1, bricks_reported);
}

/* Checks the pairs of op and saves them, guarded by the revision read. */
static void
set_apply(op_t *op)
{
    gd_txn_t *txn = op->err ? NULL : gd_txn_new();
    char prefix[GD_STORE_KEY_MAX];

    if (!txn) {
        if (!op->err)
            op_fail(op, -ENOMEM, "glusterd is out of memory");
        op_end(op, NULL);
        return;
    }
    /* info is written again (unchanged) so that the volume's generation rises even
     * when the change only deletes keys */
    gd_vol_txn_update_info(op->vol, txn);
    add_pairs(op, txn, check_volume);
    while (op->reset && !op->n_keys && op->vol->n_opts && !op->err) {
        gd_vol_txn_opt(op->vol, op->vol->opts[0].key, NULL, txn);
        gd_vol_opt_del(op->vol, op->vol->opts[0].key);
    }
    snprintf(prefix, sizeof(prefix), GD_VOL_PREFIX "%s/", op->name);
    if (op->err)
        op_end(op, NULL);
    else
        op_txn(op, txn, prefix, verify_options, volume_saved);
    gd_txn_free(txn);
}

static void
set_located(int err, const char *msg, const gd_brick_loc_t *locs, void *cookie)
{
    op_t *op = cookie;

    op_check_locs(op, err, msg, locs, 0);
    set_apply(op);
}

static void
set_loaded(int err, gd_volume_t **vols, int n, const char *warn, void *cookie)
{
    op_t *op = cookie;

    if (op_take_volume(op, err, vols, n) != 0)
        return;
    if (op->was_started)
        op_locate(op, set_located);
    else
        set_apply(op);
}

void
gd_vol_set(gf_dict_t *args, gd_op_done_t done, void *cookie)
{
    const char *name = NULL;
    int32_t count = 0;
    bool reset = false;
    op_t *op;

    gf_dict_get_bool(args, "reset", &reset);
    if (gf_dict_get_str(args, "volname", &name) != 0) {
        done(-EINVAL, "volume set: the volume name is missing", NULL, cookie);
        return;
    }
    if ((gf_dict_get_int32(args, "count", &count) != 0 && !reset) || count < 0 ||
        count > MAX_PAIRS || (count == 0 && !reset)) {
        done(-EINVAL, "volume set: give 1 to 64 options (KEY VALUE ...)", NULL, cookie);
        return;
    }
    op = strcmp(name, "all") == 0 ? op_claim(name, reset ? "reset" : "set", 0, done, cookie)
                                  : op_new(name, reset ? "reset" : "set", 0, done, cookie);
    if (!op)
        return;
    op->args = gf_dict_ref(args);
    op->reset = reset;
    op->n_keys = count;
    if (strcmp(name, "all") == 0)
        set_global(op);
    else
        gd_vols_load(gd.store, name, set_loaded, op);
}

/* --- restart --- */

static void restore_globals_listed(int err, const gd_kv_t *kvs, int n, void *cookie);

static void
restore_retry_task(void *data)
{
    gd_store_list(gd.store, GD_GLOBAL_OPT_PREFIX, restore_globals_listed, NULL);
}

static void
restore_retry_cb(void *data)
{
    if (gf_event_post(gf_ctx->events, restore_retry_task, NULL) != 0)
        gf_log(GF_LOG_CRITICAL, "cannot post to the event loop: running bricks are not adopted");
}

/* The store cannot be read yet: running brick processes are left alone and the
 * restore is tried again in 2 s. */
static void
restore_later(int err, const char *what)
{
    char why[512];

    gd_store_strerror(gd.store, err, why, sizeof(why));
    gf_log(GF_LOG_ERROR, "cannot read %s: %s; running bricks are left alone, trying again in "
                         "2 s", what, why);
    if (!gf_timer_add(gf_ctx->timers, 2000, restore_retry_cb, NULL))
        gf_log(GF_LOG_CRITICAL, "out of memory: running bricks are not adopted");
}

static void
restore_loaded(int err, gd_volume_t **vols, int n, const char *warn, void *cookie)
{
    if (err) {
        restore_later(err, "the volumes");
        return;
    }
    if (warn && *warn)
        gf_log(GF_LOG_ERROR, "%s", warn);
    gd_brick_restore(vols, n, gd_reconcile_start);
}

/* The cluster-wide options were read: apply them, then adopt the bricks. */
static void
restore_globals_listed(int err, const gd_kv_t *kvs, int n, void *cookie)
{
    if (err) {
        restore_later(err, "the cluster-wide options");
        return;
    }
    gd_reconcile_apply_globals(kvs, n);
    gd_vols_load_placed(gd.store, gd.conf.uuid, restore_loaded, NULL);
}

void
gd_vol_restore(void)
{
    restore_retry_task(NULL);
}
