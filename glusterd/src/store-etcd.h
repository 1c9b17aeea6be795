/*
 * The etcd backend of the store (store.h): every key KEY of the store is the etcd
 * key PREFIX KEY (PREFIX such as "/gfs/"), a key's revision is etcd's
 * mod_revision, and a transaction is one etcd txn whose compares are its guards.
 * The session is a lease (session keys are attached to it), an election is a
 * campaign in etcd's election service (its candidates are the keys NAME/<lease
 * in hex>, which the store's list and watches show like any other key). It
 * answers later, on an event thread (store.h allows that).
 */
#ifndef GD_STORE_ETCD_H
#define GD_STORE_ETCD_H

#include <stddef.h>

#include "etcd-client.h"
#include "store.h"

/* Opens the store on the monitor cluster at urls (see gd_etcd_new), under prefix
 * (NULL: "/gfs/"; a final '/' is added when missing); events and timers must
 * outlive it. The store owns its client: gd_store_destroy destroys it, dropping
 * calls in flight without their callbacks, and ending watches, the session and
 * elections (the lease is not revoked: it expires within its TTL). Destroy it
 * while events and timers still run, and not from a get, list or txn callback.
 * Nothing is sent until the first call. 0 with *out set, or -errno. */
int gd_store_etcd_open(const char *urls, const char *prefix, gf_event_pool_t *events,
                       gf_timer_wheel_t *timers, const gd_etcd_opts_t *opts, gd_store_t **out);
/* The store's client, for what the store does not do (diagnostics, tests). */
gd_etcd_t *gd_store_etcd_client(gd_store_t *s);
/* Copies into buf the message of the store's last failed call, e.g.
 * "monitor cluster unreachable: tried ... within 5 s" after -EHOSTUNREACH
 * ("" when none has failed). */
void gd_store_etcd_last_error(gd_store_t *s, char *buf, size_t size);

#endif
