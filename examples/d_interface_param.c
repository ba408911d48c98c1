/*
 * d_interface_param.c — escape case d: passing a value as interface{}.
 *
 * Go:  fmt.Println(demo)
 *      -m: demo escapes to heap; boxing a constant or 0..255 allocates nothing
 *      (0-2 heap allocs/run)
 *
 * An interface holds a type and a pointer; a value that is not a pointer is
 * boxed (Go's convT: a heap copy).  print_escapes boxes the demo and hands it
 * to a logger that keeps it, as fmt's ...interface{} parameters leak
 * (escaped).  print_local boxes it for a callee that does not keep it, and
 * drops the box (frame-local: a typed pointer would do).  print_small_int
 * boxes 0..255, which Go points into runtime.staticuint64s: no allocation.
 */
#include "example.h"

typedef struct demo {
	const char *name;
	int64_t id;
} demo;

typedef struct eface {
	const char *type;
	const void *data;
} eface;

static eface logged[2 * EX_RUNS];
static int nlogged;
static int64_t staticuint64s[256];

static __attribute__((noinline)) void log_keep(eface e)
{
	logged[nlogged++] = e;
}

static __attribute__((noinline)) int64_t describe(eface e)
{
	return e.type[0] == 'd' ? ((const demo *)e.data)->id : *(const int64_t *)e.data;
}

static __attribute__((noinline)) void print_escapes(demo d)
{
	demo *box = gort_newobject(sizeof *box);
	*box = d;
	log_keep((eface){"demo", box});
}

static __attribute__((noinline)) int64_t print_local(demo d)
{
	demo *box = gort_newobject(sizeof *box);
	*box = d;
	return describe((eface){"demo", box});
}

static __attribute__((noinline)) void print_small_int(int64_t v)
{
	staticuint64s[v & 255] = v & 255;
	log_keep((eface){"int64", &staticuint64s[v & 255]});
}

static void run(void *arg)
{
	(void)arg;
	int64_t sum = 0;
	puts("d_interface_param: passing a value as interface{} (Go: demo escapes to heap)");
	EX_MEASURE("escaping", "print_escapes", print_escapes((demo){"demo", i}));
	EX_MEASURE("frame-local", "print_local", sum += print_local((demo){"demo", i}));
	EX_MEASURE("static", "print_small_int", print_small_int(i));
	printf("logged %d values; checksum %" PRId64 "\n", nlogged, sum + describe(logged[1]));
}

int main(void)
{
	return gort_main(run, NULL);
}
