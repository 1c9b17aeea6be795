/*
 * A real etcd cluster for the unit tests that need one (test-etcd.c,
 * test-gd-store-etcd.c): 3 members from Debian's etcd-server (the binary "etcd"
 * on PATH, or $ETCD) on 127.0.0.1, on free ports (never etcd's default 2379 and
 * 2380), with their data and logs in a temporary folder, stopped by PID at the
 * end, and killed with the test if it dies. Also the small timing helpers those
 * tests share.
 */
#ifndef TEST_ETCD_CLUSTER_H
#define TEST_ETCD_CLUSTER_H

#include <sys/types.h>
#include <time.h>

#include "glusterfs/event.h"
#include "glusterfs/timer.h"

#define EC_MEMBERS 3

typedef struct ec_member {
    int client_port, peer_port;
    char url[64];
    pid_t pid; /* 0 when stopped */
} ec_member_t;

typedef struct ec_cluster {
    const char *etcd; /* the binary */
    char dir[256];
    ec_member_t m[EC_MEMBERS];
    char urls[256]; /* every member's client URL, comma-separated */
    int election_ms; /* Raft election timeout (heartbeat: a tenth); 0: 250 */
    gf_event_pool_t *events;
    gf_timer_wheel_t *timers;
} ec_cluster_t;

/* The etcd binary: $ETCD, or "etcd" found on PATH; NULL when there is none (the
 * test then exits 77, skipped). */
const char *ec_find_etcd(void);
/* Starts the cluster with binary etcd, an event pool of 2 threads and a timer
 * wheel, and waits until every member answers. 0, or -1 with a message on
 * stderr naming the member's log. */
int ec_start(ec_cluster_t *ec, const char *etcd);
/* The same with an election timeout of election_ms (heartbeats a tenth of it). */
int ec_start_timed(ec_cluster_t *ec, const char *etcd, int election_ms);
/* Stops the members, the pool and the wheel, and removes the folder. */
void ec_stop(ec_cluster_t *ec);
/* Runs member i (again, on its existing data). */
void ec_spawn(ec_cluster_t *ec, int i);
/* Sends sig to member i (also when it was stopped) and reaps it. */
void ec_kill(ec_cluster_t *ec, int i, int sig);
/* Waits until member i answers a linearizable read; returns whether it did. */
int ec_ready(ec_cluster_t *ec, int i);

/* A free TCP port on 127.0.0.1; its socket stays open in *fd until the caller
 * has chosen all its ports, so no port is chosen twice. -1 on failure. */
int ec_free_port(int *fd);
void ec_sleep_ms(long ms);
/* A deadline for pthread_cond_timedwait (CLOCK_REALTIME), ms from now. */
struct timespec ec_after_ms(long ms);

#endif
