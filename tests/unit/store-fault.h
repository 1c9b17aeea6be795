/*
 * A store for glusterd's unit tests: the local store in a folder, wrapped so that a
 * test can count what reaches it and end transactions as an etcd store can end
 * them: refused without being run, or run with their answer lost ("outcome
 * unknown", -ETIMEDOUT), and raced by another server's write. The tests of
 * members.c and vol-ops.c use it as gd.store.
 */
#ifndef TEST_STORE_FAULT_H
#define TEST_STORE_FAULT_H

#include "glusterfs/event.h"
#include "store.h"

typedef struct store_fault {
    gd_store_t base;
    gd_store_t *inner;
    const char *count_prefix; /* lists of exactly this prefix are counted in lists */
    int lists;
    int txns;                          /* transactions seen */
    int fail_txns;                     /* the next so many transactions end with fail_err: */
    int fail_err;                      /*   -ETIMEDOUT, -EHOSTUNREACH, ... */
    int fail_applied;                  /*   after being run (else without) */
    const char *race_key, *race_value; /* put there just before the next transaction */
    int failed;                        /* transactions ended with fail_err */
    int fail_reads;                    /* once one has, lists fail with -EHOSTUNREACH */
} store_fault_t;

/* Opens the local store in dir on events and wraps it in sf (zeroed first). 0 or
 * -errno. gd_store_destroy(&sf->base) closes the local store; sf stays the
 * caller's. Its messages: -ETIMEDOUT "member m1 went silent, outcome unknown",
 * -EHOSTUNREACH "monitor cluster unreachable", others the local store's. */
int store_fault_open(store_fault_t *sf, const char *dir, gf_event_pool_t *events);

#endif
