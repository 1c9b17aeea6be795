/*
 * Fuzz target of the handshake requests a server decodes before any
 * authentication: SETVOLUME (brick processes), GETSPEC and GET_VOLUME_INFO
 * (glusterd). The first input byte picks the request, the rest is its
 * argument bytes: they are XDR-decoded with the bounds of handshake.x, then
 * the old-format dict each request carries is unserialized, as the servers do.
 */
#include <string.h>

#include "fuzz.h"
#include "glusterfs/dict.h"
#include "handshake-xdr.h"

/* Unserializes a dict a request carried (absent when empty). */
static void read_dict(const char *val, u_int len)
{
    gf_dict_t *out;

    if (len == 0)
        return;
    FUZZ_CHECK(val);
    if (gf_dict_unserialize(val, len, &out) == 0)
        gf_dict_unref(out);
}

static void setvolume(XDR *xdr)
{
    gf_setvolume_req args;

    memset(&args, 0, sizeof(args));
    if (xdr_gf_setvolume_req(xdr, &args))
        read_dict(args.dict.dict_val, args.dict.dict_len);
    xdr_free((xdrproc_t)xdr_gf_setvolume_req, (char *)&args);
}

/* glusterd reads key as a C string at once: it must be there. */
static void getspec(XDR *xdr)
{
    gf_getspec_req args;

    memset(&args, 0, sizeof(args));
    if (xdr_gf_getspec_req(xdr, &args)) {
        FUZZ_CHECK(args.key);
        read_dict(args.xdata.xdata_val, args.xdata.xdata_len);
    }
    xdr_free((xdrproc_t)xdr_gf_getspec_req, (char *)&args);
}

static void volume_info(XDR *xdr)
{
    gf_get_volume_info_req args;

    memset(&args, 0, sizeof(args));
    if (xdr_gf_get_volume_info_req(xdr, &args))
        read_dict(args.dict.dict_val, args.dict.dict_len);
    xdr_free((xdrproc_t)xdr_gf_get_volume_info_req, (char *)&args);
}

static void (*const requests[])(XDR *xdr) = {setvolume, getspec, volume_info};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    XDR xdr;

    if (size < 1 || size > UINT32_MAX)
        return 0;
    xdrmem_create(&xdr, (char *)data + 1, (u_int)(size - 1), XDR_DECODE);
    requests[data[0] % (sizeof(requests) / sizeof(requests[0]))](&xdr);
    return 0;
}
