# bench/tracer.mk — what recording costs (issue 4): escapade record against
# the bare program and against heaptrack.  See bench/bench_tracer.c.

bench_programs += bench/bench_tracer
bench_bench_tracer_SOURCES = bench/bench_tracer.c
bench_bench_tracer_CFLAGS = $(AM_CFLAGS) -O2 -fno-omit-frame-pointer
bench_bench_tracer_CPPFLAGS = $(AM_CPPFLAGS) -DHEAPTRACK='"$(HEAPTRACK)"'
