/*
 * debug/io-stats: per-translator counters of the calls passing through it. It sits
 * at the top of every brick graph, named after the brick, so its figures are the
 * brick's: calls, errors and latency (min/avg/max) per fop, bytes read and
 * written. Counters are lock-free atomics in the translator's private struct.
 *
 * Every fop slot holds the same function (all fops share one signature): it
 * stamps the start time into the wind cookie and winds to the only child; one
 * callback does the counting. fini logs one line per fop that was called.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "glusterfs/log.h"
#include "glusterfs/xlator.h"

/* Counters of one fop; updated with __atomic builtins. */
typedef struct {
    uint64_t calls, errors;
    uint64_t timed;                  /* calls whose latency was measured */
    uint64_t lat_sum, lat_min, lat_max; /* nanoseconds; lat_min 0 = none yet */
} fop_stats_t;

typedef struct {
    bool latency;    /* option latency-measurement */
    bool count_hits; /* option count-fop-hits */
    fop_stats_t fops[GF_FOP_MAXVALUE];
    uint64_t bytes_read, bytes_written;
} iostats_priv_t;

/* Monotonic time in nanoseconds, truncated to the width of a cookie. */
static uintptr_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uintptr_t)((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
}

static void add(uint64_t *counter, uint64_t n)
{
    __atomic_add_fetch(counter, n, __ATOMIC_RELAXED);
}

/* Lowers *slot to v (when v is lower, or *slot is unset) or raises it (max). */
static void update_extreme(uint64_t *slot, uint64_t v, bool max)
{
    uint64_t cur = __atomic_load_n(slot, __ATOMIC_RELAXED);

    while ((max ? v > cur : (cur == 0 || v < cur)) &&
           !__atomic_compare_exchange_n(slot, &cur, v, true, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED))
        ;
}

/* Records one latency sample. Modular arithmetic keeps short latencies right
 * even where a cookie is narrower than 64 bits. */
static void record_latency(fop_stats_t *s, uintptr_t start)
{
    uint64_t lat = (uint64_t)(uintptr_t)(now_ns() - start);

    add(&s->timed, 1);
    add(&s->lat_sum, lat);
    update_extreme(&s->lat_min, lat, false);
    update_extreme(&s->lat_max, lat, true);
}

/* The one callback: counts the reply of the fop this frame wound, unwinds it. */
static int iostats_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    iostats_priv_t *priv = this->priv;
    fop_stats_t *s = &priv->fops[frame->op];

    if (priv->count_hits) {
        add(&s->calls, 1);
        if (rsp->op_ret < 0)
            add(&s->errors, 1);
    }
    if (rsp->op_ret > 0 && frame->op == GF_FOP_READ)
        add(&priv->bytes_read, (uint64_t)rsp->op_ret);
    if (rsp->op_ret > 0 && frame->op == GF_FOP_WRITE)
        add(&priv->bytes_written, (uint64_t)rsp->op_ret);
    if (priv->latency)
        record_latency(s, (uintptr_t)cookie);
    return gf_unwind(frame, rsp);
}

/* The one fop: winds frame->op to the child with the start time as cookie. */
static int iostats_fop(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    iostats_priv_t *priv = this->priv;
    uintptr_t start = priv->latency ? now_ns() : 0;

    return gf_wind(frame, this->children[0], frame->op, args, iostats_cbk, (void *)start);
}

static int iostats_init(gf_xlator_t *this)
{
    if (this->n_children != 1) {
        gf_log(GF_LOG_ERROR, "debug/io-stats needs exactly one subvolume, it has %d: fix "
               "the volfile", this->n_children);
        return -EINVAL;
    }
    return 0;
}

/* Logs the counters of every fop that was called, and the bytes moved. */
static void iostats_fini(gf_xlator_t *this)
{
    iostats_priv_t *priv = this->priv;
    int op;

    for (op = GF_FOP_NULL + 1; op < GF_FOP_MAXVALUE; op++) {
        const fop_stats_t *s = &priv->fops[op];

        if (!s->calls && !s->timed)
            continue;
        gf_log(GF_LOG_INFO,
               "%s: %" PRIu64 " calls, %" PRIu64 " errors, latency us avg %.1f min %.1f "
               "max %.1f",
               gf_fop_name(op), s->calls, s->errors,
               s->timed ? (double)s->lat_sum / s->timed / 1000.0 : 0.0,
               (double)s->lat_min / 1000.0, (double)s->lat_max / 1000.0);
    }
    gf_log(GF_LOG_INFO, "%" PRIu64 " bytes read, %" PRIu64 " bytes written",
           priv->bytes_read, priv->bytes_written);
}

static const gf_option_t iostats_options[] = {
    {.key = "latency-measurement",
     .type = GF_OPT_BOOL,
     .def = "on",
     .scope = GF_SCOPE_BRICK,
     .offset = offsetof(iostats_priv_t, latency),
     .desc = "measure the latency of every fop (min/avg/max)"},
    {.key = "count-fop-hits",
     .type = GF_OPT_BOOL,
     .def = "on",
     .scope = GF_SCOPE_BRICK,
     .offset = offsetof(iostats_priv_t, count_hits),
     .desc = "count the calls and errors of every fop"},
    {.key = NULL},
};

const gf_xlator_desc_t gf_xlator_desc = {
    .abi_version = GF_XLATOR_ABI_VERSION,
    .type = "debug/io-stats",
    .priv_size = sizeof(iostats_priv_t),
    .init = iostats_init,
    .fini = iostats_fini,
    .options = iostats_options,
    .fops =
        {
#define GF_FOP(ENUM, name, num) [GF_FOP_##ENUM] = iostats_fop,
#include "glusterfs/fops.def"
#undef GF_FOP
        },
};
