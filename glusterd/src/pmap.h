/*
 * The portmap: which TCP port serves which brick (by brick path, the name clients
 * give as remote-subvolume), and the GlusterFS portmap program that brick
 * processes (SIGNIN, SIGNOUT) and clients (PORTBYBRICK) call on glusterd's port.
 *
 * A port is first reserved for a brick when glusterd launches a process for it,
 * then the process signs in on it; bricks attached to a running process later sign
 * in on that process's port, so one port serves many brick names. Lives on the
 * event thread; not thread-safe.
 */
#ifndef GD_PMAP_H
#define GD_PMAP_H

#include <sys/types.h>

struct rpc_svc;

typedef struct gd_pmap gd_pmap_t;

/* Called when a brick process signs in (SIGNIN) or out (SIGNOUT). */
typedef void (*gd_pmap_hook_t)(const char *brick, int port, pid_t pid, int signed_in,
                               void *data);

/* A registry handing out ports from base_port upward. NULL on ENOMEM. */
gd_pmap_t *gd_pmap_new(int base_port, gd_pmap_hook_t hook, void *hook_data);
void gd_pmap_free(gd_pmap_t *pm);

/*
 * Reserves for brick the first port from the base upward that no brick holds and
 * that can be bound on bind_addr now. Returns the port, or -EADDRINUSE when none
 * is left, -ENOMEM.
 */
int gd_pmap_reserve(gd_pmap_t *pm, const char *bind_addr, const char *brick);

/* Records that brick is served on port by process pid (replacing what brick had). */
int gd_pmap_signin(gd_pmap_t *pm, const char *brick, int port, pid_t pid);

/* Forgets brick (its reservation or sign-in). 0, or -ENOENT when unknown. */
int gd_pmap_forget(gd_pmap_t *pm, const char *brick);

/* The port of a signed-in brick, or -ENOENT. */
int gd_pmap_port(const gd_pmap_t *pm, const char *brick);

/* The port of a brick signed in or reserved (being launched), or -ENOENT. */
int gd_pmap_known_port(const gd_pmap_t *pm, const char *brick);

/* Registers the portmap program of pm on svc. 0 or -errno. */
int gd_pmap_program_register(struct rpc_svc *svc, gd_pmap_t *pm);

#endif
