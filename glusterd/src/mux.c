/*
 * Brick multiplexing policy (contract in mux.h). The options bind into
 * gd_mux_conf_t through the same option loader translators use.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glusterfs/dict.h"
#include "mux.h"

static const gf_option_t mux_options[] = {
    {.key = GD_MUX_KEY,
     .type = GF_OPT_BOOL,
     .def = "on",
     .scope = GF_SCOPE_PROCESS,
     .offset = offsetof(gd_mux_conf_t, enabled),
     .desc = "serve compatible bricks of this server in shared processes (off: one "
             "process per brick)"},
    {.key = GD_MUX_LIMIT_KEY,
     .type = GF_OPT_INT,
     .def = "0",
     .min = 0,
     .max = 1000000,
     .scope = GF_SCOPE_PROCESS,
     .offset = offsetof(gd_mux_conf_t, max_bricks),
     .desc = "most bricks one process serves when multiplexing (0: no limit)"},
    {.key = NULL},
};

const gf_option_t *
gd_mux_options(void)
{
    return mux_options;
}

/* Binds key = value (value NULL: its default) into conf. */
static void
bind_one(gd_mux_conf_t *conf, const char *key, const char *value)
{
    gf_dict_t *d = gf_dict_new();
    gd_mux_conf_t c = *conf;
    char err[256];

    if (!d)
        return;
    if ((!value || gf_dict_set_str(d, key, value) == 0) &&
        gf_options_bind(mux_options, d, &c, err, sizeof(err)) == 0) {
        if (strcmp(key, GD_MUX_KEY) == 0)
            conf->enabled = c.enabled;
        else
            conf->max_bricks = c.max_bricks;
    }
    gf_dict_unref(d);
}

void
gd_mux_defaults(gd_mux_conf_t *conf)
{
    bind_one(conf, GD_MUX_KEY, NULL);
    bind_one(conf, GD_MUX_LIMIT_KEY, NULL);
}

int
gd_mux_validate(const char *key, const char *value, char *err, size_t errlen)
{
    const gf_option_t *opt = gf_option_find(mux_options, key);
    char why[256];

    if (!opt) {
        snprintf(err, errlen, "%s is not a cluster-wide option (those are %s and %s)", key,
                 GD_MUX_KEY, GD_MUX_LIMIT_KEY);
        return -ENOENT;
    }
    if (gf_option_validate(opt, value, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "%s: %s%s", key, why,
                 opt->type == GF_OPT_INT ? "; 0 means no limit" : "");
        return -EINVAL;
    }
    if (strcmp(key, GD_MUX_LIMIT_KEY) == 0 && strtol(value, NULL, 10) == 1) {
        snprintf(err, errlen,
                 "%s: 1 would give every brick a process of its own; for that, turn "
                 "multiplexing off (volume set all %s off); otherwise give 0 (no limit) or "
                 "a number of 2 or more",
                 key, GD_MUX_KEY);
        return -EINVAL;
    }
    return 0;
}

void
gd_mux_apply(gd_mux_conf_t *conf, const char *key, const char *value)
{
    bind_one(conf, key, value);
}

int
gd_mux_pick(const gd_mux_proc_t *procs, int n, const char *sig, const gd_mux_conf_t *conf)
{
    if (!conf->enabled)
        return -1;
    for (int i = 0; i < n; i++) {
        if (!procs[i].open || strcmp(procs[i].sig, sig) != 0)
            continue;
        if (conf->max_bricks == 0 || procs[i].n_bricks < conf->max_bricks)
            return i;
    }
    return -1;
}
