/*
 * volgen: the volfiles of a volume, generated from its model on demand (at each
 * GETSPEC, and for each ATTACH), never stored. The graphs and option names are
 * fixed in doc/volfiles.md.
 *
 * It also holds the one table that maps the volume-level keys of `gluster volume
 * set` to the translator options they become (auth.allow -> protocol/server
 * auth.addr.BRICK.allow, ...). What a value may be, its default and its scope are
 * not repeated here: they are the translator's own option table (see xlmeta.h).
 */
#ifndef GD_VOLGEN_H
#define GD_VOLGEN_H

#include <stddef.h>

#include "volume.h"

/* Where a brick process listens. */
typedef struct gd_listen {
    const char *addr; /* bind address ("0.0.0.0" for all) */
    int port;         /* 0 while the brick is not placed in a process */
} gd_listen_t;

/* The volfiles a volume-level option is written into. */
enum { GD_VOLGEN_BRICK = 1, GD_VOLGEN_CLIENT = 2 };

/* One volume-level option. */
typedef struct gd_volgen_opt {
    const char *key;     /* as `gluster volume set VOL KEY VALUE` names it */
    const char *xl_type; /* translator that takes it, "protocol/server" */
    const char *xl_key;  /* its option there; "%s" stands for the brick name */
    int sides;           /* GD_VOLGEN_BRICK and/or GD_VOLGEN_CLIENT */
    const char *def;     /* written when the volume does not set it; NULL: nothing is
                            written and the translator's default applies */
} gd_volgen_opt_t;

/* The (first) row of the volume-level option key, or NULL when volgen knows no
 * such key. */
const gd_volgen_opt_t *gd_volgen_opt_find(const char *key);

/* The table, for listing: row i (0, 1, ...), NULL past the end. A key that becomes
 * options of several translators has one row per translator, next to each other. */
const gd_volgen_opt_t *gd_volgen_opt_at(int i);

/* The translator option key o becomes for brick (the brick path) into buf. */
const char *gd_volgen_xl_key(const gd_volgen_opt_t *o, const char *brick, char *buf, size_t len);

/* The client volfile of vol: one protocol/client per brick (reaching the brick's
 * glusterd, for its portmap, on mgmt_port), cluster/distribute over them when
 * there are several, debug/io-stats named after the volume on top, each with the
 * volume options mapped to it. Allocated text (gf_free it); NULL on ENOMEM. */
char *gd_volgen_client(const gd_volume_t *vol, int mgmt_port);

/* The volfile of brick number idx of vol, listening at where: storage/posix,
 * features/locks, debug/io-stats named with the brick path, protocol/server with
 * the brick's auth options, each with the volume options mapped to it. Allocated text (gf_free it);
 * NULL on ENOMEM. */
char *gd_volgen_brick(const gd_volume_t *vol, int idx, const gd_listen_t *where);

#endif
