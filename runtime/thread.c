/*
 * thread.c — threads created from split-stack code.
 *
 * When a program is linked with -fsplit-stack, GCC passes
 * --wrap=pthread_create to the linker, so every pthread_create lands in
 * __wrap_pthread_create.  libgcc's version would pull in libgcc's own
 * __morestack (a duplicate definition of ours); this one does what a
 * thread needs under gort: it starts with the split-stack guard in its TCB
 * at 0, which makes it a plain thread whose split-stack code runs on its
 * ordinary pthread stack and never splits (the same as gort's system
 * stack).  glibc may reuse a dead thread's TCB, so the guard is set, not
 * assumed.
 *
 * This file is its own object: it is linked only into programs that create
 * threads with -fsplit-stack in effect.
 */
#include <pthread.h>
#include <stdlib.h>

#include "internal.h"

/* Weak: the shared libgort is linked without --wrap, and must not leave an
 * undefined symbol behind; there, pthread_create is the real one. */
extern int __real_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
                                 void *(*start)(void *), void *arg) __attribute__((weak));
int __wrap_pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *),
                          void *arg);

typedef struct thread_start {
	void *(*fn)(void *);
	void *arg;
} thread_start;

/* The new thread's first frame: the guard is unknown until we set it. */
static __attribute__((no_split_stack)) void *thread_entry(void *p)
{
	thread_start ts = *(thread_start *)p;

	tcb_set_guard(0);
	free(p);
	return ts.fn(ts.arg);
}

int __wrap_pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *),
                          void *arg)
{
	thread_start *ts = malloc(sizeof *ts);

	if (ts == NULL)
		return 11; /* EAGAIN */
	ts->fn = start;
	ts->arg = arg;
	int err = __real_pthread_create != NULL
	                  ? __real_pthread_create(thread, attr, thread_entry, ts)
	                  : pthread_create(thread, attr, thread_entry, ts);
	if (err != 0)
		free(ts);
	return err;
}
