# bench/escape.mk — the escape bench (issue 6): every case of
# escape-cases.md as an escaping and a non-escaping benchmark on gort, the C
# allocators beside the cases where they mean something, and the Go side.
#
#   bench_escape          a..o on gort, inside gort_main
#   bench_escape_malloc   a, m, n, o with glibc malloc + free (time only)
#   bench_escape_mallocx  the same with jemalloc mallocx + dallocx
#   make bench-go         runs bench/go/escape_test.go too (compare-go.sh)
bench_programs += bench/bench_escape bench/bench_escape_malloc bench/bench_escape_mallocx
bench_bench_escape_SOURCES = bench/bench_escape.c bench/escape.h bench/escape_values.c \
	bench/escape_closures.c bench/escape_boxing.c bench/escape_slices.c \
	bench/gort_meter.c $(bench_harness_sources)
bench_bench_escape_CPPFLAGS = $(bench_cppflags)
bench_bench_escape_CFLAGS = $(AM_CFLAGS) $(GORT_CFLAGS)
bench_bench_escape_LDADD = $(gort_ldadd) -lm
bench_bench_escape_LDFLAGS = $(gort_prog_ldflags)

bench_bench_escape_malloc_SOURCES = bench/escape_alloc.c bench/escape.h $(bench_harness_sources)
bench_bench_escape_malloc_CPPFLAGS = $(bench_cppflags)
bench_bench_escape_malloc_LDADD = -lm
bench_bench_escape_mallocx_SOURCES = $(bench_bench_escape_malloc_SOURCES) bench/jemalloc_meter.c
bench_bench_escape_mallocx_CPPFLAGS = $(bench_cppflags) -DBENCH_JEMALLOC $(JEMALLOC_CFLAGS)
bench_bench_escape_mallocx_LDADD = $(JEMALLOC_LIBS) -lm

EXTRA_DIST += bench/go/escape_test.go

# The results table of doc/escape-results.md: medians of -count runs, gort's
# heap/stack ratios beside Go's.  make bench-escape-table ESCAPE_TABLE_ARGS='-count 5'
ESCAPE_TABLE_ARGS =
EXTRA_DIST += bench/escape-table.sh
.PHONY: bench-escape-table
bench-escape-table: bench/bench_escape$(EXEEXT) bench/bench_escape_malloc$(EXEEXT) \
		bench/bench_escape_mallocx$(EXEEXT)
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' GO='$(GO)' \
		$(SHELL) $(top_srcdir)/bench/escape-table.sh $(ESCAPE_TABLE_ARGS)

# Instructions per op under callgrind (load-independent): make bench-escape-callgrind
EXTRA_DIST += bench/escape-callgrind.sh
.PHONY: bench-escape-callgrind
bench-escape-callgrind: bench/bench_escape$(EXEEXT)
	top_builddir='$(abs_top_builddir)' $(SHELL) $(top_srcdir)/bench/escape-callgrind.sh \
		$(ESCAPE_CALLGRIND_ARGS)
