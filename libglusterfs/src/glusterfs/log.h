/*
 * Logging. One log per process (a file, or stderr); every line carries time,
 * level, the translator and brick it concerns (from gf_this or the given
 * translator), and the source location:
 *
 *   [2026-11-21 12:00:00.123456] E [posix.c:120:posix_init] posix@vol1-brick0: ...
 */
#ifndef GF_LOG_H
#define GF_LOG_H

#include <stdarg.h>
#include <stddef.h>

typedef enum {
    GF_LOG_NONE = 0,
    GF_LOG_CRITICAL,
    GF_LOG_ERROR,
    GF_LOG_WARNING,
    GF_LOG_INFO,
    GF_LOG_DEBUG,
    GF_LOG_TRACE,
} gf_loglevel_t;

struct gf_xlator;

/* path NULL or "-": stderr. Returns 0 or -errno. Safe to call again to reopen. */
int gf_log_init(const char *path, const char *ident);
void gf_log_set_level(gf_loglevel_t level);
gf_loglevel_t gf_log_get_level(void);
/* "ERROR", "info", ... -> level; -1 when unknown. */
int gf_log_level_parse(const char *name);
void gf_log_fini(void);

/* Writes a formatted message to err[errlen] (when err is not NULL and errlen > 0) and
 * returns ret: the one way functions with an (err, errlen) out-parameter say why. */
int gf_errf(int ret, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

void gf_log_at(struct gf_xlator *xl, gf_loglevel_t level, const char *file, int line,
               const char *func, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Logs for the current translator (gf_this). */
#define gf_log(level, ...)                                                                 \
    do {                                                                                   \
        if ((level) <= gf_log_get_level())                                                 \
            gf_log_at(NULL, (level), __FILE__, __LINE__, __func__, __VA_ARGS__);           \
    } while (0)

/* Logs for an explicit translator. */
#define gf_log_xl(xl, level, ...)                                                          \
    do {                                                                                   \
        if ((level) <= gf_log_get_level())                                                 \
            gf_log_at((xl), (level), __FILE__, __LINE__, __func__, __VA_ARGS__);           \
    } while (0)

#endif
