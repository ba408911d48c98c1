# tests/viewer-cmds.mk — end-to-end tests of the output commands (folded,
# flame, pprof, diff, html, timeline) on traces recorded in the test from
# the programs below (and tests/tracer/prog_frames, built -finstrument-functions
# by tests/tracer.mk, for the stack metric of --frames traces).  Included from
# tests/viewer.mk.

check_PROGRAMS += tests/e2e/cmds_sizes tests/e2e/cmds_sizes_shifted tests/e2e/cmds_goroutines \
	tests/e2e/cmds_waits
tests_e2e_cmds_sizes_SOURCES = tests/e2e/cmds_sizes.cc
tests_e2e_cmds_sizes_CXXFLAGS = $(WARN_CFLAGS) $(e2e_cflags)
tests_e2e_cmds_sizes_LDFLAGS =
# the same program at other addresses, for diff across two builds
tests_e2e_cmds_sizes_shifted_SOURCES = tests/e2e/cmds_sizes.cc
tests_e2e_cmds_sizes_shifted_CXXFLAGS = $(WARN_CFLAGS) $(e2e_cflags) -DCMDS_SHIFT
tests_e2e_cmds_sizes_shifted_LDFLAGS =
tests_e2e_cmds_goroutines_SOURCES = tests/e2e/cmds_goroutines.c
tests_e2e_cmds_goroutines_CFLAGS = $(WARN_CFLAGS) $(e2e_cflags) $(GORT_CFLAGS)
tests_e2e_cmds_goroutines_LDADD = $(gort_ldadd)
tests_e2e_cmds_goroutines_LDFLAGS = $(gort_prog_ldflags) \
	-Wl,--export-dynamic-symbol=gort_set_probes

# built -finstrument-functions, for report's stack frames of --frames traces
check_PROGRAMS += tests/e2e/frames_heap
tests_e2e_frames_heap_SOURCES = tests/e2e/frames_heap.c
tests_e2e_frames_heap_CFLAGS = $(WARN_CFLAGS) $(e2e_cflags) -finstrument-functions
tests_e2e_frames_heap_LDFLAGS =
tests_e2e_cmds_waits_SOURCES = tests/e2e/cmds_waits.c
tests_e2e_cmds_waits_CFLAGS = $(WARN_CFLAGS) $(e2e_cflags) $(GORT_CFLAGS)
tests_e2e_cmds_waits_LDADD = $(gort_ldadd)
tests_e2e_cmds_waits_LDFLAGS = $(gort_prog_ldflags)

viewer_cmds_tests = tests/e2e/cmds-folded-flame.sh tests/e2e/cmds-pprof.sh \
	tests/e2e/cmds-diff.sh tests/e2e/cmds-goroutines.sh tests/e2e/cmds-errors.sh \
	tests/e2e/cmds-frames.sh
TESTS += $(viewer_cmds_tests)
EXTRA_DIST += $(viewer_cmds_tests)
