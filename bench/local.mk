# bench/local.mk — the bench: the harness and the heap benchmarks.
#
# Every benchmark program links bench/harness.c (go test's driver) and prints
# go test's format; `make bench` runs them all.  `make bench-go` runs the Go
# counterparts (bench/go) beside gort's figures; it needs Go and is never part
# of `make check`.

bench_harness_sources = bench/harness.c bench/harness.h
bench_cppflags = $(AM_CPPFLAGS) -I$(top_srcdir)/bench

include bench/sched.mk

# The C allocators, baselines of the heap benchmarks (issue 2).
bench_programs += bench/bench_malloc bench/bench_mallocx
bench_bench_malloc_SOURCES = bench/bench_malloc.c bench/heap_sizes.h $(bench_harness_sources)
bench_bench_malloc_CPPFLAGS = $(bench_cppflags)
bench_bench_malloc_LDADD = -lm
bench_bench_mallocx_SOURCES = $(bench_bench_malloc_SOURCES) bench/jemalloc_meter.c
bench_bench_mallocx_CPPFLAGS = $(bench_cppflags) -DBENCH_JEMALLOC $(JEMALLOC_CFLAGS)
bench_bench_mallocx_LDADD = $(JEMALLOC_LIBS) -lm

# The gort heap (issue 2): newobject vs the allocators above, the all-in loop
# with collections, binary-trees, and a full collection of a 100 MB live heap.
bench_programs += bench/bench_newobject bench/bench_binarytrees bench/bench_gc
bench_bench_newobject_SOURCES = bench/bench_newobject.c bench/heap_sizes.h \
	bench/gort_meter.c $(bench_harness_sources)
bench_bench_newobject_CPPFLAGS = $(bench_cppflags)
bench_bench_newobject_CFLAGS = $(AM_CFLAGS) $(GORT_CFLAGS)
bench_bench_newobject_LDADD = $(gort_ldadd) -lm
bench_bench_newobject_LDFLAGS = $(gort_prog_ldflags)
bench_bench_binarytrees_SOURCES = bench/bench_binarytrees.c bench/gort_meter.c \
	$(bench_harness_sources)
bench_bench_binarytrees_CPPFLAGS = $(bench_cppflags)
bench_bench_binarytrees_CFLAGS = $(AM_CFLAGS) $(GORT_CFLAGS)
bench_bench_binarytrees_LDADD = $(gort_ldadd) -lm
bench_bench_binarytrees_LDFLAGS = $(gort_prog_ldflags)
bench_bench_gc_SOURCES = bench/bench_gc.c bench/gort_meter.c $(bench_harness_sources)
bench_bench_gc_CPPFLAGS = $(bench_cppflags)
bench_bench_gc_CFLAGS = $(AM_CFLAGS) $(GORT_CFLAGS)
bench_bench_gc_LDADD = $(gort_ldadd) -lm
bench_bench_gc_LDFLAGS = $(gort_prog_ldflags)

# Go's figures beside gort's: bench/compare-go.sh (needs Go; not in `make
# check`).  Arguments: make bench-go BENCH_GO_ARGS='-depth 18'.
BENCH_GO_ARGS =
EXTRA_DIST += bench/compare-go.sh bench/go/go.mod bench/go/heap_test.go \
	bench/go/binarytrees_test.go
CLEANFILES += bench/go/bench.test

.PHONY: bench-go
bench-go: $(bench_programs)
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' GO='$(GO)' \
		$(SHELL) $(top_srcdir)/bench/compare-go.sh $(BENCH_GO_ARGS)

# Instructions per op of the allocation fast paths under callgrind: a figure
# the machine's load cannot move.  make bench-instr BENCH_INSTR_ARGS='-n 100000'
BENCH_INSTR_ARGS =
EXTRA_DIST += bench/instructions.sh

.PHONY: bench-instr
bench-instr: bench/bench_newobject bench/bench_mallocx bench/bench_malloc
	top_builddir='$(abs_top_builddir)' VALGRIND='$(VALGRIND)' \
		$(SHELL) $(top_srcdir)/bench/instructions.sh $(BENCH_INSTR_ARGS)

include bench/viewer.mk
include bench/tracer.mk
include bench/viewer-read.mk
include bench/escape.mk
