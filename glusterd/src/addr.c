/*
 * Which hosts are this server (rules in addr.h): resolves the host and compares
 * its addresses with glusterd's bind address or the machine's interfaces.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"

int
gd_addr_is_any(const char *addr)
{
    return !addr || !*addr || strcmp(addr, "0.0.0.0") == 0 || strcmp(addr, "::") == 0;
}

/* Whether two socket addresses hold the same IP address (ports ignored). */
static int
same_ip(const struct sockaddr *a, const struct sockaddr *b)
{
    if (a->sa_family != b->sa_family)
        return 0;
    if (a->sa_family == AF_INET)
        return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
               ((const struct sockaddr_in *)b)->sin_addr.s_addr;
    if (a->sa_family == AF_INET6)
        return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
                      &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr)) == 0;
    return 0;
}

static int
is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6)
        return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr);
    return 0;
}

/* Whether sa is an address of one of the machine's interfaces. */
static int
is_interface(const struct sockaddr *sa)
{
    struct ifaddrs *ifs, *i;
    int found = 0;
    if (getifaddrs(&ifs) < 0)
        return 0;
    for (i = ifs; i && !found; i = i->ifa_next)
        found = i->ifa_addr && same_ip(i->ifa_addr, sa);
    freeifaddrs(ifs);
    return found;
}

/* Whether the address sa is this server for a glusterd bound to bind. */
static int
addr_is_mine(const char *bind, const struct sockaddr *sa)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *r;
    int mine = 0;

    if (gd_addr_is_any(bind))
        return is_loopback(sa) || is_interface(sa);
    if (getaddrinfo(bind, NULL, &hints, &res) != 0)
        return 0;
    for (r = res; r && !mine; r = r->ai_next)
        mine = same_ip(r->ai_addr, sa);
    freeaddrinfo(res);
    return mine;
}

int
gd_addr_is_local(const char *bind, const char *host, char *err, size_t errlen)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *r;
    int rc = getaddrinfo(host, NULL, &hints, &res), mine = 0;

    if (rc != 0) {
        snprintf(err, errlen, "host %s cannot be resolved: %s", host, gai_strerror(rc));
        return rc == EAI_MEMORY ? -ENOMEM : -EHOSTUNREACH;
    }
    for (r = res; r && !mine; r = r->ai_next)
        mine = addr_is_mine(bind, r->ai_addr);
    freeaddrinfo(res);
    return mine;
}
