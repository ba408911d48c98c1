# runtime/local.mk — libgort (static and shared), its headers and gort.pc.
#
# The runtime's sources are listed by concept in runtime/heap.mk (allocator and
# collector) and runtime/sched.mk (goroutines, stacks, channels); this file
# only assembles the library.

gort_heap_sources =
gort_sched_sources =
include runtime/heap.mk
include runtime/sched.mk

lib_LTLIBRARIES += runtime/libgort.la
runtime_libgort_la_SOURCES = \
	runtime/internal.h \
	runtime/probes.c \
	$(gort_heap_sources) \
	$(gort_sched_sources)
runtime_libgort_la_CFLAGS = $(AM_CFLAGS) $(GORT_CFLAGS) -pthread
runtime_libgort_la_LIBADD = -lpthread
runtime_libgort_la_LDFLAGS = $(AM_LDFLAGS) -version-info 0:0:0

include_HEADERS += runtime/gort.h runtime/probes.h
pkgconfig_DATA += runtime/gort.pc runtime/gort-frames.pc
EXTRA_DIST += runtime/gort.pc.in runtime/gort-frames.pc.in
DISTCLEANFILES += runtime/gort.pc runtime/gort-frames.pc

# Programs that run gort code link it statically, as gort.pc makes users do.
gort_ldadd = runtime/libgort.la -lpthread
gort_prog_ldflags = $(AM_LDFLAGS) -static $(GORT_LDFLAGS)
