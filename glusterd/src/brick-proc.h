/*
 * Brick processes: launching glusterfsd for a brick, knowing when it has signed
 * in to the portmap, noticing its death, and stopping it. One process per brick
 * for now; this file is the one place that launches bricks, so that attaching a
 * brick to a running process (multiplexing) replaces it here alone.
 *
 * Runs on the event thread. A process is watched through a pidfd on the event
 * loop, which works alike for glusterd's own children (then reaped with waitpid)
 * and for bricks adopted after a glusterd restart.
 */
#ifndef GD_BRICK_PROC_H
#define GD_BRICK_PROC_H

#include <sys/types.h>

#include "volume.h"

#define GD_BRICK_SIGNIN_TIMEOUT_MS 30000 /* launch to SIGNIN */
#define GD_BRICK_STOP_TIMEOUT_MS 10000   /* SIGTERM to SIGKILL */

/* Called once when an operation on a brick is over: err 0, or -errno with msg
 * saying what failed, on which brick, and where its log is. msg is valid only
 * during the call. */
typedef void (*gd_brick_done_t)(int err, const char *msg, void *cookie);

typedef struct gd_brick_state {
    int online; /* signed in and running */
    int port;   /* 0 when not known */
    pid_t pid;  /* -1 when not running */
} gd_brick_state_t;

/*
 * Starts brick idx of vol: reserves a port, launches glusterfsd and calls done
 * once the brick has signed in, or has failed (exited, could not be launched, or
 * did not sign in within GD_BRICK_SIGNIN_TIMEOUT_MS: then it is killed). A brick
 * already online completes at once; one starting or stopping fails with -EBUSY.
 * done may be called before this returns.
 */
void gd_brick_start(const gd_volume_t *vol, int idx, gd_brick_done_t done, void *cookie);

/*
 * Stops the brick with this path: SIGTERM, then SIGKILL after
 * GD_BRICK_STOP_TIMEOUT_MS; done once the process is gone (at once when none
 * runs). done may be called before this returns.
 */
void gd_brick_stop(const char *path, gd_brick_done_t done, void *cookie);

/* What is known of the brick with this path now. */
void gd_brick_get_state(const char *path, gd_brick_state_t *st);

/*
 * After a glusterd restart: when the pidfile of brick idx of vol names a live
 * glusterfsd launched for that brick, watches it as if glusterd had launched it
 * and registers its port. Returns 1 when adopted, 0 when no such process runs,
 * -ENOMEM.
 */
int gd_brick_adopt(const gd_volume_t *vol, int idx);

/* The portmap hook (gd_pmap_hook_t): a brick signed in or out. */
void gd_brick_pmap_hook(const char *brick, int port, pid_t pid, int signed_in, void *data);

/* Forgets every brick (their processes keep running) and frees what is held. */
void gd_brick_fini(void);

#endif
