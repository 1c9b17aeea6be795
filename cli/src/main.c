/*
 * The gluster command's entry point: global options, the connection to glusterd
 * (its unix socket, or HOST[:PORT] over TCP), confirmation of destructive
 * commands, one CLI call, and the exit status (0 success, 1 any failure).
 *
 *   gluster [--mode=script] [--xml] [--glusterd-sock PATH] [--remote-host HOST[:PORT]]
 *           [--timeout SECONDS] [--log-file FILE] volume|peer|pool COMMAND ...
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli-xdr.h"
#include "cli.h"
#include "config.h"
#include "glusterfs/ctx.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "rpc-clnt.h"

#define DEFAULT_SOCKET "/run/gfs/glusterd.socket"
#define DEFAULT_PORT 24007
#define DEFAULT_TIMEOUT_S 120

typedef struct options {
    int script;
    int xml;
    const char *sock;
    const char *remote;
    int timeout_s;
    const char *log_file;
} options_t;

static void
usage(FILE *f)
{
    fprintf(f, "Usage: gluster [OPTION]... volume|peer|pool COMMAND [ARG]...\n"
               "Manages the volumes and the trusted pool of glusterd.\n\n"
               "  --mode=script            never ask for confirmation\n"
               "  --xml                    print the answer as XML\n"
               "  --glusterd-sock PATH     glusterd's unix socket (default " DEFAULT_SOCKET ")\n"
               "  --remote-host HOST[:PORT]  reach glusterd over TCP instead (port 24007)\n"
               "  --timeout SECONDS        how long to wait for glusterd (default 120)\n"
               "  --log-file FILE          log of this command (default: none)\n"
               "  -h, --help               print this help\n"
               "  -V, --version            print the version\n\n"
               "Commands:\n");
    cli_usage(f);
}

/* Exits 1 after printing msg and the usage. */
static void __attribute__((noreturn))
bad_usage(const char *msg)
{
    fprintf(stderr, "%s\n\nUsage:\n", msg);
    cli_usage(stderr);
    exit(1);
}

static void
parse_options(int argc, char **argv, options_t *o, int *first)
{
    static const struct option opts[] = {
        {"mode", required_argument, NULL, 'm'},     {"glusterd-sock", required_argument, NULL, 's'},
        {"remote-host", required_argument, NULL, 'r'}, {"timeout", required_argument, NULL, 't'},
        {"log-file", required_argument, NULL, 'l'}, {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},        {"xml", no_argument, NULL, 'x'},
        {NULL, 0, NULL, 0},
    };
    int c;

    *o = (options_t){.sock = DEFAULT_SOCKET, .timeout_s = DEFAULT_TIMEOUT_S};
    while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
        switch (c) {
        case 'm':
            if (strcmp(optarg, "script") != 0 && strcmp(optarg, "interactive") != 0)
                bad_usage("--mode: use --mode=script (or --mode=interactive)");
            o->script = strcmp(optarg, "script") == 0;
            break;
        case 's':
            o->sock = optarg;
            break;
        case 'r':
            o->remote = optarg;
            break;
        case 't':
            if ((o->timeout_s = atoi(optarg)) <= 0)
                bad_usage("--timeout: give a number of seconds");
            break;
        case 'l':
            o->log_file = optarg;
            break;
        case 'x':
            o->xml = 1;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        case 'V':
            printf("gluster (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
            exit(0);
        default:
            bad_usage("gluster: unknown option");
        }
    }
    *first = optind;
}

/* Where glusterd is, as an rpc spec into spec, and as words into where. */
static void
target(const options_t *o, char *spec, size_t len, char *where, size_t wlen)
{
    if (!o->remote) {
        snprintf(spec, len, "unix:%s", o->sock);
        snprintf(where, wlen, "unix socket %s", o->sock);
        return;
    }
    const char *colon = strrchr(o->remote, ':');
    if (colon && !strchr(colon, ']') && strchr(o->remote, ':') == colon) {
        snprintf(spec, len, "tcp:%s", o->remote);
        snprintf(where, wlen, "%s", o->remote);
    } else {
        snprintf(spec, len, "tcp:%s:%d", o->remote, DEFAULT_PORT);
        snprintf(where, wlen, "%s port %d", o->remote, DEFAULT_PORT);
    }
}

/* Why the call of cmd failed, for the user. */
static void
explain_failure(const options_t *o, const cli_cmd_t *cmd, const char *where, int err)
{
    struct stat st;
    if (err == -EPROTO) {
        fprintf(stderr,
                "%s %s: glusterd at %s refused the request (it does not serve this "
                "command, or did not accept the call); run a glusterd of the same version "
                "as this gluster, and see glusterd's log\n",
                cmd->group, cmd->op, where);
        return;
    }
    if (err == -ETIMEDOUT) {
        fprintf(stderr,
                "glusterd at %s did not answer within %d s; it may still be working: check "
                "with `gluster volume status` and its log\n",
                where, o->timeout_s);
        return;
    }
    fprintf(stderr, "Connection failed: cannot reach glusterd at %s", where);
    if (!o->remote && stat(o->sock, &st) < 0)
        fprintf(stderr, " (%s: %s)", o->sock, strerror(errno));
    else if (err != -ENOTCONN)
        fprintf(stderr, " (%s)", strerror(-err));
    fprintf(stderr, ".\nPlease check that glusterd is running; use --glusterd-sock PATH or "
                    "--remote-host HOST[:PORT] if it listens elsewhere.\n");
}

/* Calls proc with args; on success *out gets the output dict (never NULL). */
static int
call(rpc_clnt_t *clnt, const options_t *o, uint32_t proc, gf_dict_t *args, gf_cli_rsp *rsp,
     gf_dict_t **out)
{
    gf_cli_req req = {0};
    char *buf = NULL;
    size_t len = 0;
    int err;

    if (args && gf_dict_count(args) && gf_dict_serialize(args, &buf, &len) != 0)
        return -ENOMEM;
    req.args.args_val = buf;
    req.args.args_len = (unsigned)len;
    memset(rsp, 0, sizeof(*rsp));
    err = rpc_clnt_call_sync(clnt, GF_CLI_PROGRAM, GF_CLI_VERSION, proc, NULL,
                             (xdrproc_t)xdr_gf_cli_req, &req, (xdrproc_t)xdr_gf_cli_rsp, rsp,
                             o->timeout_s * 1000);
    gf_free(buf);
    if (err)
        return err;
    if (rsp->output.output_len)
        err = gf_dict_unserialize(rsp->output.output_val, rsp->output.output_len, out);
    else
        err = (*out = gf_dict_new()) ? 0 : -ENOMEM;
    if (err)
        xdr_free((xdrproc_t)xdr_gf_cli_rsp, (char *)rsp);
    return err ? -EBADMSG : 0;
}

/* Asks question; true only for an answer starting with 'y'. */
static int
confirmed(const char *question)
{
    char answer[16];
    printf("%s (y/n) ", question);
    fflush(stdout);
    return fgets(answer, sizeof(answer), stdin) && (answer[0] == 'y' || answer[0] == 'Y');
}

/* Runs cmd against glusterd. Returns the exit status. */
static int
run(const options_t *o, cli_cmd_t *cmd)
{
    char spec[4200], where[4200];
    gf_cli_rsp rsp;
    gf_dict_t *out = NULL;
    rpc_clnt_opts_t copts = RPC_CLNT_OPTS_DEFAULT;
    rpc_clnt_t *clnt;
    int err, status;

    target(o, spec, sizeof(spec), where, sizeof(where));
    copts.call_timeout_ms = o->timeout_s * 1000;
    clnt = rpc_clnt_new(gf_ctx->events, gf_ctx->timers, spec, &copts, NULL, NULL);
    if (!clnt) {
        fprintf(stderr, "gluster: cannot use %s: %s\n", where, strerror(errno));
        return 1;
    }
    rpc_clnt_connect(clnt);
    err = call(clnt, o, cmd->proc, cmd->args, &rsp, &out);
    if (err) {
        explain_failure(o, cmd, where, err);
        rpc_clnt_destroy(clnt);
        return 1;
    }
    status = cli_print_reply(cmd, rsp.op_ret, rsp.op_errno, rsp.errstr, out);
    if (!status && !cmd->xml && cmd->proc == GF_CLI_VOLUME_STATUS && !cmd->volname &&
        gf_dict_count(out) <= 1) {
        gf_cli_rsp lrsp;
        gf_dict_t *list = NULL;
        if (call(clnt, o, GF_CLI_VOLUME_LIST, NULL, &lrsp, &list) == 0) {
            cli_print_none_started(list);
            gf_dict_unref(list);
            xdr_free((xdrproc_t)xdr_gf_cli_rsp, (char *)&lrsp);
        }
    }
    xdr_free((xdrproc_t)xdr_gf_cli_rsp, (char *)&rsp);
    gf_dict_unref(out);
    rpc_clnt_destroy(clnt);
    return status;
}

int
main(int argc, char **argv)
{
    options_t o;
    cli_cmd_t cmd;
    char err[512];
    int first, status, ret;

    parse_options(argc, argv, &o, &first);
    if (first >= argc)
        bad_usage("gluster: a command is missing");
    if (strcmp(argv[first], "help") == 0 ||
        (first + 1 < argc && strcmp(argv[first + 1], "help") == 0)) {
        usage(stdout);
        return 0;
    }
    ret = cli_parse(argc - first, argv + first, &cmd, err, sizeof(err));
    if (ret == -EINVAL)
        bad_usage(err);
    if (ret) {
        fprintf(stderr, "gluster: out of memory\n");
        return 1;
    }
    cmd.xml = o.xml;
    if (cmd.confirm && !o.script && !confirmed(cmd.confirm)) {
        fprintf(stderr, "volume %s: %s: cancelled, nothing was done\n", cmd.op, cmd.volname);
        gf_dict_unref(cmd.args);
        return 1;
    }
    if (o.log_file)
        gf_log_init(o.log_file, "gluster");
    else
        gf_log_set_level(GF_LOG_NONE);
    if (gf_ctx_init("gluster", 1, 1) != 0) {
        fprintf(stderr, "gluster: cannot start its event thread\n");
        return 1;
    }
    status = run(&o, &cmd);
    gf_dict_unref(cmd.args);
    gf_ctx_fini();
    return status;
}
