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
 * them). get, list and txn complete inline, on the caller's thread, under the
 * store's lock (so any thread may call them).
 *
 * Session keys (GD_TXN_PUT_SESSION) live in memory only, in a sorted array: the
 * session of a single server is never lost, so they last until the store is
 * closed. A key is either a file or a session key, never both: a put of one kind
 * removes the other (the file's removal is journaled like any delete). A
 * transaction that changes no file writes no journal; it still gets the next
 * revision. Watches, the session and elections report through the serial queue
 * of store-backend.h: a transaction's changes are queued, under the lock, in
 * the order the transactions were applied.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "glusterfs/log.h"
#include "glusterfs/mem.h"
#include "store-backend.h"

#define JOURNAL ".journal"
#define JOURNAL_MAGIC "gfs-store-journal 1"

typedef struct local_watch local_watch_t;
struct local_watch {
    gd_store_watch_t base;
    local_watch_t *next; /* in the store's list */
    char *prefix;
};

typedef struct local_store {
    gd_store_t base;
    char *dir;
    gd_store_queue_t *queue; /* NULL when opened without an event pool */
    pthread_mutex_t mu;      /* guards the files and everything below */
    uint64_t rev;            /* revision of the last transaction */
    int broken;              /* a transaction failed half-applied: refuse work until reopened */
    int session;             /* a session was opened */
    gd_kv_t *sess;           /* the session keys, sorted by key */
    int n_sess, cap_sess;
    local_watch_t *watches;
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

/*
 * Session keys, and what a key holds now.
 */

enum { KEY_ABSENT, KEY_FILE, KEY_SESSION };

/* The index of key among the session keys, or where it would go (*found says
 * which). */
static int
sess_find(const local_store_t *ls, const char *key, int *found)
{
    int lo = 0, hi = ls->n_sess;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2, c = strcmp(ls->sess[mid].key, key);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = 0;
    return lo;
}

/* Removes the session key key, if there is one. */
static void
sess_remove(local_store_t *ls, const char *key)
{
    int found, i = sess_find(ls, key, &found);
    if (!found)
        return;
    gf_free(ls->sess[i].key);
    gf_free(ls->sess[i].value);
    memmove(&ls->sess[i], &ls->sess[i + 1], (size_t)(ls->n_sess - i - 1) * sizeof(gd_kv_t));
    ls->n_sess--;
}

/* Sets the session key kv.key to kv (taken over), replacing an older one. Room
 * for it was reserved with sess_reserve. */
static void
sess_set(local_store_t *ls, gd_kv_t kv)
{
    int found, i = sess_find(ls, kv.key, &found);
    if (found) {
        gf_free(ls->sess[i].key);
        gf_free(ls->sess[i].value);
    } else {
        memmove(&ls->sess[i + 1], &ls->sess[i], (size_t)(ls->n_sess - i) * sizeof(gd_kv_t));
        ls->n_sess++;
    }
    ls->sess[i] = kv;
}

/* Makes room for n more session keys. 0 or -ENOMEM. */
static int
sess_reserve(local_store_t *ls, int n)
{
    int cap = ls->cap_sess ? ls->cap_sess : 16;
    gd_kv_t *grown;
    if (ls->n_sess + n <= ls->cap_sess)
        return 0;
    while (cap < ls->n_sess + n)
        cap *= 2;
    if (!(grown = gf_realloc(ls->sess, (size_t)cap * sizeof(*grown))))
        return -ENOMEM;
    ls->sess = grown;
    ls->cap_sess = cap;
    return 0;
}

/* A NUL-terminated copy of len bytes at v; NULL on ENOMEM. */
static char *
dup_bytes(const char *v, size_t len)
{
    char *d = gf_malloc(len + 1);
    if (d) {
        memcpy(d, v, len);
        d[len] = '\0';
    }
    return d;
}

/* A copy of a key and its value in *out (both to gf_free). 0 or -ENOMEM. */
static int
kv_copy(const char *key, const char *value, size_t len, uint64_t rev, gd_kv_t *out)
{
    gd_kv_t kv = {.key = gf_strdup(key), .value = dup_bytes(value, len), .len = len, .rev = rev};
    if (!kv.key || !kv.value) {
        gf_free(kv.key);
        gf_free(kv.value);
        return -ENOMEM;
    }
    *out = kv;
    return 0;
}

/* Reads what key holds now, a session key or a file, into kv (its value to
 * gf_free; kv->key left NULL). 0, -ENOENT, or -errno. */
static int
read_current(const local_store_t *ls, const char *key, gd_kv_t *kv)
{
    int found, i = sess_find(ls, key, &found);
    if (!found)
        return read_key(ls, key, kv);
    if (!(kv->value = dup_bytes(ls->sess[i].value, ls->sess[i].len)))
        return -ENOMEM;
    kv->len = ls->sess[i].len;
    kv->rev = ls->sess[i].rev;
    return 0;
}

/* Whether key has a file. */
static int
file_exists(const local_store_t *ls, const char *key)
{
    char path[PATH_MAX];
    struct stat st;
    return key_path(ls, key, path) == 0 && lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* What the key of txn's operation i holds just before that operation runs:
 * KEY_ABSENT, KEY_FILE or KEY_SESSION. */
static int
state_before(const local_store_t *ls, const gd_txn_t *txn, int i)
{
    const char *key = txn->ops[i].key;
    int found;
    for (int j = i - 1; j >= 0; j--) {
        if (strcmp(txn->ops[j].key, key) != 0)
            continue;
        if (txn->ops[j].type == GD_TXN_DELETE)
            return KEY_ABSENT;
        return txn->ops[j].type == GD_TXN_PUT ? KEY_FILE : KEY_SESSION;
    }
    sess_find(ls, key, &found);
    if (found)
        return KEY_SESSION;
    return file_exists(ls, key) ? KEY_FILE : KEY_ABSENT;
}

/*
 * Transactions.
 */

/* Checks every guard of txn. 0, -ECANCELED, or -errno of reading a key. */
static int
check_guards(const local_store_t *ls, const gd_txn_t *txn)
{
    for (int i = 0; i < txn->n_guards; i++) {
        gd_kv_t kv = {0};
        int err = read_current(ls, txn->guards[i].key, &kv);
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

/* What a transaction does, worked out before anything changes. */
typedef struct plan {
    gd_txn_t files;        /* the journaled operations (keys and values borrowed) */
    int n_session;         /* session puts */
    gd_kv_t *sess;         /* copies of the session puts, in order (taken by commit) */
    int session_changes;   /* operations on session keys (puts, deletes) */
    gd_store_event_t *evs; /* the changes to report (keys and values borrowed) */
    int n_evs;
} plan_t;

static void
plan_free(plan_t *p)
{
    for (int i = 0; i < p->n_session; i++) {
        gf_free(p->sess[i].key);
        gf_free(p->sess[i].value);
    }
    gf_free(p->sess);
    gf_free(p->files.ops);
    gf_free(p->evs);
}

/* Adds operation i of txn to plan p at revision rev: the file it removes or
 * writes, its session copy, the change it reports. 0 or -ENOMEM. */
static int
plan_op(const local_store_t *ls, const gd_txn_t *txn, int i, uint64_t rev, plan_t *p)
{
    const gd_txn_op_t *op = &txn->ops[i];
    int before = state_before(ls, txn, i);

    if (before == KEY_FILE && op->type != GD_TXN_PUT) /* deleted, or replaced by a session key */
        p->files.ops[p->files.n_ops++] = (gd_txn_op_t){.type = GD_TXN_DELETE, .key = op->key};
    p->session_changes += before == KEY_SESSION || op->type == GD_TXN_PUT_SESSION;
    if (op->type == GD_TXN_DELETE) {
        if (before != KEY_ABSENT)
            p->evs[p->n_evs++] = (gd_store_event_t){
                .deleted = 1, .kv = {.key = op->key, .value = "", .rev = rev}};
        return 0;
    }
    p->evs[p->n_evs++] = (gd_store_event_t){
        .kv = {.key = op->key, .value = op->value, .len = op->len, .rev = rev}};
    if (op->type == GD_TXN_PUT) {
        p->files.ops[p->files.n_ops++] = *op;
        return 0;
    }
    if (kv_copy(op->key, op->value, op->len, rev, &p->sess[p->n_session]) != 0)
        return -ENOMEM;
    p->n_session++;
    return 0;
}

/* Works out txn at revision rev into p (plan_free it, also on failure). 0,
 * -ENOTCONN (a session put without a session), or -ENOMEM. */
static int
plan_build(local_store_t *ls, const gd_txn_t *txn, uint64_t rev, plan_t *p)
{
    int n = txn->n_ops, session_puts = 0, err = 0;

    for (int i = 0; i < n; i++)
        session_puts += txn->ops[i].type == GD_TXN_PUT_SESSION;
    if (session_puts && !ls->session)
        return -ENOTCONN;
    p->files.ops = gf_calloc((size_t)n + 1, sizeof(gd_txn_op_t));
    p->sess = gf_calloc((size_t)session_puts + 1, sizeof(gd_kv_t));
    p->evs = gf_calloc((size_t)n + 1, sizeof(gd_store_event_t));
    if (!p->files.ops || !p->sess || !p->evs || sess_reserve(ls, session_puts) != 0)
        return -ENOMEM;
    for (int i = 0; i < n && !err; i++)
        err = plan_op(ls, txn, i, rev, p);
    return err;
}

/* Writes the file operations of a transaction at revision rev to the journal,
 * then applies them (setting ls->rev). 0 or -errno. */
static int
write_files(local_store_t *ls, const gd_txn_t *files, uint64_t rev)
{
    char path[PATH_MAX], *journal;
    size_t jlen;
    int err;

    if (snprintf(path, sizeof(path), "%s/" JOURNAL, ls->dir) >= (int)sizeof(path))
        return -ENAMETOOLONG;
    err = journal_encode(files, rev, &journal, &jlen);
    if (err)
        return err;
    err = write_atomic(path, "", 0, journal, jlen);
    if (!err) {
        err = journal_replay(ls, journal, jlen);
        if (err)
            ls->broken = 1;
    }
    gf_free(journal);
    return err;
}

/* Applies plan p of txn at revision rev: the files (a transaction that only
 * changes session keys writes no journal), then the session keys. 0 or -errno. */
static int
commit(local_store_t *ls, const gd_txn_t *txn, plan_t *p, uint64_t rev)
{
    int err = 0, k = 0;

    if (p->files.n_ops > 0 || p->session_changes == 0)
        err = write_files(ls, &p->files, rev);
    else
        ls->rev = rev;
    if (err)
        return err;
    for (int i = 0; i < txn->n_ops; i++) {
        if (txn->ops[i].type != GD_TXN_PUT_SESSION) {
            sess_remove(ls, txn->ops[i].key);
            continue;
        }
        sess_set(ls, p->sess[k]);
        p->sess[k++] = (gd_kv_t){0};
    }
    return 0;
}

/* Queues the changes of p to every watch whose prefix they match. */
static void
notify(local_store_t *ls, const plan_t *p)
{
    gd_store_event_t *match;

    if (!ls->watches || p->n_evs == 0)
        return;
    if (!(match = gf_malloc((size_t)p->n_evs * sizeof(*match)))) {
        gf_log(GF_LOG_ERROR, "local store %s: out of memory; watches miss a change", ls->dir);
        return;
    }
    for (local_watch_t *w = ls->watches; w; w = w->next) {
        size_t plen = strlen(w->prefix);
        int n = 0;
        for (int i = 0; i < p->n_evs; i++)
            if (strncmp(p->evs[i].kv.key, w->prefix, plen) == 0)
                match[n++] = p->evs[i];
        if (n && gd_store_watch_post(&w->base, match, n) != 0)
            gf_log(GF_LOG_ERROR, "local store %s: out of memory; the watch of '%s' misses a "
                                 "change", ls->dir, w->prefix);
    }
    gf_free(match);
}

/* Runs txn: guards, journal, the files, the session keys, then queues what the
 * watches see. Lock held. 0 with *rev set, or -errno. */
static int
run_txn(local_store_t *ls, const gd_txn_t *txn, uint64_t *rev)
{
    plan_t p = {0};
    int err = ls->broken ? -EIO : check_guards(ls, txn);

    if (!err)
        err = check_paths(ls, txn);
    if (!err)
        err = plan_build(ls, txn, ls->rev + 1, &p);
    if (!err)
        err = commit(ls, txn, &p, ls->rev + 1);
    if (!err) {
        notify(ls, &p);
        *rev = ls->rev;
    }
    plan_free(&p);
    return err;
}

static void
local_txn(gd_store_t *s, const gd_txn_t *txn, gd_store_txn_cb_t cb, void *cookie)
{
    local_store_t *ls = (local_store_t *)s;
    uint64_t rev = 0;
    int err;

    pthread_mutex_lock(&ls->mu);
    err = run_txn(ls, txn, &rev);
    pthread_mutex_unlock(&ls->mu);
    cb(err, err ? 0 : rev, cookie);
}

static void
local_get(gd_store_t *s, const char *key, gd_store_get_cb_t cb, void *cookie)
{
    local_store_t *ls = (local_store_t *)s;
    gd_kv_t kv = {0};
    int err;

    pthread_mutex_lock(&ls->mu);
    err = read_current(ls, key, &kv);
    pthread_mutex_unlock(&ls->mu);
    kv.key = (char *)key;
    cb(err, err ? NULL : &kv, cookie);
    gf_free(kv.value);
}

/*
 * Listing.
 */

/* Appends kv (taken over: freed on failure) to l. 0 or -ENOMEM. */
static int
list_append(kv_list_t *l, gd_kv_t kv)
{
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 16;
        gd_kv_t *kvs = gf_realloc(l->kvs, (size_t)cap * sizeof(*kvs));
        if (!kvs) {
            gf_free(kv.key);
            gf_free(kv.value);
            return -ENOMEM;
        }
        l->kvs = kvs;
        l->cap = cap;
    }
    l->kvs[l->n++] = kv;
    return 0;
}

/* Appends key (read from its file) to l. A key that vanished is skipped. */
static int
list_add(const local_store_t *ls, kv_list_t *l, const char *key)
{
    gd_kv_t kv = {0};
    int err = read_key(ls, key, &kv);
    if (err)
        return err == -ENOENT ? 0 : err;
    if (!(kv.key = gf_strdup(key))) {
        gf_free(kv.value);
        return -ENOMEM;
    }
    return list_append(l, kv);
}

/* Appends to l copies of the session keys that start with prefix. */
static int
list_session(const local_store_t *ls, const char *prefix, kv_list_t *l)
{
    size_t plen = strlen(prefix);
    int found, err = 0;

    for (int i = sess_find(ls, prefix, &found);
         !err && i < ls->n_sess && strncmp(ls->sess[i].key, prefix, plen) == 0; i++) {
        const gd_kv_t *sk = &ls->sess[i];
        gd_kv_t kv;
        err = kv_copy(sk->key, sk->value, sk->len, sk->rev, &kv);
        if (!err)
            err = list_append(l, kv);
    }
    return err;
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
    int err;

    pthread_mutex_lock(&ls->mu);
    err = list_walk(ls, "", prefix, &l);
    if (!err)
        err = list_session(ls, prefix, &l);
    pthread_mutex_unlock(&ls->mu);
    if (!err && l.n > 1)
        qsort(l.kvs, (size_t)l.n, sizeof(gd_kv_t), kv_cmp);
    cb(err, err ? NULL : l.kvs, err ? 0 : l.n, cookie);
    for (int i = 0; i < l.n; i++) {
        gf_free(l.kvs[i].key);
        gf_free(l.kvs[i].value);
    }
    gf_free(l.kvs);
}

/*
 * Watches, the session and elections: a single server's session is up at once
 * and never lost, and it wins every election.
 */

static void
local_watch_free(gd_store_watch_t *base)
{
    local_watch_t *w = (local_watch_t *)base;
    gf_free(w->prefix);
    gf_free(w);
}

static int
local_watch(gd_store_t *s, const char *prefix, gd_store_watch_cb_t cb, void *cookie,
            gd_store_watch_t **out)
{
    local_store_t *ls = (local_store_t *)s;
    local_watch_t *w;
    int err;

    if (!ls->queue)
        return -EINVAL;
    if (!(w = gf_calloc(1, sizeof(*w))) || !(w->prefix = gf_strdup(prefix))) {
        gf_free(w);
        return -ENOMEM;
    }
    gd_store_watch_init(&w->base, s, ls->queue, cb, cookie, local_watch_free);
    pthread_mutex_lock(&ls->mu);
    err = gd_store_watch_post(&w->base, NULL, 0);
    if (!err) {
        w->next = ls->watches;
        ls->watches = w;
    }
    pthread_mutex_unlock(&ls->mu);
    if (err) {
        local_watch_free(&w->base);
        return err;
    }
    *out = &w->base;
    return 0;
}

/* Takes w out of the store's list: no transaction reports to it any more. */
static void
local_watch_cancel(gd_store_watch_t *base)
{
    local_store_t *ls = (local_store_t *)base->store;
    pthread_mutex_lock(&ls->mu);
    for (local_watch_t **pp = &ls->watches; *pp; pp = &(*pp)->next) {
        if (&(*pp)->base == base) {
            *pp = (*pp)->next;
            break;
        }
    }
    pthread_mutex_unlock(&ls->mu);
}

static int
local_session_open(gd_store_t *s, int ttl_s, gd_store_session_cb_t cb, void *cookie)
{
    local_store_t *ls = (local_store_t *)s;
    int err;

    if (!ls->queue)
        return -EINVAL;
    pthread_mutex_lock(&ls->mu);
    err = ls->session ? -EEXIST : gd_store_queue_call(ls->queue, cb, 1, cookie);
    if (!err)
        ls->session = 1;
    pthread_mutex_unlock(&ls->mu);
    return err;
}

static int
local_elect(gd_store_t *s, const char *name, const char *value, gd_store_elect_cb_t cb,
            void *cookie)
{
    local_store_t *ls = (local_store_t *)s;
    int session;

    if (!ls->queue)
        return -EINVAL;
    pthread_mutex_lock(&ls->mu);
    session = ls->session;
    pthread_mutex_unlock(&ls->mu);
    return session ? gd_store_queue_call(ls->queue, cb, 1, cookie) : -ENOTCONN;
}

static void
local_strerror(gd_store_t *s, int err, char *buf, size_t len)
{
    local_store_t *ls = (local_store_t *)s;
    int broken;

    pthread_mutex_lock(&ls->mu);
    broken = ls->broken;
    pthread_mutex_unlock(&ls->mu);
    if (err == -ENOTCONN)
        snprintf(buf, len, "local store %s: no session is open (open one before putting "
                           "session keys)", ls->dir);
    else if (err == -EIO && broken)
        snprintf(buf, len, "local store %s: a transaction failed half-applied; restart glusterd "
                           "to complete it from the journal", ls->dir);
    else
        snprintf(buf, len, "local store %s: %s", ls->dir, strerror(err < 0 ? -err : err));
}

/*
 * Opening and closing.
 */

static void
local_destroy(gd_store_t *s)
{
    local_store_t *ls = (local_store_t *)s;
    gd_store_queue_close(ls->queue);
    while (ls->watches) {
        local_watch_t *w = ls->watches;
        ls->watches = w->next;
        gd_store_watch_unref(&w->base);
    }
    for (int i = 0; i < ls->n_sess; i++) {
        gf_free(ls->sess[i].key);
        gf_free(ls->sess[i].value);
    }
    gf_free(ls->sess);
    pthread_mutex_destroy(&ls->mu);
    gf_free(ls->dir);
    gf_free(ls);
}

static const gd_store_ops_t local_ops = {
    .name = "local",
    .get = local_get,
    .list = local_list,
    .txn = local_txn,
    .watch = local_watch,
    .watch_cancel = local_watch_cancel,
    .session_open = local_session_open,
    .elect = local_elect,
    .strerror = local_strerror,
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
gd_store_local_open(const char *dir, gf_event_pool_t *events, gd_store_t **out)
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
    pthread_mutex_init(&ls->mu, NULL);
    err = events && !(ls->queue = gd_store_queue_new(events)) ? -ENOMEM : 0;
    if (!err)
        err = journal_load(ls);
    if (err) {
        local_destroy(&ls->base);
        return err;
    }
    local_list(&ls->base, "", max_rev_cb, ls);
    *out = &ls->base;
    return 0;
}
