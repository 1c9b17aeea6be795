/*
 * Unit tests of the worker pool (workpool.c): every submitted item runs,
 * destroy drains the queue (also items submitted by items), the pool grows
 * under blocking work but never past max, and does not grow while a thread
 * is idle.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "glusterfs/mem.h"
#include "glusterfs/timer.h"
#include "glusterfs/workpool.h"

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int load(int *v)
{
    return __atomic_load_n(v, __ATOMIC_ACQUIRE);
}

/* Polls *counter until it reaches want or 2 s pass; returns its last value. */
static int wait_count(int *counter, int want)
{
    uint64_t end = gf_time_ms() + 2000;
    int n;
    while ((n = load(counter)) < want && gf_time_ms() < end)
        sleep_ms(1);
    return n;
}

static void count_work(void *data)
{
    __atomic_add_fetch((int *)data, 1, __ATOMIC_RELEASE);
}

static void test_bad_sizes(void **state)
{
    assert_null(gf_workpool_new(-1, 2));
    assert_null(gf_workpool_new(0, 0));
    assert_null(gf_workpool_new(3, 2));
}

static void test_starts_min_threads(void **state)
{
    gf_workpool_t *p = gf_workpool_new(3, 5);
    assert_non_null(p);
    assert_int_equal(gf_workpool_nthreads(p), 3);
    gf_workpool_destroy(p);
}

static void test_all_items_run(void **state)
{
    int ran = 0;
    gf_workpool_t *p = gf_workpool_new(1, 4);
    assert_non_null(p);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(gf_workpool_submit(p, count_work, &ran), 0);
    assert_int_equal(wait_count(&ran, 1000), 1000);
    gf_workpool_destroy(p);
    assert_int_equal(ran, 1000);
}

static void test_destroy_drains(void **state)
{
    uint64_t bytes = gf_mem_global_acct.bytes;
    int ran = 0;
    gf_workpool_t *p = gf_workpool_new(0, 2);
    assert_non_null(p);
    for (int i = 0; i < 500; i++)
        assert_int_equal(gf_workpool_submit(p, count_work, &ran), 0);
    gf_workpool_destroy(p);
    assert_int_equal(ran, 500);
    assert_int_equal(gf_mem_global_acct.bytes, bytes);
}

typedef struct chain {
    gf_workpool_t *pool;
    int ran;
    int failures;
} chain_t;

static void chain_work(void *data)
{
    chain_t *c = data;
    sleep_ms(10);
    if (gf_workpool_submit(c->pool, count_work, &c->ran) != 0)
        c->failures++;
    __atomic_add_fetch(&c->ran, 1, __ATOMIC_RELEASE);
}

static void test_destroy_runs_items_submitted_by_items(void **state)
{
    chain_t c = {.pool = gf_workpool_new(1, 1)};
    assert_non_null(c.pool);
    assert_int_equal(gf_workpool_submit(c.pool, chain_work, &c), 0);
    gf_workpool_destroy(c.pool);
    assert_int_equal(c.ran, 2);
    assert_int_equal(c.failures, 0);
}

/* Items that block until the gate opens, counting how many run at once. */
typedef struct gate {
    pthread_mutex_t lock;
    pthread_cond_t open_cv;
    bool open;
    int running; /* atomic */
    int peak;    /* atomic */
    int done;    /* atomic */
} gate_t;

static void gated_work(void *data)
{
    gate_t *g = data;
    int now = __atomic_add_fetch(&g->running, 1, __ATOMIC_ACQ_REL);
    int peak = load(&g->peak);
    while (now > peak && !__atomic_compare_exchange_n(&g->peak, &peak, now, false,
                                                      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        ;
    pthread_mutex_lock(&g->lock);
    while (!g->open)
        pthread_cond_wait(&g->open_cv, &g->lock);
    pthread_mutex_unlock(&g->lock);
    __atomic_sub_fetch(&g->running, 1, __ATOMIC_ACQ_REL);
    __atomic_add_fetch(&g->done, 1, __ATOMIC_RELEASE);
}

static void gate_open(gate_t *g)
{
    pthread_mutex_lock(&g->lock);
    g->open = true;
    pthread_cond_broadcast(&g->open_cv);
    pthread_mutex_unlock(&g->lock);
}

static void test_grows_to_max_under_blocking_work(void **state)
{
    gate_t g = {.lock = PTHREAD_MUTEX_INITIALIZER, .open_cv = PTHREAD_COND_INITIALIZER};
    gf_workpool_t *p = gf_workpool_new(1, 4);
    assert_non_null(p);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(gf_workpool_submit(p, gated_work, &g), 0);
        assert_true(gf_workpool_nthreads(p) <= 4);
    }
    assert_int_equal(wait_count(&g.running, 4), 4);
    sleep_ms(20);
    assert_int_equal(gf_workpool_nthreads(p), 4);
    assert_int_equal(load(&g.running), 4);
    gate_open(&g);
    assert_int_equal(wait_count(&g.done, 10), 10);
    assert_int_equal(load(&g.peak), 4);
    assert_int_equal(gf_workpool_nthreads(p), 4);
    gf_workpool_destroy(p);
}

static void test_no_growth_while_idle(void **state)
{
    int ran = 0;
    gf_workpool_t *p = gf_workpool_new(2, 8);
    assert_non_null(p);
    sleep_ms(50); /* let both threads reach their idle wait */
    for (int i = 1; i <= 20; i++) {
        assert_int_equal(gf_workpool_submit(p, count_work, &ran), 0);
        assert_int_equal(wait_count(&ran, i), i);
        sleep_ms(5); /* and the one that ran the item get back to it */
    }
    assert_int_equal(gf_workpool_nthreads(p), 2);
    gf_workpool_destroy(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_sizes),
        cmocka_unit_test(test_starts_min_threads),
        cmocka_unit_test(test_all_items_run),
        cmocka_unit_test(test_destroy_drains),
        cmocka_unit_test(test_destroy_runs_items_submitted_by_items),
        cmocka_unit_test(test_grows_to_max_under_blocking_work),
        cmocka_unit_test(test_no_growth_while_idle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
