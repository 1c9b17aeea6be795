/*
 * The gluster command: what its parts share. main.c reads the global options and
 * talks to glusterd (the CLI program of doc/protocol.md section 10), parse.c turns
 * the words of a command into a request, output.c prints glusterd's answers the
 * way GlusterFS's gluster does, and xml.c does the same as XML (--xml).
 */
#ifndef CLI_H
#define CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "glusterfs/dict.h"

/* A parsed command. */
typedef struct cli_cmd {
    uint32_t proc;       /* GF_CLI_* procedure */
    const char *group;   /* "volume", "peer" or "pool": for messages */
    const char *op;      /* "create", "start", "probe", ...: for messages */
    const char *volname; /* NULL when none was given (info, status, list) */
    const char *detail;  /* of `volume status`: "clients", "mem", "roles" or NULL */
    gf_dict_t *args;     /* the request dict (one reference) */
    const char *confirm; /* question to ask before sending, or NULL */
    int reset;           /* `volume reset` (sent as VOLUME_SET with reset) */
    int xml;             /* print the answer as XML (--xml) */
} cli_cmd_t;

/* Parses argv (a command's words: "volume ...", "peer ..." or "pool ...") into
 * cmd. 0, or -EINVAL with err saying what is wrong (the caller adds the usage),
 * or -ENOMEM. On success and on -EINVAL, cmd->args may hold a dict the caller
 * unrefs (NULL when none was made); cmd's strings point into argv. */
int cli_parse(int argc, char **argv, cli_cmd_t *cmd, char *err, size_t errlen);

/* cli_parse for the words after "volume". */
int cli_parse_volume(int argc, char **argv, cli_cmd_t *cmd, char *err, size_t errlen);

/* Prints the usage of every command (volume, peer, pool) to f. */
void cli_usage(FILE *f);

/* Prints the outcome of cmd: op_ret/op_errno/op_errstr from glusterd, and its
 * output dict (may be NULL), as text or (cmd->xml) XML. Returns the exit status
 * (0 or 1). */
int cli_print_reply(const cli_cmd_t *cmd, int op_ret, int op_errno, const char *errstr,
                    gf_dict_t *out);

/* The XML forms of cli_print_reply (xml.c): `volume status` as GlusterFS's
 * <cliOutput><volStatus>, `peer status` and `pool list` as its <peerStatus>,
 * `peer probe` with its <output>, `volume status VOL roles` as our <volRoles>;
 * every other command as the <cliOutput> with opRet, opErrno and opErrstr. */
int cli_print_xml(const cli_cmd_t *cmd, int op_ret, int op_errno, const char *errstr,
                  gf_dict_t *out);

/* The state of role prefix p ("role3") of a `volume status VOL roles` output:
 * "held" (its holder recorded that it holds it), "assigned" or "unassigned". */
const char *cli_role_state(gf_dict_t *out, const char *p);

/* Prints "Volume NAME is not started" for every volume of a VOLUME_LIST output,
 * or "No volumes present" (for `volume status` when no volume is started). */
void cli_print_none_started(gf_dict_t *list);

#endif
