/*
 * glusterfsd, the brick process: reads its command line (doc/volfiles.md,
 * "glusterfsd command line"), gets its first brick volfile from glusterd
 * (GETSPEC) or from a file, builds its protocol/server alone from that
 * volfile's process-scoped server options (it listens from then on), serves
 * the brick-op program on a unix socket beside the pidfile, writes its
 * pidfile, and attaches the first brick (or every brick of a local volfile)
 * the way ATTACH attaches the later ones (bricks.h), signing each in with
 * glusterd's portmapper. It then serves until SIGTERM or SIGINT, when it signs
 * its bricks out, tears everything down, removes its pidfile and exits 0; or
 * until the DETACH of its last brick has been answered, when it does the same.
 *
 * `glusterfsd --brick-op SOCKET ...` is a client of the brick-op program
 * instead (brick-ops.h).
 *
 * Threads: the main thread runs the startup steps one after the other (its
 * blocking calls to glusterd wait on the event threads, which do the I/O) and
 * then sleeps until a stop signal or the loss of its last brick. Signals are
 * blocked in every thread and read from a signalfd on the event loop, whose
 * callback only records them and wakes the main thread (SIGHUP reopens the log
 * file there).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "brick-ops.h"
#include "bricks.h"
#include "config.h"
#include "glusterfs/ctx.h"
#include "glusterfs/dict.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "glusterfs/volfile.h"
#include "mgmt.h"

#define DEFAULT_GLUSTERD_PORT 24007
#define DEFAULT_EVENT_THREADS 2
#define MAX_WORKERS           16
#define STARTUP_TIMEOUT_MS    10000 /* to reach glusterd and get the volfile */
#define SIGNOUT_TIMEOUT_MS    1000
#define LISTEN_PORT_KEY       "transport.socket.listen-port"
#define ERR_MAX               1024

/* The command line. Strings point into argv. */
struct opts {
    const char *server; /* -s: glusterd's address; NULL: none */
    int server_port;
    const char *volfile; /* -f: local volfile; NULL: GETSPEC */
    const char *volfile_id;
    const char *brick; /* --brick-name */
    int brick_port;    /* 0: not given */
    const char *pidfile, *logfile, *xlator_dir;
    int log_level;
    int event_threads;
};

/* The process. */
typedef struct gfsd {
    struct opts o;
    gfsd_mgmt_t *mgmt; /* set and cleared under lock */
    gfsd_bricks_t *bricks;
    gfsd_brick_ops_t *bops;
    int port; /* where protocol/server listens */
    bool pidfile_written;
    int sigfd;
    gf_event_handle_t *sig_handle;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int stop_signo; /* 0 until SIGTERM or SIGINT arrives */
    bool empty;     /* the DETACH of the last brick has been answered */
} gfsd_t;

/* The --help text; kept as written, one source line per output line. */
// clang-format off
static void usage(FILE *out)
{
    fprintf(out,
"Usage: glusterfsd -s SERVER --volfile-id ID --brick-name BRICK [OPTION]...\n"
"       glusterfsd -f VOLFILE [OPTION]...\n"
"       glusterfsd --brick-op SOCKET attach NAME VOLFILE [VOLFILE-ID]\n"
"       glusterfsd --brick-op SOCKET detach NAME | status [NAME]\n"
"\n"
"Runs a brick process in the foreground: starts the protocol/server of a brick\n"
"volfile (listening for clients), attaches the brick(s) below it, and serves\n"
"them, and the bricks attached later with ATTACH on its brick-op socket, until\n"
"SIGTERM or SIGINT, which make it sign its bricks out of glusterd, stop, remove\n"
"its pidfile and exit 0; it does the same once the DETACH of its last brick is\n"
"answered. SIGHUP reopens the log file. When it cannot start it logs why and\n"
"exits 1 (2 for a bad command line).\n"
"With --brick-op it is a client of the brick-op socket of a running brick\n"
"process: it makes one call and prints the reply's output as KEY=VALUE lines.\n"
"\n"
"  -s, --volfile-server=SERVER  glusterd's address: the volfile is fetched from it\n"
"                               (GETSPEC) unless -f is given, and the brick is\n"
"                               signed in with its portmapper (SIGNIN)\n"
"      --volfile-server-port=PORT  glusterd's port (default %d)\n"
"      --volfile-id=ID          GETSPEC key of the brick volfile (needed with -s\n"
"                               unless -f is given)\n"
"  -f, --volfile=FILE           read the volfile from FILE instead of glusterd\n"
"      --brick-name=BRICK       the brick served: a subvolume of protocol/server\n"
"                               (needed with -s; with -f and without it, every\n"
"                               subvolume of protocol/server is attached)\n"
"      --brick-port=PORT        TCP port protocol/server listens on; when the\n"
"                               volfile sets " LISTEN_PORT_KEY ",\n"
"                               both must be equal\n"
"  -p, --pid-file=FILE          write the pid to FILE once serving; the brick-op\n"
"                               socket is FILE with .pid replaced by .sock\n"
"  -l, --log-file=FILE          log to FILE (default: standard error); standard\n"
"                               output and error are appended to it too\n"
"  -L, --log-level=LEVEL        NONE, CRITICAL, ERROR, WARNING, INFO (default),\n"
"                               DEBUG or TRACE\n"
"      --xlator-dir=DIR         load translators from DIR (default: $GF_XLATOR_DIR,\n"
"                               else %s)\n"
"      --event-threads=N        number of event threads, 1-64 (default %d)\n"
"  -h, --help                   show this help and exit\n"
"  -V, --version                show the version and exit\n",
            DEFAULT_GLUSTERD_PORT, GF_XLATOR_DIR, DEFAULT_EVENT_THREADS);
}
// clang-format on

static void version(void)
{
    printf("glusterfsd (%s) %s\n"
           "Brick process speaking the GlusterFS 4.x/10.x brick protocol (FOP program 1298437\n"
           "version 400) to clients, and the handshake and portmap programs to glusterd.\n",
           PACKAGE_NAME, PACKAGE_VERSION);
}

/* Parses s as a whole decimal number within [min, max] into *out. 0 or -EINVAL. */
static int parse_int(const char *s, long min, long max, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return -EINVAL;
    *out = (int)v;
    return 0;
}

/* Reports a command-line error; returns 2, the exit code for it. */
static int bad_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "glusterfsd: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'glusterfsd --help' for more information.\n");
    return 2;
}

enum {
    OPT_SERVER_PORT = 256,
    OPT_VOLFILE_ID,
    OPT_BRICK_NAME,
    OPT_BRICK_PORT,
    OPT_XLATOR_DIR,
    OPT_EVENT_THREADS,
};

static const struct option long_opts[] = {
    {"volfile-server", required_argument, NULL, 's'},
    {"volfile-server-port", required_argument, NULL, OPT_SERVER_PORT},
    {"volfile-id", required_argument, NULL, OPT_VOLFILE_ID},
    {"volfile", required_argument, NULL, 'f'},
    {"brick-name", required_argument, NULL, OPT_BRICK_NAME},
    {"brick-port", required_argument, NULL, OPT_BRICK_PORT},
    {"pid-file", required_argument, NULL, 'p'},
    {"log-file", required_argument, NULL, 'l'},
    {"log-level", required_argument, NULL, 'L'},
    {"xlator-dir", required_argument, NULL, OPT_XLATOR_DIR},
    {"event-threads", required_argument, NULL, OPT_EVENT_THREADS},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* Stores one option c with argument arg into o. 0, or 2 after reporting an
 * error. */
static int set_opt(struct opts *o, int c, const char *arg)
{
    switch (c) {
    case 's':
        o->server = arg;
        return 0;
    case 'f':
        o->volfile = arg;
        return 0;
    case 'p':
        o->pidfile = arg;
        return 0;
    case 'l':
        o->logfile = arg;
        return 0;
    case OPT_VOLFILE_ID:
        o->volfile_id = arg;
        return 0;
    case OPT_BRICK_NAME:
        o->brick = arg;
        return 0;
    case OPT_XLATOR_DIR:
        o->xlator_dir = arg;
        return 0;
    case 'L':
        o->log_level = gf_log_level_parse(arg);
        return o->log_level < 0 ? bad_usage("unknown log level '%s'", arg) : 0;
    case OPT_SERVER_PORT:
        return parse_int(arg, 1, 65535, &o->server_port) ? bad_usage("bad port '%s'", arg) : 0;
    case OPT_BRICK_PORT:
        return parse_int(arg, 1, 65535, &o->brick_port) ? bad_usage("bad port '%s'", arg) : 0;
    case OPT_EVENT_THREADS:
        return parse_int(arg, 1, 64, &o->event_threads)
                   ? bad_usage("bad number of event threads '%s' (1-64)", arg)
                   : 0;
    default:
        return bad_usage("%s", "unknown option");
    }
}

/* Checks that the options make a brick process. 0, or 2 after reporting. */
static int check_opts(const struct opts *o)
{
    if (!o->server && !o->volfile)
        return bad_usage("%s", "give -s SERVER (volfile from glusterd) or -f VOLFILE");
    if (o->server && !o->volfile && !o->volfile_id)
        return bad_usage("%s", "-s needs --volfile-id, the key of the brick volfile");
    if (o->server && !o->brick)
        return bad_usage("%s", "-s needs --brick-name, the brick to sign in with glusterd");
    return 0;
}

/* Parses the command line into o. Returns -1 to go on, else the exit code
 * (0 after --help or --version). */
static int parse_args(int argc, char **argv, struct opts *o)
{
    *o = (struct opts){.server_port = DEFAULT_GLUSTERD_PORT,
                       .log_level = GF_LOG_INFO,
                       .event_threads = DEFAULT_EVENT_THREADS};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":s:f:p:l:L:hV", long_opts, NULL)) != -1) {
        if (c == 'h' || c == 'V') {
            c == 'h' ? usage(stdout) : version();
            return 0;
        }
        if (c == ':')
            return bad_usage("option %s needs an argument", argv[optind - 1]);
        if (c == '?')
            return bad_usage("unknown option %s", argv[optind - 1]);
        int ret = set_opt(o, c, optarg);
        if (ret)
            return ret;
    }
    if (optind < argc)
        return bad_usage("unexpected argument '%s'", argv[optind]);
    int ret = check_opts(o);
    return ret ? ret : -1;
}

/* Points standard output and error at the log file (nothing to do when the
 * log is standard error). 0 or -errno. */
static int redirect_stdio(const char *logfile)
{
    if (!logfile || strcmp(logfile, "-") == 0)
        return 0;
    int fd = open(logfile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    int ret = dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0 ? -errno : 0;
    close(fd);
    return ret;
}

/* Opens the log, reads standard input from /dev/null and sends standard output
 * and error to the log. 0, or -errno after saying why on standard error. */
static int setup_log(const struct opts *o)
{
    int fd = open("/dev/null", O_RDONLY);
    if (fd >= 0) {
        dup2(fd, STDIN_FILENO);
        close(fd);
    }
    int ret = gf_log_init(o->logfile, "glusterfsd");
    if (!ret)
        ret = redirect_stdio(o->logfile);
    if (ret) {
        fprintf(stderr, "glusterfsd: cannot open log file %s: %s\n", o->logfile, strerror(-ret));
        return ret;
    }
    gf_log_set_level((gf_loglevel_t)o->log_level);
    return 0;
}

/* The signals this process handles (read from a signalfd, blocked elsewhere). */
static void handled_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGHUP);
}

/* Event callback of the signalfd: records a stop signal, wakes the main
 * thread and cuts short a wait for glusterd; or reopens the log on SIGHUP. */
static void on_signal(int fd, uint32_t events, void *data)
{
    gfsd_t *d = data;
    struct signalfd_siginfo si;
    while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
        if (si.ssi_signo == SIGHUP) {
            int ret = gf_log_init(d->o.logfile, NULL);
            if (!ret)
                ret = redirect_stdio(d->o.logfile);
            if (ret)
                gf_log(GF_LOG_ERROR, "SIGHUP: cannot reopen the log file: %s", strerror(-ret));
            else
                gf_log(GF_LOG_INFO, "SIGHUP: log file reopened");
            continue;
        }
        pthread_mutex_lock(&d->lock);
        if (!d->stop_signo)
            d->stop_signo = (int)si.ssi_signo;
        if (d->mgmt)
            gfsd_mgmt_cancel(d->mgmt);
        pthread_cond_broadcast(&d->cond);
        pthread_mutex_unlock(&d->lock);
    }
}

/* Reads the handled signals on the event loop. 0 or -errno. */
static int signals_start(gfsd_t *d)
{
    sigset_t set;
    handled_signals(&set);
    d->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (d->sigfd < 0)
        return -errno;
    return gf_event_add(gf_ctx->events, d->sigfd, GF_EV_IN, on_signal, d, &d->sig_handle);
}

static void signals_stop(gfsd_t *d)
{
    if (d->sig_handle)
        gf_event_del(d->sig_handle);
    if (d->sigfd >= 0)
        close(d->sigfd);
    d->sig_handle = NULL;
    d->sigfd = -1;
}

/* Gets the volfile text from the file or from glusterd and parses it. 0 or
 * -errno with err set. */
static int load_volfile(gfsd_t *d, gf_volfile_t **vf, char *err, size_t errlen)
{
    if (d->o.volfile)
        return gf_volfile_from_file(d->o.volfile, vf, err, errlen);
    char *spec = NULL;
    size_t len = 0;
    int ret = gfsd_mgmt_getspec(d->mgmt, d->o.volfile_id, d->o.brick, STARTUP_TIMEOUT_MS, &spec,
                                &len, err, errlen);
    if (ret)
        return ret;
    char perr[ERR_MAX / 2];
    ret = gf_volfile_parse(spec, len, vf, perr, sizeof(perr));
    if (ret)
        snprintf(err, errlen, "volfile '%s' from glusterd: %s", d->o.volfile_id, perr);
    gf_free(spec);
    return ret;
}

/*
 * Settles the listening port of protocol/server (vol): --brick-port and the
 * volfile's option must agree when both are given; the one given is written
 * into the volfile when the other is absent. 0 or -EINVAL with err set.
 */
static int settle_port(gfsd_t *d, gf_volfile_vol_t *vol, char *err, size_t errlen)
{
    const char *text = NULL;
    int vport = 0;
    bool in_volfile = gf_dict_get_str(vol->options, LISTEN_PORT_KEY, &text) == 0;
    if (in_volfile && parse_int(text, 1, 65535, &vport)) {
        snprintf(err, errlen, "option %s of volume %s is '%s', not a TCP port (1-65535)",
                 LISTEN_PORT_KEY, vol->name, text);
        return -EINVAL;
    }
    if (in_volfile && d->o.brick_port && vport != d->o.brick_port) {
        snprintf(err, errlen,
                 "--brick-port %d differs from option %s %d of volume %s: they "
                 "must be equal",
                 d->o.brick_port, LISTEN_PORT_KEY, vport, vol->name);
        return -EINVAL;
    }
    if (!in_volfile && !d->o.brick_port) {
        snprintf(err, errlen,
                 "no port to listen on: give --brick-port or option %s in "
                 "volume %s",
                 LISTEN_PORT_KEY, vol->name);
        return -EINVAL;
    }
    d->port = in_volfile ? vport : d->o.brick_port;
    if (in_volfile)
        return 0;
    char num[16];
    snprintf(num, sizeof(num), "%d", d->port);
    return gf_dict_set_str(vol->options, LISTEN_PORT_KEY, num);
}

/* Checks that vf's top is a protocol/server (that it serves --brick-name is
 * checked when the brick is attached) and settles its port. 0 or -errno with
 * err set. */
static int prepare_volfile(gfsd_t *d, gf_volfile_t *vf, char *err, size_t errlen)
{
    gf_volfile_vol_t *top = vf->n_vols > 0 ? &vf->vols[vf->n_vols - 1] : NULL;
    if (!top || strcmp(top->type, "protocol/server") != 0) {
        snprintf(err, errlen,
                 "the volfile's top volume %s is of type %s, but a brick "
                 "process needs protocol/server at the top",
                 top ? top->name : "(none)", top ? top->type : "(none)");
        return -EINVAL;
    }
    return settle_port(d, top, err, errlen);
}

/* Gets the first volfile and starts the process's protocol/server from it
 * (it listens from then on). 0 with *vf (the parsed volfile), or -errno with
 * err set. */
static int start_server(gfsd_t *d, gf_volfile_t **vf, char *err, size_t errlen)
{
    int ret = load_volfile(d, vf, err, errlen);
    if (!ret)
        ret = prepare_volfile(d, *vf, err, errlen);
    if (!ret)
        ret = gfsd_bricks_new(gf_volfile_top(*vf), d->mgmt, &d->bricks, err, errlen);
    if (!ret)
        d->port = gfsd_bricks_port(d->bricks);
    return ret;
}

/* Attaches the bricks of the first volfile: --brick-name, else every
 * subvolume of its protocol/server (the volfile id goes with a single one).
 * 0 or -errno with err set. */
static int attach_first(gfsd_t *d, const gf_volfile_t *vf, char *err, size_t errlen)
{
    const gf_volfile_vol_t *top = gf_volfile_top(vf);
    if (d->o.brick)
        return gfsd_bricks_attach_sync(d->bricks, vf, d->o.brick, d->o.volfile_id, err, errlen);
    for (int i = 0; i < top->n_subvols; i++) {
        const char *id = top->n_subvols == 1 ? d->o.volfile_id : NULL;
        int ret = gfsd_bricks_attach_sync(d->bricks, vf, top->subvols[i], id, err, errlen);
        if (ret)
            return ret;
    }
    return 0;
}

/* Writes our pid to path atomically (a temporary file renamed over it). 0 or
 * -errno with err set. */
static int write_pidfile(const char *path, char *err, size_t errlen)
{
    char tmp[PATH_MAX], text[32];
    int n = snprintf(text, sizeof(text), "%d\n", (int)getpid());
    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
        snprintf(err, errlen, "pidfile path %s is too long", path);
        return -ENAMETOOLONG;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    bool ok = fd >= 0 && write(fd, text, (size_t)n) == n;
    int e = errno ? errno : EIO;
    if (fd >= 0 && close(fd) < 0 && ok) {
        ok = false;
        e = errno;
    }
    if (ok && rename(tmp, path) < 0) {
        ok = false;
        e = errno;
    }
    if (!ok) {
        unlink(tmp);
        snprintf(err, errlen, "cannot write pidfile %s: %s", path, strerror(e));
        return -e;
    }
    return 0;
}

/* Serves the brick-op program on the socket that goes with the pidfile. 0 or
 * -errno with err set. */
static int start_brick_ops(gfsd_t *d, char *err, size_t errlen)
{
    char *path = gfsd_brick_ops_path(d->o.pidfile);
    if (!path) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    int ret = gfsd_brick_ops_start(path, d->bricks, &d->bops, err, errlen);
    gf_free(path);
    return ret;
}

/* gfsd_bricks_empty_t: the process has answered the DETACH of its last brick. */
static void on_empty(void *arg)
{
    gfsd_t *d = arg;
    pthread_mutex_lock(&d->lock);
    d->empty = true;
    pthread_cond_broadcast(&d->cond);
    pthread_mutex_unlock(&d->lock);
}

/* Every startup step, in order. 0 or -errno with err saying what failed. */
static int start(gfsd_t *d, char *err, size_t errlen)
{
    int ret = 0;
    gfsd_mgmt_t *mgmt = NULL;
    gf_volfile_t *vf = NULL;
    if (d->o.server)
        ret = gfsd_mgmt_new(d->o.server, d->o.server_port, &mgmt, err, errlen);
    pthread_mutex_lock(&d->lock);
    d->mgmt = mgmt;
    if (mgmt && d->stop_signo)
        gfsd_mgmt_cancel(mgmt);
    pthread_mutex_unlock(&d->lock);
    if (!ret)
        ret = start_server(d, &vf, err, errlen);
    if (!ret && d->o.pidfile)
        ret = start_brick_ops(d, err, errlen);
    if (!ret && d->o.pidfile) {
        ret = write_pidfile(d->o.pidfile, err, errlen);
        d->pidfile_written = ret == 0;
    }
    if (!ret)
        ret = attach_first(d, vf, err, errlen);
    if (!ret)
        gfsd_bricks_arm(d->bricks, on_empty, d);
    gf_volfile_free(vf);
    return ret;
}

/* Undoes whatever start did, in reverse order, signing the bricks out first. */
static void stop(gfsd_t *d)
{
    gfsd_brick_ops_stop(d->bops);
    d->bops = NULL;
    if (d->mgmt)
        gfsd_mgmt_signout_all(d->mgmt, SIGNOUT_TIMEOUT_MS);
    gfsd_bricks_destroy(d->bricks);
    d->bricks = NULL;
    pthread_mutex_lock(&d->lock);
    gfsd_mgmt_t *mgmt = d->mgmt;
    d->mgmt = NULL;
    pthread_mutex_unlock(&d->lock);
    gfsd_mgmt_destroy(mgmt);
    if (d->pidfile_written && unlink(d->o.pidfile) < 0)
        gf_log(GF_LOG_WARNING, "cannot remove pidfile %s: %s", d->o.pidfile, strerror(errno));
    d->pidfile_written = false;
}

/* Blocks until SIGTERM or SIGINT has been received (returns it) or the last
 * brick has been detached (returns 0). */
static int wait_for_stop(gfsd_t *d)
{
    pthread_mutex_lock(&d->lock);
    while (!d->stop_signo && !d->empty)
        pthread_cond_wait(&d->cond, &d->lock);
    int signo = d->stop_signo;
    pthread_mutex_unlock(&d->lock);
    return signo;
}

/* Creates the process context and the signal reader. 0 or -errno (logged). */
static int setup_process(gfsd_t *d)
{
    sigset_t set;
    handled_signals(&set);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* before any thread exists */
    /* An ignored signal would never reach the signalfd (a shell starts
     * background jobs with SIGINT ignored): restore the default action, which
     * cannot run while the signal is blocked. */
    for (int sig = 1; sig < NSIG; sig++)
        if (sigismember(&set, sig) == 1)
            signal(sig, SIG_DFL);
    signal(SIGPIPE, SIG_IGN);
    int ret = gf_ctx_init("glusterfsd", d->o.event_threads, MAX_WORKERS);
    if (ret) {
        gf_log(GF_LOG_CRITICAL, "cannot create the process context: %s", strerror(-ret));
        return ret;
    }
    if (d->o.xlator_dir)
        gf_ctx->xlator_dir = d->o.xlator_dir;
    ret = signals_start(d);
    if (ret)
        gf_log(GF_LOG_CRITICAL, "cannot watch for signals: %s", strerror(-ret));
    return ret;
}

/* Logs what this process is about to do. */
static void log_start(const gfsd_t *d)
{
    if (d->o.volfile)
        gf_log(GF_LOG_INFO, "glusterfsd %s (pid %d) starting: volfile %s, brick %s",
               PACKAGE_VERSION, (int)getpid(), d->o.volfile, d->o.brick ? d->o.brick : "(any)");
    else
        gf_log(GF_LOG_INFO,
               "glusterfsd %s (pid %d) starting: volfile '%s' from glusterd at "
               "%s:%d, brick %s",
               PACKAGE_VERSION, (int)getpid(), d->o.volfile_id, d->o.server, d->o.server_port,
               d->o.brick);
}

/* Starts, serves until a stop signal and stops. Returns the exit code. */
static int run(gfsd_t *d)
{
    char err[ERR_MAX] = "";
    log_start(d);
    int ret = start(d, err, sizeof(err));
    if (ret == -ECANCELED) {
        gf_log(GF_LOG_INFO, "received %s before serving: stopping", strsignal(wait_for_stop(d)));
        stop(d);
        return 0;
    }
    if (ret) {
        gf_log(GF_LOG_ERROR, "cannot start %s%s: %s", d->o.brick ? "brick " : "the brick process",
               d->o.brick ? d->o.brick : "", err[0] ? err : strerror(-ret));
        stop(d);
        return 1;
    }
    gf_log(GF_LOG_INFO, "serving on port %d (pid %d)", d->port, (int)getpid());
    int signo = wait_for_stop(d);
    if (signo)
        gf_log(GF_LOG_INFO, "received %s: stopping", strsignal(signo));
    else
        gf_log(GF_LOG_INFO, "its last brick was detached: stopping");
    stop(d);
    gf_log(GF_LOG_INFO, "stopped");
    return 0;
}

int main(int argc, char **argv)
{
    static gfsd_t d = {
        .sigfd = -1, .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
    if (argc > 1 && strcmp(argv[1], "--brick-op") == 0)
        return gfsd_brick_op_tool(argc - 2, argv + 2);
    int code = parse_args(argc, argv, &d.o);
    if (code >= 0)
        return code;
    if (setup_log(&d.o))
        return 1;
    code = setup_process(&d) ? 1 : run(&d);
    signals_stop(&d);
    gf_ctx_fini();
    gf_log_fini();
    return code;
}
