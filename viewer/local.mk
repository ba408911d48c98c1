# viewer/local.mk — the viewer's build: the `escapade` command.
#
# main.c holds the command table; each command is its own file (record and
# dump live with the tracer, which owns the trace format).

bin_PROGRAMS += viewer/escapade
viewer_escapade_SOURCES = \
	viewer/main.c \
	viewer/commands.h \
	viewer/view.c viewer/view.h viewer/grow.h viewer/hash.h \
	viewer/framestack.c viewer/framestack.h \
	viewer/report.c viewer/stackframes.c viewer/stackframes.h \
	viewer/cmdline.c viewer/cmdline.h \
	viewer/cmd_folded.c viewer/cmd_flame.c viewer/cmd_pprof.c \
	viewer/cmd_diff.c viewer/cmd_html.c viewer/cmd_timeline.c \
	tracer/dump.c \
	tracer/record.c
viewer_escapade_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir) -DESCAPADE_LIBDIR='"$(libdir)"'
viewer_escapade_LDADD = viewer/libreport.la tracer/libescreader.la
include viewer/outputs.mk
include viewer/report.mk
EXTRA_DIST += doc/viewer-commands.md
