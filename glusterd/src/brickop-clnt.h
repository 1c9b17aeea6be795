/*
 * glusterd's client of the brick-op program (doc/protocol.md section 11): ATTACH,
 * DETACH and STATUS sent to one brick process on its unix socket. The connection
 * is made when a call needs it; calls made meanwhile wait for it and fail when it
 * cannot be made. Every call completes exactly once, on glusterd's event thread
 * (or inside the call itself, or inside gd_brickop_free).
 */
#ifndef GD_BRICKOP_CLNT_H
#define GD_BRICKOP_CLNT_H

#include "glusterfs/dict.h"

#define GD_BRICKOP_TIMEOUT_MS 20000 /* a call unanswered this long fails */

typedef struct gd_brickop gd_brickop_t;

/*
 * A call's end: err 0 with the reply's output dict (NULL when empty; borrowed for
 * the call), or -errno with msg: the process's own errstr when it refused
 * (err = -op_errno), or what went wrong on the way (-ENOTCONN: the process cannot
 * be reached or the connection was lost; -ETIMEDOUT: no answer in time; -EPROTO:
 * the call was not accepted; -EBADMSG: the reply did not decode). msg is valid
 * only during the call.
 */
typedef void (*gd_brickop_cb_t)(int err, const char *msg, gf_dict_t *out, void *cookie);

/* A client for the brick process serving the unix socket at sock (copied). NULL
 * on ENOMEM. */
gd_brickop_t *gd_brickop_new(const char *sock);

/* ATTACH brick (its name, the brick path), known as volfile_id, built from
 * volfile (text, copied). */
void gd_brickop_attach(gd_brickop_t *b, const char *brick, const char *volfile_id,
                       const char *volfile, gd_brickop_cb_t cb, void *cookie);
void gd_brickop_detach(gd_brickop_t *b, const char *brick, gd_brickop_cb_t cb, void *cookie);
/* STATUS of brick, or of every brick of the process when brick is "". */
void gd_brickop_status(gd_brickop_t *b, const char *brick, gd_brickop_cb_t cb, void *cookie);

/* Closes the connection; calls not answered yet end with -ENOTCONN (inside this
 * call). NULL is ignored. */
void gd_brickop_free(gd_brickop_t *b);

#endif
