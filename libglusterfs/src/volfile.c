/*
 * The volfile parser: turns volfile text into a gf_volfile_t (see volfile.h).
 *
 * The text is read one line at a time; each line is split into words (a quoted
 * word may hold spaces) and its first word says which statement it is. Checks
 * that need the whole file (subvolumes defined, and defined first) run once the
 * last line has been read. Every error names the line it concerns.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "glusterfs/dict.h"
#include "glusterfs/mem.h"
#include "glusterfs/volfile.h"

/* The words of one line. */
typedef struct words {
    char **v;
    int n;
    int cap;
} words_t;

typedef struct parser {
    gf_volfile_t *vf;
    bool open;        /* the last volume of vf has no end-volume yet */
    int line;         /* line being parsed, from 1 */
    char *err;
    size_t errlen;
} parser_t;

/* Writes "line N: <message>" to the parser's err buffer; returns -EINVAL. */
__attribute__((format(printf, 3, 4))) static int fail(parser_t *p, int line, const char *fmt,
                                                      ...)
{
    va_list ap;
    int n;

    if (!p->err || p->errlen == 0)
        return -EINVAL;
    n = snprintf(p->err, p->errlen, "line %d: ", line);
    if (n >= 0 && (size_t)n < p->errlen) {
        va_start(ap, fmt);
        vsnprintf(p->err + n, p->errlen - n, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

static void words_clear(words_t *w)
{
    for (int i = 0; i < w->n; i++)
        gf_free(w->v[i]);
    gf_free(w->v);
    *w = (words_t){0};
}

/* Appends word (taking ownership). 0 or -ENOMEM (word is freed then). */
static int words_push(words_t *w, char *word)
{
    if (w->n == w->cap) {
        int cap = w->cap ? w->cap * 2 : 8;
        char **v = gf_realloc(w->v, cap * sizeof(*v));

        if (!v) {
            gf_free(word);
            return -ENOMEM;
        }
        w->v = v;
        w->cap = cap;
    }
    w->v[w->n++] = word;
    return 0;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/*
 * Reads the quoted word starting at *s (on its opening quote) into out, moving
 * *s past the closing quote. out has room for the whole line. 0 or -EINVAL.
 */
static int read_quoted(parser_t *p, const char **s, const char *end, char *out)
{
    const char *c = *s + 1;

    while (c < end && *c != '"') {
        if (*c == '\\') {
            if (c + 1 == end) {
                c = end;
                break;
            }
            if (c[1] != '"' && c[1] != '\\')
                return fail(p, p->line,
                            "unknown escape '\\%c' in a quoted value (only \\\" and \\\\ are "
                            "allowed)",
                            c[1]);
            c++;
        }
        *out++ = *c++;
    }
    if (c == end)
        return fail(p, p->line, "unterminated quoted value: the closing '\"' is missing");
    c++;
    if (c < end && !is_space(*c) && *c != '#')
        return fail(p, p->line,
                    "text right after a closing quote: separate words with a space");
    *out = '\0';
    *s = c;
    return 0;
}

/* Reads the plain word starting at *s into out, moving *s past it. 0 or -EINVAL. */
static int read_plain(parser_t *p, const char **s, const char *end, char *out)
{
    const char *c = *s;

    while (c < end && !is_space(*c)) {
        if (*c == '"')
            return fail(p, p->line,
                        "a quote inside a word: put the quotes around the whole value");
        *out++ = *c++;
    }
    *out = '\0';
    *s = c;
    return 0;
}

/*
 * Splits the line [s, end) into words, stopping at a '#' that starts a word.
 * Each word is read into one scratch buffer the size of the line, then copied
 * at its own size, so memory stays linear in the line's length.
 * Returns 0 with the words in w, or -EINVAL/-ENOMEM (w is then empty).
 */
static int split_line(parser_t *p, const char *s, const char *end, words_t *w)
{
    char *scratch = gf_malloc(end - s + 1);
    int ret = scratch ? 0 : -ENOMEM;

    while (ret == 0) {
        char *word;

        while (s < end && is_space(*s))
            s++;
        if (s == end || *s == '#') {
            gf_free(scratch);
            return 0;
        }
        ret = *s == '"' ? read_quoted(p, &s, end, scratch) : read_plain(p, &s, end, scratch);
        if (ret == 0) {
            word = gf_strdup(scratch);
            ret = word ? words_push(w, word) : -ENOMEM;
        }
    }
    gf_free(scratch);
    words_clear(w);
    return ret;
}

/* The open volume, or NULL. */
static gf_volfile_vol_t *current(parser_t *p)
{
    return p->open ? &p->vf->vols[p->vf->n_vols - 1] : NULL;
}

/* Fails unless a volume is open; kw names the statement for the message. */
static int need_volume(parser_t *p, const char *kw)
{
    if (p->open)
        return 0;
    return fail(p, p->line, "'%s' outside a volume block: start one with 'volume NAME'", kw);
}

static int stmt_volume(parser_t *p, words_t *w)
{
    gf_volfile_t *vf = p->vf;
    const gf_volfile_vol_t *dup;
    gf_volfile_vol_t *vols;

    if (p->open)
        return fail(p, p->line,
                    "'volume' inside volume '%s' (opened at line %d): close it with "
                    "'end-volume' first",
                    current(p)->name, current(p)->line);
    if (w->n != 2 || w->v[1][0] == '\0')
        return fail(p, p->line, "'volume' needs exactly one name");
    dup = gf_volfile_find(vf, w->v[1]);
    if (dup)
        return fail(p, p->line, "volume '%s' is already defined at line %d", w->v[1],
                    dup->line);
    vols = gf_realloc(vf->vols, (vf->n_vols + 1) * sizeof(*vols));
    if (!vols)
        return -ENOMEM;
    vf->vols = vols;
    vols[vf->n_vols] = (gf_volfile_vol_t){.name = w->v[1], .line = p->line};
    vols[vf->n_vols].options = gf_dict_new();
    w->v[1] = NULL;
    vf->n_vols++;
    p->open = true;
    return vols[vf->n_vols - 1].options ? 0 : -ENOMEM;
}

static int stmt_end(parser_t *p, words_t *w)
{
    gf_volfile_vol_t *vol = current(p);
    int ret = need_volume(p, "end-volume");

    if (ret)
        return ret;
    if (w->n != 1)
        return fail(p, p->line, "'end-volume' takes no argument");
    if (!vol->type)
        return fail(p, vol->line, "volume '%s' has no type: add 'type CATEGORY/NAME'",
                    vol->name);
    p->open = false;
    return 0;
}

/* True when s is a non-empty name of [A-Za-z0-9_.-] not starting with '.'. */
static bool type_part_ok(const char *s, size_t n)
{
    if (n == 0 || s[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') &&
            c != '_' && c != '-' && c != '.')
            return false;
    }
    return true;
}

static int stmt_type(parser_t *p, words_t *w)
{
    gf_volfile_vol_t *vol = current(p);
    int ret = need_volume(p, "type");
    const char *slash;

    if (ret)
        return ret;
    if (w->n != 2)
        return fail(p, p->line, "'type' needs exactly one value, CATEGORY/NAME");
    if (vol->type)
        return fail(p, p->line, "volume '%s' has a second 'type' line", vol->name);
    slash = strchr(w->v[1], '/');
    if (!slash || !type_part_ok(w->v[1], slash - w->v[1]) ||
        !type_part_ok(slash + 1, strlen(slash + 1)))
        return fail(p, p->line,
                    "type '%s' is not of the form CATEGORY/NAME (for example storage/posix)",
                    w->v[1]);
    vol->type = w->v[1];
    w->v[1] = NULL;
    return 0;
}

static int stmt_option(parser_t *p, words_t *w)
{
    gf_volfile_vol_t *vol = current(p);
    int ret = need_volume(p, "option");

    if (ret)
        return ret;
    if (w->n == 1)
        return fail(p, p->line, "'option' needs a key and a value");
    if (w->n == 2)
        return fail(p, p->line, "option '%s' has no value", w->v[1]);
    if (w->n > 3)
        return fail(p, p->line,
                    "option '%s' has more than one value: quote a value that contains spaces",
                    w->v[1]);
    if (gf_dict_has(vol->options, w->v[1]))
        return fail(p, p->line, "option '%s' is given twice in volume '%s'", w->v[1],
                    vol->name);
    return gf_dict_set_str(vol->options, w->v[1], w->v[2]);
}

static int stmt_subvolumes(parser_t *p, words_t *w)
{
    gf_volfile_vol_t *vol = current(p);
    int ret = need_volume(p, "subvolumes");

    if (ret)
        return ret;
    if (w->n == 1)
        return fail(p, p->line, "'subvolumes' lists no volume");
    if (vol->subvols_line)
        return fail(p, p->line, "volume '%s' has a second 'subvolumes' line (first at line %d)",
                    vol->name, vol->subvols_line);
    for (int i = 1; i < w->n; i++) {
        if (strcmp(w->v[i], vol->name) == 0)
            return fail(p, p->line, "volume '%s' lists itself as a subvolume", vol->name);
        for (int j = 1; j < i; j++)
            if (strcmp(w->v[i], w->v[j]) == 0)
                return fail(p, p->line, "subvolume '%s' is listed twice", w->v[i]);
    }
    /* The words after the keyword become the list; the keyword slot is freed. */
    gf_free(w->v[0]);
    memmove(w->v, w->v + 1, (w->n - 1) * sizeof(*w->v));
    vol->subvols = w->v;
    vol->n_subvols = w->n - 1;
    vol->subvols_line = p->line;
    *w = (words_t){0};
    return 0;
}

typedef int (*stmt_fn_t)(parser_t *p, words_t *w);

static const struct {
    const char *keyword;
    stmt_fn_t fn;
} statements[] = {
    {"volume", stmt_volume},         {"end-volume", stmt_end}, {"type", stmt_type},
    {"option", stmt_option},         {"subvolumes", stmt_subvolumes},
};

/* Runs the statement on one line of words (never empty). 0, -EINVAL or -ENOMEM. */
static int statement(parser_t *p, words_t *w)
{
    for (size_t i = 0; i < sizeof(statements) / sizeof(statements[0]); i++)
        if (strcmp(w->v[0], statements[i].keyword) == 0)
            return statements[i].fn(p, w);
    return fail(p, p->line,
                "unknown keyword '%s' (expected volume, type, option, subvolumes or "
                "end-volume)",
                w->v[0]);
}

/* Checks that every subvolume is defined, and before the volume that uses it. */
static int check_subvols(parser_t *p)
{
    const gf_volfile_t *vf = p->vf;

    for (int i = 0; i < vf->n_vols; i++) {
        const gf_volfile_vol_t *vol = &vf->vols[i];

        for (int s = 0; s < vol->n_subvols; s++) {
            const gf_volfile_vol_t *sub = gf_volfile_find(vf, vol->subvols[s]);

            if (!sub)
                return fail(p, vol->subvols_line,
                            "subvolume '%s' of volume '%s' is not defined", vol->subvols[s],
                            vol->name);
            if (sub > vol)
                return fail(p, vol->subvols_line,
                            "subvolume '%s' of volume '%s' is defined later, at line %d: "
                            "define a volume before the volumes that use it",
                            sub->name, vol->name, sub->line);
        }
    }
    return 0;
}

/* Checks what only the end of the text can tell. last is the last line's number. */
static int finish(parser_t *p, int last)
{
    if (p->open)
        return fail(p, last, "volume '%s' (opened at line %d) has no 'end-volume'",
                    current(p)->name, current(p)->line);
    if (p->vf->n_vols == 0)
        return fail(p, last, "the volfile is empty: it defines no volume");
    return check_subvols(p);
}

/* Parses every line of [text, end). 0, -EINVAL or -ENOMEM. */
static int parse_lines(parser_t *p, const char *text, const char *end)
{
    const char *s = text;

    for (p->line = 1; s < end; p->line++) {
        const char *eol = memchr(s, '\n', end - s);
        words_t w = {0};
        int ret;

        if (!eol)
            eol = end;
        if (memchr(s, '\0', eol - s))
            return fail(p, p->line, "a NUL byte in the text (is this a volfile?)");
        ret = split_line(p, s, eol, &w);
        if (ret == 0 && w.n > 0)
            ret = statement(p, &w);
        words_clear(&w);
        if (ret)
            return ret;
        s = eol < end ? eol + 1 : end;
    }
    return finish(p, p->line > 1 ? p->line - 1 : 1);
}

int gf_volfile_parse(const char *text, size_t len, gf_volfile_t **out, char *err, size_t errlen)
{
    parser_t p = {.err = err, .errlen = errlen};
    int ret;

    *out = NULL;
    p.vf = gf_calloc(1, sizeof(*p.vf));
    if (!p.vf)
        return -ENOMEM;
    ret = parse_lines(&p, text, text + len);
    if (ret == -ENOMEM && err && errlen)
        snprintf(err, errlen, "line %d: out of memory while parsing the volfile", p.line);
    if (ret) {
        gf_volfile_free(p.vf);
        return ret;
    }
    *out = p.vf;
    return 0;
}

/* Reads the whole of fd into a new buffer (*out, *len). 0 or -errno. */
static int read_all(int fd, char **out, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf = gf_malloc(cap);

    while (buf) {
        ssize_t r;

        if (n == cap) {
            char *bigger = gf_realloc(buf, cap * 2);

            if (!bigger)
                break;
            buf = bigger;
            cap *= 2;
        }
        r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;

            gf_free(buf);
            return -e;
        }
        if (r == 0) {
            *out = buf;
            *len = n;
            return 0;
        }
        n += r;
    }
    gf_free(buf);
    return -ENOMEM;
}

int gf_volfile_from_file(const char *path, gf_volfile_t **out, char *err, size_t errlen)
{
    char why[1024] = "";
    char *text = NULL;
    size_t len = 0;
    int fd, ret;

    *out = NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        ret = -errno;
        snprintf(err, errlen, "%s: cannot open the volfile: %s", path, strerror(-ret));
        return ret;
    }
    ret = read_all(fd, &text, &len);
    close(fd);
    if (ret) {
        snprintf(err, errlen, "%s: cannot read the volfile: %s", path, strerror(-ret));
        return ret;
    }
    ret = gf_volfile_parse(text, len, out, why, sizeof(why));
    gf_free(text);
    if (ret)
        snprintf(err, errlen, "%s: %s", path, why);
    return ret;
}

static void vol_free(gf_volfile_vol_t *vol)
{
    gf_free(vol->name);
    gf_free(vol->type);
    if (vol->options)
        gf_dict_unref(vol->options);
    for (int i = 0; i < vol->n_subvols; i++)
        gf_free(vol->subvols[i]);
    gf_free(vol->subvols);
}

void gf_volfile_free(gf_volfile_t *vf)
{
    if (!vf)
        return;
    for (int i = 0; i < vf->n_vols; i++)
        vol_free(&vf->vols[i]);
    gf_free(vf->vols);
    gf_free(vf);
}

const gf_volfile_vol_t *gf_volfile_top(const gf_volfile_t *vf)
{
    return vf->n_vols > 0 ? &vf->vols[vf->n_vols - 1] : NULL;
}

const gf_volfile_vol_t *gf_volfile_find(const gf_volfile_t *vf, const char *name)
{
    for (int i = 0; i < vf->n_vols; i++)
        if (strcmp(vf->vols[i].name, name) == 0)
            return &vf->vols[i];
    return NULL;
}
