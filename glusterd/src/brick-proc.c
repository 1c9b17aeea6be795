/*
 * Bricks and where they run (contract in brick-proc.h). Each brick glusterd runs
 * has a record, keyed by brick path, that goes through these states:
 *
 *   WAITING    its process died; to be placed again once its restart delay is over
 *   QUEUED     placed on a process that is still starting; ATTACH when it is up
 *   LAUNCHING  the first brick of a process being launched; up at its SIGNIN
 *   ATTACHING  ATTACH sent
 *   ONLINE     serving
 *   DETACHING  DETACH sent (to stop it, or to move it: then it is placed again)
 *   LEAVING    stopped; waits for its process, which is going away, to exit
 *
 * A record is freed only when no brick-op call of its own is in flight; the calls
 * of a process that exits end (with -ENOTCONN) before its exit is handled, and
 * their callbacks then leave the brick to the exit handler. The callers' done
 * functions are delivered from the event loop after the current task, so that
 * handling one brick never frees another under a loop over the list.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "glusterfs/ctx.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "glusterfs/timer.h"
#include "brick-proc.h"
#include "glusterd.h"
#include "index.h"
#include "mux.h"
#include "proc.h"
#include "procsig.h"
#include "volgen.h"

#define MSG_MAX 1024

typedef enum {
    B_WAITING, /* its process died; placed again at `due` */
    B_QUEUED,
    B_LAUNCHING,
    B_ATTACHING,
    B_ONLINE,
    B_DETACHING,
    B_LEAVING,
} bstate_t;

typedef struct waiter {
    struct waiter *next;
    gd_brick_done_t done;
    void *cookie;
} waiter_t;

typedef struct brick {
    struct brick *next, *prev; /* the list of bricks */
    char *path;          /* key here and in the portmap */
    char *label;         /* HOST:/PATH, for messages */
    char *id;            /* volfile id */
    gd_volume_t *view;   /* its volume, reduced to this brick */
    char *volfile;       /* its volfile for no process (port 0): what it was placed with */
    char *sig;           /* its process signature */
    gd_proc_t *proc;     /* NULL only while being placed */
    bstate_t state;
    bool wanted;         /* false once a stop was asked */
    bool moving;         /* detached to be placed again */
    gd_brick_done_t done; /* pending start or refresh */
    void *cookie;
    waiter_t *stop_waiters;
    time_t restarts[GD_BRICK_RESTART_MAX]; /* when it was restarted, a ring */
    int next_restart;
    time_t due;          /* WAITING: when to place it again */
} brick_t;

/* An adoption in progress (gd_brick_restore). */
typedef struct restore {
    void (*done)(void);
    gd_volume_t **vols;
    int n;
    int pending; /* STATUS answers awaited, + 1 while the scan runs */
} restore_t;

static brick_t *bricks;
static gd_index_t *by_path; /* the bricks by path */
static bool shutting_down;
static gf_timer_t *retry_timer; /* armed while a brick is WAITING */
static void *retry_token;       /* the timer's data: identifies it while it is current */

static void (*notify_fn)(const char *path); /* gd_brick_set_notify */

static void place(brick_t *b);
static void launch(brick_t *b);
static void detach(brick_t *b);

/* Sets b's state, telling the notify hook when b goes online or leaves it. */
static void
set_state(brick_t *b, bstate_t state)
{
    bool was = b->state == B_ONLINE;

    b->state = state;
    if (notify_fn && was != (state == B_ONLINE))
        notify_fn(b->path);
}

/* --- records --- */

static brick_t *
find_path(const char *path)
{
    return gd_index_get(by_path, path);
}

static void
brick_free(brick_t *b)
{
    gf_free(b->path);
    gf_free(b->label);
    gf_free(b->id);
    gd_vol_free(b->view);
    gf_free(b->volfile);
    gf_free(b->sig);
    gf_free(b);
}

/* Adds b (not known yet) to the list and the index. 0 or -ENOMEM. */
static int
link_brick(brick_t *b)
{
    int err = gd_index_put(by_path, b->path, b);

    if (!err) {
        b->prev = NULL;
        b->next = bricks;
        if (bricks)
            bricks->prev = b;
        bricks = b;
    }
    return err;
}

static void
unlink_brick(brick_t *b)
{
    gd_index_del(by_path, b->path);
    if (b->prev)
        b->prev->next = b->next;
    else
        bricks = b->next;
    if (b->next)
        b->next->prev = b->prev;
}

/* The volfile of b's view for no process, and its signature, into *volfile and
 * *sig. 0, or -errno with msg. */
static int
describe(const gd_volume_t *view, const char *label, char **volfile, char **sig, char *msg,
         size_t len)
{
    gd_listen_t nowhere = {gd.conf.bind, 0};
    char why[512];
    int err;

    if (!(*volfile = gd_volgen_brick(view, 0, &nowhere))) {
        snprintf(msg, len, "glusterd is out of memory");
        return -ENOMEM;
    }
    if ((err = gd_procsig(gd.xlmeta, *volfile, sig, why, sizeof(why))) != 0) {
        snprintf(msg, len, "brick %s: cannot tell which processes it may share: %s", label,
                 why);
        gf_free(*volfile);
        *volfile = NULL;
    }
    return err;
}

/* A new record for brick idx of vol (not in the list). NULL with msg set. */
static brick_t *
brick_new(const gd_volume_t *vol, int idx, char *msg, size_t len)
{
    const gd_brick_t *gb = &vol->bricks[idx];
    brick_t *b = gf_calloc(1, sizeof(*b));

    if (!b || !(b->path = gf_strdup(gb->path)) || !(b->id = gd_brick_volfile_id(vol, gb)) ||
        !(b->view = gd_vol_brick_view(vol, idx)) ||
        gf_asprintf(&b->label, "%s:%s", gb->host, gb->path) < 0) {
        snprintf(msg, len, "glusterd is out of memory");
        if (b)
            brick_free(b);
        return NULL;
    }
    if (describe(b->view, b->label, &b->volfile, &b->sig, msg, len) != 0) {
        brick_free(b);
        return NULL;
    }
    b->wanted = true;
    return b;
}

/* A completion to deliver (done(err, msg, cookie)) from the event loop. */
typedef struct delivery {
    gd_brick_done_t done;
    int err;
    void *cookie;
    char msg[];
} delivery_t;

static void
deliver_task(void *data)
{
    delivery_t *d = data;
    d->done(d->err, d->err ? d->msg : NULL, d->cookie);
    gf_free(d);
}

/*
 * Calls done(err, msg, cookie) from the event loop, after the current task: the
 * callers' callbacks (which may start and stop bricks) then never run while a
 * loop over the bricks is on the stack. Inline only when memory is short.
 */
static void
deliver(gd_brick_done_t done, int err, const char *msg, void *cookie)
{
    size_t len = msg ? strlen(msg) : 0;
    delivery_t *d = gf_malloc(sizeof(*d) + len + 1);

    if (!d) {
        done(err, msg, cookie);
        return;
    }
    d->done = done;
    d->err = err;
    d->cookie = cookie;
    memcpy(d->msg, msg ? msg : "", len + 1);
    if (gf_event_post(gf_ctx->events, deliver_task, d) != 0) {
        gf_free(d);
        done(err, msg, cookie);
    }
}

/* Ends b's pending start or refresh with err and msg (a printf format). */
static void __attribute__((format(printf, 3, 4)))
complete(brick_t *b, int err, const char *fmt, ...)
{
    gd_brick_done_t done = b->done;
    char msg[MSG_MAX] = "";
    va_list ap;

    if (!done)
        return;
    b->done = NULL;
    if (fmt) {
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
    }
    if (err)
        gf_log(GF_LOG_ERROR, "%s", msg);
    deliver(done, err, err ? msg : NULL, b->cookie);
}

/* Ends every stop waiter of b with err (msg for failures). */
static void
end_waiters(brick_t *b, int err, const char *msg)
{
    waiter_t *w = b->stop_waiters;

    b->stop_waiters = NULL;
    while (w) {
        waiter_t *next = w->next;
        deliver(w->done, err, msg, w->cookie);
        gf_free(w);
        w = next;
    }
}

/* b is stopped: forgets it and tells its waiters. */
static void
finish_stop(brick_t *b)
{
    unlink_brick(b);
    if (notify_fn)
        notify_fn(b->path);
    gf_log(GF_LOG_INFO, "brick %s stopped", b->label);
    end_waiters(b, 0, NULL);
    brick_free(b);
}

/* b failed to start and is forgotten (its start ends with err and msg). */
static void
drop(brick_t *b, int err, const char *msg)
{
    unlink_brick(b);
    if (notify_fn)
        notify_fn(b->path);
    complete(b, err, "%s", msg);
    end_waiters(b, 0, NULL);
    brick_free(b);
}

/* b leaves its process (counts, portmap); the process drains when it was its last
 * brick. */
static void
leave(brick_t *b)
{
    gd_proc_t *p = b->proc;

    p->n_bricks--;
    gd_pmap_forget(gd.pmap, b->path);
    if (p->n_bricks == 0 && p->state != GD_PROC_ENDING)
        gd_proc_drain(p);
}

/* --- attach --- */

static void
attach_cb(int err, const char *msg, gf_dict_t *out, void *cookie)
{
    brick_t *b = cookie;
    gd_proc_t *p = b->proc;
    char reason[160];

    if (shutting_down || !p->bop)
        return; /* the process is gone: its exit is handled next */
    if (err == -ETIMEDOUT || err == -ENOTCONN) {
        snprintf(reason, sizeof(reason), "did not answer ATTACH of brick %s and was killed",
                 b->label);
        gd_proc_kill(p, reason); /* its exit places b again */
        return;
    }
    if (err == -EEXIST) {
        /* it serves the brick already: an ATTACH sent before glusterd restarted */
        gf_log(GF_LOG_INFO, "brick %s: process %s serves it already", b->label, p->name);
        err = 0;
    }
    if (err == -EXDEV || err == -ESHUTDOWN) {
        gf_log(GF_LOG_WARNING, "brick %s: process %s cannot take it (%s); launching a process "
                               "for it",
               b->label, p->name, msg);
        leave(b);
        launch(b);
        return;
    }
    if (err) {
        char text[MSG_MAX];
        leave(b);
        b->proc = NULL;
        snprintf(text, sizeof(text), "brick %s: brick process %s (pid %d) refused it: %s",
                 b->label, p->name, (int)p->pid, msg);
        drop(b, err, text);
        return;
    }
    set_state(b, B_ONLINE);
    gd_pmap_signin(gd.pmap, b->path, p->port, p->pid);
    gf_log(GF_LOG_INFO, "brick %s attached to process %s (pid %d, port %d)", b->label, p->name,
           (int)p->pid, p->port);
    if (!b->wanted)
        detach(b);
    else
        complete(b, 0, NULL);
}

/* Sends ATTACH of b to its (ready) process. */
static void
attach(brick_t *b)
{
    gd_proc_t *p = b->proc;
    gd_listen_t where = {gd.conf.bind, p->port};
    char *volfile = gd_volgen_brick(b->view, 0, &where);

    set_state(b, B_ATTACHING);
    if (!volfile) {
        attach_cb(-ENOMEM, "glusterd is out of memory", NULL, b);
        return;
    }
    gd_brickop_attach(p->bop, b->path, b->id, volfile, attach_cb, b);
    gf_free(volfile);
}

/* --- placement --- */

/* The process b goes to (an open, compatible one with room), or NULL. */
static gd_proc_t *
pick(const brick_t *b)
{
    gd_mux_proc_t cand[64];
    gd_proc_t *ps[64];
    int n = 0, i;

    for (gd_proc_t *p = gd_proc_list(); p; p = p->next) {
        if (n == 64) { /* pick among these, then go on with the rest */
            if ((i = gd_mux_pick(cand, n, b->sig, &gd.mux)) >= 0)
                return ps[i];
            n = 0;
        }
        ps[n] = p;
        cand[n].sig = p->sig ? p->sig : "";
        cand[n].n_bricks = p->n_bricks;
        cand[n].open = p->sig && !p->exclusive && p->state != GD_PROC_ENDING;
        n++;
    }
    i = gd_mux_pick(cand, n, b->sig, &gd.mux);
    return i >= 0 ? ps[i] : NULL;
}

/* Launches a process for b. */
static void
launch(brick_t *b)
{
    char msg[MSG_MAX];
    gd_proc_t *p = gd_proc_launch(b->id, b->path, msg, sizeof(msg));

    if (!p || !(p->sig = gf_strdup(b->sig))) {
        if (p)
            gd_proc_kill(p, "could not be recorded (out of memory)");
        drop(b, -EIO, p ? "glusterd is out of memory" : msg);
        return;
    }
    p->exclusive = !gd.mux.enabled;
    p->n_bricks = 1;
    b->proc = p;
    set_state(b, B_LAUNCHING);
}

/* Places b (in the list, wanted, no process): ATTACH to a process that fits, or a
 * new process. */
static void
place(brick_t *b)
{
    gd_proc_t *p = pick(b);

    b->moving = false;
    if (!p) {
        launch(b);
        return;
    }
    b->proc = p;
    p->n_bricks++;
    if (p->state == GD_PROC_READY)
        attach(b);
    else
        set_state(b, B_QUEUED);
}

/* --- detach --- */

/* Whether p serves (or is to serve) a brick that is wanted. */
static bool
serves_wanted(const gd_proc_t *p)
{
    for (const brick_t *b = bricks; b; b = b->next)
        if (b->proc == p && b->wanted)
            return true;
    return false;
}

/* b's process refused DETACH (err, msg) and serves other bricks: b stays where it
 * is, and its stop or move fails. A brick no volume wants is forgotten. */
static void
refused_detach(brick_t *b, int err, const char *msg)
{
    gd_proc_t *p = b->proc;
    char text[MSG_MAX];

    snprintf(text, sizeof(text), "brick %s: brick process %s (pid %d) refused DETACH: %s",
             b->label, p->name, (int)p->pid, msg);
    gf_log(GF_LOG_ERROR, "%s", text);
    if (!b->view) {
        leave(b);
        unlink_brick(b);
        brick_free(b);
        return;
    }
    set_state(b, B_ONLINE);
    b->wanted = true;
    b->moving = false;
    complete(b, err, "%s", text);
    end_waiters(b, err, text);
}

static void
detach_cb(int err, const char *msg, gf_dict_t *out, void *cookie)
{
    brick_t *b = cookie;
    gd_proc_t *p = b->proc;
    char reason[160];

    if (shutting_down || !p->bop)
        return; /* the process is gone: its exit is handled next */
    if (err == -ENOTCONN && !serves_wanted(p)) {
        gd_proc_drain(p); /* it is exiting with its last brick: its exit ends b */
        return;
    }
    if (err == -ETIMEDOUT || err == -ENOTCONN) {
        snprintf(reason, sizeof(reason), "did not answer DETACH of brick %s and was killed",
                 b->label);
        gd_proc_kill(p, reason);
        return;
    }
    if (err && err != -ENOENT && p->n_bricks == 1) {
        gf_log(GF_LOG_WARNING, "brick process %s refused DETACH of its last brick %s (%s): "
                               "stopping it",
               p->name, b->label, msg);
        gd_proc_stop(p); /* its exit ends the stop, or places b again */
        return;
    }
    if (err && err != -ENOENT) {
        refused_detach(b, err, msg);
        return;
    }
    if (b->wanted && p->n_bricks > 1 && p->state == GD_PROC_READY && p->sig &&
        !strcmp(b->sig, p->sig)) {
        attach(b); /* moving, but its process still fits it: back in the same place */
        return;
    }
    leave(b);
    if (b->wanted) { /* moving */
        b->proc = NULL;
        place(b);
    } else if (p->n_bricks == 0) {
        set_state(b, B_LEAVING); /* ends when the process has exited */
    } else {
        finish_stop(b);
    }
}

/* Sends DETACH of b (online) to its process. */
static void
detach(brick_t *b)
{
    set_state(b, B_DETACHING);
    gd_brickop_detach(b->proc->bop, b->path, detach_cb, b);
}

/* --- supervision --- */

/*
 * Whether b may be restarted once more now (it was restarted fewer than
 * GD_BRICK_RESTART_MAX times within GD_BRICK_RESTART_WINDOW_S); if so, records
 * it and sets *delay_s: 0 for its first restart in the window, then 1, 2, 4... s.
 */
static bool
may_restart(brick_t *b, int *delay_s)
{
    time_t now = time(NULL), *oldest = &b->restarts[b->next_restart];
    int recent = 0;

    if (*oldest && now - *oldest < GD_BRICK_RESTART_WINDOW_S)
        return false;
    for (int i = 0; i < GD_BRICK_RESTART_MAX; i++)
        recent += b->restarts[i] && now - b->restarts[i] < GD_BRICK_RESTART_WINDOW_S;
    *delay_s = recent ? 1 << (recent - 1) : 0;
    *oldest = now;
    b->next_restart = (b->next_restart + 1) % GD_BRICK_RESTART_MAX;
    return true;
}

static void arm_retry(void);

/* Places the WAITING bricks that are due, and keeps the timer armed while some
 * wait. (Placing a brick frees no other brick: callbacks are delivered later.) */
static void
place_due(void)
{
    time_t now = time(NULL);

    bool waiting = false;

    for (brick_t *b = bricks, *next; b; b = next) {
        next = b->next;
        if (b->state == B_WAITING && b->due <= now)
            place(b);
        else
            waiting |= b->state == B_WAITING;
    }
    if (waiting)
        arm_retry();
}

/* On the event thread: the retry timer fired. */
static void
retry_task(void *token)
{
    if (token != retry_token) {
        gf_free(token); /* cancelled */
        return;
    }
    gf_free(token);
    retry_timer = NULL;
    retry_token = NULL;
    if (!shutting_down)
        place_due();
}

/* On the timer thread. */
static void
retry_cb(void *token)
{
    if (gf_event_post(gf_ctx->events, retry_task, token) != 0)
        gf_log(GF_LOG_ERROR, "cannot post the brick restart timer to the event loop");
}

/* Arms the retry timer (1 s) unless it is armed. */
static void
arm_retry(void)
{
    if (retry_timer)
        return;
    retry_token = gf_malloc(1);
    if (retry_token)
        retry_timer = gf_timer_add(gf_ctx->timers, 1000, retry_cb, retry_token);
    if (!retry_timer) {
        gf_log(GF_LOG_ERROR, "out of memory arming the brick restart timer");
        gf_free(retry_token);
        retry_token = NULL;
    }
}

/* b's process p exited (how); b is no longer in any process. A start waiting for
 * b's own new process fails; any other wanted brick is placed again, now or after
 * its restart delay, up to its restart limit. */
static void
brick_orphaned(brick_t *b, gd_proc_t *p, const char *how)
{
    bool launching = b->state == B_LAUNCHING;
    char msg[MSG_MAX];
    int delay_s = 0;

    b->proc = NULL;
    if (!b->wanted) {
        finish_stop(b);
        return;
    }
    snprintf(msg, sizeof(msg), "brick %s: its process %s (pid %d) %s%s; see its log %s",
             b->label, p->name, (int)p->pid, p->reason[0] ? p->reason : how,
             launching && !p->reason[0] ? " before the brick signed in" : "", p->logfile);
    if (launching && b->done) {
        drop(b, -EIO, msg);
        return;
    }
    if (!may_restart(b, &delay_s)) {
        gf_log(GF_LOG_ERROR, "brick %s was restarted %d times within %d s: giving up; "
                             "`gluster volume start VOLNAME force` starts it again",
               b->label, GD_BRICK_RESTART_MAX, GD_BRICK_RESTART_WINDOW_S);
        drop(b, -EIO, msg);
        return;
    }
    if (b->state == B_ONLINE)
        gf_log(GF_LOG_WARNING, "%s: starting it again", msg);
    set_state(b, B_WAITING);
    b->due = time(NULL) + delay_s;
    if (delay_s)
        arm_retry();
}

/* The exit hook (gd_proc_exit_cb_t). */
static void
proc_exited(gd_proc_t *p, const char *how)
{
    for (brick_t *b = bricks, *next; b; b = next) {
        next = b->next;
        if (b->proc == p) {
            gd_pmap_forget(gd.pmap, b->path);
            brick_orphaned(b, p, how);
        }
    }
    place_due();
}

int
gd_brick_init(void)
{
    gd_proc_init(proc_exited);
    by_path = gd_index_new();
    return by_path ? 0 : -ENOMEM;
}

/* --- operations --- */

void
gd_brick_start(const gd_volume_t *vol, int idx, gd_brick_done_t done, void *cookie)
{
    brick_t *b = find_path(vol->bricks[idx].path);
    char msg[MSG_MAX];

    if (b && b->wanted && b->state == B_ONLINE && !b->moving) {
        done(0, NULL, cookie);
        return;
    }
    if (b) {
        snprintf(msg, sizeof(msg), "brick %s is being %s; try again later", b->label,
                 !b->wanted ? "stopped" : b->state == B_DETACHING ? "moved" : "started");
        done(-EBUSY, msg, cookie);
        return;
    }
    if (!(b = brick_new(vol, idx, msg, sizeof(msg)))) {
        done(-EINVAL, msg, cookie);
        return;
    }
    if (link_brick(b) != 0) {
        brick_free(b);
        done(-ENOMEM, "glusterd is out of memory", cookie);
        return;
    }
    b->done = done;
    b->cookie = cookie;
    place(b);
}

void
gd_brick_stop(const char *path, gd_brick_done_t done, void *cookie)
{
    brick_t *b = find_path(path);
    waiter_t *w;

    if (!b) {
        done(0, NULL, cookie);
        return;
    }
    if (!(w = gf_calloc(1, sizeof(*w)))) {
        done(-ENOMEM, "glusterd is out of memory", cookie);
        return;
    }
    w->done = done;
    w->cookie = cookie;
    w->next = b->stop_waiters;
    b->stop_waiters = w;
    if (!b->wanted)
        return;
    b->wanted = false;
    complete(b, -ECANCELED, "brick %s was stopped while starting", b->label);
    if (b->state == B_WAITING) {
        finish_stop(b);
    } else if (b->state == B_QUEUED) {
        leave(b);
        finish_stop(b);
    } else if (b->state == B_LAUNCHING && b->proc->n_bricks == 1) {
        gd_proc_stop(b->proc);
    } else if (b->state == B_ONLINE) {
        detach(b);
    } /* else: the step in flight sees that it is no longer wanted */
}

/* Makes view (with its volfile and signature) b's configuration and moves b. */
static void
move(brick_t *b, gd_volume_t *view, char *volfile, char *sig, gd_brick_done_t done,
     void *cookie)
{
    gf_log(GF_LOG_INFO, "brick %s: its configuration changed; %s", b->label,
           strcmp(sig, b->proc->sig ? b->proc->sig : "") ? "moving it to a compatible process"
                                                          : "attaching it again");
    gd_vol_free(b->view);
    gf_free(b->volfile);
    gf_free(b->sig);
    b->view = view;
    b->volfile = volfile;
    b->sig = sig;
    b->moving = true;
    b->done = done;
    b->cookie = cookie;
    detach(b);
}

void
gd_brick_refresh(const gd_volume_t *vol, int idx, gd_brick_done_t done, void *cookie)
{
    brick_t *b = find_path(vol->bricks[idx].path);
    gd_volume_t *view;
    char msg[MSG_MAX], *volfile = NULL, *sig = NULL;
    int err;

    if (!b || !b->wanted) {
        done(0, NULL, cookie);
        return;
    }
    if (!(view = gd_vol_brick_view(vol, idx))) {
        done(-ENOMEM, "glusterd is out of memory", cookie);
        return;
    }
    err = describe(view, b->label, &volfile, &sig, msg, sizeof(msg));
    if (!err && strcmp(volfile, b->volfile) != 0 && b->state == B_ONLINE && !b->moving) {
        move(b, view, volfile, sig, done, cookie);
        return;
    }
    if (!err && strcmp(volfile, b->volfile) != 0) {
        err = -EBUSY;
        snprintf(msg, sizeof(msg), "brick %s is being started, stopped or moved; set the "
                                   "option again once that is done", b->label);
    }
    done(err, err ? msg : NULL, cookie);
    gd_vol_free(view);
    gf_free(volfile);
    gf_free(sig);
}

int
gd_brick_exists(const char *path)
{
    return find_path(path) != NULL;
}

void
gd_brick_set_notify(void (*fn)(const char *path))
{
    notify_fn = fn;
}

void
gd_brick_get_state(const char *path, gd_brick_state_t *st)
{
    const brick_t *b = find_path(path);
    int online = b && b->state == B_ONLINE;

    st->online = online;
    st->port = online ? b->proc->port : 0;
    st->pid = b && b->proc ? b->proc->pid : -1;
}

void
gd_brick_status(const char *path, gd_brick_status_cb_t cb, void *cookie)
{
    brick_t *b = find_path(path);
    char msg[MSG_MAX];

    if (!b || b->state != B_ONLINE) {
        snprintf(msg, sizeof(msg), "brick %s is not online", path);
        cb(-ENOTCONN, msg, NULL, cookie);
        return;
    }
    gd_brickop_status(b->proc->bop, b->path, cb, cookie);
}

void
gd_brick_pmap_hook(const char *path, int port, pid_t pid, int signed_in, void *data)
{
    brick_t *b = find_path(path);
    gd_proc_t *p;

    if (!b || !b->proc) {
        gf_log(GF_LOG_INFO, "brick %s signed %s on port %d but glusterd does not run it", path,
               signed_in ? "in" : "out", port);
        return;
    }
    p = b->proc;
    if (signed_in && pid > 0 && pid != p->pid) {
        gf_log(GF_LOG_WARNING, "brick %s signed in from process %d, but glusterd runs it in "
                               "process %s (pid %d): the portmap keeps port %d",
               b->label, (int)pid, p->name, (int)p->pid, p->port);
        if (b->state == B_ONLINE)
            gd_pmap_signin(gd.pmap, b->path, p->port, p->pid);
        return;
    }
    if (!signed_in || b->state != B_LAUNCHING)
        return;
    gd_proc_ready(p);
    set_state(b, B_ONLINE);
    gf_log(GF_LOG_INFO, "brick %s signed in on port %d (process %s, pid %d)", b->label, port,
           p->name, (int)p->pid);
    for (brick_t *q = bricks, *next; q; q = next) {
        next = q->next; /* attach may end and free q */
        if (q->proc == p && q->state == B_QUEUED)
            attach(q);
    }
    if (!b->wanted)
        detach(b);
    else
        complete(b, 0, NULL);
}

/* --- restore --- */

static void
restore_moved(int err, const char *msg, void *cookie)
{
    if (err)
        gf_log(GF_LOG_ERROR, "moving an adopted brick: %s", msg);
}

/* The started volume among r's whose brick has path and volfile id, or NULL;
 * its index into *idx. */
static gd_volume_t *
find_started(const restore_t *r, const char *path, const char *id, int *idx)
{
    for (int v = 0; v < r->n; v++) {
        if (r->vols[v]->status != GD_VOL_STARTED)
            continue;
        for (int i = 0; i < r->vols[v]->n_bricks; i++) {
            char *bid;
            int match;
            if (!r->vols[v]->bricks[i].path || strcmp(r->vols[v]->bricks[i].path, path) != 0)
                continue; /* another server's (not loaded), or another path */
            bid = gd_brick_volfile_id(r->vols[v], &r->vols[v]->bricks[i]);
            match = bid && strcmp(bid, id) == 0;
            gf_free(bid);
            if (match) {
                *idx = i;
                return r->vols[v];
            }
        }
    }
    return NULL;
}

/* Records brick idx of vol as served by p (ONLINE), or, when vol is NULL or the
 * brick is known already, a brick named path that p must let go (DETACHING). */
static void
adopt_brick(gd_proc_t *p, gd_volume_t *vol, int idx, const char *path)
{
    char msg[MSG_MAX];
    brick_t *b = vol && !find_path(path) ? brick_new(vol, idx, msg, sizeof(msg)) : NULL;

    if (!b) {
        gf_log(GF_LOG_WARNING, "brick process %s serves brick %s, which is not a brick of a "
                               "started volume here (or is served twice): detaching it",
               p->name, path);
        if (!(b = gf_calloc(1, sizeof(*b))) || !(b->path = gf_strdup(path)) ||
            !(b->label = gf_strdup(path))) {
            if (b)
                brick_free(b);
            return;
        }
    }
    if (link_brick(b) != 0) {
        gf_log(GF_LOG_ERROR, "out of memory recording brick %s of process %s", path, p->name);
        brick_free(b);
        return;
    }
    b->proc = p;
    p->n_bricks++;
    if (!b->wanted) {
        detach(b);
        return;
    }
    set_state(b, B_ONLINE);
    gd_pmap_signin(gd.pmap, b->path, p->port, p->pid);
    if (!p->sig)
        p->sig = gf_strdup(b->sig);
    gf_log(GF_LOG_INFO, "brick %s is served by process %s (pid %d, port %d): adopted",
           b->label, p->name, (int)p->pid, p->port);
}

/* Records what STATUS says process p serves. */
static void
adopt_bricks(restore_t *r, gd_proc_t *p, gf_dict_t *out)
{
    int32_t count = 0, port = 0;
    char key[64];

    gf_dict_get_int32(out, "port", &port);
    gf_dict_get_int32(out, "count", &count);
    p->port = port;
    for (int i = 1; i <= count; i++) {
        const char *name = NULL, *id = NULL;
        gd_volume_t *vol;
        int idx = 0;
        snprintf(key, sizeof(key), "brick%d.name", i);
        if (gf_dict_get_str(out, key, &name) != 0)
            continue;
        snprintf(key, sizeof(key), "brick%d.volfile-id", i);
        gf_dict_get_str(out, key, &id);
        vol = id ? find_started(r, name, id, &idx) : NULL;
        adopt_brick(p, vol, idx, name);
    }
    if (p->n_bricks == 0)
        gd_proc_stop(p);
}

/* Bricks adopted whose signature is not their process's are moved. Ends r. */
static void
restore_finish(restore_t *r)
{
    void (*done)(void) = r->done;

    for (brick_t *b = bricks, *next; b; b = next) {
        next = b->next; /* detach may end and free b */
        if (b->state == B_ONLINE && b->wanted && b->proc->sig && strcmp(b->sig, b->proc->sig)) {
            gf_log(GF_LOG_INFO, "brick %s differs from the others of process %s: moving it",
                   b->label, b->proc->name);
            b->moving = true;
            b->done = restore_moved;
            detach(b);
        }
    }
    gd_vols_free(r->vols, r->n);
    gf_free(r);
    done();
}

/* One adoption STATUS cookie. */
typedef struct adoption {
    restore_t *r;
    gd_proc_t *p;
} adoption_t;

static void
adopt_cb(int err, const char *msg, gf_dict_t *out, void *cookie)
{
    adoption_t *a = cookie;
    restore_t *r = a->r;
    char reason[160];

    if (!shutting_down && a->p->bop) {
        if (err) {
            snprintf(reason, sizeof(reason),
                     "did not tell which bricks it serves (%s) and was killed", msg);
            gd_proc_kill(a->p, reason);
        } else {
            adopt_bricks(r, a->p, out);
        }
    }
    gf_free(a);
    if (--r->pending == 0 && !shutting_down)
        restore_finish(r);
}

/* gd_proc_scan callback: asks an adopted process what it serves. */
static void
adopt_one(gd_proc_t *p, void *arg)
{
    restore_t *r = arg;
    adoption_t *a = gf_calloc(1, sizeof(*a));

    if (!a) {
        gd_proc_kill(p, "could not be adopted (out of memory) and was killed");
        return;
    }
    a->r = r;
    a->p = p;
    r->pending++;
    gd_brickop_status(p->bop, "", adopt_cb, a);
}

void
gd_brick_restore(gd_volume_t **vols, int n, void (*done)(void))
{
    restore_t *r = gf_calloc(1, sizeof(*r));
    int found;

    if (!r) {
        gf_log(GF_LOG_CRITICAL, "out of memory: running brick processes are not adopted");
        gd_vols_free(vols, n);
        done();
        return;
    }
    r->done = done;
    r->vols = vols;
    r->n = n;
    r->pending = 1;
    if ((found = gd_proc_scan(adopt_one, r)) < 0)
        gf_log(GF_LOG_ERROR, "cannot look for running brick processes in /proc: %s; those "
                             "still running are not adopted",
               strerror(-found));
    if (--r->pending == 0)
        restore_finish(r);
}

void
gd_brick_fini(void)
{
    shutting_down = true;
    if (retry_timer && gf_timer_cancel(gf_ctx->timers, retry_timer) == 0)
        gf_free(retry_token);
    retry_timer = NULL;
    retry_token = NULL;
    gd_proc_fini();
    while (bricks) {
        brick_t *b = bricks;
        bricks = b->next;
        while (b->stop_waiters) {
            waiter_t *w = b->stop_waiters;
            b->stop_waiters = w->next;
            gf_free(w);
        }
        brick_free(b);
    }
    gd_index_free(by_path);
    by_path = NULL;
}
