/*
 * Distribute's directory listing: opendir on every subvolume (one fd, each
 * subvolume keeping its own ctx on it), and readdir/readdirp that list the
 * subvolumes one after the other, first to last.
 *
 * Every directory exists on every subvolume, so directories (and "." and "..")
 * are listed from the first subvolume only; files are listed from wherever
 * they are, except GlusterFS link files (which the stock client leaves where a
 * renamed file's new name hashes): the file they point to is listed where it
 * is. Subvolumes are always listed with readdirp, whose attributes and
 * per-entry xattrs tell directories and link files apart.
 *
 * Where a listing goes on: the d_off of an entry says both which subvolume it
 * came from and the subvolume's own d_off, so the next call knows where to
 * resume. The encoding is GlusterFS's (its "itransform"), for N subvolumes and
 * b = the bits needed to count N:
 *   - a d_off below 2^(62-b) becomes d_off * N + index;
 *   - a larger one (ext4's hash positions) becomes bit 62 set, the d_off
 *     shifted right once with its low b bits cleared, and the index in those
 *     bits. The low bits are lost: resuming seeks to a position at most 2^(b+1)
 *     before the real one, which hash-ordered file systems treat as the same
 *     place in practice.
 * A subvolume that returns no entry is done; the listing moves to the next one
 * at its start, and after the last the call returns no entry (the end).
 */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "dht.h"
#include "glusterfs/dict.h"
#include "glusterfs/fd.h"
#include "glusterfs/log.h"
#include "glusterfs/mem.h"

#define DOFF_TOP          (1ull << 62)
#define DOFF_PRESENT_MASK (~0ull >> 1) /* the 63 bits a backend d_off uses */

/* ---- opendir ---------------------------------------------------------------------------- */

static int opendir_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;

    dht_sub_store(&local->sub[dht_idx(cookie)], rsp);
    return dht_fan_arrive(frame, this);
}

static int opendir_done(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;
    gf_reply_t rsp = {0};
    int i;

    for (i = 0; i < local->n; i++) {
        if (local->sub[i].op_ret < 0) {
            gf_log(GF_LOG_WARNING, "opendir %s on %s: %s",
                   local->args->loc.path ? local->args->loc.path : "(gfid)",
                   this->children[i]->name, strerror(local->sub[i].op_errno));
            return dht_fail(frame, local->sub[i].op_errno);
        }
    }
    dht_ctx_set_dir(this, local->args->fd->inode, NULL);
    rsp.fd = local->args->fd;
    return dht_unwind(frame, &rsp);
}

/* Opens the directory on every subvolume; fails when any of them fails (the
 * subvolumes that did open it release their part with the fd). */
int dht_opendir(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    dht_local_t *local;
    int i, n;

    if (!args->fd)
        return gf_unwind_error(frame, EINVAL);
    local = dht_entry_local(frame, this, args);
    if (!local)
        return gf_unwind_error(frame, ENOMEM);
    n = local->n;
    if (!dht_fan_begin(frame, this, n, opendir_done))
        return 0;
    for (i = 0; i < n; i++)
        gf_wind(frame, this->children[i], GF_FOP_OPENDIR, local->args, opendir_cbk, dht_cookie(i));
    return 0;
}

/* ---- d_off --------------------------------------------------------------------------------- */

/* Bits needed to tell n subvolumes apart. */
static unsigned bits_for(int n)
{
    unsigned bits = 0;

    while ((1ull << bits) < (unsigned long long)n)
        bits++;
    return bits;
}

/* The d_off handed up for an entry at backend offset x of subvolume idx. */
static uint64_t doff_encode(uint64_t x, int idx, int n)
{
    unsigned bits = bits_for(n);

    if (n == 1)
        return x;
    if (x & ~(DOFF_PRESENT_MASK >> (bits + 1)))
        return DOFF_TOP | ((x >> 1) & (~0ull << bits)) | (uint64_t)idx;
    return x * (uint64_t)n + (uint64_t)idx;
}

/* Splits a d_off from the caller into subvolume and backend offset; -EINVAL
 * when it names no subvolume. */
static int doff_decode(uint64_t y, int n, int *idx, uint64_t *x)
{
    unsigned bits = bits_for(n);

    if (n == 1) {
        *idx = 0;
        *x = y;
        return 0;
    }
    if (y & DOFF_TOP) {
        *idx = (int)(y & ((1ull << bits) - 1));
        *x = ((y & ~DOFF_TOP) & (~0ull << bits)) << 1;
    } else {
        *idx = (int)(y % (uint64_t)n);
        *x = y / (uint64_t)n;
    }
    return *idx < n ? 0 : -EINVAL;
}

/* ---- readdir and readdirp ------------------------------------------------------------------- */

static int list_next(gf_frame_t *frame, gf_xlator_t *this);

/* Whether entry e, listed by a subvolume other than the first, is one the
 * first subvolume lists already: a directory, "." or "..". */
static bool listed_by_first(const gf_dirent_t *e)
{
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
        return true;
    return e->d_type == DT_DIR || GF_IA_ISDIR(&e->d_stat);
}

/* Whether e is a GlusterFS link file (a pointer to the subvolume that holds
 * the file, which lists it itself): mode ---------T and the link xattr, which
 * every listing asks the bricks for. */
static bool is_link_file(const gf_dirent_t *e)
{
    return S_ISREG(e->d_stat.ia_mode) && (e->d_stat.ia_mode & 07777) == S_ISVTX &&
           gf_dict_has(e->dict, DHT_LINKTO_XATTR);
}

/* Whether the listing of subvolume idx leaves e out. */
static bool left_out(const gf_dirent_t *e, int idx)
{
    return (idx > 0 && listed_by_first(e)) || is_link_file(e);
}

static int list_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *this, gf_reply_t *rsp)
{
    dht_local_t *local = frame->local;
    int idx = local->subvol;
    gf_dirent_t *kept;
    gf_reply_t out = {0};
    size_t i, m = 0;

    if (rsp->op_ret < 0)
        return dht_unwind(frame, rsp);
    if (rsp->n_entries == 0) {
        if (idx + 1 >= local->n)
            return dht_unwind(frame, rsp);
        local->subvol = idx + 1;
        local->offset = 0;
        return list_next(frame, this);
    }
    kept = gf_malloc(rsp->n_entries * sizeof(*kept));
    if (!kept)
        return dht_fail(frame, ENOMEM);
    for (i = 0; i < rsp->n_entries; i++) {
        if (left_out(&rsp->entries[i], idx))
            continue;
        kept[m] = rsp->entries[i];
        kept[m++].d_off = doff_encode(rsp->entries[i].d_off, idx, local->n);
    }
    if (m == 0) {
        gf_free(kept);
        local->offset = rsp->entries[rsp->n_entries - 1].d_off;
        return list_next(frame, this);
    }
    out.op_ret = (int32_t)m;
    out.entries = kept;
    out.n_entries = m;
    out.xdata = rsp->xdata;
    dht_unwind(frame, &out);
    gf_free(kept);
    return 0;
}

/* Lists subvolume local->subvol from local->offset, with readdirp always:
 * telling directories and link files apart needs the entries' attributes. */
static int list_next(gf_frame_t *frame, gf_xlator_t *this)
{
    dht_local_t *local = frame->local;
    gf_args_t args = *local->args;

    args.offset = (int64_t)local->offset;
    return gf_wind(frame, this->children[local->subvol], GF_FOP_READDIRP, &args, list_cbk, NULL);
}

/* Adds to the listing's xdata the request for the link xattr of every entry
 * (the caller's own requests stay). 0 or -ENOMEM. */
static int ask_link_xattr(gf_args_t *a)
{
    gf_dict_t *x = a->xdata ? gf_dict_copy(a->xdata) : gf_dict_new();

    if (!x || gf_dict_set_uint64(x, DHT_LINKTO_XATTR, 256) != 0) {
        gf_dict_unref(x);
        return -ENOMEM;
    }
    gf_dict_unref(a->xdata);
    a->xdata = x;
    return 0;
}

/* readdir and readdirp: args->offset is 0 or the d_off of the last entry the
 * caller received; args->size bounds the reply. Link files are left out. */
int dht_readdir(gf_frame_t *frame, gf_xlator_t *this, gf_args_t *args)
{
    dht_local_t *local = dht_local_new(frame, this, args);

    if (!local)
        return gf_unwind_error(frame, ENOMEM);
    if (!args->fd ||
        doff_decode((uint64_t)args->offset, local->n, &local->subvol, &local->offset) != 0)
        return dht_fail(frame, EINVAL);
    if (ask_link_xattr(local->args))
        return dht_fail(frame, ENOMEM);
    return list_next(frame, this);
}
