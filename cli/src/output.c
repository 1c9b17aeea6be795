/*
 * Printing glusterd's answers as GlusterFS's gluster prints them: the one-line
 * outcome of create/start/stop/delete/set/reset, the `volume info` blocks, the
 * `volume status` table (and its clients and mem details), `volume get` and
 * `volume list`. Errors, and the notes that there is nothing to
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
        printf("Open files : %s\n", figure(out, b, "fds"));
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

    if (reads)
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
        return print_status(out);
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
