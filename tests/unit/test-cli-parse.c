/*
 * Unit tests of the gluster command's parser (cli/src/parse.c): each `volume`,
 * `peer` and `pool` command (set, get, reset and the status details included)
 * becomes the right procedure and request keys (doc/protocol.md section 10),
 * destructive ones ask for confirmation, and bad syntax is refused with a
 * message naming the problem. Then its printing (cli/src/output.c, xml.c) of
 * the peer, pool and roles answers, on dicts built as glusterd sends them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli-xdr.h"
#include "cli.h"

static char err[256];

/* Splits line at spaces into argv (up to 32 words, in a static buffer): argc. */
static int
split(const char *line, char **argv)
{
    static char buf[512];
    int argc = 0;

    snprintf(buf, sizeof(buf), "%s", line);
    for (char *w = strtok(buf, " "); w && argc < 32; w = strtok(NULL, " "))
        argv[argc++] = w;
    err[0] = '\0';
    return argc;
}

/* Parses the words of line into cmd, as the arguments of `volume`. */
static int
parse(const char *line, cli_cmd_t *cmd)
{
    char *argv[32];
    int argc = split(line, argv);
    return cli_parse_volume(argc, argv, cmd, err, sizeof(err));
}

/* parse() for whole commands ("peer probe h1"), through cli_parse. */
static int
parse_all(const char *line, cli_cmd_t *cmd)
{
    char *argv[32];
    int argc = split(line, argv);
    return cli_parse(argc, argv, cmd, err, sizeof(err));
}

static void
expect_arg(cli_cmd_t *cmd, const char *key, const char *want)
{
    const char *v = NULL;
    if (gf_dict_get_str(cmd->args, key, &v) != 0)
        fail_msg("request lacks %s", key);
    assert_string_equal(v, want);
}

static void
expect_error(const char *line, const char *phrase)
{
    cli_cmd_t cmd;
    assert_int_equal(parse(line, &cmd), -EINVAL);
    if (!strstr(err, phrase))
        fail_msg("error \"%s\" lacks \"%s\"", err, phrase);
    gf_dict_unref(cmd.args);
}

static void
test_create(void **state)
{
    cli_cmd_t cmd;
    assert_int_equal(parse("create v1 h1:/b1 h2:/b2 force", &cmd), 0);
    assert_int_equal(cmd.proc, GF_CLI_VOLUME_CREATE);
    assert_string_equal(cmd.volname, "v1");
    assert_null(cmd.confirm);
    expect_arg(&cmd, "volname", "v1");
    expect_arg(&cmd, "brick-count", "2");
    expect_arg(&cmd, "brick1", "h1:/b1");
    expect_arg(&cmd, "brick2", "h2:/b2");
    expect_arg(&cmd, "type", "distribute");
    expect_arg(&cmd, "force", "1");
    gf_dict_unref(cmd.args);
}

static void
test_create_options(void **state)
{
    cli_cmd_t cmd;
    assert_int_equal(parse("create v1 replica 2 transport tcp h:/a h:/b", &cmd), 0);
    expect_arg(&cmd, "type", "replicate");
    expect_arg(&cmd, "replica-count", "2");
    expect_arg(&cmd, "transport", "tcp");
    assert_false(gf_dict_has(cmd.args, "force"));
    gf_dict_unref(cmd.args);
}

static void
test_create_errors(void **state)
{
    expect_error("create", "volume name is missing");
    expect_error("create v1", "at least one brick");
    expect_error("create v1 force", "at least one brick");
    expect_error("create v1 /nohost", "wrong brick");
    expect_error("create v1 disperse 3 h:/a", "not supported");
    expect_error("create v1 h:/a replica", "needs a value");
}

static void
test_start_stop_delete(void **state)
{
    cli_cmd_t cmd;
    assert_int_equal(parse("start v1 force", &cmd), 0);
    assert_int_equal(cmd.proc, GF_CLI_VOLUME_START);
    expect_arg(&cmd, "force", "1");
    assert_null(cmd.confirm);
    gf_dict_unref(cmd.args);
    assert_int_equal(parse("stop v1", &cmd), 0);
    assert_int_equal(cmd.proc, GF_CLI_VOLUME_STOP);
    assert_non_null(strstr(cmd.confirm, "Do you want to continue?"));
    gf_dict_unref(cmd.args);
    assert_int_equal(parse("delete v1", &cmd), 0);
    assert_int_equal(cmd.proc, GF_CLI_VOLUME_DELETE);
    assert_non_null(strstr(cmd.confirm, "Deleting volume"));
    gf_dict_unref(cmd.args);
    expect_error("delete v1 force", "unexpected word \"force\"");
    expect_error("start v1 now", "unexpected word \"now\"");
    expect_error("stop", "volume name is missing");
}

static void
test_read_commands(void **state)
{
    cli_cmd_t cmd;
    assert_int_equal(parse("info", &cmd), 0);
    assert_int_equal(cmd.proc, GF_CLI_VOLUME_INFO);
    assert_null(cmd.volname);
    assert_int_equal(gf_dict_count(cmd.args), 0);
    gf_dict_unref(cmd.args);
    assert_int_equal(parse("status all", &cmd), 0);
    assert_null(cmd.volname);
    gf_dict_unref(cmd.args);
    assert_int_equal(parse("status v2", &cmd), 0);
    assert_int_equal(cmd.proc, GF_CLI_VOLUME_STATUS);
    expect_arg(&cmd, "volname", "v2");
    gf_dict_unref(cmd.args);
    assert_int_equal(parse("list", &cmd), 0);
    assert_int_equal(cmd.proc, GF_CLI_VOLUME_LIST);
    gf_dict_unref(cmd.args);
    expect_error("status v2 detail", "not supported");
    expect_error("list v1", "unexpected word");
}

static void
test_status_details(void **state)
{
    cli_cmd_t cmd;
    assert_int_equal(parse("status v2 clients", &cmd), 0);
    assert_int_equal(cmd.proc, GF_CLI_VOLUME_STATUS);
    expect_arg(&cmd, "volname", "v2");
    expect_arg(&cmd, "detail", "clients");
    gf_dict_unref(cmd.args);
    assert_int_equal(parse("status all mem", &cmd), 0);
    assert_null(cmd.volname);
    expect_arg(&cmd, "detail", "mem");
    gf_dict_unref(cmd.args);
    expect_error("status v2 inode", "not supported");
    expect_error("status v2 mem extra", "unexpected word \"extra\"");
}

static void
test_set(void **state)
{
    cli_cmd_t cmd;
    assert_int_equal(parse("set v1 auth.allow 10.* network.ping-timeout 9", &cmd), 0);
    assert_int_equal(cmd.proc, GF_CLI_VOLUME_SET);
    assert_false(cmd.reset);
    assert_string_equal(cmd.volname, "v1");
    expect_arg(&cmd, "count", "2");
    expect_arg(&cmd, "key1", "auth.allow");
    expect_arg(&cmd, "value1", "10.*");
    expect_arg(&cmd, "key2", "network.ping-timeout");
    expect_arg(&cmd, "value2", "9");
    assert_false(gf_dict_has(cmd.args, "reset"));
    gf_dict_unref(cmd.args);
    assert_int_equal(parse("set all cluster.max-bricks-per-process 3", &cmd), 0);
    expect_arg(&cmd, "volname", "all");
    expect_arg(&cmd, "key1", "cluster.max-bricks-per-process");
    gf_dict_unref(cmd.args);
    expect_error("set", "volume name (or all) is missing");
    expect_error("set v1", "option name is missing");
    expect_error("set v1 auth.allow", "option auth.allow has no value");
    expect_error("set v1 a 1 b", "option b has no value");
}

static void
test_get_reset(void **state)
{
    cli_cmd_t cmd;
    assert_int_equal(parse("get v1 all", &cmd), 0);
    assert_int_equal(cmd.proc, GF_CLI_VOLUME_GET);
    expect_arg(&cmd, "volname", "v1");
    expect_arg(&cmd, "key", "all");
    gf_dict_unref(cmd.args);
    expect_error("get v1", "option name (or all) is missing");
    expect_error("get v1 a b", "unexpected word \"b\"");
    assert_int_equal(parse("reset v1 auth.allow force", &cmd), 0);
    assert_int_equal(cmd.proc, GF_CLI_VOLUME_SET);
    assert_true(cmd.reset);
    expect_arg(&cmd, "reset", "1");
    expect_arg(&cmd, "count", "1");
    expect_arg(&cmd, "key1", "auth.allow");
    assert_false(gf_dict_has(cmd.args, "value1"));
    gf_dict_unref(cmd.args);
    assert_int_equal(parse("reset all", &cmd), 0);
    expect_arg(&cmd, "volname", "all");
    expect_arg(&cmd, "count", "0");
    gf_dict_unref(cmd.args);
    expect_error("reset v1 a b", "unexpected word \"b\"");
    expect_error("reset", "volume name (or all) is missing");
}

static void
expect_error_all(const char *line, const char *phrase)
{
    cli_cmd_t cmd;
    assert_int_equal(parse_all(line, &cmd), -EINVAL);
    if (!strstr(err, phrase))
        fail_msg("error \"%s\" lacks \"%s\"", err, phrase);
    if (cmd.args)
        gf_dict_unref(cmd.args);
}

static void
test_peer_pool(void **state)
{
    cli_cmd_t cmd;
    assert_int_equal(parse_all("peer probe 127.1.1.2", &cmd), 0);
    assert_int_equal(cmd.proc, GF_CLI_PEER_PROBE);
    assert_string_equal(cmd.group, "peer");
    assert_string_equal(cmd.op, "probe");
    assert_null(cmd.confirm);
    expect_arg(&cmd, "hostname", "127.1.1.2");
    assert_int_equal(gf_dict_count(cmd.args), 1);
    gf_dict_unref(cmd.args);
    assert_int_equal(parse_all("peer status", &cmd), 0);
    assert_int_equal(cmd.proc, GF_CLI_PEER_STATUS);
    assert_int_equal(gf_dict_count(cmd.args), 0);
    gf_dict_unref(cmd.args);
    assert_int_equal(parse_all("pool list", &cmd), 0);
    assert_int_equal(cmd.proc, GF_CLI_POOL_LIST);
    assert_string_equal(cmd.group, "pool");
    assert_int_equal(gf_dict_count(cmd.args), 0);
    gf_dict_unref(cmd.args);
    assert_int_equal(parse_all("volume info v1", &cmd), 0);
    assert_int_equal(cmd.proc, GF_CLI_VOLUME_INFO);
    assert_string_equal(cmd.group, "volume");
    gf_dict_unref(cmd.args);
    expect_error_all("peer probe", "host name or address of the server to admit is missing");
    expect_error_all("peer probe h1 h2", "peer probe: unexpected word \"h2\"");
    expect_error_all("peer status now", "peer status: unexpected word \"now\"");
    expect_error_all("pool list all", "pool list: unexpected word \"all\"");
    expect_error_all("peer", "peer: a command is missing");
    expect_error_all("peer detach h1", "peer: unknown command \"detach\"");
    expect_error_all("pool status", "pool: unknown command \"status\"");
    expect_error_all("frobnicate", "gluster: unknown command \"frobnicate\"");
    assert_int_equal(cli_parse(0, NULL, &cmd, err, sizeof(err)), -EINVAL);
}

static void
test_status_roles(void **state)
{
    cli_cmd_t cmd;
    assert_int_equal(parse_all("volume status v1 roles", &cmd), 0);
    assert_int_equal(cmd.proc, GF_CLI_VOLUME_STATUS);
    assert_string_equal(cmd.volname, "v1");
    assert_string_equal(cmd.detail, "roles");
    expect_arg(&cmd, "volname", "v1");
    expect_arg(&cmd, "detail", "roles");
    gf_dict_unref(cmd.args);
    assert_int_equal(parse("status v1", &cmd), 0);
    assert_null(cmd.detail);
    gf_dict_unref(cmd.args);
    expect_error("status all roles", "one volume at a time");
    expect_error("status v1 roles now", "unexpected word \"now\"");
}

/* What cli_print_reply wrote to stdout and stderr. */
static char out_text[8192], err_text[8192];

/* Reads what fd's file holds into buf and closes it. */
static void
slurp(FILE *f, char *buf, size_t len)
{
    size_t n;

    rewind(f);
    n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
    fclose(f);
}

/* Runs cli_print_reply with stdout and stderr captured into out_text and
 * err_text; returns its exit status. */
static int
print_captured(const cli_cmd_t *cmd, int op_ret, const char *errstr, gf_dict_t *out)
{
    FILE *o = tmpfile(), *e = tmpfile();
    int saved_out = dup(1), saved_err = dup(2), status;

    assert_non_null(o);
    assert_non_null(e);
    fflush(stdout);
    fflush(stderr);
    dup2(fileno(o), 1);
    dup2(fileno(e), 2);
    status = cli_print_reply(cmd, op_ret, op_ret ? 22 : 0, errstr, out);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(saved_out);
    close(saved_err);
    slurp(o, out_text, sizeof(out_text));
    slurp(e, err_text, sizeof(err_text));
    return status;
}

static void
set_str(gf_dict_t *d, const char *key, const char *value)
{
    assert_int_equal(gf_dict_set_str(d, key, value), 0);
}

static void
set_int(gf_dict_t *d, const char *key, int value)
{
    assert_int_equal(gf_dict_set_int32(d, key, value), 0);
}

/* Adds peer n (uuid, hostname, connected, self) to a PEER_STATUS/POOL_LIST
 * output, as glusterd sends it. */
static void
add_peer(gf_dict_t *d, int n, const char *uuid, const char *host, int connected, int self)
{
    char k[32];

    snprintf(k, sizeof(k), "peer%d.uuid", n);
    set_str(d, k, uuid);
    snprintf(k, sizeof(k), "peer%d.hostname", n);
    set_str(d, k, host);
    snprintf(k, sizeof(k), "peer%d.connected", n);
    set_int(d, k, connected);
    if (self) {
        snprintf(k, sizeof(k), "peer%d.self", n);
        set_int(d, k, 1);
    }
}

#define U1 "0f8e7c2a-1d2b-4c3d-9e4f-5a6b7c8d9e01"
#define U2 "1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c02"
#define U3 "2b3c4d5e-6f7a-4b2c-9d3e-4f5a6b7c8d03"

static void
test_print_probe(void **state)
{
    cli_cmd_t cmd;
    gf_dict_t *out = gf_dict_new();

    assert_int_equal(parse_all("peer probe h2", &cmd), 0);
    assert_int_equal(print_captured(&cmd, 0, "", out), 0);
    assert_string_equal(out_text, "peer probe: success\n");
    set_str(out, "info", "Probe on localhost not needed");
    assert_int_equal(print_captured(&cmd, 0, "", out), 0);
    assert_string_equal(out_text, "peer probe: success. Probe on localhost not needed\n");
    assert_int_equal(print_captured(&cmd, -1, "h2 is not registered with the monitor cluster",
                                    out),
                     1);
    assert_string_equal(out_text, "");
    assert_string_equal(err_text,
                        "peer probe: failed: h2 is not registered with the monitor cluster\n");
    gf_dict_unref(out);
    gf_dict_unref(cmd.args);
}

static void
test_print_peer_status(void **state)
{
    cli_cmd_t cmd;
    gf_dict_t *out = gf_dict_new();

    assert_int_equal(parse_all("peer status", &cmd), 0);
    assert_int_equal(print_captured(&cmd, 0, "", out), 0);
    assert_string_equal(out_text, "Number of Peers: 0\n");
    set_int(out, "count", 2);
    add_peer(out, 1, U2, "127.1.1.2", 1, 0);
    add_peer(out, 2, U3, "server3.example", 0, 0);
    assert_int_equal(print_captured(&cmd, 0, "", out), 0);
    assert_string_equal(out_text, "Number of Peers: 2\n"
                                  "\n"
                                  "Hostname: 127.1.1.2\n"
                                  "Uuid: " U2 "\n"
                                  "State: Peer in Cluster (Connected)\n"
                                  "\n"
                                  "Hostname: server3.example\n"
                                  "Uuid: " U3 "\n"
                                  "State: Peer in Cluster (Disconnected)\n");
    assert_string_equal(err_text, "");
    assert_int_equal(print_captured(&cmd, -1, "the monitor cluster is unreachable", out), 1);
    assert_string_equal(err_text, "peer status: failed: the monitor cluster is unreachable\n");
    gf_dict_unref(out);
    gf_dict_unref(cmd.args);
}

static void
test_print_pool_list(void **state)
{
    cli_cmd_t cmd;
    gf_dict_t *out = gf_dict_new();

    assert_int_equal(parse_all("pool list", &cmd), 0);
    set_int(out, "count", 2);
    add_peer(out, 1, U2, "h2", 0, 0);
    add_peer(out, 2, U1, "127.1.1.1", 1, 1);
    assert_int_equal(print_captured(&cmd, 0, "", out), 0);
    /* The host column is 9 wide: "localhost" (this server) is the longest. */
    assert_string_equal(out_text, "UUID\t\t\t\t\tHostname \tState\n"
                                  U2 "\th2       \tDisconnected \n"
                                  U1 "\tlocalhost\tConnected \n");
    set_int(out, "count", 3);
    add_peer(out, 3, U3, "a-longer-hostname", 1, 0);
    assert_int_equal(print_captured(&cmd, 0, "", out), 0);
    assert_non_null(strstr(out_text, "UUID\t\t\t\t\tHostname         \tState\n"));
    assert_non_null(strstr(out_text, U3 "\ta-longer-hostname\tConnected \n"));
    gf_dict_unref(out);
    gf_dict_unref(cmd.args);
}

/* Adds role n to a `volume status VOL roles` output. */
static void
add_role(gf_dict_t *d, int n, const char *kind, const char *scope, const char *holder,
         const char *host, int held)
{
    char k[32];

    snprintf(k, sizeof(k), "role%d.kind", n);
    set_str(d, k, kind);
    snprintf(k, sizeof(k), "role%d.scope", n);
    set_str(d, k, scope);
    snprintf(k, sizeof(k), "role%d.holder", n);
    set_str(d, k, holder);
    snprintf(k, sizeof(k), "role%d.holder-host", n);
    set_str(d, k, host);
    snprintf(k, sizeof(k), "role%d.held", n);
    set_int(d, k, held);
}

static gf_dict_t *
roles_output(void)
{
    gf_dict_t *out = gf_dict_new();

    set_str(out, "volume1.name", "v1");
    set_str(out, "coordinator", U1);
    set_str(out, "coordinator-host", "127.1.1.1");
    set_int(out, "role-count", 3);
    add_role(out, 1, "rebalance", "v1", U2, "127.1.1.2", 1);
    add_role(out, 2, "self-heal", "v1/0", U1, "", 0);
    add_role(out, 3, "self-heal", "v1/1", "", "", 0);
    return out;
}

static void
test_print_roles(void **state)
{
    cli_cmd_t cmd;
    gf_dict_t *out = roles_output();

    assert_int_equal(parse_all("volume status v1 roles", &cmd), 0);
    assert_int_equal(print_captured(&cmd, 0, "", out), 0);
    assert_string_equal(out_text,
                        "Roles of volume v1 (coordinator: 127.1.1.1 " U1 ")\n"
                        "Role       Scope  Holder                                State\n"
                        "------------------------------------------------------------------\n"
                        "rebalance  v1     127.1.1.2                             held\n"
                        "self-heal  v1/0   " U1 "  assigned\n"
                        "self-heal  v1/1   -                                     unassigned\n");
    gf_dict_unref(out);
    out = gf_dict_new();
    set_str(out, "volume1.name", "v1");
    set_str(out, "coordinator", "");
    set_int(out, "role-count", 0);
    assert_int_equal(print_captured(&cmd, 0, "", out), 0);
    assert_string_equal(out_text, "Roles of volume v1 (coordinator: none elected yet)\n");
    assert_string_equal(err_text, "No roles are designated for volume v1\n");
    assert_int_equal(print_captured(&cmd, -1, "Volume v9 does not exist", out), 1);
    assert_string_equal(err_text, "Volume v9 does not exist\n");
    gf_dict_unref(out);
    /* A glusterd that does not know the request answers a plain status. */
    out = gf_dict_new();
    set_int(out, "count", 1);
    set_str(out, "volume1.name", "v1");
    assert_int_equal(print_captured(&cmd, 0, "", out), 1);
    assert_string_equal(out_text, "");
    assert_non_null(strstr(err_text, "does not serve `volume status VOL roles`"));
    gf_dict_unref(out);
    gf_dict_unref(cmd.args);
}

static void
test_print_xml(void **state)
{
    cli_cmd_t cmd;
    gf_dict_t *out = gf_dict_new();

    assert_int_equal(parse_all("pool list", &cmd), 0);
    cmd.xml = 1;
    set_int(out, "count", 2);
    add_peer(out, 1, U2, "h2", 0, 0);
    add_peer(out, 2, U1, "127.1.1.1", 1, 1);
    assert_int_equal(print_captured(&cmd, 0, "", out), 0);
    assert_non_null(strstr(out_text, "  <opErrstr/>\n"
                                     "  <peerStatus>\n"
                                     "    <peer>\n"
                                     "      <uuid>" U2 "</uuid>\n"
                                     "      <hostname>h2</hostname>\n"
                                     "      <hostnames>\n"
                                     "        <hostname>h2</hostname>\n"
                                     "      </hostnames>\n"
                                     "      <connected>0</connected>\n"
                                     "      <state>3</state>\n"
                                     "      <stateStr>Peer in Cluster</stateStr>\n"
                                     "    </peer>\n"
                                     "    <peer>\n"
                                     "      <uuid>" U1 "</uuid>\n"
                                     "      <hostname>localhost</hostname>\n"
                                     "      <connected>1</connected>\n"
                                     "    </peer>\n"
                                     "  </peerStatus>\n"
                                     "</cliOutput>\n"));
    gf_dict_unref(cmd.args);
    assert_int_equal(parse_all("peer probe h2", &cmd), 0);
    cmd.xml = 1;
    assert_int_equal(print_captured(&cmd, 0, "", out), 0);
    assert_non_null(strstr(out_text, "  <opErrstr/>\n  <output>success</output>\n</cliOutput>"));
    gf_dict_unref(cmd.args);
    gf_dict_unref(out);
    out = roles_output();
    assert_int_equal(parse_all("volume status v1 roles", &cmd), 0);
    cmd.xml = 1;
    assert_int_equal(print_captured(&cmd, 0, "", out), 0);
    assert_non_null(strstr(out_text, "  <volRoles>\n"
                                     "    <volName>v1</volName>\n"
                                     "    <coordinator>\n"
                                     "      <uuid>" U1 "</uuid>\n"
                                     "      <hostname>127.1.1.1</hostname>\n"
                                     "    </coordinator>\n"
                                     "    <roleCount>3</roleCount>\n"
                                     "    <role>\n"
                                     "      <kind>rebalance</kind>\n"
                                     "      <scope>v1</scope>\n"
                                     "      <holder>" U2 "</holder>\n"
                                     "      <holderHostname>127.1.1.2</holderHostname>\n"
                                     "      <state>held</state>\n"
                                     "    </role>\n"));
    assert_non_null(strstr(out_text, "      <holder/>\n"
                                     "      <holderHostname/>\n"
                                     "      <state>unassigned</state>\n"
                                     "    </role>\n"
                                     "  </volRoles>\n"));
    gf_dict_unref(cmd.args);
    gf_dict_unref(out);
}

/* `volume status VOL clients`: GlusterFS's per-brick layout, with a row per
 * client the brick process listed, as text and as XML. */

/* Adds client k of brick prefix b to a `volume status VOL clients` output. */
static void
add_client(gf_dict_t *d, const char *b, int k, const char *host, const char *read,
           const char *written, const char *opversion)
{
    char key[96];

    snprintf(key, sizeof(key), "%s.client%d.hostname", b, k);
    set_str(d, key, host);
    snprintf(key, sizeof(key), "%s.client%d.bytes-read", b, k);
    set_str(d, key, read);
    snprintf(key, sizeof(key), "%s.client%d.bytes-written", b, k);
    set_str(d, key, written);
    snprintf(key, sizeof(key), "%s.client%d.op-version", b, k);
    set_str(d, key, opversion);
}

/* Adds brick n (on 127.1.1.1, path /b/bN) to volume 1 of a status output. */
static void
add_brick(gf_dict_t *d, int n, int online, const char *clients)
{
    char key[64], path[16];

    snprintf(key, sizeof(key), "volume1.brick%d.host", n);
    set_str(d, key, "127.1.1.1");
    snprintf(key, sizeof(key), "volume1.brick%d.path", n);
    snprintf(path, sizeof(path), "/b/b%d", n);
    set_str(d, key, path);
    snprintf(key, sizeof(key), "volume1.brick%d.online", n);
    set_int(d, key, online);
    snprintf(key, sizeof(key), "volume1.brick%d.port", n);
    set_int(d, key, online ? 49152 : 0);
    snprintf(key, sizeof(key), "volume1.brick%d.pid", n);
    set_int(d, key, online ? 4242 : -1);
    if (clients) {
        snprintf(key, sizeof(key), "volume1.brick%d.clients", n);
        set_str(d, key, clients);
        snprintf(key, sizeof(key), "volume1.brick%d.fds", n);
        set_str(d, key, "3");
    }
}

/* A `volume status v1 clients` answer: brick 1 with two clients, brick 2 with
 * none, brick 3 offline, brick 4 with three clients of which one is listed. */
static gf_dict_t *
clients_output(void)
{
    gf_dict_t *out = gf_dict_new();

    set_int(out, "count", 1);
    set_str(out, "detail", "clients");
    set_str(out, "volume1.name", "v1");
    set_int(out, "volume1.brick-count", 4);
    add_brick(out, 1, 1, "2");
    add_client(out, "volume1.brick1", 1, "127.0.0.1:49151", "1234", "5678", "100000");
    add_client(out, "volume1.brick1", 2, "[::1]:1023", "0", "28", "0");
    add_brick(out, 2, 1, "0");
    add_brick(out, 3, 0, NULL);
    add_brick(out, 4, 1, "3");
    add_client(out, "volume1.brick4", 1, "127.1.1.9:1000", "1", "2", "3");
    return out;
}

#define CLIENTS_HEAD                                                                               \
    "Hostname                                               BytesRead    BytesWritten       "      \
    "OpVersion\n"                                                                                  \
    "--------                                               ---------    ------------       "      \
    "---------\n"

static void
test_print_status_clients(void **state)
{
    cli_cmd_t cmd;
    gf_dict_t *out = clients_output();

    assert_int_equal(parse_all("volume status v1 clients", &cmd), 0);
    assert_int_equal(print_captured(&cmd, 0, "", out), 0);
    assert_string_equal(
        out_text,
        "Client connections for volume v1\n"
        "----------------------------------------------\n"
        "Brick : 127.1.1.1:/b/b1\n"
        "Clients connected : 2\n" CLIENTS_HEAD
        "127.0.0.1:49151                                             1234            5678"
        "          100000\n"
        "[::1]:1023                                                     0              28"
        "               0\n"
        "----------------------------------------------\n"
        "Brick : 127.1.1.1:/b/b2\n"
        "Clients connected : 0\n"
        "----------------------------------------------\n"
        "Brick : 127.1.1.1:/b/b3\n"
        "Brick is offline\n"
        "----------------------------------------------\n"
        "Brick : 127.1.1.1:/b/b4\n"
        "Clients connected : 3\n" CLIENTS_HEAD
        "127.1.1.9:1000                                                 1               2"
        "               3\n"
        "(2 more not listed: a brick process lists the first 1000 clients of a brick)\n"
        "----------------------------------------------\n"
        "\n");
    assert_string_equal(err_text, "");
    gf_dict_unref(out);
    gf_dict_unref(cmd.args);
}

static void
test_print_status_clients_xml(void **state)
{
    cli_cmd_t cmd;
    gf_dict_t *out = clients_output();

    assert_int_equal(parse_all("volume status v1 clients", &cmd), 0);
    cmd.xml = 1;
    assert_int_equal(print_captured(&cmd, 0, "", out), 0);
    assert_non_null(strstr(out_text, "          <pid>4242</pid>\n"
                                     "          <clientsStatus>\n"
                                     "            <clientCount>2</clientCount>\n"
                                     "            <client>\n"
                                     "              <hostname>127.0.0.1:49151</hostname>\n"
                                     "              <bytesRead>1234</bytesRead>\n"
                                     "              <bytesWrite>5678</bytesWrite>\n"
                                     "              <opVersion>100000</opVersion>\n"
                                     "            </client>\n"
                                     "            <client>\n"
                                     "              <hostname>[::1]:1023</hostname>\n"
                                     "              <bytesRead>0</bytesRead>\n"
                                     "              <bytesWrite>28</bytesWrite>\n"
                                     "              <opVersion>0</opVersion>\n"
                                     "            </client>\n"
                                     "            <openFds>3</openFds>\n"
                                     "          </clientsStatus>\n"
                                     "        </node>\n"));
    /* No clients: the count alone; offline: no clientsStatus at all. */
    assert_non_null(strstr(out_text, "          <path>/b/b2</path>\n"));
    assert_non_null(strstr(out_text, "          <clientsStatus>\n"
                                     "            <clientCount>0</clientCount>\n"
                                     "            <openFds>3</openFds>\n"
                                     "          </clientsStatus>\n"));
    assert_non_null(strstr(out_text, "          <pid>-1</pid>\n        </node>\n"));
    /* Only the clients the brick process listed. */
    assert_non_null(strstr(out_text, "            <clientCount>3</clientCount>\n"
                                     "            <client>\n"
                                     "              <hostname>127.1.1.9:1000</hostname>\n"
                                     "              <bytesRead>1</bytesRead>\n"
                                     "              <bytesWrite>2</bytesWrite>\n"
                                     "              <opVersion>3</opVersion>\n"
                                     "            </client>\n"
                                     "            <openFds>3</openFds>\n"));
    gf_dict_unref(cmd.args);
    gf_dict_unref(out);
}

static void
test_unknown_command(void **state)
{
    cli_cmd_t cmd;
    assert_int_equal(parse("frobnicate v1", &cmd), -EINVAL);
    assert_non_null(strstr(err, "unknown command \"frobnicate\""));
    assert_int_equal(cli_parse_volume(0, NULL, &cmd, err, sizeof(err)), -EINVAL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create),
        cmocka_unit_test(test_create_options),
        cmocka_unit_test(test_create_errors),
        cmocka_unit_test(test_start_stop_delete),
        cmocka_unit_test(test_read_commands),
        cmocka_unit_test(test_status_details),
        cmocka_unit_test(test_set),
        cmocka_unit_test(test_get_reset),
        cmocka_unit_test(test_unknown_command),
        cmocka_unit_test(test_peer_pool),
        cmocka_unit_test(test_status_roles),
        cmocka_unit_test(test_print_probe),
        cmocka_unit_test(test_print_peer_status),
        cmocka_unit_test(test_print_pool_list),
        cmocka_unit_test(test_print_roles),
        cmocka_unit_test(test_print_xml),
        cmocka_unit_test(test_print_status_clients),
        cmocka_unit_test(test_print_status_clients_xml),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
