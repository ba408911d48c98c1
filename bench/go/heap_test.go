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
	"unsafe"
)

// The sinks and rings are typed per size: storing into an interface, or
// allocating through a generic function's dictionary, costs Go 15-20 % more
// per op, which the C side does not pay.
var (
	sink16  *[16]byte
	sink64  *[64]byte
	sink256 *[256]byte
	sink4K  *[4096]byte
	sink32K *[32768]byte
	sink1M  *[1 << 20]byte
	ring16  [8]*[16]byte
	ring64  [8]*[64]byte
	ring256 [8]*[256]byte
	liveMB  = flag.Int("live-mb", 100, "megabytes (10^6 B) of live objects for BenchmarkGC")
)

// batchBytes is how much one batch allocates between collections.
const batchBytes = 4 << 20

// allocLoop allocates n objects of one size into that size's sink or ring.
type allocLoop func(n int)

func newobject(b *testing.B, size int, loop allocLoop) {
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
		loop(n)
		done += n
	}
}

type sized struct {
	name        string
	size        int
	fresh, ring allocLoop // into the sink (Newobject), into the ring (AllIn)
}

var sizes = []sized{
	{"16B", 16, func(n int) {
		for i := 0; i < n; i++ {
			sink16 = new([16]byte)
		}
	}, func(n int) {
		for i := 0; i < n; i++ {
			ring16[i%len(ring16)] = new([16]byte)
		}
	}},
	{"64B", 64, func(n int) {
		for i := 0; i < n; i++ {
			sink64 = new([64]byte)
		}
	}, func(n int) {
		for i := 0; i < n; i++ {
			ring64[i%len(ring64)] = new([64]byte)
		}
	}},
	{"256B", 256, func(n int) {
		for i := 0; i < n; i++ {
			sink256 = new([256]byte)
		}
	}, func(n int) {
		for i := 0; i < n; i++ {
			ring256[i%len(ring256)] = new([256]byte)
		}
	}},
	{"4KB", 4096, func(n int) {
		for i := 0; i < n; i++ {
			sink4K = new([4096]byte)
		}
	}, nil},
	{"32KB", 32768, func(n int) {
		for i := 0; i < n; i++ {
			sink32K = new([32768]byte)
		}
	}, nil},
	{"1MB", 1 << 20, func(n int) {
		for i := 0; i < n; i++ {
			sink1M = new([1 << 20]byte)
		}
	}, nil},
}

func BenchmarkNewobject(b *testing.B) {
	for _, s := range sizes {
		s := s
		b.Run(s.name, func(b *testing.B) { newobject(b, s.size, s.fresh) })
	}
}

func BenchmarkAllIn(b *testing.B) {
	for _, s := range sizes {
		if s.ring != nil {
			s := s
			b.Run(s.name, func(b *testing.B) { s.ring(b.N) })
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
	nodes := bytes / int(unsafe.Sizeof(gcnode{}))
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
		want := *liveMB * 1000000 / int(unsafe.Sizeof(gcnode{}))
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
