/*
 * The XDR glue of the FOP program, written once for both sides. For each fop,
 * a row of a table generated from fop-codec.def (the fields of each request and
 * response, declared once) gives the request and response XDR types and four
 * conversions:
 *
 *   client:  gf_args_t  --args_to_req-->  gfx_*_req  ==wire==>  req_to_args --> gf_args_t  :server
 *   client:  gf_reply_t <--rsp_to_reply-- gfx_*_rsp  <==wire==  reply_to_rsp <-- gf_reply_t :server
 *
 * Conversions only translate fields: they resolve nothing. Objects are named on the
 * wire by gfid (loc.gfid / loc.pargfid) and fds by number (gf_codec_fd_t); each side
 * maps those to its own inodes and fds. Read and write data travel as trailing
 * payload after the XDR struct, not inside it (see doc/protocol.md).
 */
#ifndef GF_FOP_CODEC_H
#define GF_FOP_CODEC_H

#include <rpc/rpc.h>
#include <stddef.h>

#include "glusterfs/xlator.h"

/* Fd numbers carried by a request (fd) or produced by a reply (open/create/opendir). */
typedef struct gf_codec_fd {
    int64_t fd;
} gf_codec_fd_t;

typedef struct gf_fop_codec {
    xdrproc_t xreq;    /* NULL: the fop is not served over the wire */
    xdrproc_t xrsp;
    size_t req_size;   /* sizeof the gfx request struct */
    size_t rsp_size;
    /* Client: fill *req from args. Allocations in req are freed with gf_codec_req_free. */
    int (*args_to_req)(const gf_args_t *args, const gf_codec_fd_t *fd, void *req);
    /* Server: fill args from a decoded req (pointers into req stay valid until the req is
     * freed with xdr_free). Dicts are new references the caller drops with gf_codec_args_wipe. */
    int (*req_to_args)(void *req, gf_args_t *args, gf_codec_fd_t *fd);
    /* Server: fill *rsp from a reply; the fd number produced (open/create/opendir) in fd. */
    int (*reply_to_rsp)(const gf_reply_t *reply, const gf_codec_fd_t *fd, void *rsp);
    /* Client: fill reply from a decoded rsp; fd->fd gets the server's fd number. */
    int (*rsp_to_reply)(void *rsp, gf_reply_t *reply, gf_codec_fd_t *fd);
} gf_fop_codec_t;

/* The row for op, or NULL when op is out of range. */
const gf_fop_codec_t *gf_fop_codec(gf_fop_t op);

/* Frees what args_to_req / reply_to_rsp allocated inside a request/response struct. */
void gf_codec_req_free(const gf_fop_codec_t *c, void *req);
void gf_codec_rsp_free(const gf_fop_codec_t *c, void *rsp);
/* Drops the references req_to_args / rsp_to_reply took (dicts, entries). */
void gf_codec_args_wipe(gf_args_t *args);
void gf_codec_reply_wipe(gf_reply_t *reply);

#endif
