/*
 * test_gc.c — the collector: what is reachable survives, with its contents
 * intact, through thousands of collections; what is not is reclaimed and the
 * heap returns to its baseline; GOGC and GODEBUG=gctrace behave as in Go;
 * MemStats and the probes agree with what happened.
 *
 * Live objects carry canary words derived from their address and index:
 * an object freed by mistake is handed out again zeroed (and then
 * overwritten by the churn between collections), which breaks its canary.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "util.h"

#define CYCLES 1000

struct node {
	struct node *next;
	uint64_t canary[3];
};

static uint64_t canary(const void *p, unsigned i, unsigned k)
{
	return ((uintptr_t)p * 0x9E3779B97F4A7C15u) ^ ((uint64_t)i << 8) ^ k;
}

static struct node *make_list(unsigned n)
{
	struct node *head = NULL;

	for (unsigned i = 0; i < n; i++) {
		struct node *x = gort_newobject(sizeof *x);
		x->next = head;
		for (unsigned k = 0; k < 3; k++)
			x->canary[k] = canary(x, n - 1 - i, k);
		head = x;
	}
	return head;
}

/* Is the object at p allocated, as the heap sees it? */
static bool heap_allocated(const void *p)
{
	mspan *s = span_of((uintptr_t)p);
	if (s == NULL)
		return false;
	uint32_t idx = span_object_index(s, (uintptr_t)p);
	return idx < s->nelems && span_allocated(s, idx);
}

/* Does the list hold n live nodes with their canaries?  (No asserts: it
 * also runs on other threads, where cmocka cannot fail a test.) */
static bool list_intact(const struct node *x, unsigned n)
{
	unsigned i = 0;

	for (; x != NULL; x = x->next, i++) {
		if (!heap_allocated(x))
			return false;
		for (unsigned k = 0; k < 3; k++)
			if (x->canary[k] != canary(x, i, k))
				return false;
	}
	return i == n;
}

static void check_list(const struct node *x, unsigned n)
{
	assert_true(list_intact(x, n));
}

/* Garbage of the same class as the live nodes, written all over, then a
 * collection. */
static void __attribute__((noinline)) churn_and_collect(void)
{
	for (int i = 0; i < 200; i++)
		memset(gort_newobject(sizeof(struct node)), 0xFF, sizeof(struct node));
	gort_gc();
}

static struct node *global_list;

static void test_reachable_from_global(void **state)
{
	global_list = make_list(500);
	for (int c = 0; c < CYCLES; c++)
		churn_and_collect();
	check_list(global_list, 500);
	global_list = NULL;
}

static void test_reachable_from_local(void **state)
{
	struct node *volatile local = make_list(500);

	for (int c = 0; c < CYCLES; c++)
		churn_and_collect();
	check_list(local, 500);
}

static __thread struct node *tls_list;

static void test_reachable_from_thread_local(void **state)
{
	tls_list = make_list(300);
	for (int c = 0; c < CYCLES / 4; c++)
		churn_and_collect();
	check_list(tls_list, 300);
	tls_list = NULL;
}

struct holder {
	struct node *lists[4];
};
static struct holder *global_holder;

static void test_reachable_from_heap_object(void **state)
{
	global_holder = gort_newobject(sizeof *global_holder);
	for (int i = 0; i < 4; i++)
		global_holder->lists[i] = make_list(100);
	for (int c = 0; c < CYCLES; c++)
		churn_and_collect();
	for (int i = 0; i < 4; i++)
		check_list(global_holder->lists[i], 100);
	global_holder = NULL;
}

static char *global_interior;

static void test_interior_pointers(void **state)
{
	/* A small object reached only through its middle, a large one only
	 * through a pointer near its end; each holds a list. */
	struct node **small = gort_newobject(512);
	struct node **large = gort_newobject(1 << 20);
	small[0] = make_list(100);
	large[0] = make_list(100);
	global_interior = (char *)small + 300;
	char *volatile local_interior = (char *)large + (1 << 20) - 8;
	small = large = NULL;
	for (int c = 0; c < CYCLES; c++)
		churn_and_collect();
	assert_true(heap_allocated(global_interior - 300));
	assert_true(heap_allocated(local_interior - ((1 << 20) - 8)));
	check_list(*(struct node **)(global_interior - 300), 100);
	check_list(*(struct node **)(local_interior - ((1 << 20) - 8)), 100);
	global_interior = NULL;
}

static void test_wide_object_grows_mark_stack(void **state)
{
	/* One object pointing at 200k others: the mark stack must hold them
	 * all at once (well past its first mapping). */
	enum { n = 200000 };
	struct node **wide = gort_newarray(sizeof *wide, n);
	for (unsigned i = 0; i < n; i++) {
		wide[i] = gort_newobject(sizeof(struct node));
		wide[i]->canary[0] = canary(wide[i], i, 0);
	}
	for (int c = 0; c < 5; c++)
		churn_and_collect();
	for (unsigned i = 0; i < n; i++) {
		assert_true(heap_allocated(wide[i]));
		assert_int_equal(wide[i]->canary[0], canary(wide[i], i, 0));
	}
}

static void *thread_body(void *arg)
{
	struct node *volatile local = make_list(300);

	for (int c = 0; c < 100; c++)
		churn_and_collect();
	return list_intact(local, 300) ? arg : NULL;
}

static void test_collect_from_another_thread(void **state)
{
	static int token;
	pthread_t t;
	void *ok = NULL;

	assert_int_equal(pthread_create(&t, NULL, thread_body, &token), 0);
	assert_int_equal(pthread_join(t, &ok), 0);
	assert_ptr_equal(ok, &token);
}

static void __attribute__((noinline)) make_garbage(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		size_t size = 8 + (i * 37) % 2000;
		memset(gort_newobject(size), 0x33, size);
	}
	for (unsigned i = 0; i < 20; i++)
		gort_newobject(100000 + i * 8192);
}

static void test_unreachable_is_reclaimed(void **state)
{
	gort_memstats base, m;

	scrub_stack();
	gort_gc();
	gort_read_memstats(&base);
	for (int round = 0; round < 5; round++) {
		make_garbage(50000);
		scrub_stack();
		gort_gc();
		gort_read_memstats(&m);
		/* A conservative collector may keep a few objects from stale
		 * words; nothing like the 50,000 just dropped. */
		assert_true(m.heap_objects <= base.heap_objects + 16);
		assert_true(m.heap_alloc <= base.heap_alloc + 64 * 1024);
		assert_true(m.heap_inuse <= base.heap_inuse + 512 * 1024);
		assert_true(m.frees >= base.frees + (uint64_t)(round + 1) * 50000);
		assert_true(mheap_verify());
	}
}

static struct {
	uint64_t frees, free_bytes, starts, ends;
	gort_gc_stats start, end;
} probed;

static void on_free(void *p, size_t size)
{
	probed.frees++;
	probed.free_bytes += size;
}

static void on_gc_start(const gort_gc_stats *s)
{
	probed.starts++;
	probed.start = *s;
}

static void on_gc_end(const gort_gc_stats *s)
{
	probed.ends++;
	probed.end = *s;
}

static void check_consistent(const gort_memstats *m)
{
	assert_int_equal(m->mallocs - m->frees, m->heap_objects);
	assert_int_equal(m->alloc, m->heap_alloc);
	assert_true(m->heap_inuse >= m->heap_alloc);
	assert_int_equal(m->heap_sys, m->heap_inuse + m->heap_idle);
	assert_true(m->total_alloc >= m->heap_alloc);
}

static void test_memstats_and_probes(void **state)
{
	gort_memstats a, b, c;
	gort_probes probes = {.size = sizeof probes,
	                      .free = on_free,
	                      .gc_start = on_gc_start,
	                      .gc_end = on_gc_end};

	int percent = gc_percent;
	gc_percent = -1; /* no automatic cycle in the middle: counts must be exact */
	scrub_stack();
	gort_gc();
	gort_read_memstats(&a);
	check_consistent(&a);
	make_garbage(10000);
	gort_read_memstats(&b);
	check_consistent(&b);
	assert_int_equal(b.mallocs - a.mallocs, 10020);
	assert_int_equal(b.frees, a.frees);
	assert_true(b.heap_alloc - a.heap_alloc >= 20 * 100000);

	gort_set_probes(&probes);
	scrub_stack();
	gort_gc();
	gort_set_probes(NULL);
	gc_percent = percent;
	gort_read_memstats(&c);
	check_consistent(&c);
	assert_int_equal(c.num_gc, a.num_gc + 1);
	assert_int_equal(c.num_forced_gc, a.num_forced_gc + 1);
	assert_true(c.pause_total_ns > a.pause_total_ns);
	assert_true(c.last_gc >= a.last_gc);
	assert_int_equal(probed.starts, 1);
	assert_int_equal(probed.ends, 1);
	assert_int_equal(probed.end.cycle, c.num_gc);
	assert_true(probed.end.forced);
	assert_int_equal(probed.start.heap_live, b.heap_alloc);
	assert_int_equal(probed.end.heap_live, c.heap_alloc);
	assert_int_equal(probed.end.objects_live, c.heap_objects);
	/* Every free the sweeper counted, it reported. */
	assert_int_equal(probed.end.freed_objects, c.frees - b.frees);
	assert_int_equal(probed.frees, c.frees - b.frees);
	assert_int_equal(probed.free_bytes, b.heap_alloc - c.heap_alloc);
	assert_true(probed.frees >= 10020 - 16);
	assert_true(probed.end.pause_ns >= probed.end.mark_ns);
}

static void test_env_parsing(void **state)
{
	assert_int_equal(gogc_parse(NULL), 100);
	assert_int_equal(gogc_parse(""), 100);
	assert_int_equal(gogc_parse("off"), -1);
	assert_int_equal(gogc_parse("50"), 50);
	assert_int_equal(gogc_parse("-1"), -1);
	assert_int_equal(gogc_parse("12x"), 100);
	assert_true(godebug_flag("gctrace=1", "gctrace"));
	assert_true(godebug_flag("madvdontneed=1,gctrace=2", "gctrace"));
	assert_false(godebug_flag("gctrace=0", "gctrace"));
	assert_false(godebug_flag("xgctrace=1", "gctrace"));
	assert_false(godebug_flag(NULL, "gctrace"));
}

/* Child: 256 MB of garbage; prints what the pacer did. */
static int child_pacing(void)
{
	gort_memstats m;

	for (int i = 0; i < 4 << 20; i++)
		((volatile char *)gort_newobject(64))[0] = 1;
	gort_read_memstats(&m);
	fprintf(stderr, "before num_gc=%llu heap_sys=%llu\n", (unsigned long long)m.num_gc,
	        (unsigned long long)m.heap_sys);
	scrub_stack();
	gort_gc();
	gort_read_memstats(&m);
	fprintf(stderr, "after num_gc=%llu heap_alloc=%llu\n", (unsigned long long)m.num_gc,
	        (unsigned long long)m.heap_alloc);
	return 0;
}

static void test_gogc_off(void **state)
{
	unsigned long long gcs, sys, alloc;
	struct child_result r = run_child("pacing", "GOGC=off");

	assert_int_equal(r.status, 0);
	assert_int_equal(sscanf(r.err,
	                        "before num_gc=%llu heap_sys=%llu\nafter num_gc=1 heap_alloc=%llu",
	                        &gcs, &sys, &alloc),
	                 3);
	assert_int_equal(gcs, 0);
	assert_true(sys >= 256ull << 20);
	assert_true(alloc < 1 << 20); /* gort_gc still collects everything */
}

static void test_gogc_default_paces(void **state)
{
	unsigned long long gcs, sys;
	struct child_result r = run_child("pacing", NULL);

	assert_int_equal(r.status, 0);
	assert_int_equal(sscanf(r.err, "before num_gc=%llu heap_sys=%llu", &gcs, &sys), 2);
	assert_true(gcs >= 20);         /* about one per 4 MB */
	assert_true(sys < 64ull << 20); /* the heap stayed near its goal */
}

/* Child: collect and read stats before the heap has any memory. */
static int child_gc_first(void)
{
	gort_memstats m;

	gort_gc();
	gort_read_memstats(&m);
	if (m.num_gc != 1 || m.heap_sys != 0 || m.mallocs != 0)
		return 1;
	int *p = gort_newobject(sizeof *p);
	*p = 42;
	gort_gc();
	return *p == 42 ? 0 : 1;
}

static void test_gc_before_first_allocation(void **state)
{
	struct child_result r = run_child("gc_first", NULL);

	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
}

static int child_two_gcs(void)
{
	gort_newobject(100);
	gort_gc();
	gort_gc();
	return 0;
}

static void test_gctrace(void **state)
{
	struct child_result r = run_child("two_gcs", "GODEBUG=gctrace=1");

	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err, "gc 1 @"));
	assert_non_null(strstr(r.err, "gc 2 @"));
	assert_non_null(strstr(r.err, "ms pause (mark "));
	assert_non_null(strstr(r.err, " MB goal, 1 P (forced)\n"));
	assert_null(strstr(r.err, "gc 3 @"));

	r = run_child("two_gcs", "GODEBUG=gctrace=0");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
}

int main(int argc, char **argv)
{
	static const struct child_mode modes[] = {
	        {"pacing", child_pacing},
	        {"two_gcs", child_two_gcs},
	        {"gc_first", child_gc_first},
	};
	dispatch_child(argc, argv, modes, sizeof modes / sizeof *modes);

	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_reachable_from_global),
	        cmocka_unit_test(test_reachable_from_local),
	        cmocka_unit_test(test_reachable_from_thread_local),
	        cmocka_unit_test(test_reachable_from_heap_object),
	        cmocka_unit_test(test_interior_pointers),
	        cmocka_unit_test(test_wide_object_grows_mark_stack),
	        cmocka_unit_test(test_collect_from_another_thread),
	        cmocka_unit_test(test_unreachable_is_reclaimed),
	        cmocka_unit_test(test_memstats_and_probes),
	        cmocka_unit_test(test_env_parsing),
	        cmocka_unit_test(test_gogc_off),
	        cmocka_unit_test(test_gogc_default_paces),
	        cmocka_unit_test(test_gctrace),
	        cmocka_unit_test(test_gc_before_first_allocation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
