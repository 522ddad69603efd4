/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Event loop: epoll for file descriptors, a timer list driving the epoll timeout, signalfd. */
#include "core/evloop.h"

#include "core/util.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

struct ev_handler {
	ev_io_cb cb;
	void *arg;
	bool used;
};

struct ev_sig {
	ev_signal_cb cb;
	void *arg;
};

struct ev_loop {
	int epfd;
	bool stop;
	/* Indexed by fd: a handler deleted mid-dispatch is seen as unused by later events. */
	struct ev_handler *handlers;
	size_t nhandlers;
	struct ev_timer *timers; /* sorted by due_ms */
	struct ev_timer *due;	 /* detached by run_timers, still to run this iteration */
	int sigfd;
	sigset_t sigmask;
	struct ev_sig sigs[65];
};

struct ev_loop *ev_loop_new(void)
{
	struct ev_loop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return NULL;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		free(loop);
		return NULL;
	}
	loop->sigfd = -1;
	sigemptyset(&loop->sigmask);
	return loop;
}

void ev_loop_free(struct ev_loop *loop)
{
	if (!loop)
		return;
	if (loop->sigfd >= 0) {
		close(loop->sigfd);
		sigprocmask(SIG_UNBLOCK, &loop->sigmask, NULL);
	}
	close(loop->epfd);
	free(loop->handlers);
	free(loop);
}

static int handler_slot(struct ev_loop *loop, int fd)
{
	size_t want;
	struct ev_handler *h;

	if (fd < 0)
		return -EBADF;
	if ((size_t)fd < loop->nhandlers)
		return 0;
	want = (size_t)fd + 16;
	h = reallocarray(loop->handlers, want, sizeof(*h));
	if (!h)
		return -ENOMEM;
	memset(h + loop->nhandlers, 0, (want - loop->nhandlers) * sizeof(*h));
	loop->handlers = h;
	loop->nhandlers = want;
	return 0;
}

int ev_io_add(struct ev_loop *loop, int fd, uint32_t events, ev_io_cb cb, void *arg)
{
	struct epoll_event ev = {.events = events, .data.fd = fd};
	int ret = handler_slot(loop, fd);

	if (ret)
		return ret;
	if (loop->handlers[fd].used)
		return -EEXIST;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	loop->handlers[fd] = (struct ev_handler){.cb = cb, .arg = arg, .used = true};
	return 0;
}

int ev_io_mod(struct ev_loop *loop, int fd, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.fd = fd};

	if (fd < 0 || (size_t)fd >= loop->nhandlers || !loop->handlers[fd].used)
		return -ENOENT;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
		return -errno;
	return 0;
}

void ev_io_del(struct ev_loop *loop, int fd)
{
	if (fd < 0 || (size_t)fd >= loop->nhandlers || !loop->handlers[fd].used)
		return;
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	loop->handlers[fd].used = false;
}

void ev_timer_init(struct ev_timer *t, ev_timer_cb cb, void *arg)
{
	memset(t, 0, sizeof(*t));
	t->cb = cb;
	t->arg = arg;
}

static bool timer_unlink(struct ev_timer **pp, struct ev_timer *t)
{
	for (; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			return true;
		}
	}
	return false;
}

void ev_timer_cancel(struct ev_loop *loop, struct ev_timer *t)
{
	if (!t->armed)
		return;
	if (!timer_unlink(&loop->timers, t))
		timer_unlink(&loop->due, t);
	t->armed = false;
	t->next = NULL;
}

void ev_timer_arm(struct ev_loop *loop, struct ev_timer *t, int64_t ms)
{
	struct ev_timer **pp;

	ev_timer_cancel(loop, t);
	t->due_ms = util_mono_ms() + (ms < 0 ? 0 : ms);
	for (pp = &loop->timers; *pp && (*pp)->due_ms <= t->due_ms; pp = &(*pp)->next)
		;
	t->next = *pp;
	*pp = t;
	t->armed = true;
}

static void signal_ready(int fd, uint32_t events, void *arg)
{
	struct ev_loop *loop = arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo < ARRAY_SIZE(loop->sigs) && loop->sigs[si.ssi_signo].cb)
			loop->sigs[si.ssi_signo].cb(
				(int)si.ssi_signo, loop->sigs[si.ssi_signo].arg);
	}
}

int ev_signal_add(struct ev_loop *loop, int signo, ev_signal_cb cb, void *arg)
{
	int fd;

	if (signo <= 0 || (size_t)signo >= ARRAY_SIZE(loop->sigs))
		return -EINVAL;
	sigaddset(&loop->sigmask, signo);
	if (sigprocmask(SIG_BLOCK, &loop->sigmask, NULL) < 0)
		return -errno;
	fd = signalfd(loop->sigfd, &loop->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (loop->sigfd < 0) {
		int ret = ev_io_add(loop, fd, EPOLLIN, signal_ready, loop);

		if (ret) {
			close(fd);
			return ret;
		}
		loop->sigfd = fd;
	}
	loop->sigs[signo] = (struct ev_sig){.cb = cb, .arg = arg};
	return 0;
}

static void run_timers(struct ev_loop *loop)
{
	int64_t now = util_mono_ms();
	struct ev_timer **pp = &loop->timers, *rest;

	/* Detach what is due now: a timer re-armed from its callback (even for 0 ms) goes back
	 * on loop->timers and waits for the next iteration instead of spinning here. Callbacks
	 * may cancel or re-arm the detached ones; ev_timer_cancel looks in both lists. */
	while (*pp && (*pp)->due_ms <= now)
		pp = &(*pp)->next;
	if (pp == &loop->timers)
		return;
	rest = *pp;
	*pp = NULL;
	loop->due = loop->timers;
	loop->timers = rest;
	while (loop->due) {
		struct ev_timer *t = loop->due;

		loop->due = t->next;
		t->next = NULL;
		t->armed = false;
		t->cb(t->arg);
	}
}

int ev_loop_once(struct ev_loop *loop, int timeout_ms)
{
	struct epoll_event evs[32];
	int n;

	if (loop->timers) {
		int64_t wait = loop->timers->due_ms - util_mono_ms();

		if (wait < 0)
			wait = 0;
		if (timeout_ms < 0 || wait < timeout_ms)
			timeout_ms = wait > 60000 ? 60000 : (int)wait;
	}
	n = epoll_wait(loop->epfd, evs, (int)ARRAY_SIZE(evs), timeout_ms);
	if (n < 0) {
		if (errno == EINTR)
			return 0;
		return -errno;
	}
	for (int i = 0; i < n; i++) {
		int fd = evs[i].data.fd;
		struct ev_handler h;

		if ((size_t)fd >= loop->nhandlers || !loop->handlers[fd].used)
			continue;
		h = loop->handlers[fd];
		h.cb(fd, evs[i].events, h.arg);
	}
	run_timers(loop);
	return 0;
}

int ev_loop_run(struct ev_loop *loop)
{
	loop->stop = false;
	while (!loop->stop) {
		int ret = ev_loop_once(loop, -1);

		if (ret)
			return ret;
	}
	return 0;
}

void ev_loop_break(struct ev_loop *loop)
{
	loop->stop = true;
}
