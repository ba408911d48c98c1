# viewer/outputs.mk — the viewer's outputs: the call tree they are drawn from,
# the escaping they share, and one file per format (folded, flame SVG,
# pprof, timeline, html).  Included from viewer/local.mk.

noinst_LTLIBRARIES += viewer/liboutputs.la
viewer_liboutputs_la_SOURCES = \
	viewer/escape.c viewer/escape.h \
	viewer/calltree.c viewer/calltree.h \
	viewer/folded.c viewer/folded.h \
	viewer/flame.c viewer/flame_script.c viewer/flame.h \
	viewer/pprof.c viewer/pprof.h \
	viewer/timeline.c viewer/timeline.h \
	viewer/html.c viewer/html.h
viewer_liboutputs_la_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS)
viewer_liboutputs_la_LIBADD = $(ZLIB_LIBS)

# folded2out: folded text in, any output out.  Drives the tests and the
# benchmark until the trace reader feeds the same outputs.
noinst_PROGRAMS += viewer/folded2out
viewer_folded2out_SOURCES = viewer/folded2out.c
viewer_folded2out_LDADD = viewer/liboutputs.la
