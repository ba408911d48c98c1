# bench/viewer.mk — the viewer's benchmark: unique stacks to folded and SVG.
bench_programs += bench/viewer_bench
bench_viewer_bench_SOURCES = bench/viewer_bench.c
bench_viewer_bench_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/viewer
bench_viewer_bench_LDADD = viewer/liboutputs.la
