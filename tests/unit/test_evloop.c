/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the event loop: fds, removal during dispatch, timers, signals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/evloop.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

struct pipe_h {
	struct ev_loop *loop;
	int p[2];
	int calls;
	uint32_t events;
	struct pipe_h *victim; /* deleted by this handler when set */
	bool del_self, drain;
};

static void on_pipe(int fd, uint32_t events, void *arg)
{
	struct pipe_h *h = arg;
	char c[16];

	h->calls++;
	h->events = events;
	if (h->drain && (events & EPOLLIN))
		assert_true(read(fd, c, sizeof(c)) > 0);
	if (h->victim)
		ev_io_del(h->loop, h->victim->p[0]);
	if (h->del_self)
		ev_io_del(h->loop, fd);
}

static void pipe_open(struct pipe_h *h, struct ev_loop *loop)
{
	*h = (struct pipe_h){.loop = loop, .drain = true};
	assert_int_equal(pipe2(h->p, O_CLOEXEC | O_NONBLOCK), 0);
}

static void pipe_close(struct pipe_h *h)
{
	close(h->p[0]);
	close(h->p[1]);
}

static void test_io_basic(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct pipe_h a;

	(void)state;
	assert_non_null(loop);
	pipe_open(&a, loop);
	assert_int_equal(ev_io_add(loop, a.p[0], EPOLLIN, on_pipe, &a), 0);
	assert_int_equal(ev_io_add(loop, a.p[0], EPOLLIN, on_pipe, &a), -EEXIST);
	assert_int_equal(ev_io_add(loop, -1, EPOLLIN, on_pipe, &a), -EBADF);
	/* nothing ready: the timeout elapses, no callback */
	assert_int_equal(ev_loop_once(loop, 10), 0);
	assert_int_equal(a.calls, 0);
	assert_int_equal(write(a.p[1], "x", 1), 1);
	assert_int_equal(ev_loop_once(loop, 1000), 0);
	assert_int_equal(a.calls, 1);
	assert_true(a.events & EPOLLIN);
	/* level-triggered: data left unread is reported again */
	a.drain = false;
	assert_int_equal(write(a.p[1], "y", 1), 1);
	assert_int_equal(ev_loop_once(loop, 1000), 0);
	assert_int_equal(ev_loop_once(loop, 1000), 0);
	assert_int_equal(a.calls, 3);
	/* no events selected: silent although readable; selected again: reported */
	assert_int_equal(ev_io_mod(loop, a.p[0], 0), 0);
	assert_int_equal(ev_loop_once(loop, 10), 0);
	assert_int_equal(a.calls, 3);
	assert_int_equal(ev_io_mod(loop, a.p[0], EPOLLIN), 0);
	assert_int_equal(ev_loop_once(loop, 1000), 0);
	assert_int_equal(a.calls, 4);
	/* deleted: no more callbacks, and the fd may be registered again */
	ev_io_del(loop, a.p[0]);
	ev_io_del(loop, a.p[0]); /* no-op */
	ev_io_del(loop, 999);	 /* never registered: no-op */
	assert_int_equal(ev_loop_once(loop, 10), 0);
	assert_int_equal(a.calls, 4);
	assert_int_equal(ev_io_mod(loop, a.p[0], EPOLLIN), -ENOENT);
	assert_int_equal(ev_io_mod(loop, -1, EPOLLIN), -ENOENT);
	assert_int_equal(ev_io_add(loop, a.p[1], EPOLLOUT, on_pipe, &a), 0);
	a.drain = true;
	assert_int_equal(ev_loop_once(loop, 1000), 0);
	assert_int_equal(a.calls, 5);
	assert_true(a.events & EPOLLOUT);
	ev_loop_free(loop);
	/* the loop does not close registered fds */
	assert_true(fcntl(a.p[0], F_GETFD) >= 0);
	assert_true(fcntl(a.p[1], F_GETFD) >= 0);
	pipe_close(&a);
	ev_loop_free(NULL);
}

static void test_io_hangup(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct pipe_h a;

	(void)state;
	pipe_open(&a, loop);
	a.drain = false;
	assert_int_equal(ev_io_add(loop, a.p[0], EPOLLIN, on_pipe, &a), 0);
	close(a.p[1]);
	assert_int_equal(ev_loop_once(loop, 1000), 0);
	assert_int_equal(a.calls, 1);
	assert_true(a.events & EPOLLHUP);
	ev_loop_free(loop);
	close(a.p[0]);
}

/* Two fds ready in the same epoll batch; the first one dispatched deletes the other, which must
 * then not be dispatched. Which one epoll reports first is up to the kernel, so each deletes
 * the other and exactly one call must happen. */
static void test_io_delete_other_in_batch(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct pipe_h a, b;

	(void)state;
	pipe_open(&a, loop);
	pipe_open(&b, loop);
	a.victim = &b;
	b.victim = &a;
	assert_int_equal(ev_io_add(loop, a.p[0], EPOLLIN, on_pipe, &a), 0);
	assert_int_equal(ev_io_add(loop, b.p[0], EPOLLIN, on_pipe, &b), 0);
	assert_int_equal(write(a.p[1], "x", 1), 1);
	assert_int_equal(write(b.p[1], "y", 1), 1);
	assert_int_equal(ev_loop_once(loop, 1000), 0);
	assert_int_equal(a.calls + b.calls, 1);
	/* the survivor still works, the deleted one stays silent although still readable */
	a.victim = b.victim = NULL;
	assert_int_equal(write(a.p[1], "x", 1), 1);
	assert_int_equal(write(b.p[1], "y", 1), 1);
	assert_int_equal(ev_loop_once(loop, 1000), 0);
	assert_int_equal(a.calls + b.calls, 2);
	assert_int_equal(ev_loop_once(loop, 10), 0);
	assert_int_equal(a.calls + b.calls, 2);
	assert_true(a.calls == 2 || b.calls == 2);
	ev_loop_free(loop);
	pipe_close(&a);
	pipe_close(&b);
}

/* A handler deleting itself, and another handler added from inside a callback. */
struct adder {
	struct ev_loop *loop;
	struct pipe_h *late;
};

static void on_add_late(int fd, uint32_t events, void *arg)
{
	struct adder *ad = arg;
	char c;

	(void)events;
	assert_int_equal(read(fd, &c, 1), 1);
	ev_io_del(ad->loop, fd);
	assert_int_equal(ev_io_add(ad->loop, ad->late->p[0], EPOLLIN, on_pipe, ad->late), 0);
}

static void test_io_add_del_in_callback(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct pipe_h a, late;
	struct adder ad = {.loop = loop, .late = &late};
	int high;

	(void)state;
	pipe_open(&a, loop);
	pipe_open(&late, loop);
	/* move late's read end to a high number so the handler table must grow mid-dispatch */
	high = fcntl(late.p[0], F_DUPFD_CLOEXEC, 200);
	assert_true(high >= 200);
	close(late.p[0]);
	late.p[0] = high;
	assert_int_equal(ev_io_add(loop, a.p[0], EPOLLIN, on_add_late, &ad), 0);
	assert_int_equal(write(a.p[1], "x", 1), 1);
	assert_int_equal(write(late.p[1], "y", 1), 1);
	assert_int_equal(ev_loop_once(loop, 1000), 0);
	assert_int_equal(ev_io_mod(loop, a.p[0], EPOLLIN), -ENOENT);
	assert_int_equal(ev_loop_once(loop, 1000), 0);
	assert_int_equal(late.calls, 1);
	ev_loop_free(loop);
	pipe_close(&a);
	pipe_close(&late);
}

struct timer_fx {
	struct ev_loop *loop;
	char order[16];
	int n;
};

struct tmr {
	struct ev_timer t;
	struct timer_fx *f;
	char name;
	struct tmr *cancel; /* cancelled by this timer's callback when set */
	int64_t rearm;	    /* re-armed by its own callback when >= 0 */
	int rearms;
};

static void fired(void *arg)
{
	struct tmr *t = arg;

	assert_true(t->f->n < (int)sizeof(t->f->order) - 1);
	t->f->order[t->f->n++] = t->name;
	/* a timer is disarmed before its callback runs */
	assert_false(t->t.armed);
	if (t->cancel)
		ev_timer_cancel(t->f->loop, &t->cancel->t);
	if (t->rearm >= 0 && t->rearms-- > 0)
		ev_timer_arm(t->f->loop, &t->t, t->rearm);
	if (t->name == 'z')
		ev_loop_break(t->f->loop);
}

static void tmr_init(struct tmr *t, struct timer_fx *f, char name)
{
	*t = (struct tmr){.f = f, .name = name, .rearm = -1};
	ev_timer_init(&t->t, fired, t);
}

static void test_timers_order(void **state)
{
	struct timer_fx f = {0};
	struct tmr a, b, c, d, e, z;
	int64_t start = util_mono_ms();

	(void)state;
	f.loop = ev_loop_new();
	tmr_init(&a, &f, 'a');
	tmr_init(&b, &f, 'b');
	tmr_init(&c, &f, 'c');
	tmr_init(&d, &f, 'd');
	tmr_init(&e, &f, 'e');
	tmr_init(&z, &f, 'z');
	ev_timer_arm(f.loop, &z.t, 80);
	ev_timer_arm(f.loop, &c.t, 60);
	ev_timer_arm(f.loop, &a.t, 10);
	ev_timer_arm(f.loop, &b.t, 500);
	ev_timer_arm(f.loop, &b.t, 30); /* re-arm moves it earlier */
	assert_true(b.t.armed);
	ev_timer_arm(f.loop, &d.t, 20);
	ev_timer_cancel(f.loop, &d.t);
	assert_false(d.t.armed);
	ev_timer_cancel(f.loop, &d.t); /* twice: no-op */
	ev_timer_arm(f.loop, &e.t, 40);
	ev_timer_arm(f.loop, &e.t, 5000); /* re-arm moves it later, past the end */
	assert_int_equal(ev_loop_run(f.loop), 0);
	assert_string_equal(f.order, "abcz");
	assert_true(util_mono_ms() - start >= 80);
	assert_false(a.t.armed);
	assert_false(z.t.armed);
	assert_true(e.t.armed);
	ev_timer_cancel(f.loop, &e.t);
	assert_false(e.t.armed);
	ev_loop_free(f.loop);
}

static void test_timers_same_due_fifo(void **state)
{
	struct timer_fx f = {0};
	struct tmr t[5], z;
	int64_t start = util_mono_ms();

	(void)state;
	f.loop = ev_loop_new();
	for (int i = 0; i < 5; i++) {
		tmr_init(&t[i], &f, (char)('a' + i));
		ev_timer_arm(f.loop, &t[i].t, 0);
	}
	tmr_init(&z, &f, 'z');
	ev_timer_arm(f.loop, &z.t, 0);
	/* due immediately: one iteration runs them all in arming order without waiting */
	assert_int_equal(ev_loop_once(f.loop, 5000), 0);
	assert_string_equal(f.order, "abcdez");
	assert_true(util_mono_ms() - start < 1000);
	ev_loop_free(f.loop);
}

static void test_timers_cancel_from_callback(void **state)
{
	struct timer_fx f = {0};
	struct tmr a, b, z;

	(void)state;
	f.loop = ev_loop_new();
	tmr_init(&a, &f, 'a');
	tmr_init(&b, &f, 'b');
	tmr_init(&z, &f, 'z');
	a.cancel = &b;
	/* a and b are both due in the same iteration; a cancels b before it runs */
	ev_timer_arm(f.loop, &a.t, 0);
	ev_timer_arm(f.loop, &b.t, 0);
	ev_timer_arm(f.loop, &z.t, 30);
	usleep(5000);
	assert_int_equal(ev_loop_run(f.loop), 0);
	assert_string_equal(f.order, "az");
	assert_false(b.t.armed);
	ev_loop_free(f.loop);
}

static void test_timers_rearm_from_callback(void **state)
{
	struct timer_fx f = {0};
	struct tmr a, z;

	(void)state;
	f.loop = ev_loop_new();
	tmr_init(&a, &f, 'a');
	tmr_init(&z, &f, 'z');
	a.rearm = 10;
	a.rearms = 3;
	ev_timer_arm(f.loop, &a.t, 0);
	ev_timer_arm(f.loop, &z.t, 200);
	assert_int_equal(ev_loop_run(f.loop), 0);
	assert_string_equal(f.order, "aaaaz");
	assert_false(a.t.armed);
	ev_loop_free(f.loop);
}

/* A timer re-armed from its own callback for 0 ms runs again on the next iteration, not over
 * and over within the same one: io must not be starved. */
static void test_timers_rearm_zero_no_spin(void **state)
{
	struct timer_fx f = {0};
	struct tmr a;

	(void)state;
	f.loop = ev_loop_new();
	tmr_init(&a, &f, 'a');
	a.rearm = 0;
	a.rearms = 10;
	ev_timer_arm(f.loop, &a.t, 0);
	assert_int_equal(ev_loop_once(f.loop, 1000), 0);
	assert_string_equal(f.order, "a");
	assert_true(a.t.armed);
	assert_int_equal(ev_loop_once(f.loop, 1000), 0);
	assert_string_equal(f.order, "aa");
	ev_timer_cancel(f.loop, &a.t);
	ev_loop_free(f.loop);
}

/* The nearest timer bounds the wait even when io is registered and idle. */
static void test_timer_bounds_wait(void **state)
{
	struct timer_fx f = {0};
	struct tmr z;
	struct pipe_h a;
	int64_t start = util_mono_ms(), took;

	(void)state;
	f.loop = ev_loop_new();
	pipe_open(&a, f.loop);
	assert_int_equal(ev_io_add(f.loop, a.p[0], EPOLLIN, on_pipe, &a), 0);
	tmr_init(&z, &f, 'z');
	ev_timer_arm(f.loop, &z.t, 50);
	assert_int_equal(ev_loop_run(f.loop), 0);
	took = util_mono_ms() - start;
	assert_true(took >= 50 && took < 2000);
	assert_int_equal(a.calls, 0);
	ev_loop_free(f.loop);
	pipe_close(&a);
}

static int sig_count[2];

static void on_sig(int signo, void *arg)
{
	if (signo == SIGUSR1)
		sig_count[0]++;
	else if (signo == SIGUSR2)
		sig_count[1]++;
	if (sig_count[0] && sig_count[1])
		ev_loop_break(arg);
}

static void test_signal(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	sigset_t cur;

	(void)state;
	assert_int_equal(ev_signal_add(loop, 0, on_sig, loop), -EINVAL);
	assert_int_equal(ev_signal_add(loop, -1, on_sig, loop), -EINVAL);
	assert_int_equal(ev_signal_add(loop, 65, on_sig, loop), -EINVAL);
	assert_int_equal(ev_signal_add(loop, SIGUSR1, on_sig, loop), 0);
	assert_int_equal(ev_signal_add(loop, SIGUSR2, on_sig, loop), 0);
	/* blocked for normal delivery: raise() would otherwise kill the test */
	assert_int_equal(sigprocmask(SIG_BLOCK, NULL, &cur), 0);
	assert_true(sigismember(&cur, SIGUSR1));
	assert_true(sigismember(&cur, SIGUSR2));
	assert_int_equal(raise(SIGUSR1), 0);
	assert_int_equal(raise(SIGUSR2), 0);
	assert_int_equal(ev_loop_run(loop), 0);
	assert_int_equal(sig_count[0], 1);
	assert_int_equal(sig_count[1], 1);
	/* again, through the same signalfd */
	sig_count[1] = 0;
	assert_int_equal(raise(SIGUSR2), 0);
	assert_int_equal(ev_loop_run(loop), 0);
	assert_int_equal(sig_count[0], 1);
	assert_int_equal(sig_count[1], 1);
	ev_loop_free(loop);
	/* freeing the loop unblocks its signals again */
	assert_int_equal(sigprocmask(SIG_BLOCK, NULL, &cur), 0);
	assert_false(sigismember(&cur, SIGUSR1));
	assert_false(sigismember(&cur, SIGUSR2));
}

/* ev_loop_break from an io callback stops ev_loop_run after the current iteration. */
struct break_fx {
	struct ev_loop *loop;
	int calls;
};

static void on_break(int fd, uint32_t events, void *arg)
{
	struct break_fx *fx = arg;
	char c;

	(void)events;
	assert_int_equal(read(fd, &c, 1), 1);
	fx->calls++;
	ev_loop_break(fx->loop);
}

static void test_loop_break(void **state)
{
	struct break_fx fx = {0};
	int p[2];

	(void)state;
	fx.loop = ev_loop_new();
	assert_int_equal(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	assert_int_equal(ev_io_add(fx.loop, p[0], EPOLLIN, on_break, &fx), 0);
	assert_int_equal(write(p[1], "ab", 2), 2);
	assert_int_equal(ev_loop_run(fx.loop), 0);
	assert_int_equal(fx.calls, 1);
	/* run again: the break is reset, the second byte is handled */
	assert_int_equal(ev_loop_run(fx.loop), 0);
	assert_int_equal(fx.calls, 2);
	ev_loop_free(fx.loop);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_io_basic),
		cmocka_unit_test(test_io_hangup),
		cmocka_unit_test(test_io_delete_other_in_batch),
		cmocka_unit_test(test_io_add_del_in_callback),
		cmocka_unit_test(test_timers_order),
		cmocka_unit_test(test_timers_same_due_fifo),
		cmocka_unit_test(test_timers_cancel_from_callback),
		cmocka_unit_test(test_timers_rearm_from_callback),
		cmocka_unit_test(test_timers_rearm_zero_no_spin),
		cmocka_unit_test(test_timer_bounds_wait),
		cmocka_unit_test(test_signal),
		cmocka_unit_test(test_loop_break),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
