/*
 * glusterd's entry point: command line, daemonizing (the parent exits 0 only once
 * the daemon listens, else non-zero with the error), working folders, the
 * workdir lock, glusterd's UUID, the pidfile, then the event loop with the RPC
 * listeners; signals are taken by the main thread with sigwait (TERM and INT stop,
 * HUP reopens the log).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "config.h"
#include "glusterfs/ctx.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "addr.h"
#include "brick-proc.h"
#include "coord.h"
#include "glusterd.h"
#include "members.h"
#include "reconcile.h"
#include "store-etcd.h"
#include "programs.h"
#include "rpcsvc.h"
#include "vol-ops.h"

#if !defined(GF_SBINDIR) || !defined(GF_XLATOR_DIR) || !defined(GF_SYSCONFDIR)
#error "GF_SBINDIR, GF_XLATOR_DIR and GF_SYSCONFDIR must be defined by the build (common.am)"
#endif

#define GD_DEFAULT_CONFIG GF_SYSCONFDIR "/gfs/glusterd.conf"

#define GD_MAX_WORKERS 4

gd_t gd;

static int ready_fd = -1; /* the daemon's pipe to its waiting parent */
static char *log_file;
static char socket_path[PATH_MAX];
static int pidfile_written;

const char *
gd_self_addr(void)
{
    return gd_addr_is_any(gd.conf.bind) ? "127.0.0.1" : gd.conf.bind;
}

static void
usage(FILE *f)
{
    fprintf(f,
            "Usage: glusterd [OPTION]...\n"
            "The management daemon: keeps the volume configuration, launches and watches\n"
            "brick processes, and serves the gluster command, volfiles and the portmap.\n"
            "\n"
            "  --workdir DIR       configuration and store (default " GD_DEFAULT_WORKDIR ")\n"
            "  --rundir DIR        socket, pidfiles (default " GD_DEFAULT_RUNDIR ")\n"
            "  --logdir DIR        logs of glusterd and bricks (default " GD_DEFAULT_LOGDIR ")\n"
            "  --log-file FILE     glusterd's log (default LOGDIR/glusterd.log; - = stderr)\n"
            "  --log-level LEVEL   CRITICAL, ERROR, WARNING, INFO (default), DEBUG, TRACE\n"
            "  --bind ADDR         address to listen on (default: all addresses); a brick\n"
            "                      HOST is this server when it is this address (or, with\n"
            "                      all addresses, a loopback or interface address)\n"
            "  --port N            TCP port of glusterd (default %d)\n"
            "  --base-port N       first TCP port given to bricks (default %d)\n"
            "  --glusterfsd PATH   brick program (default $GF_GLUSTERFSD, else "
            GF_SBINDIR "/glusterfsd)\n"
            "  --xlator-dir DIR    translator folder, passed on to brick processes and read\n"
            "                      for option tables (default " GF_XLATOR_DIR ")\n"
            "  --pid-file FILE     pidfile (default RUNDIR/glusterd.pid)\n"
            "  --monitor URL[,URL...]\n"
            "                      keep the configuration in the monitor cluster (etcd) at\n"
            "                      these client URLs, e.g. http://10.0.0.1:2379, and form a\n"
            "                      pool with the other servers there (default: a local store\n"
            "                      in WORKDIR, this server alone)\n"
            "  --lease-ttl SECONDS this server's lease in the monitor cluster: it shows as\n"
            "                      Disconnected this long after it dies (default %d, 2-300)\n"
            "  --config FILE       read options from FILE first, one per line: a long option\n"
            "                      without its dashes and its value (\"monitor http://...\");\n"
            "                      '#' starts a comment; the command line wins (default\n"
            "                      " GD_DEFAULT_CONFIG ", when it exists)\n"
            "  -N, --foreground    do not daemonize\n"
            "  -h, --help          print this help and exit\n"
            "  -V, --version       print the version and exit\n"
            "\n"
            "The gluster command reaches glusterd on RUNDIR/" GD_SOCKET_NAME
            " or on ADDR:PORT.\n",
            GD_DEFAULT_PORT, GD_DEFAULT_BASE_PORT, GD_DEFAULT_LEASE_TTL);
}

/* Reports a startup failure (to the waiting parent, or stderr) and exits 1. */
static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    gf_log(GF_LOG_CRITICAL, "%s", msg);
    if (ready_fd >= 0) {
        if (write(ready_fd, msg, strlen(msg)) < 0)
            fprintf(stderr, "glusterd: %s\n", msg);
    } else {
        fprintf(stderr, "glusterd: %s\n", msg);
    }
    exit(1);
}

/* A port number from text, or exit with a message naming the option. */
static int
parse_port(const char *opt, const char *text)
{
    char *end;
    long v = strtol(text, &end, 10);
    if (*end || end == text || v < 1 || v > 65535)
        die("%s: \"%s\" is not a port number (1-65535)", opt, text);
    return (int)v;
}

enum {
    OPT_WORKDIR = 256, OPT_RUNDIR, OPT_LOGDIR, OPT_LOGFILE, OPT_LOGLEVEL, OPT_BIND,
    OPT_PORT, OPT_BASEPORT, OPT_GLUSTERFSD, OPT_XLATORDIR, OPT_PIDFILE, OPT_MONITOR,
    OPT_LEASE_TTL, OPT_CONFIG,
};

static const struct option long_opts[] = {
    {"workdir", required_argument, NULL, OPT_WORKDIR},
    {"rundir", required_argument, NULL, OPT_RUNDIR},
    {"logdir", required_argument, NULL, OPT_LOGDIR},
    {"log-file", required_argument, NULL, OPT_LOGFILE},
    {"log-level", required_argument, NULL, OPT_LOGLEVEL},
    {"bind", required_argument, NULL, OPT_BIND},
    {"port", required_argument, NULL, OPT_PORT},
    {"base-port", required_argument, NULL, OPT_BASEPORT},
    {"glusterfsd", required_argument, NULL, OPT_GLUSTERFSD},
    {"xlator-dir", required_argument, NULL, OPT_XLATORDIR},
    {"pid-file", required_argument, NULL, OPT_PIDFILE},
    {"monitor", required_argument, NULL, OPT_MONITOR},
    {"lease-ttl", required_argument, NULL, OPT_LEASE_TTL},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"foreground", no_argument, NULL, 'N'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* Applies one option to gd.conf. */
static void
set_option(int c, const char *arg)
{
    gd_conf_t *conf = &gd.conf;
    switch (c) {
    case OPT_WORKDIR:
        conf->workdir = arg;
        break;
    case OPT_RUNDIR:
        conf->rundir = arg;
        break;
    case OPT_LOGDIR:
        conf->logdir = arg;
        break;
    case OPT_LOGFILE:
        log_file = (char *)arg;
        break;
    case OPT_LOGLEVEL:
        if (gf_log_level_parse(arg) < 0)
            die("--log-level: unknown level \"%s\" (use ERROR, WARNING, INFO, DEBUG...)", arg);
        conf->log_level = arg;
        break;
    case OPT_BIND:
        conf->bind = arg;
        break;
    case OPT_PORT:
        conf->port = parse_port("--port", arg);
        break;
    case OPT_BASEPORT:
        conf->base_port = parse_port("--base-port", arg);
        break;
    case OPT_GLUSTERFSD:
        conf->glusterfsd = arg;
        break;
    case OPT_XLATORDIR:
        conf->xlator_dir = arg;
        break;
    case OPT_PIDFILE:
        conf->pidfile = arg;
        break;
    case OPT_MONITOR:
        if (!*arg)
            die("--monitor: give the client URLs of the monitor cluster (http://HOST:PORT,...)");
        conf->monitor = arg;
        break;
    case OPT_LEASE_TTL: {
        char *end;
        long v = strtol(arg, &end, 10);
        if (*end || end == arg || v < 2 || v > 300)
            die("--lease-ttl: \"%s\" is not a number of seconds from 2 to 300", arg);
        conf->lease_ttl = (int)v;
        break;
    }
    case OPT_CONFIG:
        break; /* read before the other options */
    case 'N':
        conf->foreground = 1;
        break;
    case 'h':
        usage(stdout);
        exit(0);
    case 'V':
        printf("glusterd (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
        exit(0);
    default:
        usage(stderr);
        exit(2);
    }
}

/* Applies line lineno of config file path ("OPTION VALUE", or "OPTION" for a flag);
 * exits naming the line when the option is unknown or its value wrong. */
static void
config_line(const char *path, int lineno, char *line)
{
    char *name = strtok(line, " \t\r\n"), *value = strtok(NULL, "\r\n");
    const struct option *o;

    if (!name || name[0] == '#')
        return;
    while (value && (*value == ' ' || *value == '\t' || *value == '='))
        value++;
    for (o = long_opts; o->name && strcmp(o->name, name); o++)
        ;
    if (!o->name || o->val == OPT_CONFIG || o->val == 'h' || o->val == 'V')
        die("%s line %d: unknown option \"%s\" (see glusterd --help)", path, lineno, name);
    if ((o->has_arg == required_argument) != (value && *value))
        die("%s line %d: option %s %s", path, lineno, name,
            o->has_arg == required_argument ? "needs a value" : "takes no value");
    set_option(o->val, value ? strdup(value) : NULL);
}

/* Reads the configuration file given with --config, else the default one when it
 * exists. */
static void
read_config(int argc, char **argv)
{
    const char *path = NULL;
    char line[4096];
    int lineno = 0;
    FILE *f;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--config") && i + 1 < argc)
            path = argv[i + 1];
        else if (!strncmp(argv[i], "--config=", 9))
            path = argv[i] + 9;
    }
    if (!(f = fopen(path ? path : GD_DEFAULT_CONFIG, "r"))) {
        if (path)
            die("--config: cannot read %s: %s", path, strerror(errno));
        return;
    }
    path = path ? path : GD_DEFAULT_CONFIG;
    while (fgets(line, sizeof(line), f))
        config_line(path, ++lineno, line);
    fclose(f);
}

static void
parse_args(int argc, char **argv)
{
    const char *env = getenv("GF_GLUSTERFSD");
    int c;

    gd.conf = (gd_conf_t){
        .workdir = GD_DEFAULT_WORKDIR, .rundir = GD_DEFAULT_RUNDIR,
        .logdir = GD_DEFAULT_LOGDIR, .bind = "0.0.0.0", .port = GD_DEFAULT_PORT,
        .base_port = GD_DEFAULT_BASE_PORT, .log_level = "INFO",
        .lease_ttl = GD_DEFAULT_LEASE_TTL,
        .glusterfsd = env && *env ? env : GF_SBINDIR "/glusterfsd",
    };
    read_config(argc, argv);
    while ((c = getopt_long(argc, argv, "NhV", long_opts, NULL)) != -1)
        set_option(c, optarg);
    if (optind < argc) {
        fprintf(stderr, "glusterd: unexpected argument \"%s\"\n", argv[optind]);
        usage(stderr);
        exit(2);
    }
}

/* Forks; the parent waits for the daemon's word on a pipe and exits with it. */
static void
daemonize(void)
{
    int p[2];
    pid_t pid;
    char msg[1024];
    ssize_t n, got = 0;

    if (pipe2(p, O_CLOEXEC) < 0 || (pid = fork()) < 0)
        die("cannot daemonize: %s", strerror(errno));
    if (pid == 0) {
        close(p[0]);
        ready_fd = p[1];
        setsid();
        return;
    }
    close(p[1]);
    while ((n = read(p[0], msg + got, sizeof(msg) - 1 - (size_t)got)) > 0)
        got += n;
    msg[got] = '\0';
    if (strcmp(msg, "OK") == 0)
        exit(0);
    if (got == 0)
        fprintf(stderr, "glusterd: the daemon exited during startup; see its log\n");
    else
        fprintf(stderr, "glusterd: %s\n", msg);
    exit(1);
}

/* Tells the waiting parent that startup succeeded and detaches from the terminal. */
static void
report_ready(void)
{
    int nul;
    if (ready_fd < 0)
        return;
    if (write(ready_fd, "OK", 2) < 0)
        gf_log(GF_LOG_WARNING, "cannot tell the parent process that glusterd is up");
    close(ready_fd);
    ready_fd = -1;
    if ((nul = open("/dev/null", O_RDWR)) >= 0) {
        dup2(nul, 0);
        dup2(nul, 1);
        dup2(nul, 2);
        if (nul > 2)
            close(nul);
    }
}

/* mkdir -p; exits on failure. */
static void
make_dir(const char *path)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p)
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(buf, 0755) < 0 && errno != EEXIST)
            die("cannot create folder %s: %s", buf, strerror(errno));
        if (!(*p = c))
            break;
    }
}

static void
make_dirs(void)
{
    char path[PATH_MAX];
    make_dir(gd.conf.workdir);
    snprintf(path, sizeof(path), "%s/bricks", gd.conf.rundir);
    make_dir(path);
    snprintf(path, sizeof(path), "%s/bricks", gd.conf.logdir);
    make_dir(path);
}

/* Takes WORKDIR/glusterd.lock for the daemon's life (never closed). */
static void
lock_workdir(void)
{
    char path[PATH_MAX];
    int fd;

    snprintf(path, sizeof(path), "%s/glusterd.lock", gd.conf.workdir);
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        die("cannot open %s: %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) < 0)
        die("another glusterd uses the working folder %s (lock %s is held); stop it, or "
            "give this one its own --workdir",
            gd.conf.workdir, path);
}

/* Reads glusterd's UUID from WORKDIR/glusterd.info, creating it at first start. */
static void
load_uuid(void)
{
    char path[PATH_MAX], tmp[PATH_MAX + 8], line[128];
    uuid_t u;
    FILE *f;

    snprintf(path, sizeof(path), "%s/glusterd.info", gd.conf.workdir);
    if ((f = fopen(path, "r"))) {
        while (fgets(line, sizeof(line), f))
            if (strncmp(line, "UUID=", 5) == 0 && uuid_parse(strtok(line + 5, "\n"), u) == 0)
                uuid_unparse_lower(u, gd.conf.uuid);
        fclose(f);
        if (gd.conf.uuid[0])
            return;
        die("%s holds no valid UUID= line; fix or remove it", path);
    }
    uuid_generate_random(u);
    uuid_unparse_lower(u, gd.conf.uuid);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    if (!(f = fopen(tmp, "w")) || fprintf(f, "UUID=%s\n", gd.conf.uuid) < 0 ||
        fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0 || rename(tmp, path) != 0)
        die("cannot write %s: %s", path, strerror(errno));
}

static void
write_pidfile(void)
{
    FILE *f = fopen(gd.conf.pidfile, "w");
    if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) != 0)
        die("cannot write the pid file %s: %s", gd.conf.pidfile, strerror(errno));
    pidfile_written = 1;
}

/* Creates the RPC server with its programs and listeners. */
static void
start_rpc(void)
{
    char spec[PATH_MAX + 16];
    int err;

    gd.svc = rpc_svc_new(gf_ctx->events, NULL, NULL);
    if (!gd.svc)
        die("cannot create the RPC server: out of memory");
    if ((err = gd_cli_program_register(gd.svc)) || (err = gd_handshake_program_register(gd.svc)) ||
        (err = gd_pmap_program_register(gd.svc, gd.pmap)))
        die("cannot register the RPC programs: %s", strerror(-err));
    snprintf(socket_path, sizeof(socket_path), "%s/" GD_SOCKET_NAME, gd.conf.rundir);
    snprintf(spec, sizeof(spec), "unix:%s", socket_path);
    if ((err = rpc_svc_listen(gd.svc, spec)) != 0) {
        socket_path[0] = '\0';
        die("cannot listen on %s: %s (is another glusterd running with --rundir %s?)",
            spec + 5, strerror(-err), gd.conf.rundir);
    }
    snprintf(spec, sizeof(spec), "tcp:%s:%d", gd.conf.bind, gd.conf.port);
    if ((err = rpc_svc_listen(gd.svc, spec)) != 0)
        die("cannot listen on %s port %d: %s (is another glusterd running there?)",
            gd.conf.bind, gd.conf.port, strerror(-err));
}

/* Opens the store and the portmap. */
static void
open_state(void)
{
    char path[PATH_MAX];
    int err;

    if (gd.conf.monitor) {
        gd_etcd_opts_t opts = {.deadline_ms = GD_MONITOR_DEADLINE_MS};
        for (const char *p = gd.conf.uuid; *p; p++) /* servers start at different members */
            opts.first_member = (opts.first_member ^ (unsigned char)*p) * 16777619u;
        if ((err = gd_store_etcd_open(gd.conf.monitor, GD_ETCD_PREFIX, gf_ctx->events,
                                      gf_ctx->timers, &opts, &gd.store)) != 0)
            die("--monitor %s: %s", gd.conf.monitor,
                err == -EINVAL ? "not a list of URLs (http://HOST:PORT,...)" : strerror(-err));
    } else {
        snprintf(path, sizeof(path), "%s/store", gd.conf.workdir);
        if ((err = gd_store_local_open(path, gf_ctx->events, &gd.store)) != 0)
            die("cannot open the store %s: %s", path, strerror(-err));
    }
    if ((err = gd_members_init()) != 0)
        die("cannot list this server's addresses: %s", strerror(-err));
    gd.pmap = gd_pmap_new(gd.conf.base_port, gd_brick_pmap_hook, NULL);
    gd.xlmeta = gd_xlmeta_new(gd.conf.xlator_dir ? gd.conf.xlator_dir : GF_XLATOR_DIR);
    if (!gd.pmap || !gd.xlmeta || gd_brick_init() != 0)
        die("out of memory");
    gd_mux_defaults(&gd.mux);
}

/* This server is registered: adopt running bricks, reconcile, campaign. */
static void
members_ready(int err)
{
    if (err) {
        gf_log(GF_LOG_CRITICAL, "cannot open a session with the %s store: %s; this glusterd "
                                "manages no brick",
               gd.store->ops->name, strerror(-err));
        return;
    }
    gd_vol_restore();
    gd_coord_start();
}

static void
members_session(int up)
{
    if (up) {
        gd_reconcile_session_up();
        gd_coord_session_up();
    }
}

static void
start_task(void *data)
{
    gd_members_start(gd.conf.lease_ttl, members_ready, members_session);
}

/* On the event thread at shutdown: drops the records, then wakes main. */
static void
fini_task(void *data)
{
    gd_coord_fini();
    gd_reconcile_fini();
    gd_brick_fini();
    sem_post(data);
}

static void
shutdown_daemon(void)
{
    sem_t done;

    gf_log(GF_LOG_INFO, "stopping (bricks keep running)");
    rpc_svc_destroy(gd.svc);
    sem_init(&done, 0, 0);
    if (gf_event_post(gf_ctx->events, fini_task, &done) == 0)
        sem_wait(&done);
    gd_store_destroy(gd.store); /* its client needs the event loop and timers */
    gf_ctx_fini();
    gd_pmap_free(gd.pmap);
    gd_xlmeta_free(gd.xlmeta);
    if (socket_path[0])
        unlink(socket_path);
    if (pidfile_written)
        unlink(gd.conf.pidfile);
}

/* The main thread's life once started: waits for signals. */
static void
wait_signals(const sigset_t *set)
{
    int sig;
    for (;;) {
        if (sigwait(set, &sig) != 0)
            continue;
        if (sig == SIGHUP) {
            gf_log_init(log_file, "glusterd");
            gf_log(GF_LOG_INFO, "log reopened (SIGHUP)");
            continue;
        }
        gf_log(GF_LOG_INFO, "received signal %d", sig);
        return;
    }
}

static void
init_logging(void)
{
    char *path = NULL;
    if (!log_file) {
        if (gf_asprintf(&path, "%s/glusterd.log", gd.conf.logdir) < 0)
            die("out of memory");
        log_file = path;
    }
    int err = gf_log_init(log_file, "glusterd");
    if (err)
        die("cannot open the log %s: %s", log_file, strerror(-err));
    gf_log_set_level((gf_loglevel_t)gf_log_level_parse(gd.conf.log_level));
}

int
main(int argc, char **argv)
{
    char pidfile[PATH_MAX];
    sigset_t set;
    int err;

    parse_args(argc, argv);
    if (!gd.conf.pidfile) {
        snprintf(pidfile, sizeof(pidfile), "%s/glusterd.pid", gd.conf.rundir);
        gd.conf.pidfile = pidfile;
    }
    if (!gd.conf.foreground)
        daemonize();
    make_dirs();
    init_logging();
    lock_workdir();
    load_uuid();
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    if ((err = gf_ctx_init("glusterd", 1, GD_MAX_WORKERS)) != 0)
        die("cannot start the event loop: %s", strerror(-err));
    open_state();
    start_rpc();
    write_pidfile();
    gf_log(GF_LOG_INFO, "glusterd %s (uuid %s) listening on %s and %s:%d, workdir %s, store %s%s",
           PACKAGE_VERSION, gd.conf.uuid, socket_path, gd.conf.bind, gd.conf.port,
           gd.conf.workdir, gd.conf.monitor ? "etcd at " : "local",
           gd.conf.monitor ? gd.conf.monitor : "");
    gf_event_post(gf_ctx->events, start_task, NULL);
    report_ready();
    wait_signals(&set);
    shutdown_daemon();
    return 0;
}
