/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Event loop: epoll for file descriptors, a timer list driving the epoll timeout, signalfd. */
#ifndef HG_EVLOOP_H
#define HG_EVLOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>

struct ev_loop;

typedef void (*ev_io_cb)(int fd, uint32_t events, void *arg);
typedef void (*ev_timer_cb)(void *arg);
typedef void (*ev_signal_cb)(int signo, void *arg);

/* A timer is embedded in its owner's struct; the loop never owns or frees it. */
struct ev_timer {
	struct ev_timer *next;
	int64_t due_ms;
	ev_timer_cb cb;
	void *arg;
	bool armed;
};

struct ev_loop *ev_loop_new(void);
/* Frees the loop; does not close the fds registered with it. NULL is a no-op. */
void ev_loop_free(struct ev_loop *loop);

/* Registers fd for EPOLLIN/EPOLLOUT (level-triggered). One handler per fd; -EEXIST if taken.
 * Handlers may add or delete any fd, including their own, while being dispatched. */
int ev_io_add(struct ev_loop *loop, int fd, uint32_t events, ev_io_cb cb, void *arg);
int ev_io_mod(struct ev_loop *loop, int fd, uint32_t events);
/* Unregisters fd (does not close it); no-op if not registered. */
void ev_io_del(struct ev_loop *loop, int fd);

void ev_timer_init(struct ev_timer *t, ev_timer_cb cb, void *arg);
/* (Re)arms t to fire once after ms milliseconds. */
void ev_timer_arm(struct ev_loop *loop, struct ev_timer *t, int64_t ms);
void ev_timer_cancel(struct ev_loop *loop, struct ev_timer *t);
static inline bool ev_timer_is_armed(const struct ev_timer *t)
{
	return t->armed;
}

/* Blocks signo and delivers it through the loop. Returns 0 or -errno. */
int ev_signal_add(struct ev_loop *loop, int signo, ev_signal_cb cb, void *arg);

/* Runs until ev_loop_break(); returns 0, or -errno if epoll fails. */
int ev_loop_run(struct ev_loop *loop);
/* Runs one iteration waiting at most timeout_ms (-1: until something happens). */
int ev_loop_once(struct ev_loop *loop, int timeout_ms);
void ev_loop_break(struct ev_loop *loop);

#endif
