/*
 * The reconciler: makes the bricks on this server what the store says. It
 * watches the volumes (vol/) and the cluster-wide options (global/opt/); on
 * every change it reads them again and, for each brick whose host is this
 * server, starts it when its volume is started and it does not run, places it
 * again when its volume's configuration changed (gd_brick_refresh), and stops it
 * when its volume is not started or is gone. It reports every such brick's state
 * under status/ (bstatus.h) with the generation it acted on, as session keys.
 *
 * Volume operations do not touch bricks: they change the store and wait for the
 * reports (from this server and every other one). The reconciler never stops a
 * brick because the store cannot be read: while the monitor cluster is away,
 * bricks keep serving, and the next successful read decides.
 *
 * Runs on the event thread.
 */
#ifndef GD_RECONCILE_H
#define GD_RECONCILE_H

#include "store.h"
#include "volume.h"

/* Applies the cluster-wide options listed in kvs (a listing of global/opt/) to
 * gd.mux, defaults for those absent; logs a change. */
void gd_reconcile_apply_globals(const gd_kv_t *kvs, int n);

/* Starts watching and reconciling (after the running bricks were adopted). */
void gd_reconcile_start(void);
/* The session (re)started: every report is put again. */
void gd_reconcile_session_up(void);
/* The volume name as the last successful read of the store found it, with this
 * server's bricks only (the others are empty slots: host NULL), or NULL when
 * unknown: what glusterd serves its bricks' volfiles from while the store cannot
 * be read. Valid until the next event-loop task. */
const gd_volume_t *gd_reconcile_known(const char *name);

/* Stops watching and forgets the records (at shutdown). */
void gd_reconcile_fini(void);

#endif
