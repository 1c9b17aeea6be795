/*
 * The local store backend: one file per key under a folder (key "vol/a/info" is
 * the file DIR/vol/a/info), for a single server with no other service.
 *
 * A key's file holds a one-line header "rev N" then the value's bytes. Every file
 * is replaced atomically: written to a temporary file beside it, fsync'ed, renamed
 * over, and the folder fsync'ed. A transaction is written whole to DIR/.journal
 * first and applied after; the journal of the last transaction is kept (it also
 * remembers the last revision), and replayed when the store is opened, which
 * completes a transaction that a crash interrupted. Replaying a complete one again
 * changes nothing. Names starting with '.' are the store's own (keys cannot have
 * them). Every call completes inline, on the caller's thread.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "glusterfs/mem.h"
#include "store.h"

#define JOURNAL ".journal"
#define JOURNAL_MAGIC "gfs-store-journal 1"

typedef struct local_store {
    gd_store_t base;
    char *dir;
    uint64_t rev;   /* revision of the last transaction */
    int broken;     /* a transaction failed half-applied: refuse work until reopened */
} local_store_t;

/* A growable array of read keys, for list. */
typedef struct kv_list {
    gd_kv_t *kvs;
    int n, cap;
} kv_list_t;

/* Writes all of buf to fd. 0 or -errno. */
static int
write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, buf, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -errno;
        buf += w;
        len -= (size_t)w;
    }
    return 0;
}

/* fsyncs the folder at path. 0 or -errno. */
static int
fsync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int err = 0;
    if (fd < 0)
        return -errno;
    if (fsync(fd) < 0)
        err = -errno;
    close(fd);
    return err;
}

/* Splits path into its folder (written to dir[PATH_MAX]) and returns its last part. */
static const char *
split_path(const char *path, char *dir)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 1;
    memcpy(dir, slash ? path : ".", n);
    dir[n] = '\0';
    return slash ? slash + 1 : path;
}

/*
 * Replaces the file at path with head (hlen bytes) followed by body (blen bytes),
 * atomically and durably. 0 or -errno.
 */
static int
write_atomic(const char *path, const char *head, size_t hlen, const char *body, size_t blen)
{
    char dir[PATH_MAX], tmp[PATH_MAX];
    const char *name = split_path(path, dir);
    int fd, err;

    if (snprintf(tmp, sizeof(tmp), "%s/.tmp.%s", dir, name) >= (int)sizeof(tmp))
        return -ENAMETOOLONG;
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    err = write_all(fd, head, hlen);
    if (!err)
        err = write_all(fd, body, blen);
    if (!err && fsync(fd) < 0)
        err = -errno;
    if (close(fd) < 0 && !err)
        err = -errno;
    if (!err && rename(tmp, path) < 0)
        err = -errno;
    if (err) {
        unlink(tmp);
        return err;
    }
    return fsync_dir(dir);
}

/* Reads the whole regular file at path into a NUL-terminated buffer (*out, gf_free
 * it). 0, -ENOENT (also when path is not a regular file), or -errno. */
static int
read_file(const char *path, char **out, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    char *buf;
    size_t got = 0;

    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return -ENOENT;
    }
    if (!(buf = gf_malloc((size_t)st.st_size + 1))) {
        close(fd);
        return -ENOMEM;
    }
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    buf[got] = '\0';
    *out = buf;
    *len = got;
    return 0;
}

/* The path of key's file. 0 or -ENAMETOOLONG. */
static int
key_path(const local_store_t *ls, const char *key, char *path)
{
    if (snprintf(path, PATH_MAX, "%s/%s", ls->dir, key) >= PATH_MAX)
        return -ENAMETOOLONG;
    return 0;
}

/*
 * Reads key into kv (kv->key left NULL; the caller sets it). Returns 0, -ENOENT,
 * -EIO for a file without a valid header, or -errno.
 */
static int
read_key(const local_store_t *ls, const char *key, gd_kv_t *kv)
{
    char path[PATH_MAX], *buf, *nl;
    size_t len;
    int err = key_path(ls, key, path);

    if (!err)
        err = read_file(path, &buf, &len);
    if (err)
        return err == -ENOTDIR ? -ENOENT : err;
    nl = memchr(buf, '\n', len);
    if (!nl || sscanf(buf, "rev %" SCNu64, &kv->rev) != 1) {
        gf_free(buf);
        return -EIO;
    }
    kv->len = len - (size_t)(nl + 1 - buf);
    memmove(buf, nl + 1, kv->len + 1);
    kv->value = buf;
    return 0;
}

/* Creates the folders above key's file, fsyncing the folder of each one made. */
static int
make_parents(const local_store_t *ls, const char *key)
{
    char path[PATH_MAX], parent[PATH_MAX];
    int err = key_path(ls, key, path);
    for (char *p = path + strlen(ls->dir) + 1; !err && (p = strchr(p, '/')); p++) {
        *p = '\0';
        if (mkdir(path, 0700) == 0) {
            split_path(path, parent);
            err = fsync_dir(parent);
        } else if (errno != EEXIST) {
            err = -errno;
        }
        *p = '/';
    }
    return err;
}

/* Writes key = value at revision rev. 0 or -errno. */
static int
put_key(const local_store_t *ls, const char *key, const char *value, size_t len, uint64_t rev)
{
    char path[PATH_MAX], head[32];
    int hlen = snprintf(head, sizeof(head), "rev %" PRIu64 "\n", rev);
    int err = make_parents(ls, key);
    if (!err)
        err = key_path(ls, key, path);
    if (!err)
        err = write_atomic(path, head, (size_t)hlen, value, len);
    return err;
}

/* Removes key's file (absent is fine) and the folders it leaves empty. */
static int
delete_key(const local_store_t *ls, const char *key)
{
    char path[PATH_MAX], dir[PATH_MAX];
    int err = key_path(ls, key, path);
    size_t root = strlen(ls->dir);

    if (err)
        return err;
    if (unlink(path) < 0)
        return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
    split_path(path, dir);
    err = fsync_dir(dir);
    while (!err && strlen(dir) > root && rmdir(dir) == 0) {
        split_path(dir, path);
        strcpy(dir, path);
        err = fsync_dir(dir);
    }
    return err;
}

/* Serializes txn (at revision rev) in the journal format into *out (gf_free it),
 * NUL-terminated; *outlen excludes the NUL. */
static int
journal_encode(const gd_txn_t *txn, uint64_t rev, char **out, size_t *outlen)
{
    size_t cap = 96, len;
    char *buf, *p;

    for (int i = 0; i < txn->n_ops; i++)
        cap += 48 + strlen(txn->ops[i].key) + txn->ops[i].len;
    if (!(buf = gf_malloc(cap)))
        return -ENOMEM;
    p = buf + sprintf(buf, JOURNAL_MAGIC "\nrev %" PRIu64 "\nops %d\n", rev, txn->n_ops);
    for (int i = 0; i < txn->n_ops; i++) {
        const gd_txn_op_t *op = &txn->ops[i];
        size_t klen = strlen(op->key);
        if (op->type == GD_TXN_PUT)
            p += sprintf(p, "P %zu %zu\n", klen, op->len);
        else
            p += sprintf(p, "D %zu\n", klen);
        memcpy(p, op->key, klen);
        p += klen;
        if (op->type == GD_TXN_PUT) {
            memcpy(p, op->value, op->len);
            p += op->len;
        }
        *p++ = '\n';
    }
    len = (size_t)(p - buf);
    *p = '\0'; /* not part of the journal: lets the parser use sscanf safely */
    *out = buf;
    *outlen = len;
    return 0;
}

/* Applies one journal record at *pp (advanced past it) to the files. 0, -EIO for a
 * malformed record, or -errno. */
static int
journal_apply_one(local_store_t *ls, const char **pp, const char *end, uint64_t rev)
{
    const char *p = *pp, *nl = memchr(p, '\n', (size_t)(end - p));
    char type, key[GD_STORE_KEY_MAX + 1];
    size_t klen = 0, vlen = 0;
    int err;

    if (!nl)
        return -EIO;
    type = *p;
    if (!((type == 'P' && sscanf(p, "P %zu %zu", &klen, &vlen) == 2) ||
          (type == 'D' && sscanf(p, "D %zu", &klen) == 1)))
        return -EIO;
    p = nl + 1;
    if (klen == 0 || klen > GD_STORE_KEY_MAX || (size_t)(end - p) < klen + vlen + 1)
        return -EIO;
    memcpy(key, p, klen);
    key[klen] = '\0';
    if (!gd_store_key_valid(key))
        return -EIO;
    p += klen;
    err = type == 'P' ? put_key(ls, key, p, vlen, rev) : delete_key(ls, key);
    *pp = p + vlen + 1;
    return err;
}

/* Replays the journal text of len bytes (NUL-terminated): applies every record and
 * sets ls->rev. */
static int
journal_replay(local_store_t *ls, const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    uint64_t rev;
    int n, err = 0, off = 0;

    if (sscanf(text, JOURNAL_MAGIC "\nrev %" SCNu64 "\nops %d\n%n", &rev, &n, &off) != 2 ||
        off == 0)
        return -EIO;
    p += off;
    for (int i = 0; i < n && !err; i++)
        err = journal_apply_one(ls, &p, end, rev);
    if (!err && rev > ls->rev)
        ls->rev = rev;
    return err;
}

/* Reads and replays DIR/.journal when there is one. */
static int
journal_load(local_store_t *ls)
{
    char path[PATH_MAX], *text;
    size_t len;
    int err;

    if (snprintf(path, sizeof(path), "%s/" JOURNAL, ls->dir) >= (int)sizeof(path))
        return -ENAMETOOLONG;
    err = read_file(path, &text, &len);
    if (err)
        return err == -ENOENT ? 0 : err;
    err = journal_replay(ls, text, len);
    gf_free(text);
    return err;
}

/* Checks every guard of txn. 0, -ECANCELED, or -errno of reading a key. */
static int
check_guards(const local_store_t *ls, const gd_txn_t *txn)
{
    for (int i = 0; i < txn->n_guards; i++) {
        gd_kv_t kv = {0};
        int err = read_key(ls, txn->guards[i].key, &kv);
        if (err && err != -ENOENT)
            return err;
        gf_free(kv.value);
        if ((err ? 0 : kv.rev) != txn->guards[i].rev)
            return -ECANCELED;
    }
    return 0;
}

/* Whether key a is a folder of key b ("a/x" is under "a"). */
static int
is_under(const char *b, const char *a)
{
    size_t n = strlen(a);
    return strncmp(a, b, n) == 0 && b[n] == '/';
}

/*
 * Checks that every put of txn can be written: in files, a key cannot also be the
 * folder of other keys ("a" and "a/b"), neither with keys already stored nor within
 * txn. 0, -ENOTDIR or -EISDIR.
 */
static int
check_paths(const local_store_t *ls, const gd_txn_t *txn)
{
    char path[PATH_MAX];
    struct stat st;

    for (int i = 0; i < txn->n_ops; i++) {
        if (txn->ops[i].type != GD_TXN_PUT || key_path(ls, txn->ops[i].key, path))
            continue;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            return -EISDIR;
        for (char *p = path + strlen(ls->dir) + 1; (p = strchr(p, '/')); p++) {
            *p = '\0';
            int bad = lstat(path, &st) == 0 && !S_ISDIR(st.st_mode);
            *p = '/';
            if (bad)
                return -ENOTDIR;
        }
        for (int j = 0; j < txn->n_ops; j++)
            if (txn->ops[j].type == GD_TXN_PUT && is_under(txn->ops[i].key, txn->ops[j].key))
                return -ENOTDIR;
    }
    return 0;
}

/* Runs txn: guards, journal, then the files. 0 or -errno. */
static int
run_txn(local_store_t *ls, const gd_txn_t *txn, uint64_t *rev)
{
    char path[PATH_MAX], *journal;
    size_t jlen;
    int err;

    if (ls->broken)
        return -EIO;
    err = check_guards(ls, txn);
    if (!err)
        err = check_paths(ls, txn);
    if (err)
        return err;
    if (snprintf(path, sizeof(path), "%s/" JOURNAL, ls->dir) >= (int)sizeof(path))
        return -ENAMETOOLONG;
    err = journal_encode(txn, ls->rev + 1, &journal, &jlen);
    if (err)
        return err;
    err = write_atomic(path, "", 0, journal, jlen);
    if (!err) {
        err = journal_replay(ls, journal, jlen);
        if (err)
            ls->broken = 1;
    }
    gf_free(journal);
    *rev = ls->rev;
    return err;
}

static void
local_txn(gd_store_t *s, const gd_txn_t *txn, gd_store_txn_cb_t cb, void *cookie)
{
    local_store_t *ls = (local_store_t *)s;
    uint64_t rev = 0;
    int err = run_txn(ls, txn, &rev);
    cb(err, err ? 0 : rev, cookie);
}

static void
local_get(gd_store_t *s, const char *key, gd_store_get_cb_t cb, void *cookie)
{
    local_store_t *ls = (local_store_t *)s;
    gd_kv_t kv = {0};
    int err = read_key(ls, key, &kv);
    kv.key = (char *)key;
    cb(err, err ? NULL : &kv, cookie);
    gf_free(kv.value);
}

/* Appends key (read from its file) to l. A key that vanished is skipped. */
static int
list_add(const local_store_t *ls, kv_list_t *l, const char *key)
{
    gd_kv_t kv = {0};
    int err = read_key(ls, key, &kv);
    if (err)
        return err == -ENOENT ? 0 : err;
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 16;
        gd_kv_t *kvs = gf_realloc(l->kvs, (size_t)cap * sizeof(*kvs));
        if (!kvs) {
            gf_free(kv.value);
            return -ENOMEM;
        }
        l->kvs = kvs;
        l->cap = cap;
    }
    kv.key = gf_strdup(key);
    if (!kv.key) {
        gf_free(kv.value);
        return -ENOMEM;
    }
    l->kvs[l->n++] = kv;
    return 0;
}

/* Whether the folder rel (a key prefix without trailing '/') may hold keys with
 * prefix: one of rel + "/" and prefix starts with the other. */
static int
folder_matches(const char *rel, const char *prefix)
{
    size_t rl = strlen(rel), pl = strlen(prefix);
    if (rl == 0)
        return 1;
    if (pl <= rl)
        return strncmp(rel, prefix, pl) == 0;
    return strncmp(rel, prefix, rl) == 0 && prefix[rl] == '/';
}

/* Whether the entry de of the folder at dir is a folder (asking stat when the file
 * system does not fill d_type). */
static int
entry_is_dir(const char *dir, const struct dirent *de)
{
    char path[PATH_MAX];
    struct stat st;
    if (de->d_type != DT_UNKNOWN)
        return de->d_type == DT_DIR;
    if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
        return 0;
    return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Collects into l the keys under folder rel ("" for the root) that start with prefix. */
static int
list_walk(const local_store_t *ls, const char *rel, const char *prefix, kv_list_t *l)
{
    char path[PATH_MAX], key[PATH_MAX];
    struct dirent *de;
    DIR *d;
    int err = 0;

    if (snprintf(path, sizeof(path), "%s/%s", ls->dir, rel) >= (int)sizeof(path))
        return -ENAMETOOLONG;
    if (!(d = opendir(path)))
        return errno == ENOENT ? 0 : -errno;
    while (!err && (de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        if (snprintf(key, sizeof(key), "%s%s%s", rel, *rel ? "/" : "", de->d_name) >=
            (int)sizeof(key))
            continue;
        if (entry_is_dir(path, de) && folder_matches(key, prefix))
            err = list_walk(ls, key, prefix, l);
        else if (strncmp(key, prefix, strlen(prefix)) == 0)
            err = list_add(ls, l, key);
    }
    closedir(d);
    return err;
}

static int
kv_cmp(const void *a, const void *b)
{
    return strcmp(((const gd_kv_t *)a)->key, ((const gd_kv_t *)b)->key);
}

static void
local_list(gd_store_t *s, const char *prefix, gd_store_list_cb_t cb, void *cookie)
{
    local_store_t *ls = (local_store_t *)s;
    kv_list_t l = {0};
    int err = list_walk(ls, "", prefix, &l);

    if (!err && l.n > 1)
        qsort(l.kvs, (size_t)l.n, sizeof(gd_kv_t), kv_cmp);
    cb(err, err ? NULL : l.kvs, err ? 0 : l.n, cookie);
    for (int i = 0; i < l.n; i++) {
        gf_free(l.kvs[i].key);
        gf_free(l.kvs[i].value);
    }
    gf_free(l.kvs);
}

static void
local_destroy(gd_store_t *s)
{
    local_store_t *ls = (local_store_t *)s;
    gf_free(ls->dir);
    gf_free(ls);
}

static const gd_store_ops_t local_ops = {
    .name = "local",
    .get = local_get,
    .list = local_list,
    .txn = local_txn,
    .destroy = local_destroy,
};

/* Records in ls->rev the highest revision of any key (the journal may have been
 * written by an older version or lost). */
static void
max_rev_cb(int err, const gd_kv_t *kvs, int n, void *cookie)
{
    local_store_t *ls = cookie;
    for (int i = 0; i < n; i++)
        if (kvs[i].rev > ls->rev)
            ls->rev = kvs[i].rev;
}

int
gd_store_local_open(const char *dir, gd_store_t **out)
{
    local_store_t *ls;
    int err;

    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return -errno;
    if (!(ls = gf_calloc(1, sizeof(*ls))) || !(ls->dir = gf_strdup(dir))) {
        gf_free(ls);
        return -ENOMEM;
    }
    ls->base.ops = &local_ops;
    err = journal_load(ls);
    if (err) {
        local_destroy(&ls->base);
        return err;
    }
    local_list(&ls->base, "", max_rev_cb, ls);
    *out = &ls->base;
    return 0;
}
