# bench/tracer.mk — what recording costs (issue 4): escapade record against
# the bare program and against heaptrack.  See bench/bench_tracer.c.

bench_programs += bench/bench_tracer
bench_bench_tracer_SOURCES = bench/bench_tracer.c
bench_bench_tracer_CFLAGS = $(AM_CFLAGS) -O2 -fno-omit-frame-pointer
bench_bench_tracer_CPPFLAGS = $(AM_CPPFLAGS) -DHEAPTRACK='"$(HEAPTRACK)"'

# BenchmarkTracerFrames: --frames in a gort program (gort's
# __cyg_profile_func_* forwarding to the frame probes), driven by
# bench_tracer, which finds it beside itself.
bench_programs += bench/bench_tracer_frames
bench_bench_tracer_frames_SOURCES = bench/bench_tracer_frames.c
bench_bench_tracer_frames_CFLAGS = $(WARN_CFLAGS) -O2 $(GORT_CFLAGS) -finstrument-functions
bench_bench_tracer_frames_LDADD = $(gort_ldadd)
bench_bench_tracer_frames_LDFLAGS = $(gort_prog_ldflags)
