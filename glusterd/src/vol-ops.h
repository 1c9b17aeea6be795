/*
 * The operations that change volumes (create, start, stop, delete, set and reset
 * options) and the restart of started volumes when glusterd starts. Each runs on the event thread,
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

/*
 * VOLUME_SET (keys in doc/protocol.md section 10): sets `count` options
 * key1/value1.. of volume volname, or with `reset` removes the options key1..
 * (all of them when count is 0). Volume "all" takes the cluster-wide options
 * (mux.h). Values are checked against the translators' option tables; the
 * running bricks whose volfile changed are attached again, in a process
 * compatible with their new signature. Ends once they serve again, or says which
 * did not and why (the options stay stored).
 */
void gd_vol_set(gf_dict_t *args, gd_op_done_t done, void *cookie);

/* At startup: reads the cluster-wide options, then adopts the still running brick
 * processes and starts the bricks of started volumes they do not serve (failures
 * are logged). */
void gd_vol_restore(void);

#endif
