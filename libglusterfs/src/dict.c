/*
 * Typed dictionaries (glusterfs/dict.h): storage, typed access, and the old
 * untyped wire encoding.
 *
 * Pairs sit on a doubly linked list in insertion order (the order they are
 * sent in) and on the chains of a small hash table that doubles as the dict
 * grows. One recursive mutex per dict guards both; the reference count is
 * atomic. Values are gf_data_t: numbers inline, everything else as a private
 * byte copy followed by a hidden NUL.
 */
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glusterfs/dict.h"
#include "glusterfs/mem.h"
#include "glusterfs/options.h"

#define MIN_BUCKETS           8
#define UNSERIALIZE_MAX_PAIRS (1u << 20) /* a STATUS of 10,000 bricks has ~100,000 pairs */

typedef struct pair {
    struct pair *prev, *next; /* insertion order */
    struct pair *hnext;       /* hash chain */
    uint32_t hash;
    size_t keylen;
    char *key;
    gf_data_t val;
} pair_t;

struct gf_dict {
    pthread_mutex_t lock; /* recursive: foreach callbacks may read the dict */
    uint32_t refs;        /* atomic */
    pair_t *head, *tail;
    pair_t **buckets;
    size_t nbuckets; /* 0 or a power of two */
    size_t count;
};

/* FNV-1a over the key bytes. */
static uint32_t key_hash(const char *key, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= 16777619u;
    }
    return h;
}

static bool is_byte_type(gf_data_type_t type)
{
    return type == GF_DATA_TYPE_STR_OLD || type == GF_DATA_TYPE_STR || type == GF_DATA_TYPE_PTR ||
           type == GF_DATA_TYPE_GFUUID || type == GF_DATA_TYPE_IATT || type == GF_DATA_TYPE_MDATA;
}

static void value_wipe(gf_data_t *val)
{
    if (is_byte_type(val->type))
        gf_free(val->v.bytes);
    val->type = GF_DATA_TYPE_UNKNOWN;
}

/* Fills *val with a copy of len bytes of data (plus the hidden NUL). 0 or -ENOMEM. */
static int value_from_bytes(gf_data_t *val, gf_data_type_t type, const void *data, size_t len)
{
    unsigned char *copy = gf_malloc(len + 1);
    if (!copy)
        return -ENOMEM;
    if (len)
        memcpy(copy, data, len);
    copy[len] = '\0';
    val->type = type;
    val->len = (uint32_t)len;
    val->v.bytes = copy;
    return 0;
}

/* Deep copy of src into *dst. 0 or -ENOMEM. */
static int value_copy(gf_data_t *dst, const gf_data_t *src)
{
    if (is_byte_type(src->type))
        return value_from_bytes(dst, src->type, src->v.bytes, src->len);
    *dst = *src;
    return 0;
}

gf_dict_t *gf_dict_new(void)
{
    gf_dict_t *dict = gf_calloc(1, sizeof(*dict));
    pthread_mutexattr_t attr;

    if (!dict)
        return NULL;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&dict->lock, &attr);
    pthread_mutexattr_destroy(&attr);
    dict->refs = 1;
    return dict;
}

gf_dict_t *gf_dict_ref(gf_dict_t *dict)
{
    if (dict)
        __atomic_fetch_add(&dict->refs, 1, __ATOMIC_RELAXED);
    return dict;
}

static void dict_destroy(gf_dict_t *dict)
{
    pair_t *p = dict->head;
    while (p) {
        pair_t *next = p->next;
        value_wipe(&p->val);
        gf_free(p->key);
        gf_free(p);
        p = next;
    }
    gf_free(dict->buckets);
    pthread_mutex_destroy(&dict->lock);
    gf_free(dict);
}

void gf_dict_unref(gf_dict_t *dict)
{
    if (dict && __atomic_sub_fetch(&dict->refs, 1, __ATOMIC_ACQ_REL) == 0)
        dict_destroy(dict);
}

/* The pair holding key, or NULL. Called locked. */
static pair_t *lookup_lk(gf_dict_t *dict, const char *key, size_t keylen, uint32_t hash)
{
    if (!dict->nbuckets)
        return NULL;
    for (pair_t *p = dict->buckets[hash & (dict->nbuckets - 1)]; p; p = p->hnext)
        if (p->hash == hash && p->keylen == keylen && memcmp(p->key, key, keylen) == 0)
            return p;
    return NULL;
}

/* Makes room for one more pair, doubling the table when it is full. 0 or -ENOMEM. */
static int grow_lk(gf_dict_t *dict)
{
    size_t n = dict->nbuckets ? dict->nbuckets * 2 : MIN_BUCKETS;
    pair_t **buckets;

    if (dict->count < dict->nbuckets)
        return 0;
    buckets = gf_calloc(n, sizeof(*buckets));
    if (!buckets)
        return -ENOMEM;
    for (pair_t *p = dict->head; p; p = p->next) {
        p->hnext = buckets[p->hash & (n - 1)];
        buckets[p->hash & (n - 1)] = p;
    }
    gf_free(dict->buckets);
    dict->buckets = buckets;
    dict->nbuckets = n;
    return 0;
}

/* Appends a new pair for key holding *val (taken over). 0 or -ENOMEM. Called locked. */
static int append_lk(gf_dict_t *dict, const char *key, size_t keylen, uint32_t hash, gf_data_t *val)
{
    pair_t *p;

    if (grow_lk(dict))
        return -ENOMEM;
    p = gf_calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    p->key = gf_strndup(key, keylen);
    if (!p->key) {
        gf_free(p);
        return -ENOMEM;
    }
    p->keylen = keylen;
    p->hash = hash;
    p->val = *val;
    p->prev = dict->tail;
    if (dict->tail)
        dict->tail->next = p;
    else
        dict->head = p;
    dict->tail = p;
    p->hnext = dict->buckets[hash & (dict->nbuckets - 1)];
    dict->buckets[hash & (dict->nbuckets - 1)] = p;
    dict->count++;
    return 0;
}

/*
 * Stores *val under key: replaces the value in place when key exists, else
 * appends. Ownership of val's bytes passes to the dict, or they are freed on
 * error. 0, -EINVAL, -ENOMEM.
 */
static int set_value(gf_dict_t *dict, const char *key, gf_data_t *val)
{
    size_t keylen;
    uint32_t hash;
    pair_t *p;
    int ret = 0;

    if (!dict || !key) {
        value_wipe(val);
        return -EINVAL;
    }
    keylen = strlen(key);
    hash = key_hash(key, keylen);
    pthread_mutex_lock(&dict->lock);
    p = lookup_lk(dict, key, keylen, hash);
    if (p) {
        value_wipe(&p->val);
        p->val = *val;
    } else {
        ret = append_lk(dict, key, keylen, hash, val);
    }
    pthread_mutex_unlock(&dict->lock);
    if (ret)
        value_wipe(val);
    return ret;
}

/* Copies len bytes into a new value of type and stores it under key. */
static int set_bytes(gf_dict_t *dict, const char *key, gf_data_type_t type, const void *data,
                     size_t len)
{
    gf_data_t val;
    int ret;

    if (!data || len > UINT32_MAX)
        return -EINVAL;
    ret = value_from_bytes(&val, type, data, len);
    if (ret)
        return ret;
    return set_value(dict, key, &val);
}

int gf_dict_set_str(gf_dict_t *dict, const char *key, const char *str)
{
    if (!str)
        return -EINVAL;
    return set_bytes(dict, key, GF_DATA_TYPE_STR, str, strlen(str) + 1);
}

int gf_dict_set_int64(gf_dict_t *dict, const char *key, int64_t val)
{
    gf_data_t d = {.type = GF_DATA_TYPE_INT, .v.i64 = val};
    return set_value(dict, key, &d);
}

int gf_dict_set_uint64(gf_dict_t *dict, const char *key, uint64_t val)
{
    gf_data_t d = {.type = GF_DATA_TYPE_UINT, .v.u64 = val};
    return set_value(dict, key, &d);
}

int gf_dict_set_int32(gf_dict_t *dict, const char *key, int32_t val)
{
    return gf_dict_set_int64(dict, key, val);
}

int gf_dict_set_double(gf_dict_t *dict, const char *key, double val)
{
    gf_data_t d = {.type = GF_DATA_TYPE_DOUBLE, .v.dbl = val};
    return set_value(dict, key, &d);
}

int gf_dict_set_bin(gf_dict_t *dict, const char *key, const void *data, size_t len)
{
    return set_bytes(dict, key, GF_DATA_TYPE_PTR, data, len);
}

int gf_dict_set_gfuuid(gf_dict_t *dict, const char *key, const uuid_t gfid)
{
    return set_bytes(dict, key, GF_DATA_TYPE_GFUUID, gfid, sizeof(uuid_t));
}

int gf_dict_set_iatt(gf_dict_t *dict, const char *key, const gf_iatt_t *iatt)
{
    return set_bytes(dict, key, GF_DATA_TYPE_IATT, iatt, sizeof(*iatt));
}

int gf_dict_set_mdata(gf_dict_t *dict, const char *key, const gf_mdata_t *mdata)
{
    return set_bytes(dict, key, GF_DATA_TYPE_MDATA, mdata, sizeof(*mdata));
}

int gf_dict_set_typed(gf_dict_t *dict, const char *key, gf_data_type_t type, const void *data,
                      size_t len)
{
    if (!is_byte_type(type))
        return -EINVAL;
    if (type == GF_DATA_TYPE_STR && (!data || !memchr(data, '\0', len)))
        return -EINVAL;
    if ((type == GF_DATA_TYPE_GFUUID && len != sizeof(uuid_t)) ||
        (type == GF_DATA_TYPE_IATT && len != sizeof(gf_iatt_t)) ||
        (type == GF_DATA_TYPE_MDATA && len != sizeof(gf_mdata_t)))
        return -EINVAL;
    return set_bytes(dict, key, type, data, len);
}

/*
 * Getters run a reader on the value under key with the dict locked. A reader
 * returns 0 or a negative errno and writes its result through out.
 */
typedef int (*reader_fn)(const gf_data_t *val, void *out);

static int get_value(gf_dict_t *dict, const char *key, reader_fn read, void *out)
{
    size_t keylen;
    pair_t *p;
    int ret;

    if (!dict || !key || !out)
        return -EINVAL;
    keylen = strlen(key);
    pthread_mutex_lock(&dict->lock);
    p = lookup_lk(dict, key, keylen, key_hash(key, keylen));
    ret = p ? read(&p->val, out) : -ENOENT;
    pthread_mutex_unlock(&dict->lock);
    return ret;
}

static bool is_text(const gf_data_t *val)
{
    return val->type == GF_DATA_TYPE_STR || val->type == GF_DATA_TYPE_STR_OLD;
}

/*
 * Whether a number parse of a text value stopped at its end: at the NUL, with
 * nothing but that NUL (counted in len or not) after the number.
 */
static bool parsed_whole(const gf_data_t *val, const char *end)
{
    const char *s = (const char *)val->v.bytes;
    return end != s && *end == '\0' && (size_t)(end - s) + 1 >= val->len;
}

static int text_to_i64(const gf_data_t *val, int64_t *out)
{
    const char *s = (const char *)val->v.bytes;
    char *end;
    long long n;

    errno = 0;
    n = strtoll(s, &end, 0);
    if (!parsed_whole(val, end))
        return -EINVAL;
    if (errno == ERANGE)
        return -ERANGE;
    *out = n;
    return 0;
}

static int text_to_u64(const gf_data_t *val, uint64_t *out)
{
    const char *s = (const char *)val->v.bytes;
    char *end;
    unsigned long long n;

    s += strspn(s, " \t\n\v\f\r");
    if (*s == '-')
        return -ERANGE;
    errno = 0;
    n = strtoull(s, &end, 0);
    if (end == s || !parsed_whole(val, end))
        return -EINVAL;
    if (errno == ERANGE)
        return -ERANGE;
    *out = n;
    return 0;
}

static int text_to_double(const gf_data_t *val, double *out)
{
    const char *s = (const char *)val->v.bytes;
    char *end;
    double d;

    errno = 0;
    d = strtod(s, &end);
    if (!parsed_whole(val, end))
        return -EINVAL;
    if (errno == ERANGE)
        return -ERANGE;
    *out = d;
    return 0;
}

static int read_i64(const gf_data_t *val, void *out)
{
    int64_t *res = out;

    switch (val->type) {
    case GF_DATA_TYPE_INT:
        *res = val->v.i64;
        return 0;
    case GF_DATA_TYPE_UINT:
        if (val->v.u64 > INT64_MAX)
            return -ERANGE;
        *res = (int64_t)val->v.u64;
        return 0;
    case GF_DATA_TYPE_STR:
    case GF_DATA_TYPE_STR_OLD:
        return text_to_i64(val, res);
    default:
        return -EINVAL;
    }
}

static int read_u64(const gf_data_t *val, void *out)
{
    uint64_t *res = out;

    switch (val->type) {
    case GF_DATA_TYPE_UINT:
        *res = val->v.u64;
        return 0;
    case GF_DATA_TYPE_INT:
        if (val->v.i64 < 0)
            return -ERANGE;
        *res = (uint64_t)val->v.i64;
        return 0;
    case GF_DATA_TYPE_STR:
    case GF_DATA_TYPE_STR_OLD:
        return text_to_u64(val, res);
    default:
        return -EINVAL;
    }
}

static int read_double(const gf_data_t *val, void *out)
{
    double *res = out;

    switch (val->type) {
    case GF_DATA_TYPE_DOUBLE:
        *res = val->v.dbl;
        return 0;
    case GF_DATA_TYPE_INT:
        *res = (double)val->v.i64;
        return 0;
    case GF_DATA_TYPE_UINT:
        *res = (double)val->v.u64;
        return 0;
    case GF_DATA_TYPE_STR:
    case GF_DATA_TYPE_STR_OLD:
        return text_to_double(val, res);
    default:
        return -EINVAL;
    }
}

static int read_bool(const gf_data_t *val, void *out)
{
    bool *res = out;

    switch (val->type) {
    case GF_DATA_TYPE_INT:
        *res = val->v.i64 != 0;
        return 0;
    case GF_DATA_TYPE_UINT:
        *res = val->v.u64 != 0;
        return 0;
    case GF_DATA_TYPE_STR:
    case GF_DATA_TYPE_STR_OLD:
        return gf_parse_bool((const char *)val->v.bytes, res) ? -EINVAL : 0;
    default:
        return -EINVAL;
    }
}

static int read_str(const gf_data_t *val, void *out)
{
    if (!is_text(val))
        return -EINVAL;
    *(const char **)out = (const char *)val->v.bytes;
    return 0;
}

/* The bytes of a PTR/STR/STR_OLD value; out is a gf_data_t to fill with a view. */
static int read_bin(const gf_data_t *val, void *out)
{
    if (!is_text(val) && val->type != GF_DATA_TYPE_PTR)
        return -EINVAL;
    *(gf_data_t *)out = *val;
    return 0;
}

static int read_gfuuid(const gf_data_t *val, void *out)
{
    bool raw = val->type == GF_DATA_TYPE_PTR || val->type == GF_DATA_TYPE_STR_OLD;

    if (val->type != GF_DATA_TYPE_GFUUID && !raw)
        return -EINVAL;
    if (val->len != sizeof(uuid_t))
        return -EINVAL;
    memcpy(out, val->v.bytes, sizeof(uuid_t));
    return 0;
}

static int read_iatt(const gf_data_t *val, void *out)
{
    if (val->type != GF_DATA_TYPE_IATT)
        return -EINVAL;
    memcpy(out, val->v.bytes, sizeof(gf_iatt_t));
    return 0;
}

static int read_mdata(const gf_data_t *val, void *out)
{
    if (val->type != GF_DATA_TYPE_MDATA)
        return -EINVAL;
    memcpy(out, val->v.bytes, sizeof(gf_mdata_t));
    return 0;
}

static int read_type(const gf_data_t *val, void *out)
{
    *(int *)out = val->type;
    return 0;
}

int gf_dict_get_str(gf_dict_t *dict, const char *key, const char **out)
{
    return get_value(dict, key, read_str, out);
}

int gf_dict_get_int64(gf_dict_t *dict, const char *key, int64_t *out)
{
    return get_value(dict, key, read_i64, out);
}

int gf_dict_get_uint64(gf_dict_t *dict, const char *key, uint64_t *out)
{
    return get_value(dict, key, read_u64, out);
}

int gf_dict_get_int32(gf_dict_t *dict, const char *key, int32_t *out)
{
    int64_t n = 0;
    int ret = get_value(dict, key, read_i64, out ? &n : NULL);

    if (ret)
        return ret;
    if (n < INT32_MIN || n > INT32_MAX)
        return -ERANGE;
    *out = (int32_t)n;
    return 0;
}

int gf_dict_get_bool(gf_dict_t *dict, const char *key, bool *out)
{
    return get_value(dict, key, read_bool, out);
}

int gf_dict_get_double(gf_dict_t *dict, const char *key, double *out)
{
    return get_value(dict, key, read_double, out);
}

int gf_dict_get_bin(gf_dict_t *dict, const char *key, const void **data, size_t *len)
{
    gf_data_t view;
    int ret;

    if (!data || !len)
        return -EINVAL;
    ret = get_value(dict, key, read_bin, &view);
    if (ret)
        return ret;
    *data = view.v.bytes;
    *len = view.len;
    return 0;
}

int gf_dict_get_gfuuid(gf_dict_t *dict, const char *key, uuid_t out)
{
    return get_value(dict, key, read_gfuuid, out);
}

int gf_dict_get_iatt(gf_dict_t *dict, const char *key, gf_iatt_t *out)
{
    return get_value(dict, key, read_iatt, out);
}

int gf_dict_get_mdata(gf_dict_t *dict, const char *key, gf_mdata_t *out)
{
    return get_value(dict, key, read_mdata, out);
}

int gf_dict_get_type(gf_dict_t *dict, const char *key)
{
    int type = 0;
    int ret = get_value(dict, key, read_type, &type);
    return ret ? ret : type;
}

/* Unlinks p from its hash chain and the order list, and frees it. Called locked. */
static void remove_lk(gf_dict_t *dict, pair_t *p)
{
    pair_t **link = &dict->buckets[p->hash & (dict->nbuckets - 1)];

    while (*link != p)
        link = &(*link)->hnext;
    *link = p->hnext;
    if (p->prev)
        p->prev->next = p->next;
    else
        dict->head = p->next;
    if (p->next)
        p->next->prev = p->prev;
    else
        dict->tail = p->prev;
    dict->count--;
    value_wipe(&p->val);
    gf_free(p->key);
    gf_free(p);
}

int gf_dict_del(gf_dict_t *dict, const char *key)
{
    size_t keylen;
    pair_t *p;

    if (!dict || !key)
        return -EINVAL;
    keylen = strlen(key);
    pthread_mutex_lock(&dict->lock);
    p = lookup_lk(dict, key, keylen, key_hash(key, keylen));
    if (p)
        remove_lk(dict, p);
    pthread_mutex_unlock(&dict->lock);
    return p ? 0 : -ENOENT;
}

size_t gf_dict_count(gf_dict_t *dict)
{
    size_t n;

    if (!dict)
        return 0;
    pthread_mutex_lock(&dict->lock);
    n = dict->count;
    pthread_mutex_unlock(&dict->lock);
    return n;
}

bool gf_dict_has(gf_dict_t *dict, const char *key)
{
    return gf_dict_get_type(dict, key) > 0;
}

int gf_dict_foreach(gf_dict_t *dict, gf_dict_foreach_cb cb, void *arg)
{
    int ret = 0;

    if (!dict || !cb)
        return -EINVAL;
    pthread_mutex_lock(&dict->lock);
    for (pair_t *p = dict->head; p && !ret; p = p->next)
        ret = cb(dict, p->key, &p->val, arg);
    pthread_mutex_unlock(&dict->lock);
    return ret;
}

static int copy_pair_cb(gf_dict_t *src, const char *key, const gf_data_t *val, void *arg)
{
    gf_data_t copy;
    int ret = value_copy(&copy, val);

    return ret ? ret : set_value(arg, key, &copy);
}

gf_dict_t *gf_dict_copy(gf_dict_t *src)
{
    gf_dict_t *dst;

    if (!src)
        return NULL;
    dst = gf_dict_new();
    if (dst && gf_dict_foreach(src, copy_pair_cb, dst)) {
        gf_dict_unref(dst);
        return NULL;
    }
    return dst;
}

/*
 * The old untyped encoding, as GlusterFS lays it out (all integers are 32-bit
 * unsigned, big endian):
 *
 *   count
 *   then `count` times:  key_len  value_len  key bytes  NUL  value bytes
 *
 * key_len does not count the NUL that follows the key; value_len counts every
 * value byte sent, and GlusterFS sends text values with their NUL, so "on" is
 * value_len 3, bytes 'o' 'n' NUL. Numbers are sent as text with the NUL
 * ("%lld", "%llu"; doubles with 17 significant digits so they read back
 * exactly), uuids and binary values as their raw bytes. Nothing on the wire
 * says what type a value had, so every decoded value is STR_OLD.
 */
#define HDR_LEN      4 /* count */
#define PAIR_HDR_LEN 8 /* key_len + value_len */

/* Bytes the text of a number value takes, its NUL included; 0 for byte types. */
static size_t number_text(const gf_data_t *val, char *dst, size_t room)
{
    int n;

    switch (val->type) {
    case GF_DATA_TYPE_INT:
        n = snprintf(dst, room, "%" PRId64, val->v.i64);
        break;
    case GF_DATA_TYPE_UINT:
        n = snprintf(dst, room, "%" PRIu64, val->v.u64);
        break;
    case GF_DATA_TYPE_DOUBLE:
        n = snprintf(dst, room, "%.17g", val->v.dbl);
        break;
    default:
        return 0;
    }
    return (size_t)n + 1;
}

/* Bytes val occupies in the old encoding, or -EINVAL when it cannot travel there. */
static ssize_t old_value_len(const gf_data_t *val)
{
    if (val->type == GF_DATA_TYPE_IATT || val->type == GF_DATA_TYPE_MDATA)
        return -EINVAL;
    if (is_byte_type(val->type))
        return val->len;
    return (ssize_t)number_text(val, NULL, 0);
}

static ssize_t serialized_size_lk(gf_dict_t *dict)
{
    size_t total = HDR_LEN;

    for (pair_t *p = dict->head; p; p = p->next) {
        ssize_t vlen = old_value_len(&p->val);
        if (vlen < 0)
            return vlen;
        total += PAIR_HDR_LEN + p->keylen + 1 + (size_t)vlen;
        if (total > INT32_MAX)
            return -EOVERFLOW;
    }
    return (ssize_t)total;
}

ssize_t gf_dict_serialized_size(gf_dict_t *dict)
{
    ssize_t size;

    if (!dict)
        return -EINVAL;
    pthread_mutex_lock(&dict->lock);
    size = serialized_size_lk(dict);
    pthread_mutex_unlock(&dict->lock);
    return size;
}

static char *put_be32(char *dst, uint32_t n)
{
    uint32_t be = htobe32(n);
    memcpy(dst, &be, sizeof(be));
    return dst + sizeof(be);
}

/* Writes one pair at dst (room enough, checked by the size pass); returns the end. */
static char *put_pair(char *dst, const pair_t *p)
{
    ssize_t vlen = old_value_len(&p->val);

    dst = put_be32(dst, (uint32_t)p->keylen);
    dst = put_be32(dst, (uint32_t)vlen);
    memcpy(dst, p->key, p->keylen + 1);
    dst += p->keylen + 1;
    if (is_byte_type(p->val.type))
        memcpy(dst, p->val.v.bytes, (size_t)vlen);
    else
        number_text(&p->val, dst, (size_t)vlen);
    return dst + vlen;
}

int gf_dict_serialize(gf_dict_t *dict, char **buf, size_t *len)
{
    ssize_t size;
    char *out = NULL;
    int ret = 0;

    if (!dict || !buf || !len)
        return -EINVAL;
    pthread_mutex_lock(&dict->lock);
    size = serialized_size_lk(dict);
    if (size < 0)
        ret = (int)size;
    else if (!(out = gf_malloc((size_t)size)))
        ret = -ENOMEM;
    if (!ret) {
        char *end = put_be32(out, (uint32_t)dict->count);
        for (pair_t *p = dict->head; p; p = p->next)
            end = put_pair(end, p);
        *buf = out;
        *len = (size_t)size;
    }
    pthread_mutex_unlock(&dict->lock);
    return ret;
}

/* A reader over an untrusted buffer: every take checks the bytes remain. */
typedef struct cursor {
    const char *pos;
    size_t left;
} cursor_t;

static int take_be32(cursor_t *c, uint32_t *out)
{
    uint32_t be;

    if (c->left < sizeof(be))
        return -EINVAL;
    memcpy(&be, c->pos, sizeof(be));
    *out = be32toh(be);
    c->pos += sizeof(be);
    c->left -= sizeof(be);
    return 0;
}

static int take_bytes(cursor_t *c, size_t n, const char **out)
{
    if (c->left < n)
        return -EINVAL;
    *out = c->pos;
    c->pos += n;
    c->left -= n;
    return 0;
}

/* Decodes one pair at c into dict. -EINVAL on malformed input, -ENOMEM. */
static int take_pair(cursor_t *c, gf_dict_t *dict)
{
    uint32_t keylen, vallen;
    const char *key, *val;

    if (take_be32(c, &keylen) || take_be32(c, &vallen))
        return -EINVAL;
    if (take_bytes(c, (size_t)keylen + 1, &key))
        return -EINVAL;
    if (key[keylen] != '\0' || memchr(key, '\0', keylen))
        return -EINVAL;
    if (take_bytes(c, vallen, &val))
        return -EINVAL;
    return set_bytes(dict, key, GF_DATA_TYPE_STR_OLD, val, vallen);
}

int gf_dict_unserialize(const char *buf, size_t len, gf_dict_t **out)
{
    cursor_t c = {buf, len};
    uint32_t count;
    gf_dict_t *dict;
    int ret = 0;

    if (!buf || !out)
        return -EINVAL;
    if (take_be32(&c, &count))
        return -EINVAL;
    if (count > UNSERIALIZE_MAX_PAIRS || count > c.left / (PAIR_HDR_LEN + 1))
        return -EINVAL;
    dict = gf_dict_new();
    if (!dict)
        return -ENOMEM;
    for (uint32_t i = 0; i < count && !ret; i++)
        ret = take_pair(&c, dict);
    if (ret) {
        gf_dict_unref(dict);
        return ret;
    }
    *out = dict;
    return 0;
}
