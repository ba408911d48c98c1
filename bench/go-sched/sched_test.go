// sched_test.go — Go's side of bench/bench_sched.c: the same benchmarks,
// same names and shapes, so the two can be read side by side
// (bench/sched-compare.sh runs both with GOMAXPROCS=1).
package gosched

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func BenchmarkGoCreate(b *testing.B) {
	var wg sync.WaitGroup
	for i := 0; i < b.N; i++ {
		wg.Add(1)
		go func() { wg.Done() }()
		if i%1000 == 999 {
			wg.Wait()
		}
	}
	wg.Wait()
}

func BenchmarkGosched(b *testing.B) {
	var stop int32
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		for stop == 0 {
			runtime.Gosched()
		}
		wg.Done()
	}()
	runtime.Gosched()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		runtime.Gosched()
	}
	elapsed := time.Since(start)
	b.StopTimer()
	stop = 1
	wg.Wait()
	b.ReportMetric(float64(elapsed.Nanoseconds())/float64(b.N)/2, "ns/switch")
}

func BenchmarkChanRoundTrip(b *testing.B) {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v
		}
	}()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ping <- i
		<-pong
	}
	b.StopTimer()
	close(ping)
}

func rss() int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

func BenchmarkParked1M(b *testing.B) {
	const n = 1000000
	perG := 0.0
	base := runtime.NumGoroutine() // the test harness's own
	for i := 0; i < b.N; i++ {
		c := make(chan struct{})
		before := rss()
		for k := 0; k < n; k++ {
			go func() { <-c }()
		}
		for runtime.NumGoroutine() < base+n {
			runtime.Gosched()
		}
		runtime.Gosched()
		perG = float64(rss()-before) / n
		close(c)
		for runtime.NumGoroutine() > base {
			runtime.Gosched()
		}
	}
	b.ReportMetric(perG, "RSS-B/goroutine")
}
