/*
 * Typed dictionaries: ordered key/value maps for the places where the protocol
 * needs them (fop xdata and xattrs on the wire, handshake parameters, volfile
 * options). Inside the program, prefer typed structs.
 *
 * A dict is reference-counted and thread-safe (one mutex per dict). Every value
 * carries one of the GlusterFS wire type numbers (gf_data_type_t), so a dict can
 * be sent in the 4.x typed encoding (rpc/xdr/src/dict-xdr.h) without losing
 * types. Pairs keep their insertion order, which is the order they travel in;
 * replacing the value of an existing key keeps its place.
 *
 * Setters copy what they are given. Getters that return pointers (str, bin)
 * point into the dict: the pointer stays valid until that key is deleted or
 * replaced, or the dict is destroyed. Every function returns 0 or a negative
 * errno unless its comment says otherwise; getters return -ENOENT when the key
 * is absent, -EINVAL when the stored value cannot be read as the type asked, and
 * -ERANGE when a number does not fit the type asked.
 *
 * Numbers from GlusterFS peers often arrive as text (the old encoding carries
 * every value as a string), so the integer, double and boolean getters also read
 * STR and STR_OLD values that hold a number in full.
 */
#ifndef GF_DICT_H
#define GF_DICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <uuid/uuid.h>

#include "glusterfs/iatt.h"
#include "glusterfs/xlator.h"

/*
 * rpcgen turns the same constants of rpc/xdr/src/fops.x into macros; drop them
 * so the enum can be declared whichever header comes first (same values).
 */
#undef GF_DATA_TYPE_UNKNOWN
#undef GF_DATA_TYPE_STR_OLD
#undef GF_DATA_TYPE_INT
#undef GF_DATA_TYPE_UINT
#undef GF_DATA_TYPE_DOUBLE
#undef GF_DATA_TYPE_STR
#undef GF_DATA_TYPE_PTR
#undef GF_DATA_TYPE_GFUUID
#undef GF_DATA_TYPE_IATT
#undef GF_DATA_TYPE_MDATA

/* Value types; the numbers are those of the wire (the gfx_value discriminant). */
typedef enum gf_data_type {
    GF_DATA_TYPE_UNKNOWN = 0,
    GF_DATA_TYPE_STR_OLD = 1, /* bytes of the old untyped encoding, usually text */
    GF_DATA_TYPE_INT = 2,     /* int64_t */
    GF_DATA_TYPE_UINT = 3,    /* uint64_t */
    GF_DATA_TYPE_DOUBLE = 4,  /* double */
    GF_DATA_TYPE_STR = 5,     /* NUL-terminated text; len counts the NUL */
    GF_DATA_TYPE_PTR = 6,     /* opaque bytes */
    GF_DATA_TYPE_GFUUID = 7,  /* 16 bytes */
    GF_DATA_TYPE_IATT = 8,    /* a gf_iatt_t */
    GF_DATA_TYPE_MDATA = 9,   /* a gf_mdata_t */
    GF_DATA_TYPE_MAX,
} gf_data_type_t;

/* Times of a file as the ctime feature sends them (the wire's "mdata_iatt"). */
typedef struct gf_mdata {
    int64_t ia_atime, ia_mtime, ia_ctime;
    uint32_t ia_atime_nsec, ia_mtime_nsec, ia_ctime_nsec;
} gf_mdata_t;

/*
 * A value as the dict holds it, shown to gf_dict_foreach callbacks (read only).
 * INT, UINT and DOUBLE live in the union; every other type is `len` bytes at
 * `bytes`, always followed by one NUL that len does not count (so text values
 * can be read as C strings even when a peer sent them without their NUL).
 */
typedef struct gf_data {
    gf_data_type_t type;
    uint32_t len;
    union {
        int64_t i64;
        uint64_t u64;
        double dbl;
        unsigned char *bytes;
    } v;
} gf_data_t;

/* Called for each pair in order; a non-zero return stops the walk and is returned. */
typedef int (*gf_dict_foreach_cb)(gf_dict_t *dict, const char *key, const gf_data_t *value,
                                  void *arg);

/* A new empty dict holding one reference; NULL on ENOMEM. */
gf_dict_t *gf_dict_new(void);
/* Takes a reference; returns dict (NULL stays NULL). */
gf_dict_t *gf_dict_ref(gf_dict_t *dict);
/* Drops a reference; the last one frees the dict and its values. NULL is ignored. */
void gf_dict_unref(gf_dict_t *dict);

/*
 * Setters: store a copy of the value under key (a copy of key too), replacing
 * any value the key had. -EINVAL on a NULL dict/key/value, -ENOMEM.
 */
int gf_dict_set_str(gf_dict_t *dict, const char *key, const char *str);
int gf_dict_set_int64(gf_dict_t *dict, const char *key, int64_t val);
int gf_dict_set_uint64(gf_dict_t *dict, const char *key, uint64_t val);
int gf_dict_set_int32(gf_dict_t *dict, const char *key, int32_t val); /* stored as INT */
int gf_dict_set_double(gf_dict_t *dict, const char *key, double val);
int gf_dict_set_bin(gf_dict_t *dict, const char *key, const void *data, size_t len); /* PTR */
int gf_dict_set_gfuuid(gf_dict_t *dict, const char *key, const uuid_t gfid);
int gf_dict_set_iatt(gf_dict_t *dict, const char *key, const gf_iatt_t *iatt);
int gf_dict_set_mdata(gf_dict_t *dict, const char *key, const gf_mdata_t *mdata);

/*
 * Stores len bytes of data as a value of a byte-carried type (STR_OLD, STR, PTR,
 * GFUUID, IATT, MDATA), as decoders of the wire do. -EINVAL for the number
 * types, for a STR without a NUL within len, or for a GFUUID, IATT or MDATA
 * whose len is not the size of its struct.
 */
int gf_dict_set_typed(gf_dict_t *dict, const char *key, gf_data_type_t type, const void *data,
                      size_t len);

/*
 * Getters. gf_dict_get_str reads STR and STR_OLD values; *out points into the
 * dict. The number getters read their own type, the other number types when the
 * value fits, and text holding a whole number (strtoll/strtoull/strtod rules,
 * base prefixes accepted, nothing after the number). gf_dict_get_bool reads
 * on/off, yes/no, true/false, enable/disable, 1/0 as text, and numbers (non-zero
 * is true). gf_dict_get_bin reads PTR, STR and STR_OLD bytes (*data points into
 * the dict). gf_dict_get_gfuuid reads GFUUID values and 16-byte PTR/STR_OLD
 * values. gf_dict_get_iatt and gf_dict_get_mdata copy into *out.
 */
int gf_dict_get_str(gf_dict_t *dict, const char *key, const char **out);
int gf_dict_get_int64(gf_dict_t *dict, const char *key, int64_t *out);
int gf_dict_get_uint64(gf_dict_t *dict, const char *key, uint64_t *out);
int gf_dict_get_int32(gf_dict_t *dict, const char *key, int32_t *out);
int gf_dict_get_bool(gf_dict_t *dict, const char *key, bool *out);
int gf_dict_get_double(gf_dict_t *dict, const char *key, double *out);
int gf_dict_get_bin(gf_dict_t *dict, const char *key, const void **data, size_t *len);
int gf_dict_get_gfuuid(gf_dict_t *dict, const char *key, uuid_t out);
int gf_dict_get_iatt(gf_dict_t *dict, const char *key, gf_iatt_t *out);
int gf_dict_get_mdata(gf_dict_t *dict, const char *key, gf_mdata_t *out);

/* The type stored under key (a gf_data_type_t, > 0), or -ENOENT. */
int gf_dict_get_type(gf_dict_t *dict, const char *key);

/* Removes key. 0, or -ENOENT when it was absent. */
int gf_dict_del(gf_dict_t *dict, const char *key);

/* Number of pairs (0 for a NULL dict). */
size_t gf_dict_count(gf_dict_t *dict);

/* Whether key is present (false for a NULL dict). */
bool gf_dict_has(gf_dict_t *dict, const char *key);

/*
 * Calls cb for every pair in insertion order, with the dict locked: cb may read
 * this dict (the lock is recursive) but must not add, replace or delete pairs
 * in it. Returns 0 after a full walk, or the first non-zero value cb returned.
 */
int gf_dict_foreach(gf_dict_t *dict, gf_dict_foreach_cb cb, void *arg);

/* A new dict (one reference) holding copies of all pairs of src, in order; NULL on ENOMEM. */
gf_dict_t *gf_dict_copy(gf_dict_t *src);

/*
 * The old untyped encoding (handshake SETVOLUME/GETSPEC, our CLI program); the
 * layout is described in dict.c. Values travel as text or raw bytes and come
 * back as STR_OLD.
 *
 * gf_dict_serialized_size: bytes gf_dict_serialize would produce, or -EINVAL
 * when the dict holds an IATT or MDATA value (which the old encoding cannot
 * carry), -EOVERFLOW when it would not fit 32-bit lengths.
 *
 * gf_dict_serialize: allocates *buf (gf_free it) holding the encoding, *len its
 * size. Same errors, plus -ENOMEM.
 *
 * gf_dict_unserialize: decodes len bytes at buf into a new dict *out (one
 * reference). Rejects with -EINVAL, without reading outside buf, any input that
 * is truncated, claims more than len bytes or more than 1,048,576 (2^20) pairs, or has a
 * key not followed by its NUL (or holding one). Bytes after the last pair are
 * ignored, as GlusterFS does. A zero-length buffer is an error: callers decide
 * what an absent dict means.
 */
ssize_t gf_dict_serialized_size(gf_dict_t *dict);
int gf_dict_serialize(gf_dict_t *dict, char **buf, size_t *len);
int gf_dict_unserialize(const char *buf, size_t len, gf_dict_t **out);

#endif
