# tracer/local.mk — the tracer's build.
#
# libescapade.so (the preloaded recorder), the trace format shared with the
# viewer, and libescreader (the trace reader the viewer links).

noinst_HEADERS += tracer/format.h tracer/reader.h
EXTRA_DIST += doc/trace-format.md
include tracer/symbolizer.mk
