# tracer/local.mk — the tracer's build.
#
# libescapade.so (the preloaded recorder), the trace format shared with the
# viewer, and libescreader (the trace reader the viewer links).

noinst_HEADERS += tracer/format.h tracer/reader.h
EXTRA_DIST += doc/trace-format.md

# The reader, for the viewer and the tests.
noinst_LTLIBRARIES += tracer/libescreader.la
tracer_libescreader_la_SOURCES = tracer/reader.c
tracer_libescreader_la_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS)
tracer_libescreader_la_LIBADD = $(ZLIB_LIBS)

# libescapade.so: LD_PRELOADed into the traced program.  A module (no
# version, no static archive): nothing links against it.  Built with frame
# pointers, since its hooks start every stack walk from their own frame.
# Never with the sanitizers, even in a sanitizer build: it is loaded into
# programs that were not built with them, and ASan's runtime must come first
# in a process or not at all.
lib_LTLIBRARIES += tracer/libescapade.la
tracer_libescapade_la_SOURCES = \
	tracer/internal.h \
	tracer/arena.c \
	tracer/barrier.c \
	tracer/barrier_amd64.S \
	tracer/blocks.c \
	tracer/cxx.c \
	tracer/frames.c \
	tracer/gort.c \
	tracer/hooks.c \
	tracer/maps.c \
	tracer/modules.c \
	tracer/preload.c \
	tracer/stacks.c \
	tracer/writer.c
tracer_libescapade_la_CFLAGS = $(WARN_CFLAGS) -fno-omit-frame-pointer -fvisibility=hidden \
	-ftls-model=initial-exec $(LIBUNWIND_CFLAGS) $(ZLIB_CFLAGS)
tracer_libescapade_la_LDFLAGS = -module -avoid-version -shared \
	-Wl,-z,nodelete
tracer_libescapade_la_LIBADD = $(LIBUNWIND_LIBS) $(ZLIB_LIBS) -ldl -lpthread
include tracer/symbolizer.mk
