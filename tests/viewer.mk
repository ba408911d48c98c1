# tests/viewer.mk — tests of the viewer (and of the symbolizer it uses).
include tests/viewer-outputs.mk

# The symbolizer resolves this test's own addresses; built as a PIE and as a
# non-PIE executable to cover both load-bias cases.
check_PROGRAMS += tests/test_symbolize tests/test_symbolize_nopie
TESTS += tests/test_symbolize tests/test_symbolize_nopie
tests_test_symbolize_SOURCES = tests/test_symbolize.c
tests_test_symbolize_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir) $(CMOCKA_CFLAGS)
tests_test_symbolize_CFLAGS = $(AM_CFLAGS) -g
tests_test_symbolize_LDADD = tracer/libsymbolize.la $(CMOCKA_LIBS)
tests_test_symbolize_nopie_SOURCES = $(tests_test_symbolize_SOURCES)
tests_test_symbolize_nopie_CPPFLAGS = $(tests_test_symbolize_CPPFLAGS)
tests_test_symbolize_nopie_CFLAGS = $(AM_CFLAGS) -g -fno-pie
tests_test_symbolize_nopie_LDFLAGS = $(AM_LDFLAGS) -no-pie
tests_test_symbolize_nopie_LDADD = $(tests_test_symbolize_LDADD)

# The aggregation behind `escapade report`, on hand-written events.
check_PROGRAMS += tests/test_aggregate
TESTS += tests/test_aggregate
tests_test_aggregate_SOURCES = tests/test_aggregate.c viewer/aggregate.c
tests_test_aggregate_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir) $(CMOCKA_CFLAGS)
tests_test_aggregate_LDADD = $(CMOCKA_LIBS)
