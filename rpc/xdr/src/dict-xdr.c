/*
 * Typed dicts to and from gfx_dict, the dict of the 4.x FOP program
 * (dict-xdr.h). Encoding copies every key and value into memory owned by the
 * gfx_dict (gf_malloc'd, released by gf_gfx_dict_free); decoding validates
 * what a peer sent before anything reaches the dict.
 */
#include <errno.h>
#include <string.h>

#include "dict-xdr.h"
#include "glusterfs/mem.h"

/* Size of the fixed part of an encoded gfx_dict: xdr_size, count, pairs length. */
#define GFX_DICT_FIXED_LEN 12

void gf_iatt_to_gfx(gfx_iattx *out, const gf_iatt_t *ia)
{
    memcpy(out->ia_gfid, ia->ia_gfid, sizeof(out->ia_gfid));
    out->ia_flags = ia->ia_flags;
    out->ia_ino = ia->ia_ino;
    out->ia_dev = ia->ia_dev;
    out->ia_rdev = ia->ia_rdev;
    out->ia_size = ia->ia_size;
    out->ia_blocks = ia->ia_blocks;
    out->ia_attributes = ia->ia_attributes;
    out->ia_attributes_mask = ia->ia_attributes_mask;
    out->ia_atime = ia->ia_atime;
    out->ia_mtime = ia->ia_mtime;
    out->ia_ctime = ia->ia_ctime;
    out->ia_btime = ia->ia_btime;
    out->ia_atime_nsec = ia->ia_atime_nsec;
    out->ia_mtime_nsec = ia->ia_mtime_nsec;
    out->ia_ctime_nsec = ia->ia_ctime_nsec;
    out->ia_btime_nsec = ia->ia_btime_nsec;
    out->ia_nlink = ia->ia_nlink;
    out->ia_uid = ia->ia_uid;
    out->ia_gid = ia->ia_gid;
    out->ia_blksize = ia->ia_blksize;
    out->mode = ia->ia_mode;
}

void gf_iatt_from_gfx(gf_iatt_t *ia, const gfx_iattx *in)
{
    memset(ia, 0, sizeof(*ia)); /* padding too: the dict stores the struct's bytes */
    memcpy(ia->ia_gfid, in->ia_gfid, sizeof(ia->ia_gfid));
    ia->ia_flags = in->ia_flags;
    ia->ia_ino = in->ia_ino;
    ia->ia_dev = in->ia_dev;
    ia->ia_rdev = in->ia_rdev;
    ia->ia_size = in->ia_size;
    ia->ia_blocks = in->ia_blocks;
    ia->ia_attributes = in->ia_attributes;
    ia->ia_attributes_mask = in->ia_attributes_mask;
    ia->ia_atime = in->ia_atime;
    ia->ia_mtime = in->ia_mtime;
    ia->ia_ctime = in->ia_ctime;
    ia->ia_btime = in->ia_btime;
    ia->ia_atime_nsec = in->ia_atime_nsec;
    ia->ia_mtime_nsec = in->ia_mtime_nsec;
    ia->ia_ctime_nsec = in->ia_ctime_nsec;
    ia->ia_btime_nsec = in->ia_btime_nsec;
    ia->ia_nlink = in->ia_nlink;
    ia->ia_uid = in->ia_uid;
    ia->ia_gid = in->ia_gid;
    ia->ia_blksize = in->ia_blksize;
    ia->ia_mode = in->mode;
}

static void mdata_to_gfx(gfx_mdata_iatt *out, const gf_mdata_t *md)
{
    out->ia_atime = md->ia_atime;
    out->ia_mtime = md->ia_mtime;
    out->ia_ctime = md->ia_ctime;
    out->ia_atime_nsec = md->ia_atime_nsec;
    out->ia_mtime_nsec = md->ia_mtime_nsec;
    out->ia_ctime_nsec = md->ia_ctime_nsec;
}

static void mdata_from_gfx(gf_mdata_t *md, const gfx_mdata_iatt *in)
{
    memset(md, 0, sizeof(*md));
    md->ia_atime = in->ia_atime;
    md->ia_mtime = in->ia_mtime;
    md->ia_ctime = in->ia_ctime;
    md->ia_atime_nsec = in->ia_atime_nsec;
    md->ia_mtime_nsec = in->ia_mtime_nsec;
    md->ia_ctime_nsec = in->ia_ctime_nsec;
}

/* A gf_malloc'd copy of len bytes (len 0 gives NULL), for opaque<> fields. 0 or -ENOMEM. */
static int dup_bytes(char **out, const void *src, u_int len)
{
    *out = NULL;
    if (!len)
        return 0;
    *out = gf_malloc(len);
    if (!*out)
        return -ENOMEM;
    memcpy(*out, src, len);
    return 0;
}

/* Fills xv from val, copying any bytes. 0 or -ENOMEM. */
static int value_to_gfx(gfx_value *xv, const gf_data_t *val)
{
    xv->type = val->type;
    switch (val->type) {
    case GF_DATA_TYPE_INT:
        xv->gfx_value_u.value_int = val->v.i64;
        return 0;
    case GF_DATA_TYPE_UINT:
        xv->gfx_value_u.value_uint = val->v.u64;
        return 0;
    case GF_DATA_TYPE_DOUBLE:
        xv->gfx_value_u.value_dbl = val->v.dbl;
        return 0;
    case GF_DATA_TYPE_STR:
        xv->gfx_value_u.val_string.val_string_len = val->len;
        return dup_bytes(&xv->gfx_value_u.val_string.val_string_val, val->v.bytes, val->len);
    case GF_DATA_TYPE_GFUUID:
        memcpy(xv->gfx_value_u.uuid, val->v.bytes, sizeof(xv->gfx_value_u.uuid));
        return 0;
    case GF_DATA_TYPE_IATT:
        gf_iatt_to_gfx(&xv->gfx_value_u.iatt, (const gf_iatt_t *)val->v.bytes);
        return 0;
    case GF_DATA_TYPE_MDATA:
        mdata_to_gfx(&xv->gfx_value_u.mdata_iatt, (const gf_mdata_t *)val->v.bytes);
        return 0;
    default: /* PTR, STR_OLD: the dict holds no other type */
        xv->gfx_value_u.other.other_len = val->len;
        return dup_bytes(&xv->gfx_value_u.other.other_val, val->v.bytes, val->len);
    }
}

/* Frees the key and value bytes append_pair_cb allocated for one pair. */
static void pair_free(gfx_dict_pair *xp)
{
    gf_free(xp->key.key_val);
    if (xp->value.type == GF_DATA_TYPE_STR)
        gf_free(xp->value.gfx_value_u.val_string.val_string_val);
    else if (xp->value.type == GF_DATA_TYPE_PTR || xp->value.type == GF_DATA_TYPE_STR_OLD)
        gf_free(xp->value.gfx_value_u.other.other_val);
}

/* Appends one pair to the gfx_dict given as arg, growing its array. */
static int append_pair_cb(gf_dict_t *dict, const char *key, const gf_data_t *val, void *arg)
{
    gfx_dict *out = arg;
    u_int n = out->pairs.pairs_len;
    gfx_dict_pair *xp;

    if ((n & (n - 1)) == 0) { /* 0, 1, 2, 4, ...: the array is full */
        gfx_dict_pair *grown = gf_realloc(out->pairs.pairs_val, (n ? 2 * n : 1) * sizeof(*xp));
        if (!grown)
            return -ENOMEM;
        out->pairs.pairs_val = grown;
    }
    xp = &out->pairs.pairs_val[n];
    memset(xp, 0, sizeof(*xp));
    xp->key.key_len = (u_int)strlen(key) + 1;
    if (dup_bytes(&xp->key.key_val, key, xp->key.key_len) || value_to_gfx(&xp->value, val)) {
        pair_free(xp);
        return -ENOMEM;
    }
    out->pairs.pairs_len = n + 1;
    return 0;
}

int gf_dict_to_gfx(gf_dict_t *dict, gfx_dict *out)
{
    int ret;
    unsigned long size;

    if (!out)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    if (!dict) {
        out->count = -1;
        return 0;
    }
    ret = gf_dict_foreach(dict, append_pair_cb, out);
    if (ret) {
        gf_gfx_dict_free(out);
        return ret;
    }
    out->count = (int)out->pairs.pairs_len;
    size = xdr_sizeof((xdrproc_t)xdr_gfx_dict, out);
    out->xdr_size = size > GFX_DICT_FIXED_LEN ? (u_int)(size - GFX_DICT_FIXED_LEN) : 0;
    return 0;
}

void gf_gfx_dict_free(gfx_dict *d)
{
    if (!d)
        return;
    for (u_int i = 0; i < d->pairs.pairs_len; i++)
        pair_free(&d->pairs.pairs_val[i]);
    gf_free(d->pairs.pairs_val);
    memset(d, 0, sizeof(*d));
    d->count = -1;
}

/* Whether a wire key is a C string exactly filling its opaque: NUL last and only there. */
static bool key_valid(const gfx_dict_pair *xp)
{
    u_int len = xp->key.key_len;
    const char *key = xp->key.key_val;

    return len > 0 && key && key[len - 1] == '\0' && !memchr(key, '\0', len - 1);
}

/* Stores a PTR or STR_OLD value; an empty opaque may come with no buffer at all. */
static int set_other(gf_dict_t *dict, const char *key, const gfx_value *xv)
{
    const char *bytes = xv->gfx_value_u.other.other_val;
    u_int len = xv->gfx_value_u.other.other_len;

    if (!bytes && len)
        return -EINVAL;
    return gf_dict_set_typed(dict, key, xv->type, bytes ? bytes : "", len);
}

/* Stores one decoded pair in dict. 0, -EINVAL (bad pair), -ENOMEM. */
static int pair_from_gfx(gf_dict_t *dict, const gfx_dict_pair *xp)
{
    const gfx_value *xv = &xp->value;
    const char *key = xp->key.key_val;
    gf_iatt_t ia;
    gf_mdata_t md;

    if (!key_valid(xp))
        return -EINVAL;
    switch (xv->type) {
    case GF_DATA_TYPE_INT:
        return gf_dict_set_int64(dict, key, xv->gfx_value_u.value_int);
    case GF_DATA_TYPE_UINT:
        return gf_dict_set_uint64(dict, key, xv->gfx_value_u.value_uint);
    case GF_DATA_TYPE_DOUBLE:
        return gf_dict_set_double(dict, key, xv->gfx_value_u.value_dbl);
    case GF_DATA_TYPE_STR:
        return gf_dict_set_typed(dict, key, GF_DATA_TYPE_STR,
                                 xv->gfx_value_u.val_string.val_string_val,
                                 xv->gfx_value_u.val_string.val_string_len);
    case GF_DATA_TYPE_GFUUID:
        return gf_dict_set_gfuuid(dict, key, (const unsigned char *)xv->gfx_value_u.uuid);
    case GF_DATA_TYPE_IATT:
        gf_iatt_from_gfx(&ia, &xv->gfx_value_u.iatt);
        return gf_dict_set_iatt(dict, key, &ia);
    case GF_DATA_TYPE_MDATA:
        mdata_from_gfx(&md, &xv->gfx_value_u.mdata_iatt);
        return gf_dict_set_mdata(dict, key, &md);
    case GF_DATA_TYPE_PTR:
    case GF_DATA_TYPE_STR_OLD:
        return set_other(dict, key, xv);
    default:
        return -EINVAL;
    }
}

int gf_dict_from_gfx(const gfx_dict *in, gf_dict_t **out)
{
    gf_dict_t *dict;
    int ret = 0;

    if (!in || !out)
        return -EINVAL;
    if (in->count < 0) {
        *out = NULL;
        return 0;
    }
    if (in->pairs.pairs_len && !in->pairs.pairs_val)
        return -EINVAL;
    dict = gf_dict_new();
    if (!dict)
        return -ENOMEM;
    for (u_int i = 0; i < in->pairs.pairs_len && !ret; i++)
        ret = pair_from_gfx(dict, &in->pairs.pairs_val[i]);
    if (ret) {
        gf_dict_unref(dict);
        return ret;
    }
    *out = dict;
    return 0;
}
