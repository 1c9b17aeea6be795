/*
 * The brick process's connection to glusterd (the "mgmt" connection): it
 * fetches the first brick volfile with handshake GETSPEC and registers the
 * port of every brick the process serves with portmap SIGNIN, again after
 * every reconnection, so that a restarted glusterd learns where the bricks
 * that kept running listen. A detached brick is signed out with SIGNOUT, and
 * so is every brick at shutdown.
 *
 * Threads: gfsd_mgmt_getspec and gfsd_mgmt_signout_all block and are for the
 * main thread only; the rest never blocks. Reconnection and the SIGNIN that
 * follows it happen on event threads.
 */
#ifndef GFSD_MGMT_H
#define GFSD_MGMT_H

#include <stddef.h>

typedef struct gfsd_mgmt gfsd_mgmt_t;

/*
 * Creates the connection to glusterd at host:port and starts connecting (with
 * reconnection). Returns 0 with *out set, or a negative errno with err[errlen]
 * saying what failed.
 */
int gfsd_mgmt_new(const char *host, int port, gfsd_mgmt_t **out, char *err, size_t errlen);

/*
 * Fetches the volfile called volfile_id (GETSPEC; brick, may be NULL, is sent
 * as xdata brick_name), waiting up to timeout_ms in all for the connection and
 * the reply. Returns 0 with *spec (gf_free it; NUL-terminated) and *len set, or
 * a negative errno with err[errlen] saying what failed: -ENOTCONN (glusterd
 * unreachable), -ETIMEDOUT, -ENOENT (no such volfile), -EPROTO, -ECANCELED
 * (gfsd_mgmt_cancel was called).
 */
int gfsd_mgmt_getspec(gfsd_mgmt_t *m, const char *volfile_id, const char *brick, int timeout_ms,
                      char **spec, size_t *len, char *err, size_t errlen);

/* Makes gfsd_mgmt_getspec, now or later, give up within a fraction of a
 * second with -ECANCELED. Never blocks; callable from any thread. */
void gfsd_mgmt_cancel(gfsd_mgmt_t *m);

/* The outcome of one SIGNIN or SIGNOUT: 0 when glusterd accepted it, else a
 * negative errno (-ENOTCONN when not connected: a SIGNIN is then sent on the
 * next connection). Runs on an event thread, or in the call that sent it. */
typedef void (*gfsd_mgmt_cb)(int status, void *arg);

/*
 * From now on, brick (copied) serving on port is signed in (SIGNIN): now when
 * connected, and after every reconnection. cb (may be NULL) gets the outcome
 * of the first SIGNIN; every outcome is logged. 0, or -ENOMEM (cb not called).
 */
int gfsd_mgmt_signin(gfsd_mgmt_t *m, const char *brick, int port, gfsd_mgmt_cb cb, void *arg);

/* Stops signing brick in and signs it out (SIGNOUT) when connected; cb (may
 * be NULL) gets the outcome, which is logged. Never blocks. */
void gfsd_mgmt_signout(gfsd_mgmt_t *m, const char *brick, gfsd_mgmt_cb cb, void *arg);

/*
 * Stops signing in, then signs every brick out, waiting at most timeout_ms in
 * all for glusterd's replies (none when not connected). Best effort: the
 * outcome is logged.
 */
void gfsd_mgmt_signout_all(gfsd_mgmt_t *m, int timeout_ms);

/* Closes the connection and frees m. NULL is ignored. */
void gfsd_mgmt_destroy(gfsd_mgmt_t *m);

#endif
