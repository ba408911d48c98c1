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
tests_test_aggregate_SOURCES = tests/test_aggregate.c viewer/aggregate.c tracer/idtable.c
tests_test_aggregate_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir) $(CMOCKA_CFLAGS)
tests_test_aggregate_LDADD = $(CMOCKA_LIBS)

# End-to-end programs of `escapade report`: plain executables (no libtool
# wrapper in front of them, so the tracer sees the real program), built
# without optimization so every allocation stays on its own source line, and
# without the sanitizers of a sanitizer build (ASan must come first in the
# link map; the tracer is preloaded ahead of it).
e2e_cflags = -g -O0 -fno-omit-frame-pointer
check_PROGRAMS += tests/e2e/known_peak tests/e2e/jemalloc_api tests/e2e/cxx_new
tests_e2e_known_peak_SOURCES = tests/e2e/known_peak.c
tests_e2e_known_peak_CFLAGS = $(WARN_CFLAGS) $(e2e_cflags)
tests_e2e_known_peak_LDFLAGS =
tests_e2e_jemalloc_api_SOURCES = tests/e2e/jemalloc_api.c
tests_e2e_jemalloc_api_CFLAGS = $(WARN_CFLAGS) $(e2e_cflags) $(JEMALLOC_CFLAGS)
tests_e2e_jemalloc_api_LDFLAGS =
tests_e2e_jemalloc_api_LDADD = $(JEMALLOC_LIBS)
tests_e2e_cxx_new_SOURCES = tests/e2e/cxx_new.cc
tests_e2e_cxx_new_CXXFLAGS = $(WARN_CFLAGS) $(e2e_cflags)
tests_e2e_cxx_new_LDFLAGS =
EXTRA_DIST += tests/e2e/lib.sh

# The fuzz corpus, replayed through the reader and the aggregation.
check_PROGRAMS += tests/test_corpus
TESTS += tests/test_corpus
tests_test_corpus_SOURCES = tests/test_corpus.c
tests_test_corpus_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir) -I$(top_srcdir)/tracer $(CMOCKA_CFLAGS)
tests_test_corpus_LDADD = viewer/libreport.la $(CMOCKA_LIBS)

# The clean-up of call-tree paths (split functions, start-up frames).
check_PROGRAMS += tests/test_tidy_path
TESTS += tests/test_tidy_path
tests_test_tidy_path_SOURCES = tests/test_tidy_path.c
tests_test_tidy_path_CPPFLAGS = $(tests_test_corpus_CPPFLAGS)
tests_test_tidy_path_LDADD = viewer/libreport.la $(CMOCKA_LIBS)

# End-to-end: `escapade report` on the corpus, and on programs traced by
# `escapade record`.
TESTS += tests/e2e/report-cli.sh tests/e2e/report-known-peak.sh \
	tests/e2e/report-cxx-jemalloc.sh tests/e2e/report-vs-heaptrack.sh
EXTRA_DIST += tests/e2e/report-cli.sh tests/e2e/report-known-peak.sh \
	tests/e2e/report-cxx-jemalloc.sh tests/e2e/report-vs-heaptrack.sh \
	tests/e2e/report-gort.sh

# The fuzz corpus and its replay (tests/test_corpus, in `make check`), and
# the libFuzzer target over the same pass, built only by `make fuzz` (clang).
EXTRA_DIST += tests/fuzz/make-corpus.py tests/fuzz/fuzz_trace.c tests/fuzz/corpus
FUZZ_CC = clang
FUZZ_SECONDS = 60
fuzz_trace_sources = tests/fuzz/fuzz_trace.c tracer/reader.c tracer/symbolize.c tracer/idtable.c \
	viewer/aggregate.c viewer/load.c viewer/sites.c viewer/framestack.c
.PHONY: fuzz fuzz-run
fuzz: tests/fuzz/fuzz_trace
tests/fuzz/fuzz_trace: $(fuzz_trace_sources:%=$(srcdir)/%) config.h
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CC)$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined \
		-I$(top_builddir) -I$(top_srcdir) -I$(top_srcdir)/tracer -I$(top_srcdir)/viewer \
		$(LIBDW_CFLAGS) $(ZLIB_CFLAGS) $(fuzz_trace_sources:%=$(srcdir)/%) -o $@ \
		$(LIBDW_LIBS) $(LIBELF_LIBS) $(ZLIB_LIBS) -lstdc++
# Runs the fuzzer for FUZZ_SECONDS on a scratch copy of the corpus; new
# inputs it finds land in tests/fuzz/found (keep the interesting ones as
# corpus/mutated-*).
fuzz-run: tests/fuzz/fuzz_trace
	@$(MKDIR_P) tests/fuzz/found
	./tests/fuzz/fuzz_trace -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
		tests/fuzz/found $(srcdir)/tests/fuzz/corpus
CLEANFILES += tests/fuzz/fuzz_trace

# gort objects through the tracer's probes (gort linked statically, as
# gort.pc makes programs do; the program itself stays dynamic, so the tracer
# can be preloaded).
check_PROGRAMS += tests/e2e/gort_objects
TESTS += tests/e2e/report-gort.sh
tests_e2e_gort_objects_SOURCES = tests/e2e/gort_objects.c
tests_e2e_gort_objects_CFLAGS = $(WARN_CFLAGS) $(e2e_cflags) $(GORT_CFLAGS)
tests_e2e_gort_objects_LDADD = $(gort_ldadd)
# The executable exports the probe entry points, as gort.pc makes users do.
tests_e2e_gort_objects_LDFLAGS = $(gort_prog_ldflags)
include tests/viewer-cmds.mk

# Escape verdicts of gort objects (tracer/barrier.c): one site per case,
# compiled and linked the way users build gort programs.
check_PROGRAMS += tests/e2e/gort_verdicts
# In sanitizer builds too: the goroutine case (line 56) once got no evidence
# there, because the ASan-built gort_newobject took a new stack segment and
# named __morestack's frame as its caller (now no_split_stack, malloc.c).
TESTS += tests/e2e/report-verdicts.sh
EXTRA_DIST += tests/e2e/report-verdicts.sh
tests_e2e_gort_verdicts_SOURCES = tests/e2e/gort_verdicts.c
tests_e2e_gort_verdicts_CFLAGS = $(WARN_CFLAGS) $(e2e_cflags) $(GORT_CFLAGS)
tests_e2e_gort_verdicts_LDADD = $(gort_ldadd)
tests_e2e_gort_verdicts_LDFLAGS = $(gort_prog_ldflags)
