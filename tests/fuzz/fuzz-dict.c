/*
 * Fuzz target of the old-format dict decoder, gf_dict_unserialize
 * (libglusterfs/src/dict.c), which reads the dicts of SETVOLUME, GETSPEC, the
 * CLI and brick-op programs.
 *
 * The input is taken as a serialized dict. A dict that decodes is read back
 * through every typed getter (peers send numbers and booleans as text, so the
 * text parsers see untrusted bytes) and must survive a serialize/unserialize
 * round trip: the second encoding must equal the first byte for byte.
 */
#include <string.h>

#include "fuzz.h"
#include "glusterfs/dict.h"
#include "glusterfs/mem.h"

/* Reads one value through every getter; only memory safety is at stake. */
static int read_value(gf_dict_t *dict, const char *key, const gf_data_t *value, void *arg)
{
    const char *str;
    const void *bin;
    size_t len;
    int64_t i64;
    uint64_t u64;
    int32_t i32;
    double dbl;
    bool b;
    uuid_t gfid;

    FUZZ_CHECK(value->type == GF_DATA_TYPE_STR_OLD);
    FUZZ_CHECK(value->v.bytes[value->len] == '\0');
    FUZZ_CHECK(gf_dict_get_str(dict, key, &str) == 0);
    FUZZ_CHECK(gf_dict_get_bin(dict, key, &bin, &len) == 0 && len == value->len);
    gf_dict_get_int64(dict, key, &i64);
    gf_dict_get_uint64(dict, key, &u64);
    gf_dict_get_int32(dict, key, &i32);
    gf_dict_get_double(dict, key, &dbl);
    gf_dict_get_bool(dict, key, &b);
    gf_dict_get_gfuuid(dict, key, gfid);
    return 0;
}

/* Serializes dict; the encoding must decode to a dict that encodes the same. */
static void round_trip(gf_dict_t *dict)
{
    char *first, *second;
    size_t first_len, second_len;
    gf_dict_t *again;

    FUZZ_CHECK(gf_dict_serialize(dict, &first, &first_len) == 0);
    FUZZ_CHECK(gf_dict_unserialize(first, first_len, &again) == 0);
    FUZZ_CHECK(gf_dict_count(again) == gf_dict_count(dict));
    FUZZ_CHECK(gf_dict_serialize(again, &second, &second_len) == 0);
    FUZZ_CHECK(first_len == second_len && memcmp(first, second, first_len) == 0);
    gf_free(first);
    gf_free(second);
    gf_dict_unref(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gf_dict_t *dict;

    if (gf_dict_unserialize((const char *)data, size, &dict) != 0)
        return 0;
    gf_dict_foreach(dict, read_value, NULL);
    round_trip(dict);
    gf_dict_unref(dict);
    return 0;
}
