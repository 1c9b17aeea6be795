/*
 * Brick processes (contract in proc.h): launching with the command line of
 * doc/volfiles.md, adopting from pidfiles, watching through pidfds, and ending
 * them. Timers carry a token that identifies them while they are their process's
 * current timer, so that a timer cancelled too late never touches a process that
 * moved on or is gone.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "glusterfs/ctx.h"
#include "glusterfs/event.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "glusterfs/timer.h"
#include "glusterd.h"
#include "proc.h"

static gd_proc_t *procs;
static gd_proc_exit_cb_t exit_hook;

void
gd_proc_init(gd_proc_exit_cb_t on_exit)
{
    exit_hook = on_exit;
}

gd_proc_t *
gd_proc_list(void)
{
    return procs;
}

static void
proc_free(gd_proc_t *p)
{
    gf_free(p->name);
    gf_free(p->pidfile);
    gf_free(p->sock);
    gf_free(p->logfile);
    gf_free(p->sig);
    gf_free(p);
}

static void
unlink_proc(gd_proc_t *p)
{
    for (gd_proc_t **pp = &procs; *pp; pp = &(*pp)->next) {
        if (*pp == p) {
            *pp = p->next;
            return;
        }
    }
}

static int
name_taken(const char *name)
{
    for (gd_proc_t *p = procs; p; p = p->next)
        if (strcmp(p->name, name) == 0)
            return 1;
    return 0;
}

/* A new record named after id (made unique), with its file names and brick-op
 * client, not in the list. NULL on ENOMEM. */
static gd_proc_t *
proc_new(const char *id)
{
    gd_proc_t *p = gf_calloc(1, sizeof(*p));
    int ok;

    if (!p)
        return NULL;
    p->pid = -1;
    p->pidfd = -1;
    ok = gf_asprintf(&p->name, "%s", id) >= 0;
    for (int n = 2; ok && name_taken(p->name); n++) {
        gf_free(p->name);
        ok = gf_asprintf(&p->name, "%s-%d", id, n) >= 0;
    }
    ok = ok && gf_asprintf(&p->pidfile, "%s/bricks/%s.pid", gd.conf.rundir, p->name) >= 0 &&
         gf_asprintf(&p->sock, "%s/bricks/%s.sock", gd.conf.rundir, p->name) >= 0 &&
         gf_asprintf(&p->logfile, "%s/bricks/%s.log", gd.conf.logdir, p->name) >= 0 &&
         (p->bop = gd_brickop_new(p->sock)) != NULL;
    if (!ok) {
        gd_brickop_free(p->bop);
        proc_free(p);
        return NULL;
    }
    return p;
}

/* --- timers --- */

static void timer_fired(gd_proc_t *p);

/* On the event thread: the timer carrying token fired. */
static void
tick_task(void *token)
{
    for (gd_proc_t *p = procs; p; p = p->next) {
        if (p->timer_token == token) {
            p->timer = NULL;
            p->timer_token = NULL;
            gf_free(token);
            timer_fired(p);
            return;
        }
    }
    gf_free(token); /* cancelled too late: the process moved on */
}

/* On the timer thread. */
static void
tick_cb(void *token)
{
    if (gf_event_post(gf_ctx->events, tick_task, token) != 0)
        gf_log(GF_LOG_ERROR, "cannot post a brick process timer to the event loop; a "
                             "timeout is lost");
}

static void
clear_timer(gd_proc_t *p)
{
    if (!p->timer)
        return;
    if (gf_timer_cancel(gf_ctx->timers, p->timer) == 0)
        gf_free(p->timer_token);
    /* else its task is queued: it will free the token, finding no process */
    p->timer = NULL;
    p->timer_token = NULL;
}

static void
set_timer(gd_proc_t *p, uint64_t ms)
{
    clear_timer(p);
    p->timer_token = gf_malloc(1);
    if (p->timer_token)
        p->timer = gf_timer_add(gf_ctx->timers, ms, tick_cb, p->timer_token);
    if (!p->timer) {
        gf_log(GF_LOG_ERROR, "out of memory arming a timer for brick process %s", p->name);
        gf_free(p->timer_token);
        p->timer_token = NULL;
    }
}

/* Signals p, logging a failure other than "already gone". */
static void
signal_proc(gd_proc_t *p, int sig)
{
    if (kill(p->pid, sig) < 0 && errno != ESRCH)
        gf_log(GF_LOG_ERROR, "cannot signal brick process %s (pid %d): %s", p->name,
               (int)p->pid, strerror(errno));
}

/* The current timer of p fired: the next step of whatever p was waiting for. */
static void
timer_fired(gd_proc_t *p)
{
    if (p->state == GD_PROC_LAUNCHING) {
        char reason[160];
        snprintf(reason, sizeof(reason), "did not sign in within %d s and was killed",
                 GD_PROC_SIGNIN_TIMEOUT_MS / 1000);
        gd_proc_kill(p, reason);
    } else if (p->reason[0]) {
        gf_log(GF_LOG_WARNING, "brick process %s (pid %d) ignored SIGTERM for %d s; killing it",
               p->name, (int)p->pid, GD_PROC_STOP_TIMEOUT_MS / 1000);
        signal_proc(p, SIGKILL);
    } else {
        gf_log(GF_LOG_WARNING, "brick process %s (pid %d) serves no brick but did not exit "
                               "within %d s; stopping it",
               p->name, (int)p->pid, GD_PROC_EXIT_WAIT_MS / 1000);
        gd_proc_stop(p);
    }
}

/* --- exit --- */

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

/* On the event thread: the process has exited. */
static void
exit_cb(int fd, uint32_t events, void *data)
{
    gd_proc_t *p = data;
    gd_brickop_t *bop;
    int status = 0, known = 0;
    char how[64];

    if (!p->adopted)
        known = waitpid(p->pid, &status, WNOHANG) == p->pid;
    describe_exit(status, known, how, sizeof(how));
    gf_event_del(p->watch);
    close(p->pidfd);
    clear_timer(p);
    unlink(p->pidfile);
    unlink(p->sock);
    unlink_proc(p);
    bop = p->bop;
    p->bop = NULL; /* tells the callbacks run by the free that p is gone */
    gd_brickop_free(bop);
    gf_log(GF_LOG_INFO, "brick process %s (pid %d) %s", p->name, (int)p->pid, how);
    exit_hook(p, how);
    proc_free(p);
}

/* Watches p->pid's exit on the event loop. 0 or -errno. */
static int
watch_exit(gd_proc_t *p)
{
    int fd = (int)syscall(SYS_pidfd_open, p->pid, 0);
    int err;

    if (fd < 0)
        return -errno;
    err = gf_event_add(gf_ctx->events, fd, GF_EV_IN, exit_cb, p, &p->watch);
    if (err) {
        close(fd);
        return err;
    }
    p->pidfd = fd;
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

/* Runs glusterfsd for p's first brick. 0, or -errno with msg set. */
static int
run(gd_proc_t *p, const char *id, const char *brick, char *msg, size_t len)
{
    char vport[16], bport[16];
    char *argv[20];
    int n = 0, logfd;
    pid_t pid;

    snprintf(vport, sizeof(vport), "%d", gd.conf.port);
    snprintf(bport, sizeof(bport), "%d", p->port);
    argv[n++] = (char *)gd.conf.glusterfsd;
    argv[n++] = "-s";
    argv[n++] = (char *)gd_self_addr();
    argv[n++] = "--volfile-server-port";
    argv[n++] = vport;
    argv[n++] = "--volfile-id";
    argv[n++] = (char *)id;
    argv[n++] = "--brick-name";
    argv[n++] = (char *)brick;
    argv[n++] = "--brick-port";
    argv[n++] = bport;
    argv[n++] = "-p";
    argv[n++] = p->pidfile;
    argv[n++] = "-l";
    argv[n++] = p->logfile;
    if (gd.conf.xlator_dir) {
        argv[n++] = "--xlator-dir";
        argv[n++] = (char *)gd.conf.xlator_dir;
    }
    argv[n] = NULL;

    logfd = open(p->logfile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (logfd < 0) {
        int e = errno;
        snprintf(msg, len, "brick %s: cannot open the log %s: %s", brick, p->logfile,
                 strerror(e));
        return -e;
    }
    pid = spawn(argv, logfd);
    close(logfd);
    if (pid < 0) {
        snprintf(msg, len, "brick %s: cannot run %s: %s (set glusterd's --glusterfsd)", brick,
                 gd.conf.glusterfsd, strerror((int)-pid));
        return (int)pid;
    }
    p->pid = pid;
    gf_log(GF_LOG_INFO, "launched brick process %s for brick %s: pid %d, port %d, log %s",
           p->name, brick, (int)pid, p->port, p->logfile);
    return 0;
}

gd_proc_t *
gd_proc_launch(const char *id, const char *brick, char *msg, size_t len)
{
    gd_proc_t *p = proc_new(id);
    int err;

    if (!p) {
        snprintf(msg, len, "glusterd is out of memory");
        return NULL;
    }
    p->port = gd_pmap_reserve(gd.pmap, gd.conf.bind, brick);
    if (p->port < 0) {
        snprintf(msg, len, "brick %s: no free port from %d upward on %s", brick,
                 gd.conf.base_port, gd.conf.bind);
        gd_brickop_free(p->bop);
        proc_free(p);
        return NULL;
    }
    unlink(p->sock); /* left behind by a process that was killed */
    err = run(p, id, brick, msg, len);
    if (!err && (err = watch_exit(p)) != 0) {
        kill(p->pid, SIGKILL);
        waitpid(p->pid, NULL, 0);
        snprintf(msg, len, "brick %s: cannot watch its process: %s", brick, strerror(-err));
    }
    if (err) {
        gd_pmap_forget(gd.pmap, brick);
        gd_brickop_free(p->bop);
        proc_free(p);
        return NULL;
    }
    p->state = GD_PROC_LAUNCHING;
    p->next = procs;
    procs = p;
    set_timer(p, GD_PROC_SIGNIN_TIMEOUT_MS);
    return p;
}

/* --- adopting --- */

/* The pidfile a glusterfsd process was launched with ("-p PATH") into buf, when
 * pid is such a process and PATH is one of this glusterd's (RUNDIR/bricks/NAME.pid);
 * else "". */
static const char *
launched_pidfile(pid_t pid, char *buf, size_t len)
{
    char path[64], args[8192], prefix[4200];
    const char *prog;
    ssize_t n;
    int fd;

    buf[0] = '\0';
    snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return buf;
    n = read(fd, args, sizeof(args) - 1);
    close(fd);
    if (n <= 0)
        return buf;
    args[n] = '\0';
    prog = strrchr(args, '/') ? strrchr(args, '/') + 1 : args;
    if (strcmp(prog, "glusterfsd") != 0)
        return buf;
    snprintf(prefix, sizeof(prefix), "%s/bricks/", gd.conf.rundir);
    for (char *a = args; a < args + n; a += strlen(a) + 1) {
        char *next = a + strlen(a) + 1;
        size_t plen = strlen(next);
        if (next < args + n && strcmp(a, "-p") == 0 && !strncmp(next, prefix, strlen(prefix)) &&
            plen > strlen(prefix) + 4 && !strcmp(next + plen - 4, ".pid") &&
            !strchr(next + strlen(prefix), '/'))
            snprintf(buf, len, "%s", next);
    }
    return buf;
}

/* Adopts process pid, launched with pidfile: watched, state READY, in the list.
 * NULL when it is going away (or on ENOMEM). */
static gd_proc_t *
adopt(pid_t pid, const char *pidfile)
{
    const char *base = strrchr(pidfile, '/') + 1;
    char name[512];
    gd_proc_t *p;

    snprintf(name, sizeof(name), "%.*s", (int)(strlen(base) - 4), base);
    if (!(p = proc_new(name)))
        return NULL;
    p->pid = pid;
    if (strcmp(p->pidfile, pidfile) != 0 || watch_exit(p) != 0) {
        gd_brickop_free(p->bop);
        proc_free(p);
        return NULL;
    }
    p->adopted = true;
    p->state = GD_PROC_READY;
    p->next = procs;
    procs = p;
    gf_log(GF_LOG_INFO, "brick process %s (pid %d) is still running: adopted", p->name,
           (int)pid);
    return p;
}

int
gd_proc_scan(void (*found)(gd_proc_t *p, void *arg), void *arg)
{
    char pidfile[4200];
    struct dirent *e;
    DIR *d = opendir("/proc");
    int n = 0;

    if (!d)
        return -errno;
    while ((e = readdir(d)) != NULL) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        gd_proc_t *p;
        if (*end || pid <= 1 || !*launched_pidfile((pid_t)pid, pidfile, sizeof(pidfile)))
            continue;
        if ((p = adopt((pid_t)pid, pidfile)) != NULL) {
            found(p, arg);
            n++;
        }
    }
    closedir(d);
    return n;
}

/* --- state changes --- */

void
gd_proc_ready(gd_proc_t *p)
{
    clear_timer(p);
    p->state = GD_PROC_READY;
}

void
gd_proc_drain(gd_proc_t *p)
{
    if (p->state == GD_PROC_ENDING)
        return;
    p->state = GD_PROC_ENDING;
    set_timer(p, GD_PROC_EXIT_WAIT_MS);
}

void
gd_proc_stop(gd_proc_t *p)
{
    if (!p->reason[0])
        snprintf(p->reason, sizeof(p->reason), "was stopped by glusterd");
    p->state = GD_PROC_ENDING;
    signal_proc(p, SIGTERM);
    set_timer(p, GD_PROC_STOP_TIMEOUT_MS);
}

void
gd_proc_kill(gd_proc_t *p, const char *reason)
{
    snprintf(p->reason, sizeof(p->reason), "%s", reason);
    gf_log(GF_LOG_ERROR, "brick process %s (pid %d) %s", p->name, (int)p->pid, reason);
    p->state = GD_PROC_ENDING;
    clear_timer(p);
    signal_proc(p, SIGKILL);
}

void
gd_proc_fini(void)
{
    while (procs) {
        gd_proc_t *p = procs;
        procs = p->next;
        clear_timer(p);
        if (p->watch)
            gf_event_del(p->watch);
        if (p->pidfd >= 0)
            close(p->pidfd);
        gd_brickop_free(p->bop);
        proc_free(p);
    }
}
