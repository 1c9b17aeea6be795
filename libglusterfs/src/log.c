/*
 * The process log. Each line is formatted in a stack buffer and written with a
 * single write(2) on a descriptor opened with O_APPEND, so lines from different
 * threads (and processes sharing the file) never interleave. Times are UTC.
 *
 * The descriptor number stays the same across gf_log_init calls: reopening
 * (after log rotation) dup2()s the new file onto it, so a thread writing at that
 * moment writes either to the old file or to the new one, never to a closed or
 * reused descriptor.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "glusterfs/log.h"
#include "glusterfs/xlator.h"

#define LOG_LINE_MAX 4096

static int log_fd = -1;             /* -1: stderr */
static int log_level = GF_LOG_INFO; /* gf_loglevel_t, accessed atomically */
static char log_ident[64];          /* empty: the program name */

static const char *const level_names[] = {
    [GF_LOG_NONE] = "NONE",       [GF_LOG_CRITICAL] = "CRITICAL", [GF_LOG_ERROR] = "ERROR",
    [GF_LOG_WARNING] = "WARNING", [GF_LOG_INFO] = "INFO",         [GF_LOG_DEBUG] = "DEBUG",
    [GF_LOG_TRACE] = "TRACE",
};
static const char level_letters[] = " CEWIDT";

/* Opens path for appending, or duplicates stderr when path is NULL or "-".
 * Returns the new descriptor or -errno. */
static int open_target(const char *path)
{
    int fd;
    if (!path || strcmp(path, "-") == 0)
        fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0);
    else
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    return fd < 0 ? -errno : fd;
}

/* Points the log at path (NULL or "-": stderr) and names the process ident
 * (printed when no translator is current; NULL keeps the previous one). The
 * ident should be set before other threads log. Returns 0 or -errno; on error
 * the previous target stays in use. */
int gf_log_init(const char *path, const char *ident)
{
    int fd = open_target(path);
    if (fd < 0)
        return fd;
    if (ident)
        snprintf(log_ident, sizeof(log_ident), "%s", ident);
    int cur = __atomic_load_n(&log_fd, __ATOMIC_ACQUIRE);
    if (cur < 0) {
        __atomic_store_n(&log_fd, fd, __ATOMIC_RELEASE);
        return 0;
    }
    int err = dup3(fd, cur, O_CLOEXEC) < 0 ? -errno : 0;
    close(fd);
    return err;
}

/* Closes the log file; later lines go to stderr. Call when no other thread logs. */
void gf_log_fini(void)
{
    int cur = __atomic_exchange_n(&log_fd, -1, __ATOMIC_ACQ_REL);
    if (cur >= 0)
        close(cur);
}

void gf_log_set_level(gf_loglevel_t level)
{
    __atomic_store_n(&log_level, (int)level, __ATOMIC_RELAXED);
}

gf_loglevel_t gf_log_get_level(void)
{
    return (gf_loglevel_t)__atomic_load_n(&log_level, __ATOMIC_RELAXED);
}

int gf_log_level_parse(const char *name)
{
    for (int i = GF_LOG_NONE; i <= GF_LOG_TRACE; i++)
        if (name && strcasecmp(name, level_names[i]) == 0)
            return i;
    return -1;
}

/* Appends "[YYYY-MM-DD HH:MM:SS.uuuuuu] " to buf; returns the length written. */
static size_t format_time(char *buf, size_t size)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, size, "[%Y-%m-%d %H:%M:%S", &tm);
    int m = snprintf(buf + n, size - n, ".%06ld] ", ts.tv_nsec / 1000);
    return n + (size_t)m;
}

/* Appends "XLNAME@BRICK", "XLNAME" or the process ident for xl (or gf_this). */
static int format_who(char *buf, size_t size, const gf_xlator_t *xl)
{
    if (!xl)
        xl = gf_this;
    if (!xl)
        return snprintf(buf, size, "%s", log_ident[0] ? log_ident : program_invocation_short_name);
    if (xl->brick)
        return snprintf(buf, size, "%s@%s", xl->name, xl->brick);
    return snprintf(buf, size, "%s", xl->name);
}

/* Clamps an snprintf result so that len never passes the buffer's last byte. */
static size_t advance(size_t len, int n, size_t size)
{
    if (n < 0)
        return len;
    return len + (size_t)n >= size ? size - 1 : len + (size_t)n;
}

static void write_line(const char *buf, size_t len)
{
    int fd = __atomic_load_n(&log_fd, __ATOMIC_ACQUIRE);
    ssize_t r;
    do
        r = write(fd < 0 ? STDERR_FILENO : fd, buf, len);
    while (r < 0 && errno == EINTR);
}

/* Formats and writes one log line at level for xl (NULL: gf_this). Lines longer
 * than LOG_LINE_MAX are cut. errno is preserved. */
void gf_log_at(struct gf_xlator *xl, gf_loglevel_t level, const char *file, int line,
               const char *func, const char *fmt, ...)
{
    if (level <= GF_LOG_NONE || level > GF_LOG_TRACE || level > gf_log_get_level())
        return;
    int saved_errno = errno;
    char buf[LOG_LINE_MAX];
    const char *base = strrchr(file, '/');
    size_t len = format_time(buf, sizeof(buf));
    len = advance(len, snprintf(buf + len, sizeof(buf) - len, "%c [%s:%d:%s] ",
                                level_letters[level], base ? base + 1 : file, line, func),
                  sizeof(buf));
    len = advance(len, format_who(buf + len, sizeof(buf) - len, xl), sizeof(buf));
    len = advance(len, snprintf(buf + len, sizeof(buf) - len, ": "), sizeof(buf));
    va_list ap;
    va_start(ap, fmt);
    len = advance(len, vsnprintf(buf + len, sizeof(buf) - len, fmt, ap), sizeof(buf));
    va_end(ap);
    if (len > 0 && buf[len - 1] == '\n')
        len--;
    buf[len++] = '\n';
    write_line(buf, len);
    errno = saved_errno;
}

int gf_errf(int ret, char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (err && errlen) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return ret;
}
