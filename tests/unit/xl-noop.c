/*
 * A translator that does nothing, built only for test-graph (as the module
 * xl/test/noop.so). It checks in init() that the loader bound its options, and
 * records what happened to it in noop_trace, which the test reads through the
 * module's handle:
 *
 *   "init:NAME fini:NAME parent_up:NAME ..."
 *
 * Its option "fail-init" makes init() fail, so the test can check how a graph
 * recovers from a translator that does not start.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "glusterfs/xlator.h"

typedef struct noop_priv {
    int64_t count;
    bool flag;
    bool fail_init;
} noop_priv_t;

/* What happened, in order; the test empties it before each case. */
char noop_trace[1024];

static void trace(const char *what, gf_xlator_t *this)
{
    size_t used = strlen(noop_trace);

    snprintf(noop_trace + used, sizeof(noop_trace) - used, "%s:%s ", what, this->name);
}

/* Refuses to start unless count was bound within its range (or fail-init is on). */
static int noop_init(gf_xlator_t *this)
{
    noop_priv_t *priv = this->priv;

    if (gf_this != this || priv->fail_init || priv->count < 1 || priv->count > 10)
        return -EINVAL;
    trace("init", this);
    return 0;
}

static void noop_fini(gf_xlator_t *this)
{
    trace("fini", this);
}

static int noop_notify(gf_xlator_t *this, gf_event_t event, void *data)
{
    if (event == GF_EVENT_PARENT_UP)
        trace("parent_up", this);
    return gf_default_notify(this, event, data);
}

static const gf_option_t noop_options[] = {
    {.key = "count", .type = GF_OPT_INT, .def = "3", .min = 1, .max = 10,
     .offset = offsetof(noop_priv_t, count), .desc = "a number the test sets"},
    {.key = "flag", .type = GF_OPT_BOOL, .offset = offsetof(noop_priv_t, flag),
     .desc = "a switch the test sets"},
    {.key = "fail-init", .type = GF_OPT_BOOL, .def = "off",
     .offset = offsetof(noop_priv_t, fail_init), .desc = "make init() fail"},
    {.key = NULL},
};

const gf_xlator_desc_t gf_xlator_desc = {
    .abi_version = GF_XLATOR_ABI_VERSION,
    .type = "test/noop",
    .priv_size = sizeof(noop_priv_t),
    .init = noop_init,
    .fini = noop_fini,
    .notify = noop_notify,
    .options = noop_options,
};
