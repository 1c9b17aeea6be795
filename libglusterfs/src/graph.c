/*
 * Translator graphs (see graph.h): loading translator modules for the volumes of
 * a parsed volfile, binding their options, linking them, and running their
 * init() and fini() in the right order.
 *
 * A volfile lists every subvolume before the volumes that use it, so walking the
 * xlators array forwards goes bottom-up (init) and backwards top-down (fini).
 */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "glusterfs/ctx.h"
#include "glusterfs/dict.h"
#include "glusterfs/graph.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"

/* Writes a message to err (when there is room); returns ret. */
__attribute__((format(printf, 4, 5))) static int say(int ret, char *err, size_t errlen,
                                                     const char *fmt, ...)
{
    va_list ap;

    if (err && errlen) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return ret;
}

/* Bytes that binding an option of type t writes into priv. */
static size_t field_size(gf_opt_type_t t)
{
    switch (t) {
    case GF_OPT_INT:
    case GF_OPT_TIME: return sizeof(int64_t);
    case GF_OPT_SIZE: return sizeof(uint64_t);
    case GF_OPT_BOOL: return sizeof(bool);
    default: return sizeof(char *);
    }
}

int gf_xlator_desc_check(const gf_xlator_desc_t *desc, const char *type, char *err,
                         size_t errlen)
{
    if (desc->abi_version != GF_XLATOR_ABI_VERSION)
        return say(-EINVAL, err, errlen,
                   "its ABI version is %" PRIu32 " but this program needs %u: rebuild the "
                   "translator with this version",
                   desc->abi_version, GF_XLATOR_ABI_VERSION);
    if (!desc->type || strcmp(desc->type, type) != 0)
        return say(-EINVAL, err, errlen, "it is a translator of type '%s', not '%s'",
                   desc->type ? desc->type : "(none)", type);
    for (const gf_option_t *opt = desc->options; opt && opt->key; opt++) {
        if (opt->offset == GF_OPT_NO_FIELD)
            continue;
        if (opt->offset > desc->priv_size ||
            desc->priv_size - opt->offset < field_size(opt->type))
            return say(-EINVAL, err, errlen,
                       "its option '%s' binds at offset %zu, outside its %zu-byte private "
                       "struct",
                       opt->key, opt->offset, desc->priv_size);
    }
    return 0;
}

/* Opens the module of xl's type under dir and checks its descriptor. 0 or -errno. */
static int load_module(gf_xlator_t *xl, const char *dir, char *err, size_t errlen)
{
    char why[512];
    char *path;
    int ret = 0;

    if (gf_asprintf(&path, "%s/%s.so", dir, xl->type) < 0)
        return say(-ENOMEM, err, errlen, "volume '%s': out of memory", xl->name);
    if (access(path, F_OK) != 0) {
        ret = say(-ENOENT, err, errlen,
                  "volume '%s': translator %s not found: %s does not exist (translators are "
                  "loaded from %s; is it installed?)",
                  xl->name, xl->type, path, dir);
    } else if (!(xl->dl_handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE))) {
        /* NODELETE: a thread may still be returning through a translator's code (a
         * callback running in a child's stack frame, an RPC or timer callback) after
         * its graph is finished, so modules stay mapped once loaded. */
        ret = say(-EINVAL, err, errlen, "volume '%s': cannot load %s: %s", xl->name, path,
                  dlerror());
    } else if (!(xl->desc = dlsym(xl->dl_handle, "gf_xlator_desc"))) {
        ret = say(-EINVAL, err, errlen,
                  "volume '%s': %s has no gf_xlator_desc descriptor: it is not a translator "
                  "module",
                  xl->name, path);
    } else if (gf_xlator_desc_check(xl->desc, xl->type, why, sizeof(why))) {
        xl->desc = NULL;
        ret = say(-EINVAL, err, errlen, "volume '%s': %s cannot be used: %s", xl->name, path,
                  why);
    }
    gf_free(path);
    return ret;
}

/*
 * Copies the volume's options into xl, allocates its priv and binds the options
 * into it, all charged to xl. 0 or -errno.
 */
static int bind_options(gf_xlator_t *xl, const gf_volfile_vol_t *vol, char *err,
                        size_t errlen)
{
    gf_xlator_t *saved = gf_this;
    int ret = -ENOMEM;

    gf_this = xl;
    xl->options = gf_dict_copy(vol->options);
    if (xl->desc->priv_size)
        xl->priv = gf_calloc(1, xl->desc->priv_size);
    if (xl->options && (xl->priv || !xl->desc->priv_size))
        ret = gf_options_bind(xl->desc->options, xl->options, xl->priv, err, errlen);
    else
        say(ret, err, errlen, "volume '%s': out of memory", xl->name);
    gf_this = saved;
    return ret;
}

/* Appends item to the array *arr of *n pointers. 0 or -ENOMEM. */
static int append(gf_xlator_t ***arr, int *n, gf_xlator_t *item)
{
    gf_xlator_t **bigger = gf_realloc(*arr, (*n + 1) * sizeof(**arr));

    if (!bigger)
        return -ENOMEM;
    bigger[(*n)++] = item;
    *arr = bigger;
    return 0;
}

/* Links xl to the subvolumes its volume lists (already in g). 0 or -errno. */
static int link_children(gf_graph_t *g, gf_xlator_t *xl, const gf_volfile_vol_t *vol,
                         char *err, size_t errlen)
{
    for (int i = 0; i < vol->n_subvols; i++) {
        gf_xlator_t *child = gf_graph_find(g, vol->subvols[i]);

        if (!child)
            return say(-EINVAL, err, errlen,
                       "volume '%s': subvolume '%s' is not defined before it", xl->name,
                       vol->subvols[i]);
        if (append(&xl->children, &xl->n_children, child) ||
            append(&child->parents, &child->n_parents, xl))
            return say(-ENOMEM, err, errlen, "volume '%s': out of memory", xl->name);
    }
    return 0;
}

/* Builds the translator of vol and adds it to g. 0 or -errno. */
static int construct_one(gf_graph_t *g, const gf_volfile_vol_t *vol, const char *dir,
                         char *err, size_t errlen)
{
    gf_xlator_t *xl = gf_calloc(1, sizeof(*xl));
    int ret;

    if (!xl)
        return say(-ENOMEM, err, errlen, "volume '%s': out of memory", vol->name);
    g->xlators[g->n++] = xl;
    xl->graph = g;
    xl->brick = g->brick;
    xl->name = gf_strdup(vol->name);
    xl->type = gf_strdup(vol->type);
    if (!xl->name || !xl->type)
        return say(-ENOMEM, err, errlen, "volume '%s': out of memory", vol->name);
    ret = load_module(xl, dir, err, errlen);
    if (ret == 0)
        ret = bind_options(xl, vol, err, errlen);
    if (ret == 0)
        ret = link_children(g, xl, vol, err, errlen);
    return ret;
}

int gf_graph_construct(const gf_volfile_t *vf, const char *xlator_dir, const char *brick,
                       gf_graph_t **out, char *err, size_t errlen)
{
    const char *dir = xlator_dir ? xlator_dir : (gf_ctx ? gf_ctx->xlator_dir : NULL);
    gf_graph_t *g;
    int ret = 0;

    *out = NULL;
    if (!dir)
        return say(-EINVAL, err, errlen, "no translator directory is set");
    if (vf->n_vols == 0)
        return say(-EINVAL, err, errlen, "the volfile defines no volume");
    g = gf_calloc(1, sizeof(*g));
    if (!g)
        return say(-ENOMEM, err, errlen, "out of memory building the graph");
    g->xlators = gf_calloc(vf->n_vols, sizeof(*g->xlators));
    g->brick = brick ? gf_strdup(brick) : NULL;
    if (!g->xlators || (brick && !g->brick))
        ret = say(-ENOMEM, err, errlen, "out of memory building the graph");
    for (int i = 0; ret == 0 && i < vf->n_vols; i++)
        ret = construct_one(g, &vf->vols[i], dir, err, errlen);
    if (ret) {
        gf_graph_fini(g);
        return ret;
    }
    g->top = g->xlators[g->n - 1];
    *out = g;
    return 0;
}

/* Calls fini() of every initialized translator, parents first. */
static void fini_all(gf_graph_t *g)
{
    gf_xlator_t *saved = gf_this;

    for (int i = g->n - 1; i >= 0; i--) {
        gf_xlator_t *xl = g->xlators[i];

        if (!xl->initialized)
            continue;
        gf_this = xl;
        if (xl->desc->fini)
            xl->desc->fini(xl);
        xl->initialized = false;
    }
    gf_this = saved;
}

/* Calls init() of xl with gf_this set to it. 0 or a negative errno. */
static int init_one(gf_xlator_t *xl)
{
    gf_xlator_t *saved = gf_this;
    int ret = 0;

    gf_this = xl;
    if (xl->desc->init)
        ret = xl->desc->init(xl);
    gf_this = saved;
    if (ret == 0)
        xl->initialized = true;
    return ret < 0 ? ret : (ret ? -EINVAL : 0);
}

int gf_graph_init(gf_graph_t *g, char *err, size_t errlen)
{
    if (g->initialized)
        return say(-EALREADY, err, errlen, "the graph is initialized already");
    for (int i = 0; i < g->n; i++) {
        gf_xlator_t *xl = g->xlators[i];
        int ret = init_one(xl);

        if (ret) {
            fini_all(g);
            return say(ret, err, errlen,
                       "volume '%s' (%s) failed to initialize: %s (its log lines say why)",
                       xl->name, xl->type, strerror(-ret));
        }
    }
    g->initialized = true;
    gf_xlator_notify(g->top, GF_EVENT_PARENT_UP, NULL);
    return 0;
}

/* Frees what xl holds on its own account, warning about what remains charged to it. */
static void release_own(gf_xlator_t *xl)
{
    gf_xlator_t *saved = gf_this;

    gf_this = xl;
    if (xl->desc && xl->priv)
        gf_options_unbind(xl->desc->options, xl->priv);
    gf_free(xl->priv);
    gf_dict_unref(xl->options);
    gf_this = saved;
    if (xl->mem_acct.blocks)
        gf_log_xl(xl, GF_LOG_WARNING,
                  "volume '%s' still holds %" PRIu64 " bytes in %" PRIu64
                  " blocks after fini (a leak in %s)",
                  xl->name, xl->mem_acct.bytes, xl->mem_acct.blocks, xl->type);
}

static void xlator_free(gf_xlator_t *xl)
{
    release_own(xl);
    if (xl->dl_handle)
        dlclose(xl->dl_handle);
    gf_free(xl->children);
    gf_free(xl->parents);
    gf_free(xl->name);
    gf_free(xl->type);
    gf_free(xl);
}

void gf_graph_fini(gf_graph_t *g)
{
    if (!g)
        return;
    fini_all(g);
    for (int i = 0; i < g->n; i++)
        xlator_free(g->xlators[i]);
    gf_free(g->xlators);
    gf_free(g->brick);
    gf_free(g);
}

gf_xlator_t *gf_graph_top(gf_graph_t *g)
{
    return g->top;
}

gf_xlator_t *gf_graph_find(gf_graph_t *g, const char *name)
{
    for (int i = 0; i < g->n; i++)
        if (g->xlators[i]->name && strcmp(g->xlators[i]->name, name) == 0)
            return g->xlators[i];
    return NULL;
}
