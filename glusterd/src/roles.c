/*
 * Role designation (contract in roles.h). The live servers are sorted by UUID,
 * so a server is its rank and a holder is found by binary search; the roles are
 * visited in (kind, scope) order. A first pass keeps every holder that is live
 * and within its share; a second hands the rest, in that order, to the least
 * loaded server, kept at the top of a min-heap ordered by (load, rank).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glusterfs/mem.h"
#include "roles.h"

/* The live servers, sorted and without duplicates, with their loads and the
 * heap of their ranks. */
typedef struct pool {
    const char **uuid; /* by rank */
    int *load;         /* roles held, by rank */
    int *heap;         /* ranks; heap[0] is the least loaded */
    int n;
    int share; /* the most roles a server may end with */
} pool_t;

static int
cmp_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Orders roles by kind, then scope, then holder (so that duplicates, which the
 * callers never give, still come out the same whatever the input order). */
static int
cmp_role(const void *a, const void *b)
{
    const gd_role_t *x = *(const gd_role_t *const *)a, *y = *(const gd_role_t *const *)b;
    int c = strcmp(x->kind, y->kind);

    if (!c)
        c = strcmp(x->scope, y->scope);
    return c ? c : strcmp(x->holder, y->holder);
}

/* The rank of server uuid in pool, or -1 when it is not live. */
static int
rank_of(const pool_t *p, const char *uuid)
{
    const char **hit = bsearch(&uuid, p->uuid, (size_t)p->n, sizeof(*p->uuid), cmp_text);
    return hit ? (int)(hit - p->uuid) : -1;
}

/* Whether rank a must come before rank b in the heap. */
static int
lighter(const pool_t *p, int a, int b)
{
    return p->load[a] != p->load[b] ? p->load[a] < p->load[b] : a < b;
}

/* Moves the entry at heap position i down to its place. */
static void
sift_down(pool_t *p, int i)
{
    for (;;) {
        int least = i, l = 2 * i + 1, r = 2 * i + 2, t;

        if (l < p->n && lighter(p, p->heap[l], p->heap[least]))
            least = l;
        if (r < p->n && lighter(p, p->heap[r], p->heap[least]))
            least = r;
        if (least == i)
            return;
        t = p->heap[i];
        p->heap[i] = p->heap[least];
        p->heap[least] = t;
        i = least;
    }
}

static void
pool_free(pool_t *p)
{
    gf_free(p->uuid);
    gf_free(p->load);
    gf_free(p->heap);
}

/* Fills p with the n_servers UUIDs, sorted, duplicates dropped, loads zero, and
 * the share for n_roles. 0 or -ENOMEM (p then needs no pool_free). */
static int
pool_init(pool_t *p, const char *const *servers, int n_servers, int n_roles)
{
    size_t n = n_servers > 0 ? (size_t)n_servers : 1;

    *p = (pool_t){0};
    p->uuid = gf_malloc(n * sizeof(*p->uuid));
    p->load = gf_calloc(n, sizeof(*p->load));
    p->heap = gf_malloc(n * sizeof(*p->heap));
    if (!p->uuid || !p->load || !p->heap) {
        pool_free(p);
        return -ENOMEM;
    }
    if (n_servers > 0)
        memcpy(p->uuid, servers, (size_t)n_servers * sizeof(*p->uuid));
    qsort(p->uuid, (size_t)n_servers, sizeof(*p->uuid), cmp_text);
    for (int i = 0; i < n_servers; i++) {
        if (p->n == 0 || strcmp(p->uuid[p->n - 1], p->uuid[i]) != 0)
            p->uuid[p->n++] = p->uuid[i];
    }
    p->share = p->n ? (n_roles + p->n - 1) / p->n : 0;
    return 0;
}

/* Writes holder into role; 1 when that changed it, else 0. */
static int
set_holder(gd_role_t *role, const char *holder)
{
    if (strcmp(role->holder, holder) == 0)
        return 0;
    snprintf(role->holder, sizeof(role->holder), "%s", holder);
    return 1;
}

/* First pass: keeps, in order, each role whose holder is live and under its
 * share (counting it in the load), and moves the others to the front of order,
 * in order. Returns how many were moved there (the roles still to place). */
static int
keep_holders(pool_t *p, gd_role_t **order, int n_roles)
{
    int pending = 0;

    for (int i = 0; i < n_roles; i++) {
        int r = rank_of(p, order[i]->holder);

        if (r >= 0 && p->load[r] < p->share)
            p->load[r]++;
        else
            order[pending++] = order[i];
    }
    return pending;
}

/* Second pass: gives each of the n pending roles, in order, to the least loaded
 * server. Returns how many changed holder. */
static int
place_pending(pool_t *p, gd_role_t **pending, int n)
{
    int changed = 0;

    for (int i = 0; i < p->n; i++)
        p->heap[i] = i;
    for (int i = p->n / 2 - 1; i >= 0; i--)
        sift_down(p, i);
    for (int i = 0; i < n; i++) {
        int r = p->heap[0];

        changed += set_holder(pending[i], p->uuid[r]);
        p->load[r]++;
        sift_down(p, 0);
    }
    return changed;
}

/* No live server: every holder becomes "". Returns how many changed. */
static int
unassign_all(gd_role_t *roles, int n_roles)
{
    int changed = 0;

    for (int i = 0; i < n_roles; i++)
        changed += set_holder(&roles[i], "");
    return changed;
}

int
gd_roles_assign(const char *const *servers, int n_servers, gd_role_t *roles, int n_roles)
{
    gd_role_t **order;
    pool_t p;
    int pending, changed;

    if (n_servers < 0 || n_roles < 0)
        return -EINVAL;
    if (n_roles == 0)
        return 0;
    if (pool_init(&p, servers, n_servers, n_roles))
        return -ENOMEM;
    if (p.n == 0) {
        pool_free(&p);
        return unassign_all(roles, n_roles);
    }
    if (!(order = gf_malloc((size_t)n_roles * sizeof(*order)))) {
        pool_free(&p);
        return -ENOMEM;
    }
    for (int i = 0; i < n_roles; i++)
        order[i] = &roles[i];
    qsort(order, (size_t)n_roles, sizeof(*order), cmp_role);
    pending = keep_holders(&p, order, n_roles);
    changed = place_pending(&p, order, pending);
    gf_free(order);
    pool_free(&p);
    return changed;
}
