/*
 * The event loop: epoll with a fixed number of event threads per process. A
 * registered descriptor is armed one-shot, so its callback never runs on two
 * threads at once; it is re-armed when the callback returns. Adding a brick adds
 * no thread here.
 */
#ifndef GF_EVENT_H
#define GF_EVENT_H

#include <stdint.h>

typedef struct gf_event_pool gf_event_pool_t;
typedef struct gf_event_handle gf_event_handle_t;

enum {
    GF_EV_IN = 0x1,
    GF_EV_OUT = 0x2,
    GF_EV_ERR = 0x4, /* error or hang-up; always reported */
};

/* Runs on an event thread with the events that fired (GF_EV_*). */
typedef void (*gf_event_cb_t)(int fd, uint32_t events, void *data);
/* A function posted to run once on an event thread. */
typedef void (*gf_event_task_t)(void *data);

/* Creates the pool and starts nthreads (>= 1) event threads. NULL on failure. */
gf_event_pool_t *gf_event_pool_new(int nthreads);
/* Stops the threads (waits for running callbacks) and frees the pool. Handles still
 * registered are freed too; their descriptors are not closed. */
void gf_event_pool_destroy(gf_event_pool_t *pool);
int gf_event_pool_nthreads(gf_event_pool_t *pool);

/* Registers fd for events (GF_EV_IN|GF_EV_OUT). Returns 0 or -errno; *out gets the
 * handle used to change or remove the registration (set before cb can first run). */
int gf_event_add(gf_event_pool_t *pool, int fd, uint32_t events, gf_event_cb_t cb, void *data,
                 gf_event_handle_t **out);
/* Changes the events watched; callable from any thread, including the callback. */
int gf_event_mod(gf_event_handle_t *h, uint32_t events);
/* Unregisters; callable from any thread, including h's own callback. After it
 * returns the callback will not start again; if it runs now on another thread,
 * gf_event_del waits for it to finish (unless called from inside it). The handle
 * is freed. The descriptor is not closed. */
int gf_event_del(gf_event_handle_t *h);

/* Runs task(data) once on an event thread, soon. 0 or -errno. */
int gf_event_post(gf_event_pool_t *pool, gf_event_task_t task, void *data);

#endif
