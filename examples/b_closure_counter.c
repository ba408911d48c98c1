/*
 * b_closure_counter.c — escape case b: a closure capturing a counter.
 *
 * Go:  func Increase() func() int { n := 0; return func() int { n++; return n } }
 *      -m: moved to heap: n, func literal escapes to heap   (2 heap allocs/run)
 *
 * A Go closure is an object holding its code pointer and, for a captured
 * variable it modifies, a pointer to that variable, which then lives on the
 * heap too.  increase_escapes builds both and returns the closure (escaped);
 * count_local builds the same two objects, calls the closure and drops them
 * (frame-local: Go keeps n and the closure in the frame when the closure does
 * not leave it).
 */
#include "example.h"

typedef struct counter {
	int64_t (*fn)(struct counter *);
	int64_t *n;
} counter;

static int64_t counter_next(counter *c)
{
	return ++*c->n;
}

static counter *kept[EX_RUNS];

static __attribute__((noinline)) counter *increase_escapes(void)
{
	int64_t *n = gort_newobject(sizeof *n);
	counter *c = gort_newobject(sizeof *c);
	c->fn = counter_next;
	c->n = n;
	return c;
}

static __attribute__((noinline)) int64_t count_local(void)
{
	int64_t *n = gort_newobject(sizeof *n);
	counter *c = gort_newobject(sizeof *c);
	c->fn = counter_next;
	c->n = n;
	c->fn(c);
	c->fn(c);
	return c->fn(c);
}

static void run(void *arg)
{
	(void)arg;
	int64_t sum = 0;
	puts("b_closure_counter: a closure capturing a counter (Go: moved to heap: n)");
	EX_MEASURE("escaping", "increase_escapes", kept[i] = increase_escapes());
	EX_MEASURE("frame-local", "count_local", sum += count_local());
	for (int i = 0; i < EX_RUNS; i++)
		for (int k = 0; k < 3; k++)
			sum += kept[i]->fn(kept[i]);
	printf("each kept counter called 3 times: %" PRId64 "; checksum %" PRId64 "\n", *kept[0]->n,
	       sum);
}

int main(void)
{
	return gort_main(run, NULL);
}
