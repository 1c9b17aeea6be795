/*
 * The operations that change volumes (create, start, stop, delete) and the
 * restart of started volumes when glusterd starts. Each runs on the event thread,
 * may take a while (store, worker pool, brick processes), and ends by calling its
 * done function exactly once. Only one operation runs on a volume at a time; a
 * second one fails at once with -EBUSY.
 */
#ifndef GD_VOL_OPS_H
#define GD_VOL_OPS_H

#include "glusterfs/dict.h"

/* err 0 with out (may be NULL; borrowed for the call), or -errno with errstr: a
 * message for the user saying what failed, on what, and what to do. */
typedef void (*gd_op_done_t)(int err, const char *errstr, gf_dict_t *out, void *cookie);

/* Creates a volume from the CLI request dict (keys in doc/protocol.md section 10). */
void gd_vol_create(gf_dict_t *args, gd_op_done_t done, void *cookie);
void gd_vol_start(const char *name, int force, gd_op_done_t done, void *cookie);
void gd_vol_stop(const char *name, int force, gd_op_done_t done, void *cookie);
void gd_vol_delete(const char *name, gd_op_done_t done, void *cookie);

/* At startup: adopts the still running bricks of started volumes and launches the
 * others (failures are logged). */
void gd_vol_restore(void);

#endif
