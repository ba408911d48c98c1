# tracer/local.mk — the tracer's build.
include tracer/symbolizer.mk
