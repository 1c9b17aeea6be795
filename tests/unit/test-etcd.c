/*
 * Tests of the etcd client (glusterd/src/etcd-client.c, etcd-codec.c) and of the
 * store's etcd backend (store-etcd.c) against a real etcd: the test starts a
 * 3-member cluster from Debian's etcd-server (the binary "etcd" on PATH, or
 * $ETCD) on 127.0.0.1 with free ports and data in a temporary folder, never on
 * etcd's default ports 2379/2380, and stops it by PID at the end. Exits 77
 * (skipped) when there is no etcd binary.
 *
 * Covered: put, range (key, prefix), delete, txn (success, conflict, value and
 * version compares), binary values, leases (grant, keepalive, revoke, expiry
 * seen by a watch as a DELETE), watches (history, compacted history, cancel,
 * resumption after the member restarts), election (campaign, leader, resign, hand-over), failover
 * to another member (refused, killed, hung), a bounded "monitor cluster unreachable" error (no
 * member, no majority), destroying a client with requests in flight (also from an event thread),
 * and the store backend through store.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "etcd-client.h"
#include "etcd-codec.h"
#include "glusterfs/event.h"
#include "glusterfs/mem.h"
#include "glusterfs/timer.h"
#include "store-etcd.h"

#define N_MEMBERS  3
#define WAIT_MS    10000
#define MAX_KVS    16
#define MAX_EVENTS 64

typedef struct member {
    int client_port, peer_port;
    char url[64];
    pid_t pid;
} member_t;

static struct {
    const char *etcd;
    char dir[256];
    member_t m[N_MEMBERS];
    char urls[256];
    gf_event_pool_t *events;
    gf_timer_wheel_t *timers;
    gd_etcd_t *c; /* a client of all members */
} T;

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* A deadline for pthread_cond_timedwait, ms from now. */
static struct timespec abs_after(long ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

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
    struct timespec until = abs_after(ms);
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
    struct timespec until = abs_after(ms);
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

/*
 * The cluster.
 */

/* A free TCP port on 127.0.0.1; its socket stays open in *fd until the caller
 * has chosen all its ports, so no port is chosen twice. */
static int free_port(int *fd)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    *fd = socket(AF_INET, SOCK_STREAM, 0);
    if (*fd < 0 || bind(*fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
        getsockname(*fd, (struct sockaddr *)&a, &len) < 0)
        return -1;
    return ntohs(a.sin_port);
}

static int choose_ports(void)
{
    int fds[2 * N_MEMBERS];
    int ok = 1;
    for (int i = 0; i < N_MEMBERS; i++) {
        T.m[i].client_port = free_port(&fds[2 * i]);
        T.m[i].peer_port = free_port(&fds[2 * i + 1]);
        ok = ok && T.m[i].client_port > 0 && T.m[i].peer_port > 0 && T.m[i].client_port != 2379 &&
             T.m[i].peer_port != 2380;
        snprintf(T.m[i].url, sizeof(T.m[i].url), "http://127.0.0.1:%d", T.m[i].client_port);
    }
    for (int i = 0; i < 2 * N_MEMBERS; i++)
        close(fds[i]);
    snprintf(T.urls, sizeof(T.urls), "%s,%s,%s", T.m[0].url, T.m[1].url, T.m[2].url);
    return ok ? 0 : -1;
}

/* Runs member i (its data in T.dir/m<i>, its log in T.dir/m<i>.log); the same
 * command restarts it on its existing data. */
static void spawn_member(int i)
{
    char name[8], data[PATH_MAX], log[PATH_MAX], peer[64], cluster[512], token[64];
    size_t off = 0;
    pid_t pid;
    snprintf(name, sizeof(name), "m%d", i);
    snprintf(data, sizeof(data), "%s/m%d", T.dir, i);
    snprintf(log, sizeof(log), "%s/m%d.log", T.dir, i);
    snprintf(peer, sizeof(peer), "http://127.0.0.1:%d", T.m[i].peer_port);
    snprintf(token, sizeof(token), "gfs-test-%d", (int)getpid());
    for (int k = 0; k < N_MEMBERS; k++)
        off += (size_t)snprintf(cluster + off, sizeof(cluster) - off, "%sm%d=http://127.0.0.1:%d",
                                k ? "," : "", k, T.m[k].peer_port);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execlp(T.etcd, "etcd", "--name", name, "--data-dir", data, "--listen-client-urls",
               T.m[i].url, "--advertise-client-urls", T.m[i].url, "--listen-peer-urls", peer,
               "--initial-advertise-peer-urls", peer, "--initial-cluster", cluster,
               "--initial-cluster-state", "new", "--initial-cluster-token", token,
               "--heartbeat-interval", "25", "--election-timeout", "250", (char *)NULL);
        _exit(127);
    }
    T.m[i].pid = pid;
}

static void stop_member(int i, int sig)
{
    if (T.m[i].pid <= 0)
        return;
    kill(T.m[i].pid, sig);
    waitpid(T.m[i].pid, NULL, 0);
    T.m[i].pid = 0;
}

/* Waits until member i answers a linearizable read (it is up and has a leader). */
static int member_ready(int i)
{
    gd_etcd_opts_t opts = {.deadline_ms = 300, .attempt_ms = 300};
    gd_etcd_t *c;
    int ok = 0;
    if (gd_etcd_new(T.m[i].url, T.events, T.timers, &opts, &c) != 0)
        return 0;
    for (int tries = 0; tries < 60 && !ok; tries++) {
        res_t *r = res_new();
        if (gd_etcd_range(c, "ready", 0, on_reply, r) == 0 && res_wait_ms(r, 2000))
            ok = r->err == 0;
        res_free(r);
        if (!ok)
            sleep_ms(100);
    }
    gd_etcd_destroy(c);
    return ok;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

/* The etcd binary: $ETCD, or "etcd" found on PATH; NULL when there is none. */
static const char *find_etcd(void)
{
    static char found[PATH_MAX];
    const char *env = getenv("ETCD"), *path = getenv("PATH");
    char *copy, *save = NULL;
    if (env && *env)
        return access(env, X_OK) == 0 ? env : NULL;
    copy = strdup(path ? path : "/usr/bin:/bin");
    for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        snprintf(found, sizeof(found), "%s/etcd", d);
        if (access(found, X_OK) == 0) {
            free(copy);
            return found;
        }
    }
    free(copy);
    return NULL;
}

static int group_setup(void **state)
{
    snprintf(T.dir, sizeof(T.dir), "/tmp/gfs-test-etcd-XXXXXX");
    if (!mkdtemp(T.dir) || choose_ports() != 0)
        return -1;
    T.events = gf_event_pool_new(2);
    T.timers = gf_timer_wheel_new();
    if (!T.events || !T.timers)
        return -1;
    for (int i = 0; i < N_MEMBERS; i++)
        spawn_member(i);
    for (int i = 0; i < N_MEMBERS; i++) {
        if (!member_ready(i)) {
            fprintf(stderr, "etcd member %d did not start; see %s/m%d.log\n", i, T.dir, i);
            return -1;
        }
    }
    return gd_etcd_new(T.urls, T.events, T.timers, NULL, &T.c);
}

static int group_teardown(void **state)
{
    gd_etcd_destroy(T.c);
    for (int i = 0; i < N_MEMBERS; i++)
        stop_member(i, SIGTERM);
    if (T.events)
        gf_event_pool_destroy(T.events);
    if (T.timers)
        gf_timer_wheel_destroy(T.timers);
    nftw(T.dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
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
    int64_t rev = put_ok(T.c, "t/put/a", "one");
    res_t *r = range(T.c, "t/put/a", 0);
    assert_int_equal(r->err, 0);
    assert_int_equal(r->n, 1);
    assert_string_equal(r->keys[0], "t/put/a");
    assert_string_equal(r->vals[0], "one");
    assert_int_equal(r->mod_revs[0], rev);
    assert_true(r->rev >= rev);
    res_free(r);
    r = range(T.c, "t/put/missing", 0);
    assert_int_equal(r->err, 0);
    assert_int_equal(r->n, 0);
    res_free(r);
}

static void test_range_prefix(void **state)
{
    put_ok(T.c, "t/pre/b", "2");
    put_ok(T.c, "t/pre/a", "1");
    put_ok(T.c, "t/pre/c/d", "3");
    put_ok(T.c, "t/prefix", "not in t/pre/");
    res_t *r = range(T.c, "t/pre/", 1);
    assert_int_equal(r->err, 0);
    assert_int_equal(r->n, 3);
    assert_string_equal(r->keys[0], "t/pre/a");
    assert_string_equal(r->keys[1], "t/pre/b");
    assert_string_equal(r->keys[2], "t/pre/c/d");
    res_free(r);
    r = range(T.c, "", 1); /* every key */
    assert_int_equal(r->err, 0);
    assert_true(r->n >= 4);
    res_free(r);
}

static void test_delete(void **state)
{
    res_t *r;
    put_ok(T.c, "t/del/a", "1");
    put_ok(T.c, "t/del/b", "2");
    put_ok(T.c, "t/del/c", "3");
    r = res_new();
    assert_int_equal(gd_etcd_delete(T.c, "t/del/a", 0, on_reply, r), 0);
    assert_int_equal(res_wait(r)->err, 0);
    assert_int_equal(r->deleted, 1);
    res_free(r);
    r = res_new();
    assert_int_equal(gd_etcd_delete(T.c, "t/del/", 1, on_reply, r), 0);
    assert_int_equal(res_wait(r)->deleted, 2);
    res_free(r);
    r = range(T.c, "t/del/", 1);
    assert_int_equal(r->n, 0);
    res_free(r);
}

static void test_binary_value(void **state)
{
    const char val[] = {'x', 0, (char)0xff, '\n', '"', '\\'};
    res_t *r = res_new();
    assert_int_equal(gd_etcd_put(T.c, "t/bin", val, sizeof(val), 0, on_reply, r), 0);
    assert_int_equal(res_wait(r)->err, 0);
    res_free(r);
    r = range(T.c, "t/bin", 0);
    assert_int_equal(r->n, 1);
    assert_int_equal(r->vlens[0], sizeof(val));
    assert_memory_equal(r->vals[0], val, sizeof(val));
    res_free(r);
}

static void test_bad_arguments(void **state)
{
    assert_int_equal(gd_etcd_put(T.c, "", "v", 1, 0, on_reply, NULL), -EINVAL);
    assert_int_equal(gd_etcd_range(T.c, NULL, 0, on_reply, NULL), -EINVAL);
    assert_int_equal(gd_etcd_lease_grant(T.c, 0, on_reply, NULL), -EINVAL);
    assert_int_equal(gd_etcd_new("ftp://x", T.events, T.timers, NULL, &(gd_etcd_t *){NULL}),
                     -EINVAL);
    assert_int_equal(gd_etcd_new(" , ", T.events, T.timers, NULL, &(gd_etcd_t *){NULL}), -EINVAL);
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
    res_t *r = txn(T.c, &t);
    assert_int_equal(r->err, 0);
    assert_int_equal(r->succeeded, 1);
    res_free(r);
    put_op.value = "again";
    r = txn(T.c, &t);
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
    int64_t rev = put_ok(T.c, "t/txn/race", "base");
    gd_etcd_cmp_t cmp = {
        .key = "t/txn/race", .target = GD_ETCD_MOD, .result = GD_ETCD_EQUAL, .num = rev};
    gd_etcd_op_t op_a = {.type = GD_ETCD_OP_PUT, .key = "t/txn/race", .value = "a", .value_len = 1};
    gd_etcd_op_t op_b = op_a;
    op_b.value = "b";
    gd_etcd_txn_t ta = {.cmps = &cmp, .n_cmps = 1, .success = &op_a, .n_success = 1};
    gd_etcd_txn_t tb = {.cmps = &cmp, .n_cmps = 1, .success = &op_b, .n_success = 1};
    res_t *ra = res_new(), *rb = res_new(), *r;
    assert_int_equal(gd_etcd_txn(T.c, &ta, on_reply, ra), 0);
    assert_int_equal(gd_etcd_txn(T.c, &tb, on_reply, rb), 0);
    res_wait(ra);
    res_wait(rb);
    assert_int_equal(ra->err, 0);
    assert_int_equal(rb->err, 0);
    assert_int_equal(ra->succeeded + rb->succeeded, 1);
    r = range(T.c, "t/txn/race", 0);
    assert_string_equal(r->vals[0], ra->succeeded ? "a" : "b");
    assert_true(r->mod_revs[0] > rev);
    res_free(r);
    res_free(ra);
    res_free(rb);
}

static void test_txn_value_compare(void **state)
{
    put_ok(T.c, "t/txn/val", "on");
    gd_etcd_cmp_t cmp = {.key = "t/txn/val",
                         .target = GD_ETCD_VALUE,
                         .result = GD_ETCD_EQUAL,
                         .value = "off",
                         .value_len = 3};
    gd_etcd_op_t del = {.type = GD_ETCD_OP_DELETE, .key = "t/txn/val"};
    gd_etcd_txn_t t = {.cmps = &cmp, .n_cmps = 1, .success = &del, .n_success = 1};
    res_t *r = txn(T.c, &t);
    assert_int_equal(r->succeeded, 0);
    res_free(r);
    cmp.value = "on";
    cmp.value_len = 2;
    r = txn(T.c, &t);
    assert_int_equal(r->succeeded, 1);
    assert_int_equal(r->deleted, 1);
    res_free(r);
}

/*
 * Leases.
 */

static void test_lease_ops(void **state)
{
    int64_t id = grant(T.c, 30);
    res_t *r = put(T.c, "t/lease/k", "v", id);
    assert_int_equal(r->err, 0);
    res_free(r);
    r = range(T.c, "t/lease/k", 0);
    assert_int_equal(r->leases[0], id);
    res_free(r);
    r = res_new();
    assert_int_equal(gd_etcd_lease_keepalive(T.c, id, on_reply, r), 0);
    assert_int_equal(res_wait(r)->err, 0);
    assert_int_equal(r->ttl, 30);
    res_free(r);
    r = res_new();
    assert_int_equal(gd_etcd_lease_revoke(T.c, id, on_reply, r), 0);
    assert_int_equal(res_wait(r)->err, 0);
    res_free(r);
    r = range(T.c, "t/lease/k", 0);
    assert_int_equal(r->n, 0); /* revoking deleted the key */
    res_free(r);
    r = res_new();
    assert_int_equal(gd_etcd_lease_keepalive(T.c, id, on_reply, r), 0);
    assert_int_equal(res_wait(r)->err, -ENOENT);
    res_free(r);
    r = res_new();
    assert_int_equal(gd_etcd_lease_revoke(T.c, id, on_reply, r), 0);
    assert_int_equal(res_wait(r)->err, -ENOENT);
    res_free(r);
    r = put(T.c, "t/lease/k", "v", id);
    assert_int_equal(r->err, -ENOENT);
    assert_non_null(strstr(r->msg, "lease not found"));
    res_free(r);
}

/* A key under a lease that is not kept alive disappears, and a watch sees the
 * deletion: how a dead server is noticed. */
static void test_lease_expiry_event(void **state)
{
    coll_t *col = watch(T.c, "t/expire/", 1, 0);
    int64_t id = grant(T.c, 1);
    res_t *r = put(T.c, "t/expire/server", "alive", id);
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
    int64_t first = put_ok(T.c, "t/hist/1", "a");
    put_ok(T.c, "t/hist/2", "b");
    put_ok(T.c, "t/other", "not watched");
    put_ok(T.c, "t/hist/1", "c");
    coll_t *col = watch(T.c, "t/hist/", 1, first);
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
    snprintf(url, sizeof(url), "%s/v3/kv/compaction", T.m[1].url);
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
    int64_t old = put_ok(T.c, "t/compact/a", "1");
    int64_t last = put_ok(T.c, "t/compact/a", "2");
    coll_t *col = coll_new();
    compact(last);
    assert_int_equal(gd_etcd_watch(T.c, "t/compact/", 1, old, on_watch, col, &col->w), 0);
    assert_int_equal(coll_wait(col, &col->stale, 1, WAIT_MS), 1);
    assert_int_equal(col->n, 0);
    assert_int_equal(col->stale_rev, last);
    put_ok(T.c, "t/compact/a", "3");
    sleep_ms(100);
    assert_int_equal(coll_wait(col, &col->n, 1, 0), 0); /* ended */
    coll_free(col);
}

/* A watch cancelled from its own callback gets nothing more; another watch on
 * the same keys goes on. */
static void test_watch_cancel_in_callback(void **state)
{
    coll_t *a = watch(T.c, "t/wc/", 1, 0), *b = watch(T.c, "t/wc/", 1, 0);
    pthread_mutex_lock(&a->mu);
    a->cancel_in_cb = 1;
    pthread_mutex_unlock(&a->mu);
    put_ok(T.c, "t/wc/1", "x");
    put_ok(T.c, "t/wc/2", "y");
    assert_int_equal(coll_wait(b, &b->n, 2, WAIT_MS), 2);
    sleep_ms(100);
    assert_int_equal(coll_wait(a, &a->n, 2, 0), 1);
    assert_null(a->w);
    coll_free(a);
    coll_free(b);
}

/* Member 2 is killed under a watch that can only use it; a change is made
 * through the others; when member 2 is back, the watch resumes and delivers the
 * change, once. */
static void test_watch_resume_after_restart(void **state)
{
    gd_etcd_t *only2;
    coll_t *col;
    assert_int_equal(gd_etcd_new(T.m[2].url, T.events, T.timers, NULL, &only2), 0);
    col = watch(only2, "t/resume/", 1, 0);
    put_ok(T.c, "t/resume/before", "1");
    assert_int_equal(coll_wait(col, &col->n, 1, WAIT_MS), 1);
    stop_member(2, SIGKILL);
    put_ok(T.c, "t/resume/during", "2");
    spawn_member(2);
    assert_true(member_ready(2));
    assert_true(coll_wait(col, &col->established, 2, WAIT_MS) >= 2);
    assert_int_equal(coll_wait(col, &col->n, 2, WAIT_MS), 2);
    assert_string_equal(col->ev[1].key, "t/resume/during");
    put_ok(T.c, "t/resume/after", "3");
    assert_int_equal(coll_wait(col, &col->n, 3, WAIT_MS), 3);
    assert_string_equal(col->ev[2].key, "t/resume/after");
    sleep_ms(100);
    assert_int_equal(coll_wait(col, &col->n, 4, 0), 3); /* nothing twice */
    coll_free(col);
    gd_etcd_destroy(only2);
}

/*
 * Election.
 */

static void test_election(void **state)
{
    int64_t la = grant(T.c, 30), lb = grant(T.c, 30);
    res_t *ca = res_new(), *cb = res_new(), *r;
    coll_t *col = watch(T.c, "t/elect/", 1, 0); /* how leader changes are seen */
    assert_int_equal(gd_etcd_campaign(T.c, "t/elect", la, "server-a", on_reply, ca), 0);
    assert_int_equal(res_wait(ca)->err, 0);
    assert_non_null(ca->leader);
    assert_int_equal(ca->leader->lease, la);
    assert_int_equal(gd_etcd_campaign(T.c, "t/elect", lb, "server-b", on_reply, cb), 0);
    assert_false(res_wait_ms(cb, 300)); /* b waits while a leads */
    r = res_new();
    assert_int_equal(gd_etcd_leader(T.c, "t/elect", on_reply, r), 0);
    assert_int_equal(res_wait(r)->err, 0);
    assert_string_equal(r->vals[0], "server-a");
    assert_int_equal(r->leases[0], la);
    res_free(r);
    r = res_new();
    assert_int_equal(gd_etcd_resign(T.c, ca->leader, on_reply, r), 0);
    assert_int_equal(res_wait(r)->err, 0);
    res_free(r);
    assert_int_equal(res_wait(cb)->err, 0); /* b takes over */
    assert_int_equal(cb->leader->lease, lb);
    assert_int_equal(coll_wait(col, &col->n, 3, WAIT_MS), 3); /* a, b candidates; a gone */
    assert_int_equal(col->ev[2].type, GD_ETCD_EV_DELETE);
    assert_string_equal(col->ev[2].key, ca->leader->key);
    coll_free(col);
    r = res_new();
    assert_int_equal(gd_etcd_lease_revoke(T.c, lb, on_reply, r), 0);
    res_free(res_wait(r));
    r = res_new();
    assert_int_equal(gd_etcd_leader(T.c, "t/elect", on_reply, r), 0);
    assert_int_equal(res_wait(r)->err, -ENOENT); /* the leader's lease ended: none */
    res_free(r);
    res_free(ca);
    res_free(cb);
    r = res_new();
    assert_int_equal(gd_etcd_lease_revoke(T.c, la, on_reply, r), 0);
    res_free(res_wait(r));
}

/*
 * Failover and failure.
 */

/* The first URL has nothing listening: requests go to the second. */
static void test_failover_dead_url(void **state)
{
    char urls[256];
    int fd, port = free_port(&fd);
    gd_etcd_t *c;
    res_t *r;
    close(fd);
    snprintf(urls, sizeof(urls), "http://127.0.0.1:%d,%s", port, T.m[1].url);
    assert_int_equal(gd_etcd_new(urls, T.events, T.timers, NULL, &c), 0);
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
    put_ok(T.c, "t/fail/b", "before");
    stop_member(0, SIGKILL);
    r = put(T.c, "t/fail/b", "after", 0);
    assert_int_equal(r->err, 0);
    res_free(r);
    r = range(T.c, "t/fail/b", 0);
    assert_string_equal(r->vals[0], "after");
    res_free(r);
    spawn_member(0);
    assert_true(member_ready(0));
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
        assert_int_equal(gd_etcd_new(T.urls, T.events, T.timers, &opts, &c), 0);
        put_ok(c, "t/hung", "before");
        if (gd_etcd_requests(c) != 1) {
            gd_etcd_destroy(c);
            c = NULL;
            sleep_ms(100);
        }
    }
    assert_non_null(c);
    kill(T.m[0].pid, SIGSTOP);
    t0 = gf_time_ms();
    r = range(c, "t/hung", 0);
    kill(T.m[0].pid, SIGCONT);
    assert_int_equal(r->err, 0);
    assert_string_equal(r->vals[0], "before");
    assert_true(gf_time_ms() - t0 >= 390); /* the attempt on member 0 timed out */
    assert_true(gd_etcd_requests(c) >= 3);
    res_free(r);
    gd_etcd_destroy(c);
}

/* Two members of three hang: no majority, so no member can answer; the request
 * fails within its deadline as unreachable, and works again once they resume. */
static void test_no_quorum(void **state)
{
    gd_etcd_opts_t opts = {.attempt_ms = 300, .deadline_ms = 1500};
    gd_etcd_t *c;
    res_t *r;
    uint64_t t0;
    assert_int_equal(gd_etcd_new(T.urls, T.events, T.timers, &opts, &c), 0);
    kill(T.m[1].pid, SIGSTOP);
    kill(T.m[2].pid, SIGSTOP);
    t0 = gf_time_ms();
    r = put(c, "t/quorum", "lost", 0);
    kill(T.m[1].pid, SIGCONT);
    kill(T.m[2].pid, SIGCONT);
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
    int fa, fb, pa = free_port(&fa), pb = free_port(&fb);
    gd_etcd_t *c;
    res_t *r = res_new();
    uint64_t t0;
    close(fa);
    close(fb);
    snprintf(ua, sizeof(ua), "http://127.0.0.1:%d", pa);
    snprintf(ub, sizeof(ub), "http://127.0.0.1:%d", pb);
    snprintf(urls, sizeof(urls), "%s,%s", ua, ub);
    assert_int_equal(gd_etcd_new(urls, T.events, T.timers, &opts, &c), 0);
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
    int64_t la = grant(T.c, 30), lb = grant(T.c, 30);
    gd_etcd_t *c;
    res_t *ca = res_new(), *cb = res_new(), *r;
    coll_t *col;
    assert_int_equal(gd_etcd_new(T.urls, T.events, T.timers, NULL, &c), 0);
    assert_int_equal(gd_etcd_campaign(T.c, "t/destroy", la, "a", on_reply, ca), 0);
    assert_int_equal(res_wait(ca)->err, 0);
    assert_int_equal(gd_etcd_campaign(c, "t/destroy", lb, "b", on_reply, cb), 0);
    col = watch(c, "t/destroy-watch/", 1, 0);
    col->w = NULL; /* freed by gd_etcd_destroy */
    sleep_ms(100);
    gd_etcd_destroy(c);
    put_ok(T.c, "t/destroy-watch/x", "1");
    r = res_new();
    assert_int_equal(gd_etcd_lease_revoke(T.c, la, on_reply, r), 0); /* b would win now */
    res_free(res_wait(r));
    assert_false(res_wait_ms(cb, 300));
    assert_int_equal(coll_wait(col, &col->n, 1, 0), 0);
    r = res_new();
    assert_int_equal(gd_etcd_lease_revoke(T.c, lb, on_reply, r), 0);
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
    int err = gd_etcd_new(T.urls, T.events, T.timers, NULL, &c);
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
    assert_int_equal(gf_event_post(T.events, destroy_task, done), 0);
    assert_int_equal(res_wait(done)->err, 0);
    res_free(done);
}

/*
 * The store backend.
 */

typedef struct sres {
    res_t base;
    uint64_t rev;
    int n;
    char keys[8][64];
    char vals[8][64];
    uint64_t revs[8];
} sres_t;

static void store_done(sres_t *s, int err)
{
    pthread_mutex_lock(&s->base.mu);
    s->base.err = err;
    s->base.done++;
    pthread_cond_broadcast(&s->base.cv);
    pthread_mutex_unlock(&s->base.mu);
}

static void store_kvs(sres_t *s, const gd_kv_t *kvs, int n)
{
    for (int i = 0; i < n && i < 8; i++, s->n++) {
        snprintf(s->keys[i], sizeof(s->keys[i]), "%s", kvs[i].key);
        snprintf(s->vals[i], sizeof(s->vals[i]), "%s", kvs[i].value);
        s->revs[i] = kvs[i].rev;
    }
}

static void on_store_get(int err, const gd_kv_t *kv, void *cookie)
{
    store_kvs(cookie, kv, kv ? 1 : 0);
    store_done(cookie, err);
}

static void on_store_list(int err, const gd_kv_t *kvs, int n, void *cookie)
{
    store_kvs(cookie, kvs, n);
    store_done(cookie, err);
}

static void on_store_txn(int err, uint64_t rev, void *cookie)
{
    ((sres_t *)cookie)->rev = rev;
    store_done(cookie, err);
}

static sres_t *sres_new(void)
{
    sres_t *s = calloc(1, sizeof(*s));
    assert_non_null(s);
    pthread_mutex_init(&s->base.mu, NULL);
    pthread_cond_init(&s->base.cv, NULL);
    return s;
}

/* Runs a store put and returns the new revision. */
static uint64_t store_put(gd_store_t *st, const char *key, const char *val)
{
    sres_t *s = sres_new();
    uint64_t rev;
    gd_store_put(st, key, val, on_store_txn, s);
    res_wait(&s->base);
    assert_int_equal(s->base.err, 0);
    rev = s->rev;
    free(s);
    return rev;
}

/* Runs a transaction of one guarded put; returns its error. */
static int store_guarded_put(gd_store_t *st, const char *key, uint64_t guard, const char *val)
{
    gd_txn_t *t = gd_txn_new();
    sres_t *s = sres_new();
    int err;
    gd_txn_guard(t, key, guard);
    gd_txn_put_str(t, key, val);
    gd_store_txn(st, t, on_store_txn, s);
    gd_txn_free(t);
    err = res_wait(&s->base)->err;
    free(s);
    return err;
}

static void test_store_backend(void **state)
{
    gd_store_t *st;
    sres_t *s;
    uint64_t rev;
    assert_int_equal(gd_store_etcd_open(T.urls, "/gfs-test", T.events, T.timers, NULL, &st), 0);
    rev = store_put(st, "vol/v1/info", "type=distribute");
    store_put(st, "vol/v1/brick/0", "h1:/b0");
    store_put(st, "vol/v2/info", "x");
    s = sres_new();
    gd_store_get(st, "vol/v1/info", on_store_get, s);
    assert_int_equal(res_wait(&s->base)->err, 0);
    assert_string_equal(s->keys[0], "vol/v1/info");
    assert_string_equal(s->vals[0], "type=distribute");
    assert_int_equal(s->revs[0], rev);
    free(s);
    s = sres_new();
    gd_store_list(st, "vol/v1/", on_store_list, s);
    assert_int_equal(res_wait(&s->base)->err, 0);
    assert_int_equal(s->n, 2);
    assert_string_equal(s->keys[0], "vol/v1/brick/0");
    assert_string_equal(s->keys[1], "vol/v1/info");
    free(s);
    assert_int_equal(store_guarded_put(st, "vol/v1/info", rev, "type=replicate"), 0);
    assert_int_equal(store_guarded_put(st, "vol/v1/info", rev, "stale"), -ECANCELED);
    assert_int_equal(store_guarded_put(st, "vol/v2/info", 0, "exists"), -ECANCELED);
    assert_int_equal(store_guarded_put(st, "vol/v3/info", 0, "new"), 0);
    s = sres_new();
    gd_store_delete(st, "vol/v2/info", on_store_txn, s);
    assert_int_equal(res_wait(&s->base)->err, 0);
    free(s);
    s = sres_new();
    gd_store_get(st, "vol/v2/info", on_store_get, s);
    assert_int_equal(res_wait(&s->base)->err, -ENOENT);
    free(s);
    {
        res_t *r = range(T.c, "/gfs-test/vol/v1/info", 0); /* the layout in etcd */
        assert_int_equal(r->n, 1);
        assert_string_equal(r->vals[0], "type=replicate");
        res_free(r);
    }
    gd_store_destroy(st);
}

static void test_store_unreachable(void **state)
{
    gd_etcd_opts_t opts = {.deadline_ms = 500};
    gd_store_t *st;
    sres_t *s = sres_new();
    char msg[1024];
    int fd, port = free_port(&fd);
    char url[64];
    close(fd);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
    assert_int_equal(gd_store_etcd_open(url, NULL, T.events, T.timers, &opts, &st), 0);
    gd_store_get(st, "vol/x/info", on_store_get, s);
    assert_int_equal(res_wait(&s->base)->err, -EHOSTUNREACH);
    gd_store_etcd_last_error(st, msg, sizeof(msg));
    assert_non_null(strstr(msg, "monitor cluster unreachable"));
    assert_non_null(strstr(msg, url));
    free(s);
    gd_store_destroy(st);
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
        cmocka_unit_test(test_watch_resume_after_restart),
        cmocka_unit_test(test_election),
        cmocka_unit_test(test_failover_dead_url),
        cmocka_unit_test(test_failover_member_killed),
        cmocka_unit_test(test_failover_member_hung),
        cmocka_unit_test(test_no_quorum),
        cmocka_unit_test(test_unreachable_bounded),
        cmocka_unit_test(test_destroy_in_flight),
        cmocka_unit_test(test_destroy_on_event_thread),
        cmocka_unit_test(test_store_backend),
        cmocka_unit_test(test_store_unreachable),
    };
    T.etcd = find_etcd();
    if (!T.etcd) {
        fprintf(stderr, "test-etcd: no etcd binary (install Debian's etcd-server): skipped\n");
        return 77;
    }
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
