/*
 * Encoding of etcd v3 gateway requests and decoding of its answers, with json-c.
 * Nothing here does I/O: etcd-client.c sends what this builds and hands back
 * what it receives. Bodies follow protobuf's JSON mapping of etcd's messages
 * (etcdserverpb, v3electionpb): base64 bytes, int64 as decimal strings, fields at
 * their zero value omitted.
 */
#include <errno.h>
#include <inttypes.h>
#include <json.h>
#include <stdio.h>
#include <string.h>

#include "etcd-codec.h"
#include "glusterfs/mem.h"

static const char *const paths[] = {
    [GD_ETCD_PUT] = "/v3/kv/put",
    [GD_ETCD_RANGE] = "/v3/kv/range",
    [GD_ETCD_DELETE] = "/v3/kv/deleterange",
    [GD_ETCD_TXN] = "/v3/kv/txn",
    [GD_ETCD_GRANT] = "/v3/lease/grant",
    [GD_ETCD_KEEPALIVE] = "/v3/lease/keepalive",
    [GD_ETCD_REVOKE] = "/v3/lease/revoke",
    [GD_ETCD_CAMPAIGN] = "/v3/election/campaign",
    [GD_ETCD_LEADER] = "/v3/election/leader",
    [GD_ETCD_RESIGN] = "/v3/election/resign",
    [GD_ETCD_WATCH] = "/v3/watch",
    [GD_ETCD_PROBE] = "/v3/maintenance/status",
};

const char *gd_etcd_path(gd_etcd_kind_t kind)
{
    return paths[kind];
}

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *gd_etcd_b64(const char *data, size_t len)
{
    const unsigned char *in = (const unsigned char *)data;
    char *out = gf_malloc((len + 2) / 3 * 4 + 1);
    char *p = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < len)
            v |= in[i + 2];
        *p++ = b64chars[v >> 18];
        *p++ = b64chars[(v >> 12) & 63];
        *p++ = i + 1 < len ? b64chars[(v >> 6) & 63] : '=';
        *p++ = i + 2 < len ? b64chars[v & 63] : '=';
    }
    *p = '\0';
    return out;
}

/* The 6-bit value of base64 character ch, or -1. */
static int b64val(char ch)
{
    const char *p = ch ? strchr(b64chars, ch) : NULL;
    return p ? (int)(p - b64chars) : -1;
}

int gd_etcd_unb64(const char *s, char **out, size_t *len)
{
    size_t slen = strlen(s), n = 0;
    uint32_t acc = 0;
    int bits = 0;
    char *buf;
    while (slen > 0 && s[slen - 1] == '=')
        slen--;
    buf = gf_malloc(slen * 3 / 4 + 1);
    if (!buf)
        return -ENOMEM;
    for (size_t i = 0; i < slen; i++) {
        int v = b64val(s[i]);
        if (v < 0) {
            gf_free(buf);
            return -EINVAL;
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf[n++] = (char)((acc >> bits) & 0xff);
        }
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

void gd_etcd_prefix_end(const char *prefix, size_t plen, char *end, size_t *end_len)
{
    memcpy(end, prefix, plen);
    while (plen > 0) {
        unsigned char last = (unsigned char)end[plen - 1];
        if (last < 0xff) {
            end[plen - 1] = (char)(last + 1);
            *end_len = plen;
            return;
        }
        plen--;
    }
    end[0] = '\0';
    *end_len = 1;
}

/*
 * Building. Every helper adds one field to o and returns 0, or -1 when memory ran
 * out (json-c reports that as NULL objects or a failed add); callers OR them.
 */

static int add(json_object *o, const char *field, json_object *v)
{
    if (!v)
        return -1;
    if (json_object_object_add(o, field, v) != 0) {
        json_object_put(v);
        return -1;
    }
    return 0;
}

static int add_bytes(json_object *o, const char *field, const char *data, size_t len)
{
    char *b = gd_etcd_b64(data, len);
    int err = b ? add(o, field, json_object_new_string(b)) : -1;
    gf_free(b);
    return err;
}

static int add_str(json_object *o, const char *field, const char *s)
{
    return add_bytes(o, field, s, strlen(s));
}

static int add_int(json_object *o, const char *field, int64_t v)
{
    char num[24];
    snprintf(num, sizeof(num), "%" PRId64, v);
    return add(o, field, json_object_new_string(num));
}

/* key, and range_end when prefix. The empty prefix (every key) is sent as
 * key "\0", since etcd wants a key, and "\0" is below every other. */
static int add_key(json_object *o, const char *key, int prefix)
{
    size_t klen = strlen(key), elen;
    char *end;
    int err = add_bytes(o, "key", key, klen || !prefix ? klen : 1);
    if (err || !prefix)
        return err;
    end = gf_malloc(klen + 1);
    if (!end)
        return -1;
    gd_etcd_prefix_end(key, klen, end, &elen);
    err = add_bytes(o, "range_end", end, elen);
    gf_free(end);
    return err;
}

/* The text of o (consumed) when building succeeded (err 0), else NULL. */
static char *finish(json_object *o, int err)
{
    char *text = NULL;
    if (o && !err)
        text = gf_strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                               JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return text;
}

static json_object *put_obj(const char *key, const char *value, size_t len, int64_t lease)
{
    json_object *o = json_object_new_object();
    int err = !o || add_str(o, "key", key) || add_bytes(o, "value", value, len);
    if (!err && lease)
        err = add_int(o, "lease", lease);
    if (err && o) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

char *gd_etcd_enc_put(const char *key, const char *value, size_t len, int64_t lease)
{
    json_object *o = put_obj(key, value, len, lease);
    return finish(o, !o);
}

static json_object *key_obj(const char *key, int prefix)
{
    json_object *o = json_object_new_object();
    if (o && add_key(o, key, prefix)) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

char *gd_etcd_enc_range(const char *key, int prefix)
{
    json_object *o = key_obj(key, prefix);
    return finish(o, !o);
}

char *gd_etcd_enc_delete(const char *key, int prefix)
{
    return gd_etcd_enc_range(key, prefix);
}

static const char *const targets[] = {"VERSION", "CREATE", "MOD", "VALUE"};
static const char *const results[] = {"EQUAL", "NOT_EQUAL", "GREATER", "LESS"};
static const char *const target_fields[] = {"version", "create_revision", "mod_revision"};

static json_object *cmp_obj(const gd_etcd_cmp_t *c)
{
    json_object *o = json_object_new_object();
    int err = !o || add_str(o, "key", c->key) ||
              add(o, "target", json_object_new_string(targets[c->target])) ||
              add(o, "result", json_object_new_string(results[c->result]));
    if (!err && c->target == GD_ETCD_VALUE)
        err = add_bytes(o, "value", c->value, c->value_len);
    else if (!err)
        err = add_int(o, target_fields[c->target], c->num);
    if (err && o) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

/* One request of a txn branch: {"request_put": {...}} and the like. */
static json_object *op_obj(const gd_etcd_op_t *op)
{
    json_object *o = json_object_new_object(), *inner;
    const char *field;
    if (!o)
        return NULL;
    if (op->type == GD_ETCD_OP_PUT) {
        inner = put_obj(op->key, op->value, op->value_len, op->lease);
        field = "request_put";
    } else {
        inner = key_obj(op->key, op->prefix);
        field = op->type == GD_ETCD_OP_DELETE ? "request_delete_range" : "request_range";
    }
    if (add(o, field, inner)) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

static int add_ops(json_object *o, const char *field, const gd_etcd_op_t *ops, int n)
{
    json_object *arr = json_object_new_array();
    int err = !arr;
    for (int i = 0; i < n && !err; i++) {
        json_object *v = op_obj(&ops[i]);
        err = !v || json_object_array_add(arr, v) != 0;
    }
    if (err) {
        json_object_put(arr);
        return -1;
    }
    return add(o, field, arr);
}

char *gd_etcd_enc_txn(const gd_etcd_txn_t *txn)
{
    json_object *o = json_object_new_object();
    json_object *cmps = json_object_new_array();
    int err = !o || !cmps;
    for (int i = 0; i < txn->n_cmps && !err; i++) {
        json_object *v = cmp_obj(&txn->cmps[i]);
        err = !v || json_object_array_add(cmps, v) != 0;
    }
    if (!err) {
        err = add(o, "compare", cmps);
        cmps = NULL;
    }
    json_object_put(cmps);
    err = err || add_ops(o, "success", txn->success, txn->n_success) ||
          add_ops(o, "failure", txn->failure, txn->n_failure);
    return finish(o, err);
}

char *gd_etcd_enc_grant(int64_t ttl_s)
{
    json_object *o = json_object_new_object();
    return finish(o, !o || add_int(o, "TTL", ttl_s));
}

char *gd_etcd_enc_lease_id(int64_t id)
{
    json_object *o = json_object_new_object();
    return finish(o, !o || add_int(o, "ID", id));
}

char *gd_etcd_enc_watch(const char *key, int prefix, int64_t start_rev)
{
    json_object *o = json_object_new_object(), *create = key_obj(key, prefix);
    int err = !o || !create;
    if (!err && start_rev > 0)
        err = add_int(create, "start_revision", start_rev);
    if (!err) {
        err = add(o, "create_request", create);
        create = NULL;
    }
    json_object_put(create);
    return finish(o, err);
}

char *gd_etcd_enc_campaign(const char *name, int64_t lease, const char *value)
{
    json_object *o = json_object_new_object();
    return finish(o, !o || add_str(o, "name", name) || add_int(o, "lease", lease) ||
                         add_str(o, "value", value));
}

char *gd_etcd_enc_leader(const char *name)
{
    json_object *o = json_object_new_object();
    return finish(o, !o || add_str(o, "name", name));
}

char *gd_etcd_enc_resign(const gd_etcd_leader_t *l)
{
    json_object *o = json_object_new_object(), *in = json_object_new_object();
    int err = !o || !in || add_str(in, "name", l->name) || add_str(in, "key", l->key) ||
              add_int(in, "rev", l->rev) || add_int(in, "lease", l->lease);
    if (!err) {
        err = add(o, "leader", in);
        in = NULL;
    }
    json_object_put(in);
    return finish(o, err);
}

/*
 * Decoding. Missing fields read as their zero value, as protobuf's JSON mapping
 * leaves them out.
 */

static json_object *field(json_object *o, const char *name)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, name, &v) ? v : NULL;
}

static int64_t int_field(json_object *o, const char *name)
{
    json_object *v = field(o, name);
    return v ? json_object_get_int64(v) : 0;
}

/* Decodes base64 field name of o into *out and *len ("" when missing). */
static int bytes_field(json_object *o, const char *name, char **out, size_t *len)
{
    json_object *v = field(o, name);
    return gd_etcd_unb64(v ? json_object_get_string(v) : "", out, len);
}

static int dec_kv(json_object *o, gd_etcd_kv_t *kv)
{
    int err = bytes_field(o, "key", &kv->key, &kv->key_len);
    if (!err)
        err = bytes_field(o, "value", &kv->value, &kv->value_len);
    kv->create_rev = int_field(o, "create_revision");
    kv->mod_rev = int_field(o, "mod_revision");
    kv->version = int_field(o, "version");
    kv->lease = int_field(o, "lease");
    return err;
}

static void free_kvs(gd_etcd_kv_t *kvs, int n)
{
    for (int i = 0; i < n; i++) {
        gf_free(kvs[i].key);
        gf_free(kvs[i].value);
    }
    gf_free(kvs);
}

/* Appends the kvs of array arr to *kvs and *n. 0, -EINVAL, -ENOMEM. */
static int append_kvs(json_object *arr, gd_etcd_kv_t **kvs, int *n)
{
    int add_n = arr ? (int)json_object_array_length(arr) : 0;
    gd_etcd_kv_t *grown;
    if (add_n == 0)
        return 0;
    grown = gf_realloc(*kvs, (size_t)(*n + add_n) * sizeof(*grown));
    if (!grown)
        return -ENOMEM;
    *kvs = grown;
    for (int i = 0; i < add_n; i++) {
        gd_etcd_kv_t *kv = &grown[*n];
        memset(kv, 0, sizeof(*kv));
        (*n)++;
        int err = dec_kv(json_object_array_get_idx(arr, (size_t)i), kv);
        if (err)
            return err;
    }
    return 0;
}

/* The kvs and deletions of every response of a txn. */
static int dec_txn(json_object *o, gd_etcd_reply_t *r)
{
    json_object *arr = field(o, "responses");
    int n = arr ? (int)json_object_array_length(arr) : 0;
    r->succeeded = json_object_get_boolean(field(o, "succeeded"));
    for (int i = 0; i < n; i++) {
        json_object *resp = json_object_array_get_idx(arr, (size_t)i);
        int err = append_kvs(field(field(resp, "response_range"), "kvs"), &r->kvs, &r->n_kvs);
        if (err)
            return err;
        r->deleted += int_field(field(resp, "response_delete_range"), "deleted");
    }
    return 0;
}

static int dec_leader(json_object *o, gd_etcd_leader_t *l)
{
    size_t len;
    int err;
    if (!o)
        return -EIO;
    err = bytes_field(o, "name", &l->name, &len);
    if (!err)
        err = bytes_field(o, "key", &l->key, &len);
    l->rev = int_field(o, "rev");
    l->lease = int_field(o, "lease");
    return err;
}

/* A lease keepalive answers like a stream: {"result": {...}}. */
static int dec_keepalive(json_object *o, gd_etcd_reply_t *r)
{
    json_object *res = field(o, "result");
    if (!res)
        return -EIO;
    r->rev = int_field(field(res, "header"), "revision");
    r->term = int_field(field(res, "header"), "raft_term");
    r->lease = int_field(res, "ID");
    r->ttl = int_field(res, "TTL");
    if (r->ttl <= 0) {
        r->err = -ENOENT;
        r->errmsg = "lease not found (expired)";
    }
    return 0;
}

/* Fills d->reply from the decoded answer o to a request of kind. */
static int dec_kind(gd_etcd_kind_t kind, json_object *o, gd_etcd_decoded_t *d)
{
    gd_etcd_reply_t *r = &d->reply;
    int err;
    r->rev = int_field(field(o, "header"), "revision");
    r->term = int_field(field(o, "header"), "raft_term");
    switch (kind) {
    case GD_ETCD_RANGE:
        return append_kvs(field(o, "kvs"), &r->kvs, &r->n_kvs);
    case GD_ETCD_DELETE:
        r->deleted = int_field(o, "deleted");
        return 0;
    case GD_ETCD_TXN:
        return dec_txn(o, r);
    case GD_ETCD_GRANT:
        r->lease = int_field(o, "ID");
        r->ttl = int_field(o, "TTL");
        return r->lease ? 0 : -EIO;
    case GD_ETCD_KEEPALIVE:
        return dec_keepalive(o, r);
    case GD_ETCD_CAMPAIGN:
        err = dec_leader(field(o, "leader"), &d->leader);
        r->leader = &d->leader;
        return err;
    case GD_ETCD_LEADER:
        if (!field(o, "kv"))
            return -EIO;
        r->kvs = gf_calloc(1, sizeof(*r->kvs));
        if (!r->kvs)
            return -ENOMEM;
        r->n_kvs = 1;
        return dec_kv(field(o, "kv"), r->kvs);
    default:
        return 0;
    }
}

int gd_etcd_dec_reply(gd_etcd_kind_t kind, const char *body, gd_etcd_decoded_t *d)
{
    json_object *o = json_tokener_parse(body);
    int err;
    memset(d, 0, sizeof(*d));
    if (!o || !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        return -EIO;
    }
    err = dec_kind(kind, o, d);
    json_object_put(o);
    if (err == -EINVAL)
        err = -EIO;
    if (err)
        gd_etcd_dec_free(d);
    return err;
}

void gd_etcd_dec_free(gd_etcd_decoded_t *d)
{
    free_kvs(d->reply.kvs, d->reply.n_kvs);
    gf_free(d->leader.name);
    gf_free(d->leader.key);
    memset(d, 0, sizeof(*d));
}

/* Copies the message of error object e (either form) into msg; returns its code. */
static int error_of(json_object *o, char *msg, size_t msg_size)
{
    json_object *e = field(o, "error");
    json_object *m = field(o, "message");
    int code = (int)int_field(o, "code");
    if (e && json_object_is_type(e, json_type_object)) {
        m = field(e, "message");
        code = (int)int_field(e, "grpc_code");
    } else if (!m) {
        m = e;
    }
    snprintf(msg, msg_size, "%s", m ? json_object_get_string(m) : "unknown error");
    return code;
}

int gd_etcd_dec_error(const char *body, char *msg, size_t msg_size)
{
    json_object *o = json_tokener_parse(body);
    int code = -1;
    if (o && json_object_is_type(o, json_type_object) && field(o, "error"))
        code = error_of(o, msg, msg_size);
    json_object_put(o);
    return code;
}

static int dec_events(json_object *arr, gd_etcd_watch_msg_t *m)
{
    int n = arr ? (int)json_object_array_length(arr) : 0;
    if (n == 0)
        return 0;
    m->evs = gf_calloc((size_t)n, sizeof(*m->evs));
    if (!m->evs)
        return -ENOMEM;
    for (int i = 0; i < n; i++) {
        json_object *ev = json_object_array_get_idx(arr, (size_t)i);
        json_object *type = field(ev, "type");
        gd_etcd_event_t *e = &m->evs[m->n++];
        e->type = type && strcmp(json_object_get_string(type), "DELETE") == 0 ? GD_ETCD_EV_DELETE
                                                                              : GD_ETCD_EV_PUT;
        int err = dec_kv(field(ev, "kv"), &e->kv);
        if (err)
            return err;
    }
    return 0;
}

int gd_etcd_dec_watch(const char *line, gd_etcd_watch_msg_t *m)
{
    json_object *o = json_tokener_parse(line), *res;
    int err = 0;
    memset(m, 0, sizeof(*m));
    if (!o || !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        return -EIO;
    }
    res = field(o, "result");
    if (res) {
        m->created = json_object_get_boolean(field(res, "created"));
        m->canceled = json_object_get_boolean(field(res, "canceled"));
        m->compact_rev = int_field(res, "compact_revision");
        m->rev = int_field(field(res, "header"), "revision");
        err = dec_events(field(res, "events"), m);
    } else if (field(o, "error")) {
        m->error = 1;
    } else {
        err = -EIO;
    }
    json_object_put(o);
    if (err == -EINVAL)
        err = -EIO;
    if (err)
        gd_etcd_watch_msg_free(m);
    return err;
}

void gd_etcd_watch_msg_free(gd_etcd_watch_msg_t *m)
{
    for (int i = 0; i < m->n; i++) {
        gf_free(m->evs[i].kv.key);
        gf_free(m->evs[i].kv.value);
    }
    gf_free(m->evs);
    memset(m, 0, sizeof(*m));
}
