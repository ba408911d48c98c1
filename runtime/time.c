/*
 * time.c — the clock and sleeping goroutines (Go's nanotime and timers).
 *
 * gort_sleep parks the goroutine with a deadline in the P's timer heap (a
 * binary min-heap of Gs on timer_when).  The scheduler runs expired timers
 * whenever it has nothing else to run, and every 64th schedule otherwise,
 * so a sleeper cannot be starved by goroutines that only yield.  When only
 * sleepers are left, the scheduler sleeps the thread until the first
 * deadline (proc.c, wait_for_work).
 *
 * Anything that calls libc (the clock, growing the heap array) runs on the
 * system stack, so a goroutine that sleeps does not grow onto a large
 * segment for it.
 */
#include <stdlib.h>
#include <time.h>

#include "internal.h"

static void nanotime_sys(void *out)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	*(int64_t *)out = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t gort_nanotime(void)
{
	int64_t t;

	systemstack(nanotime_sys, &t);
	return t;
}

static bool timer_less(uint32_t i, uint32_t j)
{
	return p0.timers[i]->timer_when < p0.timers[j]->timer_when;
}

static void timer_swap(uint32_t i, uint32_t j)
{
	struct gort_g *t = p0.timers[i];

	p0.timers[i] = p0.timers[j];
	p0.timers[j] = t;
	p0.timers[i]->timer_idx = (int32_t)i;
	p0.timers[j]->timer_idx = (int32_t)j;
}

static void sift_up(uint32_t i)
{
	while (i > 0 && timer_less(i, (i - 1) / 2)) {
		timer_swap(i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void sift_down(uint32_t i)
{
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, min = i;
		if (l < p0.ntimers && timer_less(l, min))
			min = l;
		if (r < p0.ntimers && timer_less(r, min))
			min = r;
		if (min == i)
			return;
		timer_swap(i, min);
		i = min;
	}
}

/* On the system stack (it may realloc). */
void timer_add(struct gort_g *gp)
{
	if (p0.ntimers == p0.timerscap) {
		uint32_t ncap = p0.timerscap ? p0.timerscap * 2 : 64;
		struct gort_g **n = realloc(p0.timers, ncap * sizeof *n);
		if (n == NULL)
			sched_fatal("out of memory adding a timer");
		p0.timers = n;
		p0.timerscap = ncap;
	}
	gp->timer_idx = (int32_t)p0.ntimers;
	p0.timers[p0.ntimers++] = gp;
	sift_up((uint32_t)gp->timer_idx);
}

void timer_del(struct gort_g *gp)
{
	uint32_t i = (uint32_t)gp->timer_idx;
	uint32_t last = --p0.ntimers;

	gp->timer_idx = -1;
	if (i == last)
		return;
	p0.timers[i] = p0.timers[last];
	p0.timers[i]->timer_idx = (int32_t)i;
	sift_down(i);
	sift_up(i);
}

bool timers_run(int64_t now)
{
	bool any = false;

	while (p0.ntimers > 0 && p0.timers[0]->timer_when <= now) {
		struct gort_g *gp = p0.timers[0];
		timer_del(gp);
		goready(gp);
		any = true;
	}
	return any;
}

int64_t timers_next(void)
{
	return p0.ntimers > 0 ? p0.timers[0]->timer_when : -1;
}

static void sleep_sys(void *arg)
{
	struct gort_g *gp = arg;
	int64_t now;

	nanotime_sys(&now);
	gp->timer_when = now + gp->timer_when;
	timer_add(gp);
}

static void nanosleep_sys(void *arg)
{
	int64_t ns = *(int64_t *)arg;
	struct timespec ts = {.tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000};

	nanosleep(&ts, NULL);
}

void gort_sleep(int64_t ns)
{
	struct gort_g *gp = m0.curg;

	if (gp == NULL) { /* a plain thread */
		if (ns > 0)
			systemstack(nanosleep_sys, &ns);
		return;
	}
	if (ns <= 0) {
		gort_gosched();
		return;
	}
	gp->timer_when = ns;
	systemstack(sleep_sys, gp);
	gopark("sleep", NULL);
}
