/*
 * volgen: the volfiles of a volume, generated from its model on demand (at each
 * GETSPEC), never stored. The graphs and option names are fixed in doc/volfiles.md.
 */
#ifndef GD_VOLGEN_H
#define GD_VOLGEN_H

#include "volume.h"

/* Where a brick process listens. */
typedef struct gd_listen {
    const char *addr; /* bind address ("0.0.0.0" for all) */
    int port;
} gd_listen_t;

/* The client volfile of vol: one protocol/client per brick (reaching the brick's
 * glusterd, for its portmap, on mgmt_port), cluster/distribute over them when
 * there are several, debug/io-stats named after the volume on top. Allocated text
 * (gf_free it); NULL on ENOMEM. */
char *gd_volgen_client(const gd_volume_t *vol, int mgmt_port);

/* The volfile of brick number idx of vol, listening at where: storage/posix,
 * debug/io-stats named with the brick path, protocol/server with the brick's auth
 * options. Allocated text (gf_free it); NULL on ENOMEM. */
char *gd_volgen_brick(const gd_volume_t *vol, int idx, const gd_listen_t *where);

#endif
