/*
 * The RPC programs glusterd serves on its listeners, each registered by the file
 * that implements it: handshake (GETSPEC) in handshake.c, CLI in cli-ops.c; the
 * portmap program is registered with its registry (pmap.h).
 */
#ifndef GD_PROGRAMS_H
#define GD_PROGRAMS_H

struct rpc_svc;

/* Register the program on svc. 0 or -errno. */
int gd_handshake_program_register(struct rpc_svc *svc);
int gd_cli_program_register(struct rpc_svc *svc);

#endif
