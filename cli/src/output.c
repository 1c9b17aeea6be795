/*
 * Printing glusterd's answers as GlusterFS's gluster prints them: the one-line
 * outcome of create/start/stop/delete/set/reset and `peer probe`, the `volume
 * info` blocks, the `volume status` table (and its clients and mem details:
 * `clients` lists each client of each brick with its bytes and op-version),
 * `volume get`, `volume list`, `peer status` and `pool list`; and our own
 * `volume status VOL roles` table. Errors, and the notes that there is nothing to
 * show ("No volumes present"), go to stderr as GlusterFS sends them; the rest to
 * stdout, so that an empty answer is an empty standard output.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cli-xdr.h"
#include "cli.h"

#define BRICK_FIELD 43 /* width of the "Gluster process" column */
#define LINE_LEN 78

/* The text under "PREFIX.KEY" (or "KEY" when prefix is empty), or def. */
static const char *
get(gf_dict_t *out, const char *prefix, const char *key, const char *def)
{
    char k[256];
    const char *v = NULL;
    snprintf(k, sizeof(k), "%s%s%s", prefix, *prefix ? "." : "", key);
    return gf_dict_get_str(out, k, &v) == 0 ? v : def;
}

static int
get_int(gf_dict_t *out, const char *prefix, const char *key)
{
    char k[256];
    int32_t v = 0;
    snprintf(k, sizeof(k), "%s%s%s", prefix, *prefix ? "." : "", key);
    gf_dict_get_int32(out, k, &v);
    return v;
}

static void
print_line(void)
{
    for (int i = 0; i < LINE_LEN; i++)
        putchar('-');
    putchar('\n');
}

/* "distribute" -> "Distribute". */
static void
print_type(const char *type)
{
    printf("Type: %c%s\n", toupper((unsigned char)type[0]), type[0] ? type + 1 : "");
}

static void
print_info_one(gf_dict_t *out, const char *p)
{
    int bricks = get_int(out, p, "brick-count"), opts = get_int(out, p, "option-count");
    char key[48];

    printf(" \n");
    printf("Volume Name: %s\n", get(out, p, "name", ""));
    print_type(get(out, p, "type", "distribute"));
    printf("Volume ID: %s\n", get(out, p, "id", ""));
    printf("Status: %s\n", get(out, p, "status", ""));
    printf("Snapshot Count: 0\n");
    printf("Number of Bricks: %d\n", bricks);
    printf("Transport-type: %s\n", get(out, p, "transport", "tcp"));
    printf("Bricks:\n");
    for (int i = 1; i <= bricks; i++) {
        snprintf(key, sizeof(key), "brick%d", i);
        printf("Brick%d: %s\n", i, get(out, p, key, ""));
    }
    if (opts > 0)
        printf("Options Reconfigured:\n");
    for (int i = 1; i <= opts; i++) {
        char vkey[48];
        snprintf(key, sizeof(key), "option%d.key", i);
        snprintf(vkey, sizeof(vkey), "option%d.value", i);
        printf("%s: %s\n", get(out, p, key, ""), get(out, p, vkey, ""));
    }
}

static int
print_info(gf_dict_t *out)
{
    int n = get_int(out, "", "count");
    char p[32];

    if (n == 0) {
        fprintf(stderr, "No volumes present\n");
        return 0;
    }
    for (int i = 1; i <= n; i++) {
        snprintf(p, sizeof(p), "volume%d", i);
        print_info_one(out, p);
    }
    return 0;
}

/* One row of the status table: the process name (wrapped at BRICK_FIELD), ports,
 * online flag and pid, as GlusterFS lays them out. */
static void
print_brick_row(const char *label, int port, int online, int pid)
{
    size_t len = strlen(label);
    char pidtext[16];

    while (len > BRICK_FIELD) {
        printf("%.*s\n", BRICK_FIELD, label);
        label += BRICK_FIELD;
        len -= BRICK_FIELD;
    }
    printf("%-*s ", BRICK_FIELD, label);
    snprintf(pidtext, sizeof(pidtext), "%d", pid);
    if (online && port > 0)
        printf("%-10d%-11d%-8c%-5s\n", port, 0, 'Y', pidtext);
    else
        printf("%-10s%-11s%-8c%-5s\n", "N/A", "N/A", online ? 'Y' : 'N',
               pid > 0 ? pidtext : "N/A");
}

static void
print_status_one(gf_dict_t *out, const char *p)
{
    const char *name = get(out, p, "name", "");
    int bricks = get_int(out, p, "brick-count");
    char b[64], label[4200];

    printf("Status of volume: %s\n", name);
    printf("%-*s %s  %s  %s  %s\n", BRICK_FIELD, "Gluster process", "TCP Port", "RDMA Port",
           "Online", "Pid");
    print_line();
    for (int i = 1; i <= bricks; i++) {
        snprintf(b, sizeof(b), "%s.brick%d", p, i);
        snprintf(label, sizeof(label), "Brick %s:%s", get(out, b, "host", ""),
                 get(out, b, "path", ""));
        print_brick_row(label, get_int(out, b, "port"), get_int(out, b, "online"),
                        get_int(out, b, "pid"));
    }
    printf(" \n");
    printf("Task Status of Volume %s\n", name);
    print_line();
    printf("There are no active volume tasks\n");
    printf(" \n");
}

#define DETAIL_LINE "----------------------------------------------"

/* The text of figure key of brick prefix b, or "N/A". */
static const char *
figure(gf_dict_t *out, const char *b, const char *key)
{
    return get(out, b, key, "N/A");
}

/* A row of the clients table: host, bytes read, bytes written, op-version. */
static void
print_client_row(const char *host, const char *read, const char *written, const char *opversion)
{
    printf("%-48s %15s %15s %15s\n", host, read, written, opversion);
}

/* The clients table of brick prefix b (n clients connected), as GlusterFS
 * prints it: a row per client the brick process listed (b.clientK), and a note
 * when it listed fewer than n. */
static void
print_client_table(gf_dict_t *out, const char *b, int n)
{
    char c[96], host[128];
    int k;

    print_client_row("Hostname", "BytesRead", "BytesWritten", "OpVersion");
    print_client_row("--------", "---------", "------------", "---------");
    for (k = 1; k <= n; k++) {
        snprintf(c, sizeof(c), "%s.client%d", b, k);
        snprintf(host, sizeof(host), "%s.hostname", c);
        if (!gf_dict_has(out, host))
            break;
        print_client_row(get(out, c, "hostname", ""), get(out, c, "bytes-read", "0"),
                         get(out, c, "bytes-written", "0"), get(out, c, "op-version", "0"));
    }
    if (k <= n)
        printf("(%d more not listed: a brick process lists the first 1000 clients of a brick)\n",
               n - k + 1);
}

/* One brick of `volume status VOL clients|mem`. */
static void
print_detail_brick(gf_dict_t *out, const char *b, int mem)
{
    printf("%s\n", DETAIL_LINE);
    printf("Brick : %s:%s\n", get(out, b, "host", ""), get(out, b, "path", ""));
    if (!get_int(out, b, "online")) {
        printf("Brick is offline\n");
        return;
    }
    if (strcmp(get(out, b, "error", ""), "") != 0) {
        printf("No figures: %s\n", get(out, b, "error", ""));
        return;
    }
    if (!mem) {
        printf("Clients connected : %s\n", figure(out, b, "clients"));
        if (get_int(out, b, "clients") > 0)
            print_client_table(out, b, get_int(out, b, "clients"));
        return;
    }
    printf("Memory accounted : %s bytes in %s allocations\n", figure(out, b, "mem-bytes"),
           figure(out, b, "mem-blocks"));
    printf("Inodes in table : %s\n", figure(out, b, "inodes"));
    printf("Process : pid %d, port %d, %s threads, %s open descriptors (shared by its "
           "bricks)\n",
           get_int(out, b, "pid"), get_int(out, b, "port"), figure(out, b, "process-threads"),
           figure(out, b, "process-open-fds"));
}

/* `volume status VOL clients|mem` for volume prefix p. */
static void
print_detail_one(gf_dict_t *out, const char *p, int mem)
{
    int bricks = get_int(out, p, "brick-count");
    char b[64];

    if (mem)
        printf("Memory status for volume : %s\n", get(out, p, "name", ""));
    else
        printf("Client connections for volume %s\n", get(out, p, "name", ""));
    for (int i = 1; i <= bricks; i++) {
        snprintf(b, sizeof(b), "%s.brick%d", p, i);
        print_detail_brick(out, b, mem);
    }
    printf("%s\n\n", DETAIL_LINE);
}

static int
print_status(gf_dict_t *out)
{
    const char *detail = get(out, "", "detail", "");
    int n = get_int(out, "", "count");
    char p[32];
    for (int i = 1; i <= n; i++) {
        snprintf(p, sizeof(p), "volume%d", i);
        if (*detail)
            print_detail_one(out, p, strcmp(detail, "mem") == 0);
        else
            print_status_one(out, p);
    }
    return 0;
}

/* `volume get`: the option table. */
static int
print_get(gf_dict_t *out)
{
    int n = get_int(out, "", "count");
    char k[32], v[32];

    printf("%-40s %-39s\n", "Option", "Value");
    printf("%-40s %-39s\n", "------", "-----");
    for (int i = 1; i <= n; i++) {
        snprintf(k, sizeof(k), "key%d", i);
        snprintf(v, sizeof(v), "value%d", i);
        printf("%-40s %-39s\n", get(out, "", k, ""), get(out, "", v, ""));
    }
    return 0;
}

static int
print_list(gf_dict_t *out)
{
    int n = get_int(out, "", "count");
    char key[32];

    if (n == 0)
        fprintf(stderr, "No volumes present in cluster\n");
    for (int i = 1; i <= n; i++) {
        snprintf(key, sizeof(key), "volume%d", i);
        printf("%s\n", get(out, "", key, ""));
    }
    return 0;
}

/* `peer probe`: "success", and the note glusterd added ("info"), if any. */
static int
print_probe(gf_dict_t *out)
{
    const char *info = get(out, "", "info", "");

    printf("peer probe: success%s%s\n", *info ? ". " : "", info);
    return 0;
}

static const char *
connected_word(gf_dict_t *out, const char *p)
{
    return get_int(out, p, "connected") ? "Connected" : "Disconnected";
}

/* `peer status`: a block per other server, as GlusterFS prints it. */
static int
print_peer_status(gf_dict_t *out)
{
    int n = get_int(out, "", "count");
    char p[32];

    printf("Number of Peers: %d\n", n);
    for (int i = 1; i <= n; i++) {
        snprintf(p, sizeof(p), "peer%d", i);
        printf("\nHostname: %s\nUuid: %s\nState: Peer in Cluster (%s)\n",
               get(out, p, "hostname", ""), get(out, p, "uuid", ""), connected_word(out, p));
    }
    return 0;
}

/* The name `pool list` shows for peer prefix p: "localhost" for this server. */
static const char *
pool_host(gf_dict_t *out, const char *p)
{
    return get_int(out, p, "self") ? "localhost" : get(out, p, "hostname", "");
}

/* `pool list`: GlusterFS's tab-separated table, the host column as wide as its
 * longest name (at least 8). */
static int
print_pool_list(gf_dict_t *out)
{
    int n = get_int(out, "", "count"), width = 8;
    char p[32];

    for (int i = 1; i <= n; i++) {
        snprintf(p, sizeof(p), "peer%d", i);
        int len = (int)strlen(pool_host(out, p));
        if (len > width)
            width = len;
    }
    printf("UUID\t\t\t\t\t%-*s\tState\n", width, "Hostname");
    for (int i = 1; i <= n; i++) {
        snprintf(p, sizeof(p), "peer%d", i);
        printf("%s\t%-*s\t%s \n", get(out, p, "uuid", ""), width, pool_host(out, p),
               connected_word(out, p));
    }
    return 0;
}

const char *
cli_role_state(gf_dict_t *out, const char *p)
{
    if (!*get(out, p, "holder", ""))
        return "unassigned";
    return get_int(out, p, "held") ? "held" : "assigned";
}

/* The columns of the roles table. */
enum { ROLE_KIND, ROLE_SCOPE, ROLE_HOLDER, ROLE_STATE, ROLE_COLUMNS };

/* The cells of role prefix p: kind, scope, holder (its host, else its UUID, else
 * "-") and state (held, assigned or unassigned). */
static void
role_cells(gf_dict_t *out, const char *p, const char *cell[ROLE_COLUMNS])
{
    const char *uuid = get(out, p, "holder", ""), *host = get(out, p, "holder-host", "");

    cell[ROLE_KIND] = get(out, p, "kind", "");
    cell[ROLE_SCOPE] = get(out, p, "scope", "");
    cell[ROLE_HOLDER] = *host ? host : *uuid ? uuid : "-";
    cell[ROLE_STATE] = cli_role_state(out, p);
}

static void
print_role_row(const char *cell[ROLE_COLUMNS], const int width[ROLE_COLUMNS])
{
    printf("%-*s  %-*s  %-*s  %s\n", width[ROLE_KIND], cell[ROLE_KIND], width[ROLE_SCOPE],
           cell[ROLE_SCOPE], width[ROLE_HOLDER], cell[ROLE_HOLDER], cell[ROLE_STATE]);
}

/* Widens width to fit the cells. */
static void
fit_row(const char *cell[ROLE_COLUMNS], int width[ROLE_COLUMNS])
{
    for (int c = 0; c < ROLE_COLUMNS; c++) {
        int len = (int)strlen(cell[c]);
        if (len > width[c])
            width[c] = len;
    }
}

/* The roles table: a header, a rule, and a row per role (role1..roleN), each
 * column as wide as its widest cell. */
static void
print_role_table(gf_dict_t *out, int n)
{
    const char *head[ROLE_COLUMNS] = {"Role", "Scope", "Holder", "State"}, *cell[ROLE_COLUMNS];
    int width[ROLE_COLUMNS] = {0}, rule = 2 * (ROLE_COLUMNS - 1);
    char p[32];

    fit_row(head, width);
    for (int i = 1; i <= n; i++) {
        snprintf(p, sizeof(p), "role%d", i);
        role_cells(out, p, cell);
        fit_row(cell, width);
    }
    for (int c = 0; c < ROLE_COLUMNS; c++)
        rule += width[c];
    print_role_row(head, width);
    for (int i = 0; i < rule; i++)
        putchar('-');
    putchar('\n');
    for (int i = 1; i <= n; i++) {
        snprintf(p, sizeof(p), "role%d", i);
        role_cells(out, p, cell);
        print_role_row(cell, width);
    }
}

/* `volume status VOL roles`: the coordinator, then the roles table. An answer
 * without role-count comes from a glusterd that does not know the request. */
static int
print_roles(const cli_cmd_t *cmd, gf_dict_t *out)
{
    const char *vol = get(out, "volume1", "name", cmd->volname);
    const char *uuid = get(out, "", "coordinator", "");
    const char *host = get(out, "", "coordinator-host", "");
    int n = get_int(out, "", "role-count");

    if (!gf_dict_has(out, "role-count")) {
        fprintf(stderr, "volume status: glusterd answered without the roles of volume %s: "
                        "it does not serve `volume status VOL roles`; run a glusterd of the "
                        "same version as this gluster\n",
                vol);
        return 1;
    }
    if (*uuid)
        printf("Roles of volume %s (coordinator: %s%s%s)\n", vol, host, *host ? " " : "", uuid);
    else
        printf("Roles of volume %s (coordinator: none elected yet)\n", vol);
    if (n == 0) {
        fprintf(stderr, "No roles are designated for volume %s\n", vol);
        return 0;
    }
    print_role_table(out, n);
    return 0;
}

void
cli_print_none_started(gf_dict_t *list)
{
    int n = list ? get_int(list, "", "count") : 0;
    char key[32];

    if (n == 0)
        fprintf(stderr, "No volumes present\n");
    for (int i = 1; i <= n; i++) {
        snprintf(key, sizeof(key), "volume%d", i);
        fprintf(stderr, "Volume %s is not started\n", get(list, "", key, ""));
    }
}

/* The one-line failure of cmd, as GlusterFS words it. */
static void
print_failure(const cli_cmd_t *cmd, const char *errstr)
{
    int reads = cmd->proc == GF_CLI_VOLUME_INFO || cmd->proc == GF_CLI_VOLUME_STATUS ||
                cmd->proc == GF_CLI_VOLUME_LIST;

    if (strcmp(cmd->group, "volume") != 0)
        fprintf(stderr, "%s %s: failed: %s\n", cmd->group, cmd->op, errstr);
    else if (reads)
        fprintf(stderr, "%s\n", errstr);
    else if (cmd->proc == GF_CLI_VOLUME_SET || cmd->proc == GF_CLI_VOLUME_GET)
        fprintf(stderr, "volume %s: failed: %s\n", cmd->op, errstr);
    else
        fprintf(stderr, "volume %s: %s: failed: %s\n", cmd->op, cmd->volname, errstr);
}

int
cli_print_reply(const cli_cmd_t *cmd, int op_ret, int op_errno, const char *errstr,
                gf_dict_t *out)
{
    if (cmd->xml)
        return cli_print_xml(cmd, op_ret, op_errno, errstr, out);
    if (op_ret != 0) {
        print_failure(cmd, errstr);
        return 1;
    }
    switch (cmd->proc) {
    case GF_CLI_VOLUME_INFO:
        return print_info(out);
    case GF_CLI_VOLUME_STATUS:
        if (cmd->detail && strcmp(cmd->detail, "roles") == 0)
            return print_roles(cmd, out);
        return print_status(out);
    case GF_CLI_PEER_PROBE:
        return print_probe(out);
    case GF_CLI_PEER_STATUS:
        return print_peer_status(out);
    case GF_CLI_POOL_LIST:
        return print_pool_list(out);
    case GF_CLI_VOLUME_LIST:
        return print_list(out);
    case GF_CLI_VOLUME_GET:
        return print_get(out);
    case GF_CLI_VOLUME_CREATE:
        printf("volume create: %s: success: please start the volume to access data\n",
               cmd->volname);
        return 0;
    case GF_CLI_VOLUME_SET:
        printf(cmd->reset ? "volume reset: success: reset volume successful\n"
                          : "volume set: success\n");
        return 0;
    default:
        printf("volume %s: %s: success\n", cmd->op, cmd->volname);
        return 0;
    }
}
