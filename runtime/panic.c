/*
 * panic.c — how gort dies: gort_panic (a Go panic: a bug in the program,
 * e.g. an array size that overflows) and fatal_error (Go's throw: the
 * runtime cannot go on, e.g. out of memory).
 *
 * Both format into a buffer on the stack and write(2) it to stderr: no
 * malloc, since the heap may be what failed, and no stdio locks.  Inside
 * gort_main, a traceback of every goroutine follows (traceback.c, on the
 * system stack).  Both exit with status 2, as a Go program does.
 */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "internal.h"

static void write_all(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(2, p, n);
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void __attribute__((noreturn)) die(const char *prefix, const char *fmt, va_list ap)
{
	char buf[512];
	int n = snprintf(buf, sizeof buf, "%s", prefix);
	int m = vsnprintf(buf + n, sizeof buf - (size_t)n - 1, fmt, ap);

	if (m < 0)
		m = 0;
	n += m;
	if ((size_t)n > sizeof buf - 2)
		n = sizeof buf - 2;
	buf[n++] = '\n';
	write_all(buf, (size_t)n);
	sched_traceback_dying();
	_exit(2);
}

/* The variadic entries are no_split_stack: Clang cannot split the stack of
 * a variadic function.  Their frames are small and die() splits as usual. */
__attribute__((no_split_stack)) void gort_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	die("panic: ", fmt, ap);
}

__attribute__((no_split_stack)) void fatal_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	die("fatal error: ", fmt, ap);
}
