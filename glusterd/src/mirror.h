/*
 * A mirror: this glusterd's copy of every key under one prefix of the store,
 * kept current by a watch. It reads the prefix once when the watch is in place
 * (and again whenever the watch is re-established), then applies the changes the
 * watch delivers: a change costs the monitor cluster one event per watching
 * server and no read, which is what keeps a thousand servers watching the same
 * configuration affordable.
 *
 * Changes that arrive while a read is in flight are merged by revision, so the
 * copy never goes back in time. A failed read is retried after 1 to 2 s (spread,
 * so that many servers do not retry at once).
 *
 * Runs on the event thread.
 */
#ifndef GD_MIRROR_H
#define GD_MIRROR_H

#include "store.h"

typedef struct gd_mirror gd_mirror_t;

/* Called after the copy changed (or was read again). */
typedef void (*gd_mirror_cb_t)(gd_mirror_t *m, void *cookie);

/* Starts mirroring prefix of the global store; cb is called each time the copy
 * changes, the first time once it has been read. 0 with *out set, or -errno. */
int gd_mirror_new(const char *prefix, gd_mirror_cb_t cb, void *cookie, gd_mirror_t **out);
/* Stops and frees m (also from its callback: it is then freed when it returns). */
void gd_mirror_free(gd_mirror_t *m);

/* The copy: *n keys sorted by key, valid until the next event-loop task; NULL and
 * 0 before the first read completed. */
const gd_kv_t *gd_mirror_kvs(const gd_mirror_t *m, int *n);
/* Whether the copy has been read at least once. */
int gd_mirror_ready(const gd_mirror_t *m);

#endif
