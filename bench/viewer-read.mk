# bench/viewer-read.mk — reading and aggregating a trace (the pass every
# viewer command starts with), in events per second, on traces recorded
# from bench/viewer_read_workload (built here, not a benchmark itself).
bench_programs += bench/viewer_read
bench_viewer_read_SOURCES = bench/viewer_read.c $(bench_harness_sources)
bench_viewer_read_CPPFLAGS = $(bench_cppflags) -I$(top_srcdir)/tracer \
	-DESCAPADE_BIN='"$(abs_top_builddir)/viewer/escapade"' \
	-DWORKLOAD_BIN='"$(abs_top_builddir)/bench/viewer_read_workload"'
bench_viewer_read_LDADD = viewer/libreport.la -lm
EXTRA_bench_viewer_read_DEPENDENCIES = bench/viewer_read_workload$(EXEEXT) \
	viewer/escapade$(EXEEXT) tracer/libescapade.la
EXTRA_PROGRAMS += bench/viewer_read_workload
bench_viewer_read_workload_SOURCES = bench/viewer_read_workload.c
bench_viewer_read_workload_CFLAGS = $(WARN_CFLAGS) -O0 -g -fno-omit-frame-pointer
CLEANFILES += bench/viewer_read_workload bench/viewer-read-*.trace
