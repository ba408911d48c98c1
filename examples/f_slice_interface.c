/*
 * f_slice_interface.c — escape case f: []interface{}{100, 200}; data[0] = 100.
 *
 * Go:  -m: 100 escapes to heap — yet 0 heap allocs/run: constants and
 *      integers 0..255 are boxed as pointers to static data.
 *
 * fill_constants_escapes fills a global []interface{} with 100 and 200: the
 * boxes point to static data, no allocation (the table's 0).
 * fill_values_escapes does the same with values computed at run time (>= 256),
 * boxed on the heap and kept in the global (escaped).  fill_values_local
 * boxes run-time values into a slice in its frame and drops them
 * (frame-local: Go boxes a non-escaping literal's elements in the frame).
 */
#include "example.h"

typedef struct eface {
	const char *type;
	const int64_t *data;
} eface;

static const int64_t const_100 = 100, const_200 = 200;
static eface data_const[2];
static eface data_values[EX_RUNS][2];

static __attribute__((noinline)) void fill_constants_escapes(void)
{
	data_const[0] = (eface){"int64", &const_100};
	data_const[1] = (eface){"int64", &const_200};
	data_const[0] = (eface){"int64", &const_100};
}

static __attribute__((noinline)) void fill_values_escapes(eface *data, int64_t x, int64_t y)
{
	int64_t *bx = gort_newobject(sizeof *bx), *by = gort_newobject(sizeof *by);
	*bx = x;
	*by = y;
	data[0] = (eface){"int64", bx};
	data[1] = (eface){"int64", by};
}

static __attribute__((noinline)) int64_t fill_values_local(int64_t x, int64_t y)
{
	int64_t *bx = gort_newobject(sizeof *bx), *by = gort_newobject(sizeof *by);
	*bx = x;
	*by = y;
	eface data[2] = {{"int64", bx}, {"int64", by}};
	return *data[0].data + *data[1].data;
}

static void run(void *arg)
{
	(void)arg;
	int64_t sum = 0;
	puts("f_slice_interface: []interface{}{100, 200} (Go: 100 escapes to heap, 0 allocs)");
	EX_MEASURE("escaping", "fill_constants_escapes", fill_constants_escapes());
	EX_MEASURE("escaping", "fill_values_escapes",
	           fill_values_escapes(data_values[i], 1000 + i, 2000 + i));
	EX_MEASURE("frame-local", "fill_values_local",
	           sum += fill_values_local(1000 + i, 2000 + i));
	printf("data = {%" PRId64 ", %" PRId64 "}; last values {%" PRId64 ", %" PRId64
	       "}; checksum %" PRId64 "\n",
	       *data_const[0].data, *data_const[1].data, *data_values[EX_RUNS - 1][0].data,
	       *data_values[EX_RUNS - 1][1].data, sum);
}

int main(void)
{
	return gort_main(run, NULL);
}
