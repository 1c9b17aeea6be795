/*
 * Which hosts are this server. A brick HOST:/PATH is served by this glusterd when
 * HOST names one of its addresses:
 *
 *   - glusterd bound to one address (--bind 127.1.1.3): that address only, so that
 *     several glusterds on one machine (127.1.1.N) each own only their bricks;
 *   - glusterd bound to all addresses (the default): the addresses of the
 *     machine's interfaces, and every loopback address (127.0.0.0/8, ::1).
 *
 * A name (localhost, the host name) is resolved, and is this server when one of
 * its addresses is.
 */
#ifndef GD_ADDR_H
#define GD_ADDR_H

#include <stddef.h>

/* Whether the text addr is a wildcard address (0.0.0.0, ::, or "" / NULL). */
int gd_addr_is_any(const char *addr);

/*
 * Whether host is this server, for a glusterd bound to bind (see above). Blocks
 * while resolving a name: call it off the event thread. Returns 1 or 0, or
 * -EHOSTUNREACH when host cannot be resolved (err says so), -errno otherwise.
 */
int gd_addr_is_local(const char *bind, const char *host, char *err, size_t errlen);

#endif
