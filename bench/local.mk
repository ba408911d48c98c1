# bench/local.mk — the bench's build.
include bench/tracer.mk
