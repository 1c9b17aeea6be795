/*
 * Tests of glusterd's volume operations (vol-ops.c) when the store cannot tell
 * whether a transaction was applied (the etcd client's -ETIMEDOUT, "outcome
 * unknown"): the operation reads its keys back and reports what happened. The
 * store here is the local one behind a wrapper whose transactions end with
 * -ETIMEDOUT after applying the change, after dropping it, or after another
 * server's change won; its reads may fail too. The operations run on the event
 * thread, as in glusterd.
 */
#include <errno.h>
#include <limits.h>
#include <semaphore.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "bstatus.h"
#include "glusterd.h"
#include "glusterfs/ctx.h"
#include "glusterfs/mem.h"
#include "mux.h"
#include "store-fault.h"
#include "vol-ops.h"
#include "volume.h"
#include "xlmeta.h"

gd_t gd; /* vol-ops.c reaches the store through glusterd's singletons */

const char *gd_self_addr(void)
{
    return "127.0.0.1";
}

/* What the store (store-fault.h) does with the transactions of an operation. */
typedef enum {
    PASS,    /* runs it */
    APPLIED, /* runs it, then says -ETIMEDOUT */
    DROPPED, /* says -ETIMEDOUT without running it */
    RACED,   /* writes another volume of the same name, says -ETIMEDOUT */
} txn_mode_t;

static store_fault_t wrap;
static char dir[] = "/tmp/test-gd-vol-ops.XXXXXX";
static sem_t ended;
static int got_err;
static char got_msg[8192], got_id[64];

static void ignore(int err, uint64_t rev, void *cookie)
{
    assert_int_equal(err, 0);
}

/* --- running operations on the event thread --- */

static void op_done(int err, const char *errstr, gf_dict_t *out, void *cookie)
{
    const char *id = "";

    got_err = err;
    snprintf(got_msg, sizeof(got_msg), "%s", errstr ? errstr : "");
    if (out)
        gf_dict_get_str(out, "volume-id", &id);
    snprintf(got_id, sizeof(got_id), "%s", id);
    sem_post(&ended);
}

static void create_task(void *data)
{
    gf_dict_t *args = gf_dict_new();
    char brick[256];

    snprintf(brick, sizeof(brick), "127.0.0.1:%s/bricks/b1", dir);
    assert_int_equal(gf_dict_set_str(args, "volname", "v"), 0);
    assert_int_equal(gf_dict_set_int32(args, "brick-count", 1), 0);
    assert_int_equal(gf_dict_set_str(args, "brick1", brick), 0);
    assert_int_equal(gf_dict_set_int32(args, "force", 1), 0);
    gd_vol_create(args, op_done, NULL);
    gf_dict_unref(args);
}

static void stop_task(void *data)
{
    gd_vol_stop("v", 1, op_done, NULL);
}

static void delete_task(void *data)
{
    gd_vol_delete("v", op_done, NULL);
}

static void set_all_task(void *data)
{
    gf_dict_t *args = gf_dict_new();

    assert_int_equal(gf_dict_set_str(args, "volname", "all"), 0);
    assert_int_equal(gf_dict_set_int32(args, "count", 1), 0);
    assert_int_equal(gf_dict_set_str(args, "key1", GD_MUX_LIMIT_KEY), 0);
    assert_int_equal(gf_dict_set_str(args, "value1", data), 0);
    gd_vol_set(args, op_done, NULL);
    gf_dict_unref(args);
}

static void set_vol_task(void *data)
{
    gf_dict_t *args = gf_dict_new();

    assert_int_equal(gf_dict_set_str(args, "volname", "v"), 0);
    assert_int_equal(gf_dict_set_int32(args, "count", 1), 0);
    assert_int_equal(gf_dict_set_str(args, "key1", "network.inode-lru-limit"), 0);
    assert_int_equal(gf_dict_set_str(args, "value1", data), 0);
    gd_vol_set(args, op_done, NULL);
    gf_dict_unref(args);
}

/* Runs task on the event thread with the wrapper in mode m; waits for its end. */
static void run_with(gf_event_task_t task, void *data, txn_mode_t m)
{
    struct timespec ts;

    wrap.fail_txns = m == PASS ? 0 : INT_MAX; /* every transaction of the operation */
    wrap.fail_err = -ETIMEDOUT;
    wrap.fail_applied = m == APPLIED;
    if (m == RACED) /* another create of the same name, just before */
        wrap.race_key = "vol/v/info";
    wrap.race_value = "id=00000000-0000-0000-0000-000000000001\nstatus=created\n";
    wrap.failed = 0;
    got_err = 1;
    assert_int_equal(gf_event_post(gf_ctx->events, task, data), 0);
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 10;
    assert_int_equal(sem_timedwait(&ended, &ts), 0);
    if (m != PASS)
        assert_true(wrap.failed >= 1);
}

static void run(gf_event_task_t task, txn_mode_t m)
{
    run_with(task, NULL, m);
}

/* The value of field name of key in the local store ("" when absent). */
static char field[128];

static void got_key(int err, const gd_kv_t *kv, void *cookie)
{
    char *v = err ? NULL : gd_field(kv->value, cookie);

    snprintf(field, sizeof(field), "%s", err ? "(none)" : v ? v : "");
    gf_free(v);
}

static const char *info_field(const char *name)
{
    gd_store_get(wrap.inner, "vol/v/info", got_key, (void *)name);
    return field;
}

/* The volume's bricks report themselves offline at any generation, so that a
 * stop's wait ends at once. */
static void report_offline(void)
{
    gd_bstatus_t st = {.gen = UINT64_MAX / 2, .state = GD_BS_OFFLINE};
    char *value = gd_bstatus_value(&st);

    gd_store_put(wrap.inner, GD_STATUS_PREFIX "v/0", value, ignore, NULL);
    gf_free(value);
}

/* The one option a volume set here uses, as protocol/server declares it. */
static const gf_option_t server_opts[] = {
    {.key = "inode-lru-limit",
     .type = GF_OPT_INT,
     .def = "16384",
     .max = 1048576,
     .offset = GF_OPT_NO_FIELD},
    {.key = NULL},
};

static int setup(void **state)
{
    assert_non_null(mkdtemp(dir));
    assert_int_equal(gf_ctx_init("test", 1, 2), 0);
    assert_int_equal(store_fault_open(&wrap, dir, gf_ctx->events), 0);
    gd.store = &wrap.base;
    gd.conf.bind = "127.0.0.1";
    assert_non_null(gd.xlmeta = gd_xlmeta_new(NULL));
    assert_int_equal(gd_xlmeta_add(gd.xlmeta, "protocol/server", server_opts), 0);
    snprintf(gd.conf.uuid, sizeof(gd.conf.uuid), "11111111-2222-3333-4444-555555555555");
    sem_init(&ended, 0, 0);
    return 0;
}

static int teardown(void **state)
{
    char cmd[64];

    gd_store_destroy(&wrap.base);
    gd_xlmeta_free(gd.xlmeta);
    gf_ctx_fini();
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    strcpy(dir, "/tmp/test-gd-vol-ops.XXXXXX");
    return 0;
}

/* A create applied although its outcome was unknown succeeds, with its id. */
static void test_create_applied(void **state)
{
    run(create_task, APPLIED);
    assert_int_equal(got_err, 0);
    assert_int_equal(strlen(got_id), 36);
    assert_string_equal(info_field("id"), got_id);
}

/* A create that was not applied fails, saying so and to try again. */
static void test_create_dropped(void **state)
{
    run(create_task, DROPPED);
    assert_int_equal(got_err, -EAGAIN);
    assert_non_null(strstr(got_msg, "volume create v was not applied"));
    assert_non_null(strstr(got_msg, "outcome unknown"));
    assert_non_null(strstr(got_msg, "try again"));
    assert_string_equal(info_field("id"), "(none)");
    run(create_task, PASS); /* and it can be */
    assert_int_equal(got_err, 0);
}

/* Another server's create of the same name won: "already exists". */
static void test_create_raced(void **state)
{
    run(create_task, RACED);
    assert_int_equal(got_err, -EEXIST);
    assert_string_equal(got_msg, "Volume v already exists");
}

/* When the read-back fails too, the user is told the outcome is unknown. */
static void test_create_unknown(void **state)
{
    wrap.fail_reads = 1;
    run(create_task, DROPPED);
    assert_int_equal(got_err, -ETIMEDOUT);
    assert_non_null(strstr(got_msg, "cannot tell whether volume create v was applied"));
    assert_non_null(strstr(got_msg, "monitor cluster unreachable"));
    assert_non_null(strstr(got_msg, "gluster volume info v"));
}

/* stop (its status) and delete (the volume gone), applied and not. */
static void test_stop_delete(void **state)
{
    run(create_task, PASS);
    assert_int_equal(got_err, 0);
    report_offline();
    run(stop_task, DROPPED);
    assert_int_equal(got_err, -EAGAIN);
    assert_string_equal(info_field("status"), "created");
    run(stop_task, APPLIED);
    assert_int_equal(got_err, 0);
    assert_string_equal(info_field("status"), "stopped");

    run(delete_task, DROPPED);
    assert_int_equal(got_err, -EAGAIN);
    assert_non_null(strstr(got_msg, "volume delete v was not applied"));
    assert_string_equal(info_field("status"), "stopped");
    run(delete_task, APPLIED);
    assert_int_equal(got_err, 0);
    assert_string_equal(info_field("id"), "(none)");
}

static char value[64];

static void got_value(int err, const gd_kv_t *kv, void *cookie)
{
    snprintf(value, sizeof(value), "%s", err ? "(none)" : kv->value);
}

/* A cluster-wide option: its value read back decides. */
static void test_set_all(void **state)
{
    run_with(set_all_task, "7", DROPPED);
    assert_int_equal(got_err, -EAGAIN);
    assert_non_null(strstr(got_msg, "volume set all was not applied"));
    gd_store_get(wrap.inner, GD_GLOBAL_OPT_PREFIX GD_MUX_LIMIT_KEY, got_value, NULL);
    assert_string_equal(value, "(none)");
    run_with(set_all_task, "7", APPLIED);
    assert_int_equal(got_err, 0);
    gd_store_get(wrap.inner, GD_GLOBAL_OPT_PREFIX GD_MUX_LIMIT_KEY, got_value, NULL);
    assert_string_equal(value, "7");
    assert_int_equal(gd.mux.max_bricks, 7); /* applied here too */
}

/* A volume's option: the info key written again and the options as wanted. */
static void test_set_volume(void **state)
{
    const char *key = GD_VOL_PREFIX "v/opt/network.inode-lru-limit";

    run(create_task, PASS);
    assert_int_equal(got_err, 0);
    run_with(set_vol_task, "5000", DROPPED);
    assert_int_equal(got_err, -EAGAIN);
    assert_non_null(strstr(got_msg, "volume set v was not applied"));
    gd_store_get(wrap.inner, key, got_value, NULL);
    assert_string_equal(value, "(none)");
    run_with(set_vol_task, "5000", APPLIED);
    assert_int_equal(got_err, 0);
    gd_store_get(wrap.inner, key, got_value, NULL);
    assert_string_equal(value, "5000");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_applied, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_raced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_unknown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_volume, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
