/*
 * Translator options (see options.h): parsing of option values by type, checks of
 * ranges, and binding of a volume's options into its translator's private struct.
 *
 * Binding runs in two passes: every key and value is checked first, so that a
 * refused volfile leaves priv untouched; only then are values written. Messages
 * say what was given and what is accepted, so a user can fix the volfile from the
 * message alone.
 *
 * A table key ending in ".*" is a pattern: it matches every key that starts with
 * the text before the '*' and has something after it ("auth.login.*" matches
 * "auth.login./data/b1.allow"). A pattern's values are validated by its type but
 * never bound to a field, whatever its offset says: the translator reads them
 * from its options dict.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "glusterfs/dict.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "glusterfs/options.h"
#include "glusterfs/xlator.h"

/* A parsed value; which member is set depends on the option's type. */
typedef union value {
    int64_t i;  /* INT, TIME */
    uint64_t u; /* SIZE */
    bool b;     /* BOOL */
} value_t;

/* Whether a table key is a pattern: it ends in ".*". */
static bool is_pattern(const char *key)
{
    size_t n = strlen(key);

    return n >= 2 && key[n - 2] == '.' && key[n - 1] == '*';
}

/* Whether key matches the pattern: the pattern's prefix (up to and with its
 * '.') followed by at least one character. */
static bool pattern_matches(const char *pattern, const char *key)
{
    size_t prefix = strlen(pattern) - 1;

    return strncmp(pattern, key, prefix) == 0 && key[prefix] != '\0';
}

/* An exact key wins over a pattern; among patterns, the first in the table. */
const gf_option_t *gf_option_find(const gf_option_t *table, const char *key)
{
    for (const gf_option_t *opt = table; opt && opt->key; opt++)
        if (strcmp(opt->key, key) == 0)
            return opt;
    for (const gf_option_t *opt = table; opt && opt->key; opt++)
        if (is_pattern(opt->key) && pattern_matches(opt->key, key))
            return opt;
    return NULL;
}

/* Whether binding writes opt's value into priv. */
static bool binds(const gf_option_t *opt)
{
    return opt->offset != GF_OPT_NO_FIELD && !is_pattern(opt->key);
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Parses an unsigned decimal number at the start of s; *end gets what follows.
 * 0, or -EINVAL when s does not start with a digit or the number overflows. */
static int parse_unsigned(const char *s, uint64_t *out, const char **end)
{
    char *e;

    if (!is_digit(s[0]))
        return -EINVAL;
    errno = 0;
    *out = strtoull(s, &e, 10);
    if (errno == ERANGE)
        return -EINVAL;
    *end = e;
    return 0;
}

int gf_parse_size(const char *s, uint64_t *out)
{
    static const char *const units[] = {"KB", "MB", "GB", "TB"};
    const char *rest;
    uint64_t v;
    unsigned shift = 0;

    if (parse_unsigned(s, &v, &rest))
        return -EINVAL;
    if (*rest) {
        size_t i = 0;

        while (i < 4 && strcasecmp(rest, units[i]) != 0)
            i++;
        if (i == 4)
            return -EINVAL;
        shift = 10 * (i + 1);
    }
    if (v > (UINT64_MAX >> shift))
        return -EINVAL;
    *out = v << shift;
    return 0;
}

int gf_parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"on", "yes", "true", "enable", "1"};
    static const char *const no[] = {"off", "no", "false", "disable", "0"};

    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return -EINVAL;
}

/* Parses a signed decimal integer filling all of s. 0 or -EINVAL. */
static int parse_int(const char *s, int64_t *out)
{
    const char *digits = (s[0] == '-' || s[0] == '+') ? s + 1 : s;
    char *end;

    if (!is_digit(digits[0]))
        return -EINVAL;
    errno = 0;
    *out = strtoll(s, &end, 10);
    return (errno == ERANGE || *end) ? -EINVAL : 0;
}

/* Parses a duration: a number of seconds with an optional s, m, h or d suffix
 * (any case). 0 or -EINVAL (also on overflow). */
static int parse_time(const char *s, int64_t *out)
{
    const char *rest;
    uint64_t v, mult = 1;

    if (parse_unsigned(s, &v, &rest))
        return -EINVAL;
    if (*rest) {
        if (rest[1])
            return -EINVAL;
        switch (rest[0] | 0x20) {
        case 's':
            mult = 1;
            break;
        case 'm':
            mult = 60;
            break;
        case 'h':
            mult = 3600;
            break;
        case 'd':
            mult = 86400;
            break;
        default:
            return -EINVAL;
        }
    }
    if (v > (uint64_t)INT64_MAX / mult)
        return -EINVAL;
    *out = (int64_t)(v * mult);
    return 0;
}

static bool bounded(const gf_option_t *opt)
{
    return opt->min != 0 || opt->max != 0;
}

/* Checks a parsed INT or TIME against the option's range; unit names it. */
static int check_signed(const gf_option_t *opt, const char *value, int64_t v, const char *unit,
                        char *err, size_t errlen)
{
    if (!bounded(opt) || (v >= opt->min && v <= opt->max))
        return 0;
    return gf_errf(-EINVAL, err, errlen,
                   "'%s' is out of range (accepted: %" PRId64 " to %" PRId64 "%s)", value, opt->min,
                   opt->max, unit);
}

static int check_size(const gf_option_t *opt, const char *value, uint64_t v, char *err,
                      size_t errlen)
{
    uint64_t min = opt->min > 0 ? (uint64_t)opt->min : 0;
    uint64_t max = opt->max > 0 ? (uint64_t)opt->max : 0;

    if (!bounded(opt) || (v >= min && v <= max))
        return 0;
    return gf_errf(-EINVAL, err, errlen,
                   "'%s' is out of range (accepted: %" PRIu64 " to %" PRIu64 " bytes)", value, min,
                   max);
}

/* The clause of an INT message saying what is accepted (buf holds it when bounded). */
static const char *int_range(const gf_option_t *opt, char *buf, size_t len)
{
    if (!bounded(opt))
        return "examples: 0, 42, -1";
    snprintf(buf, len, "accepted: %" PRId64 " to %" PRId64, opt->min, opt->max);
    return buf;
}

static int parse_enum(const gf_option_t *opt, const char *value, char *err, size_t errlen)
{
    char list[256] = "";
    size_t used = 0;

    for (int i = 0; i < 8 && opt->values[i]; i++) {
        if (strcmp(value, opt->values[i]) == 0)
            return 0;
        if (used < sizeof(list))
            used +=
                snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", opt->values[i]);
    }
    return gf_errf(-EINVAL, err, errlen, "'%s' is not one of the accepted values: %s", value, list);
}

/*
 * Parses value as opt's type into *v (for the numeric and boolean types) and
 * checks its range. 0, or -EINVAL with the reason in err.
 */
static int parse_value(const gf_option_t *opt, const char *value, value_t *v, char *err,
                       size_t errlen)
{
    char range[96];

    switch (opt->type) {
    case GF_OPT_STR:
    case GF_OPT_ANY:
        return 0;
    case GF_OPT_PATH:
        if (value[0] == '/')
            return 0;
        return gf_errf(-EINVAL, err, errlen,
                       "'%s' is not an absolute path (it must start with '/')", value);
    case GF_OPT_INT:
        if (parse_int(value, &v->i))
            return gf_errf(-EINVAL, err, errlen, "'%s' is not a valid integer (%s)", value,
                           int_range(opt, range, sizeof(range)));
        return check_signed(opt, value, v->i, "", err, errlen);
    case GF_OPT_SIZE:
        if (gf_parse_size(value, &v->u))
            return gf_errf(-EINVAL, err, errlen,
                           "'%s' is not a valid size (examples: 4096, 64KB, 1GB)", value);
        return check_size(opt, value, v->u, err, errlen);
    case GF_OPT_BOOL:
        if (gf_parse_bool(value, &v->b) == 0)
            return 0;
        return gf_errf(-EINVAL, err, errlen,
                       "'%s' is not a boolean (accepted: on/off, yes/no, true/false, "
                       "enable/disable, 1/0)",
                       value);
    case GF_OPT_ENUM:
        return parse_enum(opt, value, err, errlen);
    case GF_OPT_TIME:
        if (parse_time(value, &v->i))
            return gf_errf(-EINVAL, err, errlen,
                           "'%s' is not a valid time (examples: 30, 30s, 5m, 2h, 1d)", value);
        return check_signed(opt, value, v->i, " seconds", err, errlen);
    }
    return gf_errf(-EINVAL, err, errlen,
                   "option type %d is unknown (a bug in the translator's table)", (int)opt->type);
}

int gf_option_validate(const gf_option_t *opt, const char *value, char *err, size_t errlen)
{
    value_t v;

    return parse_value(opt, value, &v, err, errlen);
}

static bool is_string_type(gf_opt_type_t t)
{
    return t == GF_OPT_STR || t == GF_OPT_PATH || t == GF_OPT_ENUM || t == GF_OPT_ANY;
}

/* "option 'KEY' of volume 'VOL': " (volume from gf_this) followed by why. */
static int blame(const char *key, const char *why, char *err, size_t errlen)
{
    if (gf_this && gf_this->name)
        return gf_errf(-EINVAL, err, errlen, "option '%s' of volume '%s': %s", key, gf_this->name,
                       why);
    return gf_errf(-EINVAL, err, errlen, "option '%s': %s", key, why);
}

/* Writes "unknown option ... (known options: ...)" for key into err. */
static int unknown_key(const gf_option_t *table, const char *key, char *err, size_t errlen)
{
    char why[512];
    size_t used;

    used = snprintf(why, sizeof(why), "no such option for translator %s",
                    gf_this && gf_this->type ? gf_this->type : "of this volume");
    if (used >= sizeof(why))
        return blame(key, why, err, errlen);
    if (!table || !table->key)
        snprintf(why + used, sizeof(why) - used, " (it takes no options)");
    for (const gf_option_t *opt = table; opt && opt->key && used < sizeof(why); opt++)
        used +=
            snprintf(why + used, sizeof(why) - used, "%s%s%s",
                     opt == table ? " (known options: " : ", ", opt->key, opt[1].key ? "" : ")");
    return blame(key, why, err, errlen);
}

typedef struct check_ctx {
    const gf_option_t *table;
    char *err;
    size_t errlen;
} check_ctx_t;

/* gf_dict_foreach callback: checks one option against the table; non-zero stops. */
static int check_one(gf_dict_t *dict, const char *key, const gf_data_t *data, void *arg)
{
    check_ctx_t *ctx = arg;
    const gf_option_t *opt = gf_option_find(ctx->table, key);
    const char *value;
    char why[512];

    if (!opt)
        return unknown_key(ctx->table, key, ctx->err, ctx->errlen);
    if (gf_dict_get_str(dict, key, &value))
        return blame(key, "the value is not text", ctx->err, ctx->errlen);
    if (gf_option_validate(opt, value, why, sizeof(why)))
        return blame(key, why, ctx->err, ctx->errlen);
    return 0;
}

/* Checks every default of the table that options does not override. */
static int check_defaults(const gf_option_t *table, gf_dict_t *options, char *err, size_t errlen)
{
    char why[512], msg[600];

    for (const gf_option_t *opt = table; opt && opt->key; opt++) {
        if (!opt->def || is_pattern(opt->key) || gf_dict_has(options, opt->key))
            continue;
        if (gf_option_validate(opt, opt->def, why, sizeof(why))) {
            snprintf(msg, sizeof(msg), "the translator's default is invalid: %s", why);
            return blame(opt->key, msg, err, errlen);
        }
    }
    return 0;
}

/* Writes the (already valid) value of opt into priv. 0 or -ENOMEM. */
static int store(const gf_option_t *opt, const char *value, void *priv)
{
    char *field = (char *)priv + opt->offset;
    value_t v = {0};

    parse_value(opt, value, &v, NULL, 0);
    if (is_string_type(opt->type)) {
        char *copy = gf_strdup(value);

        if (!copy)
            return -ENOMEM;
        gf_free(*(char **)field);
        *(char **)field = copy;
    } else if (opt->type == GF_OPT_SIZE) {
        *(uint64_t *)field = v.u;
    } else if (opt->type == GF_OPT_BOOL) {
        *(bool *)field = v.b;
    } else {
        *(int64_t *)field = v.i;
    }
    return 0;
}

/*
 * Contract (options.h): checks every key and value first, then binds. Strings are
 * gf_strdup'ed, charged to gf_this, replacing (and freeing) a string bound before.
 * Messages name the volume gf_this runs for. On -ENOMEM while binding, what was
 * bound is unbound again.
 */
int gf_options_bind(const gf_option_t *table, gf_dict_t *options, void *priv, char *err,
                    size_t errlen)
{
    check_ctx_t ctx = {.table = table, .err = err, .errlen = errlen};
    int ret = options ? gf_dict_foreach(options, check_one, &ctx) : 0;

    if (ret == 0)
        ret = check_defaults(table, options, err, errlen);
    for (const gf_option_t *opt = table; ret == 0 && opt && opt->key; opt++) {
        const char *value = NULL;

        if (!options || gf_dict_get_str(options, opt->key, &value))
            value = opt->def;
        if (value && binds(opt))
            ret = store(opt, value, priv);
    }
    if (ret == -ENOMEM) {
        gf_options_unbind(table, priv);
        gf_errf(-EINVAL, err, errlen, "out of memory while binding options");
    }
    return ret;
}

void gf_options_unbind(const gf_option_t *table, void *priv)
{
    for (const gf_option_t *opt = table; opt && opt->key; opt++) {
        char **field;

        if (!is_string_type(opt->type) || !binds(opt))
            continue;
        field = (char **)((char *)priv + opt->offset);
        gf_free(*field);
        *field = NULL;
    }
}
