/*
 * Translator option metadata (contract in xlmeta.h): a small list of translator
 * types, each with the option table read from its module's descriptor, or given
 * by gd_xlmeta_add.
 */
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "glusterfs/graph.h"
#include "glusterfs/mem.h"
#include "glusterfs/xlator.h"
#include "xlmeta.h"

typedef struct entry {
    struct entry *next;
    char *type;
    const gf_option_t *table;
    void *handle; /* the module, or NULL for an added table */
} entry_t;

struct gd_xlmeta {
    char *dir;
    entry_t *entries;
};

static const gf_option_t no_options[] = {{.key = NULL}};

gd_xlmeta_t *
gd_xlmeta_new(const char *dir)
{
    gd_xlmeta_t *m = gf_calloc(1, sizeof(*m));

    if (m && dir && !(m->dir = gf_strdup(dir))) {
        gf_free(m);
        return NULL;
    }
    return m;
}

void
gd_xlmeta_free(gd_xlmeta_t *m)
{
    if (!m)
        return;
    while (m->entries) {
        entry_t *e = m->entries;
        m->entries = e->next;
        if (e->handle)
            dlclose(e->handle);
        gf_free(e->type);
        gf_free(e);
    }
    gf_free(m->dir);
    gf_free(m);
}

static entry_t *
find(const gd_xlmeta_t *m, const char *type)
{
    for (entry_t *e = m->entries; e; e = e->next)
        if (strcmp(e->type, type) == 0)
            return e;
    return NULL;
}

/* Records type with table (and the module handle, or NULL). 0 or -ENOMEM. */
static int
remember(gd_xlmeta_t *m, const char *type, const gf_option_t *table, void *handle)
{
    entry_t *e = gf_calloc(1, sizeof(*e));

    if (!e || !(e->type = gf_strdup(type))) {
        gf_free(e);
        return -ENOMEM;
    }
    e->table = table ? table : no_options;
    e->handle = handle;
    e->next = m->entries;
    m->entries = e;
    return 0;
}

int
gd_xlmeta_add(gd_xlmeta_t *m, const char *type, const gf_option_t *table)
{
    return remember(m, type, table, NULL);
}

/* Whether type is "CATEGORY/NAME" of letters, digits, '_' and '-' (so that it
 * names a file below the translator folder, and nothing else). */
static int
type_valid(const char *type)
{
    const char *slash = strchr(type, '/');
    int n = 0;

    if (!slash || slash == type || !slash[1] || strchr(slash + 1, '/'))
        return 0;
    for (const char *c = type; *c; c++, n++)
        if (c != slash && !isalnum((unsigned char)*c) && *c != '_' && *c != '-')
            return 0;
    return n < 256;
}

/* Opens the module of type and checks its descriptor. 0 with *handle and *desc,
 * or -errno with err. */
static int
load(const gd_xlmeta_t *m, const char *type, void **handle, const gf_xlator_desc_t **desc,
     char *err, size_t errlen)
{
    char path[4096], why[512];

    snprintf(path, sizeof(path), "%s/%s.so", m->dir, type);
    if (access(path, F_OK) != 0) {
        snprintf(err, errlen, "translator %s: %s does not exist (is it installed?)", type,
                 path);
        return -ENOENT;
    }
    if (!(*handle = dlopen(path, RTLD_LAZY | RTLD_LOCAL))) {
        snprintf(err, errlen, "translator %s: cannot load %s: %s", type, path, dlerror());
        return -EINVAL;
    }
    *desc = dlsym(*handle, "gf_xlator_desc");
    if (!*desc)
        snprintf(why, sizeof(why), "it has no gf_xlator_desc descriptor");
    if (!*desc || gf_xlator_desc_check(*desc, type, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "translator %s: %s cannot be used: %s", type, path, why);
        dlclose(*handle);
        return -EINVAL;
    }
    return 0;
}

int
gd_xlmeta_table(gd_xlmeta_t *m, const char *type, const gf_option_t **table, char *err,
                size_t errlen)
{
    const entry_t *e = find(m, type);
    const gf_xlator_desc_t *desc;
    void *handle;
    int ret;

    if (e) {
        *table = e->table;
        return 0;
    }
    if (!m->dir || !type_valid(type)) {
        snprintf(err, errlen, "translator %s is not known", type);
        return -ENOENT;
    }
    if ((ret = load(m, type, &handle, &desc, err, errlen)) != 0)
        return ret;
    if ((ret = remember(m, type, desc->options, handle)) != 0) {
        dlclose(handle);
        snprintf(err, errlen, "out of memory");
        return ret;
    }
    *table = m->entries->table;
    return 0;
}
