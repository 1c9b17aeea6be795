/*
 * Reference-counted byte buffers (see glusterfs/buf.h): one allocation per
 * buffer, an atomic count, freed by the last unref.
 */
#include <stdint.h>

#include "glusterfs/buf.h"
#include "glusterfs/mem.h"

gf_buf_t *gf_buf_new(size_t size)
{
    if (size > SIZE_MAX - sizeof(gf_buf_t))
        return NULL;
    gf_buf_t *buf = gf_malloc(sizeof(*buf) + size);
    if (!buf)
        return NULL;
    atomic_init(&buf->refcount, 1);
    buf->size = size;
    return buf;
}

gf_buf_t *gf_buf_ref(gf_buf_t *buf)
{
    if (buf)
        atomic_fetch_add_explicit(&buf->refcount, 1, memory_order_relaxed);
    return buf;
}

void gf_buf_unref(gf_buf_t *buf)
{
    if (!buf)
        return;
    /* acq_rel: every write made by other holders happens before the free. */
    if (atomic_fetch_sub_explicit(&buf->refcount, 1, memory_order_acq_rel) == 1)
        gf_free(buf);
}
