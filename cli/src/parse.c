/*
 * Parsing of `gluster volume|peer|pool ...` commands into CLI requests (keys of
 * doc/protocol.md section 10), with the syntax of GlusterFS's gluster for the
 * commands we serve, and the usage text that lists them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli-xdr.h"
#include "cli.h"

#define STOP_QUESTION "Stopping volume will make its data inaccessible. Do you want to continue?"
#define DELETE_QUESTION                                                                      \
    "Deleting volume will erase all information about the volume. Do you want to continue?"

void
cli_usage(FILE *f)
{
    fprintf(f,
            "volume create <NEW-VOLNAME> [transport <tcp>] <HOST>:<BRICK-PATH>... [force]"
            " - create a distributed volume of the bricks given\n"
            "volume start <VOLNAME> [force] - start volume specified by <VOLNAME>\n"
            "volume stop <VOLNAME> [force] - stop volume specified by <VOLNAME>\n"
            "volume delete <VOLNAME> - delete volume specified by <VOLNAME>\n"
            "volume info [all|<VOLNAME>] - list information of all volumes\n"
            "volume status [all|<VOLNAME>] [clients|mem] - display status of all or "
            "specified volume(s)\n"
            "volume status <VOLNAME> roles - show the coordinator, and which server holds "
            "each role of the volume\n"
            "volume list - list all volumes in cluster\n"
            "volume set <VOLNAME|all> <KEY> <VALUE> [<KEY> <VALUE>]... - set options of the "
            "volume (all: the cluster-wide options)\n"
            "volume get <VOLNAME|all> <KEY|all> - show the value of an option, or of all\n"
            "volume reset <VOLNAME|all> [<KEY>] [force] - return options to their defaults\n"
            "peer probe <HOSTNAME|IP-address> - admit the server at that address to the "
            "trusted pool\n"
            "peer status - list the other servers of the pool, Connected or Disconnected\n"
            "pool list - list all the servers of the pool, this one (localhost) included\n");
}

/* Sets a text value; -ENOMEM on failure. */
static int
put(cli_cmd_t *cmd, const char *key, const char *value)
{
    return gf_dict_set_str(cmd->args, key, value) ? -ENOMEM : 0;
}

/* Handles one word of `volume create` after the name, at argv[*i]. */
static int
create_word(int argc, char **argv, int *i, cli_cmd_t *cmd, int *nbricks, char *err,
            size_t errlen)
{
    static const char *unsupported[] = {"stripe", "disperse", "disperse-data", "redundancy",
                                        "arbiter", "disperse-count", NULL};
    const char *w = argv[*i];
    char key[32];

    for (int k = 0; unsupported[k]; k++) {
        if (strcmp(w, unsupported[k]) == 0) {
            snprintf(err, errlen, "volume create: \"%s\" volumes are not supported yet", w);
            return -EINVAL;
        }
    }
    if ((strcmp(w, "replica") == 0 || strcmp(w, "transport") == 0) && *i + 1 >= argc) {
        snprintf(err, errlen, "volume create: \"%s\" needs a value", w);
        return -EINVAL;
    }
    if (strcmp(w, "replica") == 0) {
        ++*i;
        return put(cmd, "type", "replicate") ?: put(cmd, "replica-count", argv[*i]);
    }
    if (strcmp(w, "transport") == 0)
        return put(cmd, "transport", argv[++*i]);
    if (strcmp(w, "force") == 0 && *i == argc - 1)
        return put(cmd, "force", "1");
    if (!strchr(w, ':')) {
        snprintf(err, errlen,
                 "volume create: wrong brick \"%s\": give bricks as <HOST>:<absolute path>", w);
        return -EINVAL;
    }
    snprintf(key, sizeof(key), "brick%d", ++*nbricks);
    return put(cmd, key, w);
}

static int
parse_create(int argc, char **argv, cli_cmd_t *cmd, char *err, size_t errlen)
{
    int nbricks = 0, ret = 0;
    char count[16];

    if (argc < 2) {
        snprintf(err, errlen, "volume create: the volume name is missing");
        return -EINVAL;
    }
    cmd->volname = argv[1];
    ret = put(cmd, "volname", argv[1]);
    for (int i = 2; i < argc && !ret; i++)
        ret = create_word(argc, argv, &i, cmd, &nbricks, err, errlen);
    if (ret)
        return ret;
    if (nbricks == 0) {
        snprintf(err, errlen, "volume create: at least one brick (<HOST>:<path>) is needed");
        return -EINVAL;
    }
    snprintf(count, sizeof(count), "%d", nbricks);
    if (!gf_dict_has(cmd->args, "type"))
        ret = put(cmd, "type", "distribute");
    return ret ?: put(cmd, "brick-count", count);
}

/* start|stop NAME [force], delete NAME. */
static int
parse_change(int argc, char **argv, cli_cmd_t *cmd, int allow_force, char *err,
             size_t errlen)
{
    if (argc < 2) {
        snprintf(err, errlen, "volume %s: the volume name is missing", cmd->op);
        return -EINVAL;
    }
    if (argc > 3 || (argc == 3 && (!allow_force || strcmp(argv[2], "force") != 0))) {
        snprintf(err, errlen, "volume %s: unexpected word \"%s\"", cmd->op, argv[argc - 1]);
        return -EINVAL;
    }
    cmd->volname = argv[1];
    return put(cmd, "volname", argv[1]) ?: (argc == 3 ? put(cmd, "force", "1") : 0);
}

/* info [all|NAME], list. */
static int
parse_read(int argc, char **argv, cli_cmd_t *cmd, int max_words, char *err, size_t errlen)
{
    if (argc - 1 > max_words) {
        snprintf(err, errlen, "volume %s: unexpected word \"%s\"", cmd->op,
                 argv[max_words + 1]);
        return -EINVAL;
    }
    if (argc == 2 && strcmp(argv[1], "all") != 0) {
        cmd->volname = argv[1];
        return put(cmd, "volname", argv[1]);
    }
    return 0;
}

/* status [all|NAME] [clients|mem], status NAME roles. */
static int
parse_status(int argc, char **argv, cli_cmd_t *cmd, char *err, size_t errlen)
{
    const char *detail = argc == 3 ? argv[2] : NULL;
    int ret;

    if (argc > 3 || (detail && strcmp(detail, "clients") && strcmp(detail, "mem") &&
                     strcmp(detail, "roles"))) {
        snprintf(err, errlen, "volume status: unexpected word \"%s\" (of the status "
                              "details, clients, mem and roles are supported; others are "
                              "not supported yet)",
                 argv[argc > 3 ? 3 : 2]);
        return -EINVAL;
    }
    if (detail && strcmp(detail, "roles") == 0 && strcmp(argv[1], "all") == 0) {
        snprintf(err, errlen, "volume status: roles are shown for one volume at a time: "
                              "give its name, volume status <VOLNAME> roles");
        return -EINVAL;
    }
    cmd->detail = detail;
    ret = parse_read(argc < 3 ? argc : 2, argv, cmd, 1, err, errlen);
    return ret ?: detail ? put(cmd, "detail", detail) : 0;
}

/* The volume name of set|get|reset (NAME or all) into the request. */
static int
put_target(int argc, char **argv, cli_cmd_t *cmd, char *err, size_t errlen)
{
    if (argc < 2) {
        snprintf(err, errlen, "volume %s: the volume name (or all) is missing", cmd->op);
        return -EINVAL;
    }
    cmd->volname = argv[1];
    return put(cmd, "volname", argv[1]);
}

/* Puts "keyN" (and "valueN" when value is given) into the request. */
static int
put_pair(cli_cmd_t *cmd, int n, const char *key, const char *value)
{
    char k[32];

    snprintf(k, sizeof(k), "key%d", n);
    if (put(cmd, k, key))
        return -ENOMEM;
    snprintf(k, sizeof(k), "value%d", n);
    return value ? put(cmd, k, value) : 0;
}

/* set NAME|all KEY VALUE [KEY VALUE]... */
static int
parse_set(int argc, char **argv, cli_cmd_t *cmd, char *err, size_t errlen)
{
    char count[16];
    int ret = put_target(argc, argv, cmd, err, errlen), n = 0;

    if (!ret && (argc < 4 || (argc - 2) % 2 != 0)) {
        snprintf(err, errlen, argc < 3 ? "volume set: the option name is missing"
                                       : "volume set: option %s has no value",
                 argv[argc - 1]);
        return -EINVAL;
    }
    for (int i = 2; !ret && i + 1 < argc; i += 2)
        ret = put_pair(cmd, ++n, argv[i], argv[i + 1]);
    snprintf(count, sizeof(count), "%d", n);
    return ret ?: put(cmd, "count", count);
}

/* get NAME|all KEY|all */
static int
parse_get(int argc, char **argv, cli_cmd_t *cmd, char *err, size_t errlen)
{
    int ret = put_target(argc, argv, cmd, err, errlen);

    if (!ret && argc != 3) {
        snprintf(err, errlen, argc < 3 ? "volume get: the option name (or all) is missing"
                                       : "volume get: unexpected word \"%s\"",
                 argv[argc - 1]);
        return -EINVAL;
    }
    return ret ?: put(cmd, "key", argv[2]);
}

/* reset NAME|all [KEY] [force] (force is accepted and changes nothing). */
static int
parse_reset(int argc, char **argv, cli_cmd_t *cmd, char *err, size_t errlen)
{
    int n = argc, ret = put_target(argc, argv, cmd, err, errlen);

    if (n > 2 && strcmp(argv[n - 1], "force") == 0)
        n--;
    if (!ret && n > 3) {
        snprintf(err, errlen, "volume reset: unexpected word \"%s\"", argv[3]);
        return -EINVAL;
    }
    cmd->reset = 1;
    if (!ret)
        ret = put(cmd, "reset", "1");
    if (!ret && n == 3)
        ret = put_pair(cmd, 1, argv[2], NULL);
    return ret ?: put(cmd, "count", n == 3 ? "1" : "0");
}

int
cli_parse_volume(int argc, char **argv, cli_cmd_t *cmd, char *err, size_t errlen)
{
    static const struct {
        const char *op;
        uint32_t proc;
    } ops[] = {
        {"create", GF_CLI_VOLUME_CREATE}, {"start", GF_CLI_VOLUME_START},
        {"stop", GF_CLI_VOLUME_STOP},     {"delete", GF_CLI_VOLUME_DELETE},
        {"info", GF_CLI_VOLUME_INFO},     {"status", GF_CLI_VOLUME_STATUS},
        {"list", GF_CLI_VOLUME_LIST},     {"set", GF_CLI_VOLUME_SET},
        {"get", GF_CLI_VOLUME_GET},       {"reset", GF_CLI_VOLUME_SET},
    };
    int i, n = (int)(sizeof(ops) / sizeof(ops[0]));

    memset(cmd, 0, sizeof(*cmd));
    cmd->group = "volume";
    if (argc < 1) {
        snprintf(err, errlen, "volume: a command is missing");
        return -EINVAL;
    }
    for (i = 0; i < n && strcmp(argv[0], ops[i].op) != 0; i++)
        ;
    if (i == n) {
        snprintf(err, errlen, "volume: unknown command \"%s\"", argv[0]);
        return -EINVAL;
    }
    cmd->op = ops[i].op;
    cmd->proc = ops[i].proc;
    if (!(cmd->args = gf_dict_new()))
        return -ENOMEM;
    switch (cmd->proc) {
    case GF_CLI_VOLUME_CREATE:
        return parse_create(argc, argv, cmd, err, errlen);
    case GF_CLI_VOLUME_STOP:
        cmd->confirm = STOP_QUESTION;
        return parse_change(argc, argv, cmd, 1, err, errlen);
    case GF_CLI_VOLUME_DELETE:
        cmd->confirm = DELETE_QUESTION;
        return parse_change(argc, argv, cmd, 0, err, errlen);
    case GF_CLI_VOLUME_START:
        return parse_change(argc, argv, cmd, 1, err, errlen);
    case GF_CLI_VOLUME_LIST:
        return parse_read(argc, argv, cmd, 0, err, errlen);
    case GF_CLI_VOLUME_STATUS:
        return parse_status(argc, argv, cmd, err, errlen);
    case GF_CLI_VOLUME_SET:
        if (strcmp(cmd->op, "reset") == 0)
            return parse_reset(argc, argv, cmd, err, errlen);
        return parse_set(argc, argv, cmd, err, errlen);
    case GF_CLI_VOLUME_GET:
        return parse_get(argc, argv, cmd, err, errlen);
    default:
        return parse_read(argc, argv, cmd, 1, err, errlen);
    }
}

/* The words after "peer" (probe HOST, status) or "pool" (list) into cmd, which
 * has its group set and its args allocated. */
static int
parse_pool(int argc, char **argv, cli_cmd_t *cmd, char *err, size_t errlen)
{
    int probe = strcmp(cmd->group, "peer") == 0 && strcmp(argv[0], "probe") == 0;
    int max_words = probe ? 2 : 1;

    if (probe && argc < 2) {
        snprintf(err, errlen, "peer probe: the host name or address of the server to "
                              "admit is missing");
        return -EINVAL;
    }
    if (argc > max_words) {
        snprintf(err, errlen, "%s %s: unexpected word \"%s\"", cmd->group, cmd->op,
                 argv[max_words]);
        return -EINVAL;
    }
    return probe ? put(cmd, "hostname", argv[1]) : 0;
}

int
cli_parse(int argc, char **argv, cli_cmd_t *cmd, char *err, size_t errlen)
{
    static const struct {
        const char *group, *op;
        uint32_t proc;
    } ops[] = {
        {"peer", "probe", GF_CLI_PEER_PROBE},
        {"peer", "status", GF_CLI_PEER_STATUS},
        {"pool", "list", GF_CLI_POOL_LIST},
    };
    int i, n = (int)(sizeof(ops) / sizeof(ops[0]));

    memset(cmd, 0, sizeof(*cmd));
    if (argc < 1) {
        snprintf(err, errlen, "gluster: a command is missing");
        return -EINVAL;
    }
    if (strcmp(argv[0], "volume") == 0)
        return cli_parse_volume(argc - 1, argv + 1, cmd, err, errlen);
    if (strcmp(argv[0], "peer") && strcmp(argv[0], "pool")) {
        snprintf(err, errlen, "gluster: unknown command \"%s\"", argv[0]);
        return -EINVAL;
    }
    if (argc < 2) {
        snprintf(err, errlen, "%s: a command is missing", argv[0]);
        return -EINVAL;
    }
    for (i = 0; i < n && (strcmp(argv[0], ops[i].group) || strcmp(argv[1], ops[i].op)); i++)
        ;
    if (i == n) {
        snprintf(err, errlen, "%s: unknown command \"%s\"", argv[0], argv[1]);
        return -EINVAL;
    }
    *cmd = (cli_cmd_t){.group = ops[i].group, .op = ops[i].op, .proc = ops[i].proc};
    if (!(cmd->args = gf_dict_new()))
        return -ENOMEM;
    return parse_pool(argc - 1, argv + 1, cmd, err, errlen);
}
