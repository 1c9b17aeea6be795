/*
 * Tests of glusterd's mirrors (mirror.c) on the local store: the first read,
 * changes applied from the watch without a read, keys outside the prefix left
 * out, and a mirror freed from its own callback. Everything the mirror does runs
 * on the event thread, as in glusterd: the test posts its steps there and waits
 * for the mirror's callback.
 */
#include <errno.h>
#include <semaphore.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "glusterfs/ctx.h"
#include "glusterfs/mem.h"
#include "glusterd.h"
#include "mirror.h"

gd_t gd; /* mirror.c reaches the store through glusterd's singletons */

static char dir[] = "/tmp/test-gd-mirror.XXXXXX";
static sem_t called;
static char seen[1024]; /* the copy at the last callback: "key=value;..." */
static gd_mirror_t *mirror;
static int free_in_cb;

static void
mirrored(gd_mirror_t *m, void *cookie)
{
    const gd_kv_t *kvs;
    int n;
    size_t len = 0;

    kvs = gd_mirror_kvs(m, &n);
    seen[0] = '\0';
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(seen + len, sizeof(seen) - len, "%s=%s;", kvs[i].key,
                                kvs[i].value);
    if (free_in_cb) {
        gd_mirror_free(m);
        mirror = NULL;
    }
    sem_post(&called);
}

static void
done(int err, uint64_t rev, void *cookie)
{
    assert_int_equal(err, 0);
}

/* Event-thread steps. */
static void
start_task(void *data)
{
    assert_int_equal(gd_mirror_new(data, mirrored, NULL, &mirror), 0);
}

static void
change_task(void *data)
{
    gd_txn_t *txn = gd_txn_new();
    gd_txn_put_str(txn, "p/c", "3");
    gd_txn_delete(txn, "p/a");
    gd_txn_put_str(txn, "q/x", "outside");
    gd_store_txn(gd.store, txn, done, NULL);
    gd_txn_free(txn);
}

static void
free_task(void *data)
{
    gd_mirror_free(mirror);
    mirror = NULL;
    sem_post(&called);
}

static void
run(gf_event_task_t task, void *data)
{
    assert_int_equal(gf_event_post(gf_ctx->events, task, data), 0);
}

static void
wait_called(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 5;
    assert_int_equal(sem_timedwait(&called, &ts), 0);
}

static int
setup(void **state)
{
    assert_non_null(mkdtemp(dir));
    assert_int_equal(gf_ctx_init("test", 1, 1), 0);
    assert_int_equal(gd_store_local_open(dir, gf_ctx->events, &gd.store), 0);
    sem_init(&called, 0, 0);
    gd_store_put(gd.store, "p/a", "1", done, NULL);
    gd_store_put(gd.store, "p/b", "2", done, NULL);
    gd_store_put(gd.store, "pz", "not under p/", done, NULL);
    free_in_cb = 0;
    return 0;
}

static int
teardown(void **state)
{
    char cmd[64];
    gd_store_destroy(gd.store);
    gf_ctx_fini();
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    strcpy(dir, "/tmp/test-gd-mirror.XXXXXX");
    return 0;
}

/* The first read, then a transaction's changes applied from the watch. */
static void
test_read_then_changes(void **state)
{
    run(start_task, "p/");
    wait_called();
    assert_string_equal(seen, "p/a=1;p/b=2;");
    run(change_task, NULL);
    wait_called();
    assert_string_equal(seen, "p/b=2;p/c=3;");
    run(free_task, NULL);
    wait_called();
}

/* A mirror freed from its own callback is gone, and nothing calls it again. */
static void
test_free_in_callback(void **state)
{
    free_in_cb = 1;
    run(start_task, "p/");
    wait_called();
    assert_null(mirror);
    run(change_task, NULL);
    usleep(200 * 1000);
    assert_int_equal(sem_trywait(&called), -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_read_then_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_free_in_callback, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
