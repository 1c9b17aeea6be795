/*
 * Fuzz target of the FOP program's request decoding (rpc/xdr/src/fop-codec.c),
 * for every fop the codec table serves.
 *
 * The first input byte picks the fop; the rest is the call's argument bytes.
 * They are decoded as protocol/server does it (codec->xreq into a zeroed
 * request struct, then codec->req_to_args). The arguments then go back
 * through the client's args_to_req (which may refuse what the server
 * tolerates, such as a lock command we do not serve); a request it builds must
 * encode, and that encoding must decode and convert again.
 */
#include <string.h>

#include "fop-codec.h"
#include "fuzz.h"
#include "glusterfs/mem.h"

/* Decodes len bytes at buf into a new request struct and its args, as the
 * server does. 0 with *req (xdr_free + free it) and args set, or -1. */
static int server_decode(const gf_fop_codec_t *c, const char *buf, size_t len, void **req,
                         gf_args_t *args, gf_codec_fd_t *fd)
{
    XDR xdr;

    *req = calloc(1, c->req_size);
    FUZZ_CHECK(*req);
    xdrmem_create(&xdr, (char *)buf, (u_int)len, XDR_DECODE);
    if (!c->xreq(&xdr, *req)) {
        xdr_free(c->xreq, *req);
        free(*req);
        return -1;
    }
    FUZZ_CHECK(xdr_getpos(&xdr) <= len);
    memset(args, 0, sizeof(*args));
    fd->fd = -1;
    if (c->req_to_args(*req, args, fd) == 0)
        return 0;
    gf_codec_args_wipe(args);
    xdr_free(c->xreq, *req);
    free(*req);
    return -1;
}

/* args -> request struct -> bytes (must work), -> request and args again. */
static void client_round_trip(const gf_fop_codec_t *c, const gf_args_t *args,
                              const gf_codec_fd_t *fd)
{
    void *req = calloc(1, c->req_size), *req2;
    gf_args_t args2;
    gf_codec_fd_t fd2;
    XDR xdr;

    FUZZ_CHECK(req);
    if (c->args_to_req(args, fd, req) != 0) {
        gf_codec_req_free(c, req);
        free(req);
        return;
    }
    size_t len = xdr_sizeof(c->xreq, req);
    char *buf = malloc(len ? len : 1);
    FUZZ_CHECK(buf);
    xdrmem_create(&xdr, buf, (u_int)len, XDR_ENCODE);
    FUZZ_CHECK(c->xreq(&xdr, req));
    FUZZ_CHECK(server_decode(c, buf, len, &req2, &args2, &fd2) == 0);
    FUZZ_CHECK(fd2.fd == fd->fd);
    gf_codec_args_wipe(&args2);
    xdr_free(c->xreq, req2);
    free(req2);
    gf_codec_req_free(c, req);
    free(req);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const gf_fop_codec_t *c;
    gf_args_t args;
    gf_codec_fd_t fd;
    void *req;

    if (size < 1 || size > UINT32_MAX)
        return 0;
    c = gf_fop_codec((gf_fop_t)(data[0] % GF_FOP_MAXVALUE));
    if (!c || !c->xreq || !c->req_to_args)
        return 0;
    if (server_decode(c, (const char *)data + 1, size - 1, &req, &args, &fd) != 0)
        return 0;
    if (c->args_to_req)
        client_round_trip(c, &args, &fd);
    gf_codec_args_wipe(&args);
    xdr_free(c->xreq, req);
    free(req);
    return 0;
}
