/*
 * Tests of the etcd client (glusterd/src/etcd-client.c, etcd-codec.c) against a
 * real 3-member etcd cluster (etcd-cluster.h). Exits 77 (skipped) when there is
 * no etcd binary. The store's etcd backend is tested in test-gd-store-etcd.c.
 *
 * Covered: put, range (key, prefix), delete, txn (success, conflict, value and
 * version compares), binary values, leases (grant, keepalive, revoke, expiry
 * seen by a watch as a DELETE), watches (history, compacted history, cancel,
 * resumption after the member restarts, a cancel waiting for the callback running on another
 * thread), election (campaign, leader, resign, hand-over), failover to another member (refused,
 * killed, hung), a bounded "monitor cluster unreachable" error (no member, no majority), and
 * destroying a client with requests in flight (also from an event thread).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "etcd-client.h"
#include "etcd-cluster.h"
#include "etcd-codec.h"
#include "glusterfs/event.h"
#include "glusterfs/mem.h"
#include "glusterfs/timer.h"

#define WAIT_MS    10000
#define MAX_KVS    16
#define MAX_EVENTS 64

static ec_cluster_t E;
static gd_etcd_t *client; /* a client of all members */

/*
 * Replies, copied out of the callbacks (which run on event threads) so the test
 * thread can assert on them.
 */

typedef struct res {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done;
    int err;
    char msg[1024];
    int64_t rev, deleted, lease, ttl;
    int succeeded;
    int n;
    char *keys[MAX_KVS];
    char *vals[MAX_KVS];
    size_t vlens[MAX_KVS];
    int64_t mod_revs[MAX_KVS], leases[MAX_KVS];
    gd_etcd_leader_t *leader;
} res_t;

static res_t *res_new(void)
{
    res_t *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    return r;
}

static void res_free(res_t *r)
{
    for (int i = 0; i < r->n; i++) {
        free(r->keys[i]);
        free(r->vals[i]);
    }
    gd_etcd_leader_free(r->leader);
    free(r);
}

static void on_reply(const gd_etcd_reply_t *rep, void *cookie)
{
    res_t *r = cookie;
    pthread_mutex_lock(&r->mu);
    r->err = rep->err;
    snprintf(r->msg, sizeof(r->msg), "%s", rep->errmsg ? rep->errmsg : "");
    r->rev = rep->rev;
    r->deleted = rep->deleted;
    r->lease = rep->lease;
    r->ttl = rep->ttl;
    r->succeeded = rep->succeeded;
    for (int i = 0; i < rep->n_kvs && r->n < MAX_KVS; i++, r->n++) {
        r->keys[r->n] = strdup(rep->kvs[i].key);
        r->vals[r->n] = malloc(rep->kvs[i].value_len + 1);
        memcpy(r->vals[r->n], rep->kvs[i].value, rep->kvs[i].value_len + 1);
        r->vlens[r->n] = rep->kvs[i].value_len;
        r->mod_revs[r->n] = rep->kvs[i].mod_rev;
        r->leases[r->n] = rep->kvs[i].lease;
    }
    if (rep->leader)
        r->leader = gd_etcd_leader_dup(rep->leader);
    r->done++;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

/* Waits up to ms for r's reply; returns whether it came. */
static int res_wait_ms(res_t *r, long ms)
{
    struct timespec until = ec_after_ms(ms);
    int done;
    pthread_mutex_lock(&r->mu);
    while (!r->done && pthread_cond_timedwait(&r->cv, &r->mu, &until) == 0)
        ;
    done = r->done;
    pthread_mutex_unlock(&r->mu);
    return done;
}

static res_t *res_wait(res_t *r)
{
    assert_true(res_wait_ms(r, WAIT_MS));
    return r;
}

static res_t *put(gd_etcd_t *c, const char *key, const char *val, int64_t lease)
{
    res_t *r = res_new();
    assert_int_equal(gd_etcd_put(c, key, val, strlen(val), lease, on_reply, r), 0);
    return res_wait(r);
}

static res_t *range(gd_etcd_t *c, const char *key, int prefix)
{
    res_t *r = res_new();
    assert_int_equal(gd_etcd_range(c, key, prefix, on_reply, r), 0);
    return res_wait(r);
}

static res_t *txn(gd_etcd_t *c, const gd_etcd_txn_t *t)
{
    res_t *r = res_new();
    assert_int_equal(gd_etcd_txn(c, t, on_reply, r), 0);
    return res_wait(r);
}

static int64_t grant(gd_etcd_t *c, int64_t ttl)
{
    res_t *r = res_new();
    int64_t id;
    assert_int_equal(gd_etcd_lease_grant(c, ttl, on_reply, r), 0);
    res_wait(r);
    assert_int_equal(r->err, 0);
    assert_int_equal(r->ttl, ttl);
    id = r->lease;
    res_free(r);
    assert_true(id != 0);
    return id;
}

/* Puts key and returns the revision of the change. */
static int64_t put_ok(gd_etcd_t *c, const char *key, const char *val)
{
    res_t *r = put(c, key, val, 0);
    int64_t rev = r->rev;
    assert_int_equal(r->err, 0);
    res_free(r);
    return rev;
}

/*
 * Watch events, collected likewise.
 */

typedef struct coll {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int established;
    int n;
    struct {
        gd_etcd_ev_type_t type;
        char key[128];
        char val[128];
        int64_t rev;
    } ev[MAX_EVENTS];
    int stale;
    int64_t stale_rev;
    int cancel_in_cb; /* cancel the watch from its first event */
    gd_etcd_watch_t *w;
} coll_t;

static void on_watch(int err, const gd_etcd_event_t *evs, int n, int64_t rev, void *cookie)
{
    coll_t *c = cookie;
    pthread_mutex_lock(&c->mu);
    if (err == -ESTALE) {
        c->stale++;
        c->stale_rev = rev;
    } else if (n == 0)
        c->established++;
    for (int i = 0; i < n && c->n < MAX_EVENTS; i++, c->n++) {
        c->ev[c->n].type = evs[i].type;
        snprintf(c->ev[c->n].key, sizeof(c->ev[0].key), "%s", evs[i].kv.key);
        snprintf(c->ev[c->n].val, sizeof(c->ev[0].val), "%s", evs[i].kv.value);
        c->ev[c->n].rev = evs[i].kv.mod_rev;
    }
    if (n > 0 && c->cancel_in_cb) {
        gd_etcd_watch_cancel(c->w);
        c->w = NULL;
        c->cancel_in_cb = 0;
    }
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

static coll_t *coll_new(void)
{
    coll_t *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    return c;
}

/* Waits up to ms for *counter (a field of c) to reach want; returns its value. */
static int coll_wait(coll_t *c, int *counter, int want, long ms)
{
    struct timespec until = ec_after_ms(ms);
    int v;
    pthread_mutex_lock(&c->mu);
    while (*counter < want && pthread_cond_timedwait(&c->cv, &c->mu, &until) == 0)
        ;
    v = *counter;
    pthread_mutex_unlock(&c->mu);
    return v;
}

/* Starts a watch collected into a new coll_t and waits until it is established. */
static coll_t *watch(gd_etcd_t *c, const char *key, int prefix, int64_t start_rev)
{
    coll_t *col = coll_new();
    assert_int_equal(gd_etcd_watch(c, key, prefix, start_rev, on_watch, col, &col->w), 0);
    assert_int_equal(coll_wait(col, &col->established, 1, WAIT_MS), 1);
    return col;
}

static void coll_free(coll_t *c)
{
    if (c->w)
        gd_etcd_watch_cancel(c->w);
    free(c);
}

static int group_setup(void **state)
{
    if (ec_start(&E, E.etcd) != 0)
        return -1;
    return gd_etcd_new(E.urls, E.events, E.timers, NULL, &client);
}

static int group_teardown(void **state)
{
    gd_etcd_destroy(client);
    ec_stop(&E);
    return 0;
}

/*
 * The codec, alone.
 */

static void test_codec_base64(void **state)
{
    const char data[] = {'a', 0, (char)0xff, 'b', (char)0x80, 'c'};
    char *out;
    size_t len;
    for (size_t n = 0; n <= sizeof(data); n++) {
        char *b = gd_etcd_b64(data, n);
        assert_non_null(b);
        assert_int_equal(strlen(b), (n + 2) / 3 * 4);
        assert_int_equal(gd_etcd_unb64(b, &out, &len), 0);
        assert_int_equal(len, n);
        assert_memory_equal(out, data, n);
        assert_int_equal(out[len], '\0');
        gf_free(out);
        gf_free(b);
    }
    assert_int_equal(gd_etcd_unb64("Zm9v!", &out, &len), -EINVAL);
}

static void test_codec_prefix_end(void **state)
{
    char end[8];
    size_t len;
    gd_etcd_prefix_end("a/", 2, end, &len);
    assert_int_equal(len, 2);
    assert_memory_equal(end, "a0", 2);
    gd_etcd_prefix_end("a\xff\xff", 3, end, &len);
    assert_int_equal(len, 1);
    assert_memory_equal(end, "b", 1);
    gd_etcd_prefix_end("\xff", 1, end, &len);
    assert_int_equal(len, 1);
    assert_int_equal(end[0], '\0');
}

/*
 * Keys.
 */

static void test_put_range(void **state)
{
    int64_t rev = put_ok(client, "t/put/a", "one");
    res_t *r = range(client, "t/put/a", 0);
    assert_int_equal(r->err, 0);
    assert_int_equal(r->n, 1);
    assert_string_equal(r->keys[0], "t/put/a");
    assert_string_equal(r->vals[0], "one");
    assert_int_equal(r->mod_revs[0], rev);
    assert_true(r->rev >= rev);
    res_free(r);
    r = range(client, "t/put/missing", 0);
    assert_int_equal(r->err, 0);
    assert_int_equal(r->n, 0);
    res_free(r);
}

static void test_range_prefix(void **state)
{
    put_ok(client, "t/pre/b", "2");
    put_ok(client, "t/pre/a", "1");
    put_ok(client, "t/pre/c/d", "3");
    put_ok(client, "t/prefix", "not in t/pre/");
    res_t *r = range(client, "t/pre/", 1);
    assert_int_equal(r->err, 0);
    assert_int_equal(r->n, 3);
    assert_string_equal(r->keys[0], "t/pre/a");
    assert_string_equal(r->keys[1], "t/pre/b");
    assert_string_equal(r->keys[2], "t/pre/c/d");
    res_free(r);
    r = range(client, "", 1); /* every key */
    assert_int_equal(r->err, 0);
    assert_true(r->n >= 4);
    res_free(r);
}

static void test_delete(void **state)
{
    res_t *r;
    put_ok(client, "t/del/a", "1");
    put_ok(client, "t/del/b", "2");
    put_ok(client, "t/del/c", "3");
    r = res_new();
    assert_int_equal(gd_etcd_delete(client, "t/del/a", 0, on_reply, r), 0);
    assert_int_equal(res_wait(r)->err, 0);
    assert_int_equal(r->deleted, 1);
    res_free(r);
    r = res_new();
    assert_int_equal(gd_etcd_delete(client, "t/del/", 1, on_reply, r), 0);
    assert_int_equal(res_wait(r)->deleted, 2);
    res_free(r);
    r = range(client, "t/del/", 1);
    assert_int_equal(r->n, 0);
    res_free(r);
}

static void test_binary_value(void **state)
{
    const char val[] = {'x', 0, (char)0xff, '\n', '"', '\\'};
    res_t *r = res_new();
    assert_int_equal(gd_etcd_put(client, "t/bin", val, sizeof(val), 0, on_reply, r), 0);
    assert_int_equal(res_wait(r)->err, 0);
    res_free(r);
    r = range(client, "t/bin", 0);
    assert_int_equal(r->n, 1);
    assert_int_equal(r->vlens[0], sizeof(val));
    assert_memory_equal(r->vals[0], val, sizeof(val));
    res_free(r);
}

static void test_bad_arguments(void **state)
{
    assert_int_equal(gd_etcd_put(client, "", "v", 1, 0, on_reply, NULL), -EINVAL);
    assert_int_equal(gd_etcd_range(client, NULL, 0, on_reply, NULL), -EINVAL);
    assert_int_equal(gd_etcd_lease_grant(client, 0, on_reply, NULL), -EINVAL);
    assert_int_equal(gd_etcd_new("ftp://x", E.events, E.timers, NULL, &(gd_etcd_t *){NULL}),
                     -EINVAL);
    assert_int_equal(gd_etcd_new(" , ", E.events, E.timers, NULL, &(gd_etcd_t *){NULL}), -EINVAL);
}

/*
 * Transactions.
 */

static void test_txn_create_once(void **state)
{
    gd_etcd_cmp_t cmp = {.key = "t/txn/new", .target = GD_ETCD_VERSION, .result = GD_ETCD_EQUAL};
    gd_etcd_op_t put_op = {
        .type = GD_ETCD_OP_PUT, .key = "t/txn/new", .value = "first", .value_len = 5};
    gd_etcd_op_t get_op = {.type = GD_ETCD_OP_RANGE, .key = "t/txn/new"};
    gd_etcd_txn_t t = {.cmps = &cmp,
                       .n_cmps = 1,
                       .success = &put_op,
                       .n_success = 1,
                       .failure = &get_op,
                       .n_failure = 1};
    res_t *r = txn(client, &t);
    assert_int_equal(r->err, 0);
    assert_int_equal(r->succeeded, 1);
    res_free(r);
    put_op.value = "again";
    r = txn(client, &t);
    assert_int_equal(r->err, 0);
    assert_int_equal(r->succeeded, 0);
    assert_int_equal(r->n, 1); /* the failure branch read the key */
    assert_string_equal(r->vals[0], "first");
    res_free(r);
}

/* Two transactions guarded by the same mod_revision, sent at once: exactly one
 * wins. */
static void test_txn_conflict(void **state)
{
    int64_t rev = put_ok(client, "t/txn/race", "base");
    gd_etcd_cmp_t cmp = {
        .key = "t/txn/race", .target = GD_ETCD_MOD, .result = GD_ETCD_EQUAL, .num = rev};
    gd_etcd_op_t op_a = {.type = GD_ETCD_OP_PUT, .key = "t/txn/race", .value = "a", .value_len = 1};
    gd_etcd_op_t op_b = op_a;
    op_b.value = "b";
    gd_etcd_txn_t ta = {.cmps = &cmp, .n_cmps = 1, .success = &op_a, .n_success = 1};
    gd_etcd_txn_t tb = {.cmps = &cmp, .n_cmps = 1, .success = &op_b, .n_success = 1};
    res_t *ra = res_new(), *rb = res_new(), *r;
    assert_int_equal(gd_etcd_txn(client, &ta, on_reply, ra), 0);
    assert_int_equal(gd_etcd_txn(client, &tb, on_reply, rb), 0);
    res_wait(ra);
    res_wait(rb);
    assert_int_equal(ra->err, 0);
    assert_int_equal(rb->err, 0);
    assert_int_equal(ra->succeeded + rb->succeeded, 1);
    r = range(client, "t/txn/race", 0);
    assert_string_equal(r->vals[0], ra->succeeded ? "a" : "b");
    assert_true(r->mod_revs[0] > rev);
    res_free(r);
    res_free(ra);
    res_free(rb);
}

static void test_txn_value_compare(void **state)
{
    put_ok(client, "t/txn/val", "on");
    gd_etcd_cmp_t cmp = {.key = "t/txn/val",
                         .target = GD_ETCD_VALUE,
                         .result = GD_ETCD_EQUAL,
                         .value = "off",
                         .value_len = 3};
    gd_etcd_op_t del = {.type = GD_ETCD_OP_DELETE, .key = "t/txn/val"};
    gd_etcd_txn_t t = {.cmps = &cmp, .n_cmps = 1, .success = &del, .n_success = 1};
    res_t *r = txn(client, &t);
    assert_int_equal(r->succeeded, 0);
    res_free(r);
    cmp.value = "on";
    cmp.value_len = 2;
    r = txn(client, &t);
    assert_int_equal(r->succeeded, 1);
    assert_int_equal(r->deleted, 1);
    res_free(r);
}

/*
 * Leases.
 */

static void test_lease_ops(void **state)
{
    int64_t id = grant(client, 30);
    res_t *r = put(client, "t/lease/k", "v", id);
    assert_int_equal(r->err, 0);
    res_free(r);
    r = range(client, "t/lease/k", 0);
    assert_int_equal(r->leases[0], id);
    res_free(r);
    r = res_new();
    assert_int_equal(gd_etcd_lease_keepalive(client, id, on_reply, r), 0);
    assert_int_equal(res_wait(r)->err, 0);
    assert_int_equal(r->ttl, 30);
    res_free(r);
    r = res_new();
    assert_int_equal(gd_etcd_lease_revoke(client, id, on_reply, r), 0);
    assert_int_equal(res_wait(r)->err, 0);
    res_free(r);
    r = range(client, "t/lease/k", 0);
    assert_int_equal(r->n, 0); /* revoking deleted the key */
    res_free(r);
    r = res_new();
    assert_int_equal(gd_etcd_lease_keepalive(client, id, on_reply, r), 0);
    assert_int_equal(res_wait(r)->err, -ENOENT);
    res_free(r);
    r = res_new();
    assert_int_equal(gd_etcd_lease_revoke(client, id, on_reply, r), 0);
    assert_int_equal(res_wait(r)->err, -ENOENT);
    res_free(r);
    r = put(client, "t/lease/k", "v", id);
    assert_int_equal(r->err, -ENOENT);
    assert_non_null(strstr(r->msg, "lease not found"));
    res_free(r);
}

/* A key under a lease that is not kept alive disappears, and a watch sees the
 * deletion: how a dead server is noticed. */
static void test_lease_expiry_event(void **state)
{
    coll_t *col = watch(client, "t/expire/", 1, 0);
    int64_t id = grant(client, 1);
    res_t *r = put(client, "t/expire/server", "alive", id);
    uint64_t t0;
    assert_int_equal(r->err, 0);
    res_free(r);
    t0 = gf_time_ms();
    assert_int_equal(coll_wait(col, &col->n, 2, 5000), 2);
    assert_true(gf_time_ms() - t0 < 4000);
    assert_int_equal(col->ev[0].type, GD_ETCD_EV_PUT);
    assert_string_equal(col->ev[0].val, "alive");
    assert_int_equal(col->ev[1].type, GD_ETCD_EV_DELETE);
    assert_string_equal(col->ev[1].key, "t/expire/server");
    assert_true(col->ev[1].rev > col->ev[0].rev);
    coll_free(col);
}

/*
 * Watches.
 */

static void test_watch_history(void **state)
{
    int64_t first = put_ok(client, "t/hist/1", "a");
    put_ok(client, "t/hist/2", "b");
    put_ok(client, "t/other", "not watched");
    put_ok(client, "t/hist/1", "c");
    coll_t *col = watch(client, "t/hist/", 1, first);
    assert_int_equal(coll_wait(col, &col->n, 3, WAIT_MS), 3);
    assert_string_equal(col->ev[0].key, "t/hist/1");
    assert_string_equal(col->ev[0].val, "a");
    assert_int_equal(col->ev[0].rev, first);
    assert_string_equal(col->ev[1].val, "b");
    assert_string_equal(col->ev[2].val, "c");
    assert_true(col->ev[1].rev < col->ev[2].rev);
    coll_free(col);
}

static size_t discard(char *data, size_t size, size_t n, void *userp)
{
    return size * n;
}

/* Compacts etcd's history up to rev, with a blocking request from the test
 * thread (the client has no compaction call: operators compact). */
static void compact(int64_t rev)
{
    char url[128], body[64];
    CURL *e = curl_easy_init();
    long http = 0;
    assert_non_null(e);
    snprintf(url, sizeof(url), "%s/v3/kv/compaction", E.m[1].url);
    snprintf(body, sizeof(body), "{\"revision\":\"%lld\",\"physical\":true}", (long long)rev);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
    assert_int_equal(curl_easy_perform(e), CURLE_OK);
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &http);
    assert_int_equal(http, 200);
    curl_easy_cleanup(e);
}

/* A watch asked to start before the compacted revision is told so (-ESTALE,
 * with the oldest revision kept) and ends. */
static void test_watch_compacted(void **state)
{
    int64_t old = put_ok(client, "t/compact/a", "1");
    int64_t last = put_ok(client, "t/compact/a", "2");
    coll_t *col = coll_new();
    compact(last);
    assert_int_equal(gd_etcd_watch(client, "t/compact/", 1, old, on_watch, col, &col->w), 0);
    assert_int_equal(coll_wait(col, &col->stale, 1, WAIT_MS), 1);
    assert_int_equal(col->n, 0);
    assert_int_equal(col->stale_rev, last);
    put_ok(client, "t/compact/a", "3");
    ec_sleep_ms(100);
    assert_int_equal(coll_wait(col, &col->n, 1, 0), 0); /* ended */
    coll_free(col);
}

/* A watch cancelled from its own callback gets nothing more; another watch on
 * the same keys goes on. */
static void test_watch_cancel_in_callback(void **state)
{
    coll_t *a = watch(client, "t/wc/", 1, 0), *b = watch(client, "t/wc/", 1, 0);
    pthread_mutex_lock(&a->mu);
    a->cancel_in_cb = 1;
    pthread_mutex_unlock(&a->mu);
    put_ok(client, "t/wc/1", "x");
    put_ok(client, "t/wc/2", "y");
    assert_int_equal(coll_wait(b, &b->n, 2, WAIT_MS), 2);
    ec_sleep_ms(100);
    assert_int_equal(coll_wait(a, &a->n, 2, 0), 1);
    assert_null(a->w);
    coll_free(a);
    coll_free(b);
}

/* Member 2 is killed under a watch that can only use it; a change is made
 * through the others; when member 2 is back, the watch resumes and delivers the
 * change, once. */
/* A watch callback that takes its time, and says when it started and ended. */
typedef struct slow {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int established, entered, finished;
} slow_t;

static void on_slow_watch(int err, const gd_etcd_event_t *evs, int n, int64_t rev, void *cookie)
{
    slow_t *sl = cookie;
    pthread_mutex_lock(&sl->mu);
    sl->established = 1;
    sl->entered = n > 0;
    pthread_cond_broadcast(&sl->cv);
    pthread_mutex_unlock(&sl->mu);
    if (n == 0)
        return;
    ec_sleep_ms(300);
    pthread_mutex_lock(&sl->mu);
    sl->finished = 1;
    pthread_mutex_unlock(&sl->mu);
}

/* Waits up to WAIT_MS for *flag (a field of sl) to be set. */
static int slow_wait(slow_t *sl, int *flag)
{
    struct timespec until = ec_after_ms(WAIT_MS);
    int v;
    pthread_mutex_lock(&sl->mu);
    while (!*flag && pthread_cond_timedwait(&sl->cv, &sl->mu, &until) == 0)
        ;
    v = *flag;
    pthread_mutex_unlock(&sl->mu);
    return v;
}

/* Cancelling a watch whose callback runs on another thread returns only once
 * that callback has returned, so its cookie may be freed at once. */
static void test_watch_cancel_waits_for_callback(void **state)
{
    slow_t *sl = calloc(1, sizeof(*sl)); /* left to the callback if the test fails */
    gd_etcd_watch_t *w;
    gd_etcd_t *watcher;
    int finished;
    assert_non_null(sl);
    pthread_mutex_init(&sl->mu, NULL);
    pthread_cond_init(&sl->cv, NULL);
    assert_int_equal(gd_etcd_new(E.urls, E.events, E.timers, NULL, &watcher), 0);
    assert_int_equal(gd_etcd_watch(watcher, "t/slow/", 1, 0, on_slow_watch, sl, &w), 0);
    assert_true(slow_wait(sl, &sl->established));
    put_ok(client, "t/slow/a", "1"); /* another client: its reply does not wait for the watch */
    assert_true(slow_wait(sl, &sl->entered));
    gd_etcd_watch_cancel(w);
    pthread_mutex_lock(&sl->mu);
    finished = sl->finished;
    pthread_mutex_unlock(&sl->mu);
    assert_true(finished);
    gd_etcd_destroy(watcher);
    free(sl);
}

static void test_watch_resume_after_restart(void **state)
{
    gd_etcd_t *only2;
    coll_t *col;
    assert_int_equal(gd_etcd_new(E.m[2].url, E.events, E.timers, NULL, &only2), 0);
    col = watch(only2, "t/resume/", 1, 0);
    put_ok(client, "t/resume/before", "1");
    assert_int_equal(coll_wait(col, &col->n, 1, WAIT_MS), 1);
    ec_kill(&E, 2, SIGKILL);
    put_ok(client, "t/resume/during", "2");
    ec_spawn(&E, 2);
    assert_true(ec_ready(&E, 2));
    assert_int_equal(coll_wait(col, &col->n, 2, WAIT_MS), 2);
    assert_string_equal(col->ev[1].key, "t/resume/during");
    assert_int_equal(col->established, 1); /* a resumed watch is not new */
    put_ok(client, "t/resume/after", "3");
    assert_int_equal(coll_wait(col, &col->n, 3, WAIT_MS), 3);
    assert_string_equal(col->ev[2].key, "t/resume/after");
    ec_sleep_ms(100);
    assert_int_equal(coll_wait(col, &col->n, 4, 0), 3); /* nothing twice */
    coll_free(col);
    gd_etcd_destroy(only2);
}

/*
 * Election.
 */

static void test_election(void **state)
{
    int64_t la = grant(client, 30), lb = grant(client, 30);
    res_t *ca = res_new(), *cb = res_new(), *r;
    coll_t *col = watch(client, "t/elect/", 1, 0); /* how leader changes are seen */
    assert_int_equal(gd_etcd_campaign(client, "t/elect", la, "server-a", on_reply, ca), 0);
    assert_int_equal(res_wait(ca)->err, 0);
    assert_non_null(ca->leader);
    assert_int_equal(ca->leader->lease, la);
    assert_int_equal(gd_etcd_campaign(client, "t/elect", lb, "server-b", on_reply, cb), 0);
    assert_false(res_wait_ms(cb, 300)); /* b waits while a leads */
    r = res_new();
    assert_int_equal(gd_etcd_leader(client, "t/elect", on_reply, r), 0);
    assert_int_equal(res_wait(r)->err, 0);
    assert_string_equal(r->vals[0], "server-a");
    assert_int_equal(r->leases[0], la);
    res_free(r);
    r = res_new();
    assert_int_equal(gd_etcd_resign(client, ca->leader, on_reply, r), 0);
    assert_int_equal(res_wait(r)->err, 0);
    res_free(r);
    assert_int_equal(res_wait(cb)->err, 0); /* b takes over */
    assert_int_equal(cb->leader->lease, lb);
    assert_int_equal(coll_wait(col, &col->n, 3, WAIT_MS), 3); /* a, b candidates; a gone */
    assert_int_equal(col->ev[2].type, GD_ETCD_EV_DELETE);
    assert_string_equal(col->ev[2].key, ca->leader->key);
    coll_free(col);
    r = res_new();
    assert_int_equal(gd_etcd_lease_revoke(client, lb, on_reply, r), 0);
    res_free(res_wait(r));
    r = res_new();
    assert_int_equal(gd_etcd_leader(client, "t/elect", on_reply, r), 0);
    assert_int_equal(res_wait(r)->err, -ENOENT); /* the leader's lease ended: none */
    res_free(r);
    res_free(ca);
    res_free(cb);
    r = res_new();
    assert_int_equal(gd_etcd_lease_revoke(client, la, on_reply, r), 0);
    res_free(res_wait(r));
}

/*
 * Failover and failure.
 */

/* The first URL has nothing listening: requests go to the second. */
static void test_failover_dead_url(void **state)
{
    char urls[256];
    int fd, port = ec_free_port(&fd);
    gd_etcd_t *c;
    res_t *r;
    close(fd);
    snprintf(urls, sizeof(urls), "http://127.0.0.1:%d,%s", port, E.m[1].url);
    assert_int_equal(gd_etcd_new(urls, E.events, E.timers, NULL, &c), 0);
    r = put(c, "t/fail/a", "via second", 0);
    assert_int_equal(r->err, 0);
    res_free(r);
    assert_int_equal(gd_etcd_requests(c), 2);
    r = range(c, "t/fail/a", 0); /* the client stays on the member that works */
    assert_string_equal(r->vals[0], "via second");
    res_free(r);
    assert_int_equal(gd_etcd_requests(c), 3);
    gd_etcd_destroy(c);
}

/* The member the client uses is killed: the next requests go to another, the
 * cluster keeps its quorum, and the member rejoins. */
static void test_failover_member_killed(void **state)
{
    res_t *r;
    put_ok(client, "t/fail/b", "before");
    ec_kill(&E, 0, SIGKILL);
    r = put(client, "t/fail/b", "after", 0);
    assert_int_equal(r->err, 0);
    res_free(r);
    r = range(client, "t/fail/b", 0);
    assert_string_equal(r->vals[0], "after");
    res_free(r);
    ec_spawn(&E, 0);
    assert_true(ec_ready(&E, 0));
}

/* The member a client uses hangs (SIGSTOP): the attempt times out and the
 * request is answered by another member. */
static void test_failover_member_hung(void **state)
{
    gd_etcd_opts_t opts = {.attempt_ms = 400};
    gd_etcd_t *c = NULL;
    res_t *r;
    uint64_t t0;
    for (int tries = 0; tries < 20 && !c; tries++) { /* until member 0 answers first */
        assert_int_equal(gd_etcd_new(E.urls, E.events, E.timers, &opts, &c), 0);
        put_ok(c, "t/hung", "before");
        if (gd_etcd_requests(c) != 1) {
            gd_etcd_destroy(c);
            c = NULL;
            ec_sleep_ms(100);
        }
    }
    assert_non_null(c);
    kill(E.m[0].pid, SIGSTOP);
    t0 = gf_time_ms();
    r = range(c, "t/hung", 0);
    kill(E.m[0].pid, SIGCONT);
    assert_int_equal(r->err, 0);
    assert_string_equal(r->vals[0], "before");
    assert_true(gf_time_ms() - t0 >= 390); /* the attempt on member 0 timed out */
    assert_true(gd_etcd_requests(c) >= 3);
    res_free(r);
    gd_etcd_destroy(c);
}

/* A client told to start at member 1 sends there first: with member 0 hung, its
 * request is answered at the first attempt. */
static void test_first_member(void **state)
{
    gd_etcd_opts_t opts = {.first_member = 4}; /* modulo 3: member 1 */
    gd_etcd_t *c;
    res_t *r;
    assert_int_equal(gd_etcd_new(E.urls, E.events, E.timers, &opts, &c), 0);
    kill(E.m[0].pid, SIGSTOP);
    r = put(c, "t/first", "1", 0);
    kill(E.m[0].pid, SIGCONT);
    assert_int_equal(r->err, 0);
    assert_int_equal(gd_etcd_requests(c), 1);
    res_free(r);
    gd_etcd_destroy(c);
}

/* A member that is alive but slow (the two others hang for a while, too short
 * for an election) is waited for: a txn sent to it is applied and answered
 * rather than given up as "outcome unknown" when the attempt limit passes. */
static void test_slow_member_waited_for(void **state)
{
    gd_etcd_cmp_t cmp = {.key = "t/slow", .target = GD_ETCD_VERSION, .result = GD_ETCD_EQUAL};
    gd_etcd_op_t put_op = {.type = GD_ETCD_OP_PUT, .key = "t/slow", .value = "1", .value_len = 1};
    gd_etcd_txn_t t = {.cmps = &cmp, .n_cmps = 1, .success = &put_op, .n_success = 1};
    gd_etcd_opts_t opts = {.attempt_ms = 300, .deadline_ms = 5000};
    ec_cluster_t slow;
    gd_etcd_t *c;
    res_t *r = res_new();
    assert_int_equal(ec_start_timed(&slow, E.etcd, 3000), 0);
    assert_int_equal(gd_etcd_new(slow.urls, slow.events, slow.timers, &opts, &c), 0);
    res_free(put(c, "t/warm", "1", 0)); /* its member's term is known */
    kill(slow.m[1].pid, SIGSTOP);
    kill(slow.m[2].pid, SIGSTOP);
    assert_int_equal(gd_etcd_txn(c, &t, on_reply, r), 0);
    ec_sleep_ms(1200); /* four attempt limits */
    kill(slow.m[1].pid, SIGCONT);
    kill(slow.m[2].pid, SIGCONT);
    res_wait(r);
    assert_int_equal(r->err, 0);
    assert_int_equal(r->succeeded, 1);
    res_free(r);
    r = range(c, "t/slow", 0);
    assert_int_equal(r->n, 1);
    res_free(r);
    gd_etcd_destroy(c);
    ec_stop(&slow);
}

/* Two members of three hang: no majority, so no member can answer; the request
 * fails within its deadline as unreachable, and works again once they resume. */
static void test_no_quorum(void **state)
{
    gd_etcd_opts_t opts = {.attempt_ms = 300, .deadline_ms = 1500};
    gd_etcd_t *c;
    res_t *r;
    uint64_t t0;
    assert_int_equal(gd_etcd_new(E.urls, E.events, E.timers, &opts, &c), 0);
    kill(E.m[1].pid, SIGSTOP);
    kill(E.m[2].pid, SIGSTOP);
    t0 = gf_time_ms();
    r = put(c, "t/quorum", "lost", 0);
    kill(E.m[1].pid, SIGCONT);
    kill(E.m[2].pid, SIGCONT);
    assert_true(gf_time_ms() - t0 <= 1700);
    assert_int_equal(r->err, -EHOSTUNREACH);
    assert_non_null(strstr(r->msg, "monitor cluster unreachable"));
    res_free(r);
    r = put(c, "t/quorum", "back", 0);
    assert_int_equal(r->err, 0);
    res_free(r);
    gd_etcd_destroy(c);
}

/* No member answers: the request fails within its deadline, with a message
 * naming the monitor cluster and every member tried. */
static void test_unreachable_bounded(void **state)
{
    gd_etcd_opts_t opts = {.deadline_ms = 1500};
    char urls[256], ua[64], ub[64];
    int fa, fb, pa = ec_free_port(&fa), pb = ec_free_port(&fb);
    gd_etcd_t *c;
    res_t *r = res_new();
    uint64_t t0;
    close(fa);
    close(fb);
    snprintf(ua, sizeof(ua), "http://127.0.0.1:%d", pa);
    snprintf(ub, sizeof(ub), "http://127.0.0.1:%d", pb);
    snprintf(urls, sizeof(urls), "%s,%s", ua, ub);
    assert_int_equal(gd_etcd_new(urls, E.events, E.timers, &opts, &c), 0);
    t0 = gf_time_ms();
    assert_int_equal(gd_etcd_range(c, "k", 0, on_reply, r), 0);
    assert_true(res_wait_ms(r, 3000));
    assert_true(gf_time_ms() - t0 <= 1600);
    assert_true(gf_time_ms() - t0 >= 1200); /* it used its time */
    assert_int_equal(r->err, -EHOSTUNREACH);
    assert_non_null(strstr(r->msg, "monitor cluster unreachable: tried "));
    assert_non_null(strstr(r->msg, ua));
    assert_non_null(strstr(r->msg, ub));
    assert_non_null(strstr(r->msg, "within 1.5 s"));
    assert_true(gd_etcd_requests(c) >= 6); /* several rounds over both */
    res_free(r);
    gd_etcd_destroy(c);
}

/* Destroying a client with a campaign waiting and a watch open returns at once
 * and calls no callback. */
static void test_destroy_in_flight(void **state)
{
    int64_t la = grant(client, 30), lb = grant(client, 30);
    gd_etcd_t *c;
    res_t *ca = res_new(), *cb = res_new(), *r;
    coll_t *col;
    assert_int_equal(gd_etcd_new(E.urls, E.events, E.timers, NULL, &c), 0);
    assert_int_equal(gd_etcd_campaign(client, "t/destroy", la, "a", on_reply, ca), 0);
    assert_int_equal(res_wait(ca)->err, 0);
    assert_int_equal(gd_etcd_campaign(c, "t/destroy", lb, "b", on_reply, cb), 0);
    col = watch(c, "t/destroy-watch/", 1, 0);
    col->w = NULL; /* freed by gd_etcd_destroy */
    ec_sleep_ms(100);
    gd_etcd_destroy(c);
    put_ok(client, "t/destroy-watch/x", "1");
    r = res_new();
    assert_int_equal(gd_etcd_lease_revoke(client, la, on_reply, r), 0); /* b would win now */
    res_free(res_wait(r));
    assert_false(res_wait_ms(cb, 300));
    assert_int_equal(coll_wait(col, &col->n, 1, 0), 0);
    r = res_new();
    assert_int_equal(gd_etcd_lease_revoke(client, lb, on_reply, r), 0);
    res_free(res_wait(r));
    res_free(ca);
    res_free(cb);
    coll_free(col);
}

/* Runs on an event thread: a client made, sent a request and destroyed at once,
 * while the task that would drive it is still queued. */
static void destroy_task(void *data)
{
    res_t *done = data, *r = res_new();
    gd_etcd_t *c;
    int err = gd_etcd_new(E.urls, E.events, E.timers, NULL, &c);
    if (!err)
        err = gd_etcd_range(c, "t/any", 0, on_reply, r);
    gd_etcd_destroy(c);
    pthread_mutex_lock(&r->mu);
    done->err = err ? err : r->done; /* 0 when the request was dropped */
    pthread_mutex_unlock(&r->mu);
    free(r); /* safe: no callback can come after destroy */
    on_reply(&(gd_etcd_reply_t){.err = done->err}, done);
}

static void test_destroy_on_event_thread(void **state)
{
    res_t *done = res_new();
    assert_int_equal(gf_event_post(E.events, destroy_task, done), 0);
    assert_int_equal(res_wait(done)->err, 0);
    res_free(done);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codec_base64),
        cmocka_unit_test(test_codec_prefix_end),
        cmocka_unit_test(test_put_range),
        cmocka_unit_test(test_range_prefix),
        cmocka_unit_test(test_delete),
        cmocka_unit_test(test_binary_value),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_txn_create_once),
        cmocka_unit_test(test_txn_conflict),
        cmocka_unit_test(test_txn_value_compare),
        cmocka_unit_test(test_lease_ops),
        cmocka_unit_test(test_lease_expiry_event),
        cmocka_unit_test(test_watch_history),
        cmocka_unit_test(test_watch_compacted),
        cmocka_unit_test(test_watch_cancel_in_callback),
        cmocka_unit_test(test_watch_cancel_waits_for_callback),
        cmocka_unit_test(test_watch_resume_after_restart),
        cmocka_unit_test(test_election),
        cmocka_unit_test(test_failover_dead_url),
        cmocka_unit_test(test_failover_member_killed),
        cmocka_unit_test(test_failover_member_hung),
        cmocka_unit_test(test_first_member),
        cmocka_unit_test(test_slow_member_waited_for),
        cmocka_unit_test(test_no_quorum),
        cmocka_unit_test(test_unreachable_bounded),
        cmocka_unit_test(test_destroy_in_flight),
        cmocka_unit_test(test_destroy_on_event_thread),
    };
    const char *etcd = ec_find_etcd();
    if (!etcd) {
        fprintf(stderr, "test-etcd: no etcd binary (install Debian's etcd-server): skipped\n");
        return 77;
    }
    signal(SIGPIPE, SIG_IGN);
    E.etcd = etcd;
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
