/*
 * The process context: creates and destroys the process's one event pool,
 * timer wheel and worker pool, and says where translators are loaded from
 * (GF_XLATOR_DIR from the build, or the environment variable of that name,
 * which tests use to run from the build tree).
 */
#include <errno.h>
#include <stdlib.h>

#include "glusterfs/ctx.h"
#include "glusterfs/mem.h"

#ifndef GF_XLATOR_DIR
#error "GF_XLATOR_DIR must be defined by the build (see common.am)"
#endif

gf_ctx_t *gf_ctx;

static gf_ctx_t ctx_storage;
static char *process_name; /* copies owned here, exposed as const in gf_ctx */
static char *xlator_dir;

/* Fills ctx_storage's names. 0 or -ENOMEM. */
static int set_names(const char *process)
{
    const char *dir = getenv("GF_XLATOR_DIR");
    process_name = gf_strdup(process ? process : "glusterfs");
    xlator_dir = gf_strdup(dir && *dir ? dir : GF_XLATOR_DIR);
    ctx_storage.process = process_name;
    ctx_storage.xlator_dir = xlator_dir;
    return process_name && xlator_dir ? 0 : -ENOMEM;
}

/* Creates the context (see ctx.h) and publishes it in gf_ctx. -EALREADY if one
 * exists, -EINVAL on bad counts, else the error of the part that failed (with
 * nothing left behind). */
int gf_ctx_init(const char *process, int event_threads, int max_workers)
{
    if (gf_ctx)
        return -EALREADY;
    if (event_threads < 1 || max_workers < 1)
        return -EINVAL;
    int err = set_names(process);
    if (!err) {
        errno = ENOMEM;
        ctx_storage.events = gf_event_pool_new(event_threads);
        ctx_storage.timers = ctx_storage.events ? gf_timer_wheel_new() : NULL;
        ctx_storage.workers = ctx_storage.timers ? gf_workpool_new(1, max_workers) : NULL;
        err = ctx_storage.workers ? 0 : (errno ? -errno : -ENOMEM);
    }
    gf_ctx = &ctx_storage;
    if (err)
        gf_ctx_fini();
    return err;
}

/* Destroys the context. Call once every translator is gone: timers stop first
 * (their callbacks may post to the others), then the event threads (whose
 * posted tasks run first and may submit work), then the workers after running
 * what is queued, which must no longer post events or add timers. */
void gf_ctx_fini(void)
{
    if (!gf_ctx)
        return;
    gf_timer_wheel_destroy(ctx_storage.timers);
    gf_event_pool_destroy(ctx_storage.events);
    gf_workpool_destroy(ctx_storage.workers);
    gf_free(process_name);
    gf_free(xlator_dir);
    process_name = xlator_dir = NULL;
    ctx_storage = (gf_ctx_t){0};
    gf_ctx = NULL;
}
