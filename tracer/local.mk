# tracer/local.mk — the tracer's build.
