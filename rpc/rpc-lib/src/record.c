/*
 * Record-marking decoder and encoder (see record.h). A record that arrives as
 * one fragment, the usual case, is read straight into a gf_buf_t of its exact
 * size; a record in several fragments is gathered in a growing staging area
 * and copied into a gf_buf_t when its last fragment is complete.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "glusterfs/mem.h"
#include "record.h"

void rpc_record_dec_init(rpc_record_dec_t *dec, size_t max)
{
    *dec = (rpc_record_dec_t){.max = max ? max : RPC_RECORD_MAX_DEFAULT};
}

void rpc_record_dec_fini(rpc_record_dec_t *dec)
{
    gf_buf_unref(dec->single);
    gf_free(dec->stage);
    dec->single = NULL;
    dec->stage = NULL;
    dec->stage_cap = 0;
}

/* Where the next byte of the current record goes. */
static char *dest(rpc_record_dec_t *dec)
{
    return (dec->single ? dec->single->data : dec->stage) + dec->rec_len;
}

/* Hands the completed record to cb and resets dec for the next one. */
static int emit(rpc_record_dec_t *dec, rpc_record_cb_t cb, void *arg)
{
    gf_buf_t *rec = dec->single;
    if (!rec) {
        rec = gf_buf_new(dec->rec_len);
        if (!rec)
            return -ENOMEM;
        memcpy(rec->data, dec->stage, dec->rec_len);
        gf_free(dec->stage);
        dec->stage = NULL;
        dec->stage_cap = 0;
    }
    dec->single = NULL;
    dec->rec_len = 0;
    dec->empties = 0;
    return cb(rec, arg);
}

/* Makes room for a fragment of flen bytes after what the record holds. */
static int reserve(rpc_record_dec_t *dec, size_t flen)
{
    if (dec->rec_len == 0 && dec->last) {
        dec->single = gf_buf_new(flen);
        return dec->single ? 0 : -ENOMEM;
    }
    size_t need = dec->rec_len + flen;
    if (need <= dec->stage_cap)
        return 0;
    size_t cap = dec->stage_cap ? dec->stage_cap : 4096;
    while (cap < need)
        cap *= 2;
    char *stage = gf_realloc(dec->stage, cap);
    if (!stage)
        return -ENOMEM;
    dec->stage = stage;
    dec->stage_cap = cap;
    return 0;
}

/* Interprets the 4 marker bytes just completed. */
static int start_fragment(rpc_record_dec_t *dec, rpc_record_cb_t cb, void *arg)
{
    uint32_t marker;
    memcpy(&marker, dec->marker, sizeof(marker));
    marker = ntohl(marker);
    size_t flen = marker & RPC_RECORD_FRAG_MAX;
    dec->last = (marker & RPC_RECORD_LAST) != 0;
    dec->marker_have = 0;
    if (flen > dec->max - dec->rec_len)
        return -EMSGSIZE;
    if (flen == 0 && !dec->last)
        return ++dec->empties > RPC_RECORD_MAX_EMPTY ? -EBADMSG : 0;
    if (flen == 0)
        return dec->rec_len ? emit(dec, cb, arg) : -EBADMSG;
    int err = reserve(dec, flen);
    if (err)
        return err;
    dec->in_body = true;
    dec->frag_left = flen;
    return 0;
}

int rpc_record_advance(rpc_record_dec_t *dec, size_t n, rpc_record_cb_t cb, void *arg)
{
    dec->rec_len += n;
    dec->frag_left -= n;
    if (dec->frag_left > 0)
        return 0;
    dec->in_body = false;
    return dec->last ? emit(dec, cb, arg) : 0;
}

int rpc_record_feed(rpc_record_dec_t *dec, const char *data, size_t len, rpc_record_cb_t cb,
                    void *arg)
{
    while (len > 0) {
        size_t n;
        int err;
        if (dec->in_body) {
            n = len < dec->frag_left ? len : dec->frag_left;
            memcpy(dest(dec), data, n);
            err = rpc_record_advance(dec, n, cb, arg);
        } else {
            n = sizeof(dec->marker) - (size_t)dec->marker_have;
            n = len < n ? len : n;
            memcpy(dec->marker + dec->marker_have, data, n);
            dec->marker_have += (int)n;
            err = dec->marker_have == sizeof(dec->marker) ? start_fragment(dec, cb, arg) : 0;
        }
        if (err)
            return err;
        data += n;
        len -= n;
    }
    return 0;
}

char *rpc_record_direct(rpc_record_dec_t *dec, size_t min, size_t *len)
{
    if (!dec->in_body || dec->frag_left < min)
        return NULL;
    *len = dec->frag_left;
    return dest(dec);
}

uint32_t rpc_record_marker(size_t len)
{
    return htonl(RPC_RECORD_LAST | (uint32_t)len);
}
