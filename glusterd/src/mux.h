/*
 * Brick multiplexing policy: the cluster-wide options that govern it
 * (`gluster volume set all KEY VALUE`), declared once in an option table like a
 * translator's and bound into gd_mux_conf_t, and the choice of the process a
 * brick joins. Pure logic, no I/O.
 *
 *   cluster.brick-multiplex         on|off (default on): off gives every brick a
 *                                   process of its own
 *   cluster.max-bricks-per-process  N (default 0 = no limit); 1 is refused (that
 *                                   is multiplexing off), as are negative numbers
 */
#ifndef GD_MUX_H
#define GD_MUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "glusterfs/options.h"

#define GD_MUX_KEY "cluster.brick-multiplex"
#define GD_MUX_LIMIT_KEY "cluster.max-bricks-per-process"

typedef struct gd_mux_conf {
    bool enabled;
    int64_t max_bricks; /* 0: no limit */
} gd_mux_conf_t;

/* The cluster-wide options (NULL-key terminated). */
const gf_option_t *gd_mux_options(void);

/* conf with every option at its default. */
void gd_mux_defaults(gd_mux_conf_t *conf);

/*
 * Checks value for the cluster-wide option key. 0, or -ENOENT (not a cluster-wide
 * option) / -EINVAL (a bad value), with err saying why and what is accepted.
 */
int gd_mux_validate(const char *key, const char *value, char *err, size_t errlen);

/* Applies a value that gd_mux_validate accepted (value NULL: the default). */
void gd_mux_apply(gd_mux_conf_t *conf, const char *key, const char *value);

/* A running (or starting) brick process, as placement sees it. */
typedef struct gd_mux_proc {
    const char *sig; /* its process signature (procsig.h) */
    int n_bricks;    /* bricks placed on it, attached or on their way */
    bool open;       /* it takes more bricks (not exclusive, not draining) */
} gd_mux_proc_t;

/*
 * Where a brick of signature sig goes: the index of the first process of procs[n]
 * that is open, has an equal signature and room under the limit; or -1 when none
 * fits, or multiplexing is off (then a new process is launched for the brick).
 */
int gd_mux_pick(const gd_mux_proc_t *procs, int n, const char *sig, const gd_mux_conf_t *conf);

#endif
