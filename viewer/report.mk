# viewer/report.mk — the pass every command shares: the trace load
# (reader -> aggregation, modules -> symbolizer) and sites.  Included from
# viewer/local.mk; the escapade program links libreport (and has
# `escapade report` itself, which loads through viewer/view.c).
noinst_LTLIBRARIES += viewer/libreport.la
viewer_libreport_la_SOURCES = \
	viewer/aggregate.c viewer/aggregate.h \
	viewer/load.c viewer/load.h \
	viewer/sites.c viewer/sites.h
viewer_libreport_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir) -I$(top_srcdir)/tracer
viewer_libreport_la_LIBADD = viewer/liboutputs.la tracer/libsymbolize.la tracer/libescreader.la
