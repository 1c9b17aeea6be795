/*
 * The bricks of a brick process: its one protocol/server, built alone from the
 * process-scoped options of the first volfile's server volume, and the bricks
 * attached under it and detached again, whether at startup (the first volfile)
 * or by the brick-op program (ATTACH, DETACH, STATUS: doc/protocol.md section
 * 11). Every brick is attached by the same function, which checks its volfile
 * (protocol/server at the top, the brick among its subvolumes, process-scoped
 * options equal to the process's), builds the brick graph below the brick's
 * name, and hands it to protocol/server (server-mux.h); then the brick is
 * signed in with glusterd.
 *
 * Threads: the asynchronous operations run on the worker pool (never on an
 * event thread) and report through a callback, from any thread; any number
 * may be in flight. Nothing here starts a thread.
 */
#ifndef GFSD_BRICKS_H
#define GFSD_BRICKS_H

#include <stddef.h>

#include "glusterfs/dict.h"
#include "glusterfs/volfile.h"
#include "mgmt.h"

typedef struct gfsd_bricks gfsd_bricks_t;

/* The end of an asynchronous operation: err 0 with output (may be NULL;
 * borrowed for the call), or a positive errno with errstr saying why. Called
 * exactly once, from any thread. */
typedef void (*gfsd_bricks_done_t)(int err, const char *errstr, gf_dict_t *output, void *arg);

/* Called once, after the reply to the operation that left the process
 * without a brick (see gfsd_bricks_arm). */
typedef void (*gfsd_bricks_empty_t)(void *arg);

/*
 * Builds and starts the process's protocol/server from the options of
 * server_vol (a protocol/server volume) whose scope is `process`: it listens
 * from then on, with no brick. mgmt (may be NULL: no glusterd) is used to sign
 * bricks in and out. Returns 0 with *out, or -errno with err[errlen] saying
 * what failed.
 */
int gfsd_bricks_new(const gf_volfile_vol_t *server_vol, gfsd_mgmt_t *mgmt, gfsd_bricks_t **out,
                    char *err, size_t errlen);

/* The TCP port every brick is served on. */
int gfsd_bricks_port(gfsd_bricks_t *b);

/*
 * Attaches brick name of the parsed volfile vf, known by volfile_id (may be
 * NULL), and signs it in (not waiting for glusterd's answer): the attach of
 * ATTACH, run on the calling thread (the main thread at startup). 0 or -errno
 * with err (see doc/protocol.md 11.1 for the errors).
 */
int gfsd_bricks_attach_sync(gfsd_bricks_t *b, const gf_volfile_t *vf, const char *name,
                            const char *volfile_id, char *err, size_t errlen);

/* ATTACH: parses volfile (len bytes, copied) and attaches brick name as
 * gfsd_bricks_attach_sync does; done follows glusterd's answer to SIGNIN,
 * with output `port` and `pid`. */
void gfsd_bricks_attach(gfsd_bricks_t *b, const char *name, const char *volfile_id,
                        const char *volfile, size_t len, gfsd_bricks_done_t done, void *arg);

/* DETACH: detaches brick name, checks what its translators still held, and
 * signs it out; done gets output `mem-bytes`, `mem-blocks`, `last`. */
void gfsd_bricks_detach(gfsd_bricks_t *b, const char *name, gfsd_bricks_done_t done, void *arg);

/* STATUS: figures of brick name (NULL or "": every brick) and of the process
 * (doc/protocol.md 11.3). */
void gfsd_bricks_status(gfsd_bricks_t *b, const char *name, gfsd_bricks_done_t done, void *arg);

/* From now on, when the process is left without a brick (the DETACH of its
 * last brick, or a failed ATTACH of the only one left), it is exiting: later
 * ATTACHes are refused with ESHUTDOWN and empty(arg) is called once, after the
 * reply. */
void gfsd_bricks_arm(gfsd_bricks_t *b, gfsd_bricks_empty_t empty, void *arg);

/* Waits until no operation is in progress, then detaches every brick and
 * stops protocol/server. NULL is ignored. */
void gfsd_bricks_destroy(gfsd_bricks_t *b);

#endif
