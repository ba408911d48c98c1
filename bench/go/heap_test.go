// heap_test.go — Go's side of the heap benchmarks of bench/bench_newobject.c
// and bench/bench_gc.c, with the same names, so benchstat pairs the lines.
//
// Newobject/SIZE: new([SIZE]byte) stored in a global sink (it escapes; Go
// 1.19's own BenchmarkMalloc8 shows 0.4 ns because nothing does), in batches
// with the collector off (SetGCPercent(-1)) and a runtime.GC() between
// batches with the timer stopped: the allocation path without marking, as
// the C side measures it.
//
// AllIn/SIZE: a ring of 8 live objects in a global, one new object per op,
// the collector paced by GOGC inside the timed loop.
//
// GC/live=NMB: runtime.GC() over N MB of 32-byte nodes in 1024 chains.
package bench

import (
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
	"testing"
)

var (
	sink any
	ring [8]any
)

var liveMB = flag.Int("live-mb", 100, "megabytes (10^6 B) of live objects for BenchmarkGC")

// batchBytes is how much one batch allocates between collections.
const batchBytes = 4 << 20

func newobject[T any](b *testing.B) {
	var zero T
	size := int(unsafeSizeof(zero))
	batch := batchBytes / size
	if batch == 0 {
		batch = 1
	}
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	b.ResetTimer()
	for done := 0; done < b.N; {
		if done > 0 {
			b.StopTimer()
			runtime.GC()
			b.StartTimer()
		}
		n := batch
		if n > b.N-done {
			n = b.N - done
		}
		for i := 0; i < n; i++ {
			sink = new(T)
		}
		done += n
	}
}

func allIn[T any](b *testing.B) {
	for i := 0; i < b.N; i++ {
		ring[i%len(ring)] = new(T)
	}
}

type sized struct {
	name             string
	newobject, allin func(*testing.B)
}

var sizes = []sized{
	{"16B", newobject[[16]byte], allIn[[16]byte]},
	{"64B", newobject[[64]byte], allIn[[64]byte]},
	{"256B", newobject[[256]byte], allIn[[256]byte]},
	{"4KB", newobject[[4096]byte], nil},
	{"32KB", newobject[[32768]byte], nil},
	{"1MB", newobject[[1 << 20]byte], nil},
}

func BenchmarkNewobject(b *testing.B) {
	for _, s := range sizes {
		b.Run(s.name, s.newobject)
	}
}

func BenchmarkAllIn(b *testing.B) {
	for _, s := range sizes {
		if s.allin != nil {
			b.Run(s.name, s.allin)
		}
	}
}

type gcnode struct {
	next    *gcnode
	payload [3]uint64
}

const chains = 1024

var heads []*gcnode

func buildHeap(bytes int) {
	heads = make([]*gcnode, chains)
	nodes := bytes / int(unsafeSizeof(gcnode{}))
	for i := 0; i < nodes; i++ {
		n := &gcnode{next: heads[i%chains]}
		n.payload[0] = uint64(i)
		heads[i%chains] = n
	}
}

func countNodes() int {
	count := 0
	for _, h := range heads {
		for n := h; n != nil; n = n.next {
			count++
		}
	}
	return count
}

func BenchmarkGC(b *testing.B) {
	b.Run(fmt.Sprintf("live=%dMB", *liveMB), func(b *testing.B) {
		want := *liveMB * 1000000 / int(unsafeSizeof(gcnode{}))
		if heads == nil {
			buildHeap(*liveMB * 1000000)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			runtime.GC()
		}
		b.StopTimer()
		if got := countNodes(); got != want {
			b.Fatalf("%d nodes survived, want %d", got, want)
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapAlloc), "live-B")
	})
}
