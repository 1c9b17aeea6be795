/*
 * `glusterfsd --brick-op SOCKET OP ...`: a client of the brick-op program
 * (contract in brick-ops.h), for tests and for people looking at a running
 * brick process without glusterd. One call, one reply, printed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "brick-ops.h"
#include "brickop-xdr.h"
#include "glusterfs/ctx.h"
#include "glusterfs/dict.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "rpc-clnt.h"

#define CALL_TIMEOUT_MS 120000 /* an ATTACH initializes a brick graph */
#define VOLFILE_MAX     (16 << 20)

/* One call: its procedure, arguments and what names it in messages. */
typedef struct call {
    uint32_t proc;
    xdrproc_t xargs;
    union {
        gf_brick_attach_req attach;
        gf_brick_detach_req detach;
        gf_brick_status_req status;
    } args;
    const char *what; /* "ATTACH /b1" */
    char what_buf[512];
} call_t;

static int usage(void)
{
    fprintf(stderr, "Usage: glusterfsd --brick-op SOCKET attach NAME VOLFILE [VOLFILE-ID]\n"
                    "       glusterfsd --brick-op SOCKET detach NAME\n"
                    "       glusterfsd --brick-op SOCKET status [NAME]\n");
    return 2;
}

/* Reads the file at path into *buf (gf_free it). 0 or -errno. */
static int read_file(const char *path, char **buf, size_t *len)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -errno;
    *buf = gf_malloc(VOLFILE_MAX);
    *len = *buf ? fread(*buf, 1, VOLFILE_MAX, f) : 0;
    int ret = !*buf ? -ENOMEM : ferror(f) ? -EIO : !feof(f) ? -EFBIG : 0;
    fclose(f);
    if (ret) {
        gf_free(*buf);
        *buf = NULL;
    }
    return ret;
}

/* Fills c from the words after SOCKET. 0, or the exit code after a message. */
static int make_call(int argc, char **argv, call_t *c, char **volfile)
{
    const char *op = argc > 0 ? argv[0] : "";
    const char *name = argc > 1 ? argv[1] : "";
    snprintf(c->what_buf, sizeof(c->what_buf), "%s %s", op, name);
    c->what = c->what_buf;
    if (strcmp(op, "attach") == 0 && (argc == 3 || argc == 4)) {
        size_t len = 0;
        int ret = read_file(argv[2], volfile, &len);
        if (ret) {
            fprintf(stderr, "glusterfsd: cannot read volfile %s: %s\n", argv[2], strerror(-ret));
            return 1;
        }
        c->proc = GF_BRICKOP_ATTACH;
        c->xargs = (xdrproc_t)xdr_gf_brick_attach_req;
        c->args.attach = (gf_brick_attach_req){.brick_name = (char *)name,
                                               .volfile_id = argc == 4 ? argv[3] : ""};
        c->args.attach.volfile.volfile_val = *volfile;
        c->args.attach.volfile.volfile_len = (u_int)len;
    } else if (strcmp(op, "detach") == 0 && argc == 2) {
        c->proc = GF_BRICKOP_DETACH;
        c->xargs = (xdrproc_t)xdr_gf_brick_detach_req;
        c->args.detach = (gf_brick_detach_req){.brick_name = (char *)name};
    } else if (strcmp(op, "status") == 0 && argc <= 2) {
        c->proc = GF_BRICKOP_STATUS;
        c->xargs = (xdrproc_t)xdr_gf_brick_status_req;
        c->args.status = (gf_brick_status_req){.brick_name = (char *)name};
    } else {
        return usage();
    }
    return 0;
}

/* gf_dict_foreach: prints KEY=VALUE. */
static int print_pair(gf_dict_t *d, const char *key, const gf_data_t *value, void *arg)
{
    const char *text = NULL;
    if (gf_dict_get_str(d, key, &text) == 0)
        printf("%s=%s\n", key, text);
    else if (value->type == GF_DATA_TYPE_INT)
        printf("%s=%lld\n", key, (long long)value->v.i64);
    else
        printf("%s=%llu\n", key, (unsigned long long)value->v.u64);
    return 0;
}

/* Prints the reply; returns the exit code. */
static int report(const call_t *c, const gf_brick_op_rsp *rsp)
{
    gf_dict_t *out = NULL;
    if (rsp->op_ret < 0) {
        fprintf(stderr, "glusterfsd: %s: %s (%s)\n", c->what, rsp->errstr ? rsp->errstr : "",
                strerror(rsp->op_errno));
        return 1;
    }
    if (rsp->output.output_len &&
        gf_dict_unserialize(rsp->output.output_val, rsp->output.output_len, &out) != 0) {
        fprintf(stderr, "glusterfsd: %s: the reply's output does not decode\n", c->what);
        return 1;
    }
    if (out)
        gf_dict_foreach(out, print_pair, NULL);
    gf_dict_unref(out);
    return 0;
}

/* Connects to the socket, makes the call and prints the reply. */
static int call_socket(const char *socket, const call_t *c)
{
    char spec[300];
    snprintf(spec, sizeof(spec), "unix:%s", socket);
    rpc_clnt_opts_t opts = {.call_timeout_ms = CALL_TIMEOUT_MS};
    rpc_clnt_t *clnt = rpc_clnt_new(gf_ctx->events, gf_ctx->timers, spec, &opts, NULL, NULL);
    int ret = clnt ? rpc_clnt_connect(clnt) : -ENOMEM;
    gf_brick_op_rsp rsp = {0};
    if (!ret)
        ret = rpc_clnt_call_sync(clnt, GF_BRICKOP_PROGRAM, GF_BRICKOP_VERSION, c->proc, NULL,
                                 c->xargs, (void *)&c->args, (xdrproc_t)xdr_gf_brick_op_rsp, &rsp,
                                 CALL_TIMEOUT_MS);
    if (clnt)
        rpc_clnt_destroy(clnt);
    if (ret) {
        fprintf(stderr, "glusterfsd: %s: cannot call the brick process on %s: %s\n", c->what,
                socket, strerror(-ret));
        return 1;
    }
    ret = report(c, &rsp);
    xdr_free((xdrproc_t)xdr_gf_brick_op_rsp, (char *)&rsp);
    return ret;
}

int gfsd_brick_op_tool(int argc, char **argv)
{
    call_t c = {0};
    char *volfile = NULL;
    if (argc < 2)
        return usage();
    int code = make_call(argc - 1, argv + 1, &c, &volfile);
    if (code == 0) {
        gf_log_init(NULL, "glusterfsd");
        gf_log_set_level(GF_LOG_WARNING);
        code = gf_ctx_init("glusterfsd-brick-op", 1, 1) ? 1 : call_socket(argv[0], &c);
        gf_ctx_fini();
        gf_log_fini();
    }
    gf_free(volfile);
    return code;
}
