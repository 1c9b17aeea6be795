/*
 * The coordinator and the roles. Every glusterd campaigns in one election
 * (election/coordinator); the winner publishes itself and assigns roles to the
 * live servers of the pool with gd_roles_assign (roles.h), again whenever a
 * server, the pool or the volumes change. Each glusterd watches the assignments
 * and records the roles it holds:
 *
 *   coordinator        the coordinator's UUID (a session key of the coordinator)
 *   role/KIND/SCOPE    the holder's UUID, written by the coordinator only, each
 *                      change guarded by the coordinator key (a deposed
 *                      coordinator's write fails)
 *   held/KIND/SCOPE    the holder's UUID, a session key: it holds the role
 *
 * The kinds today: rebalance, one per started volume (scope: the volume name).
 * What a holder does for a role comes with the feature that owns it; here the
 * role is designated, recorded and logged.
 *
 * Runs on the event thread.
 */
#ifndef GD_COORD_H
#define GD_COORD_H

#include "glusterfs/dict.h"

#define GD_COORD_KEY "coordinator"
#define GD_ELECTION_KEY "election/coordinator"
#define GD_ROLE_PREFIX "role/"
#define GD_HELD_PREFIX "held/"

/* Campaigns, and watches the assignments (after this server registered). */
void gd_coord_start(void);
/* The session (re)started: the held keys are put again. */
void gd_coord_session_up(void);
void gd_coord_fini(void);

/* The roles of volume vol for `volume status VOL roles`: cb gets a dict with the
 * keys of doc/protocol.md section 10 (borrowed for the call), or err -errno with
 * msg. */
typedef void (*gd_roles_cb_t)(int err, const char *msg, gf_dict_t *out, void *cookie);
void gd_coord_roles(const char *vol, gd_roles_cb_t cb, void *cookie);

#endif
