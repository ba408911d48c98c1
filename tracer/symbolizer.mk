# tracer/symbolizer.mk — the symbolizer (libelf + libdw), used by the viewer.
#
# A convenience library: the viewer and its tests link it; libescapade.so
# never does (the tracer records addresses, symbolization happens after the
# run).  libstdc++ is opened at run time, at the first C++ name
# (__cxa_demangle): commands that meet none never map it.
noinst_LTLIBRARIES += tracer/libsymbolize.la
tracer_libsymbolize_la_SOURCES = tracer/symbolize.c tracer/symbolize.h \
	tracer/idtable.c tracer/idtable.h
tracer_libsymbolize_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir) $(LIBDW_CFLAGS) $(LIBELF_CFLAGS)
tracer_libsymbolize_la_LIBADD = $(LIBDW_LIBS) $(LIBELF_LIBS) -ldl
