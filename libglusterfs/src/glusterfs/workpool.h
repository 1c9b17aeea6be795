/*
 * The worker pool: one per process, shared by every brick. It runs blocking work
 * (system calls of storage/posix) off the event threads. Its size follows the
 * load (threads are added while work waits, up to max, and leave after being idle)
 * and never the number of bricks.
 */
#ifndef GF_WORKPOOL_H
#define GF_WORKPOOL_H

typedef struct gf_workpool gf_workpool_t;
typedef void (*gf_work_fn_t)(void *data);

/* min_threads started at once; grows to max_threads under load. NULL on failure. */
gf_workpool_t *gf_workpool_new(int min_threads, int max_threads);
/* Runs what is queued, then stops and frees every thread. */
void gf_workpool_destroy(gf_workpool_t *p);
/* Queues fn(data). 0 or -errno. */
int gf_workpool_submit(gf_workpool_t *p, gf_work_fn_t fn, void *data);
/* Current number of threads (for status and tests). */
int gf_workpool_nthreads(gf_workpool_t *p);

#endif
