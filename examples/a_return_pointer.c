/*
 * a_return_pointer.c — escape case a: returning a pointer to a local.
 *
 * Go:  func createDemo(name string) *Demo { d := new(Demo); d.name = name; return d }
 *      -m: new(Demo) escapes to heap, leaking param: name   (1 heap alloc/run)
 *
 * create_demo_escapes returns its object: the caller keeps it in a global,
 * so it outlives the frame (escaped).  create_demo_local allocates the same
 * object, uses it and drops it before returning: Go would have kept it on the
 * stack (frame-local).  create_demo_value is what Go does then: a value.
 */
#include <string.h>

#include "example.h"

typedef struct demo {
	const char *name;
	int64_t id;
} demo;

static demo *kept[EX_RUNS];

static __attribute__((noinline)) demo *create_demo_escapes(const char *name, int64_t id)
{
	demo *d = gort_newobject(sizeof *d);
	d->name = name;
	d->id = id;
	return d;
}

static __attribute__((noinline)) int64_t create_demo_local(const char *name, int64_t id)
{
	demo *d = gort_newobject(sizeof *d);
	d->name = name;
	d->id = id;
	return d->id + (int64_t)strlen(d->name);
}

static __attribute__((noinline)) demo create_demo_value(const char *name, int64_t id)
{
	return (demo){.name = name, .id = id};
}

static void run(void *arg)
{
	(void)arg;
	int64_t sum = 0;
	puts("a_return_pointer: return a pointer to a local (Go: new(Demo) escapes to heap)");
	EX_MEASURE("escaping", "create_demo_escapes", kept[i] = create_demo_escapes("demo", i));
	EX_MEASURE("frame-local", "create_demo_local", sum += create_demo_local("demo", i));
	EX_MEASURE("value", "create_demo_value", sum += create_demo_value("demo", i).id);
	printf("kept %d demos, last id %" PRId64 "; checksum %" PRId64 "\n", EX_RUNS,
	       kept[EX_RUNS - 1]->id, sum);
}

int main(void)
{
	return gort_main(run, NULL);
}
