/*
 * Translator option metadata as glusterd reads it: the option table each
 * translator declares once (type, range, default, scope; glusterfs/options.h),
 * taken from the translator's own module. A module is opened with dlopen
 * (RTLD_LAZY | RTLD_LOCAL) the first time its type is asked for and stays open
 * while the registry lives, so that the tables it hands out stay valid; its init
 * is never called. glusterd validates `volume set` values against these tables
 * and derives from their scopes which bricks may share a process.
 *
 * Used from glusterd's event thread only; not thread-safe.
 */
#ifndef GD_XLMETA_H
#define GD_XLMETA_H

#include <stddef.h>

#include "glusterfs/options.h"

typedef struct gd_xlmeta gd_xlmeta_t;

/* A registry loading modules from dir (dir/CATEGORY/NAME.so; copied). dir NULL:
 * only tables given to gd_xlmeta_add are known. NULL on ENOMEM. */
gd_xlmeta_t *gd_xlmeta_new(const char *dir);

/* Unloads the modules and frees m; the tables it handed out are then invalid. */
void gd_xlmeta_free(gd_xlmeta_t *m);

/* Makes table the option table of type (table must outlive m). 0 or -ENOMEM. */
int gd_xlmeta_add(gd_xlmeta_t *m, const char *type, const gf_option_t *table);

/*
 * The option table of translator type (NULL-key terminated; a translator without
 * options gets an empty table), loading its module on first use. 0 with *table
 * set, or -ENOENT (no such module), -EINVAL (not a translator module of this ABI,
 * or a module of another type), -ENOMEM, each with err[errlen] saying what failed
 * and where the module was looked for.
 */
int gd_xlmeta_table(gd_xlmeta_t *m, const char *type, const gf_option_t **table, char *err,
                    size_t errlen);

#endif
