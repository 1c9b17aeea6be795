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

/*
 * Builds the graph of volume `name` of vf and of every volume below it (its
 * subvolumes, theirs, ...), in volfile order, with `name` at the top: a graph
 * of its own, with a lifetime of its own, such as one brick below the
 * protocol/server of a brick volfile. Volumes not below `name` are neither
 * loaded nor checked. Otherwise as gf_graph_construct; -EINVAL when vf has no
 * volume called name.
 */
int gf_graph_construct_below(const gf_volfile_t *vf, const char *name, const char *xlator_dir,
                             const char *brick, gf_graph_t **out, char *err, size_t errlen);

/*
 * Grafts g under parent, a translator of another graph: g's top gets parent as
 * a parent (so its CHILD_* events reach parent) and parent gets it as a child.
 * Both arrays grow on the caller's account, and an ungraft that empties one
 * frees it. The caller serializes grafts, ungrafts and whatever walks
 * parent's children or g's top's parents. 0 or -ENOMEM (nothing changed).
 */
int gf_graph_graft(gf_xlator_t *parent, gf_graph_t *g);

/* Undoes gf_graph_graft (same serialization). Does nothing when g is not
 * grafted under parent. */
void gf_graph_ungraft(gf_xlator_t *parent, gf_graph_t *g);

/* Adds up what every translator of g has accounted to it now into *out
 * (bytes and blocks; total_allocs too). */
void gf_graph_mem(gf_graph_t *g, gf_mem_acct_t *out);

/*
 * gf_graph_fini, which also reports in *left what g's translators still had
 * accounted to them once finished and their priv and options freed: zero
 * bytes and blocks when the graph gave back all it took (each translator that
 * did not is logged, as by gf_graph_fini). NULL g gives zeros.
 */
void gf_graph_fini_counted(gf_graph_t *g, gf_mem_acct_t *left);

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

/*
 * The descriptor of translator type `type` ("protocol/server"), loaded from
 * xlator_dir (NULL: gf_ctx's) and checked as gf_graph_construct checks it, for
 * reading its option table without building a graph. Modules stay loaded, so
 * *out stays valid for the life of the process. 0, or -ENOENT / -EINVAL /
 * -ENOMEM with err[errlen] saying what is wrong.
 */
int gf_xlator_desc_load(const char *type, const char *xlator_dir, const gf_xlator_desc_t **out,
                        char *err, size_t errlen);

/*
 * Compares two sets of options (a and b, either may be NULL) of a translator
 * described by desc, on the options of its table of the given scope: an
 * option absent from a set counts as its default. Pattern keys ("auth.*")
 * are not compared. Returns the first option whose values differ, or NULL
 * when they are all equal: with scope GF_SCOPE_PROCESS, whether two bricks
 * may share a process as far as this translator is concerned.
 */
const gf_option_t *gf_xlator_options_differ(const gf_xlator_desc_t *desc, gf_opt_scope_t scope,
                                            gf_dict_t *a, gf_dict_t *b);

/* The value of option opt in options (may be NULL), else its default; NULL
 * when neither is set. */
const char *gf_xlator_option_value(const gf_option_t *opt, gf_dict_t *options);

#endif
