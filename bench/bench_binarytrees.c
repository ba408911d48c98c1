/*
 * bench_binarytrees.c — the benchmarks-game binary-trees on gort's heap.
 *
 * The algorithm (benchmarksgame "binary-trees"): with max = max(depth, 6),
 *   1. build a "stretch" tree of depth max+1, walk it, drop it;
 *   2. build a long-lived tree of depth max and keep it to the end;
 *   3. for d = 4, 6, ..., max: build and walk 2^(max - d + 4) trees of depth
 *      d, one at a time, each dropped after its walk;
 *   4. walk the long-lived tree.
 * A tree of depth d is a node whose two children are trees of depth d-1; at
 * depth 0 both children are NULL.  The walk counts nodes (2^(d+1) - 1), which
 * is checked, so a collector that frees a live node fails the benchmark
 * instead of printing a number.
 *
 * Every node is a 16-byte gort_newobject, so the run is allocation and
 * collection (short-lived trees, one long-lived tree), which is what it
 * measures against the same program in Go (bench/go, bench/compare-go.sh).
 * One op is one whole run; peak-RSS-KB is the process's ru_maxrss after it.
 * The run is sequential (one goroutine, GOMAXPROCS=1), as is the Go one.
 */
#include "harness.h"

#include <gort.h>
#include <stdint.h>
#include <sys/resource.h>

typedef struct node {
	struct node *left, *right;
} node;

static long depth_flag = 21;

/* The long-lived tree, in a global: a root of the collector. */
static node *volatile long_lived;

static node *bottom_up_tree(int depth)
{
	node *n = gort_newobject(sizeof(node));
	if (depth > 0) {
		n->left = bottom_up_tree(depth - 1);
		n->right = bottom_up_tree(depth - 1);
	}
	return n;
}

static uint64_t item_check(const node *n)
{
	if (n->left == NULL)
		return 1;
	return 1 + item_check(n->left) + item_check(n->right);
}

static bool check_tree(bench_b *b, const node *n, int depth)
{
	uint64_t want = (UINT64_C(2) << depth) - 1;
	uint64_t got = item_check(n);
	if (got != want)
		bench_errorf(b, "tree of depth %d has %llu nodes, want %llu", depth,
		             (unsigned long long)got, (unsigned long long)want);
	return got == want;
}

static bool binary_trees(bench_b *b, int max_depth)
{
	const int min_depth = 4;
	if (max_depth < min_depth + 2)
		max_depth = min_depth + 2;
	if (!check_tree(b, bottom_up_tree(max_depth + 1), max_depth + 1))
		return false;
	long_lived = bottom_up_tree(max_depth);
	for (int d = min_depth; d <= max_depth; d += 2) {
		uint64_t iterations = UINT64_C(1) << (max_depth - d + min_depth);
		for (uint64_t i = 0; i < iterations; i++)
			if (!check_tree(b, bottom_up_tree(d), d))
				return false;
	}
	bool ok = check_tree(b, long_lived, max_depth);
	long_lived = NULL;
	return ok;
}

static void bench_binarytrees(bench_b *b)
{
	for (uint64_t i = 0; i < b->n; i++)
		if (!binary_trees(b, (int)depth_flag))
			return;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	bench_report_metric(b, (double)ru.ru_maxrss, "peak-RSS-KB");
}

int main(int argc, char **argv)
{
	static const bench_flag flag = {"depth", "depth of the largest tree (benchmarks game: 21)",
	                                &depth_flag};
	return bench_main_one(&bench_gort_suite, "BinaryTrees/depth=%ld", bench_binarytrees, &flag,
	                      argc, argv);
}
