# tests/tracer.mk — tests of the tracer.
