/*
 * Unit tests of glusterd's store interface and its local backend
 * (glusterd/src/store.c, store-local.c): key rules, get/put/delete, listing by
 * prefix, guarded transactions, persistence across reopen, journal replay after a
 * simulated crash, watches (order, prefixes, cancel from the callback), session
 * keys (in memory only, replacing and replaced by file keys), the election of a
 * single server, error messages, and that nothing leaks. Each case works in its
 * own temporary folder; the cases that watch have their own event pool.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "glusterfs/mem.h"
#include "store.h"

typedef struct fixture {
    char dir[64];
    gd_store_t *store;
    uint64_t blocks;
    gf_event_pool_t *events; /* NULL for the cases that do not watch */
} fixture_t;

/* What the last callback reported. */
static struct {
    int calls;
    int err;
    uint64_t rev;
    char value[256];
    size_t len;
    char keys[8][64];
    int n;
} got;

static void
txn_cb(int err, uint64_t rev, void *cookie)
{
    got.calls++;
    got.err = err;
    got.rev = rev;
}

static void
get_cb(int err, const gd_kv_t *kv, void *cookie)
{
    got.calls++;
    got.err = err;
    if (!err) {
        assert_true(kv->len < sizeof(got.value));
        memcpy(got.value, kv->value, kv->len + 1);
        got.len = kv->len;
        got.rev = kv->rev;
    }
}

static void
list_cb(int err, const gd_kv_t *kvs, int n, void *cookie)
{
    got.calls++;
    got.err = err;
    got.n = n;
    for (int i = 0; i < n && i < 8; i++)
        snprintf(got.keys[i], sizeof(got.keys[i]), "%s", kvs[i].key);
}

/* What watch, session and election callbacks reported (they run on event
 * threads; the test thread waits on cv). */
#define MAX_CALLS 16
#define MAX_EVS   32
typedef struct seen {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int calls;             /* callback calls */
    int sizes[MAX_CALLS];  /* n of each call (session, election: the state) */
    int n;                 /* changes recorded */
    struct {
        int deleted;
        char key[64];
        char value[64];
        uint64_t rev;
    } ev[MAX_EVS];
    int on_caller;         /* calls made on the test's own thread */
    int cancel_self;       /* cancel w from its first call with changes */
    gd_store_watch_t *w;
} seen_t;

static pthread_t test_thread;

static void
seen_init(seen_t *sn)
{
    memset(sn, 0, sizeof(*sn));
    pthread_mutex_init(&sn->mu, NULL);
    pthread_cond_init(&sn->cv, NULL);
}

/* Records one call, with n changes, of the callback of sn. */
static void
seen_call(seen_t *sn, const gd_store_event_t *evs, int n)
{
    pthread_mutex_lock(&sn->mu);
    if (pthread_equal(pthread_self(), test_thread))
        sn->on_caller++;
    if (sn->calls < MAX_CALLS)
        sn->sizes[sn->calls] = n;
    sn->calls++;
    for (int i = 0; i < n && sn->n < MAX_EVS; i++, sn->n++) {
        sn->ev[sn->n].deleted = evs[i].deleted;
        snprintf(sn->ev[sn->n].key, sizeof(sn->ev[0].key), "%s", evs[i].kv.key);
        snprintf(sn->ev[sn->n].value, sizeof(sn->ev[0].value), "%.*s", (int)evs[i].kv.len,
                 evs[i].kv.value);
        sn->ev[sn->n].rev = evs[i].kv.rev;
    }
    pthread_cond_broadcast(&sn->cv);
    pthread_mutex_unlock(&sn->mu);
}

static void
on_watch(const gd_store_event_t *evs, int n, void *cookie)
{
    seen_t *sn = cookie;
    if (n > 0 && sn->cancel_self) {
        sn->cancel_self = 0;
        gd_store_watch_cancel(sn->w);
    }
    seen_call(sn, evs, n);
}

/* Session and election callbacks: the state goes in sizes[]. */
static void
on_state(int state, void *cookie)
{
    seen_t *sn = cookie;
    pthread_mutex_lock(&sn->mu);
    if (pthread_equal(pthread_self(), test_thread))
        sn->on_caller++;
    if (sn->calls < MAX_CALLS)
        sn->sizes[sn->calls] = state;
    sn->calls++;
    pthread_cond_broadcast(&sn->cv);
    pthread_mutex_unlock(&sn->mu);
}

/* A deadline for pthread_cond_timedwait, 5 s from now. */
static struct timespec
in_5s(void)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 5;
    return until;
}

/* Waits up to 5 s for sn to count calls calls; returns the count. */
static int
seen_wait(seen_t *sn, int calls)
{
    struct timespec until = in_5s();
    int got_calls;
    pthread_mutex_lock(&sn->mu);
    while (sn->calls < calls && pthread_cond_timedwait(&sn->cv, &sn->mu, &until) == 0)
        ;
    got_calls = sn->calls;
    pthread_mutex_unlock(&sn->mu);
    return got_calls;
}

/* Whether the last change sn recorded is one of key. sn->mu held. */
static int
last_is(const seen_t *sn, const char *key)
{
    return sn->n > 0 && strcmp(sn->ev[sn->n - 1].key, key) == 0;
}

/* Waits up to 5 s until the last change sn recorded is one of key. */
static void
seen_wait_key(seen_t *sn, const char *key)
{
    struct timespec until = in_5s();
    int found;
    pthread_mutex_lock(&sn->mu);
    while (!last_is(sn, key) && pthread_cond_timedwait(&sn->cv, &sn->mu, &until) == 0)
        ;
    found = last_is(sn, key);
    pthread_mutex_unlock(&sn->mu);
    assert_true(found);
}

static int
open_fixture(void **state, int watching)
{
    fixture_t *f = calloc(1, sizeof(*f));
    strcpy(f->dir, "/tmp/test-gd-store.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    strcat(f->dir, "/store");
    f->blocks = gf_mem_global_acct.blocks;
    if (watching)
        assert_non_null(f->events = gf_event_pool_new(2));
    assert_int_equal(gd_store_local_open(f->dir, f->events, &f->store), 0);
    memset(&got, 0, sizeof(got));
    test_thread = pthread_self();
    *state = f;
    return 0;
}

static int
setup(void **state)
{
    return open_fixture(state, 0);
}

static int
setup_events(void **state)
{
    return open_fixture(state, 1);
}

/* Also checks that the store and the event pool gave back every block. */
static int
teardown(void **state)
{
    fixture_t *f = *state;
    char cmd[128];
    gd_store_destroy(f->store);
    if (f->events)
        gf_event_pool_destroy(f->events);
    assert_int_equal(gf_mem_global_acct.blocks, f->blocks);
    *strrchr(f->dir, '/') = '\0';
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static void
reopen(fixture_t *f)
{
    gd_store_destroy(f->store);
    assert_int_equal(gd_store_local_open(f->dir, f->events, &f->store), 0);
}

static void
put(fixture_t *f, const char *key, const char *value)
{
    got.calls = 0;
    gd_store_put(f->store, key, value, txn_cb, NULL);
    assert_int_equal(got.calls, 1);
    assert_int_equal(got.err, 0);
}

static int
get(fixture_t *f, const char *key)
{
    got.calls = 0;
    gd_store_get(f->store, key, get_cb, NULL);
    assert_int_equal(got.calls, 1);
    return got.err;
}

static void
test_key_rules(void **state)
{
    assert_true(gd_store_key_valid("vol/a/info"));
    assert_true(gd_store_key_valid("vol/a/opt/performance.cache-size"));
    assert_false(gd_store_key_valid(""));
    assert_false(gd_store_key_valid("/vol"));
    assert_false(gd_store_key_valid("vol/"));
    assert_false(gd_store_key_valid("vol//a"));
    assert_false(gd_store_key_valid("vol/../a"));
    assert_false(gd_store_key_valid("vol/.tmp"));
    assert_false(gd_store_key_valid("vol/a\nb"));
}

static void
test_put_get(void **state)
{
    fixture_t *f = *state;
    put(f, "vol/a/info", "status=1\n");
    uint64_t rev = got.rev;
    assert_true(rev > 0);
    assert_int_equal(get(f, "vol/a/info"), 0);
    assert_string_equal(got.value, "status=1\n");
    assert_int_equal(got.rev, rev);
    put(f, "vol/a/info", "status=2\n");
    assert_true(got.rev > rev);
    assert_int_equal(get(f, "vol/a/info"), 0);
    assert_string_equal(got.value, "status=2\n");
}

static void
test_get_missing(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(get(f, "vol/none/info"), -ENOENT);
    put(f, "vol/a/info", "x");
    assert_int_equal(get(f, "vol/a"), -ENOENT);       /* a folder is not a key */
    assert_int_equal(get(f, "vol/a/info/x"), -ENOENT); /* under a key */
    assert_int_equal(get(f, "bad//key"), -EINVAL);
}

static void
test_binary_value(void **state)
{
    fixture_t *f = *state;
    static const char v[] = "rev 9\nline2\0after-nul";
    got.calls = 0;
    gd_txn_t *t = gd_txn_new();
    gd_txn_put(t, "k", v, sizeof(v));
    gd_store_txn(f->store, t, txn_cb, NULL);
    gd_txn_free(t);
    assert_int_equal(got.err, 0);
    reopen(f);
    assert_int_equal(get(f, "k"), 0);
    assert_int_equal(got.len, sizeof(v));
    assert_memory_equal(got.value, v, sizeof(v));
}

static void
test_list_prefix(void **state)
{
    fixture_t *f = *state;
    put(f, "vol/b/info", "1");
    put(f, "vol/a/brick/1", "1");
    put(f, "vol/a/info", "1");
    put(f, "vol/ab/info", "1");
    put(f, "peer/x", "1");

    gd_store_list(f->store, "vol/a/", list_cb, NULL);
    assert_int_equal(got.err, 0);
    assert_int_equal(got.n, 2);
    assert_string_equal(got.keys[0], "vol/a/brick/1");
    assert_string_equal(got.keys[1], "vol/a/info");

    gd_store_list(f->store, "vol/a", list_cb, NULL);
    assert_int_equal(got.n, 3);
    assert_string_equal(got.keys[2], "vol/ab/info");

    gd_store_list(f->store, "", list_cb, NULL);
    assert_int_equal(got.n, 5);
    assert_string_equal(got.keys[0], "peer/x");

    gd_store_list(f->store, "nothing/", list_cb, NULL);
    assert_int_equal(got.err, 0);
    assert_int_equal(got.n, 0);
}

static void
test_delete(void **state)
{
    fixture_t *f = *state;
    struct stat st;
    char path[128];
    put(f, "vol/a/brick/0", "x");
    put(f, "vol/a/info", "x");
    gd_store_delete(f->store, "vol/a/brick/0", txn_cb, NULL);
    assert_int_equal(got.err, 0);
    assert_int_equal(get(f, "vol/a/brick/0"), -ENOENT);
    snprintf(path, sizeof(path), "%s/vol/a/brick", f->dir);
    assert_int_equal(stat(path, &st), -1); /* emptied folder removed */
    assert_int_equal(get(f, "vol/a/info"), 0);
    gd_store_delete(f->store, "vol/a/brick/0", txn_cb, NULL);
    assert_int_equal(got.err, 0); /* deleting an absent key is fine */
}

static void
test_txn_guard_fails(void **state)
{
    fixture_t *f = *state;
    put(f, "vol/a/info", "old");
    gd_txn_t *t = gd_txn_new();
    gd_txn_guard(t, "vol/a/info", 0); /* must not exist: it does */
    gd_txn_put_str(t, "vol/a/info", "new");
    gd_txn_put_str(t, "vol/a/brick/0", "b");
    gd_store_txn(f->store, t, txn_cb, NULL);
    gd_txn_free(t);
    assert_int_equal(got.err, -ECANCELED);
    assert_int_equal(get(f, "vol/a/info"), 0);
    assert_string_equal(got.value, "old");
    assert_int_equal(get(f, "vol/a/brick/0"), -ENOENT);
}

static void
test_txn_guard_holds(void **state)
{
    fixture_t *f = *state;
    put(f, "vol/a/info", "old");
    put(f, "vol/a/opt/x", "1");
    uint64_t rev = got.rev;
    assert_int_equal(get(f, "vol/a/info"), 0);
    gd_txn_t *t = gd_txn_new();
    gd_txn_guard(t, "vol/a/info", got.rev);
    gd_txn_guard(t, "vol/b/info", 0);
    gd_txn_put_str(t, "vol/a/info", "new");
    gd_txn_delete(t, "vol/a/opt/x");
    gd_txn_put_str(t, "vol/b/info", "b");
    gd_store_txn(f->store, t, txn_cb, NULL);
    gd_txn_free(t);
    assert_int_equal(got.err, 0);
    assert_int_equal(got.rev, rev + 1);
    assert_int_equal(get(f, "vol/a/info"), 0);
    assert_string_equal(got.value, "new");
    assert_int_equal(got.rev, rev + 1);
    assert_int_equal(get(f, "vol/b/info"), 0);
    assert_int_equal(get(f, "vol/a/opt/x"), -ENOENT);
}

/* A transaction of guards only changes nothing but still gets a revision. */
static void
test_txn_guards_only(void **state)
{
    fixture_t *f = *state;
    put(f, "k", "v");
    uint64_t rev = got.rev;
    gd_txn_t *t = gd_txn_new();
    gd_txn_guard(t, "k", rev);
    gd_store_txn(f->store, t, txn_cb, NULL);
    gd_txn_free(t);
    assert_int_equal(got.err, 0);
    assert_int_equal(got.rev, rev + 1);
    reopen(f);
    assert_int_equal(get(f, "k"), 0);
    assert_int_equal(got.rev, rev);
}

static void
test_txn_bad_key(void **state)
{
    fixture_t *f = *state;
    gd_txn_t *t = gd_txn_new();
    gd_txn_put_str(t, "ok", "1");
    gd_txn_put_str(t, "../escape", "1");
    gd_store_txn(f->store, t, txn_cb, NULL);
    gd_txn_free(t);
    assert_int_equal(got.err, -EINVAL);
    assert_int_equal(get(f, "ok"), -ENOENT);
}

static void
test_key_folder_conflict(void **state)
{
    fixture_t *f = *state;
    put(f, "a", "1");
    gd_store_put(f->store, "a/b", "2", txn_cb, NULL);
    assert_int_equal(got.err, -ENOTDIR);
    put(f, "c/d", "1");
    gd_store_put(f->store, "c", "2", txn_cb, NULL);
    assert_int_equal(got.err, -EISDIR);
    gd_txn_t *t = gd_txn_new();
    gd_txn_put_str(t, "e", "1");
    gd_txn_put_str(t, "e/f", "1");
    gd_store_txn(f->store, t, txn_cb, NULL);
    gd_txn_free(t);
    assert_int_equal(got.err, -ENOTDIR);
    put(f, "g", "still works"); /* a refused transaction leaves the store usable */
}

static void
test_reopen_keeps_values_and_revisions(void **state)
{
    fixture_t *f = *state;
    put(f, "vol/a/info", "1");
    put(f, "vol/a/info", "2");
    uint64_t rev = got.rev;
    gd_store_delete(f->store, "vol/a/info", txn_cb, NULL); /* rev + 1, held by no key */
    put(f, "vol/b/info", "b");
    reopen(f);
    assert_int_equal(get(f, "vol/b/info"), 0);
    assert_string_equal(got.value, "b");
    put(f, "vol/c/info", "c");
    assert_int_equal(got.rev, rev + 3);
}

/* A crash after the journal was written but before the files were: the next open
 * must apply the journal. */
static void
test_journal_replay(void **state)
{
    fixture_t *f = *state;
    char path[128];
    static const char journal[] = "gfs-store-journal 1\nrev 7\nops 2\n"
                                  "P 10 5\nvol/x/infohello\n"
                                  "D 5\nold/k\n";
    put(f, "old/k", "gone soon");
    snprintf(path, sizeof(path), "%s/.journal", f->dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, journal, sizeof(journal) - 1), (ssize_t)sizeof(journal) - 1);
    close(fd);
    reopen(f);
    assert_int_equal(get(f, "vol/x/info"), 0);
    assert_string_equal(got.value, "hello");
    assert_int_equal(got.rev, 7);
    assert_int_equal(get(f, "old/k"), -ENOENT);
    put(f, "next", "1");
    assert_int_equal(got.rev, 8);
}

static void
test_corrupt_journal_refused(void **state)
{
    fixture_t *f = *state;
    char path[128];
    snprintf(path, sizeof(path), "%s/.journal", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("gfs-store-journal 1\nrev 3\nops 1\nP 99 1\nshort\n", fp);
    fclose(fp);
    gd_store_t *s = NULL;
    assert_int_equal(gd_store_local_open(f->dir, NULL, &s), -EIO);
    assert_null(s);
}

/* Runs txn (and frees it); returns its revision, asserting it succeeded. */
static uint64_t
run(fixture_t *f, gd_txn_t *t)
{
    got.calls = 0;
    gd_store_txn(f->store, t, txn_cb, NULL);
    gd_txn_free(t);
    assert_int_equal(got.calls, 1);
    assert_int_equal(got.err, 0);
    return got.rev;
}

/* Runs txn (and frees it); returns its error. */
static int
run_err(fixture_t *f, gd_txn_t *t)
{
    got.calls = 0;
    gd_store_txn(f->store, t, txn_cb, NULL);
    gd_txn_free(t);
    assert_int_equal(got.calls, 1);
    return got.err;
}

static int
put_session(fixture_t *f, const char *key, const char *value)
{
    gd_txn_t *t = gd_txn_new();
    gd_txn_put_session(t, key, value);
    return run_err(f, t);
}

/* Opens the session and waits for its "up". */
static void
open_session(fixture_t *f, seen_t *sn)
{
    seen_init(sn);
    assert_int_equal(gd_store_session_open(f->store, 10, on_state, sn), 0);
    assert_int_equal(seen_wait(sn, 1), 1);
    assert_int_equal(sn->sizes[0], 1);
}

static void
assert_event(const seen_t *sn, int i, int deleted, const char *key, const char *value,
             uint64_t rev)
{
    assert_int_equal(sn->ev[i].deleted, deleted);
    assert_string_equal(sn->ev[i].key, key);
    assert_string_equal(sn->ev[i].value, value);
    assert_int_equal(sn->ev[i].rev, rev);
}

/* Each watch sees "established" first, then one call per transaction with the
 * changes under its prefix, in order, never on the thread that made them. */
static void
test_watch_order_and_prefixes(void **state)
{
    fixture_t *f = *state;
    static const int vol_sizes[] = {0, 1, 1, 2, 1}, all_sizes[] = {0, 1, 1, 1, 2, 1};
    seen_t vol, all, peer, sess;
    gd_store_watch_t *wv, *wa, *wp;
    uint64_t r1, r3, r4, r6;
    gd_txn_t *t;

    seen_init(&vol);
    seen_init(&all);
    seen_init(&peer);
    open_session(f, &sess);
    assert_int_equal(gd_store_watch(f->store, "vol/", on_watch, &vol, &wv), 0);
    assert_int_equal(gd_store_watch(f->store, "", on_watch, &all, &wa), 0);
    assert_int_equal(gd_store_watch(f->store, "peer/", on_watch, &peer, &wp), 0);
    put(f, "vol/a/info", "1");
    r1 = got.rev;
    put(f, "srv/x", "2");
    gd_store_delete(f->store, "vol/a/info", txn_cb, NULL);
    r3 = got.rev;
    t = gd_txn_new();
    gd_txn_put_session(t, "vol/s", "up");
    gd_txn_put_str(t, "vol/b/info", "b");
    r4 = run(f, t);
    gd_store_delete(f->store, "vol/none", txn_cb, NULL); /* absent: nothing to report */
    put(f, "vol/end", "e");
    r6 = got.rev;
    assert_true(r1 < r3 && r3 < r4 && r4 < r6);
    seen_wait_key(&vol, "vol/end");
    seen_wait_key(&all, "vol/end");

    assert_int_equal(vol.calls, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(vol.sizes[i], vol_sizes[i]);
    assert_event(&vol, 0, 0, "vol/a/info", "1", r1);
    assert_event(&vol, 1, 1, "vol/a/info", "", r3);
    assert_event(&vol, 2, 0, "vol/s", "up", r4);
    assert_event(&vol, 3, 0, "vol/b/info", "b", r4);
    assert_event(&vol, 4, 0, "vol/end", "e", r6);
    assert_int_equal(all.calls, 6);
    for (int i = 0; i < 6; i++)
        assert_int_equal(all.sizes[i], all_sizes[i]);
    assert_event(&all, 1, 0, "srv/x", "2", r1 + 1);
    assert_int_equal(peer.calls, 1); /* established, then nothing under peer/ */
    assert_int_equal(peer.sizes[0], 0);
    assert_int_equal(vol.on_caller + all.on_caller + peer.on_caller + sess.on_caller, 0);
    gd_store_watch_cancel(wv);
    gd_store_watch_cancel(wa);
    gd_store_watch_cancel(wp);
}

/* A watch cancelled from its own callback, or by the test, hears nothing more;
 * another watch of the same prefix goes on. */
static void
test_watch_cancel(void **state)
{
    fixture_t *f = *state;
    seen_t a, b, c;
    gd_store_watch_t *wc;

    seen_init(&a);
    seen_init(&b);
    seen_init(&c);
    a.cancel_self = 1;
    assert_int_equal(gd_store_watch(f->store, "k/", on_watch, &a, &a.w), 0);
    assert_int_equal(gd_store_watch(f->store, "k/", on_watch, &b, &b.w), 0);
    assert_int_equal(gd_store_watch(f->store, "k/", on_watch, &c, &wc), 0);
    gd_store_watch_cancel(wc);
    put(f, "k/1", "1");
    put(f, "k/2", "2");
    put(f, "k/3", "3");
    seen_wait_key(&b, "k/3");
    assert_int_equal(b.n, 3);
    assert_int_equal(a.calls, 2); /* established, then k/1, where it cancelled itself */
    assert_int_equal(a.n, 1);
    assert_string_equal(a.ev[0].key, "k/1");
    assert_true(c.calls <= 1); /* at most its "established", queued before the cancel */
    assert_int_equal(c.n, 0);
    gd_store_watch_cancel(b.w);
}

/* Session keys need a session, read and list like file keys (merged in key
 * order), have no file, and are gone after the store is reopened. */
static void
test_session_keys(void **state)
{
    fixture_t *f = *state;
    seen_t sess;
    struct stat st;
    char path[128];
    uint64_t rev;
    gd_txn_t *t;

    assert_int_equal(put_session(f, "srv/alive", "1"), -ENOTCONN);
    open_session(f, &sess);
    assert_int_equal(gd_store_session_open(f->store, 10, on_state, &sess), -EEXIST);
    put(f, "srv/conf", "c");
    rev = got.rev;
    t = gd_txn_new();
    gd_txn_put_session(t, "srv/alive", "yes");
    gd_txn_put_session(t, "srv/b", "b");
    assert_int_equal(run(f, t), rev + 1);
    assert_int_equal(get(f, "srv/alive"), 0);
    assert_string_equal(got.value, "yes");
    assert_int_equal(got.rev, rev + 1);
    gd_store_list(f->store, "srv/", list_cb, NULL);
    assert_int_equal(got.err, 0);
    assert_int_equal(got.n, 3);
    assert_string_equal(got.keys[0], "srv/alive");
    assert_string_equal(got.keys[1], "srv/b");
    assert_string_equal(got.keys[2], "srv/conf");
    gd_store_list(f->store, "srv/a", list_cb, NULL);
    assert_int_equal(got.n, 1);
    snprintf(path, sizeof(path), "%s/srv/alive", f->dir);
    assert_int_equal(stat(path, &st), -1);

    reopen(f);
    assert_int_equal(get(f, "srv/alive"), -ENOENT);
    gd_store_list(f->store, "srv/", list_cb, NULL);
    assert_int_equal(got.n, 1);
    assert_string_equal(got.keys[0], "srv/conf");
    assert_int_equal(put_session(f, "srv/alive", "1"), -ENOTCONN); /* the session went too */
    assert_int_equal(sess.calls, 1);
}

/* A key is a file or a session key, never both: a put of either kind replaces
 * the other; guards and deletes see session keys; revisions keep growing. */
static void
test_session_key_replaces_file(void **state)
{
    fixture_t *f = *state;
    seen_t sess;
    struct stat st;
    char path[128];
    uint64_t r1, r2, r3;
    gd_txn_t *t;

    open_session(f, &sess);
    snprintf(path, sizeof(path), "%s/k", f->dir);
    put(f, "k", "file");
    r1 = got.rev;
    assert_int_equal(put_session(f, "k", "sess"), 0);
    r2 = got.rev;
    assert_true(r2 > r1);
    assert_int_equal(get(f, "k"), 0);
    assert_string_equal(got.value, "sess");
    assert_int_equal(got.rev, r2);
    assert_int_equal(stat(path, &st), -1);
    t = gd_txn_new();
    gd_txn_guard(t, "k", r2);
    gd_txn_put_str(t, "other", "o");
    run(f, t);

    put(f, "k", "file2");
    r3 = got.rev;
    assert_true(r3 > r2);
    assert_int_equal(get(f, "k"), 0);
    assert_string_equal(got.value, "file2");
    gd_store_list(f->store, "", list_cb, NULL);
    assert_int_equal(got.n, 2);
    assert_string_equal(got.keys[0], "k");
    assert_string_equal(got.keys[1], "other");

    assert_int_equal(put_session(f, "d", "x"), 0);
    gd_store_delete(f->store, "d", txn_cb, NULL);
    assert_int_equal(got.err, 0);
    assert_int_equal(get(f, "d"), -ENOENT);
    reopen(f);
    assert_int_equal(get(f, "k"), 0);
    assert_string_equal(got.value, "file2");
    assert_int_equal(got.rev, r3);
}

/* The single server wins at once, once it has a session. */
static void
test_elect(void **state)
{
    fixture_t *f = *state;
    seen_t el, sess;

    seen_init(&el);
    assert_int_equal(gd_store_elect(f->store, "coord", "me", on_state, &el), -ENOTCONN);
    open_session(f, &sess);
    assert_int_equal(gd_store_elect(f->store, "bad//name", "me", on_state, &el), -EINVAL);
    assert_int_equal(gd_store_elect(f->store, "coord", "me", on_state, &el), 0);
    assert_int_equal(seen_wait(&el, 1), 1);
    assert_int_equal(el.sizes[0], 1);
    assert_int_equal(el.on_caller, 0);
}

/* Arguments the calls refuse, and a store opened without an event pool. */
static void
test_refused(void **state)
{
    fixture_t *f = *state;
    seen_t sn;
    gd_store_watch_t *w = NULL;

    seen_init(&sn);
    assert_int_equal(gd_store_watch(f->store, "vol/", on_watch, &sn, &w), -EINVAL);
    assert_int_equal(gd_store_session_open(f->store, 10, on_state, &sn), -EINVAL);
    assert_int_equal(gd_store_elect(f->store, "coord", "me", on_state, &sn), -EINVAL);
    assert_int_equal(gd_store_watch(f->store, "bad\n", on_watch, &sn, &w), -EINVAL);
    assert_int_equal(gd_store_watch(f->store, "", NULL, &sn, &w), -EINVAL);
    assert_int_equal(gd_store_session_open(f->store, 0, on_state, &sn), -EINVAL);
    assert_null(w);
}

/* Messages: the local store names its folder; a backend without messages gets
 * the system's. */
static void
test_strerror(void **state)
{
    fixture_t *f = *state;
    gd_store_ops_t bare_ops = {.name = "bare"};
    gd_store_t bare = {.ops = &bare_ops};
    gd_store_watch_t *w = NULL;
    char buf[512];

    gd_store_strerror(&bare, -ENOENT, buf, sizeof(buf));
    assert_string_equal(buf, strerror(ENOENT));
    assert_int_equal(gd_store_watch(&bare, "", on_watch, NULL, &w), -EOPNOTSUPP);
    gd_store_strerror(f->store, -ENOTCONN, buf, sizeof(buf));
    assert_non_null(strstr(buf, f->dir));
    assert_non_null(strstr(buf, "session"));
    gd_store_strerror(f->store, -ENOSPC, buf, sizeof(buf));
    assert_non_null(strstr(buf, f->dir));
    assert_non_null(strstr(buf, strerror(ENOSPC)));
}

/* Closing a store with watches still registered and changes not yet delivered
 * frees everything (teardown counts the blocks). */
static void
test_destroy_with_deliveries_pending(void **state)
{
    fixture_t *f = *state;
    seen_t sn, sess;
    gd_store_watch_t *w;
    char key[32];

    seen_init(&sn);
    open_session(f, &sess);
    assert_int_equal(gd_store_watch(f->store, "", on_watch, &sn, &w), 0);
    for (int i = 0; i < 50; i++) {
        snprintf(key, sizeof(key), "k/%d", i);
        assert_int_equal(i % 2 ? put_session(f, key, "v") : (put(f, key, "v"), 0), 0);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_rules),
        cmocka_unit_test_setup_teardown(test_put_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_binary_value, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_prefix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_txn_guard_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_txn_guard_holds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_txn_guards_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_txn_bad_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_folder_conflict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_keeps_values_and_revisions, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_journal_replay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_journal_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_watch_order_and_prefixes, setup_events, teardown),
        cmocka_unit_test_setup_teardown(test_watch_cancel, setup_events, teardown),
        cmocka_unit_test_setup_teardown(test_session_keys, setup_events, teardown),
        cmocka_unit_test_setup_teardown(test_session_key_replaces_file, setup_events, teardown),
        cmocka_unit_test_setup_teardown(test_elect, setup_events, teardown),
        cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_strerror, setup, teardown),
        cmocka_unit_test_setup_teardown(test_destroy_with_deliveries_pending, setup_events,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
