/*
 * Bricks and where they run: the one place that decides which brick process
 * serves a brick. To start a brick, glusterd looks for a running (or starting)
 * process on this server whose process signature equals the brick's (procsig.h)
 * and that has room under cluster.max-bricks-per-process, and sends it ATTACH; when
 * none fits (or multiplexing is off) it launches a new process for the brick
 * (proc.h). Stopping a brick sends DETACH; a process exits when its last brick
 * leaves, and only a process that does not answer is killed.
 *
 * Supervision: when a process dies, every brick it served is placed again (a new
 * process, or others with room), at most GD_BRICK_RESTART_MAX times per brick in
 * GD_BRICK_RESTART_WINDOW_S. After a glusterd restart the running processes are
 * adopted: each is asked which bricks it serves (STATUS), so none is started twice.
 *
 * Runs on the event thread.
 */
#ifndef GD_BRICK_PROC_H
#define GD_BRICK_PROC_H

#include <sys/types.h>

#include "glusterfs/dict.h"
#include "volume.h"

#define GD_BRICK_RESTART_MAX 5
#define GD_BRICK_RESTART_WINDOW_S 60

/* Called once when an operation on a brick is over: err 0, or -errno with msg
 * saying what failed, on which brick, and where its log is. msg is valid only
 * during the call. */
typedef void (*gd_brick_done_t)(int err, const char *msg, void *cookie);

typedef struct gd_brick_state {
    int online; /* serving */
    int port;   /* of its process; 0 when not online */
    pid_t pid;  /* of its process; -1 when it has none */
} gd_brick_state_t;

/* Sets up the brick records (their index, the process exit hook). Once, at
 * startup. 0 or -ENOMEM. */
int gd_brick_init(void);

/*
 * Starts brick idx of vol: places it (ATTACH to a compatible process, or a new
 * process) and calls done once it serves, or has failed. A brick already serving
 * completes at once; one being started, stopped or moved fails with -EBUSY. done
 * may be called before this returns.
 */
void gd_brick_start(const gd_volume_t *vol, int idx, gd_brick_done_t done, void *cookie);

/*
 * Stops the brick with this path: DETACH (its process exits if it was its last
 * brick), or SIGTERM and SIGKILL for a process that is starting for it alone or
 * refuses DETACH while serving nothing else; a process that does not answer is
 * killed. done once the brick no longer runs (at once when it does not).
 */
void gd_brick_stop(const char *path, gd_brick_done_t done, void *cookie);

/*
 * Brings the running brick idx of vol in line with vol's configuration (after
 * `volume set` or `volume reset`): when its volfile changed, the brick is detached
 * and placed again, in a process compatible with its new signature (the same one
 * when it still is and has room). done at once when it does not run or nothing
 * changed; -EBUSY when it is being started, stopped or moved.
 */
void gd_brick_refresh(const gd_volume_t *vol, int idx, gd_brick_done_t done, void *cookie);

/* What is known of the brick with this path now. */
void gd_brick_get_state(const char *path, gd_brick_state_t *st);

/* A STATUS answer for one brick: err 0 with the process's output dict (borrowed
 * for the call; keys in doc/protocol.md section 11), or -errno with msg. */
typedef void (*gd_brick_status_cb_t)(int err, const char *msg, gf_dict_t *out, void *cookie);

/* Asks the process of the brick with this path for its STATUS figures. cb may be
 * called before this returns (-ENOTCONN when the brick is not online). */
void gd_brick_status(const char *path, gd_brick_status_cb_t cb, void *cookie);

/*
 * At glusterd's start: adopts the brick processes still running (found in /proc
 * by their pidfile in RUNDIR/bricks), learns from each which bricks it serves
 * (a process that cannot tell is killed), keeps those of the started volumes
 * among vols (and detaches the others), then calls done; starting the bricks that
 * no process serves is the reconciler's work. Takes ownership of vols. Failures
 * are logged.
 */
void gd_brick_restore(gd_volume_t **vols, int n, void (*done)(void));

/* Whether glusterd has a record of the brick with this path (in any state but
 * stopped: starting, online, waiting to restart, stopping). */
int gd_brick_exists(const char *path);

/* Sets the hook called (on the event thread) each time a brick goes online or
 * stops being online, with its path (valid during the call only). */
void gd_brick_set_notify(void (*fn)(const char *path));

/* The portmap hook (gd_pmap_hook_t): a brick signed in or out. */
void gd_brick_pmap_hook(const char *brick, int port, pid_t pid, int signed_in, void *data);

/* Forgets every brick and process (the processes keep running) and frees what is
 * held. */
void gd_brick_fini(void);

#endif
