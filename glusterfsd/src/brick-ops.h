/*
 * The brick-op program (doc/protocol.md section 11) served by a brick process
 * on its own unix socket, through which glusterd asks it to ATTACH, DETACH or
 * report the STATUS of bricks. This version serves STATUS (the bricks of the
 * process's graph) and refuses ATTACH and DETACH with ENOSYS.
 */
#ifndef GFSD_BRICK_OPS_H
#define GFSD_BRICK_OPS_H

#include <stddef.h>

#include "glusterfs/xlator.h"

typedef struct gfsd_brick_ops gfsd_brick_ops_t;

/*
 * The socket path of the brick process whose pidfile is pidfile: the pidfile's
 * path with its ".pid" suffix replaced by ".sock" (".sock" appended when it has
 * none). Returns a gf_malloc'ed string, or NULL on ENOMEM.
 */
char *gfsd_brick_ops_path(const char *pidfile);

/*
 * Serves the program on the unix socket at path. server is the process's
 * protocol/server translator, whose children are the bricks served; it must
 * outlive the server. volfile_id (copied; may be NULL) and port are reported
 * by STATUS. Returns 0 with *out set, or a negative errno with err[errlen]
 * saying what failed (-EADDRINUSE: another process serves that socket;
 * -ENAMETOOLONG: the path does not fit a unix socket address).
 */
int gfsd_brick_ops_start(const char *path, gf_xlator_t *server, const char *volfile_id, int port,
                         gfsd_brick_ops_t **out, char *err, size_t errlen);

/* Stops serving (the socket file is removed) and frees b. NULL is ignored. */
void gfsd_brick_ops_stop(gfsd_brick_ops_t *b);

#endif
