/*
 * gfcli: copies files to and from a volume and looks at it, without mounting
 * it, through the client library.
 *
 *   gfcli [-s HOST[:PORT] | -f VOLFILE] VOLUME put LOCAL REMOTE | get REMOTE LOCAL |
 *                                               ls PATH | stat PATH | mkdir PATH | rm PATH |
 *                                               rename OLD NEW | link OLD NEW
 *
 * Every failure prints one line "gfcli: COMMAND PATH: reason" on standard
 * error and exits 1. The client log goes to /dev/null unless -l names a file.
 *
 * glfs.h has no rename or link yet: those two commands run their fop through
 * the library's internal call interface (glfs-internal.h: path resolution and
 * glfs_sync_call), as the library's own functions do.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "glfs-internal.h"

#define COPY_BUF (128 * 1024)

/* Prints "gfcli: WHAT: strerror(err)" and returns 1 (the exit status). */
static int report(const char *what, int err)
{
    fprintf(stderr, "gfcli: %s: %s\n", what, strerror(err));
    return 1;
}

/* report() for "COMMAND PATH". */
static int report_path(const char *cmd, const char *path, int err)
{
    char what[4200];

    snprintf(what, sizeof(what), "%s %s", cmd, path);
    return report(what, err);
}

/* Writes all of buf to fd. 0 or an errno. */
static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* ---- put and get --------------------------------------------------------------------- */

/* Copies local descriptor in to the remote fd. 0, or the exit status after a report. */
static int copy_in(int in, const char *local, glfs_fd_t *fd, const char *remote)
{
    static char buf[COPY_BUF];

    for (;;) {
        ssize_t n = read(in, buf, sizeof(buf));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            fprintf(stderr, "gfcli: put: cannot read local file %s: %s\n", local, strerror(errno));
            return 1;
        }
        if (n == 0)
            return 0;
        errno = 0;
        if (glfs_write(fd, buf, (size_t)n) != n)
            return report_path("put", remote, errno ? errno : EIO);
    }
}

static int cmd_put(glfs_t *fs, char **args)
{
    const char *local = args[0], *remote = args[1];
    bool std_in = strcmp(local, "-") == 0;
    int in = std_in ? STDIN_FILENO : open(local, O_RDONLY | O_CLOEXEC);
    mode_t mode = 0644;
    struct stat st;
    glfs_fd_t *fd;
    int ret;

    if (in < 0) {
        fprintf(stderr, "gfcli: put: cannot open local file %s: %s\n", local, strerror(errno));
        return 1;
    }
    if (!std_in && fstat(in, &st) == 0 && S_ISREG(st.st_mode))
        mode = st.st_mode & 0777;
    fd = glfs_creat(fs, remote, O_WRONLY | O_TRUNC, mode);
    if (!fd)
        ret = report_path("put", remote, errno);
    else {
        ret = copy_in(in, local, fd, remote);
        if (glfs_close(fd) != 0 && !ret)
            ret = report_path("put", remote, errno);
    }
    if (!std_in)
        close(in);
    return ret;
}

/* Copies the remote fd to local descriptor out. 0, or the exit status after a report. */
static int copy_out(glfs_fd_t *fd, const char *remote, int out, const char *local)
{
    static char buf[COPY_BUF];
    int err;

    for (;;) {
        ssize_t n = glfs_read(fd, buf, sizeof(buf));

        if (n < 0)
            return report_path("get", remote, errno);
        if (n == 0)
            return 0;
        err = write_all(out, buf, (size_t)n);
        if (err) {
            fprintf(stderr, "gfcli: get: cannot write local file %s: %s\n", local, strerror(err));
            return 1;
        }
    }
}

static int cmd_get(glfs_t *fs, char **args)
{
    const char *remote = args[0], *local = args[1];
    bool std_out = strcmp(local, "-") == 0;
    struct stat st;
    glfs_fd_t *fd;
    int out, ret;

    if (glfs_stat(fs, remote, &st) != 0)
        return report_path("get", remote, errno);
    if (S_ISDIR(st.st_mode))
        return report_path("get", remote, EISDIR);
    fd = glfs_open(fs, remote, O_RDONLY);
    if (!fd)
        return report_path("get", remote, errno);
    out = std_out ? STDOUT_FILENO : open(local, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
        fprintf(stderr, "gfcli: get: cannot open local file %s: %s\n", local, strerror(errno));
        glfs_close(fd);
        return 1;
    }
    ret = copy_out(fd, remote, out, local);
    glfs_close(fd);
    if (!std_out && close(out) != 0 && !ret) {
        fprintf(stderr, "gfcli: get: cannot write local file %s: %s\n", local, strerror(errno));
        ret = 1;
    }
    return ret;
}

/* ---- looking at the volume ----------------------------------------------------------- */

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads every name of directory fd but "." and ".." into *names (sorted). The
 * count, or -1 with errno. */
static ssize_t read_names(glfs_fd_t *fd, char ***names)
{
    size_t n = 0, cap = 0;
    struct dirent *de;
    char **v = NULL;

    errno = 0;
    while ((de = glfs_readdir(fd)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (n == cap) {
            char **bigger = realloc(v, (cap = cap ? 2 * cap : 64) * sizeof(*v));

            if (!bigger)
                break;
            v = bigger;
        }
        if (!(v[n] = strdup(de->d_name)))
            break;
        n++;
        errno = 0;
    }
    if (errno) {
        int err = errno;

        while (n > 0)
            free(v[--n]);
        free(v);
        errno = err;
        return -1;
    }
    qsort(v, n, sizeof(*v), compare_names);
    *names = v;
    return (ssize_t)n;
}

static int cmd_ls(glfs_t *fs, char **args)
{
    const char *path = args[0];
    struct stat st;
    glfs_fd_t *fd;
    char **names = NULL;
    ssize_t n;

    if (glfs_stat(fs, path, &st) != 0)
        return report_path("ls", path, errno);
    if (!S_ISDIR(st.st_mode)) {
        printf("%s\n", path);
        return 0;
    }
    fd = glfs_opendir(fs, path);
    if (!fd)
        return report_path("ls", path, errno);
    n = read_names(fd, &names);
    if (n < 0) {
        int err = errno;

        glfs_closedir(fd);
        return report_path("ls", path, err);
    }
    glfs_closedir(fd);
    for (ssize_t i = 0; i < n; i++) {
        printf("%s\n", names[i]);
        free(names[i]);
    }
    free(names);
    return 0;
}

static const char *type_name(mode_t mode)
{
    if (S_ISREG(mode))
        return "regular file";
    if (S_ISDIR(mode))
        return "directory";
    if (S_ISLNK(mode))
        return "symbolic link";
    return "other";
}

/* Prints "NAME: YYYY-MM-DD HH:MM:SS.NNNNNNNNN UTC". */
static void print_time(const char *name, const struct timespec *ts)
{
    char buf[64];
    struct tm tm;

    gmtime_r(&ts->tv_sec, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
    printf("%s: %s.%09ld UTC\n", name, buf, ts->tv_nsec);
}

static int cmd_stat(glfs_t *fs, char **args)
{
    const char *path = args[0];
    unsigned char g[16];
    struct stat st;

    if (glfs_stat_gfid(fs, path, &st, g) != 0)
        return report_path("stat", path, errno);
    printf("path: %s\n", path);
    printf("size: %lld\n", (long long)st.st_size);
    printf("type: %s\n", type_name(st.st_mode));
    printf("mode: %04o\n", (unsigned)(st.st_mode & 07777));
    printf("links: %lu\n", (unsigned long)st.st_nlink);
    printf("uid: %u\n", (unsigned)st.st_uid);
    printf("gid: %u\n", (unsigned)st.st_gid);
    printf("blocks: %lld\n", (long long)st.st_blocks);
    printf("inode: %llu\n", (unsigned long long)st.st_ino);
    printf("gfid: %02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x\n", g[0],
           g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], g[12], g[13], g[14],
           g[15]);
    print_time("atime", &st.st_atim);
    print_time("mtime", &st.st_mtim);
    print_time("ctime", &st.st_ctim);
    return 0;
}

static int cmd_mkdir(glfs_t *fs, char **args)
{
    if (glfs_mkdir(fs, args[0], 0755) != 0)
        return report_path("mkdir", args[0], errno);
    return 0;
}

static int cmd_rm(glfs_t *fs, char **args)
{
    const char *path = args[0];
    struct stat st;
    int ret;

    if (glfs_stat(fs, path, &st) != 0)
        return report_path("rm", path, errno);
    ret = S_ISDIR(st.st_mode) ? glfs_rmdir(fs, path) : glfs_unlink(fs, path);
    return ret ? report_path("rm", path, errno) : 0;
}

/* ---- rename and link ----------------------------------------------------------------- */

/* Resolves from (which must exist) and to (which may not), then runs op
 * (RENAME or LINK) from one to the other. 0 or -errno. The inode table still
 * knows the old names afterwards: gfcli runs one command and exits. */
static int two_names(glfs_t *fs, gf_fop_t op, const char *from, const char *to)
{
    glfs_loc_t a, b;
    gf_args_t args = {0};
    int ret = glfs_resolve(fs, from, 0, &a);

    if (ret)
        return ret;
    ret = glfs_resolve(fs, to, GLFS_RESOLVE_ABSENT_OK, &b);
    if (ret) {
        glfs_loc_release(&a);
        return ret;
    }
    if (!a.parent || !b.parent)
        ret = -EBUSY; /* the root */
    else if (op == GF_FOP_LINK && b.inode)
        ret = -EEXIST;
    if (!ret) {
        glfs_loc_fill(&a, &args.loc);
        glfs_loc_fill(&b, &args.loc2);
        ret = glfs_sync_call(fs, op, &args, NULL, NULL);
    }
    glfs_loc_release(&b);
    glfs_loc_release(&a);
    return ret < 0 ? ret : 0;
}

/* report() for "COMMAND FROM TO". */
static int report_two(const char *cmd, char **args, int err)
{
    char what[8400];

    snprintf(what, sizeof(what), "%s %s %s", cmd, args[0], args[1]);
    return report(what, err);
}

static int cmd_rename(glfs_t *fs, char **args)
{
    int ret = two_names(fs, GF_FOP_RENAME, args[0], args[1]);

    return ret ? report_two("rename", args, -ret) : 0;
}

static int cmd_link(glfs_t *fs, char **args)
{
    int ret = two_names(fs, GF_FOP_LINK, args[0], args[1]);

    return ret ? report_two("link", args, -ret) : 0;
}

/* ---- command line -------------------------------------------------------------------- */

typedef struct {
    const char *name;
    int nargs;
    int (*run)(glfs_t *fs, char **args);
} command_t;

static const command_t commands[] = {
    {"put", 2, cmd_put},     {"get", 2, cmd_get}, {"ls", 1, cmd_ls},         {"stat", 1, cmd_stat},
    {"mkdir", 1, cmd_mkdir}, {"rm", 1, cmd_rm},   {"rename", 2, cmd_rename}, {"link", 2, cmd_link},
};

static void usage(FILE *out)
{
    fputs("Usage: gfcli [OPTIONS] VOLUME COMMAND ARGS\n"
          "Copies files to and from a volume and looks at it, without mounting it.\n"
          "\n"
          "Commands:\n"
          "  put LOCAL REMOTE   copy local file LOCAL (- = standard input) to REMOTE,\n"
          "                     creating or replacing it\n"
          "  get REMOTE LOCAL   copy REMOTE to local file LOCAL (- = standard output)\n"
          "  ls PATH            list directory PATH, one name per line, sorted (a file:\n"
          "                     its path)\n"
          "  stat PATH          show size, type, mode, owner, inode, gfid and times\n"
          "  mkdir PATH         make directory PATH (mode 0755; its parent must exist)\n"
          "  rm PATH            remove file PATH; a directory only when it is empty\n"
          "  rename OLD NEW     rename file or directory OLD to NEW, as rename(2) does\n"
          "                     (replacing a file NEW, or an empty directory NEW)\n"
          "  link OLD NEW       make NEW another name (a hard link) of file OLD\n"
          "\n"
          "Options:\n"
          "  -s, --server HOST[:PORT]  glusterd to fetch the volume from\n"
          "                            (default 127.0.0.1:24007)\n"
          "  -f, --volfile FILE        use the client volfile FILE instead of fetching\n"
          "                            one (VOLUME then only names it in messages)\n"
          "  -l, --log-file FILE       client log (default /dev/null; - = standard error)\n"
          "      --log-level LEVEL     none, critical, error, warning, info (default),\n"
          "                            debug or trace\n"
          "  -h, --help                show this help and exit\n"
          "  -V, --version             show the version and exit\n"
          "\n"
          "Paths on the volume are absolute (/dir/file). Exit status: 0 on success, 1 on\n"
          "any error (with one line on standard error saying what failed).\n",
          out);
}

/* Usage error: one line and a pointer to --help; returns the exit status. */
static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "gfcli: %s%s%s\nTry 'gfcli --help' for more information.\n", msg,
            arg ? ": " : "", arg ? arg : "");
    return 1;
}

static int parse_level(const char *name)
{
    static const char *const levels[] = {"none", "critical", "error", "warning",
                                         "info", "debug",    "trace"};

    for (int i = 0; i < (int)(sizeof(levels) / sizeof(levels[0])); i++)
        if (strcasecmp(name, levels[i]) == 0)
            return GLFS_LOG_NONE + i;
    return -1;
}

/* Splits "HOST", "HOST:PORT", "[V6]" or "[V6]:PORT" into host (in buf) and
 * *port (0 when absent). 0, or -1 when malformed. */
static int parse_server(const char *arg, char *buf, size_t len, int *port)
{
    const char *colon, *end = arg + strlen(arg);
    char *stop;
    long p;

    *port = 0;
    if (arg[0] == '[') {
        const char *close_ = strchr(arg, ']');

        if (!close_ || (close_[1] && close_[1] != ':'))
            return -1;
        colon = close_[1] ? close_ + 1 : NULL;
        snprintf(buf, len, "%.*s", (int)(close_ - arg - 1), arg + 1);
    } else {
        colon = strchr(arg, ':');
        if (colon && strchr(colon + 1, ':'))
            colon = NULL; /* a bare IPv6 address */
        snprintf(buf, len, "%.*s", (int)((colon ? colon : end) - arg), arg);
    }
    if (!buf[0])
        return -1;
    if (!colon)
        return 0;
    p = strtol(colon + 1, &stop, 10);
    if (stop == colon + 1 || *stop || p < 1 || p > 65535)
        return -1;
    *port = (int)p;
    return 0;
}

/* What the command line asked for. */
typedef struct {
    const char *server, *volfile, *log_file, *volume;
    int level;
    const command_t *cmd;
    char **args;
} options_t;

/* Parses argv into o. -1 to go on, else the exit status (help, version, error). */
static int parse_args(int argc, char **argv, options_t *o)
{
    static const struct option longs[] = {
        {"server", required_argument, NULL, 's'},    {"volfile", required_argument, NULL, 'f'},
        {"log-file", required_argument, NULL, 'l'},
        {"log-level", required_argument, NULL, 'L'}, {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},         {NULL, 0, NULL, 0},
    };
    int c;

    *o = (options_t){.server = "127.0.0.1", .log_file = "/dev/null", .level = GLFS_LOG_INFO};
    while ((c = getopt_long(argc, argv, "+s:f:l:hV", longs, NULL)) != -1) {
        switch (c) {
        case 's':
            o->server = optarg;
            break;
        case 'f':
            o->volfile = optarg;
            break;
        case 'l':
            o->log_file = optarg;
            break;
        case 'L':
            if ((o->level = parse_level(optarg)) < 0)
                return usage_error("unknown log level", optarg);
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("gfcli (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
            return 0;
        default:
            return usage_error("bad option", NULL);
        }
    }
    if (argc - optind < 2)
        return usage_error("missing VOLUME or COMMAND", NULL);
    o->volume = argv[optind];
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[optind + 1], commands[i].name) == 0)
            o->cmd = &commands[i];
    if (!o->cmd)
        return usage_error("unknown command", argv[optind + 1]);
    if (argc - optind - 2 != o->cmd->nargs) {
        fprintf(stderr,
                "gfcli: %s takes %d argument%s\nTry 'gfcli --help' for more "
                "information.\n",
                o->cmd->name, o->cmd->nargs, o->cmd->nargs > 1 ? "s" : "");
        return 1;
    }
    o->args = argv + optind + 2;
    return -1;
}

/* Connects to the volume. The handle, or NULL after a report. */
static glfs_t *connect_volume(const options_t *o)
{
    char host[1024];
    glfs_t *fs;
    int port;

    if (parse_server(o->server, host, sizeof(host), &port) != 0) {
        usage_error("bad server (expected HOST or HOST:PORT)", o->server);
        return NULL;
    }
    fs = glfs_new(o->volume);
    if (!fs) {
        report(o->volume, errno);
        return NULL;
    }
    if (o->volfile ? glfs_set_volfile(fs, o->volfile) != 0
                   : glfs_set_volfile_server(fs, "tcp", host, port) != 0) {
        usage_error(o->volfile ? "bad volfile" : "bad server", o->volfile ? o->volfile : o->server);
        glfs_fini(fs);
        return NULL;
    }
    if (glfs_set_logging(fs, o->log_file, o->level) != 0) {
        fprintf(stderr, "gfcli: cannot open log file %s: %s\n", o->log_file, strerror(errno));
        glfs_fini(fs);
        return NULL;
    }
    if (glfs_init(fs) != 0) {
        fprintf(stderr, "gfcli: %s\n", glfs_error(fs));
        glfs_fini(fs);
        return NULL;
    }
    return fs;
}

int main(int argc, char **argv)
{
    options_t o;
    glfs_t *fs;
    int ret = parse_args(argc, argv, &o);

    if (ret >= 0)
        return ret;
    fs = connect_volume(&o);
    if (!fs)
        return 1;
    ret = o.cmd->run(fs, o.args);
    glfs_fini(fs);
    if (fflush(stdout) != 0)
        ret = report("standard output", errno);
    return ret;
}
