/*
 * Fuzz target of the typed dict of the FOP program: the input is XDR-decoded
 * as a gfx_dict (rpcgen's decoder, with the bounds of fops.x), then turned
 * into a dict by gf_dict_from_gfx (rpc/xdr/src/dict-xdr.c), as protocol/server
 * does with every xdata and xattr dict.
 *
 * A dict that converts must go back to a gfx_dict whose xdr_size is exact and
 * whose encoding decodes and converts again to a dict of the same size.
 */
#include <string.h>

#include "dict-xdr.h"
#include "fuzz.h"
#include "glusterfs/mem.h"

/* Encodes x into a new buffer (*len bytes); checks xdr_size on the way. */
static char *encode(gfx_dict *x, size_t *len)
{
    XDR xdr;

    *len = xdr_sizeof((xdrproc_t)xdr_gfx_dict, x);
    FUZZ_CHECK(x->xdr_size == (*len > 12 ? *len - 12 : 0));
    char *buf = malloc(*len);
    FUZZ_CHECK(buf);
    xdrmem_create(&xdr, buf, (u_int)*len, XDR_ENCODE);
    FUZZ_CHECK(xdr_gfx_dict(&xdr, x));
    FUZZ_CHECK(xdr_getpos(&xdr) == *len);
    return buf;
}

/* dict -> gfx_dict -> bytes -> gfx_dict -> dict, which must hold as many pairs. */
static void round_trip(gf_dict_t *dict)
{
    gfx_dict out, back;
    gf_dict_t *again = NULL;
    size_t len;
    XDR xdr;

    FUZZ_CHECK(gf_dict_to_gfx(dict, &out) == 0);
    char *buf = encode(&out, &len);
    memset(&back, 0, sizeof(back));
    xdrmem_create(&xdr, buf, (u_int)len, XDR_DECODE);
    FUZZ_CHECK(xdr_gfx_dict(&xdr, &back));
    FUZZ_CHECK(gf_dict_from_gfx(&back, &again) == 0);
    FUZZ_CHECK(again && gf_dict_count(again) == gf_dict_count(dict));
    gf_dict_unref(again);
    xdr_free((xdrproc_t)xdr_gfx_dict, (char *)&back);
    gf_gfx_dict_free(&out);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gfx_dict in;
    gf_dict_t *dict = NULL;
    XDR xdr;

    memset(&in, 0, sizeof(in));
    xdrmem_create(&xdr, (char *)data, (u_int)(size > UINT32_MAX ? UINT32_MAX : size), XDR_DECODE);
    if (xdr_gfx_dict(&xdr, &in) && gf_dict_from_gfx(&in, &dict) == 0 && dict) {
        round_trip(dict);
        gf_dict_unref(dict);
    }
    xdr_free((xdrproc_t)xdr_gfx_dict, (char *)&in);
    return 0;
}
