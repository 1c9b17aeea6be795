/*
 * The keys of `gluster volume set VOL KEY VALUE`, `volume get` and `volume reset`:
 * volume-level keys are mapped onto translator options by volgen's table, and
 * their values are checked against those translators' own option tables (type,
 * range) read through xlmeta; `volume get` shows a value set, or the default that
 * applies. Cluster-wide keys (`volume set all ...`) are mux.h's.
 */
#ifndef GD_VOLSET_H
#define GD_VOLSET_H

#include <stddef.h>

#include "volgen.h"
#include "volume.h"
#include "xlmeta.h"

#define GD_VOLSET_VALUE_MAX 4096

/*
 * Checks that key is a volume-level key and value a valid value for it. 0, or
 * -ENOENT (no such key; err says where to find the keys, or that a cluster-wide
 * key is set with `volume set all`), -EINVAL (a bad value: err says why and what
 * is accepted), or the error of reading the translator's table, with err.
 */
int gd_volset_check(gd_xlmeta_t *meta, const char *key, const char *value, char *err,
                    size_t errlen);

/*
 * The value `volume get` shows for o on vol: the value set on vol, else o's own
 * default, else the default of the translator option it becomes, else "(null)".
 */
const char *gd_volset_value(gd_xlmeta_t *meta, const gd_volume_t *vol, const gd_volgen_opt_t *o);

#endif
