# tests/sched.mk — tests of the scheduler, stacks and channels.
#
# Every test program runs goroutine code, so it is compiled with
# -fsplit-stack and links gort statically with gold, as users do.
sched_test_cflags = $(AM_CFLAGS) $(GORT_CFLAGS) $(CMOCKA_CFLAGS) -pthread
sched_test_ldadd = $(gort_ldadd) $(CMOCKA_LIBS)

# Tests that measure the stack itself: segment counts and frame sizes,
# tracebacks, gdb's walk, the prologues objdump sees.  ASan's redzones and
# instrumentation change all of those, and ASan does not follow gort's stack
# switches, so they run only in builds without the sanitizers (see the end of
# this file).
sched_stack_tests =

check_PROGRAMS += tests/sched/test_stack
sched_stack_tests += tests/sched/test_stack
tests_sched_test_stack_SOURCES = tests/sched/test_stack.c
tests_sched_test_stack_CFLAGS = $(sched_test_cflags) $(LIBUNWIND_CFLAGS)
tests_sched_test_stack_LDADD = $(sched_test_ldadd) $(LIBUNWIND_LIBS)
tests_sched_test_stack_LDFLAGS = $(gort_prog_ldflags)

check_PROGRAMS += tests/sched/test_proc
sched_stack_tests += tests/sched/test_proc
tests_sched_test_proc_SOURCES = tests/sched/test_proc.c tests/sched/child.c tests/sched/child.h
tests_sched_test_proc_CFLAGS = $(sched_test_cflags)
tests_sched_test_proc_LDADD = $(sched_test_ldadd)
tests_sched_test_proc_LDFLAGS = $(gort_prog_ldflags)

check_PROGRAMS += tests/sched/test_chan
TESTS += tests/sched/test_chan
tests_sched_test_chan_SOURCES = tests/sched/test_chan.c tests/sched/child.c tests/sched/child.h
tests_sched_test_chan_CFLAGS = $(sched_test_cflags)
tests_sched_test_chan_LDADD = $(sched_test_ldadd)
tests_sched_test_chan_LDFLAGS = $(gort_prog_ldflags)

# gdb reads __morestack's CFI across segment boundaries.
check_PROGRAMS += tests/sched/gdb_target
tests_sched_gdb_target_SOURCES = tests/sched/gdb_target.c
tests_sched_gdb_target_CFLAGS = $(AM_CFLAGS) $(GORT_CFLAGS) -g -pthread
tests_sched_gdb_target_LDADD = $(gort_ldadd)
tests_sched_gdb_target_LDFLAGS = $(gort_prog_ldflags)
sched_stack_tests += tests/sched/gdb-backtrace.sh
EXTRA_DIST += tests/sched/gdb-backtrace.sh

# The hot paths do not call __morestack_non_split (objdump of test_chan).
sched_stack_tests += tests/sched/nonsplit-check.sh
EXTRA_DIST += tests/sched/nonsplit-check.sh

if !SANITIZERS
TESTS += $(sched_stack_tests)
endif
