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
#include <signal.h>
#include <unistd.h>

struct io_fx {
	struct ev_loop *loop;
	int a[2], b[2];
	int calls_a, calls_b;
};

static void on_a(int fd, uint32_t events, void *arg)
{
	struct io_fx *f = arg;
	char c;

	(void)events;
	f->calls_a++;
	assert_int_equal(read(fd, &c, 1), 1);
	/* b is ready in the same batch: deleting it must stop its dispatch */
	ev_io_del(f->loop, f->b[0]);
}

static void on_b(int fd, uint32_t events, void *arg)
{
	struct io_fx *f = arg;

	(void)fd;
	(void)events;
	f->calls_b++;
}

static void test_io_delete_in_batch(void **state)
{
	struct io_fx f = {0};

	(void)state;
	f.loop = ev_loop_new();
	assert_int_equal(pipe(f.a), 0);
	assert_int_equal(pipe(f.b), 0);
	assert_int_equal(ev_io_add(f.loop, f.a[0], EPOLLIN, on_a, &f), 0);
	assert_int_equal(ev_io_add(f.loop, f.a[0], EPOLLIN, on_a, &f), -EEXIST);
	assert_int_equal(ev_io_add(f.loop, f.b[0], EPOLLIN, on_b, &f), 0);
	assert_int_equal(write(f.a[1], "x", 1), 1);
	assert_int_equal(write(f.b[1], "y", 1), 1);
	assert_int_equal(ev_loop_once(f.loop, 100), 0);
	/* whichever ran first, exactly one of them ran if b came after a, or both if b came
	 * first; but b must never run after a deleted it */
	assert_int_equal(f.calls_a, 1);
	assert_int_equal(ev_loop_once(f.loop, 10), 0);
	assert_true(f.calls_b <= 1);
	assert_int_equal(ev_io_mod(f.loop, f.b[0], EPOLLIN), -ENOENT);
	ev_loop_free(f.loop);
	close(f.a[0]);
	close(f.a[1]);
	close(f.b[0]);
	close(f.b[1]);
}

struct timer_fx {
	struct ev_loop *loop;
	char order[8];
	int n;
};

struct tmr {
	struct ev_timer t;
	struct timer_fx *f;
	char name;
};

static void fired(void *arg)
{
	struct tmr *t = arg;

	t->f->order[t->f->n++] = t->name;
	if (t->name == 'c')
		ev_loop_break(t->f->loop);
}

static void test_timers(void **state)
{
	struct timer_fx f = {0};
	struct tmr a = {.f = &f, .name = 'a'}, b = {.f = &f, .name = 'b'},
		   c = {.f = &f, .name = 'c'}, d = {.f = &f, .name = 'd'};
	int64_t start = util_mono_ms();

	(void)state;
	f.loop = ev_loop_new();
	ev_timer_init(&a.t, fired, &a);
	ev_timer_init(&b.t, fired, &b);
	ev_timer_init(&c.t, fired, &c);
	ev_timer_init(&d.t, fired, &d);
	ev_timer_arm(f.loop, &c.t, 60);
	ev_timer_arm(f.loop, &a.t, 10);
	ev_timer_arm(f.loop, &b.t, 500);
	ev_timer_arm(f.loop, &b.t, 30); /* re-arm moves it earlier */
	ev_timer_arm(f.loop, &d.t, 20);
	ev_timer_cancel(f.loop, &d.t);
	assert_int_equal(ev_loop_run(f.loop), 0);
	assert_string_equal(f.order, "abc");
	assert_true(util_mono_ms() - start >= 60);
	assert_false(c.t.armed);
	ev_loop_free(f.loop);
}

static int got_signal;

static void on_sig(int signo, void *arg)
{
	got_signal = signo;
	ev_loop_break(arg);
}

static void test_signal(void **state)
{
	struct ev_loop *loop = ev_loop_new();

	(void)state;
	assert_int_equal(ev_signal_add(loop, SIGUSR1, on_sig, loop), 0);
	assert_int_equal(ev_signal_add(loop, 0, on_sig, loop), -EINVAL);
	raise(SIGUSR1);
	assert_int_equal(ev_loop_run(loop), 0);
	assert_int_equal(got_signal, SIGUSR1);
	ev_loop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_io_delete_in_batch),
		cmocka_unit_test(test_timers),
		cmocka_unit_test(test_signal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
