/*
 * escape_closures.c — the escape cases about code that carries data: a
 * closure capturing a counter (b), a goroutine modifying a captured local
 * (c), a call through a func value the compiler cannot see (k), a slice sent
 * on a channel from a goroutine (l).
 *
 * A Go closure is a heap object whose first word is its code pointer (a
 * funcval) followed by the captured variables, or by pointers to them when
 * they are modified: then each such variable is "moved to heap" too.  The
 * escaping forms build exactly those objects with gort_newobject; the
 * non-escaping forms keep the variables in the frame, or copy them into the
 * goroutine's argument.
 *
 *  b  B_Closure/heap     n (8 B) + closure {fn, &n} (16 B)            2 allocs
 *     B_Closure/stack    n and the closure in the caller's frame
 *  c  C_GoroutineCapture/heap   num (8 B), wg (16 B), closure {fn, &num,
 *                               &wg} (24 B), then gort_go + wait      3 allocs
 *     C_GoroutineCapture/stack  num copied into the goroutine's argument,
 *                               the waitgroup a global: 0 allocs in gort, 1 in
 *                               Go (the closure {fn, num} still escapes:
 *                               gort_go's argument word is what Go lacks)
 *  k  K_FuncValue/heap   data on the heap, passed through a function pointer
 *                        in a volatile global                         1 alloc
 *     K_FuncValue/stack  data in the frame, a direct call
 *  l  L_ChanOfSlice/heap  channel (the hchan, 96 B) + the slice's backing
 *                         array + closure {fn, ch}                   3 allocs
 *     L_ChanOfSlice/stack a channel of [1]string values, sent by copy, the
 *                         channel itself the goroutine's argument: 1 alloc
 *                         (the channel; Go: 2, the closure escapes)
 *
 * c and l need goroutines: bench_escape.c runs the suite inside gort_main.
 * The goroutine's creation (its g and first 2 KB stack segment) is not a
 * heap object in gort, as it is not in Go (both reuse dead g's): the allocs
 * measured are the objects above.
 */
#include <gort.h>

#include "escape.h"

/* ---- b: a closure capturing a counter ---------------------------------- */

typedef struct counter_closure {
	int64_t (*fn)(struct counter_closure *);
	int64_t *n;
} counter_closure;

static __attribute__((noinline)) int64_t counter_body(counter_closure *c)
{
	return ++*c->n;
}

/* Go: func Increase() func() int { n := 0; return func() int { n++; return n } } */
static __attribute__((noinline)) counter_closure *increase(void)
{
	int64_t *n = gort_newobject(sizeof *n);
	counter_closure *c = gort_newobject(sizeof *c);
	c->fn = counter_body;
	c->n = n;
	return c;
}

static __attribute__((noinline)) int64_t count_in_frame(void)
{
	int64_t n = 0;
	counter_closure c = {.fn = counter_body, .n = &n};
	int64_t r = c.fn(&c);
	return r + c.fn(&c);
}

static void bench_b_heap(bench_b *b)
{
	for (uint64_t i = 0; i < b->n; i++) {
		counter_closure *c = increase();
		int64_t r = c->fn(c);
		escape_sink_int = r + c->fn(c);
	}
}

ESCAPE_BENCH(bench_b_stack, escape_sink_int, count_in_frame())

/* ---- c: a goroutine capturing a local it modifies ---------------------- */

typedef struct capture_closure {
	void (*fn)(void *);
	int64_t *num;
	gort_waitgroup *wg;
} capture_closure;

static void capture_body(void *arg)
{
	capture_closure *c = arg;
	(*c->num)++;
	gort_wg_done(c->wg);
}

/* Go: num := 0; wg.Add(1); go func() { num++; wg.Done() }(); wg.Wait() */
static __attribute__((noinline)) int64_t spawn_modify(int64_t start)
{
	int64_t *num = gort_newobject(sizeof *num);
	gort_waitgroup *wg = gort_newobject(sizeof *wg);
	capture_closure *c = gort_newobject(sizeof *c);
	*num = start;
	c->fn = capture_body;
	c->num = num;
	c->wg = wg;
	gort_wg_add(wg, 1);
	gort_go(capture_body, c);
	gort_wg_wait(wg);
	return *num;
}

static gort_waitgroup copy_wg;
static volatile int64_t copy_result;

static void copy_body(void *arg)
{
	copy_result = (int64_t)(intptr_t)arg + 1;
	gort_wg_done(&copy_wg);
}

static __attribute__((noinline)) int64_t spawn_copy(int64_t num)
{
	gort_wg_add(&copy_wg, 1);
	gort_go(copy_body, (void *)(intptr_t)num);
	gort_wg_wait(&copy_wg);
	return copy_result;
}

ESCAPE_BENCH(bench_c_heap, escape_sink_int, spawn_modify((int64_t)i))

ESCAPE_BENCH(bench_c_stack, escape_sink_int, spawn_copy((int64_t)i))

/* ---- k: a call through a func value of unknown target ------------------ */

static __attribute__((noinline)) void add_one(int64_t *p)
{
	*p += 1;
}

/* volatile: the compiler cannot know what it calls, as Go's escape analysis
 * cannot for a package-level `var gf = foo`. */
static void (*volatile gf)(int64_t *) = add_one;

static __attribute__((noinline)) int64_t call_unknown(int64_t v)
{
	int64_t *data = gort_newobject(sizeof *data);
	*data = v;
	gf(data);
	return *data;
}

static __attribute__((noinline)) int64_t call_direct(int64_t v)
{
	int64_t data = v;
	add_one(&data);
	return data;
}

ESCAPE_BENCH(bench_k_heap, escape_sink_int, call_unknown((int64_t)i))

ESCAPE_BENCH(bench_k_stack, escape_sink_int, call_direct((int64_t)i))

/* ---- l: a slice sent on a channel from a goroutine --------------------- */

typedef struct send_closure {
	void (*fn)(void *);
	gort_chan *ch;
} send_closure;

static void send_slice_body(void *arg)
{
	send_closure *c = arg;
	gostring *backing = gort_newarray(sizeof *backing, 1);
	backing[0] = GOSTRING("value");
	goslice s = {.p = backing, .len = 1, .cap = 1};
	gort_chansend(c->ch, &s);
}

/* Go: ch := make(chan []string); go func() { ch <- []string{"value"} }(); <-ch */
static __attribute__((noinline)) size_t recv_slice(void)
{
	gort_chan *ch = gort_makechan(sizeof(goslice), 0);
	send_closure *c = gort_newobject(sizeof *c);
	c->fn = send_slice_body;
	c->ch = ch;
	gort_go(send_slice_body, c);
	goslice s;
	gort_chanrecv(ch, &s);
	return s.len + ((const gostring *)s.p)[0].n;
}

typedef struct strings1 {
	gostring v[1];
} strings1;

static void send_copy_body(void *arg)
{
	strings1 v = {{GOSTRING("value")}};
	gort_chansend(arg, &v);
}

static __attribute__((noinline)) size_t recv_copy(void)
{
	gort_chan *ch = gort_makechan(sizeof(strings1), 0);
	gort_go(send_copy_body, ch);
	strings1 v;
	gort_chanrecv(ch, &v);
	return v.v[0].n;
}

ESCAPE_BENCH(bench_l_heap, escape_sink_int, (int64_t)recv_slice())

ESCAPE_BENCH(bench_l_stack, escape_sink_int, (int64_t)recv_copy())

const bench_def escape_closures_benchmarks[] = {
        {.name = "B_Closure/heap", .fn = bench_b_heap},
        {.name = "B_Closure/stack", .fn = bench_b_stack},
        {.name = "C_GoroutineCapture/heap", .fn = bench_c_heap},
        {.name = "C_GoroutineCapture/stack", .fn = bench_c_stack},
        {.name = "K_FuncValue/heap", .fn = bench_k_heap},
        {.name = "K_FuncValue/stack", .fn = bench_k_stack},
        {.name = "L_ChanOfSlice/heap", .fn = bench_l_heap},
        {.name = "L_ChanOfSlice/stack", .fn = bench_l_stack},
};
const size_t escape_closures_count =
        sizeof escape_closures_benchmarks / sizeof escape_closures_benchmarks[0];
