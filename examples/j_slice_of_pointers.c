/*
 * j_slice_of_pointers.c — escape case j: []*int{nil}; data[0] = &a.
 *
 * Go:  -m: moved to heap: a   (1 heap alloc/run: Go's analysis loses track
 *      of a pointer stored through a slice, so `a` moves to the heap)
 *
 * point_escapes stores &a in a global slice of pointers (escaped).
 * point_local stores it in a slice in its frame and drops both (frame-local).
 * index_value keeps the index of a frame array instead of a pointer: the
 * non-escaping form.
 */
#include "example.h"

static int64_t *global_data[EX_RUNS];

static __attribute__((noinline)) void point_escapes(int64_t **data, int64_t v)
{
	int64_t *a = gort_newobject(sizeof *a);
	*a = v;
	data[0] = a;
}

static __attribute__((noinline)) int64_t point_local(int64_t v)
{
	int64_t *a = gort_newobject(sizeof *a);
	*a = v;
	int64_t *data[1] = {NULL};
	data[0] = a;
	return *data[0];
}

static __attribute__((noinline)) int64_t index_value(int64_t v)
{
	int64_t vals[1] = {v};
	size_t data[1] = {0};
	return vals[data[0]];
}

static void run(void *arg)
{
	(void)arg;
	int64_t sum = 0;
	puts("j_slice_of_pointers: []*int{nil}; data[0] = &a (Go: moved to heap: a)");
	EX_MEASURE("escaping", "point_escapes", point_escapes(&global_data[i], i));
	EX_MEASURE("frame-local", "point_local", sum += point_local(i));
	EX_MEASURE("value", "index_value", sum += index_value(i));
	printf("*data[%d] = %" PRId64 "; checksum %" PRId64 "\n", EX_RUNS - 1,
	       *global_data[EX_RUNS - 1], sum);
}

int main(void)
{
	return gort_main(run, NULL);
}
