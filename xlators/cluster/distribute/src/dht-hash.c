/*
 * The name hash of distribute: which 32-bit value a file name hashes to, bit
 * for bit as GlusterFS computes it, since the layouts on disk are ranges of
 * these values and both clients must place every name on the same subvolume.
 *
 * The function (GlusterFS's gf_dm_hashfn) is a Davies-Meyer construction over
 * the TEA block cipher: the state is two 32-bit words h0, h1; each 16-byte
 * block of the name, read as four little-endian words, is the cipher key of a
 * few TEA rounds on (h0, h1), whose result is added back into (h0, h1). Full
 * blocks get 6 rounds; the last, padded block gets 10. The hash is h0 ^ h1.
 * Padding: each word past the name's full words is p | p << 16 with
 * p = len | len << 8 (the length byte four times, for names under 256 bytes),
 * and the first of them takes the name's last (len % 4) bytes shifted in from
 * the right. Those bytes are read as plain `char`, which is
 * signed on the x86-64 builds of GlusterFS: a byte >= 0x80 sets all the high
 * bits of the word. We follow the x86-64 clients here on every architecture.
 *
 * Before hashing, a name that looks like a temporary file (by default rsync's
 * ".NAME.XXXXXX") is reduced to the part the first parenthesised group of the
 * regex matches, so the file does not move when it is renamed to NAME.
 */
#include <errno.h>
#include <string.h>

#include "dht.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"

#define TEA_DELTA   0x9e3779b9u
#define ROUNDS_PART 6  /* full blocks */
#define ROUNDS_FULL 10 /* the last block */
#define H0_INIT     0x9464a485u
#define H1_INIT     0x542e1a94u

/* Encrypts (h0, h1) with key k for `rounds` TEA rounds and adds the result
 * back into (h0, h1). */
static void tea_mix(const uint32_t k[4], int rounds, uint32_t *h0, uint32_t *h1)
{
    uint32_t b0 = *h0, b1 = *h1, sum = 0;

    while (rounds-- > 0) {
        sum += TEA_DELTA;
        b0 += ((b1 << 4) + k[0]) ^ (b1 + sum) ^ ((b1 >> 5) + k[1]);
        b1 += ((b0 << 4) + k[2]) ^ (b0 + sum) ^ ((b0 >> 5) + k[3]);
    }
    *h0 += b0;
    *h1 += b1;
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A tail byte as the x86-64 builds read it: a signed char widened. */
static uint32_t tail_byte(unsigned char c)
{
    return (uint32_t)(int32_t)(signed char)c;
}

uint32_t dht_dm_hash(const char *msg, size_t len)
{
    const unsigned char *p = (const unsigned char *)msg;
    uint32_t pad = (uint32_t)len | (uint32_t)len << 8;
    size_t words = len / 4, tail = len % 4;
    uint32_t h0 = H0_INIT, h1 = H1_INIT, k[4];
    int j;

    pad |= pad << 16;
    for (; words >= 4; words -= 4, p += 16) {
        for (j = 0; j < 4; j++)
            k[j] = le32(p + 4 * j);
        tea_mix(k, ROUNDS_PART, &h0, &h1);
    }
    for (j = 0; j < 4; j++) {
        if (words) {
            k[j] = le32(p);
            p += 4;
            words--;
            continue;
        }
        k[j] = pad;
        for (; tail; tail--, p++)
            k[j] = (k[j] << 8) | tail_byte(*p);
    }
    tea_mix(k, ROUNDS_FULL, &h0, &h1);
    return h0 ^ h1;
}

/* Compiles pattern into re; logs and returns -EINVAL when it does not compile. */
static int compile(regex_t *re, bool *valid, const char *key, const char *pattern)
{
    *valid = regcomp(re, pattern, REG_EXTENDED) == 0;
    if (*valid)
        return 0;
    gf_log(GF_LOG_ERROR,
           "option %s: '%s' is not an extended regular expression; names "
           "are hashed whole",
           key, pattern);
    return -EINVAL;
}

int dht_hasher_init(dht_hasher_t *h, const char *rsync_re, const char *extra_re)
{
    int ret;

    memset(h, 0, sizeof(*h));
    ret = compile(&h->rsync_re, &h->rsync_valid, "rsync-hash-regex",
                  rsync_re ? rsync_re : DHT_RSYNC_REGEX);
    if (extra_re && compile(&h->extra_re, &h->extra_valid, "extra-hash-regex", extra_re))
        ret = -EINVAL;
    return ret;
}

void dht_hasher_fini(dht_hasher_t *h)
{
    if (h->rsync_valid)
        regfree(&h->rsync_re);
    if (h->extra_valid)
        regfree(&h->extra_re);
    h->rsync_valid = h->extra_valid = false;
}

/* When re matches name with a first group, sets *start and *len to that group. */
static bool munge(const regex_t *re, const char *name, size_t *start, size_t *len)
{
    regmatch_t m[2];

    if (regexec(re, name, 2, m, 0) != 0 || m[1].rm_so < 0)
        return false;
    *start = (size_t)m[1].rm_so;
    *len = (size_t)(m[1].rm_eo - m[1].rm_so);
    return true;
}

uint32_t dht_hash_name(const dht_hasher_t *h, const char *name)
{
    size_t start = 0, len = strlen(name);

    if (!(h->extra_valid && munge(&h->extra_re, name, &start, &len)) && h->rsync_valid)
        munge(&h->rsync_re, name, &start, &len);
    return dht_dm_hash(name + start, len);
}
