/*
 * k_func_value_call.c — escape case k: a call through a func value whose
 * target the compiler cannot see.
 *
 * Go:  var gf = foo; gf(&data)
 *      -m: moved to heap: data, leaking param: p   (1 heap alloc/run; a
 *      local `f := foo` is resolved statically on 1.19: nothing moves)
 *
 * call_unknown_escapes passes its object through a function pointer held in
 * a volatile global, whose target (remember) keeps the pointer: the object
 * outlives the frame (escaped).  call_direct_local passes the same object to
 * a known callee that does not keep it, and drops it (frame-local).
 */
#include "example.h"

static int64_t *remembered[EX_RUNS];
static int nremembered;

static __attribute__((noinline)) void remember(int64_t *p)
{
	*p += 1;
	remembered[nremembered++] = p;
}

static __attribute__((noinline)) void add_one(int64_t *p)
{
	*p += 1;
}

static void (*volatile gf)(int64_t *) = remember;

static __attribute__((noinline)) void call_unknown_escapes(int64_t v)
{
	int64_t *data = gort_newobject(sizeof *data);
	*data = v;
	gf(data);
}

static __attribute__((noinline)) int64_t call_direct_local(int64_t v)
{
	int64_t *data = gort_newobject(sizeof *data);
	*data = v;
	add_one(data);
	return *data;
}

static void run(void *arg)
{
	(void)arg;
	int64_t sum = 0;
	puts("k_func_value_call: gf(&data) through a func value (Go: moved to heap: data)");
	EX_MEASURE("escaping", "call_unknown_escapes", call_unknown_escapes(i));
	EX_MEASURE("frame-local", "call_direct_local", sum += call_direct_local(i));
	printf("remembered %d pointers, last %" PRId64 "; checksum %" PRId64 "\n", nremembered,
	       *remembered[nremembered - 1], sum);
}

int main(void)
{
	return gort_main(run, NULL);
}
