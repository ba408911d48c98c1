// binarytrees_test.go — the benchmarks-game binary-trees, Go's side of
// bench/bench_binarytrees.c: the same algorithm, sequential, one op per
// whole run, the node count of every tree checked, and the process's peak RSS
// (ru_maxrss, KB) reported as peak-RSS-KB.  Run it alone in its process
// (bench/compare-go.sh does) so the RSS is the program's own.
package bench

import (
	"flag"
	"fmt"
	"syscall"
	"testing"
)

var depth = flag.Int("depth", 21, "depth of the largest tree (benchmarks game: 21)")

type node struct {
	left, right *node
}

var longLived *node

func bottomUpTree(depth int) *node {
	if depth <= 0 {
		return &node{}
	}
	return &node{bottomUpTree(depth - 1), bottomUpTree(depth - 1)}
}

func (n *node) itemCheck() int {
	if n.left == nil {
		return 1
	}
	return 1 + n.left.itemCheck() + n.right.itemCheck()
}

func checkTree(b *testing.B, n *node, depth int) {
	if got, want := n.itemCheck(), 1<<(depth+1)-1; got != want {
		b.Fatalf("tree of depth %d has %d nodes, want %d", depth, got, want)
	}
}

func binaryTrees(b *testing.B, maxDepth int) {
	const minDepth = 4
	if maxDepth < minDepth+2 {
		maxDepth = minDepth + 2
	}
	checkTree(b, bottomUpTree(maxDepth+1), maxDepth+1)
	longLived = bottomUpTree(maxDepth)
	for d := minDepth; d <= maxDepth; d += 2 {
		iterations := 1 << (maxDepth - d + minDepth)
		for i := 0; i < iterations; i++ {
			checkTree(b, bottomUpTree(d), d)
		}
	}
	checkTree(b, longLived, maxDepth)
	longLived = nil
}

func BenchmarkBinaryTrees(b *testing.B) {
	b.Run(fmt.Sprintf("depth=%d", *depth), func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			binaryTrees(b, *depth)
		}
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(ru.Maxrss), "peak-RSS-KB")
	})
}
