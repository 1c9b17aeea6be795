/*
 * Unit tests of the timer wheel (timer.c): timers run in due order, a timer
 * cancelled in time never runs, cancelling one that ran or runs answers
 * -EALREADY (waiting for a running callback, except from inside it), and
 * destroying the wheel drops pending timers and frees everything.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "glusterfs/mem.h"
#include "glusterfs/timer.h"
#include "glusterfs/xlator.h"

typedef struct record {
    int order[8];
    int n; /* atomic */
} record_t;

typedef struct slot {
    record_t *rec;
    int id;
} slot_t;

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Polls *counter until it reaches want or 2 s pass; returns its last value. */
static int wait_count(int *counter, int want)
{
    uint64_t end = gf_time_ms() + 2000;
    int n;
    while ((n = __atomic_load_n(counter, __ATOMIC_ACQUIRE)) < want && gf_time_ms() < end)
        sleep_ms(1);
    return n;
}

static void record_cb(void *data)
{
    slot_t *s = data;
    int i = __atomic_load_n(&s->rec->n, __ATOMIC_RELAXED);
    s->rec->order[i] = s->id;
    __atomic_store_n(&s->rec->n, i + 1, __ATOMIC_RELEASE);
}

static void count_cb(void *data)
{
    __atomic_add_fetch((int *)data, 1, __ATOMIC_RELEASE);
}

static int setup(void **state)
{
    *state = gf_timer_wheel_new();
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    gf_timer_wheel_destroy(*state);
    return 0;
}

static void test_time_ms_advances(void **state)
{
    uint64_t t0 = gf_time_ms();
    sleep_ms(20);
    uint64_t dt = gf_time_ms() - t0;
    assert_true(dt >= 19 && dt < 1000);
}

static void test_order(void **state)
{
    gf_timer_wheel_t *w = *state;
    record_t rec = {.n = 0};
    const int delays[] = {40, 10, 30, 0, 20};
    slot_t slots[5];
    for (int i = 0; i < 5; i++) {
        slots[i] = (slot_t){.rec = &rec, .id = delays[i]};
        assert_non_null(gf_timer_add(w, (uint64_t)delays[i], record_cb, &slots[i]));
    }
    assert_int_equal(wait_count(&rec.n, 5), 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(rec.order[i], i * 10);
}

static void test_runs_not_before_due(void **state)
{
    int ran = 0;
    uint64_t t0 = gf_time_ms();
    assert_non_null(gf_timer_add(*state, 30, count_cb, &ran));
    assert_int_equal(wait_count(&ran, 1), 1);
    assert_true(gf_time_ms() - t0 >= 30);
}

static void test_cancel_before_due(void **state)
{
    gf_timer_wheel_t *w = *state;
    int cancelled = 0, later = 0;
    gf_timer_t *t = gf_timer_add(w, 30, count_cb, &cancelled);
    assert_non_null(t);
    assert_non_null(gf_timer_add(w, 50, count_cb, &later));
    assert_int_equal(gf_timer_cancel(w, t), 0);
    assert_int_equal(wait_count(&later, 1), 1);
    assert_int_equal(__atomic_load_n(&cancelled, __ATOMIC_ACQUIRE), 0);
}

static void test_cancel_after_run(void **state)
{
    gf_timer_wheel_t *w = *state;
    int ran = 0;
    gf_timer_t *t = gf_timer_add(w, 0, count_cb, &ran);
    assert_non_null(t);
    assert_int_equal(wait_count(&ran, 1), 1);
    assert_int_equal(gf_timer_cancel(w, t), -EALREADY);
}

typedef struct self_cancel {
    gf_timer_wheel_t *w;
    gf_timer_t *t; /* atomic: set by the test after gf_timer_add */
    int ret;
    int done;
} self_cancel_t;

static void self_cancel_cb(void *data)
{
    self_cancel_t *s = data;
    s->ret = gf_timer_cancel(s->w, __atomic_load_n(&s->t, __ATOMIC_ACQUIRE));
    __atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
}

static void test_cancel_from_callback(void **state)
{
    self_cancel_t s = {.w = *state};
    __atomic_store_n(&s.t, gf_timer_add(s.w, 20, self_cancel_cb, &s), __ATOMIC_RELEASE);
    assert_non_null(s.t);
    assert_int_equal(wait_count(&s.done, 1), 1);
    assert_int_equal(s.ret, -EALREADY);
}

typedef struct slow {
    int started;
    int finished;
} slow_t;

static void slow_cb(void *data)
{
    slow_t *s = data;
    __atomic_store_n(&s->started, 1, __ATOMIC_RELEASE);
    sleep_ms(50);
    __atomic_store_n(&s->finished, 1, __ATOMIC_RELEASE);
}

static void test_cancel_waits_for_running(void **state)
{
    gf_timer_wheel_t *w = *state;
    slow_t s = {0};
    gf_timer_t *t = gf_timer_add(w, 0, slow_cb, &s);
    assert_int_equal(wait_count(&s.started, 1), 1);
    assert_int_equal(gf_timer_cancel(w, t), -EALREADY);
    assert_int_equal(__atomic_load_n(&s.finished, __ATOMIC_ACQUIRE), 1);
}

/* Also checks that timers are charged to the translator that adds them, and
 * the wheel's growing tables are not. */
static void test_many_timers_and_cancels(void **state)
{
    gf_timer_wheel_t *w = *state;
    gf_xlator_t xl = {.name = "test"};
    int ran = 0;
    gf_timer_t *t[300];
    gf_this = &xl;
    for (int i = 0; i < 300; i++) /* even ones far off: they are cancelled */
        t[i] = gf_timer_add(w, (uint64_t)(i % 7) + (i % 2 ? 5 : 10000), count_cb, &ran);
    gf_this = NULL;
    assert_int_equal(xl.mem_acct.total_allocs, 300);
    for (int i = 0; i < 300; i += 2)
        assert_int_equal(gf_timer_cancel(w, t[i]), 0);
    assert_int_equal(wait_count(&ran, 150), 150);
    for (int i = 1; i < 300; i += 2)
        assert_int_equal(gf_timer_cancel(w, t[i]), -EALREADY);
    sleep_ms(20);
    assert_int_equal(__atomic_load_n(&ran, __ATOMIC_ACQUIRE), 150);
    assert_int_equal(xl.mem_acct.bytes, 0);
}

static void test_destroy_drops_pending(void **state)
{
    uint64_t bytes = gf_mem_global_acct.bytes;
    int ran = 0;
    gf_timer_wheel_t *w = gf_timer_wheel_new();
    assert_non_null(w);
    assert_non_null(gf_timer_add(w, 10000, count_cb, &ran));
    gf_timer_wheel_destroy(w);
    assert_int_equal(ran, 0);
    assert_int_equal(gf_mem_global_acct.bytes, bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_ms_advances),
        cmocka_unit_test_setup_teardown(test_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_runs_not_before_due, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_before_due, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_after_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_from_callback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_waits_for_running, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_timers_and_cancels, setup, teardown),
        cmocka_unit_test(test_destroy_drops_pending),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
