/*
 * Printing glusterd's answers as GlusterFS's gluster prints them: the one-line
 * outcome of create/start/stop/delete, the `volume info` blocks, the `volume
 * status` table, and `volume list`. Errors, and the notes that there is nothing to
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

static int
print_status(gf_dict_t *out)
{
    int n = get_int(out, "", "count");
    char p[32];
    for (int i = 1; i <= n; i++) {
        snprintf(p, sizeof(p), "volume%d", i);
        print_status_one(out, p);
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

int
cli_print_reply(const cli_cmd_t *cmd, int op_ret, const char *errstr, gf_dict_t *out)
{
    int reads = cmd->proc == GF_CLI_VOLUME_INFO || cmd->proc == GF_CLI_VOLUME_STATUS ||
                cmd->proc == GF_CLI_VOLUME_LIST;

    if (op_ret != 0) {
        if (reads)
            fprintf(stderr, "%s\n", errstr);
        else
            fprintf(stderr, "volume %s: %s: failed: %s\n", cmd->op, cmd->volname, errstr);
        return 1;
    }
    switch (cmd->proc) {
    case GF_CLI_VOLUME_INFO:
        return print_info(out);
    case GF_CLI_VOLUME_STATUS:
        return print_status(out);
    case GF_CLI_VOLUME_LIST:
        return print_list(out);
    case GF_CLI_VOLUME_CREATE:
        printf("volume create: %s: success: please start the volume to access data\n",
               cmd->volname);
        return 0;
    default:
        printf("volume %s: %s: success\n", cmd->op, cmd->volname);
        return 0;
    }
}
