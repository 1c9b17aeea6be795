/*
 * Accounted allocation. Every block handed out by gf_malloc & co. is preceded
 * by a 16-byte header that names the account it was charged to and its size,
 * so gf_free and gf_realloc credit the account that paid, whatever thread calls
 * them. Counters are updated with relaxed atomics: they are statistics read by
 * STATUS and by detach checks, never used to order other memory accesses.
 *
 * This file also defines gf_this, the translator the calling thread works for,
 * since the charged account is chosen from it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glusterfs/mem.h"
#include "glusterfs/xlator.h"

__thread gf_xlator_t *gf_this;

gf_mem_acct_t gf_mem_global_acct;

/* Sits just before the caller's bytes; its alignment keeps those bytes 16-byte
 * aligned, as malloc's are. */
typedef struct mem_header {
    _Alignas(16) gf_mem_acct_t *acct;
    size_t size;
} mem_header_t;

_Static_assert(sizeof(mem_header_t) % 16 == 0, "header must keep 16-byte alignment");

static gf_mem_acct_t *current_acct(void)
{
    return gf_this ? &gf_this->mem_acct : &gf_mem_global_acct;
}

static void acct_charge(gf_mem_acct_t *acct, size_t size)
{
    __atomic_add_fetch(&acct->bytes, size, __ATOMIC_RELAXED);
    __atomic_add_fetch(&acct->blocks, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&acct->total_allocs, 1, __ATOMIC_RELAXED);
}

static void acct_credit(gf_mem_acct_t *acct, size_t size)
{
    __atomic_sub_fetch(&acct->bytes, size, __ATOMIC_RELAXED);
    __atomic_sub_fetch(&acct->blocks, 1, __ATOMIC_RELAXED);
}

static mem_header_t *header_of(void *ptr)
{
    return (mem_header_t *)ptr - 1;
}

/* Fills in the header of a fresh raw block and charges acct; returns the
 * caller's pointer. */
static void *finish_block(mem_header_t *hdr, gf_mem_acct_t *acct, size_t size)
{
    hdr->acct = acct;
    hdr->size = size;
    acct_charge(acct, size);
    return hdr + 1;
}

/* Allocates size bytes charged to acct, or NULL (errno ENOMEM). */
void *gf_malloc_acct(gf_mem_acct_t *acct, size_t size)
{
    if (size > SIZE_MAX - sizeof(mem_header_t)) {
        errno = ENOMEM;
        return NULL;
    }
    mem_header_t *hdr = malloc(sizeof(*hdr) + size);
    if (!hdr)
        return NULL;
    return finish_block(hdr, acct, size);
}

/* Zeroed n * size bytes charged to acct, or NULL (errno ENOMEM, also on
 * overflow of n * size). */
void *gf_calloc_acct(gf_mem_acct_t *acct, size_t n, size_t size)
{
    size_t bytes;
    if (__builtin_mul_overflow(n, size, &bytes) || bytes > SIZE_MAX - sizeof(mem_header_t)) {
        errno = ENOMEM;
        return NULL;
    }
    mem_header_t *hdr = calloc(1, sizeof(*hdr) + bytes);
    if (!hdr)
        return NULL;
    return finish_block(hdr, acct, bytes);
}

void *gf_malloc(size_t size)
{
    return gf_malloc_acct(current_acct(), size);
}

void *gf_calloc(size_t n, size_t size)
{
    return gf_calloc_acct(current_acct(), n, size);
}

/* Resizes ptr, keeping the account that paid for it (ptr NULL: gf_malloc).
 * On failure returns NULL and ptr is unchanged. */
void *gf_realloc(void *ptr, size_t size)
{
    if (!ptr)
        return gf_malloc(size);
    if (size > SIZE_MAX - sizeof(mem_header_t)) {
        errno = ENOMEM;
        return NULL;
    }
    mem_header_t *old = header_of(ptr);
    gf_mem_acct_t *acct = old->acct;
    size_t old_size = old->size;
    mem_header_t *hdr = realloc(old, sizeof(*hdr) + size);
    if (!hdr)
        return NULL;
    hdr->size = size;
    if (size >= old_size)
        __atomic_add_fetch(&acct->bytes, size - old_size, __ATOMIC_RELAXED);
    else
        __atomic_sub_fetch(&acct->bytes, old_size - size, __ATOMIC_RELAXED);
    return hdr + 1;
}

void gf_free(void *ptr)
{
    if (!ptr)
        return;
    mem_header_t *hdr = header_of(ptr);
    acct_credit(hdr->acct, hdr->size);
    free(hdr);
}

char *gf_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *copy = gf_malloc(len + 1);
    if (!copy)
        return NULL;
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

char *gf_strdup(const char *s)
{
    return gf_strndup(s, SIZE_MAX);
}

/* Formats into a new string stored in *out (to gf_free). Returns its length,
 * or -ENOMEM / -EINVAL (bad format) with *out set to NULL. */
int gf_vasprintf(char **out, const char *fmt, va_list ap)
{
    va_list again;
    *out = NULL;
    va_copy(again, ap);
    int len = vsnprintf(NULL, 0, fmt, again);
    va_end(again);
    if (len < 0)
        return -EINVAL;
    char *buf = gf_malloc((size_t)len + 1);
    if (!buf)
        return -ENOMEM;
    vsnprintf(buf, (size_t)len + 1, fmt, ap);
    *out = buf;
    return len;
}

int gf_asprintf(char **out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int ret = gf_vasprintf(out, fmt, ap);
    va_end(ap);
    return ret;
}
