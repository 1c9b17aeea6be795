/*
 * The --xml output of the gluster command, in the shape of GlusterFS's cliOutput
 * documents (an XML declaration, <cliOutput> with opRet, opErrno and opErrstr,
 * then the command's element), indented by two spaces per level as GlusterFS's
 * libxml2 writer does. `volume status` gives <volStatus><volumes><volume> with a
 * <node> per brick, `peer status` and `pool list` <peerStatus> with a <peer> per
 * server, `peer probe` its <output>; `volume status VOL roles` gives our own
 * <volRoles> (GlusterFS has no such command); other commands give the envelope
 * only.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli-xdr.h"
#include "cli.h"

/* GlusterFS's state number for "Peer in Cluster" (its <state> element). */
#define PEER_IN_CLUSTER 3

/* The text of "PREFIX.KEY" in out, or def. */
static const char *
text(gf_dict_t *out, const char *prefix, const char *key, const char *def)
{
    char k[256];
    const char *v = NULL;

    snprintf(k, sizeof(k), "%s.%s", prefix, key);
    return out && gf_dict_get_str(out, k, &v) == 0 ? v : def;
}

static int
number(gf_dict_t *out, const char *prefix, const char *key)
{
    char k[256];
    int32_t v = 0;

    snprintf(k, sizeof(k), "%s%s%s", prefix, *prefix ? "." : "", key);
    if (out)
        gf_dict_get_int32(out, k, &v);
    return v;
}

/* Prints s with &, <, > and " escaped. */
static void
escaped(const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", stdout); break;
        case '<': fputs("&lt;", stdout); break;
        case '>': fputs("&gt;", stdout); break;
        case '"': fputs("&quot;", stdout); break;
        default: putchar(*s);
        }
    }
}

/* <name>value</name> at depth (an empty value gives <name/>). */
static void __attribute__((format(printf, 3, 4)))
element(int depth, const char *name, const char *fmt, ...)
{
    char value[4096];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(value, sizeof(value), fmt, ap);
    va_end(ap);
    printf("%*s", depth * 2, "");
    if (!*value) {
        printf("<%s/>\n", name);
        return;
    }
    printf("<%s>", name);
    escaped(value);
    printf("</%s>\n", name);
}

static void
open_tag(int depth, const char *name)
{
    printf("%*s<%s>\n", depth * 2, "", name);
}

static void
close_tag(int depth, const char *name)
{
    printf("%*s</%s>\n", depth * 2, "", name);
}

/* <clientsStatus> of brick prefix b, as GlusterFS writes it: clientCount and a
 * <client> per client the brick process listed (b.clientK); then our openFds. */
static void
clients_status(gf_dict_t *out, const char *b, int depth)
{
    int n = number(out, b, "clients");
    char c[96], host[128];

    open_tag(depth, "clientsStatus");
    element(depth + 1, "clientCount", "%s", text(out, b, "clients", "0"));
    for (int k = 1; k <= n; k++) {
        snprintf(c, sizeof(c), "%s.client%d", b, k);
        snprintf(host, sizeof(host), "%s.hostname", c);
        if (!gf_dict_has(out, host))
            break;
        open_tag(depth + 1, "client");
        element(depth + 2, "hostname", "%s", text(out, c, "hostname", ""));
        element(depth + 2, "bytesRead", "%s", text(out, c, "bytes-read", "0"));
        element(depth + 2, "bytesWrite", "%s", text(out, c, "bytes-written", "0"));
        element(depth + 2, "opVersion", "%s", text(out, c, "op-version", "0"));
        close_tag(depth + 1, "client");
    }
    element(depth + 1, "openFds", "%s", text(out, b, "fds", "0"));
    close_tag(depth, "clientsStatus");
}

/* The figures of `status VOL clients|mem` for brick prefix b, inside its <node>. */
static void
node_detail(gf_dict_t *out, const char *b, const char *detail, int depth)
{
    if (strcmp(detail, "clients") == 0) {
        clients_status(out, b, depth);
        return;
    }
    open_tag(depth, "memStatus");
    element(depth + 1, "memBytes", "%s", text(out, b, "mem-bytes", "0"));
    element(depth + 1, "memBlocks", "%s", text(out, b, "mem-blocks", "0"));
    element(depth + 1, "inodes", "%s", text(out, b, "inodes", "0"));
    element(depth + 1, "processThreads", "%s", text(out, b, "process-threads", "0"));
    element(depth + 1, "processOpenFds", "%s", text(out, b, "process-open-fds", "0"));
    close_tag(depth, "memStatus");
}

/* One <node>: a brick of the volume at prefix b. */
static void
node(gf_dict_t *out, const char *b, const char *detail, int depth)
{
    int online = number(out, b, "online"), port = number(out, b, "port");
    char portword[16];

    snprintf(portword, sizeof(portword), "%d", port);
    open_tag(depth, "node");
    element(depth + 1, "hostname", "%s", text(out, b, "host", ""));
    element(depth + 1, "path", "%s", text(out, b, "path", ""));
    element(depth + 1, "status", "%d", online);
    element(depth + 1, "port", "%s", online && port ? portword : "N/A");
    open_tag(depth + 1, "ports");
    element(depth + 2, "tcp", "%s", online && port ? portword : "N/A");
    element(depth + 2, "rdma", "N/A");
    close_tag(depth + 1, "ports");
    element(depth + 1, "pid", "%d", number(out, b, "pid"));
    if (*detail && online)
        node_detail(out, b, detail, depth + 1);
    close_tag(depth, "node");
}

static void
vol_status(gf_dict_t *out, int depth)
{
    const char *detail = "";
    int n = number(out, "", "count");
    char p[32], b[64];

    if (out)
        gf_dict_get_str(out, "detail", &detail);
    open_tag(depth, "volStatus");
    open_tag(depth + 1, "volumes");
    for (int i = 1; i <= n; i++) {
        int bricks;
        snprintf(p, sizeof(p), "volume%d", i);
        bricks = number(out, p, "brick-count");
        open_tag(depth + 2, "volume");
        element(depth + 3, "volName", "%s", text(out, p, "name", ""));
        element(depth + 3, "nodeCount", "%d", bricks);
        for (int j = 1; j <= bricks; j++) {
            snprintf(b, sizeof(b), "%s.brick%d", p, j);
            node(out, b, detail, depth + 3);
        }
        if (!*detail)
            element(depth + 3, "tasks", "%s", "");
        close_tag(depth + 2, "volume");
    }
    close_tag(depth + 1, "volumes");
    close_tag(depth, "volStatus");
}

/* <peerStatus>: a <peer> per server of a PEER_STATUS or POOL_LIST output, with
 * GlusterFS's elements; this server (pool list) has only uuid, hostname
 * (localhost) and connected, as in GlusterFS. */
static void
peer_status(gf_dict_t *out, int depth)
{
    int n = number(out, "", "count");
    char p[32];

    if (n <= 0) {
        element(depth, "peerStatus", "%s", "");
        return;
    }
    open_tag(depth, "peerStatus");
    for (int i = 1; i <= n; i++) {
        snprintf(p, sizeof(p), "peer%d", i);
        int self = number(out, p, "self");
        const char *host = self ? "localhost" : text(out, p, "hostname", "");

        open_tag(depth + 1, "peer");
        element(depth + 2, "uuid", "%s", text(out, p, "uuid", ""));
        element(depth + 2, "hostname", "%s", host);
        if (!self) {
            open_tag(depth + 2, "hostnames");
            element(depth + 3, "hostname", "%s", host);
            close_tag(depth + 2, "hostnames");
        }
        element(depth + 2, "connected", "%d", number(out, p, "connected"));
        if (!self) {
            element(depth + 2, "state", "%d", PEER_IN_CLUSTER);
            element(depth + 2, "stateStr", "%s", "Peer in Cluster");
        }
        close_tag(depth + 1, "peer");
    }
    close_tag(depth, "peerStatus");
}

/* <volRoles>: the coordinator and a <role> per role of a `volume status VOL
 * roles` output. */
static void
vol_roles(const cli_cmd_t *cmd, gf_dict_t *out, int depth)
{
    int n = number(out, "", "role-count");
    const char *coord = "", *coord_host = "";
    char p[32];

    gf_dict_get_str(out, "coordinator", &coord);
    gf_dict_get_str(out, "coordinator-host", &coord_host);
    open_tag(depth, "volRoles");
    element(depth + 1, "volName", "%s", text(out, "volume1", "name", cmd->volname));
    open_tag(depth + 1, "coordinator");
    element(depth + 2, "uuid", "%s", coord);
    element(depth + 2, "hostname", "%s", coord_host);
    close_tag(depth + 1, "coordinator");
    element(depth + 1, "roleCount", "%d", n);
    for (int i = 1; i <= n; i++) {
        snprintf(p, sizeof(p), "role%d", i);
        open_tag(depth + 1, "role");
        element(depth + 2, "kind", "%s", text(out, p, "kind", ""));
        element(depth + 2, "scope", "%s", text(out, p, "scope", ""));
        element(depth + 2, "holder", "%s", text(out, p, "holder", ""));
        element(depth + 2, "holderHostname", "%s", text(out, p, "holder-host", ""));
        element(depth + 2, "state", "%s", cli_role_state(out, p));
        close_tag(depth + 1, "role");
    }
    close_tag(depth, "volRoles");
}

/* The command's element after the envelope of a successful reply, if any. */
static void
command_element(const cli_cmd_t *cmd, gf_dict_t *out)
{
    const char *info = "";

    switch (cmd->proc) {
    case GF_CLI_VOLUME_STATUS:
        if (cmd->detail && strcmp(cmd->detail, "roles") == 0)
            vol_roles(cmd, out, 1);
        else
            vol_status(out, 1);
        return;
    case GF_CLI_PEER_STATUS:
    case GF_CLI_POOL_LIST:
        peer_status(out, 1);
        return;
    case GF_CLI_PEER_PROBE:
        if (out)
            gf_dict_get_str(out, "info", &info);
        element(1, "output", "%s", *info ? info : "success");
        return;
    default:
        return;
    }
}

int
cli_print_xml(const cli_cmd_t *cmd, int op_ret, int op_errno, const char *errstr,
              gf_dict_t *out)
{
    printf("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n");
    open_tag(0, "cliOutput");
    element(1, "opRet", "%d", op_ret);
    element(1, "opErrno", "%d", op_errno);
    element(1, "opErrstr", "%s", op_ret && errstr ? errstr : "");
    if (op_ret == 0)
        command_element(cmd, out);
    close_tag(0, "cliOutput");
    return op_ret ? 1 : 0;
}
