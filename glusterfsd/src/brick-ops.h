/*
 * The brick-op program (doc/protocol.md section 11): the server side, served
 * by a brick process on its own unix socket, through which glusterd asks it to
 * ATTACH, DETACH or report the STATUS of bricks; and a small client of it for
 * tests and people (`glusterfsd --brick-op SOCKET ...`).
 */
#ifndef GFSD_BRICK_OPS_H
#define GFSD_BRICK_OPS_H

#include <stddef.h>

#include "bricks.h"

typedef struct gfsd_brick_ops gfsd_brick_ops_t;

/*
 * The socket path of the brick process whose pidfile is pidfile: the pidfile's
 * path with its ".pid" suffix replaced by ".sock" (".sock" appended when it has
 * none). Returns a gf_malloc'ed string, or NULL on ENOMEM.
 */
char *gfsd_brick_ops_path(const char *pidfile);

/*
 * Serves the program on the unix socket at path, for the bricks of bricks
 * (which must outlive the server). Returns 0 with *out set, or a negative
 * errno with err[errlen] saying what failed (-EADDRINUSE: another process
 * serves that socket; -ENAMETOOLONG: the path does not fit a unix socket
 * address).
 */
int gfsd_brick_ops_start(const char *path, gfsd_bricks_t *bricks, gfsd_brick_ops_t **out, char *err,
                         size_t errlen);

/* Stops serving (the socket file is removed) and frees b. First waits, two
 * seconds at most, until the reply to every call in progress has been handed
 * to the transport; replies later than that are dropped. NULL is ignored. */
void gfsd_brick_ops_stop(gfsd_brick_ops_t *b);

/*
 * The client: `SOCKET attach NAME VOLFILE [VOLFILE-ID] | detach NAME |
 * status [NAME]` (argv holds these words, argc counts them). Prints the
 * reply's output as KEY=VALUE lines on standard output; on failure prints
 * "glusterfsd: OP NAME: errstr (error)" on standard error. Returns the exit
 * code: 0, 1 when the call failed, 2 for bad arguments.
 */
int gfsd_brick_op_tool(int argc, char **argv);

#endif
