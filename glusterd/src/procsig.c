/*
 * Process signatures (contract in procsig.h): the volfile is parsed with the
 * project's volfile parser, each translator's options are looked up in its table,
 * and the process-scoped ones are collected as lines, then sorted and joined.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glusterfs/dict.h"
#include "glusterfs/mem.h"
#include "glusterfs/volfile.h"
#include "procsig.h"

/* The lines collected so far; err is the first failure. */
typedef struct lines {
    char **v;
    int n, cap;
    int err;
    char *msg;
    size_t msglen;
    const char *type;           /* translator being read */
    const gf_option_t *table;   /* its options */
} lines_t;

/* value in one spelling for opt's type, into buf. */
static const char *
canonical(const gf_option_t *opt, const char *value, char *buf, size_t len)
{
    bool b;
    uint64_t u;

    if (opt->type == GF_OPT_BOOL && gf_parse_bool(value, &b) == 0)
        return b ? "on" : "off";
    if (opt->type == GF_OPT_SIZE && gf_parse_size(value, &u) == 0) {
        snprintf(buf, len, "%" PRIu64, u);
        return buf;
    }
    if (opt->type == GF_OPT_INT) {
        char *end;
        long long v = strtoll(value, &end, 10);
        if (*value && !*end) {
            snprintf(buf, len, "%lld", v);
            return buf;
        }
    }
    return value;
}

/* Adds "TYPE KEY=VALUE" (value canonical for opt). */
static void
push(lines_t *l, const gf_option_t *opt, const char *key, const char *value)
{
    char buf[64], *line = NULL;

    if (l->err)
        return;
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 16;
        char **v = gf_realloc(l->v, (size_t)cap * sizeof(*v));
        if (!v) {
            l->err = -ENOMEM;
            return;
        }
        l->v = v;
        l->cap = cap;
    }
    if (gf_asprintf(&line, "%s %s=%s", l->type, key,
                    canonical(opt, value, buf, sizeof(buf))) < 0) {
        l->err = -ENOMEM;
        return;
    }
    l->v[l->n++] = line;
}

/* gf_dict_foreach callback over one translator's options. */
static int
take_option(gf_dict_t *options, const char *key, const gf_data_t *data, void *arg)
{
    lines_t *l = arg;
    const gf_option_t *opt = gf_option_find(l->table, key);
    const char *value = NULL;

    if (!opt) {
        snprintf(l->msg, l->msglen, "translator %s has no option '%s'", l->type, key);
        l->err = -EINVAL;
        return 1;
    }
    if (opt->scope == GF_SCOPE_PROCESS && gf_dict_get_str(options, key, &value) == 0)
        push(l, opt, key, value);
    return l->err != 0;
}

/* Collects the process-scoped options of v (set, or defaulted) into l. */
static void
take_volume(gd_xlmeta_t *meta, const gf_volfile_vol_t *v, lines_t *l)
{
    l->type = v->type;
    l->err = gd_xlmeta_table(meta, v->type, &l->table, l->msg, l->msglen);
    if (l->err)
        return;
    gf_dict_foreach(v->options, take_option, l);
    for (const gf_option_t *o = l->table; !l->err && o->key; o++) {
        size_t klen = strlen(o->key);
        int pattern = klen >= 2 && strcmp(o->key + klen - 2, ".*") == 0;
        if (o->scope == GF_SCOPE_PROCESS && !pattern && o->def && !gf_dict_has(v->options, o->key))
            push(l, o, o->key, o->def);
    }
}

static int
cmp_lines(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Joins the sorted lines of l with '\n' into *sig. 0 or -ENOMEM. */
static int
join(lines_t *l, char **sig)
{
    size_t len = 1, at = 0;
    char *s;

    qsort(l->v, (size_t)l->n, sizeof(*l->v), cmp_lines);
    for (int i = 0; i < l->n; i++)
        len += strlen(l->v[i]) + 1;
    if (!(s = gf_malloc(len)))
        return -ENOMEM;
    for (int i = 0; i < l->n; i++)
        at += (size_t)sprintf(s + at, "%s\n", l->v[i]);
    s[at] = '\0';
    *sig = s;
    return 0;
}

int
gd_procsig(gd_xlmeta_t *meta, const char *volfile, char **sig, char *err, size_t errlen)
{
    lines_t l = {.msg = err, .msglen = errlen};
    gf_volfile_t *vf = NULL;
    int ret = gf_volfile_parse(volfile, strlen(volfile), &vf, err, errlen);

    for (int i = 0; !ret && i < vf->n_vols && !l.err; i++)
        take_volume(meta, &vf->vols[i], &l);
    if (!ret)
        ret = l.err ? l.err : join(&l, sig);
    if (ret == -ENOMEM)
        snprintf(err, errlen, "out of memory");
    for (int i = 0; i < l.n; i++)
        gf_free(l.v[i]);
    gf_free(l.v);
    gf_volfile_free(vf);
    return ret;
}
