# tests/bench.mk — tests of the benchmark harness (bench/harness.c).
check_PROGRAMS += tests/test_bench_harness
TESTS += tests/test_bench_harness
tests_test_bench_harness_SOURCES = tests/test_bench_harness.c bench/harness.c bench/harness.h
tests_test_bench_harness_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/bench
tests_test_bench_harness_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_bench_harness_LDADD = $(CMOCKA_LIBS) -lm
