/*
 * Conversion between typed dicts (glusterfs/dict.h) and their 4.x wire form,
 * gfx_dict (fops.x), as the FOP program carries xdata and xattrs.
 *
 * The wire rules followed here are those of the stock GlusterFS peers: keys
 * travel with their terminating NUL, STR values with theirs, an absent dict is
 * count -1 with no pairs, and xdr_size is the encoded size of the gfx_dict
 * minus its 12 fixed bytes (xdr_size, count, pairs length).
 */
#ifndef GF_DICT_XDR_H
#define GF_DICT_XDR_H

#include "fops-xdr.h"
#include "glusterfs/dict.h"

/*
 * Fills *out with the pairs of dict, in order, as copies (dict may change or go
 * away afterwards). A NULL dict gives count -1, no pairs, xdr_size 0. What this
 * allocates must be released with gf_gfx_dict_free, never xdr_free. Returns 0,
 * -EINVAL (NULL out), -ENOMEM (then *out holds nothing to free).
 */
int gf_dict_to_gfx(gf_dict_t *dict, gfx_dict *out);

/* Frees what gf_dict_to_gfx put in *d and leaves it an empty absent dict. */
void gf_gfx_dict_free(gfx_dict *d);

/*
 * Builds a new dict (one reference) from a decoded gfx_dict; *in is only read
 * and stays the caller's (free it with xdr_free). count < 0 means "no dict":
 * *out = NULL and 0 is returned; count >= 0 always gives a dict, maybe empty.
 * Returns -EINVAL, with *out untouched, when a key lacks its NUL or holds one
 * before it, a STR value has no NUL within its length, or a value type is not
 * one of the wire's (1..9); -ENOMEM.
 */
int gf_dict_from_gfx(const gfx_dict *in, gf_dict_t **out);

/* Converts attributes to and from their wire form (gfx_iattx), field by field. */
void gf_iatt_to_gfx(gfx_iattx *out, const gf_iatt_t *ia);
void gf_iatt_from_gfx(gf_iatt_t *ia, const gfx_iattx *in);

#endif
