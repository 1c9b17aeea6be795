/*
 * Fuzz target of the record-marking decoder (rpc/rpc-lib/src/record.c).
 *
 * Input: one control byte, then the byte stream a peer would send. The
 * control byte picks the record limit (its top two bits) and seeds how the
 * stream is cut into reads and whether each read goes through
 * rpc_record_feed or the in-place path (rpc_record_direct/advance), as the
 * socket transport does. The records and the error the decoder yields are
 * compared with those of a plain reference reading of the whole stream, so
 * the target catches wrong reassembly as well as memory errors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "record.h"

#define MAX_INPUT    65536
#define MAX_EXPECTED (MAX_INPUT / 5) /* a record takes at least 5 bytes */

static const size_t limits[4] = {16, 300, 4096, 65536};

/* The records the stream holds, per the reference reading. */
typedef struct expected {
    uint8_t *bytes[MAX_EXPECTED];
    size_t len[MAX_EXPECTED];
    int n;    /* records */
    int err;  /* error the stream must end with (0: none) */
    int seen; /* records the decoder has emitted so far */
} expected_t;

/* Adds a record of len bytes to exp. */
static void expect_record(expected_t *exp, const uint8_t *bytes, size_t len)
{
    FUZZ_CHECK(exp->n < MAX_EXPECTED);
    exp->bytes[exp->n] = malloc(len);
    FUZZ_CHECK(exp->bytes[exp->n]);
    memcpy(exp->bytes[exp->n], bytes, len);
    exp->len[exp->n++] = len;
}

/* Reads the stream s[0..n) as record.h describes it, filling exp. */
static void reference(const uint8_t *s, size_t n, size_t max, expected_t *exp)
{
    static uint8_t rec[65536];
    size_t rec_len = 0, pos = 0;
    unsigned empties = 0;

    while (n - pos >= 4 && !exp->err) {
        uint32_t marker;
        memcpy(&marker, s + pos, 4);
        marker = ntohl(marker);
        pos += 4;
        size_t flen = marker & RPC_RECORD_FRAG_MAX;
        int last = (marker & RPC_RECORD_LAST) != 0;
        if (flen > max - rec_len) {
            exp->err = -EMSGSIZE;
        } else if (flen == 0 && !last) {
            exp->err = ++empties > RPC_RECORD_MAX_EMPTY ? -EBADMSG : 0;
        } else if (flen == 0 && rec_len == 0) {
            exp->err = -EBADMSG;
        } else {
            size_t have = n - pos < flen ? n - pos : flen;
            memcpy(rec + rec_len, s + pos, have);
            rec_len += have;
            pos += have;
            if (have < flen)
                return;
            if (last) {
                expect_record(exp, rec, rec_len);
                rec_len = 0;
                empties = 0;
            }
        }
    }
}

/* Decoder callback: each record must be the next one the reference found. */
static int check_record(gf_buf_t *record, void *arg)
{
    expected_t *exp = arg;

    FUZZ_CHECK(exp->seen < exp->n);
    FUZZ_CHECK(record->size == exp->len[exp->seen]);
    FUZZ_CHECK(memcmp(record->data, exp->bytes[exp->seen], record->size) == 0);
    exp->seen++;
    gf_buf_unref(record);
    return 0;
}

/* Next value of a small xorshift generator: the read sizes and paths. */
static uint32_t next_rand(uint32_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 17;
    *state ^= *state << 5;
    return *state;
}

/* Hands the decoder up to want bytes of s, one way or the other. Returns the
 * bytes consumed (*err set when the decoder failed). */
static size_t deliver(rpc_record_dec_t *dec, const uint8_t *s, size_t want, bool direct,
                      expected_t *exp, int *err)
{
    size_t room;
    char *dst = direct ? rpc_record_direct(dec, 1, &room) : NULL;

    if (!dst) {
        *err = rpc_record_feed(dec, (const char *)s, want, check_record, exp);
        return want;
    }
    size_t n = want < room ? want : room;
    memcpy(dst, s, n);
    *err = rpc_record_advance(dec, n, check_record, exp);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static expected_t exp;
    rpc_record_dec_t dec;
    int err = 0;

    if (size < 1 || size > MAX_INPUT)
        return 0;
    size_t max = limits[data[0] >> 6];
    uint32_t state = 0x9e3779b9u ^ data[0];
    const uint8_t *s = data + 1;
    size_t n = size - 1, pos = 0;

    exp.n = exp.seen = exp.err = 0;
    reference(s, n, max, &exp);
    rpc_record_dec_init(&dec, max);
    while (pos < n && !err) {
        uint32_t r = next_rand(&state);
        size_t want = 1 + r % 97;
        want = want < n - pos ? want : n - pos;
        pos += deliver(&dec, s + pos, want, r & 0x100, &exp, &err);
    }
    rpc_record_dec_fini(&dec);
    FUZZ_CHECK(err == exp.err);
    FUZZ_CHECK(exp.seen == exp.n);
    for (int i = 0; i < exp.n; i++)
        free(exp.bytes[i]);
    return 0;
}
