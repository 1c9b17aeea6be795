/*
 * The process context: the one event pool, timer thread and worker pool of a
 * process, shared by all its translators and bricks.
 */
#ifndef GF_CTX_H
#define GF_CTX_H

#include "glusterfs/event.h"
#include "glusterfs/timer.h"
#include "glusterfs/workpool.h"

typedef struct gf_ctx {
    gf_event_pool_t *events;
    gf_timer_wheel_t *timers;
    gf_workpool_t *workers;
    const char *process; /* "glusterfsd", "glusterd", "gfcli" ... */
    const char *xlator_dir; /* where translators are loaded from */
} gf_ctx_t;

extern gf_ctx_t *gf_ctx;

/* Creates the process context with event_threads event threads and a worker pool
 * of 1..max_workers threads. 0 or -errno. */
int gf_ctx_init(const char *process, int event_threads, int max_workers);
void gf_ctx_fini(void);

#endif
