// sizeof.go — the size of a value, for the benchmarks' batch arithmetic.
package bench

import "unsafe"

func unsafeSizeof[T any](v T) uintptr {
	return unsafe.Sizeof(v)
}
