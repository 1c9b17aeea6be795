/*
 * Timers: one timer thread per process runs callbacks when they are due. A
 * callback must be short (post longer work to the worker pool or event loop).
 */
#ifndef GF_TIMER_H
#define GF_TIMER_H

#include <stdint.h>

typedef struct gf_timer_wheel gf_timer_wheel_t;
typedef struct gf_timer gf_timer_t;
typedef void (*gf_timer_cb_t)(void *data);

gf_timer_wheel_t *gf_timer_wheel_new(void); /* starts the timer thread */
void gf_timer_wheel_destroy(gf_timer_wheel_t *w); /* cancels what is pending */

/* Calls cb(data) once, delay_ms from now. NULL on ENOMEM. */
gf_timer_t *gf_timer_add(gf_timer_wheel_t *w, uint64_t delay_ms, gf_timer_cb_t cb, void *data);
/* Cancels t. Returns 0 if it was cancelled before running, -EALREADY if its
 * callback has already run or is running (then t is freed once it has finished;
 * if called from inside the callback, it returns at once). t is invalid after.
 * A running callback is waited for (so do not hold a lock it takes). A timer
 * that has run needs no cancel: cancelling it anyway is safe (-EALREADY). */
int gf_timer_cancel(gf_timer_wheel_t *w, gf_timer_t *t);

/* Monotonic clock in milliseconds. */
uint64_t gf_time_ms(void);

#endif
