/*
 * The JSON side of the etcd client (internal to etcd-client.c and its tests):
 * request bodies for etcd's v3 HTTP gateway and the decoding of its answers.
 * The gateway speaks protobuf's JSON mapping: keys and values are base64, 64-bit
 * integers are decimal strings, fields at their default (0, false, "") are left
 * out, and a streamed answer (watch) is one JSON object per line.
 */
#ifndef GD_ETCD_CODEC_H
#define GD_ETCD_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "etcd-client.h"

/* The requests; each has its gateway path (gd_etcd_path). */
typedef enum {
    GD_ETCD_PUT,
    GD_ETCD_RANGE,
    GD_ETCD_DELETE,
    GD_ETCD_TXN,
    GD_ETCD_GRANT,
    GD_ETCD_KEEPALIVE,
    GD_ETCD_REVOKE,
    GD_ETCD_CAMPAIGN,
    GD_ETCD_LEADER,
    GD_ETCD_RESIGN,
    GD_ETCD_WATCH,
    GD_ETCD_PROBE, /* maintenance/status: is the member alive, in which term? */
} gd_etcd_kind_t;

const char *gd_etcd_path(gd_etcd_kind_t kind);

/* base64 of len bytes of data (NUL-terminated, gf_malloc'd), NULL on ENOMEM. */
char *gd_etcd_b64(const char *data, size_t len);
/* Decodes base64 s into a gf_malloc'd NUL-terminated buffer (*len bytes before
 * the NUL). 0, -EINVAL for bad base64, -ENOMEM. */
int gd_etcd_unb64(const char *s, char **out, size_t *len);
/* The end of the range of keys starting with prefix (plen bytes), written to end
 * (plen bytes at most; *end_len set): the prefix with its last byte below 0xff
 * incremented and what follows dropped; "\0" (length 1) when every key matches. */
void gd_etcd_prefix_end(const char *prefix, size_t plen, char *end, size_t *end_len);

/* Request bodies: gf_malloc'd JSON text, or NULL on ENOMEM. */
char *gd_etcd_enc_put(const char *key, const char *value, size_t len, int64_t lease);
char *gd_etcd_enc_range(const char *key, int prefix);
char *gd_etcd_enc_delete(const char *key, int prefix);
char *gd_etcd_enc_txn(const gd_etcd_txn_t *txn);
char *gd_etcd_enc_grant(int64_t ttl_s);
char *gd_etcd_enc_lease_id(int64_t id); /* keepalive, revoke */
char *gd_etcd_enc_watch(const char *key, int prefix, int64_t start_rev);
char *gd_etcd_enc_campaign(const char *name, int64_t lease, const char *value);
char *gd_etcd_enc_leader(const char *name);
char *gd_etcd_enc_resign(const gd_etcd_leader_t *leader);

/* A decoded answer: reply, and what its pointers point into (freed by
 * gd_etcd_dec_free). */
typedef struct gd_etcd_decoded {
    gd_etcd_reply_t reply;
    gd_etcd_leader_t leader;
} gd_etcd_decoded_t;

/* Decodes the body of a successful (HTTP 200) answer to a request of kind into
 * d->reply (err 0, or -ENOENT for a keepalive of an unknown lease). 0, -EIO when
 * the body is not what etcd sends, -ENOMEM. */
int gd_etcd_dec_reply(gd_etcd_kind_t kind, const char *body, gd_etcd_decoded_t *d);
void gd_etcd_dec_free(gd_etcd_decoded_t *d);

/* An error answer's gRPC code and message (copied, at most msg_size bytes with the
 * NUL). Returns the code, or -1 when body is no error object. */
int gd_etcd_dec_error(const char *body, char *msg, size_t msg_size);

/* One message of a watch stream. */
typedef struct gd_etcd_watch_msg {
    int created;
    int canceled;
    int64_t compact_rev;
    int64_t rev; /* header revision */
    int error;   /* the stream reported an error (the stream ends) */
    gd_etcd_event_t *evs;
    int n;
} gd_etcd_watch_msg_t;

/* Decodes one line of a watch stream. 0, -EIO when it is not a watch message,
 * -ENOMEM. */
int gd_etcd_dec_watch(const char *line, gd_etcd_watch_msg_t *m);
void gd_etcd_watch_msg_free(gd_etcd_watch_msg_t *m);

#endif
