/*
 * Role designation: which live server holds each role (a kind of work, such as
 * rebalance or self-heal, for one scope, a volume or one of its replica sets).
 * The elected coordinator runs gd_roles_assign whenever the live servers or the
 * roles change, and publishes the holders it returns. Pure and deterministic: no
 * store, no I/O, the same answer for the same sets whatever their order.
 */
#ifndef GD_ROLES_H
#define GD_ROLES_H

#define GD_ROLE_KIND_MAX 32
#define GD_ROLE_SCOPE_MAX 160
#define GD_ROLE_HOLDER_MAX 37 /* a UUID as text, and its NUL */

typedef struct gd_role {
    char kind[GD_ROLE_KIND_MAX];     /* "rebalance", "self-heal", ... */
    char scope[GD_ROLE_SCOPE_MAX];   /* "VOL" or "VOL/SET" */
    char holder[GD_ROLE_HOLDER_MAX]; /* a server UUID, "" when unassigned */
} gd_role_t;

/* Assigns a holder to every role among the live servers (n_servers UUIDs, in any
 * order; a UUID given twice counts once), changing as few holders as possible
 * while no server ends with more than its share, ceil(n_roles / live servers),
 * counted over all kinds together.
 *
 * A role keeps its holder when that holder is live and within its share; a
 * server over its share keeps its roles in a fixed order (by kind, then scope)
 * and gives up the rest; every role without a holder then goes, in that same
 * order, to the live server with the fewest roles (ties: the smallest UUID).
 * With no live server every holder becomes "".
 *
 * Only the holder fields of roles are written. Returns how many roles changed
 * holder, -EINVAL for a negative count, or -ENOMEM (roles then unchanged).
 * Runs in O((R + S) log(R + S)) for R roles and S servers. */
int gd_roles_assign(const char *const *servers, int n_servers, gd_role_t *roles, int n_roles);

#endif
