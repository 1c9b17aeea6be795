/*
 * Reference-counted byte buffers.
 *
 * A gf_buf_t is one allocation holding a reference count, its size and its bytes.
 * RPC records and read/write payloads live in them, so a payload can travel up
 * and down the graph (and be queued for a socket) without being copied: whoever
 * keeps the bytes beyond the call that handed them over takes a reference, and
 * the last gf_buf_unref frees the buffer. The count is atomic; the bytes are not
 * protected by anything and are normally written once, before they are shared.
 */
#ifndef GF_BUF_H
#define GF_BUF_H

#include <stdatomic.h>
#include <stddef.h>

#include "glusterfs/xlator.h"

struct gf_buf {
    atomic_uint refcount;
    size_t size; /* bytes in data[] */
    char data[];
};

/* A buffer of `size` uninitialised bytes with one reference, charged to the
 * current translator's memory account. NULL on ENOMEM (or size overflow). */
gf_buf_t *gf_buf_new(size_t size);

/* Takes one more reference; returns buf (NULL stays NULL). */
gf_buf_t *gf_buf_ref(gf_buf_t *buf);

/* Drops one reference; the last one frees the buffer. NULL is ignored. */
void gf_buf_unref(gf_buf_t *buf);

#endif
