/*
 * Live translator graphs, built from a parsed volfile (volfile.h).
 *
 * Building loads each volume's translator from <xlator_dir>/<CATEGORY>/<NAME>.so,
 * checks its descriptor, allocates its private struct and binds its options into
 * it, then links children and parents; nothing runs yet. Initializing calls every
 * init() from the bottom up, then tells the graph its parent is up. Finishing
 * undoes all of it. Every error says which volume and which file it concerns.
 *
 * Memory that a translator holds (its priv, its options, the strings bound into
 * priv) is charged to that translator's own account; the graph's bookkeeping is
 * charged to the caller's.
 */
#ifndef GF_GRAPH_H
#define GF_GRAPH_H

#include <stdbool.h>
#include <stddef.h>

#include "glusterfs/volfile.h"
#include "glusterfs/xlator.h"

struct gf_graph {
    gf_xlator_t **xlators; /* in volfile order: every child before its parents */
    int n;
    gf_xlator_t *top;      /* the last volume of the volfile */
    char *brick;           /* what every xl->brick points to; may be NULL */
    bool initialized;      /* gf_graph_init succeeded */
};

/*
 * Builds the graph of vf, loading translators from xlator_dir (NULL: gf_ctx's
 * xlator_dir). brick (copied; may be NULL) is what log lines of its translators
 * name. Returns 0 with *out set, or a negative errno with err[errlen] saying what
 * failed: -ENOENT (no such translator), -EINVAL (bad descriptor, unknown option,
 * bad value), -ENOMEM. vf is not kept: it may be freed once this returns.
 */
int gf_graph_construct(const gf_volfile_t *vf, const char *xlator_dir, const char *brick,
                       gf_graph_t **out, char *err, size_t errlen);

/*
 * Calls init() of every translator, children before parents, with gf_this set
 * to it, then sends GF_EVENT_PARENT_UP to the top. When an init fails, the
 * translators already initialized are finished again (parents first) and err
 * names the volume that failed. Returns 0 or that init's negative errno;
 * -EALREADY when g is initialized already.
 */
int gf_graph_init(gf_graph_t *g, char *err, size_t errlen);

/* Calls fini() of every initialized translator, parents first, then unbinds
 * options, frees privs, closes the modules and frees g. NULL is ignored. */
void gf_graph_fini(gf_graph_t *g);

gf_xlator_t *gf_graph_top(gf_graph_t *g);

/* The translator of the volume called name, or NULL. */
gf_xlator_t *gf_graph_find(gf_graph_t *g, const char *name);

/*
 * Checks that desc may serve a volume of the given type: its ABI version is
 * GF_XLATOR_ABI_VERSION, its type is type, and its option table binds only
 * inside priv_size. Returns 0, or -EINVAL with err[errlen] saying what is wrong.
 */
int gf_xlator_desc_check(const gf_xlator_desc_t *desc, const char *type, char *err,
                         size_t errlen);

#endif
