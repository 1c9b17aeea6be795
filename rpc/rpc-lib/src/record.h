/*
 * Record marking (RFC 5531 section 11): how ONC RPC messages are delimited on a
 * byte stream. A record is a sequence of fragments, each preceded by a 4-byte
 * big-endian marker whose top bit says "last fragment" and whose low 31 bits
 * give the fragment's length.
 *
 * The decoder is fed whatever bytes a socket returned, in chunks of any size,
 * and hands out each complete record as a gf_buf_t. It never looks past the
 * bytes it is given, and it rejects a stream that announces a record larger
 * than its limit (at the marker, before anything is allocated for it) or that
 * sends a run of empty non-last fragments.
 */
#ifndef RPC_RECORD_H
#define RPC_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "glusterfs/buf.h"

#define RPC_RECORD_MAX_DEFAULT (64u << 20) /* 64 MiB: a 32 MiB write with room to spare */
#define RPC_RECORD_MAX_EMPTY 16            /* empty non-last fragments tolerated per record */
#define RPC_RECORD_LAST 0x80000000u        /* last-fragment bit of a marker */
#define RPC_RECORD_FRAG_MAX 0x7fffffffu    /* largest fragment a marker can announce */

/* Receives one complete record and takes over its reference. Returns 0 to go on
 * decoding, or a non-zero value that stops the decoder and is returned by the
 * feeding call (for instance when the connection has just been closed). */
typedef int (*rpc_record_cb_t)(gf_buf_t *record, void *arg);

typedef struct rpc_record_dec {
    size_t max;          /* largest record accepted, in bytes */
    uint8_t marker[4];   /* marker bytes received so far */
    int marker_have;     /* how many of them */
    bool in_body;        /* reading a fragment's bytes (else a marker) */
    bool last;           /* the current fragment ends the record */
    size_t frag_left;    /* bytes of the current fragment still to come */
    size_t rec_len;      /* bytes of the current record received so far */
    unsigned empties;    /* empty non-last fragments in the current record */
    gf_buf_t *single;    /* destination of a record sent as one fragment */
    char *stage;         /* accumulation of a multi-fragment record */
    size_t stage_cap;
} rpc_record_dec_t;

/* Prepares dec to accept records of at most max bytes (0: RPC_RECORD_MAX_DEFAULT). */
void rpc_record_dec_init(rpc_record_dec_t *dec, size_t max);

/* Frees what a partly received record holds. dec may be initialised again. */
void rpc_record_dec_fini(rpc_record_dec_t *dec);

/* Consumes all len bytes of data, calling cb for each record it completes.
 * Returns 0; -EMSGSIZE when a marker announces a record over the limit;
 * -EBADMSG on an empty record or more than RPC_RECORD_MAX_EMPTY empty
 * fragments; -ENOMEM; or the non-zero value cb returned. After an error the
 * decoder's state is undefined: the stream must be abandoned. */
int rpc_record_feed(rpc_record_dec_t *dec, const char *data, size_t len, rpc_record_cb_t cb,
                    void *arg);

/* For reading large fragments without a copy: when at least min bytes of the
 * current fragment are still to come, returns where they go and sets *len to
 * how many; otherwise NULL. Fill some of them, then call rpc_record_advance. */
char *rpc_record_direct(rpc_record_dec_t *dec, size_t min, size_t *len);

/* Accounts for n bytes written at rpc_record_direct's pointer (n no more than
 * the length it gave) and emits the record if they complete it. Returns as
 * rpc_record_feed. */
int rpc_record_advance(rpc_record_dec_t *dec, size_t n, rpc_record_cb_t cb, void *arg);

/* The marker of a record sent as one fragment of len bytes (len at most
 * RPC_RECORD_FRAG_MAX), in network byte order, ready to be written. */
uint32_t rpc_record_marker(size_t len);

#endif
