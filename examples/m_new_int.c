/*
 * m_new_int.c — escape case m: new(int) returned vs not returned.
 *
 * Go:  func f() *int { return new(int) }   -m: new(int) escapes to heap (1)
 *      func g() int { p := new(int); *p = 1; return *p }
 *                                          -m: new(int) does not escape (0)
 *
 * new_int_escapes returns its object, kept in a global (escaped).
 * new_int_local allocates the same object, uses it and drops it: Go puts it
 * on the stack, gort cannot, and the tracer must say "frame-local: could live
 * on the stack".
 */
#include "example.h"

static int64_t *kept[EX_RUNS];

static __attribute__((noinline)) int64_t *new_int_escapes(int64_t v)
{
	int64_t *p = gort_newobject(sizeof *p);
	*p = v;
	return p;
}

static __attribute__((noinline)) int64_t new_int_local(int64_t v)
{
	int64_t *p = gort_newobject(sizeof *p);
	*p = v;
	return *p * 2;
}

static void run(void *arg)
{
	(void)arg;
	int64_t sum = 0;
	puts("m_new_int: new(int) returned vs not (Go: escapes / does not escape)");
	EX_MEASURE("escaping", "new_int_escapes", kept[i] = new_int_escapes(i));
	EX_MEASURE("frame-local", "new_int_local", sum += new_int_local(i));
	printf("kept[%d] = %" PRId64 "; checksum %" PRId64 "\n", EX_RUNS - 1, *kept[EX_RUNS - 1],
	       sum);
}

int main(void)
{
	return gort_main(run, NULL);
}
