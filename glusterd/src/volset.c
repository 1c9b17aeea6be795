/*
 * Volume-level option keys (contract in volset.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mux.h"
#include "volset.h"

/* The translator option o becomes (for a sample brick name), or NULL with err. */
static const gf_option_t *
xl_option(gd_xlmeta_t *meta, const gd_volgen_opt_t *o, char *err, size_t errlen, int *ret)
{
    const gf_option_t *table, *opt;
    char key[256];

    if ((*ret = gd_xlmeta_table(meta, o->xl_type, &table, err, errlen)) != 0)
        return NULL;
    opt = gf_option_find(table, gd_volgen_xl_key(o, "/brick", key, sizeof(key)));
    if (!opt) {
        snprintf(err, errlen, "%s: translator %s has no option %s (glusterd and the "
                              "translators do not match: reinstall them together)",
                 o->key, o->xl_type, o->xl_key);
        *ret = -EINVAL;
    }
    return opt;
}

/* 0 when value is short and free of control characters, else -EINVAL with err. */
static int
check_text(const char *key, const char *value, char *err, size_t errlen)
{
    if (strlen(value) > GD_VOLSET_VALUE_MAX) {
        snprintf(err, errlen, "%s: the value is longer than %d characters", key,
                 GD_VOLSET_VALUE_MAX);
        return -EINVAL;
    }
    for (const char *c = value; *c; c++) {
        if (iscntrl((unsigned char)*c)) {
            snprintf(err, errlen, "%s: the value must not hold control characters (such "
                                  "as new lines or tabs)",
                     key);
            return -EINVAL;
        }
    }
    return 0;
}

int
gd_volset_check(gd_xlmeta_t *meta, const char *key, const char *value, char *err,
                size_t errlen)
{
    const gd_volgen_opt_t *o = gd_volgen_opt_find(key);
    const gf_option_t *opt;
    char why[512];
    int ret;

    if (!o && gf_option_find(gd_mux_options(), key)) {
        snprintf(err, errlen, "%s is a cluster-wide option: set it with `gluster volume set "
                              "all %s VALUE`",
                 key, key);
        return -ENOENT;
    }
    if (!o) {
        snprintf(err, errlen, "option %s does not exist; `gluster volume get VOLNAME all` "
                              "lists the options",
                 key);
        return -ENOENT;
    }
    if ((ret = check_text(key, value, err, errlen)) != 0 ||
        !(opt = xl_option(meta, o, err, errlen, &ret)))
        return ret;
    if (gf_option_validate(opt, value, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "%s: %s", key, why);
        return -EINVAL;
    }
    return 0;
}

const char *
gd_volset_value(gd_xlmeta_t *meta, const gd_volume_t *vol, const gd_volgen_opt_t *o)
{
    const char *v = vol ? gd_vol_opt(vol, o->key) : NULL;
    const gf_option_t *opt;
    char err[256];
    int ret;

    if (v)
        return v;
    if (o->def)
        return o->def;
    opt = xl_option(meta, o, err, sizeof(err), &ret);
    return opt && opt->def ? opt->def : "(null)";
}
