/*
 * Translator options, declared once per translator in its option table and read by
 * everyone: the volfile loader validates and binds them, glusterd reads their scope
 * to decide which bricks may share a process.
 *
 * An entry binds a key to a field of the translator's private struct with offsetof
 * (as nginx binds directives); the loader fills the field from the volfile's value,
 * or from the default, after checking type and range. A key not in the table is an
 * error that names it.
 */
#ifndef GF_OPTIONS_H
#define GF_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    GF_OPT_STR,     /* char *   (allocated copy, freed by the loader at fini) */
    GF_OPT_PATH,    /* char *   absolute path */
    GF_OPT_INT,     /* int64_t  within [min, max] */
    GF_OPT_SIZE,    /* uint64_t with optional KB/MB/GB/TB suffix, within [min, max] */
    GF_OPT_BOOL,    /* bool     on/off, yes/no, true/false, enable/disable, 1/0 */
    GF_OPT_ENUM,    /* char *   one of values[] */
    GF_OPT_TIME,    /* int64_t  seconds, optional s/m/h suffix, within [min, max] */
    GF_OPT_ANY,     /* char *   free text (addresses, lists) */
} gf_opt_type_t;

typedef enum {
    GF_SCOPE_BRICK = 0, /* may differ between bricks of one process */
    GF_SCOPE_PROCESS,   /* must be equal for bricks sharing a process */
} gf_opt_scope_t;

#define GF_OPT_NO_FIELD ((size_t)-1)

typedef struct gf_option {
    const char *key;        /* a key ending in ".*" matches any longer key with that prefix
                               (e.g. "auth.login.*"): validated, never bound to a field */
    gf_opt_type_t type;
    const char *def;        /* default as text, or NULL for "unset" */
    int64_t min, max;       /* for INT/SIZE/TIME; min == max == 0 means unbounded */
    const char *values[8];  /* for ENUM; NULL-terminated */
    gf_opt_scope_t scope;
    size_t offset;          /* field in the translator's priv, or GF_OPT_NO_FIELD */
    const char *desc;       /* one line for --help and `volume set help` */
} gf_option_t;

struct gf_dict;

/* Finds key in a NULL-key-terminated table; NULL when absent. */
const gf_option_t *gf_option_find(const gf_option_t *table, const char *key);

/*
 * Checks value against opt. Returns 0, or -EINVAL with a message (what is wrong and
 * what is accepted) written to err[errlen].
 */
int gf_option_validate(const gf_option_t *opt, const char *value, char *err, size_t errlen);

/*
 * Validates every key of options against table and binds the values (or defaults)
 * into the struct at priv. Returns 0, or -EINVAL with err naming the key at fault.
 */
int gf_options_bind(const gf_option_t *table, struct gf_dict *options, void *priv, char *err,
                    size_t errlen);

/* Frees the strings gf_options_bind allocated into priv. */
void gf_options_unbind(const gf_option_t *table, void *priv);

/* Parses sizes ("64KB", "1GB") and booleans; 0 or -EINVAL. */
int gf_parse_size(const char *s, uint64_t *out);
int gf_parse_bool(const char *s, bool *out);

#endif
