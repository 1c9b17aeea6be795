/*
 * Brick processes (contract in brick-proc.h): one glusterfsd per brick, launched
 * with the command line of doc/volfiles.md, watched through a pidfd on the event
 * loop, and tracked in a small list keyed by brick path. Timers (sign-in timeout,
 * SIGTERM-to-SIGKILL delay) fire on the timer thread and post their work back to
 * the event thread, where it looks for the brick whose current timer token it
 * carries, so a timer cancelled too late never touches a brick that moved on.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "glusterfs/ctx.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "brick-proc.h"
#include "glusterd.h"

typedef struct waiter {
    struct waiter *next;
    gd_brick_done_t done;
    void *cookie;
} waiter_t;

typedef struct brick {
    struct brick *next;
    char *path;    /* the brick path: key here and in the portmap */
    char *label;   /* HOST:/PATH, for messages */
    char *id;      /* volfile id */
    char *logfile;
    char *pidfile;
    pid_t pid;
    int child;     /* launched by this glusterd (reaped with waitpid) */
    int port;
    int online;
    int stopping;
    int pidfd;
    gf_event_handle_t *watch;
    gd_brick_done_t start_done; /* set while waiting for SIGNIN */
    void *start_cookie;
    waiter_t *stop_waiters;
    gf_timer_t *timer;
    void *timer_token; /* the timer's data: identifies it while it is b's */
} brick_t;

static brick_t *bricks;

static brick_t *
find_path(const char *path)
{
    for (brick_t *b = bricks; b; b = b->next)
        if (strcmp(b->path, path) == 0)
            return b;
    return NULL;
}

static void
brick_free(brick_t *b)
{
    gf_free(b->path);
    gf_free(b->label);
    gf_free(b->id);
    gf_free(b->logfile);
    gf_free(b->pidfile);
    gf_free(b);
}

static void
unlink_brick(brick_t *b)
{
    for (brick_t **pp = &bricks; *pp; pp = &(*pp)->next) {
        if (*pp == b) {
            *pp = b->next;
            return;
        }
    }
}

/* A new brick record for brick idx of vol (not in the list yet); NULL on ENOMEM. */
static brick_t *
brick_new(const gd_volume_t *vol, int idx)
{
    const gd_brick_t *gb = &vol->bricks[idx];
    brick_t *b = gf_calloc(1, sizeof(*b));

    if (!b)
        return NULL;
    b->pidfd = -1;
    b->pid = -1;
    b->path = gf_strdup(gb->path);
    b->id = gd_brick_volfile_id(vol, gb);
    if (!b->path || !b->id || gf_asprintf(&b->label, "%s:%s", gb->host, gb->path) < 0 ||
        gf_asprintf(&b->logfile, "%s/bricks/%s.log", gd.conf.logdir, b->id) < 0 ||
        gf_asprintf(&b->pidfile, "%s/bricks/%s.pid", gd.conf.rundir, b->id) < 0) {
        brick_free(b);
        return NULL;
    }
    return b;
}

/* --- timers --- */

static void timer_fired(brick_t *b);

/* On the event thread: the timer carrying token fired. */
static void
tick_task(void *token)
{
    for (brick_t *b = bricks; b; b = b->next) {
        if (b->timer_token == token) {
            b->timer = NULL;
            b->timer_token = NULL;
            gf_free(token);
            timer_fired(b);
            return;
        }
    }
    gf_free(token); /* cancelled too late: the brick moved on */
}

/* On the timer thread. */
static void
tick_cb(void *token)
{
    if (gf_event_post(gf_ctx->events, tick_task, token) != 0)
        gf_log(GF_LOG_ERROR, "cannot post a brick timer to the event loop; a timeout is lost");
}

static void
clear_timer(brick_t *b)
{
    if (!b->timer)
        return;
    if (gf_timer_cancel(gf_ctx->timers, b->timer) == 0)
        gf_free(b->timer_token);
    /* else its task is queued: it will free the token, finding no brick */
    b->timer = NULL;
    b->timer_token = NULL;
}

static void
set_timer(brick_t *b, uint64_t ms)
{
    clear_timer(b);
    b->timer_token = gf_malloc(1);
    if (b->timer_token)
        b->timer = gf_timer_add(gf_ctx->timers, ms, tick_cb, b->timer_token);
    if (!b->timer) {
        gf_log(GF_LOG_ERROR, "out of memory arming a timer for brick %s", b->label);
        gf_free(b->timer_token);
        b->timer_token = NULL;
    }
}

/* --- completion --- */

/* Ends a pending start with err and msg (a printf format). */
static void __attribute__((format(printf, 3, 4)))
fail_start(brick_t *b, int err, const char *fmt, ...)
{
    gd_brick_done_t done = b->start_done;
    char msg[1024];
    va_list ap;

    if (!done)
        return;
    b->start_done = NULL;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    gf_log(GF_LOG_ERROR, "%s", msg);
    done(err, msg, b->start_cookie);
}

static void
timer_fired(brick_t *b)
{
    if (b->stopping) {
        gf_log(GF_LOG_WARNING, "brick %s (pid %d) ignored SIGTERM for %d ms; killing it",
               b->label, (int)b->pid, GD_BRICK_STOP_TIMEOUT_MS);
        kill(b->pid, SIGKILL);
    } else if (b->start_done) {
        kill(b->pid, SIGKILL);
        fail_start(b, -ETIMEDOUT,
                   "brick %s did not sign in within %d s and was killed; see its log %s",
                   b->label, GD_BRICK_SIGNIN_TIMEOUT_MS / 1000, b->logfile);
    }
}

/* How a process ended, in words, into buf. */
static const char *
describe_exit(int status, int known, char *buf, size_t len)
{
    if (!known)
        snprintf(buf, len, "exited");
    else if (WIFEXITED(status))
        snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, len, "was killed by signal %d", WTERMSIG(status));
    else
        snprintf(buf, len, "ended");
    return buf;
}

/* On the event thread: the brick's process has exited. */
static void
exit_cb(int fd, uint32_t events, void *data)
{
    brick_t *b = data;
    int status = 0, known = 0;
    char how[64];
    waiter_t *w = b->stop_waiters;

    if (b->child)
        known = waitpid(b->pid, &status, WNOHANG) == b->pid;
    describe_exit(status, known, how, sizeof(how));
    gf_event_del(b->watch);
    close(b->pidfd);
    clear_timer(b);
    gd_pmap_forget(gd.pmap, b->path);
    unlink(b->pidfile);
    unlink_brick(b);
    if (b->start_done)
        fail_start(b, -EIO, "brick %s %s before signing in; see its log %s", b->label, how,
                   b->logfile);
    else if (!w)
        gf_log(GF_LOG_WARNING, "brick %s (pid %d) %s; see its log %s", b->label, (int)b->pid,
               how, b->logfile);
    else
        gf_log(GF_LOG_INFO, "brick %s (pid %d) stopped", b->label, (int)b->pid);
    brick_free(b);
    while (w) {
        waiter_t *next = w->next;
        w->done(0, NULL, w->cookie);
        gf_free(w);
        w = next;
    }
}

/* Watches b->pid's exit on the event loop. 0 or -errno. */
static int
watch_exit(brick_t *b)
{
    int fd = (int)syscall(SYS_pidfd_open, b->pid, 0);
    int err;

    if (fd < 0)
        return -errno;
    err = gf_event_add(gf_ctx->events, fd, GF_EV_IN, exit_cb, b, &b->watch);
    if (err) {
        close(fd);
        return err;
    }
    b->pidfd = fd;
    return 0;
}

/* --- launching --- */

/* In the forked child: becomes the brick program; reports exec's errno on errfd. */
static void __attribute__((noreturn))
exec_child(char *const argv[], int logfd, int errfd)
{
    sigset_t none;
    int nul = open("/dev/null", O_RDONLY);
    int e;

    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    setsid();
    if (nul >= 0)
        dup2(nul, 0);
    dup2(logfd, 1);
    dup2(logfd, 2);
    if (errfd > 3)
        close_range(3, (unsigned)errfd - 1, 0);
    close_range((unsigned)errfd + 1, ~0U, 0);
    execv(argv[0], argv);
    e = errno;
    if (write(errfd, &e, sizeof(e)) < 0)
        _exit(126);
    _exit(127);
}

/* Forks and executes argv with output appended to logfd. Returns the pid, or
 * -errno of the fork or of exec (then nothing runs). */
static pid_t
spawn(char *const argv[], int logfd)
{
    int pfd[2], e = 0;
    pid_t pid;
    ssize_t got;

    if (pipe2(pfd, O_CLOEXEC) < 0)
        return -errno;
    pid = fork();
    if (pid == 0)
        exec_child(argv, logfd, pfd[1]);
    close(pfd[1]);
    if (pid < 0) {
        e = errno;
        close(pfd[0]);
        return -e;
    }
    do
        got = read(pfd[0], &e, sizeof(e));
    while (got < 0 && errno == EINTR);
    close(pfd[0]);
    if (got == (ssize_t)sizeof(e)) {
        waitpid(pid, NULL, 0);
        return -e;
    }
    return pid;
}

/* Launches b's process on b->port. 0, or -errno with msg set. */
static int
launch(brick_t *b, char *msg, size_t len)
{
    char vport[16], bport[16];
    char *argv[20];
    int n = 0, logfd;
    pid_t pid;

    snprintf(vport, sizeof(vport), "%d", gd.conf.port);
    snprintf(bport, sizeof(bport), "%d", b->port);
    argv[n++] = (char *)gd.conf.glusterfsd;
    argv[n++] = "-s";
    argv[n++] = (char *)gd_self_addr();
    argv[n++] = "--volfile-server-port";
    argv[n++] = vport;
    argv[n++] = "--volfile-id";
    argv[n++] = b->id;
    argv[n++] = "--brick-name";
    argv[n++] = b->path;
    argv[n++] = "--brick-port";
    argv[n++] = bport;
    argv[n++] = "-p";
    argv[n++] = b->pidfile;
    argv[n++] = "-l";
    argv[n++] = b->logfile;
    if (gd.conf.xlator_dir) {
        argv[n++] = "--xlator-dir";
        argv[n++] = (char *)gd.conf.xlator_dir;
    }
    argv[n] = NULL;

    logfd = open(b->logfile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (logfd < 0) {
        int e = errno;
        snprintf(msg, len, "brick %s: cannot open its log %s: %s", b->label, b->logfile,
                 strerror(e));
        return -e;
    }
    pid = spawn(argv, logfd);
    close(logfd);
    if (pid < 0) {
        snprintf(msg, len, "brick %s: cannot run %s: %s (set glusterd's --glusterfsd)",
                 b->label, gd.conf.glusterfsd, strerror((int)-pid));
        return (int)pid;
    }
    b->pid = pid;
    b->child = 1;
    gf_log(GF_LOG_INFO, "launched brick %s: pid %d, port %d, log %s", b->label, (int)pid,
           b->port, b->logfile);
    return 0;
}

/* Reserves a port for b, launches and watches it. 0 or -errno with msg set. */
static int
start_process(brick_t *b, char *msg, size_t len)
{
    int err;

    b->port = gd_pmap_reserve(gd.pmap, gd.conf.bind, b->path);
    if (b->port < 0) {
        err = b->port;
        snprintf(msg, len, "brick %s: no free port from %d upward on %s", b->label,
                 gd.conf.base_port, gd.conf.bind);
        return err;
    }
    err = launch(b, msg, len);
    if (!err && (err = watch_exit(b)) != 0) {
        kill(b->pid, SIGKILL);
        waitpid(b->pid, NULL, 0);
        snprintf(msg, len, "brick %s: cannot watch its process: %s", b->label, strerror(-err));
    }
    if (err)
        gd_pmap_forget(gd.pmap, b->path);
    return err;
}

void
gd_brick_start(const gd_volume_t *vol, int idx, gd_brick_done_t done, void *cookie)
{
    brick_t *b = find_path(vol->bricks[idx].path);
    char msg[1024];
    int err;

    if (b && (b->start_done || b->stopping)) {
        snprintf(msg, sizeof(msg), "brick %s is being %s; try again later", b->label,
                 b->stopping ? "stopped" : "started");
        done(-EBUSY, msg, cookie);
        return;
    }
    if (b) {
        done(0, NULL, cookie); /* running: already signed in, or will sign in again */
        return;
    }
    if (!(b = brick_new(vol, idx))) {
        done(-ENOMEM, "out of memory", cookie);
        return;
    }
    err = start_process(b, msg, sizeof(msg));
    if (err) {
        gf_log(GF_LOG_ERROR, "%s", msg);
        brick_free(b);
        done(err, msg, cookie);
        return;
    }
    b->next = bricks;
    bricks = b;
    b->start_done = done;
    b->start_cookie = cookie;
    set_timer(b, GD_BRICK_SIGNIN_TIMEOUT_MS);
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
        done(-ENOMEM, "out of memory", cookie);
        return;
    }
    w->done = done;
    w->cookie = cookie;
    w->next = b->stop_waiters;
    b->stop_waiters = w;
    if (b->stopping)
        return;
    b->stopping = 1;
    fail_start(b, -ECANCELED, "brick %s was stopped while starting", b->label);
    if (kill(b->pid, SIGTERM) < 0 && errno != ESRCH)
        gf_log(GF_LOG_ERROR, "cannot signal brick %s (pid %d): %s", b->label, (int)b->pid,
               strerror(errno));
    set_timer(b, GD_BRICK_STOP_TIMEOUT_MS);
}

void
gd_brick_get_state(const char *path, gd_brick_state_t *st)
{
    const brick_t *b = find_path(path);
    st->online = b && b->online && !b->stopping;
    st->port = st->online ? b->port : 0;
    st->pid = b ? b->pid : -1;
}

void
gd_brick_pmap_hook(const char *path, int port, pid_t pid, int signed_in, void *data)
{
    brick_t *b = find_path(path);
    gd_brick_done_t done;

    if (!b) {
        gf_log(GF_LOG_INFO, "brick %s signed %s on port %d but was not launched by glusterd",
               path, signed_in ? "in" : "out", port);
        return;
    }
    b->online = signed_in;
    if (!signed_in)
        return;
    b->port = port;
    if ((done = b->start_done) != NULL) {
        b->start_done = NULL;
        clear_timer(b);
        gf_log(GF_LOG_INFO, "brick %s signed in on port %d", b->label, port);
        done(0, NULL, b->start_cookie);
    }
}

/* Reads the pid in a pidfile; 0 when there is none. */
static pid_t
read_pidfile(const char *path)
{
    FILE *f = fopen(path, "r");
    int pid = 0;
    if (!f)
        return 0;
    if (fscanf(f, "%d", &pid) != 1 || pid <= 1)
        pid = 0;
    fclose(f);
    return pid;
}

/* Whether process pid is a glusterfsd launched with "--volfile-id id"; its
 * --brick-port into *port. */
static int
is_our_brick(pid_t pid, const char *id, int *port)
{
    char path[64], args[4096];
    int fd, match = 0;
    ssize_t n;

    snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return 0;
    n = read(fd, args, sizeof(args) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    args[n] = '\0';
    if (!strstr(strrchr(args, '/') ? strrchr(args, '/') : args, "glusterfsd"))
        return 0;
    *port = 0;
    for (char *a = args; a < args + n; a += strlen(a) + 1) {
        char *next = a + strlen(a) + 1;
        if (next >= args + n)
            break;
        if (strcmp(a, "--volfile-id") == 0)
            match = strcmp(next, id) == 0;
        else if (strcmp(a, "--brick-port") == 0)
            *port = atoi(next);
    }
    return match && *port > 0;
}

int
gd_brick_adopt(const gd_volume_t *vol, int idx)
{
    brick_t *b = find_path(vol->bricks[idx].path);
    pid_t pid;
    int port = 0;

    if (b)
        return 1;
    if (!(b = brick_new(vol, idx)))
        return -ENOMEM;
    pid = read_pidfile(b->pidfile);
    if (pid <= 0 || !is_our_brick(pid, b->id, &port)) {
        brick_free(b);
        return 0;
    }
    b->pid = pid;
    b->port = port;
    if (watch_exit(b) != 0) {
        brick_free(b);
        return 0; /* it is going away: launch a new one */
    }
    b->online = 1;
    b->next = bricks;
    bricks = b;
    gd_pmap_signin(gd.pmap, b->path, port, pid);
    gf_log(GF_LOG_INFO, "brick %s is still running (pid %d, port %d): adopted", b->label,
           (int)pid, port);
    return 1;
}

void
gd_brick_fini(void)
{
    while (bricks) {
        brick_t *b = bricks;
        bricks = b->next;
        clear_timer(b);
        if (b->watch)
            gf_event_del(b->watch);
        if (b->pidfd >= 0)
            close(b->pidfd);
        while (b->stop_waiters) {
            waiter_t *w = b->stop_waiters;
            b->stop_waiters = w->next;
            gf_free(w);
        }
        brick_free(b);
    }
}
