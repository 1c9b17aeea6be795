/*
 * The volume model: name and brick rules, building a volume from its store keys
 * and the transactions that write it (layout in volume.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "glusterfs/mem.h"
#include "volume.h"

static const char *status_words[] = {"created", "started", "stopped"};
static const char *status_titles[] = {"Created", "Started", "Stopped"};

int
gd_vol_name_check(const char *name, char *err, size_t errlen)
{
    size_t len = strlen(name);
    if (len == 0 || len > GD_VOL_NAME_MAX) {
        snprintf(err, errlen, "volume name must have 1 to %d characters", GD_VOL_NAME_MAX);
        return -EINVAL;
    }
    if (name[0] == '-') {
        snprintf(err, errlen, "volume name \"%s\" must not start with '-'", name);
        return -EINVAL;
    }
    for (size_t i = 0; i < len; i++) {
        if (!isalnum((unsigned char)name[i]) && name[i] != '_' && name[i] != '-') {
            snprintf(err, errlen,
                     "volume name \"%s\" may only hold letters, digits, '_' and '-'", name);
            return -EINVAL;
        }
    }
    if (strcmp(name, "all") == 0) {
        snprintf(err, errlen, "\"all\" is reserved and cannot name a volume");
        return -EINVAL;
    }
    return 0;
}

/* Copies path into out (same size or more), collapsing repeated '/' and dropping a
 * trailing one. */
static void
normalize_path(const char *path, char *out)
{
    char *o = out;
    for (const char *p = path; *p; p++)
        if (!(*p == '/' && o > out && o[-1] == '/'))
            *o++ = *p;
    if (o > out + 1 && o[-1] == '/')
        o--;
    *o = '\0';
}

/* Checks a normalized brick path. 0 or -EINVAL with the reason in err. */
static int
check_path(const char *path, char *err, size_t errlen)
{
    if (path[0] != '/' || path[1] == '\0') {
        snprintf(err, errlen, "brick path \"%s\" must be an absolute path below /", path);
        return -EINVAL;
    }
    for (const char *p = path; *p; p++) {
        if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p) || *p == '"' ||
            *p == '\\') {
            snprintf(err, errlen,
                     "brick path \"%s\" must not hold blanks, quotes or backslashes", path);
            return -EINVAL;
        }
    }
    if (strstr(path, "/./") || strstr(path, "/../") || !strcmp(strrchr(path, '/'), "/.") ||
        !strcmp(strrchr(path, '/'), "/..")) {
        snprintf(err, errlen, "brick path \"%s\" must not hold \".\" or \"..\"", path);
        return -EINVAL;
    }
    return 0;
}

int
gd_brick_parse(const char *spec, char **host, char **path, char *err, size_t errlen)
{
    const char *sep = strstr(spec, ":/");
    char *norm;
    int ret;

    if (!sep || sep == spec) {
        snprintf(err, errlen, "brick \"%s\" is not of the form HOST:/PATH", spec);
        return -EINVAL;
    }
    norm = gf_malloc(strlen(sep + 1) + 1);
    if (!norm)
        return -ENOMEM;
    normalize_path(sep + 1, norm);
    ret = check_path(norm, err, errlen);
    if (ret) {
        gf_free(norm);
        return ret;
    }
    *host = gf_strndup(spec, (size_t)(sep - spec));
    if (!*host) {
        gf_free(norm);
        return -ENOMEM;
    }
    *path = norm;
    return 0;
}

char *
gd_brick_volfile_id(const gd_volume_t *vol, const gd_brick_t *brick)
{
    char *id = NULL;
    if (gf_asprintf(&id, "%s.%s.%s", vol->name, brick->host, brick->path + 1) < 0)
        return NULL;
    for (char *p = id + strlen(vol->name) + strlen(brick->host) + 2; *p; p++)
        if (*p == '/')
            *p = '-';
    return id;
}

const char *
gd_vol_status_word(gd_vol_status_t st)
{
    return status_words[st];
}

const char *
gd_vol_status_title(gd_vol_status_t st)
{
    return status_titles[st];
}

int
gd_vol_status_parse(const char *word)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(word, status_words[i]) == 0)
            return i;
    return -1;
}

/* A fresh random UUID as text into out[37]. */
static void
new_uuid(char *out)
{
    uuid_t u;
    uuid_generate_random(u);
    uuid_unparse_lower(u, out);
}

gd_volume_t *
gd_vol_new(const char *name)
{
    gd_volume_t *vol = gf_calloc(1, sizeof(*vol));
    char user[37], pass[37];

    if (!vol)
        return NULL;
    new_uuid(vol->id);
    new_uuid(user);
    new_uuid(pass);
    vol->status = GD_VOL_CREATED;
    vol->name = gf_strdup(name);
    vol->type = gf_strdup("distribute");
    vol->transport = gf_strdup("tcp");
    vol->username = gf_strdup(user);
    vol->password = gf_strdup(pass);
    if (!vol->name || !vol->type || !vol->transport || !vol->username || !vol->password) {
        gd_vol_free(vol);
        return NULL;
    }
    return vol;
}

int
gd_vol_add_brick(gd_volume_t *vol, const char *host, const char *path)
{
    gd_brick_t *b = gf_realloc(vol->bricks, (size_t)(vol->n_bricks + 1) * sizeof(*b));
    if (!b)
        return -ENOMEM;
    vol->bricks = b;
    b = &vol->bricks[vol->n_bricks];
    b->server = NULL;
    b->host = gf_strdup(host);
    b->path = gf_strdup(path);
    if (!b->host || !b->path) {
        gf_free(b->host);
        gf_free(b->path);
        return -ENOMEM;
    }
    vol->n_bricks++;
    return 0;
}

/* Appends option key = value (not set before). 0 or -ENOMEM. */
static int
add_opt(gd_volume_t *vol, const char *key, const char *value)
{
    gd_opt_t *o = gf_realloc(vol->opts, (size_t)(vol->n_opts + 1) * sizeof(*o));
    if (!o)
        return -ENOMEM;
    vol->opts = o;
    o = &vol->opts[vol->n_opts];
    o->key = gf_strdup(key);
    o->value = gf_strdup(value);
    if (!o->key || !o->value) {
        gf_free(o->key);
        gf_free(o->value);
        return -ENOMEM;
    }
    vol->n_opts++;
    return 0;
}

/* The index of option key in vol->opts, or -1. */
static int
opt_index(const gd_volume_t *vol, const char *key)
{
    for (int i = 0; i < vol->n_opts; i++)
        if (strcmp(vol->opts[i].key, key) == 0)
            return i;
    return -1;
}

const char *
gd_vol_opt(const gd_volume_t *vol, const char *key)
{
    int i = opt_index(vol, key);
    return i < 0 ? NULL : vol->opts[i].value;
}

int
gd_vol_opt_set(gd_volume_t *vol, const char *key, const char *value)
{
    int i = opt_index(vol, key);
    char *copy;

    if (i < 0)
        return add_opt(vol, key, value);
    if (!(copy = gf_strdup(value)))
        return -ENOMEM;
    gf_free(vol->opts[i].value);
    vol->opts[i].value = copy;
    return 0;
}

int
gd_vol_opt_del(gd_volume_t *vol, const char *key)
{
    int i = opt_index(vol, key);

    if (i < 0)
        return -ENOENT;
    gf_free(vol->opts[i].key);
    gf_free(vol->opts[i].value);
    memmove(&vol->opts[i], &vol->opts[i + 1], (size_t)(vol->n_opts - i - 1) * sizeof(gd_opt_t));
    vol->n_opts--;
    return 0;
}

/* Copies the scalar fields of vol into a new volume without bricks or options.
 * NULL on ENOMEM. */
static gd_volume_t *
copy_head(const gd_volume_t *vol)
{
    gd_volume_t *c = gf_calloc(1, sizeof(*c));

    if (!c)
        return NULL;
    memcpy(c->id, vol->id, sizeof(c->id));
    c->status = vol->status;
    c->info_rev = vol->info_rev;
    c->gen = vol->gen;
    c->name = gf_strdup(vol->name);
    c->type = gf_strdup(vol->type);
    c->transport = gf_strdup(vol->transport);
    c->username = gf_strdup(vol->username);
    c->password = gf_strdup(vol->password);
    if (!c->name || !c->type || !c->transport || !c->username || !c->password) {
        gd_vol_free(c);
        return NULL;
    }
    return c;
}

/* Appends a copy of b (an empty slot stays empty) to c. 0 or -ENOMEM. */
static int
copy_brick(gd_volume_t *c, const gd_brick_t *b)
{
    gd_brick_t *to = gf_realloc(c->bricks, (size_t)(c->n_bricks + 1) * sizeof(*to));

    if (!to)
        return -ENOMEM;
    c->bricks = to;
    to = &c->bricks[c->n_bricks++];
    memset(to, 0, sizeof(*to));
    if ((b->host && !(to->host = gf_strdup(b->host))) ||
        (b->path && !(to->path = gf_strdup(b->path))) ||
        (b->server && !(to->server = gf_strdup(b->server))))
        return -ENOMEM;
    return 0;
}

/* A copy of vol with its bricks first..first+count-1 and all its options. NULL on
 * ENOMEM. */
static gd_volume_t *
copy_bricks(const gd_volume_t *vol, int first, int count)
{
    gd_volume_t *c = copy_head(vol);
    int err = c ? 0 : -ENOMEM;

    c->n_declared = first == 0 && count == vol->n_bricks ? vol->n_declared : count;
    for (int i = first; !err && i < first + count; i++)
        err = copy_brick(c, &vol->bricks[i]);
    for (int i = 0; !err && i < vol->n_opts; i++)
        err = add_opt(c, vol->opts[i].key, vol->opts[i].value);
    if (err) {
        gd_vol_free(c);
        return NULL;
    }
    return c;
}

gd_volume_t *
gd_vol_brick_view(const gd_volume_t *vol, int idx)
{
    return copy_bricks(vol, idx, 1);
}

gd_volume_t *
gd_vol_copy(const gd_volume_t *vol)
{
    return copy_bricks(vol, 0, vol->n_bricks);
}

void
gd_vol_free(gd_volume_t *vol)
{
    if (!vol)
        return;
    for (int i = 0; i < vol->n_bricks; i++) {
        gf_free(vol->bricks[i].host);
        gf_free(vol->bricks[i].path);
        gf_free(vol->bricks[i].server);
    }
    for (int i = 0; i < vol->n_opts; i++) {
        gf_free(vol->opts[i].key);
        gf_free(vol->opts[i].value);
    }
    gf_free(vol->bricks);
    gf_free(vol->opts);
    gf_free(vol->name);
    gf_free(vol->type);
    gf_free(vol->transport);
    gf_free(vol->username);
    gf_free(vol->password);
    gf_free(vol);
}

void
gd_vols_free(gd_volume_t **vols, int n)
{
    for (int i = 0; i < n; i++)
        gd_vol_free(vols[i]);
    gf_free(vols);
}

char *
gd_vol_info_value(const gd_volume_t *vol)
{
    char *text = NULL;
    if (gf_asprintf(&text,
                    "id=%s\nstatus=%s\ntype=%s\ntransport=%s\nusername=%s\npassword=%s\n"
                    "bricks=%d\n",
                    vol->id, gd_vol_status_word(vol->status), vol->type, vol->transport,
                    vol->username, vol->password,
                    vol->n_declared ? vol->n_declared : vol->n_bricks) < 0)
        return NULL;
    return text;
}

char *
gd_field(const char *text, const char *name)
{
    size_t nlen = strlen(name);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
            const char *v = p + nlen + 1, *end = strchr(v, '\n');
            return gf_strndup(v, end ? (size_t)(end - v) : strlen(v));
        }
    }
    return NULL;
}

/* Fills vol's scalar fields from the text of vol/NAME/info. 0, -EINVAL, -ENOMEM. */
static int
parse_info(gd_volume_t *vol, const gd_kv_t *kv)
{
    char *id = gd_field(kv->value, "id"), *status = gd_field(kv->value, "status");
    char *count = gd_field(kv->value, "bricks");
    int st = status ? gd_vol_status_parse(status) : -1;
    int ok = id && strlen(id) == 36 && st >= 0;

    if (ok)
        memcpy(vol->id, id, 37);
    gf_free(id);
    gf_free(status);
    vol->n_declared = count ? atoi(count) : 0;
    gf_free(count);
    if (!ok || vol->n_declared < 0)
        return -EINVAL;
    vol->status = (gd_vol_status_t)st;
    vol->info_rev = kv->rev;
    vol->type = gd_field(kv->value, "type");
    vol->transport = gd_field(kv->value, "transport");
    vol->username = gd_field(kv->value, "username");
    vol->password = gd_field(kv->value, "password");
    if (!vol->type || !vol->transport || !vol->username || !vol->password)
        return -EINVAL;
    return 0;
}

/* Stores brick N (from "host=..\npath=..\n") into vol->bricks[n], growing the array
 * to n + 1 bricks with empty slots as needed. 0, -EINVAL, -ENOMEM. */
static int
parse_brick(gd_volume_t *vol, const char *n_text, const gd_kv_t *kv)
{
    char *end;
    long n = strtol(n_text, &end, 10);
    gd_brick_t *b;

    if (*end || end == n_text || n < 0 || n > 100000)
        return -EINVAL;
    if (n >= vol->n_bricks) {
        b = gf_realloc(vol->bricks, (size_t)(n + 1) * sizeof(*b));
        if (!b)
            return -ENOMEM;
        memset(b + vol->n_bricks, 0, (size_t)(n + 1 - vol->n_bricks) * sizeof(*b));
        vol->bricks = b;
        vol->n_bricks = (int)n + 1;
    }
    b = &vol->bricks[n];
    if (b->host)
        return -EINVAL;
    b->host = gd_field(kv->value, "host");
    b->path = gd_field(kv->value, "path");
    b->server = gd_field(kv->value, "server");
    return b->host && b->path ? 0 : -EINVAL;
}

/* Applies one key (rest = the part after "vol/NAME/") to vol. 0, -EINVAL, -ENOMEM. */
static int
apply_key(gd_volume_t *vol, const char *rest, const gd_kv_t *kv)
{
    if (strcmp(rest, "info") == 0)
        return parse_info(vol, kv);
    if (strncmp(rest, "brick/", 6) == 0)
        return parse_brick(vol, rest + 6, kv);
    if (strncmp(rest, "opt/", 4) == 0)
        return add_opt(vol, rest + 4, kv->value);
    return 0; /* a key of a later version: kept in the store, ignored here */
}

/* Builds the volume name from kvs[0..n) (all of its keys). NULL with *err set to
 * -EINVAL (unreadable keys) or -ENOMEM. */
static gd_volume_t *
vol_from_group(const char *name, size_t nlen, const gd_kv_t *kvs, int n, int *err)
{
    gd_volume_t *vol = gf_calloc(1, sizeof(*vol));
    size_t skip = strlen(GD_VOL_PREFIX) + nlen + 1;

    *err = vol && (vol->name = gf_strndup(name, nlen)) ? 0 : -ENOMEM;
    for (int i = 0; i < n && !*err; i++) {
        *err = apply_key(vol, kvs[i].key + skip, &kvs[i]);
        if (kvs[i].rev > vol->gen)
            vol->gen = kvs[i].rev;
    }
    if (!*err && !vol->username)
        *err = -EINVAL; /* no info key */
    for (int i = 0; i < (vol ? vol->n_bricks : 0) && !*err; i++)
        if (!vol->bricks[i].host)
            *err = -EINVAL; /* a brick missing in the numbering */
    if (*err) {
        gd_vol_free(vol);
        return NULL;
    }
    return vol;
}

static int
vol_cmp(const void *a, const void *b)
{
    return strcmp((*(gd_volume_t *const *)a)->name, (*(gd_volume_t *const *)b)->name);
}

int
gd_vols_from_kvs(const gd_kv_t *kvs, int n, gd_volume_t ***out, int *nout, char *err,
                 size_t errlen)
{
    size_t plen = strlen(GD_VOL_PREFIX);
    gd_volume_t **vols = gf_calloc((size_t)n + 1, sizeof(*vols));
    int nv = 0, i = 0, ret = 0;

    if (!vols)
        return -ENOMEM;
    if (err && errlen)
        err[0] = '\0';
    while (i < n && !ret) {
        const char *name = kvs[i].key + plen, *slash;
        int j = i + 1;
        if (strncmp(kvs[i].key, GD_VOL_PREFIX, plen) || !(slash = strchr(name, '/'))) {
            i++;
            continue;
        }
        size_t nlen = (size_t)(slash - name);
        while (j < n && strncmp(kvs[j].key, kvs[i].key, plen + nlen + 1) == 0)
            j++;
        gd_volume_t *vol = vol_from_group(name, nlen, &kvs[i], j - i, &ret);
        if (vol)
            vols[nv++] = vol;
        else if (ret == -EINVAL) {
            snprintf(err, errlen, "the store keys of volume %.*s cannot be read", (int)nlen,
                     name);
            ret = 0;
        }
        i = j;
    }
    if (ret) {
        gd_vols_free(vols, nv);
        return ret;
    }
    qsort(vols, (size_t)nv, sizeof(*vols), vol_cmp);
    if ((ret = gd_vols_add_bricks(vols, nv, kvs, n, GD_BRICK_PREFIX, err, errlen)) != 0) {
        gd_vols_free(vols, nv);
        return ret;
    }
    *out = vols;
    *nout = nv;
    return 0;
}

/* The volume named name (nlen bytes) in vols[0..nv), sorted by name, or NULL. */
static gd_volume_t *
find_vol(gd_volume_t **vols, int nv, const char *name, size_t nlen)
{
    int lo = 0, hi = nv;

    while (lo < hi) {
        int mid = (lo + hi) / 2, c = strncmp(vols[mid]->name, name, nlen);
        if (c == 0 && vols[mid]->name[nlen])
            c = 1;
        if (c == 0)
            return vols[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int
gd_vols_add_bricks(gd_volume_t **vols, int nv, const gd_kv_t *kvs, int n, const char *prefix,
                   char *err, size_t errlen)
{
    size_t skip = strlen(prefix);

    for (int i = 0; i < n; i++) {
        const char *name = kvs[i].key + skip, *slash;
        gd_volume_t *vol;
        int ret;
        if (strncmp(kvs[i].key, prefix, skip) != 0 || !(slash = strchr(name, '/')) ||
            !(vol = find_vol(vols, nv, name, (size_t)(slash - name))))
            continue;
        if ((ret = parse_brick(vol, slash + 1, &kvs[i])) == -ENOMEM)
            return ret;
        if (ret && err && errlen)
            snprintf(err, errlen, "the store keys of volume %s cannot be read", vol->name);
        if (kvs[i].rev > vol->gen)
            vol->gen = kvs[i].rev;
    }
    return 0;
}

int
gd_vol_complete(const gd_volume_t *vol)
{
    for (int i = 0; i < vol->n_bricks; i++)
        if (!vol->bricks[i].host)
            return 0;
    return vol->n_bricks > 0 && (!vol->n_declared || vol->n_declared == vol->n_bricks);
}

/* Adds to txn a put of "vol/NAME/SUFFIX" = value (a key too long fails txn). */
static void
put_vol_key(gd_txn_t *txn, const char *name, const char *suffix, const char *value)
{
    char key[GD_STORE_KEY_MAX + 1];
    if (snprintf(key, sizeof(key), GD_VOL_PREFIX "%s/%s", name, suffix) >= (int)sizeof(key)) {
        txn->err = -ENAMETOOLONG;
        return;
    }
    gd_txn_put_str(txn, key, value);
}

/* Adds to txn the guard vol/NAME/info at revision rev. */
static void
guard_info(gd_txn_t *txn, const char *name, uint64_t rev)
{
    char key[GD_STORE_KEY_MAX + 1];
    if (snprintf(key, sizeof(key), GD_VOL_PREFIX "%s/info", name) >= (int)sizeof(key)) {
        txn->err = -ENAMETOOLONG;
        return;
    }
    gd_txn_guard(txn, key, rev);
}

/* key (GD_STORE_KEY_MAX + 1 bytes) = brick/NAME/N, or placed/SERVER/NAME/N (a key
 * too long fails txn). */
static void
brick_key(gd_txn_t *txn, char *key, const char *name, int n, const char *server)
{
    int len = server ? snprintf(key, GD_STORE_KEY_MAX + 1, GD_PLACED_PREFIX "%s/%s/%d",
                                server, name, n)
                     : snprintf(key, GD_STORE_KEY_MAX + 1, GD_BRICK_PREFIX "%s/%d", name, n);
    if (len > GD_STORE_KEY_MAX)
        txn->err = -ENAMETOOLONG;
}

void
gd_vol_txn_create(const gd_volume_t *vol, gd_txn_t *txn)
{
    char *value = gd_vol_info_value(vol);

    if (!value) {
        txn->err = -ENOMEM;
        return;
    }
    guard_info(txn, vol->name, 0);
    put_vol_key(txn, vol->name, "info", value);
    gf_free(value);
    for (int i = 0; i < vol->n_bricks; i++) {
        const gd_brick_t *b = &vol->bricks[i];
        char key[GD_STORE_KEY_MAX + 1];
        if (gf_asprintf(&value, "host=%s\npath=%s\nserver=%s\n", b->host, b->path,
                        b->server ? b->server : "") < 0) {
            txn->err = -ENOMEM;
            return;
        }
        brick_key(txn, key, vol->name, i, NULL);
        gd_txn_put_str(txn, key, value);
        if (b->server && b->server[0]) {
            brick_key(txn, key, vol->name, i, b->server);
            gd_txn_put_str(txn, key, value);
        }
        gf_free(value);
    }
    for (int i = 0; i < vol->n_opts; i++) {
        char *opt_suffix = NULL;
        if (gf_asprintf(&opt_suffix, "opt/%s", vol->opts[i].key) < 0) {
            txn->err = -ENOMEM;
            return;
        }
        put_vol_key(txn, vol->name, opt_suffix, vol->opts[i].value);
        gf_free(opt_suffix);
    }
}

void
gd_vol_txn_update_info(const gd_volume_t *vol, gd_txn_t *txn)
{
    char *value = gd_vol_info_value(vol);
    if (!value) {
        txn->err = -ENOMEM;
        return;
    }
    guard_info(txn, vol->name, vol->info_rev);
    put_vol_key(txn, vol->name, "info", value);
    gf_free(value);
}


void
gd_vol_txn_opt(const gd_volume_t *vol, const char *key, const char *value, gd_txn_t *txn)
{
    char suffix[GD_STORE_KEY_MAX + 1], full[GD_STORE_KEY_MAX + 1];

    snprintf(suffix, sizeof(suffix), "opt/%s", key);
    if (value) {
        put_vol_key(txn, vol->name, suffix, value);
        return;
    }
    if (snprintf(full, sizeof(full), GD_VOL_PREFIX "%s/%s", vol->name, suffix) >=
        (int)sizeof(full)) {
        txn->err = -ENAMETOOLONG;
        return;
    }
    gd_txn_delete(txn, full);
}

void
gd_vol_txn_delete(const gd_volume_t *vol, const gd_kv_t *kvs, int n, gd_txn_t *txn)
{
    char key[GD_STORE_KEY_MAX + 1];

    guard_info(txn, vol->name, vol->info_rev);
    for (int i = 0; i < n; i++)
        gd_txn_delete(txn, kvs[i].key);
    for (int i = 0; i < vol->n_bricks; i++) {
        brick_key(txn, key, vol->name, i, NULL);
        gd_txn_delete(txn, key);
        if (vol->bricks[i].server && vol->bricks[i].server[0]) {
            brick_key(txn, key, vol->name, i, vol->bricks[i].server);
            gd_txn_delete(txn, key);
        }
    }
}

/*
 * A gd_vols_load in progress: vol/[NAME/] is listed, then brick/[NAME/]. The two
 * lists are read at two revisions: a volume created or deleted between them shows
 * with some of its bricks missing, and the load starts again (LOAD_TRIES times,
 * then such a volume is left out and named in the warning).
 */
#define LOAD_TRIES 5

typedef struct load {
    gd_store_t *s;
    char name[GD_VOL_NAME_MAX + 1]; /* "": every volume */
    char bricks[GD_STORE_KEY_MAX + 1]; /* the listing of the bricks: brick/[NAME/], or
                                          placed/UUID/ (a server's bricks alone) */
    char parse[GD_STORE_KEY_MAX + 1];  /* what precedes NAME/N there: brick/ or
                                          placed/UUID/ */
    int whole;                         /* every brick of each volume wanted */
    gd_volume_t **vols;
    int nv;
    int tries;
    char warn[256];
    gd_vols_cb_t cb;
    void *cookie;
} load_t;

static void load_start(load_t *l);

/* Ends l with err (its volumes go to the callback). */
static void
load_end(load_t *l, int err)
{
    if (err) {
        gd_vols_free(l->vols, l->nv);
        l->vols = NULL;
        l->nv = 0;
    }
    l->cb(err, l->vols, l->nv, l->warn, l->cookie);
    gf_free(l);
}

/* Leaves out the volumes that lack bricks; whether there were any. */
static int
drop_incomplete(load_t *l)
{
    int kept = 0, dropped = 0;

    for (int i = 0; i < l->nv; i++) {
        if (gd_vol_complete(l->vols[i])) {
            l->vols[kept++] = l->vols[i];
            continue;
        }
        snprintf(l->warn, sizeof(l->warn), "volume %s is being created or deleted: its "
                 "bricks cannot be read yet", l->vols[i]->name);
        gd_vol_free(l->vols[i]);
        dropped = 1;
    }
    l->nv = kept;
    return dropped;
}

static void
load_bricks_cb(int err, const gd_kv_t *kvs, int n, void *cookie)
{
    load_t *l = cookie;

    if (!err)
        err = gd_vols_add_bricks(l->vols, l->nv, kvs, n, l->parse, l->warn, sizeof(l->warn));
    if (err) {
        load_end(l, err);
        return;
    }
    if (l->whole && drop_incomplete(l) && ++l->tries < LOAD_TRIES) {
        gd_vols_free(l->vols, l->nv);
        l->vols = NULL;
        l->nv = 0;
        l->warn[0] = '\0';
        load_start(l);
        return;
    }
    load_end(l, 0);
}

static void
load_list_cb(int err, const gd_kv_t *kvs, int n, void *cookie)
{
    load_t *l = cookie;

    if (!err)
        err = gd_vols_from_kvs(kvs, n, &l->vols, &l->nv, l->warn, sizeof(l->warn));
    if (err || l->nv == 0) {
        load_end(l, err);
        return;
    }
    gd_store_list(l->s, l->bricks, load_bricks_cb, l);
}

static void
load_start(load_t *l)
{
    char prefix[GD_STORE_KEY_MAX + 1];

    snprintf(prefix, sizeof(prefix), GD_VOL_PREFIX "%s%s", l->name, l->name[0] ? "/" : "");
    gd_store_list(l->s, prefix, load_list_cb, l);
}

/* Starts a load of volume name ("" every one) with the bricks listed under
 * bricks, keys parse NAME/N (whole: all of them). */
static void
load_new(gd_store_t *s, const char *name, const char *bricks, const char *parse, int whole,
         gd_vols_cb_t cb, void *cookie)
{
    load_t *l = gf_calloc(1, sizeof(*l));

    if (!l) {
        cb(-ENOMEM, NULL, 0, "", cookie);
        return;
    }
    l->s = s;
    snprintf(l->name, sizeof(l->name), "%s", name);
    snprintf(l->bricks, sizeof(l->bricks), "%s", bricks);
    snprintf(l->parse, sizeof(l->parse), "%s", parse);
    l->whole = whole;
    l->cb = cb;
    l->cookie = cookie;
    load_start(l);
}

void
gd_vols_load(gd_store_t *s, const char *name, gd_vols_cb_t cb, void *cookie)
{
    char bricks[GD_STORE_KEY_MAX + 1];

    if (name && strlen(name) > GD_VOL_NAME_MAX) {
        cb(0, NULL, 0, "", cookie); /* no volume has so long a name */
        return;
    }
    snprintf(bricks, sizeof(bricks), GD_BRICK_PREFIX "%s%s", name ? name : "", name ? "/" : "");
    load_new(s, name ? name : "", bricks, GD_BRICK_PREFIX, 1, cb, cookie);
}

void
gd_vols_load_placed(gd_store_t *s, const char *uuid, gd_vols_cb_t cb, void *cookie)
{
    char bricks[GD_STORE_KEY_MAX + 1];

    snprintf(bricks, sizeof(bricks), GD_PLACED_PREFIX "%s/", uuid);
    load_new(s, "", bricks, bricks, 0, cb, cookie);
}
