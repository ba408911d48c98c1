# tests/tracer.mk — tests of the tracer.
#
# test_reader: the reader on hand-built traces (round trips, cut and damaged
# files).  test_record: `escapade record` on the prog_* programs below,
# checked through the reader.  The programs are plain binaries (no libtool
# wrapper script), so what gets traced is the program itself.

check_PROGRAMS += tests/tracer/test_reader tests/tracer/test_record
TESTS += tests/tracer/test_reader tests/tracer/test_record

tests_tracer_test_reader_SOURCES = tests/tracer/test_reader.c
tests_tracer_test_reader_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir) $(CMOCKA_CFLAGS)
tests_tracer_test_reader_LDADD = tracer/libescreader.la $(CMOCKA_LIBS) $(ZLIB_LIBS)

tests_tracer_test_record_SOURCES = tests/tracer/test_record.c
tests_tracer_test_record_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir) $(CMOCKA_CFLAGS)
tests_tracer_test_record_LDADD = tracer/libescreader.la $(CMOCKA_LIBS) $(ZLIB_LIBS)

tracer_test_progs = \
	tests/tracer/prog_allfns \
	tests/tracer/prog_threads \
	tests/tracer/prog_forkexec \
	tests/tracer/prog_kill \
	tests/tracer/prog_segv \
	tests/tracer/prog_abort \
	tests/tracer/prog_sigalloc \
	tests/tracer/prog_handoff
check_PROGRAMS += $(tracer_test_progs)
# Frame pointers, as the programs Escapade is for are built.  The programs
# are the tracer's subjects, not code under test: never built with the
# sanitizers (prog_segv writes through NULL on purpose, prog_forkexec drops
# blocks, and ASan's own malloc would stand between them and the tracer).
tracer_subject_cflags = $(WARN_CFLAGS) -fno-omit-frame-pointer
tracer_subject_ldflags =
tests_tracer_prog_allfns_CFLAGS = $(tracer_subject_cflags)
tests_tracer_prog_allfns_LDFLAGS = $(tracer_subject_ldflags)
tests_tracer_prog_threads_CFLAGS = $(tracer_subject_cflags) -pthread
tests_tracer_prog_threads_LDFLAGS = $(tracer_subject_ldflags)
tests_tracer_prog_threads_LDADD = -lpthread
tests_tracer_prog_forkexec_CFLAGS = $(tracer_subject_cflags)
tests_tracer_prog_forkexec_LDFLAGS = $(tracer_subject_ldflags)
tests_tracer_prog_kill_CFLAGS = $(tracer_subject_cflags)
tests_tracer_prog_kill_LDFLAGS = $(tracer_subject_ldflags)
tests_tracer_prog_segv_CFLAGS = $(tracer_subject_cflags)
tests_tracer_prog_segv_LDFLAGS = $(tracer_subject_ldflags)
tests_tracer_prog_abort_CFLAGS = $(tracer_subject_cflags)
tests_tracer_prog_abort_LDFLAGS = $(tracer_subject_ldflags)
tests_tracer_prog_sigalloc_CFLAGS = $(tracer_subject_cflags)
tests_tracer_prog_sigalloc_LDFLAGS = $(tracer_subject_ldflags)
tests_tracer_prog_handoff_CFLAGS = $(tracer_subject_cflags) -pthread
tests_tracer_prog_handoff_LDFLAGS = $(tracer_subject_ldflags)
tests_tracer_prog_handoff_LDADD = -lpthread

# A gort program: the runtime's probes, found through the symbols the
# executable exports (gort_prog_ldflags exports the entry points of probes.h).
check_PROGRAMS += tests/tracer/prog_gort
tests_tracer_prog_gort_SOURCES = tests/tracer/prog_gort.c
tests_tracer_prog_gort_CFLAGS = $(AM_CFLAGS) $(GORT_CFLAGS) -pthread
tests_tracer_prog_gort_LDADD = $(gort_ldadd) -ldl
tests_tracer_prog_gort_LDFLAGS = $(gort_prog_ldflags)

# Frame-pointer chains across many stack segments, into unmapped ones,
# and to nowhere (test_record's gort_deep, stale and garbage-link tests).
check_PROGRAMS += tests/tracer/prog_gort_deep
tests_tracer_prog_gort_deep_SOURCES = tests/tracer/prog_gort_deep.c
tests_tracer_prog_gort_deep_CFLAGS = $(WARN_CFLAGS) $(GORT_CFLAGS) -pthread
tests_tracer_prog_gort_deep_LDADD = $(gort_ldadd)
tests_tracer_prog_gort_deep_LDFLAGS = $(gort_prog_ldflags)

# --frames: entry/exit of code built with -finstrument-functions.
check_PROGRAMS += tests/tracer/prog_frames
tests_tracer_prog_frames_CFLAGS = $(tracer_subject_cflags) -finstrument-functions
tests_tracer_prog_frames_LDFLAGS = $(tracer_subject_ldflags)

# --frames in a gort program: gort's __cyg_profile_func_* forward to the
# tracer's frame probes.  Built like a user's gort program, plus
# -finstrument-functions.
check_PROGRAMS += tests/tracer/prog_gort_frames
tests_tracer_prog_gort_frames_SOURCES = tests/tracer/prog_gort_frames.c
# The subject is never built with the sanitizers (their redzones would
# change the frames it checks); the runtime it links may be.
tests_tracer_prog_gort_frames_CFLAGS = $(WARN_CFLAGS) $(GORT_CFLAGS) -finstrument-functions
tests_tracer_prog_gort_frames_LDADD = $(gort_ldadd)
tests_tracer_prog_gort_frames_LDFLAGS = $(gort_prog_ldflags)
TESTS += tests/tracer/frames-gort.sh
EXTRA_DIST += tests/tracer/frames-gort.sh

# gort_stack_segments, the runtime's list behind the tracer's walks across
# stack segments: a goroutine program like a user's, which also reads the
# runtime's own segment chain (internal.h) to check the bounds.
check_PROGRAMS += tests/tracer/test_stack_segments
TESTS += tests/tracer/test_stack_segments
tests_tracer_test_stack_segments_SOURCES = tests/tracer/test_stack_segments.c
tests_tracer_test_stack_segments_CFLAGS = $(AM_CFLAGS) $(GORT_CFLAGS) $(CMOCKA_CFLAGS) -pthread
tests_tracer_test_stack_segments_LDADD = $(gort_ldadd) $(CMOCKA_LIBS)
tests_tracer_test_stack_segments_LDFLAGS = $(gort_prog_ldflags)
