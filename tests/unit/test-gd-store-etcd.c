/*
 * Tests of the store's etcd backend (glusterd/src/store-etcd.c, through store.h)
 * against a real 3-member etcd cluster (etcd-cluster.h); exits 77 (skipped) when
 * there is no etcd binary. Each case uses its own key prefix.
 *
 * Covered: get, list, guarded transactions and the keys' layout in etcd; a
 * bounded "monitor cluster unreachable" error; watches (established first, keys
 * without the prefix, deletes, prefix filtering, cancel); session keys bound to
 * the lease, gone when the lease is revoked, and the session's down/up when
 * that happens; the session lost and regained while its only member hangs;
 * elections (one leader among two stores, hand-over when the leader's store is
 * closed, leadership lost and won again with the session).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "etcd-client.h"
#include "etcd-cluster.h"
#include "glusterfs/mem.h"
#include "store-etcd.h"

#define WAIT_MS  10000
#define MAX_SEEN 32
#define TTL_S    2

static ec_cluster_t E;
static gd_etcd_t *raw; /* a plain client, to look at etcd and revoke leases */

/*
 * What callbacks reported, copied out of them (they run on event threads).
 */

typedef struct box {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done; /* get, list, txn, raw requests: answers */
    int err;
    uint64_t rev;
    int64_t lease; /* raw: the first key's lease */
    int n;         /* keys, or watch changes, recorded */
    char keys[MAX_SEEN][64];
    char vals[MAX_SEEN][64];
    uint64_t revs[MAX_SEEN];
    int deleted[MAX_SEEN];
    int calls;            /* watch, session, election calls */
    int states[MAX_SEEN]; /* session, election: the state; watch: n */
} box_t;

static box_t *box_new(void)
{
    box_t *b = calloc(1, sizeof(*b));
    assert_non_null(b);
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->cv, NULL);
    return b;
}

/* Records kv as the next key of b. b->mu held. */
static void box_key(box_t *b, const gd_kv_t *kv, int deleted)
{
    if (b->n >= MAX_SEEN)
        return;
    snprintf(b->keys[b->n], sizeof(b->keys[0]), "%s", kv->key);
    snprintf(b->vals[b->n], sizeof(b->vals[0]), "%.*s", (int)kv->len, kv->value);
    b->revs[b->n] = kv->rev;
    b->deleted[b->n++] = deleted;
}

static void box_done(box_t *b, int err, uint64_t rev)
{
    b->err = err;
    b->rev = rev;
    b->done++;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
}

static void on_get(int err, const gd_kv_t *kv, void *cookie)
{
    box_t *b = cookie;
    pthread_mutex_lock(&b->mu);
    if (kv)
        box_key(b, kv, 0);
    box_done(b, err, kv ? kv->rev : 0);
}

static void on_list(int err, const gd_kv_t *kvs, int n, void *cookie)
{
    box_t *b = cookie;
    pthread_mutex_lock(&b->mu);
    for (int i = 0; i < n; i++)
        box_key(b, &kvs[i], 0);
    box_done(b, err, 0);
}

static void on_txn(int err, uint64_t rev, void *cookie)
{
    box_t *b = cookie;
    pthread_mutex_lock(&b->mu);
    box_done(b, err, rev);
}

static void on_raw(const gd_etcd_reply_t *r, void *cookie)
{
    box_t *b = cookie;
    pthread_mutex_lock(&b->mu);
    for (int i = 0; i < r->n_kvs; i++) {
        gd_kv_t kv = {.key = r->kvs[i].key,
                      .value = r->kvs[i].value,
                      .len = r->kvs[i].value_len,
                      .rev = (uint64_t)r->kvs[i].mod_rev};
        box_key(b, &kv, 0);
    }
    b->lease = r->n_kvs ? r->kvs[0].lease : 0;
    box_done(b, r->err, (uint64_t)r->rev);
}

static void on_watch(const gd_store_event_t *evs, int n, void *cookie)
{
    box_t *b = cookie;
    pthread_mutex_lock(&b->mu);
    if (b->calls < MAX_SEEN)
        b->states[b->calls] = n;
    b->calls++;
    for (int i = 0; i < n; i++)
        box_key(b, &evs[i].kv, evs[i].deleted);
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
}

/* Session and election callbacks. */
static void on_state(int state, void *cookie)
{
    box_t *b = cookie;
    pthread_mutex_lock(&b->mu);
    if (b->calls < MAX_SEEN)
        b->states[b->calls] = state;
    b->calls++;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
}

/* Waits up to ms for *counter (a field of b) to reach want; returns its value. */
static int box_wait(box_t *b, int *counter, int want, long ms)
{
    struct timespec until = ec_after_ms(ms);
    int v;
    pthread_mutex_lock(&b->mu);
    while (*counter < want && pthread_cond_timedwait(&b->cv, &b->mu, &until) == 0)
        ;
    v = *counter;
    pthread_mutex_unlock(&b->mu);
    return v;
}

/* Waits for b's answer and returns its error. */
static int box_err(box_t *b)
{
    assert_int_equal(box_wait(b, &b->done, 1, WAIT_MS), 1);
    return b->err;
}

/*
 * Store and raw calls, waited for.
 */

static gd_store_t *open_store(const char *urls, const char *prefix, const gd_etcd_opts_t *opts)
{
    gd_store_t *st;
    assert_int_equal(gd_store_etcd_open(urls, prefix, E.events, E.timers, opts, &st), 0);
    return st;
}

/* Runs txn (and frees it); returns its error, its revision in *rev if wanted. */
static int run_txn(gd_store_t *st, gd_txn_t *t, uint64_t *rev)
{
    box_t *b = box_new();
    int err;
    gd_store_txn(st, t, on_txn, b);
    gd_txn_free(t);
    err = box_err(b);
    if (rev)
        *rev = b->rev;
    free(b);
    return err;
}

static uint64_t put(gd_store_t *st, const char *key, const char *val)
{
    gd_txn_t *t = gd_txn_new();
    uint64_t rev;
    gd_txn_put_str(t, key, val);
    assert_int_equal(run_txn(st, t, &rev), 0);
    return rev;
}

static int put_session(gd_store_t *st, const char *key, const char *val)
{
    gd_txn_t *t = gd_txn_new();
    gd_txn_put_session(t, key, val);
    return run_txn(st, t, NULL);
}

static int guarded_put(gd_store_t *st, const char *key, uint64_t guard, const char *val)
{
    gd_txn_t *t = gd_txn_new();
    gd_txn_guard(t, key, guard);
    gd_txn_put_str(t, key, val);
    return run_txn(st, t, NULL);
}

/* Reads etcd key key with the raw client (box_t to free). */
static box_t *raw_get(const char *key)
{
    box_t *b = box_new();
    assert_int_equal(gd_etcd_range(raw, key, 0, on_raw, b), 0);
    assert_int_equal(box_err(b), 0);
    return b;
}

static void raw_revoke(int64_t lease)
{
    box_t *b = box_new();
    assert_int_equal(gd_etcd_lease_revoke(raw, lease, on_raw, b), 0);
    assert_int_equal(box_err(b), 0);
    free(b);
}

/* Opens st's session and waits until it is up. */
static void session_up(gd_store_t *st, box_t *sess, int ttl_s)
{
    assert_int_equal(gd_store_session_open(st, ttl_s, on_state, sess), 0);
    assert_int_equal(box_wait(sess, &sess->calls, 1, WAIT_MS), 1);
    assert_int_equal(sess->states[0], 1);
}

/*
 * The cases.
 */

static void test_store_backend(void **state)
{
    gd_store_t *st = open_store(E.urls, "/gfs-test", NULL);
    uint64_t rev = put(st, "vol/v1/info", "type=distribute");
    box_t *b;
    put(st, "vol/v1/brick/0", "h1:/b0");
    put(st, "vol/v2/info", "x");
    b = box_new();
    gd_store_get(st, "vol/v1/info", on_get, b);
    assert_int_equal(box_err(b), 0);
    assert_string_equal(b->keys[0], "vol/v1/info");
    assert_string_equal(b->vals[0], "type=distribute");
    assert_int_equal(b->revs[0], rev);
    free(b);
    b = box_new();
    gd_store_list(st, "vol/v1/", on_list, b);
    assert_int_equal(box_err(b), 0);
    assert_int_equal(b->n, 2);
    assert_string_equal(b->keys[0], "vol/v1/brick/0");
    assert_string_equal(b->keys[1], "vol/v1/info");
    free(b);
    assert_int_equal(guarded_put(st, "vol/v1/info", rev, "type=replicate"), 0);
    assert_int_equal(guarded_put(st, "vol/v1/info", rev, "stale"), -ECANCELED);
    assert_int_equal(guarded_put(st, "vol/v2/info", 0, "exists"), -ECANCELED);
    assert_int_equal(guarded_put(st, "vol/v3/info", 0, "new"), 0);
    b = box_new();
    gd_store_delete(st, "vol/v2/info", on_txn, b);
    assert_int_equal(box_err(b), 0);
    free(b);
    b = box_new();
    gd_store_get(st, "vol/v2/info", on_get, b);
    assert_int_equal(box_err(b), -ENOENT);
    free(b);
    b = raw_get("/gfs-test/vol/v1/info"); /* the layout in etcd */
    assert_int_equal(b->n, 1);
    assert_string_equal(b->vals[0], "type=replicate");
    free(b);
    gd_store_destroy(st);
}

static void test_store_unreachable(void **state)
{
    gd_etcd_opts_t opts = {.deadline_ms = 500};
    gd_store_t *st;
    box_t *b = box_new();
    char msg[1024], url[64];
    int fd, port = ec_free_port(&fd);
    close(fd);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
    st = open_store(url, NULL, &opts);
    gd_store_get(st, "vol/x/info", on_get, b);
    assert_int_equal(box_err(b), -EHOSTUNREACH);
    gd_store_strerror(st, -EHOSTUNREACH, msg, sizeof(msg));
    assert_non_null(strstr(msg, "monitor cluster unreachable"));
    assert_non_null(strstr(msg, url));
    gd_store_strerror(st, -ENOTCONN, msg, sizeof(msg)); /* no session: names the cluster */
    assert_non_null(strstr(msg, "monitor cluster"));
    assert_non_null(strstr(msg, url));
    assert_int_equal(put_session(st, "alive/x", "1"), -ENOTCONN);
    assert_int_equal(gd_store_elect(st, "coord", "x", on_state, b), -ENOTCONN);
    free(b);
    gd_store_destroy(st);
}

/* A watch reports "established" first, then the changes under its prefix with
 * the store's prefix taken off, deletes as deleted; another store's keys and
 * keys outside the prefix are not seen; nothing after cancel. */
static void test_watch(void **state)
{
    gd_store_t *st = open_store(E.urls, "/gfs-w", NULL),
               *other = open_store(E.urls, "/gfs-w2", NULL);
    box_t *b = box_new();
    gd_store_watch_t *w;
    uint64_t r1, r3, r4;
    gd_txn_t *t;
    assert_int_equal(gd_store_watch(st, "vol/", on_watch, b, &w), 0);
    assert_int_equal(box_wait(b, &b->calls, 1, WAIT_MS), 1);
    assert_int_equal(b->states[0], 0);
    r1 = put(st, "vol/a", "1");
    put(st, "srv/x", "not under vol/");
    put(other, "vol/z", "another store");
    t = gd_txn_new();
    gd_txn_delete(t, "vol/a");
    assert_int_equal(run_txn(st, t, &r3), 0);
    t = gd_txn_new();
    gd_txn_put_str(t, "vol/b", "b");
    gd_txn_put_str(t, "vol/c", "c");
    assert_int_equal(run_txn(st, t, &r4), 0);
    assert_int_equal(box_wait(b, &b->n, 4, WAIT_MS), 4);
    assert_string_equal(b->keys[0], "vol/a");
    assert_string_equal(b->vals[0], "1");
    assert_int_equal(b->revs[0], r1);
    assert_false(b->deleted[0]);
    assert_string_equal(b->keys[1], "vol/a");
    assert_true(b->deleted[1]);
    assert_string_equal(b->vals[1], "");
    assert_int_equal(b->revs[1], r3);
    assert_string_equal(b->keys[2], "vol/b");
    assert_string_equal(b->keys[3], "vol/c");
    assert_int_equal(b->revs[2], r4);
    assert_int_equal(b->revs[3], r4);
    gd_store_watch_cancel(w);
    put(st, "vol/after", "not seen");
    put(st, "vol/sync", "x");
    ec_sleep_ms(200);
    assert_int_equal(box_wait(b, &b->n, 5, 0), 4);
    free(b);
    gd_store_destroy(other);
    gd_store_destroy(st);
}

/* Session keys carry the session's lease: revoking it deletes them (a watch sees
 * it), the session is reported down then up with a new lease, and an election
 * won in the first session is lost with it and won again in the next. */
static void test_session_lease_revoked(void **state)
{
    gd_store_t *st = open_store(E.urls, "/gfs-s", NULL);
    box_t *sess = box_new(), *el = box_new(), *wb = box_new(), *b;
    gd_store_watch_t *w;
    int64_t lease;
    assert_int_equal(put_session(st, "alive/me", "1"), -ENOTCONN);
    session_up(st, sess, 3);
    assert_int_equal(gd_store_session_open(st, 3, on_state, sess), -EEXIST);
    assert_int_equal(gd_store_elect(st, "coord", "me", on_state, el), 0);
    assert_int_equal(box_wait(el, &el->calls, 1, WAIT_MS), 1);
    assert_int_equal(el->states[0], 1);
    assert_int_equal(gd_store_watch(st, "alive/", on_watch, wb, &w), 0);
    assert_int_equal(box_wait(wb, &wb->calls, 1, WAIT_MS), 1);
    assert_int_equal(put_session(st, "alive/me", "1"), 0);
    b = raw_get("/gfs-s/alive/me");
    lease = b->lease;
    assert_true(lease != 0);
    free(b);

    raw_revoke(lease);
    assert_int_equal(box_wait(wb, &wb->n, 2, WAIT_MS), 2); /* put, then deleted with the lease */
    assert_true(wb->deleted[1]);
    assert_int_equal(box_wait(sess, &sess->calls, 3, WAIT_MS), 3);
    assert_int_equal(sess->states[1], 0);
    assert_int_equal(sess->states[2], 1);
    assert_int_equal(box_wait(el, &el->calls, 3, WAIT_MS), 3); /* lost, then won again */
    assert_int_equal(el->states[1], 0);
    assert_int_equal(el->states[2], 1);
    assert_int_equal(put_session(st, "alive/me", "2"), 0);
    b = raw_get("/gfs-s/alive/me");
    assert_true(b->lease != 0 && b->lease != lease);
    free(b);
    gd_store_watch_cancel(w);
    gd_store_destroy(st);
    free(sess);
    free(el);
    free(wb);
}

/* Two stores campaign: one leads. The other loses its session while it waits
 * and campaigns again in the next; when the leader's store is closed, its lease
 * expires and the other leads, once (its campaign from the lost session, which
 * etcd answers as won too, is not taken for a win). */
static void test_elect_hand_over(void **state)
{
    gd_store_t *a = open_store(E.urls, "/gfs-e", NULL), *b = open_store(E.urls, "/gfs-e", NULL);
    box_t *sa = box_new(), *sb = box_new(), *ea = box_new(), *eb = box_new(), *r;
    int64_t lost;
    session_up(a, sa, TTL_S);
    assert_int_equal(gd_store_elect(a, "coord", "server-a", on_state, ea), 0);
    assert_int_equal(box_wait(ea, &ea->calls, 1, WAIT_MS), 1);
    assert_int_equal(ea->states[0], 1);
    session_up(b, sb, TTL_S);
    assert_int_equal(gd_store_elect(b, "coord", "server-b", on_state, eb), 0);
    assert_int_equal(box_wait(eb, &eb->calls, 1, 500), 0); /* b waits while a leads */
    assert_int_equal(put_session(b, "alive/b", "1"), 0);
    r = raw_get("/gfs-e/alive/b");
    lost = r->lease;
    free(r);
    raw_revoke(lost);
    assert_int_equal(box_wait(sb, &sb->calls, 3, WAIT_MS), 3); /* down, then up again */
    assert_int_equal(sb->states[1], 0);
    assert_int_equal(sb->states[2], 1);

    gd_store_destroy(a);
    assert_int_equal(box_wait(eb, &eb->calls, 1, WAIT_MS), 1);
    assert_int_equal(eb->states[0], 1);
    r = box_new();
    assert_int_equal(gd_etcd_leader(raw, "/gfs-e/coord", on_raw, r), 0);
    assert_int_equal(box_err(r), 0);
    assert_string_equal(r->vals[0], "server-b");
    assert_true(r->lease != 0 && r->lease != lost);
    free(r);
    ec_sleep_ms(300);
    assert_int_equal(box_wait(eb, &eb->calls, 2, 0), 1);
    assert_int_equal(sa->calls, 1);
    gd_store_destroy(b);
    free(sa);
    free(sb);
    free(ea);
    free(eb);
}

/* The store's only member hangs: the session is reported lost once its TTL
 * passes without a renewal, with a message naming the member; when the member
 * resumes, the session is up again. */
static void test_session_member_hung(void **state)
{
    gd_etcd_opts_t opts = {.deadline_ms = 1000, .attempt_ms = 300};
    gd_store_t *st = open_store(E.m[2].url, "/gfs-h", &opts);
    box_t *sess = box_new();
    char msg[1024] = "";
    session_up(st, sess, TTL_S);
    kill(E.m[2].pid, SIGSTOP);
    assert_int_equal(box_wait(sess, &sess->calls, 2, WAIT_MS), 2);
    assert_int_equal(sess->states[1], 0);
    for (int tries = 0; tries < 50 && !strstr(msg, "unreachable"); tries++) {
        ec_sleep_ms(100); /* until a keepalive has failed */
        gd_store_strerror(st, -EHOSTUNREACH, msg, sizeof(msg));
    }
    assert_non_null(strstr(msg, "monitor cluster unreachable"));
    assert_non_null(strstr(msg, E.m[2].url));
    kill(E.m[2].pid, SIGCONT);
    assert_int_equal(box_wait(sess, &sess->calls, 3, WAIT_MS), 3);
    assert_int_equal(sess->states[2], 1);
    assert_int_equal(put_session(st, "alive/h", "1"), 0);
    ec_sleep_ms(300);
    assert_int_equal(box_wait(sess, &sess->calls, 4, 0), 3); /* lost once, back once */
    gd_store_destroy(st);
    free(sess);
}

static int group_setup(void **state)
{
    if (ec_start(&E, E.etcd) != 0)
        return -1;
    return gd_etcd_new(E.urls, E.events, E.timers, NULL, &raw);
}

static int group_teardown(void **state)
{
    gd_etcd_destroy(raw);
    ec_stop(&E);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_backend),   cmocka_unit_test(test_store_unreachable),
        cmocka_unit_test(test_watch),           cmocka_unit_test(test_session_lease_revoked),
        cmocka_unit_test(test_elect_hand_over), cmocka_unit_test(test_session_member_hung),
    };
    const char *etcd = ec_find_etcd();
    if (!etcd) {
        fprintf(stderr, "test-gd-store-etcd: no etcd binary (install Debian's etcd-server): "
                        "skipped\n");
        return 77;
    }
    signal(SIGPIPE, SIG_IGN);
    E.etcd = etcd;
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
