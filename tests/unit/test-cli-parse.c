/*
 * Unit tests of the gluster command's parser (cli/src/parse.c): each `volume`
 * command (set, get, reset and the status details included) becomes the right
 * procedure and request keys (doc/protocol.md section 10), destructive ones ask
 * for confirmation, and bad syntax is refused with a message naming the problem.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cli-xdr.h"
#include "cli.h"

static char err[256];

/* Parses the words of line (split at spaces) into cmd. */
static int
parse(const char *line, cli_cmd_t *cmd)
{
    static char buf[512];
    char *argv[32];
    int argc = 0;

    strcpy(buf, line);
    for (char *w = strtok(buf, " "); w; w = strtok(NULL, " "))
        argv[argc++] = w;
    err[0] = '\0';
    return cli_parse_volume(argc, argv, cmd, err, sizeof(err));
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
