/*
 * util.h — helpers shared by the heap test suites: running part of a test
 * in a child process (for panics and for environment variables the runtime
 * reads once, like GOGC), and scrubbing stale pointers off the stack.
 */
#ifndef HEAP_TEST_UTIL_H
#define HEAP_TEST_UTIL_H

#include <stddef.h>

/* The result of a child run: exit status (-1 if it did not exit) and the
 * start of what it wrote to stderr. */
struct child_result {
	int status;
	char err[4096];
};

/* Run this test program again as `self --child NAME` with the extra
 * environment assignment env ("GOGC=off", or NULL). */
struct child_result run_child(const char *name, const char *env);

/* Run fn in a forked child (no exec). */
struct child_result run_forked(void (*fn)(void));

/* If argv asks for a child mode, run the matching function and exit. */
struct child_mode {
	const char *name;
	int (*fn)(void);
};
void dispatch_child(int argc, char **argv, const struct child_mode *modes, size_t n);

/* Overwrite the unused stack below the caller, so that stale copies of
 * pointers from finished calls do not keep objects alive. */
void scrub_stack(void);

#endif
