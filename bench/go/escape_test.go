// escape_test.go — Go's side of the escape bench (bench/bench_escape.c):
// every case of escape-cases.md, a to o, with the same names, so that the
// lines pair with gort's.  The escaping forms escape the way Go writers make
// them escape (a return value, a global sink, a leaking parameter, a closure
// that outlives its frame); the non-escaping forms do the same work in the
// frame.  Functions are //go:noinline, as the C side's are noinline, so that
// `-gcflags=-l` and the default build say the same thing.
//
// Go 1.19.8's verdicts, from
//
//	go test -c -o /dev/null -gcflags='-m -l' .
//
// are in the comment above each function ("-m: ...").  The allocations are
// measured (-benchmem), never assumed.
package bench

import (
	"sync"
	"testing"
)

// Typed sinks: storing a slice in an `any` would box its header (one more
// allocation that is not the case's).
var (
	escSink      any
	escSinkInt   int64
	escSinkAny   any
	escSinkInts  []int64
	escSinkBytes []byte
	escSinkPtr   *int64
)

// ---- a: return a pointer to a local ---------------------------------------

type Demo struct {
	name string
	id   int64
}

var escSinkDemo Demo

// -m: leaking param: name to result ~r0 level=0; new(Demo) escapes to heap
//
//go:noinline
func createDemo(name string, id int64) *Demo {
	d := new(Demo)
	d.name = name
	d.id = id
	return d
}

// -m: leaking param: name to result ~r0 level=0 (no allocation)
//
//go:noinline
func createDemoValue(name string, id int64) Demo {
	return Demo{name: name, id: id}
}

func BenchmarkA_ReturnPointer(b *testing.B) {
	b.Run("heap", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			escSink = createDemo("demo", int64(i))
		}
	})
	b.Run("stack", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			escSinkDemo = createDemoValue("demo", int64(i))
		}
	})
}

// ---- b: a closure capturing a counter -------------------------------------

// -m: moved to heap: n; func literal escapes to heap
//
//go:noinline
func increase() func() int64 {
	var n int64
	return func() int64 { n++; return n }
}

// -m: func literal does not escape (n stays in the frame)
//
//go:noinline
func countInFrame() int64 {
	var n int64
	f := func() int64 { n++; return n }
	r := f()
	return r + f()
}

func BenchmarkB_Closure(b *testing.B) {
	b.Run("heap", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			f := increase()
			r := f()
			escSinkInt = r + f()
		}
	})
	b.Run("stack", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			escSinkInt = countInFrame()
		}
	})
}

// ---- c: a goroutine capturing a local it modifies -------------------------

// -m: moved to heap: num; moved to heap: wg; func literal escapes to heap
//
//go:noinline
func spawnModify(start int64) int64 {
	var wg sync.WaitGroup
	num := start
	wg.Add(1)
	go func() { num++; wg.Done() }()
	wg.Wait()
	return num
}

var (
	copyWG     sync.WaitGroup
	copyResult int64
)

// -m: func literal escapes to heap (num is copied into it: 1 allocation)
//
//go:noinline
func spawnCopy(num int64) int64 {
	copyWG.Add(1)
	go func() { copyResult = num + 1; copyWG.Done() }()
	copyWG.Wait()
	return copyResult
}

func BenchmarkC_GoroutineCapture(b *testing.B) {
	b.Run("heap", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			escSinkInt = spawnModify(int64(i))
		}
	})
	b.Run("stack", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			escSinkInt = spawnCopy(int64(i))
		}
	})
}

// ---- d: passing to interface{} -----------------------------------------------

// -m: leaking param: e
//
//go:noinline
func describeAny(e any) int64 {
	escSinkAny = e
	if d, ok := e.(Demo); ok {
		return d.id
	}
	return e.(int64)
}

// -m: d does not escape
//
//go:noinline
func describeDemo(d *Demo) int64 { return d.id + int64(len(d.name)) }

//go:noinline
func describeInt(v int64) int64 { return v }

func BenchmarkD_Interface(b *testing.B) {
	// -m: d escapes to heap (convT: 1 allocation)
	b.Run("struct/heap", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			d := Demo{name: "demo", id: int64(i)}
			escSinkInt = describeAny(d)
		}
	})
	b.Run("struct/stack", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			d := Demo{name: "demo", id: int64(i)}
			escSinkInt = describeDemo(&d)
		}
	})
	// -m: int64(i) + 256 escapes to heap (convT64: 1 allocation)
	b.Run("int/heap", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			escSinkInt = describeAny(int64(i) + 256)
		}
	})
	b.Run("int/stack", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			escSinkInt = describeInt(int64(i) + 256)
		}
	})
	// -m: int64(i & 255) escapes to heap, but convT64 returns a pointer
	// into runtime.staticuint64s: 0 allocations
	b.Run("smallint/heap", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			escSinkInt = describeAny(int64(i & 255))
		}
	})
}

// ---- f: []interface{}{100, 200}; data[0] = 100 --------------------------------

// -m: []any{...} does not escape; x does not escape; y does not escape (the
// literal's boxes live in the frame); x escapes to heap (data[0] = x: 100 is
// in staticuint64s, 0 allocations; a run-time value >= 256, 1)
//
//go:noinline
func sliceOfAny(x, y int64) int64 {
	data := []any{x, y}
	data[0] = x
	return data[0].(int64) + data[1].(int64)
}

//go:noinline
func sliceOfInt(x, y int64) int64 {
	data := []int64{x, y}
	data[0] = x
	return data[0] + data[1]
}

func BenchmarkF_SliceOfInterface(b *testing.B) {
	b.Run("heap", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			escSinkInt = sliceOfAny(100, 200)
		}
	})
	b.Run("var/heap", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			escSinkInt = sliceOfAny(int64(i)+1000, int64(i)+2000)
		}
	})
	b.Run("stack", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			escSinkInt = sliceOfInt(100, 200)
		}
	})
}

// ---- g: map[string]interface{}; data["key"] = 200 -------------------------------

// -m: make(map[string]any) does not escape; v escapes to heap
//
//go:noinline
func mapStringAny(v int64) int64 {
	data := make(map[string]any)
	data["key"] = v
	return data["key"].(int64)
}

// -m: make(map[string]int64) does not escape
//
//go:noinline
func mapStringInt(v int64) int64 {
	data := make(map[string]int64)
	data["key"] = v
	return data["key"]
}

func BenchmarkG_MapStringInterface(b *testing.B) {
	b.Run("heap", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			escSinkInt = mapStringAny(200)
		}
	})
	b.Run("var/heap", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			escSinkInt = mapStringAny(int64(i) + 1000)
		}
	})
	b.Run("stack", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			escSinkInt = mapStringInt(200)
		}
	})
}

// ---- h: map[interface{}]interface{}; data[100] = 200 -----------------------------

// -m: make(map[any]any) does not escape; k escapes to heap; v escapes to heap
//
//go:noinline
func mapAnyAny(k, v int64) int64 {
	data := make(map[any]any)
	data[k] = v
	return data[k].(int64)
}

// -m: make(map[int64]int64) does not escape
//
//go:noinline
func mapIntInt(k, v int64) int64 {
	data := make(map[int64]int64)
	data[k] = v
	return data[k]
}

func BenchmarkH_MapInterfaceInterface(b *testing.B) {
	b.Run("heap", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			escSinkInt = mapAnyAny(100, 200)
		}
	})
	b.Run("var/heap", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			escSinkInt = mapAnyAny(int64(i)+1000, int64(i)+2000)
		}
	})
	b.Run("stack", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			escSinkInt = mapIntInt(100, 200)
		}
	})
}

// ---- i: map[string][]string; data["key"] = []string{"value"} ----------------------

// -m: make(map[string][]string) does not escape; []string{...} escapes to heap
//
//go:noinline
func mapOfSlice() int64 {
	data := make(map[string][]string)
	data["key"] = []string{"value"}
	s := data["key"]
	return int64(len(s) + len(s[0]))
}

// -m: make(map[string][1]string) does not escape
//
//go:noinline
func mapOfArray() int64 {
	data := make(map[string][1]string)
	data["key"] = [1]string{"value"}
	s := data["key"]
	return int64(1 + len(s[0]))
}

func BenchmarkI_MapOfSlice(b *testing.B) {
	b.Run("heap", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			escSinkInt = mapOfSlice()
		}
	})
	b.Run("stack", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			escSinkInt = mapOfArray()
		}
	})
}

// ---- e: make([]int, N) ------------------------------------------------------------

// ends reads the slice through a call, so that the compiler must zero and
// write it (without it, Go drops the zeroing of a frame array that only two
// elements of are read: the C side's escape_keep does the same).
// -m: s does not escape
//
//go:noinline
func ends(s []int64) int64 { return s[0] + s[len(s)-1] }

// -m: buf does not escape
//
//go:noinline
func endsBytes(buf []byte) int64 { return int64(buf[0] + buf[len(buf)-1]) }

// Each size is its own function: the verdict depends on the constant.
// -m: make([]int64, 8191) does not escape
//
//go:noinline
func make8191() int64 { s := make([]int64, 8191); s[0] = 1; s[8190] = 2; return ends(s) }

// -m: make([]int64, 8192) does not escape (exactly 64 KiB: still the stack)
//
//go:noinline
func make8192() int64 { s := make([]int64, 8192); s[0] = 1; s[8191] = 2; return ends(s) }

// -m: make([]int64, 8193) escapes to heap (too large for stack)
//
//go:noinline
func make8193() int64 { s := make([]int64, 8193); s[0] = 1; s[8192] = 2; return ends(s) }

var runtimeN = 1024

// -m: make([]int64, n) escapes to heap (non-constant size)
//
//go:noinline
func makeN(n int) int64 { s := make([]int64, n); s[0] = 1; s[n-1] = 2; return ends(s) }

// -m: make([]int64, n) escapes to heap (returned)
//
//go:noinline
func makeHeap(n int) []int64 { s := make([]int64, n); s[0] = 1; s[n-1] = 2; return s }

func BenchmarkE_MakeSlice(b *testing.B) {
	for _, c := range []struct {
		name  string
		n     int
		stack func() int64
	}{{"8191", 8191, make8191}, {"8192", 8192, make8192}, {"8193", 8193, make8193}, {"n", 0, nil}} {
		c := c
		n := c.n
		b.Run(c.name+"/heap", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if n == 0 {
					escSinkInts = makeHeap(runtimeN)
				} else {
					escSinkInts = makeHeap(n)
				}
			}
		})
		b.Run(c.name+"/stack", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if c.stack == nil {
					escSinkInt = makeN(runtimeN)
				} else {
					escSinkInt = c.stack()
				}
			}
		})
	}
}

// ---- j: []*int{nil}; data[0] = &a -------------------------------------------------

// -m: moved to heap: a; []*int64{...} does not escape
//
//go:noinline
func sliceOfPointer(v int64) int64 {
	a := v
	data := []*int64{nil}
	data[0] = &a
	return *data[0]
}

// -m: []int64{...} does not escape
//
//go:noinline
func sliceOfIndex(v int64) int64 {
	vals := [1]int64{v}
	data := []int{0}
	data[0] = 0
	return vals[data[0]]
}

func BenchmarkJ_SliceOfPointer(b *testing.B) {
	b.Run("heap", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			escSinkInt = sliceOfPointer(int64(i))
		}
	})
	b.Run("stack", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			escSinkInt = sliceOfIndex(int64(i))
		}
	})
}

// ---- k: a call through a func value of unknown target ------------------------------

// -m: p does not escape
//
//go:noinline
func addOne(p *int64) { *p++ }

var gf = addOne

// -m: moved to heap: data (gf's target is unknown: its parameter leaks)
//
//go:noinline
func callUnknown(v int64) int64 {
	data := v
	gf(&data)
	return data
}

//go:noinline
func callDirect(v int64) int64 {
	data := v
	addOne(&data)
	return data
}

func BenchmarkK_FuncValue(b *testing.B) {
	b.Run("heap", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			escSinkInt = callUnknown(int64(i))
		}
	})
	b.Run("stack", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			escSinkInt = callDirect(int64(i))
		}
	})
}

// ---- l: a slice sent on a channel from a goroutine ------------------------------

// -m: func literal escapes to heap; []string{...} escapes to heap
// (and make(chan []string): a runtime allocation -m does not print)
//
//go:noinline
func recvSlice() int64 {
	ch := make(chan []string)
	go func() { ch <- []string{"value"} }()
	s := <-ch
	return int64(len(s) + len(s[0]))
}

// -m: func literal escapes to heap (the channel and the closure: 2 allocations)
//
//go:noinline
func recvCopy() int64 {
	ch := make(chan [1]string)
	go func() { ch <- [1]string{"value"} }()
	v := <-ch
	return int64(len(v[0]))
}

func BenchmarkL_ChanOfSlice(b *testing.B) {
	b.Run("heap", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			escSinkInt = recvSlice()
		}
	})
	b.Run("stack", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			escSinkInt = recvCopy()
		}
	})
}

// ---- m: new(int) returned vs not returned -------------------------------------------

// -m: new(int64) escapes to heap
//
//go:noinline
func newInt(v int64) *int64 { p := new(int64); *p = v; return p }

// -m: new(int64) does not escape
//
//go:noinline
func newIntLocal(v int64) int64 { p := new(int64); *p = v; return *p + 1 }

//go:noinline
func intOnStack(v int64) int64 { x := v; return x + 1 }

func BenchmarkM_NewInt(b *testing.B) {
	b.Run("heap", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			escSinkPtr = newInt(int64(i))
		}
	})
	b.Run("local-heap", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			escSinkInt = newIntLocal(int64(i))
		}
	})
	b.Run("stack", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			escSinkInt = intOnStack(int64(i))
		}
	})
}

// ---- n: small struct by value, by pointer, stored in a global -----------------------

type point struct{ x, y int64 }

var globalPoint *point

//go:noinline
func byValue(p point) int64 { return p.x*3 + p.y }

// -m: p does not escape
//
//go:noinline
func byPointer(p *point) int64 { return p.x*3 + p.y }

// -m: leaking param: p
//
//go:noinline
func storeGlobal(p *point) int64 { globalPoint = p; return p.x*3 + p.y }

func BenchmarkN_SmallStruct(b *testing.B) {
	// -m: moved to heap: r
	b.Run("global", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			r := point{x: int64(i), y: 2}
			escSinkInt = storeGlobal(&r)
		}
	})
	b.Run("pointer", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			r := point{x: int64(i), y: 2}
			escSinkInt = byPointer(&r)
		}
	})
	b.Run("value", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			r := point{x: int64(i), y: 2}
			escSinkInt = byValue(r)
		}
	})
}

// ---- o: large objects ---------------------------------------------------------------

// -m: make([]byte, size) escapes to heap
//
//go:noinline
func largeHeap(size int) []byte { p := make([]byte, size); p[0] = 1; p[size-1] = 1; return p }

// An explicitly declared array stays on the stack up to 10 MB
// (ir.MaxStackVarSize); the goroutine's stack grows by copying to hold it.
//
//go:noinline
func largeStack33K() int64 {
	var buf [33 << 10]byte
	buf[0] = 1
	buf[len(buf)-1] = 1
	return endsBytes(buf[:])
}

//go:noinline
func largeStack1M() int64 {
	var buf [1 << 20]byte
	buf[0] = 1
	buf[len(buf)-1] = 1
	return endsBytes(buf[:])
}

func BenchmarkO_Large(b *testing.B) {
	for _, c := range []struct {
		name  string
		size  int
		stack func() int64
	}{{"33KB", 33 << 10, largeStack33K}, {"1MB", 1 << 20, largeStack1M}} {
		c := c
		b.Run(c.name+"/heap", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				escSinkBytes = largeHeap(c.size)
			}
		})
		b.Run(c.name+"/stack", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				escSinkInt = c.stack()
			}
		})
	}
}
