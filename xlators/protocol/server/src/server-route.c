/*
 * The routing table of protocol/server (see server-route.h): two RCU hash
 * tables of liburcu (cds_lfht), one keyed by brick name and one by volfile id,
 * over the same routes.
 *
 * The bulletproof RCU flavour (urcu-bp) is used because the threads that look
 * routes up are the process's event and worker threads, which libglusterfs
 * creates and retires without telling us: urcu-bp registers a thread on its
 * first read-side section and forgets it when it exits. Tables are created
 * without automatic resizing, so no resize work (and no thread for it) is ever
 * needed; a table of 64 buckets serves hundreds of bricks well.
 *
 * Writers (publish, unpublish) are serialized by one mutex, so a lookup made
 * under it is authoritative. A reader may still be looking at a route that was
 * just removed, so unpublish waits for a grace period before it drops the
 * table's reference.
 *
 * Each route has a mutex of its own for its list of bound connections; unpublish
 * takes it to switch the route to DETACHING, so a bind (enter and link under
 * that mutex) either completes before, and is seen by a later sweep, or fails.
 *
 * User counting: `users` holds one extra unit (the bias) until a drain starts.
 * Entering increments only while the count is above zero, so once the drain has
 * taken the bias away and the last user has left, the count stays at zero and
 * the drained callback runs exactly once.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include <urcu/urcu-bp.h>

#include <urcu/rculfhash.h>

#include "glusterfs/mem.h"
#include "server-route.h"

#define ROUTES_BUCKETS 64

struct server_routes {
    pthread_mutex_t lock; /* publish/unpublish; count */
    struct cds_lfht *by_name;
    struct cds_lfht *by_vid;
    size_t count;
};

/* A route with its hash table linkage, private to this file. */
typedef struct route_impl {
    server_route_t pub;
    struct cds_lfht_node name_node;
    struct cds_lfht_node vid_node;
    bool published;            /* guarded by the table's lock */
    pthread_mutex_t lock;      /* bound, and binding against a sweep */
    server_route_link_t bound; /* circular list head of bound connections */
} route_impl_t;

static route_impl_t *impl_of(server_route_t *r)
{
    return caa_container_of(r, route_impl_t, pub);
}

/* FNV-1a, 64 bits: short keys, few of them; good enough and dependency-free. */
static unsigned long hash_str(const char *s)
{
    uint64_t h = 14695981039346656037ull;

    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return (unsigned long)h;
}

static int match_name(struct cds_lfht_node *node, const void *key)
{
    route_impl_t *ri = caa_container_of(node, route_impl_t, name_node);

    return strcmp(ri->pub.name, key) == 0;
}

static int match_vid(struct cds_lfht_node *node, const void *key)
{
    route_impl_t *ri = caa_container_of(node, route_impl_t, vid_node);

    return strcmp(ri->pub.volfile_id, key) == 0;
}

server_routes_t *server_routes_new(void)
{
    server_routes_t *t = gf_calloc(1, sizeof(*t));

    if (!t)
        return NULL;
    pthread_mutex_init(&t->lock, NULL);
    t->by_name = cds_lfht_new_flavor(ROUTES_BUCKETS, ROUTES_BUCKETS, ROUTES_BUCKETS, 0,
                                     &urcu_bp_flavor, NULL);
    t->by_vid = cds_lfht_new_flavor(ROUTES_BUCKETS, ROUTES_BUCKETS, ROUTES_BUCKETS, 0,
                                    &urcu_bp_flavor, NULL);
    if (!t->by_name || !t->by_vid) {
        server_routes_destroy(t);
        return NULL;
    }
    return t;
}

void server_routes_destroy(server_routes_t *t)
{
    if (!t)
        return;
    if (t->by_name)
        cds_lfht_destroy(t->by_name, NULL);
    if (t->by_vid)
        cds_lfht_destroy(t->by_vid, NULL);
    pthread_mutex_destroy(&t->lock);
    gf_free(t);
}

size_t server_routes_count(server_routes_t *t)
{
    size_t n;

    pthread_mutex_lock(&t->lock);
    n = t->count;
    pthread_mutex_unlock(&t->lock);
    return n;
}

/* The node of key in ht, or NULL. Call inside a read-side section. */
static struct cds_lfht_node *find_node(struct cds_lfht *ht, cds_lfht_match_fct match,
                                       const char *key)
{
    struct cds_lfht_iter iter;

    cds_lfht_lookup(ht, hash_str(key), match, key, &iter);
    return cds_lfht_iter_get_node(&iter);
}

static void route_free(route_impl_t *ri)
{
    pthread_mutex_destroy(&ri->lock);
    gf_free(ri->pub.name);
    gf_free(ri->pub.volfile_id);
    gf_free(ri->pub.volume_id);
    if (ri->pub.auth)
        gf_dict_unref(ri->pub.auth);
    gf_free(ri);
}

/* A new, unpublished route copied from spec (refs 1, users: the bias). */
static route_impl_t *route_new(const server_route_spec_t *spec)
{
    route_impl_t *ri = gf_calloc(1, sizeof(*ri));

    if (!ri)
        return NULL;
    pthread_mutex_init(&ri->lock, NULL);
    ri->bound.prev = ri->bound.next = &ri->bound;
    ri->pub.name = gf_strdup(spec->name);
    ri->pub.volfile_id = spec->volfile_id ? gf_strdup(spec->volfile_id) : NULL;
    ri->pub.volume_id = spec->volume_id ? gf_strdup(spec->volume_id) : NULL;
    if (!ri->pub.name || (spec->volfile_id && !ri->pub.volfile_id) ||
        (spec->volume_id && !ri->pub.volume_id)) {
        route_free(ri);
        return NULL;
    }
    ri->pub.brick = spec->brick;
    ri->pub.owner = spec->owner;
    ri->pub.auth = spec->auth ? gf_dict_ref(spec->auth) : NULL;
    atomic_init(&ri->pub.state, SERVER_ROUTE_ATTACHING);
    atomic_init(&ri->pub.refs, 1);
    atomic_init(&ri->pub.users, 1);
    atomic_init(&ri->pub.drain_started, false);
    cds_lfht_node_init(&ri->name_node);
    cds_lfht_node_init(&ri->vid_node);
    return ri;
}

/* Whether name or volfile_id is taken. Call with the table's lock held. */
static bool taken(server_routes_t *t, const server_route_spec_t *spec)
{
    bool found;

    urcu_bp_read_lock();
    found = find_node(t->by_name, match_name, spec->name) ||
            (spec->volfile_id && find_node(t->by_vid, match_vid, spec->volfile_id));
    urcu_bp_read_unlock();
    return found;
}

int server_route_publish(server_routes_t *t, const server_route_spec_t *spec, server_route_t **out)
{
    route_impl_t *ri;
    int ret = 0;

    if (!spec->name || !spec->name[0] || !spec->brick)
        return -EINVAL;
    ri = route_new(spec);
    if (!ri)
        return -ENOMEM;
    if (out)
        *out = server_route_ref(&ri->pub);
    pthread_mutex_lock(&t->lock);
    if (taken(t, spec)) {
        ret = -EEXIST;
    } else {
        urcu_bp_read_lock();
        cds_lfht_add(t->by_name, hash_str(ri->pub.name), &ri->name_node);
        if (ri->pub.volfile_id)
            cds_lfht_add(t->by_vid, hash_str(ri->pub.volfile_id), &ri->vid_node);
        urcu_bp_read_unlock();
        ri->published = true;
        t->count++;
    }
    pthread_mutex_unlock(&t->lock);
    if (ret) {
        if (out)
            *out = NULL;
        route_free(ri);
    }
    return ret;
}

/*
 * Hands out r (found by a lookup; NULL: none) if READY. Call inside the
 * read-side section of that lookup: the table's reference cannot be dropped
 * before it ends, so taking another one is safe.
 */
static int take_ready(server_route_t *r, server_route_t **out)
{
    if (!r)
        return -ENOENT;
    switch (atomic_load(&r->state)) {
    case SERVER_ROUTE_READY:
        *out = server_route_ref(r);
        return 0;
    case SERVER_ROUTE_ATTACHING:
        return -EAGAIN;
    default:
        return -ENOENT;
    }
}

int server_route_lookup(server_routes_t *t, const char *name, server_route_t **out)
{
    struct cds_lfht_node *node;
    int ret;

    urcu_bp_read_lock();
    node = find_node(t->by_name, match_name, name);
    ret = take_ready(node ? &caa_container_of(node, route_impl_t, name_node)->pub : NULL, out);
    urcu_bp_read_unlock();
    return ret;
}

int server_route_lookup_volfile_id(server_routes_t *t, const char *volfile_id, server_route_t **out)
{
    struct cds_lfht_node *node;
    int ret;

    urcu_bp_read_lock();
    node = find_node(t->by_vid, match_vid, volfile_id);
    ret = take_ready(node ? &caa_container_of(node, route_impl_t, vid_node)->pub : NULL, out);
    urcu_bp_read_unlock();
    return ret;
}

server_route_t *server_route_find(server_routes_t *t, const char *name)
{
    server_route_t *r = NULL;
    struct cds_lfht_node *node;

    urcu_bp_read_lock();
    node = find_node(t->by_name, match_name, name);
    if (node)
        r = server_route_ref(&caa_container_of(node, route_impl_t, name_node)->pub);
    urcu_bp_read_unlock();
    return r;
}

int server_route_set_state(server_route_t *r, server_route_state_t state)
{
    int cur = atomic_load(&r->state);

    if (state != SERVER_ROUTE_ATTACHING && state != SERVER_ROUTE_READY)
        return -EINVAL;
    do {
        if (cur == SERVER_ROUTE_DETACHING)
            return -EINVAL;
    } while (!atomic_compare_exchange_weak(&r->state, &cur, (int)state));
    return 0;
}

server_route_state_t server_route_state(const server_route_t *r)
{
    return (server_route_state_t)atomic_load(&((server_route_t *)r)->state);
}

int server_route_unpublish(server_routes_t *t, server_route_t *r)
{
    route_impl_t *ri = impl_of(r);

    pthread_mutex_lock(&t->lock);
    if (!ri->published) {
        pthread_mutex_unlock(&t->lock);
        return -ENOENT;
    }
    pthread_mutex_lock(&ri->lock); /* a bind in progress completes first */
    atomic_store(&r->state, SERVER_ROUTE_DETACHING);
    pthread_mutex_unlock(&ri->lock);
    urcu_bp_read_lock();
    cds_lfht_del(t->by_name, &ri->name_node);
    if (r->volfile_id)
        cds_lfht_del(t->by_vid, &ri->vid_node);
    urcu_bp_read_unlock();
    ri->published = false;
    t->count--;
    pthread_mutex_unlock(&t->lock);
    urcu_bp_synchronize_rcu();
    server_route_unref(r);
    return 0;
}

/* Drops one unit of users; the unit that reaches zero runs the drained callback. */
static void users_drop(server_route_t *r)
{
    if (atomic_fetch_sub(&r->users, 1) == 1)
        r->drained(r, r->drained_arg);
}

int server_route_enter(server_route_t *r)
{
    long cur = atomic_load(&r->users);
    int state;

    do {
        if (cur <= 0)
            return -ENOENT;
    } while (!atomic_compare_exchange_weak(&r->users, &cur, cur + 1));
    state = atomic_load(&r->state);
    if (state == SERVER_ROUTE_READY)
        return 0;
    users_drop(r);
    return state == SERVER_ROUTE_ATTACHING ? -EAGAIN : -ENOENT;
}

void server_route_leave(server_route_t *r)
{
    users_drop(r);
}

long server_route_users(server_route_t *r)
{
    long n = atomic_load(&r->users);

    return atomic_load(&r->drain_started) ? n : n - 1;
}

int server_route_bind(server_route_t *r, server_route_link_t *link)
{
    route_impl_t *ri = impl_of(r);
    int ret;

    pthread_mutex_lock(&ri->lock);
    ret = server_route_enter(r);
    if (ret == 0) {
        link->prev = ri->bound.prev;
        link->next = &ri->bound;
        ri->bound.prev->next = link;
        ri->bound.prev = link;
    }
    pthread_mutex_unlock(&ri->lock);
    return ret;
}

void server_route_unbind(server_route_t *r, server_route_link_t *link)
{
    route_impl_t *ri = impl_of(r);

    pthread_mutex_lock(&ri->lock);
    link->prev->next = link->next;
    link->next->prev = link->prev;
    link->prev = link->next = NULL;
    pthread_mutex_unlock(&ri->lock);
    server_route_leave(r);
}

size_t server_route_foreach_bound(server_route_t *r, server_route_link_fn fn, void *arg)
{
    route_impl_t *ri = impl_of(r);
    size_t n = 0;

    pthread_mutex_lock(&ri->lock);
    for (server_route_link_t *l = ri->bound.next; l != &ri->bound; l = l->next, n++)
        if (fn)
            fn(l, arg);
    pthread_mutex_unlock(&ri->lock);
    return n;
}

int server_route_drain(server_route_t *r, server_route_drained_cb cb, void *arg)
{
    if (atomic_load(&r->state) != SERVER_ROUTE_DETACHING)
        return -EINVAL;
    if (atomic_exchange(&r->drain_started, true))
        return -EALREADY;
    r->drained = cb;
    r->drained_arg = arg;
    users_drop(r);
    return 0;
}

server_route_t *server_route_ref(server_route_t *r)
{
    atomic_fetch_add(&r->refs, 1);
    return r;
}

void server_route_unref(server_route_t *r)
{
    if (r && atomic_fetch_sub(&r->refs, 1) == 1)
        route_free(impl_of(r));
}
