/*
 * tests/test_aggregate.c — the per-stack aggregation, event by event.
 *
 * Feeds hand-written event sequences and checks every figure the report
 * prints from them: totals, the peak and each stack's share of it, leaks,
 * temporary allocations, the frame-local/escaped evidence, reallocs that
 * move or stay, releases of unknown blocks, and that memory holds live
 * blocks only.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "viewer/aggregate.h"

#define BLOCK(thread, seq) ((uint64_t)(thread) << 40 | (seq))

static const uint64_t pcs_a[] = {0x1000, 0x2000};
static const uint64_t pcs_b[] = {0x1100, 0x2000};

static agg *two_stacks(void)
{
	agg *a = agg_new();
	assert_non_null(a);
	assert_true(agg_stack_define(a, 1, pcs_a, 2, false));
	assert_true(agg_stack_define(a, 2, pcs_b, 2, true));
	return a;
}

static agg_stack *stack_by_id(agg *a, uint64_t id)
{
	for (size_t i = 0; i < agg_nstacks(a); i++)
		if (agg_stack_at(a, i)->id == id)
			return agg_stack_at(a, i);
	fail_msg("no stack %llu", (unsigned long long)id);
	return NULL;
}

static void totals_peak_and_leaks(void **state)
{
	agg *a = two_stacks();
	/* Stack 1: 10 x 1000 B, half freed; stack 2: 3 x 5000 B, then all freed
	 * but one 123 B block of stack 1 allocated last. */
	for (int i = 0; i < 10; i++)
		assert_true(agg_alloc(a, BLOCK(1, i), 1, 1000, 7, true, false));
	for (int i = 0; i < 10; i += 2)
		agg_release(a, BLOCK(1, i), false, true);
	for (int i = 10; i < 13; i++)
		assert_true(agg_alloc(a, BLOCK(1, i), 2, 5000, 0, true, false));
	for (int i = 1; i < 10; i += 2)
		agg_release(a, BLOCK(1, i), false, true);
	for (int i = 10; i < 13; i++)
		agg_release(a, BLOCK(1, i), false, true);
	assert_true(agg_alloc(a, BLOCK(1, 13), 1, 123, 0, true, false));
	agg_finish(a);

	const agg_totals *t = agg_totals_of(a);
	assert_int_equal(t->allocations, 14);
	assert_int_equal(t->frees, 13);
	assert_int_equal(t->bytes_allocated, 25123);
	assert_int_equal(t->peak_bytes, 20000);
	assert_int_equal(t->leaked_bytes, 123);
	assert_int_equal(t->leaked_allocations, 1);
	assert_int_equal(t->cost_ns, 70);

	agg_stack *s1 = stack_by_id(a, 1), *s2 = stack_by_id(a, 2);
	assert_int_equal(s1->allocs, 11);
	assert_int_equal(s1->bytes, 10123);
	assert_int_equal(s1->peak_bytes, 5000); /* 5 blocks live at the peak */
	assert_int_equal(s2->peak_bytes, 15000);
	assert_int_equal(s1->live_bytes, 123);
	assert_int_equal(s2->live_bytes, 0);
	assert_true(s2->truncated);
	assert_int_equal(s1->depth, 2);
	assert_int_equal(s1->pcs[1], 0x2000);
	assert_int_equal(agg_live_blocks(a), 1);
	agg_free_all(a);
}

static void verdict_evidence(void **state)
{
	agg *a = two_stacks();
	assert_true(agg_alloc(a, BLOCK(1, 0), 1, 16, 0, true, false));
	assert_true(agg_alloc(a, BLOCK(1, 1), 1, 16, 0, true, false));
	assert_true(agg_alloc(a, BLOCK(1, 2), 2, 16, 0, false, false));
	agg_release(a, BLOCK(1, 0), true, true);                       /* its frame was live */
	agg_release(a, BLOCK(1, 1), false, true);                      /* outlived it */
	agg_release(a, BLOCK(1, 2), true, true);                       /* no frame recorded */
	assert_true(agg_alloc(a, BLOCK(1, 3), 2, 16, 0, true, false)); /* leaked */
	agg_finish(a);
	agg_stack *s1 = stack_by_id(a, 1), *s2 = stack_by_id(a, 2);
	assert_int_equal(s1->frame_local, 1);
	assert_int_equal(s1->escaped, 1);
	assert_int_equal(s2->unknown, 1);
	assert_int_equal(s2->escaped, 1);
	agg_free_all(a);
}

/* gort objects: the verdict comes from escape records only; a sweep, a
 * leak, or an object nobody judged adds nothing. */
static void gort_verdict_from_escape_records(void **state)
{
	agg *a = two_stacks();
	for (unsigned i = 0; i < 4; i++)
		assert_true(agg_alloc(a, BLOCK(1, i), 1, 8, 0, true, true));
	assert_true(agg_alloc(a, BLOCK(1, 4), 2, 8, 0, true, true));
	assert_true(agg_alloc(a, BLOCK(1, 5), 2, 8, 0, true, false)); /* malloc: as before */
	agg_escape(a, BLOCK(1, 0), false);
	agg_escape(a, BLOCK(1, 1), false);
	agg_escape(a, BLOCK(1, 4), true);
	agg_escape(a, BLOCK(1, 5), true); /* not a gort object: ignored */
	agg_escape(a, BLOCK(7, 7), true); /* unknown block: ignored */
	agg_sweep(a, BLOCK(1, 0), false);
	agg_sweep(a, BLOCK(1, 2), false); /* swept, never judged */
	agg_finish(a);                    /* 1, 3, 4 and 5 leak */
	agg_stack *s1 = stack_by_id(a, 1), *s2 = stack_by_id(a, 2);
	assert_int_equal(s1->frame_local, 2);
	assert_int_equal(s1->escaped, 0);
	assert_int_equal(s1->unknown, 0);
	assert_int_equal(s1->live_gort, 2);
	assert_int_equal(s2->escaped, 2); /* block 4's record, block 5's leak */
	assert_int_equal(s2->frame_local, 0);
	assert_int_equal(agg_totals_of(a)->leaked_allocations, 4);
	agg_free_all(a);
}

static void temporary_is_freed_before_the_next_allocation(void **state)
{
	agg *a = two_stacks();
	assert_true(agg_alloc(a, BLOCK(1, 0), 1, 8, 0, true, false));
	agg_release(a, BLOCK(1, 0), false, true); /* temporary */
	assert_true(agg_alloc(a, BLOCK(1, 1), 1, 8, 0, true, false));
	assert_true(agg_alloc(a, BLOCK(2, 0), 1, 8, 0, true, false)); /* other thread */
	agg_release(a, BLOCK(1, 1), false, true);                     /* still thread 1's latest */
	assert_true(agg_alloc(a, BLOCK(1, 2), 1, 8, 0, true, false));
	assert_true(agg_alloc(a, BLOCK(1, 3), 1, 8, 0, true, false));
	agg_release(a, BLOCK(1, 2), false, true); /* not: block 3 came between */
	agg_finish(a);
	assert_int_equal(agg_totals_of(a)->temporary, 2);
	assert_int_equal(stack_by_id(a, 1)->temporary, 2);
	agg_free_all(a);
}

static void realloc_and_unknown_blocks(void **state)
{
	agg *a = two_stacks();
	assert_true(agg_alloc(a, BLOCK(1, 0), 1, 100, 0, true, false));
	/* realloc in place: the old block goes, not counted as a free */
	agg_release(a, BLOCK(1, 0), false, false);
	assert_true(agg_alloc(a, BLOCK(1, 1), 2, 150, 0, true, false));
	/* realloc that moves: a free */
	agg_release(a, BLOCK(1, 1), false, true);
	assert_true(agg_alloc(a, BLOCK(1, 2), 2, 400, 0, true, false));
	/* a block from before tracing, and an id never seen */
	agg_release_unknown(a);
	agg_release(a, BLOCK(3, 99), false, true);
	agg_finish(a);
	const agg_totals *t = agg_totals_of(a);
	assert_int_equal(t->allocations, 3);
	assert_int_equal(t->frees, 3);
	assert_int_equal(t->unknown_frees, 2);
	assert_int_equal(t->peak_bytes, 400);
	assert_int_equal(t->leaked_bytes, 400);
	assert_int_equal(stack_by_id(a, 2)->peak_bytes, 400);
	assert_int_equal(stack_by_id(a, 1)->peak_bytes, 0);
	agg_free_all(a);
}

static void hostile_ids_do_not_corrupt(void **state)
{
	agg *a = two_stacks();
	/* the same block id twice, an undefined stack, a double free */
	assert_true(agg_alloc(a, BLOCK(1, 0), 1, 10, 0, true, false));
	assert_true(agg_alloc(a, BLOCK(1, 0), 77, 20, 0, true, true));
	agg_release(a, BLOCK(1, 0), false, true);
	agg_release(a, BLOCK(1, 0), false, true);
	agg_gc(a);
	agg_stack_grow(a, 4096);
	agg_go_create(a, 5, 1, 0x4000);
	agg_go_create(a, 3, 2, 0x5000);
	agg_go_create(a, 4, 2, 0x5000);
	agg_go_exit(a, 4);
	agg_go_exit(a, 99); /* never created */
	agg_lost(a, 3);
	agg_finish(a);
	const agg_totals *t = agg_totals_of(a);
	assert_int_equal(t->allocations, 2);
	assert_int_equal(t->gort_objects, 1);
	assert_int_equal(t->leaked_bytes, 0);
	assert_int_equal(t->gc_cycles, 1);
	assert_int_equal(t->stack_grows, 1);
	assert_int_equal(t->goroutines, 3);
	size_t n;
	agg_goroutine *alive = agg_goroutines_alive(a, &n);
	assert_int_equal(n, 2);
	assert_int_equal(alive[0].goid, 3);
	assert_int_equal(alive[0].fn, 0x5000);
	assert_int_equal(alive[1].goid, 5);
	assert_ptr_equal(agg_stack_by_id(a, alive[1].stack), stack_by_id(a, 1));
	assert_null(agg_stack_by_id(a, 12345));
	free(alive);
	assert_int_equal(t->lost, 3);
	assert_int_equal(stack_by_id(a, 77)->depth, 0);
	agg_free_all(a);
}

/* Goroutine state records: kept for goroutines alive at the end, the last
 * one wins, ignored for unknown goroutines, reset when a goid is created
 * again, and at most AGG_MAX_STATES distinct strings (then unknown). */
static void goroutine_states(void **state)
{
	agg *a = agg_new();
	char buf[32];
	assert_non_null(a);
	agg_go_create(a, 1, 0, 0x1000);
	agg_go_create(a, 2, 0, 0x2000);
	agg_go_create(a, 3, 0, 0x3000);
	assert_true(agg_go_state(a, 2, "select"));
	assert_true(agg_go_state(a, 2, "chan receive")); /* the last one wins */
	assert_true(agg_go_state(a, 3, "chan receive"));
	assert_true(agg_go_state(a, 1, "running"));
	assert_true(agg_go_state(a, 42, "sleep")); /* not alive: ignored */
	agg_go_exit(a, 1);
	agg_go_create(a, 3, 0, 0x3000); /* created again: state unknown */
	for (int i = 0; i < AGG_MAX_STATES + 10; i++) {
		agg_go_create(a, 100 + (uint64_t)i, 0, 0);
		snprintf(buf, sizeof buf, "state %d", i);
		assert_true(agg_go_state(a, 100 + (uint64_t)i, buf));
	}
	agg_finish(a);
	size_t n;
	agg_goroutine *g = agg_goroutines_alive(a, &n);
	assert_int_equal(n, 2 + AGG_MAX_STATES + 10);
	assert_int_equal(g[0].goid, 2);
	assert_string_equal(g[0].state, "chan receive");
	assert_int_equal(g[1].goid, 3);
	assert_null(g[1].state);
	/* "select", "chan receive" and "running" took three of the slots */
	assert_string_equal(g[2].state, "state 0");
	assert_string_equal(g[2 + AGG_MAX_STATES - 4].state, "state 60");
	assert_null(g[2 + AGG_MAX_STATES - 3].state);
	assert_null(g[n - 1].state);
	free(g);
	agg_free_all(a);
}

static void memory_holds_live_blocks_only(void **state)
{
	agg *a = two_stacks();
	for (uint64_t i = 0; i < 100000; i++) {
		assert_true(agg_alloc(a, BLOCK(1, i), 1 + (i & 1), 32, 0, true, false));
		if (i >= 8)
			agg_release(a, BLOCK(1, i - 8), false, true);
	}
	assert_int_equal(agg_live_blocks(a), 8);
	assert_int_equal(agg_nstacks(a), 2);
	agg_finish(a);
	assert_int_equal(agg_totals_of(a)->peak_bytes, 9 * 32);
	assert_int_equal(agg_totals_of(a)->leaked_allocations, 8);
	agg_free_all(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(totals_peak_and_leaks),
	        cmocka_unit_test(verdict_evidence),
	        cmocka_unit_test(gort_verdict_from_escape_records),
	        cmocka_unit_test(temporary_is_freed_before_the_next_allocation),
	        cmocka_unit_test(realloc_and_unknown_blocks),
	        cmocka_unit_test(hostile_ids_do_not_corrupt),
	        cmocka_unit_test(memory_holds_live_blocks_only),
	        cmocka_unit_test(goroutine_states),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
