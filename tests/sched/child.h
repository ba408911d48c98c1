/*
 * child.h — run a function in a forked child and collect how it died: for
 * the tests of panics, fatal errors and deadlocks, which end the process.
 */
#ifndef SCHED_TEST_CHILD_H
#define SCHED_TEST_CHILD_H

#include <stddef.h>

typedef struct child_result {
	int exit_status; /* -1 if killed by a signal */
	char err[16384]; /* its stderr, NUL-terminated (truncated) */
} child_result;

/* Fork; in the child set GODEBUG to godebug (if not NULL), call
 * gort_main(fn, arg) and exit 0; in the parent wait and fill r. */
void run_child(void (*fn)(void *), void *arg, const char *godebug, child_result *r);

#endif
