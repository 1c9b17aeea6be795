/*
 * Brick processes (glusterfsd) as glusterd runs them: launching one for its first
 * brick (which it fetches with GETSPEC), adopting the ones still running after a
 * glusterd restart, watching each through a pidfd on the event loop (for children
 * and adopted processes alike), the brick-op client to each one's unix socket, and
 * the signals that end them. Which bricks a process serves is brick-proc.c's
 * business; this file tells it when a process has exited.
 *
 * Runs on the event thread. Timers fire on the timer thread and post their work
 * back to the event thread.
 */
#ifndef GD_PROC_H
#define GD_PROC_H

#include <stdbool.h>
#include <sys/types.h>

#include "brickop-clnt.h"
#include "glusterfs/event.h"
#include "glusterfs/timer.h"

#define GD_PROC_SIGNIN_TIMEOUT_MS 30000 /* launch to the first brick's SIGNIN */
#define GD_PROC_EXIT_WAIT_MS 5000       /* last brick detached to exit, before SIGTERM */
#define GD_PROC_STOP_TIMEOUT_MS 10000   /* SIGTERM to SIGKILL */

typedef enum {
    GD_PROC_LAUNCHING, /* launched, its first brick has not signed in yet */
    GD_PROC_READY,     /* serving; takes ATTACH */
    GD_PROC_ENDING,    /* going away: its last brick left, or it is being stopped */
} gd_proc_state_t;

typedef struct gd_proc {
    struct gd_proc *next;
    pid_t pid;
    int port;        /* where its protocol/server listens */
    char *name;      /* names its pidfile, socket and log: the volfile id of its first
                        brick (with "-N" appended when another process has that name) */
    char *pidfile;   /* RUNDIR/bricks/NAME.pid */
    char *sock;      /* RUNDIR/bricks/NAME.sock: the brick-op socket */
    char *logfile;   /* LOGDIR/bricks/NAME.log */
    char *sig;       /* its process signature (procsig.h); NULL while unknown */
    bool exclusive;  /* launched with multiplexing off: takes no other brick */
    bool adopted;    /* found running at glusterd's start (not a child) */
    gd_proc_state_t state;
    int n_bricks;    /* bricks placed on it (kept by brick-proc.c) */
    gd_brickop_t *bop;
    char reason[160]; /* why glusterd killed it, for messages; "" otherwise */
    /* watching */
    int pidfd;
    gf_event_handle_t *watch;
    gf_timer_t *timer;
    void *timer_token; /* the timer's data: identifies it while it is p's */
} gd_proc_t;

/* Called on the event thread once a process has exited: p is out of the list, its
 * brick-op client is gone (its calls ended with -ENOTCONN), its pidfile and socket
 * are removed. how says how it ended ("was killed by signal 9"). p is freed when
 * this returns. */
typedef void (*gd_proc_exit_cb_t)(gd_proc_t *p, const char *how);

/* Sets the exit callback (once, before any process runs). */
void gd_proc_init(gd_proc_exit_cb_t on_exit);

/* The processes, newest first. */
gd_proc_t *gd_proc_list(void);

/*
 * Launches glusterfsd for its first brick (volfile id id, brick path brick) on a
 * port reserved in the portmap, watches it, and arms the sign-in timeout (on
 * expiry it is killed with a reason). Returns the process (state LAUNCHING, in
 * the list), or NULL with msg saying what failed.
 */
gd_proc_t *gd_proc_launch(const char *id, const char *brick, char *msg, size_t len);

/*
 * Adopts every brick process this glusterd's previous run left: each live
 * glusterfsd launched with a pidfile of RUNDIR/bricks (found in /proc, so that a
 * process still starting, which has not written its pidfile yet, is found too) is
 * watched, READY and in the list, and given to found. Returns how many, or -errno
 * when /proc cannot be read.
 */
int gd_proc_scan(void (*found)(gd_proc_t *p, void *arg), void *arg);

/* The process's first brick has signed in: READY, sign-in timeout disarmed. */
void gd_proc_ready(gd_proc_t *p);

/* Its last brick left: gives it GD_PROC_EXIT_WAIT_MS to exit by itself, then
 * SIGTERM, then SIGKILL. */
void gd_proc_drain(gd_proc_t *p);

/* Stops it now: SIGTERM, then SIGKILL after GD_PROC_STOP_TIMEOUT_MS. */
void gd_proc_stop(gd_proc_t *p);

/* Kills it now (SIGKILL), recording reason (a sentence) for messages. */
void gd_proc_kill(gd_proc_t *p, const char *reason);

/* Forgets every process (they keep running) and frees what is held. */
void gd_proc_fini(void);

#endif
