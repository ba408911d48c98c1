# tests/heap.mk — tests of the heap (allocator and collector).
#
# Each suite links gort statically, like every gort program.
heap_test_cflags = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(GORT_CFLAGS)
heap_test_ldadd = $(gort_ldadd) $(CMOCKA_LIBS) -ldl
heap_test_util = tests/heap/util.c tests/heap/util.h

check_PROGRAMS += tests/heap/test_sizeclasses tests/heap/test_malloc
TESTS += tests/heap/test_sizeclasses tests/heap/test_malloc

tests_heap_test_sizeclasses_SOURCES = tests/heap/test_sizeclasses.c
tests_heap_test_sizeclasses_CFLAGS = $(heap_test_cflags)
tests_heap_test_sizeclasses_LDADD = $(heap_test_ldadd)
tests_heap_test_sizeclasses_LDFLAGS = $(gort_prog_ldflags)
# The test runs the generator to compare it with the committed header.
EXTRA_tests_heap_test_sizeclasses_DEPENDENCIES = runtime/mksizeclasses$(EXEEXT)

tests_heap_test_malloc_SOURCES = tests/heap/test_malloc.c $(heap_test_util)
tests_heap_test_malloc_CFLAGS = $(heap_test_cflags)
tests_heap_test_malloc_LDADD = $(heap_test_ldadd)
tests_heap_test_malloc_LDFLAGS = $(gort_prog_ldflags)

check_PROGRAMS += tests/heap/test_gc
TESTS += tests/heap/test_gc
tests_heap_test_gc_SOURCES = tests/heap/test_gc.c $(heap_test_util)
tests_heap_test_gc_CFLAGS = $(heap_test_cflags)
tests_heap_test_gc_LDADD = $(heap_test_ldadd)
tests_heap_test_gc_LDFLAGS = $(gort_prog_ldflags)

# gort as users get it: installed, then `cc prog.c $(pkg-config --cflags --libs gort)`,
# with the configured compiler (and the sanitizers a sanitized libgort needs).
TESTS += tests/heap/pkgconfig.sh
AM_TESTS_ENVIRONMENT += \
	heap_test_cc='$(CC)'; heap_test_cflags='$(SANITIZE_CFLAGS) $(SANITIZE_LDFLAGS)'; \
	export heap_test_cc heap_test_cflags;
EXTRA_DIST += tests/heap/pkgconfig.sh tests/heap/pkgconfig_prog.c

# The collector under split stacks: the same suite built with -fsplit-stack,
# so that collections start on stack segments (calls into non-split code get
# a fresh segment) and every segment must be scanned.  Not with the
# sanitizers: ASan does not follow split stacks (it warns on every switch).
if !SANITIZERS
check_PROGRAMS += tests/heap/test_gc_splitstack
TESTS += tests/heap/test_gc_splitstack
endif
tests_heap_test_gc_splitstack_SOURCES = $(tests_heap_test_gc_SOURCES)
tests_heap_test_gc_splitstack_CFLAGS = $(heap_test_cflags) -fsplit-stack
tests_heap_test_gc_splitstack_LDADD = $(heap_test_ldadd)
tests_heap_test_gc_splitstack_LDFLAGS = $(gort_prog_ldflags) -fuse-ld=gold

# The scavenger: free pages back to the OS (resident set measured), and
# back from it zeroed.
check_PROGRAMS += tests/heap/test_scavenge
TESTS += tests/heap/test_scavenge
tests_heap_test_scavenge_SOURCES = tests/heap/test_scavenge.c $(heap_test_util)
tests_heap_test_scavenge_CFLAGS = $(heap_test_cflags)
tests_heap_test_scavenge_LDADD = $(heap_test_ldadd)
tests_heap_test_scavenge_LDFLAGS = $(gort_prog_ldflags)
