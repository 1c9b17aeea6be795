/*
 * Memory accounting. Every allocation made through gf_malloc & co. is charged to
 * an account: the one of the translator the thread runs for (gf_this), or the
 * process-wide account when none. Each block carries a small header naming its
 * account, so gf_free credits the account that paid, whichever thread frees it.
 * A brick's translators' accounts therefore say what the brick holds, and return
 * to zero when it is detached.
 */
#ifndef GF_MEM_H
#define GF_MEM_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gf_mem_acct {
    uint64_t bytes;      /* bytes currently allocated (atomic) */
    uint64_t blocks;     /* blocks currently allocated (atomic) */
    uint64_t total_allocs; /* allocations ever made (atomic) */
} gf_mem_acct_t;

/* The account charged when no translator is current. */
extern gf_mem_acct_t gf_mem_global_acct;

void *gf_malloc(size_t size);
void *gf_calloc(size_t n, size_t size);
void *gf_realloc(void *ptr, size_t size);
char *gf_strdup(const char *s);
char *gf_strndup(const char *s, size_t n);
int gf_asprintf(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int gf_vasprintf(char **out, const char *fmt, va_list ap);
void gf_free(void *ptr);

/* Allocate against an explicit account instead of the current translator's. */
void *gf_malloc_acct(gf_mem_acct_t *acct, size_t size);
void *gf_calloc_acct(gf_mem_acct_t *acct, size_t n, size_t size);

#endif
