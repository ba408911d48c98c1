/*
 * sync.c — gort_waitgroup and gort_mutex (Go's sync.WaitGroup, sync.Mutex).
 *
 * Both are usable zeroed, as in Go.  Their `waiters` field points to the
 * *last* sudog of a circular list (last->next is the first), so queueing
 * and waking the first waiter are both O(1) with a single pointer; the
 * sudogs live in the waiting goroutines' frames.
 *
 * The mutex hands itself over: unlock with waiters gives the lock to the
 * first of them (FIFO, Go's starvation mode) instead of letting a newcomer
 * barge in.  Unlocking an unlocked mutex is Go's fatal error; a negative
 * WaitGroup counter is Go's panic.
 */
#include "internal.h"

static void ring_push(void **ring, sudog *sg)
{
	sudog *last = *ring;

	if (last == NULL) {
		sg->next = sg;
	} else {
		sg->next = last->next;
		last->next = sg;
	}
	*ring = sg;
}

static sudog *ring_pop(void **ring)
{
	sudog *last = *ring;

	if (last == NULL)
		return NULL;
	sudog *first = last->next;
	if (first == last)
		*ring = NULL;
	else
		last->next = first->next;
	first->next = NULL;
	return first;
}

/* The counter reached zero or below: wake the waiters, or panic. */
static __attribute__((noinline)) void wg_settle(gort_waitgroup *wg)
{
	if (wg->count < 0)
		gort_panic("sync: negative WaitGroup counter");
	sudog *sg;
	while ((sg = ring_pop(&wg->waiters)) != NULL)
		goready(sg->g);
}

void gort_wg_add(gort_waitgroup *wg, int64_t delta)
{
	wg->count += delta;
	if (likely(wg->count > 0))
		return;
	wg_settle(wg);
}

/* Not gort_wg_add(wg, -1): a goroutine's last call, worth its own short
 * path. */
void gort_wg_done(gort_waitgroup *wg)
{
	if (likely(--wg->count > 0))
		return;
	wg_settle(wg);
}

void gort_wg_wait(gort_waitgroup *wg)
{
	if (wg->count == 0)
		return;
	sudog sg = {.g = getg()};
	ring_push(&wg->waiters, &sg);
	gopark("sync.WaitGroup.Wait", wg);
}

void gort_mutex_lock(gort_mutex *m)
{
	if (m->state == 0) {
		m->state = 1;
		return;
	}
	sudog sg = {.g = getg()};
	ring_push(&m->waiters, &sg);
	gopark("sync.Mutex.Lock", m);
	/* unlock handed the mutex to us: state is still 1. */
}

void gort_mutex_unlock(gort_mutex *m)
{
	if (m->state == 0)
		fatal_error("sync: unlock of unlocked mutex");
	sudog *sg = ring_pop(&m->waiters);
	if (sg != NULL)
		goready(sg->g);
	else
		m->state = 0;
}
