# bench/local.mk — the bench: the harness and the heap benchmarks.
#
# Every benchmark program links bench/harness.c (go test's driver) and prints
# go test's format; `make bench` runs them all.  `make bench-go` runs the Go
# counterparts (bench/go) beside gort's figures; it needs Go and is never part
# of `make check`.

bench_harness_sources = bench/harness.c bench/harness.h
bench_cppflags = $(AM_CPPFLAGS) -I$(top_srcdir)/bench
EXTRA_DIST += bench/gort_meter.c

include bench/sched.mk
