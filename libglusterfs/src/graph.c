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

/* Bytes that binding an option of type t writes into priv. */
static size_t field_size(gf_opt_type_t t)
{
    switch (t) {
    case GF_OPT_INT:
    case GF_OPT_TIME:
        return sizeof(int64_t);
    case GF_OPT_SIZE:
        return sizeof(uint64_t);
    case GF_OPT_BOOL:
        return sizeof(bool);
    default:
        return sizeof(char *);
    }
}

int gf_xlator_desc_check(const gf_xlator_desc_t *desc, const char *type, char *err, size_t errlen)
{
    if (desc->abi_version != GF_XLATOR_ABI_VERSION)
        return gf_errf(-EINVAL, err, errlen,
                       "its ABI version is %" PRIu32 " but this program needs %u: rebuild the "
                       "translator with this version",
                       desc->abi_version, GF_XLATOR_ABI_VERSION);
    if (!desc->type || strcmp(desc->type, type) != 0)
        return gf_errf(-EINVAL, err, errlen, "it is a translator of type '%s', not '%s'",
                       desc->type ? desc->type : "(none)", type);
    for (const gf_option_t *opt = desc->options; opt && opt->key; opt++) {
        if (opt->offset == GF_OPT_NO_FIELD)
            continue;
        if (opt->offset > desc->priv_size || desc->priv_size - opt->offset < field_size(opt->type))
            return gf_errf(-EINVAL, err, errlen,
                           "its option '%s' binds at offset %zu, outside its %zu-byte private "
                           "struct",
                           opt->key, opt->offset, desc->priv_size);
    }
    return 0;
}

/*
 * Opens the module of translator type `type` under dir and checks its
 * descriptor; what names it in messages. 0 with *handle and *desc set, or
 * -errno with err set (nothing left open).
 */
static int open_module(const char *what, const char *type, const char *dir, void **handle,
                       const gf_xlator_desc_t **desc, char *err, size_t errlen)
{
    char why[512];
    char *path;
    int ret = 0;

    *handle = NULL;
    *desc = NULL;
    if (gf_asprintf(&path, "%s/%s.so", dir, type) < 0)
        return gf_errf(-ENOMEM, err, errlen, "%s: out of memory", what);
    if (access(path, F_OK) != 0) {
        ret = gf_errf(-ENOENT, err, errlen,
                      "%s: translator %s not found: %s does not exist (translators are loaded "
                      "from %s; is it installed?)",
                      what, type, path, dir);
    } else if (!(*handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE))) {
        /* NODELETE: a thread may still be returning through a translator's code (a
         * callback running in a child's stack frame, an RPC or timer callback) after
         * its graph is finished, so modules stay mapped once loaded. */
        ret = gf_errf(-EINVAL, err, errlen, "%s: cannot load %s: %s", what, path, dlerror());
    } else if (!(*desc = dlsym(*handle, "gf_xlator_desc"))) {
        ret = gf_errf(-EINVAL, err, errlen,
                      "%s: %s has no gf_xlator_desc descriptor: it is not a translator module",
                      what, path);
    } else if (gf_xlator_desc_check(*desc, type, why, sizeof(why))) {
        ret = gf_errf(-EINVAL, err, errlen, "%s: %s cannot be used: %s", what, path, why);
    }
    if (ret && *handle)
        dlclose(*handle);
    if (ret) {
        *handle = NULL;
        *desc = NULL;
    }
    gf_free(path);
    return ret;
}

/* Opens the module of xl's type under dir and checks its descriptor. 0 or -errno. */
static int load_module(gf_xlator_t *xl, const char *dir, char *err, size_t errlen)
{
    char what[300];

    snprintf(what, sizeof(what), "volume '%s'", xl->name);
    return open_module(what, xl->type, dir, &xl->dl_handle, &xl->desc, err, errlen);
}

/* The translator directory: dir, else gf_ctx's; NULL when neither is set. */
static const char *xlator_dir_or_ctx(const char *dir)
{
    return dir ? dir : (gf_ctx ? gf_ctx->xlator_dir : NULL);
}

int gf_xlator_desc_load(const char *type, const char *xlator_dir, const gf_xlator_desc_t **out,
                        char *err, size_t errlen)
{
    const char *dir = xlator_dir_or_ctx(xlator_dir);
    char what[300];
    void *handle;
    int ret;

    *out = NULL;
    if (!dir)
        return gf_errf(-EINVAL, err, errlen, "no translator directory is set");
    snprintf(what, sizeof(what), "translator type '%s'", type);
    ret = open_module(what, type, dir, &handle, out, err, errlen);
    if (ret == 0)
        dlclose(handle); /* stays mapped (RTLD_NODELETE), and *out with it */
    return ret;
}

/* Whether key is a pattern ("auth.login.*"), which matches many keys. */
static bool is_pattern_key(const char *key)
{
    size_t n = strlen(key);

    return n >= 2 && key[n - 2] == '.' && key[n - 1] == '*';
}

const char *gf_xlator_option_value(const gf_option_t *opt, gf_dict_t *options)
{
    const char *value = NULL;

    if (options && gf_dict_get_str(options, opt->key, &value) == 0)
        return value;
    return opt->def;
}

const gf_option_t *gf_xlator_options_differ(const gf_xlator_desc_t *desc, gf_opt_scope_t scope,
                                            gf_dict_t *a, gf_dict_t *b)
{
    for (const gf_option_t *opt = desc->options; opt && opt->key; opt++) {
        const char *va, *vb;

        if (opt->scope != scope || is_pattern_key(opt->key))
            continue;
        va = gf_xlator_option_value(opt, a);
        vb = gf_xlator_option_value(opt, b);
        if ((va || vb) && (!va || !vb || strcmp(va, vb) != 0))
            return opt;
    }
    return NULL;
}

/*
 * Copies the volume's options into xl, allocates its priv and binds the options
 * into it, all charged to xl. 0 or -errno.
 */
static int bind_options(gf_xlator_t *xl, const gf_volfile_vol_t *vol, char *err, size_t errlen)
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
        gf_errf(ret, err, errlen, "volume '%s': out of memory", xl->name);
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
static int link_children(gf_graph_t *g, gf_xlator_t *xl, const gf_volfile_vol_t *vol, char *err,
                         size_t errlen)
{
    for (int i = 0; i < vol->n_subvols; i++) {
        gf_xlator_t *child = gf_graph_find(g, vol->subvols[i]);

        if (!child)
            return gf_errf(-EINVAL, err, errlen,
                           "volume '%s': subvolume '%s' is not defined before it", xl->name,
                           vol->subvols[i]);
        if (append(&xl->children, &xl->n_children, child) ||
            append(&child->parents, &child->n_parents, xl))
            return gf_errf(-ENOMEM, err, errlen, "volume '%s': out of memory", xl->name);
    }
    return 0;
}

/* Builds the translator of vol and adds it to g. 0 or -errno. */
static int construct_one(gf_graph_t *g, const gf_volfile_vol_t *vol, const char *dir, char *err,
                         size_t errlen)
{
    gf_xlator_t *xl = gf_calloc(1, sizeof(*xl));
    int ret;

    if (!xl)
        return gf_errf(-ENOMEM, err, errlen, "volume '%s': out of memory", vol->name);
    g->xlators[g->n++] = xl;
    xl->graph = g;
    xl->brick = g->brick;
    xl->name = gf_strdup(vol->name);
    xl->type = gf_strdup(vol->type);
    if (!xl->name || !xl->type)
        return gf_errf(-ENOMEM, err, errlen, "volume '%s': out of memory", vol->name);
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
    const char *dir = xlator_dir_or_ctx(xlator_dir);
    gf_graph_t *g;
    int ret = 0;

    *out = NULL;
    if (!dir)
        return gf_errf(-EINVAL, err, errlen, "no translator directory is set");
    if (vf->n_vols == 0)
        return gf_errf(-EINVAL, err, errlen, "the volfile defines no volume");
    g = gf_calloc(1, sizeof(*g));
    if (!g)
        return gf_errf(-ENOMEM, err, errlen, "out of memory building the graph");
    g->xlators = gf_calloc(vf->n_vols, sizeof(*g->xlators));
    g->brick = brick ? gf_strdup(brick) : NULL;
    if (!g->xlators || (brick && !g->brick))
        ret = gf_errf(-ENOMEM, err, errlen, "out of memory building the graph");
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

/*
 * Marks in keep[] volume i of vf and, recursively, every volume it uses.
 * Subvolumes are defined before their users, so a name that is not found
 * before i is left for gf_graph_construct to report.
 */
static void mark_below(const gf_volfile_t *vf, int i, bool *keep)
{
    const gf_volfile_vol_t *vol = &vf->vols[i];

    if (keep[i])
        return;
    keep[i] = true;
    for (int s = 0; s < vol->n_subvols; s++)
        for (int j = 0; j < i; j++)
            if (strcmp(vf->vols[j].name, vol->subvols[s]) == 0)
                mark_below(vf, j, keep);
}

int gf_graph_construct_below(const gf_volfile_t *vf, const char *name, const char *xlator_dir,
                             const char *brick, gf_graph_t **out, char *err, size_t errlen)
{
    gf_volfile_t sub = {0};
    bool *keep;
    int top = -1, ret;

    *out = NULL;
    for (int i = 0; i < vf->n_vols; i++)
        if (strcmp(vf->vols[i].name, name) == 0)
            top = i;
    if (top < 0)
        return gf_errf(-EINVAL, err, errlen, "the volfile defines no volume '%s'", name);
    keep = gf_calloc((size_t)top + 1, sizeof(*keep));
    sub.vols = gf_calloc((size_t)top + 1, sizeof(*sub.vols));
    if (!keep || !sub.vols) {
        gf_free(keep);
        gf_free(sub.vols);
        return gf_errf(-ENOMEM, err, errlen, "out of memory building the graph of '%s'", name);
    }
    mark_below(vf, top, keep);
    for (int i = 0; i <= top; i++)
        if (keep[i])
            sub.vols[sub.n_vols++] = vf->vols[i]; /* shallow: construct only reads */
    ret = gf_graph_construct(&sub, xlator_dir, brick, out, err, errlen);
    gf_free(sub.vols);
    gf_free(keep);
    return ret;
}

int gf_graph_graft(gf_xlator_t *parent, gf_graph_t *g)
{
    gf_xlator_t *top = g->top;

    if (append(&parent->children, &parent->n_children, top))
        return -ENOMEM;
    if (append(&top->parents, &top->n_parents, parent)) {
        parent->n_children--;
        return -ENOMEM;
    }
    return 0;
}

/* Removes item from the array *arr of *n pointers, if there; an array left
 * empty is freed (back to whoever's account it grew on). */
static void remove_item(gf_xlator_t ***arr, int *n, const gf_xlator_t *item)
{
    for (int i = 0; i < *n; i++) {
        if ((*arr)[i] != item)
            continue;
        memmove(&(*arr)[i], &(*arr)[i + 1], (size_t)(*n - i - 1) * sizeof(**arr));
        if (--(*n) == 0) {
            gf_free(*arr);
            *arr = NULL;
        }
        return;
    }
}

void gf_graph_ungraft(gf_xlator_t *parent, gf_graph_t *g)
{
    remove_item(&parent->children, &parent->n_children, g->top);
    remove_item(&g->top->parents, &g->top->n_parents, parent);
}

/* Adds acct's counters to *sum. */
static void acct_add(gf_mem_acct_t *sum, const gf_mem_acct_t *acct)
{
    sum->bytes += __atomic_load_n(&acct->bytes, __ATOMIC_RELAXED);
    sum->blocks += __atomic_load_n(&acct->blocks, __ATOMIC_RELAXED);
    sum->total_allocs += __atomic_load_n(&acct->total_allocs, __ATOMIC_RELAXED);
}

void gf_graph_mem(gf_graph_t *g, gf_mem_acct_t *out)
{
    for (int i = 0; i < g->n; i++)
        acct_add(out, &g->xlators[i]->mem_acct);
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
        return gf_errf(-EALREADY, err, errlen, "the graph is initialized already");
    for (int i = 0; i < g->n; i++) {
        gf_xlator_t *xl = g->xlators[i];
        int ret = init_one(xl);

        if (ret) {
            fini_all(g);
            return gf_errf(ret, err, errlen,
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

/* Frees xl, adding what it still held after releasing its own (see
 * release_own) to *left when left is given. */
static void xlator_free(gf_xlator_t *xl, gf_mem_acct_t *left)
{
    release_own(xl);
    if (left)
        acct_add(left, &xl->mem_acct);
    if (xl->dl_handle)
        dlclose(xl->dl_handle);
    gf_free(xl->children);
    gf_free(xl->parents);
    gf_free(xl->name);
    gf_free(xl->type);
    gf_free(xl);
}

void gf_graph_fini_counted(gf_graph_t *g, gf_mem_acct_t *left)
{
    if (left)
        *left = (gf_mem_acct_t){0};
    if (!g)
        return;
    fini_all(g);
    for (int i = 0; i < g->n; i++)
        xlator_free(g->xlators[i], left);
    gf_free(g->xlators);
    gf_free(g->brick);
    gf_free(g);
}

void gf_graph_fini(gf_graph_t *g)
{
    gf_graph_fini_counted(g, NULL);
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
