/*
 * Unit tests of the record-marking decoder and encoder (rpc/rpc-lib/src/record.c):
 * arbitrary chunking, several records per chunk, multi-fragment records, the
 * size limit at the marker, empty-fragment storms, and in-place reading.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "record.h"

#define MAX_RECS 8

typedef struct sink {
    gf_buf_t *recs[MAX_RECS];
    int n;
    int stop_after; /* return 7 after this many records; 0: never */
} sink_t;

static int collect(gf_buf_t *rec, void *arg)
{
    sink_t *s = arg;
    assert_true(s->n < MAX_RECS);
    s->recs[s->n++] = rec;
    return s->stop_after && s->n >= s->stop_after ? 7 : 0;
}

static void sink_free(sink_t *s)
{
    for (int i = 0; i < s->n; i++)
        gf_buf_unref(s->recs[i]);
}

/* Appends a fragment (marker + len bytes of fill) to buf at *off. */
static void put_frag(uint8_t *buf, size_t *off, uint32_t len, bool last, uint8_t fill)
{
    uint32_t marker = htonl((last ? RPC_RECORD_LAST : 0) | len);
    memcpy(buf + *off, &marker, 4);
    memset(buf + *off + 4, fill, len);
    *off += 4 + len;
}

static void assert_rec(const gf_buf_t *rec, size_t len, uint8_t fill)
{
    assert_int_equal(rec->size, len);
    for (size_t i = 0; i < len; i++)
        assert_int_equal((uint8_t)rec->data[i], fill);
}

static void one_byte_at_a_time(void **state)
{
    uint8_t buf[512];
    size_t len = 0;
    put_frag(buf, &len, 5, true, 'a');
    put_frag(buf, &len, 300, true, 'b');
    rpc_record_dec_t dec;
    sink_t s = {0};
    rpc_record_dec_init(&dec, 0);
    for (size_t i = 0; i < len; i++) {
        assert_int_equal(rpc_record_feed(&dec, (char *)buf + i, 1, collect, &s), 0);
        assert_int_equal(s.n, i < 9 - 1 ? 0 : i < len - 1 ? 1 : 2);
    }
    assert_rec(s.recs[0], 5, 'a');
    assert_rec(s.recs[1], 300, 'b');
    sink_free(&s);
    rpc_record_dec_fini(&dec);
}

static void several_records_in_one_chunk(void **state)
{
    uint8_t buf[256];
    size_t len = 0;
    put_frag(buf, &len, 1, true, 'x');
    put_frag(buf, &len, 17, true, 'y');
    put_frag(buf, &len, 64, true, 'z');
    rpc_record_dec_t dec;
    sink_t s = {0};
    rpc_record_dec_init(&dec, 0);
    assert_int_equal(rpc_record_feed(&dec, (char *)buf, len, collect, &s), 0);
    assert_int_equal(s.n, 3);
    assert_rec(s.recs[0], 1, 'x');
    assert_rec(s.recs[1], 17, 'y');
    assert_rec(s.recs[2], 64, 'z');
    sink_free(&s);
    rpc_record_dec_fini(&dec);
}

static void multi_fragment_record(void **state)
{
    uint8_t buf[64];
    size_t len = 0;
    put_frag(buf, &len, 3, false, 'm');
    put_frag(buf, &len, 0, false, 0);
    put_frag(buf, &len, 4, false, 'm');
    put_frag(buf, &len, 2, true, 'm');
    rpc_record_dec_t dec;
    sink_t s = {0};
    rpc_record_dec_init(&dec, 0);
    assert_int_equal(rpc_record_feed(&dec, (char *)buf, len, collect, &s), 0);
    assert_int_equal(s.n, 1);
    assert_rec(s.recs[0], 9, 'm');
    sink_free(&s);
    rpc_record_dec_fini(&dec);
}

static void truncated_input_waits(void **state)
{
    uint8_t buf[64];
    size_t len = 0;
    put_frag(buf, &len, 20, true, 't');
    rpc_record_dec_t dec;
    sink_t s = {0};
    rpc_record_dec_init(&dec, 0);
    assert_int_equal(rpc_record_feed(&dec, (char *)buf, 2, collect, &s), 0);
    assert_int_equal(rpc_record_feed(&dec, (char *)buf + 2, 10, collect, &s), 0);
    assert_int_equal(s.n, 0);
    assert_int_equal(rpc_record_feed(&dec, (char *)buf + 12, len - 12, collect, &s), 0);
    assert_int_equal(s.n, 1);
    assert_rec(s.recs[0], 20, 't');
    sink_free(&s);
    rpc_record_dec_fini(&dec);
}

static void oversized_rejected_at_marker(void **state)
{
    uint32_t marker = htonl(RPC_RECORD_LAST | 101);
    rpc_record_dec_t dec;
    sink_t s = {0};
    rpc_record_dec_init(&dec, 100);
    assert_int_equal(rpc_record_feed(&dec, (char *)&marker, 4, collect, &s), -EMSGSIZE);
    assert_int_equal(s.n, 0);
    rpc_record_dec_fini(&dec);
}

static void oversized_across_fragments(void **state)
{
    uint8_t buf[256];
    size_t len = 0;
    put_frag(buf, &len, 60, false, 'o');
    put_frag(buf, &len, 41, true, 'o');
    rpc_record_dec_t dec;
    sink_t s = {0};
    rpc_record_dec_init(&dec, 100);
    assert_int_equal(rpc_record_feed(&dec, (char *)buf, 64 + 4, collect, &s), -EMSGSIZE);
    assert_int_equal(s.n, 0);
    rpc_record_dec_fini(&dec);
}

static void huge_marker_rejected_by_default(void **state)
{
    uint32_t marker = htonl(RPC_RECORD_LAST | RPC_RECORD_FRAG_MAX);
    rpc_record_dec_t dec;
    sink_t s = {0};
    rpc_record_dec_init(&dec, 0);
    assert_int_equal(dec.max, RPC_RECORD_MAX_DEFAULT);
    assert_int_equal(rpc_record_feed(&dec, (char *)&marker, 4, collect, &s), -EMSGSIZE);
    rpc_record_dec_fini(&dec);
}

static void exactly_limit_accepted(void **state)
{
    uint8_t buf[256];
    size_t len = 0;
    put_frag(buf, &len, 50, false, 'e');
    put_frag(buf, &len, 50, true, 'e');
    rpc_record_dec_t dec;
    sink_t s = {0};
    rpc_record_dec_init(&dec, 100);
    assert_int_equal(rpc_record_feed(&dec, (char *)buf, len, collect, &s), 0);
    assert_int_equal(s.n, 1);
    assert_rec(s.recs[0], 100, 'e');
    sink_free(&s);
    rpc_record_dec_fini(&dec);
}

static void empty_fragment_storm_rejected(void **state)
{
    uint8_t buf[256];
    size_t len = 0;
    for (int i = 0; i < RPC_RECORD_MAX_EMPTY; i++)
        put_frag(buf, &len, 0, false, 0);
    rpc_record_dec_t dec;
    sink_t s = {0};
    rpc_record_dec_init(&dec, 0);
    assert_int_equal(rpc_record_feed(&dec, (char *)buf, len, collect, &s), 0);
    assert_int_equal(rpc_record_feed(&dec, (char *)buf, 4, collect, &s), -EBADMSG);
    assert_int_equal(s.n, 0);
    rpc_record_dec_fini(&dec);
}

static void empty_record_rejected(void **state)
{
    uint32_t marker = htonl(RPC_RECORD_LAST);
    rpc_record_dec_t dec;
    sink_t s = {0};
    rpc_record_dec_init(&dec, 0);
    assert_int_equal(rpc_record_feed(&dec, (char *)&marker, 4, collect, &s), -EBADMSG);
    rpc_record_dec_fini(&dec);
}

static void callback_stops_decoding(void **state)
{
    uint8_t buf[64];
    size_t len = 0;
    put_frag(buf, &len, 2, true, 'p');
    put_frag(buf, &len, 2, true, 'q');
    rpc_record_dec_t dec;
    sink_t s = {.stop_after = 1};
    rpc_record_dec_init(&dec, 0);
    assert_int_equal(rpc_record_feed(&dec, (char *)buf, len, collect, &s), 7);
    assert_int_equal(s.n, 1);
    assert_rec(s.recs[0], 2, 'p');
    sink_free(&s);
    rpc_record_dec_fini(&dec);
}

static void direct_read_in_place(void **state)
{
    uint32_t marker = htonl(RPC_RECORD_LAST | 1000);
    rpc_record_dec_t dec;
    sink_t s = {0};
    size_t len;
    rpc_record_dec_init(&dec, 0);
    assert_null(rpc_record_direct(&dec, 1, &len));
    assert_int_equal(rpc_record_feed(&dec, (char *)&marker, 4, collect, &s), 0);
    assert_null(rpc_record_direct(&dec, 1001, &len));
    char *p = rpc_record_direct(&dec, 1000, &len);
    assert_non_null(p);
    assert_int_equal(len, 1000);
    memset(p, 'd', 600);
    assert_int_equal(rpc_record_advance(&dec, 600, collect, &s), 0);
    p = rpc_record_direct(&dec, 400, &len);
    assert_int_equal(len, 400);
    memset(p, 'd', 400);
    assert_int_equal(rpc_record_advance(&dec, 400, collect, &s), 0);
    assert_int_equal(s.n, 1);
    assert_rec(s.recs[0], 1000, 'd');
    sink_free(&s);
    rpc_record_dec_fini(&dec);
}

static void fini_frees_partial_record(void **state)
{
    uint8_t buf[64];
    size_t len = 0;
    put_frag(buf, &len, 10, false, 'f');
    rpc_record_dec_t dec;
    sink_t s = {0};
    rpc_record_dec_init(&dec, 0);
    assert_int_equal(rpc_record_feed(&dec, (char *)buf, len - 3, collect, &s), 0);
    assert_non_null(dec.stage);
    rpc_record_dec_fini(&dec);
    assert_null(dec.stage);
}

static void marker_encoding(void **state)
{
    assert_int_equal(rpc_record_marker(5), htonl(0x80000005u));
    assert_int_equal(rpc_record_marker(RPC_RECORD_FRAG_MAX), htonl(0xffffffffu));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_byte_at_a_time),
        cmocka_unit_test(several_records_in_one_chunk),
        cmocka_unit_test(multi_fragment_record),
        cmocka_unit_test(truncated_input_waits),
        cmocka_unit_test(oversized_rejected_at_marker),
        cmocka_unit_test(oversized_across_fragments),
        cmocka_unit_test(huge_marker_rejected_by_default),
        cmocka_unit_test(exactly_limit_accepted),
        cmocka_unit_test(empty_fragment_storm_rejected),
        cmocka_unit_test(empty_record_rejected),
        cmocka_unit_test(callback_stops_decoding),
        cmocka_unit_test(direct_read_in_place),
        cmocka_unit_test(fini_frees_partial_record),
        cmocka_unit_test(marker_encoding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
