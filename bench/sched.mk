# bench/sched.mk — the scheduler's benchmarks (issue 3): goroutines,
# switches, channels, stack growth, parked goroutines.  `make bench` runs
# bench_sched; `make bench-sched-go` runs it beside its Go counterparts
# (bench/go-sched, needs Go) and prints the ratios.
bench_programs += bench/bench_sched
bench_bench_sched_SOURCES = bench/bench_sched.c bench/call_floor_amd64.S bench/gort_meter.c \
	$(bench_harness_sources)
bench_bench_sched_CPPFLAGS = $(bench_cppflags)
bench_bench_sched_CFLAGS = $(AM_CFLAGS) $(GORT_CFLAGS)
bench_bench_sched_LDADD = $(gort_ldadd) -lm
bench_bench_sched_LDFLAGS = $(gort_prog_ldflags)

EXTRA_DIST += bench/sched-compare.sh bench/go-common.sh bench/go-sched/go.mod \
	bench/go-sched/sched_test.go
CLEANFILES += bench/go-sched/sched.test

.PHONY: bench-sched-go
bench-sched-go: bench/bench_sched$(EXEEXT)
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' GO='$(GO)' \
		$(SHELL) $(top_srcdir)/bench/sched-compare.sh $(BENCH_ARGS)

# Instructions per op of the same benchmarks under callgrind (needs
# valgrind): make bench-sched-instr BENCH_SCHED_INSTR_ARGS='-n 100000'.
BENCH_SCHED_INSTR_ARGS =
EXTRA_DIST += bench/sched-instructions.sh

.PHONY: bench-sched-instr
bench-sched-instr: bench/bench_sched$(EXEEXT)
	top_builddir='$(abs_top_builddir)' VALGRIND='$(VALGRIND)' \
		$(SHELL) $(top_srcdir)/bench/sched-instructions.sh $(BENCH_SCHED_INSTR_ARGS)
