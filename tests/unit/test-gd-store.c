/*
 * Unit tests of glusterd's store interface and its local backend
 * (glusterd/src/store.c, store-local.c): key rules, get/put/delete, listing by
 * prefix, guarded transactions, persistence across reopen, journal replay after a
 * simulated crash, and that nothing leaks. Each case works in its own temporary
 * folder.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "glusterfs/mem.h"
#include "store.h"

typedef struct fixture {
    char dir[64];
    gd_store_t *store;
    uint64_t blocks;
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

static int
setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    strcpy(f->dir, "/tmp/test-gd-store.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    strcat(f->dir, "/store");
    f->blocks = gf_mem_global_acct.blocks;
    assert_int_equal(gd_store_local_open(f->dir, &f->store), 0);
    memset(&got, 0, sizeof(got));
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fixture_t *f = *state;
    char cmd[128];
    gd_store_destroy(f->store);
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
    assert_int_equal(gd_store_local_open(f->dir, &f->store), 0);
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
    assert_int_equal(gd_store_local_open(f->dir, &s), -EIO);
    assert_null(s);
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
