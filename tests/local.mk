# tests/local.mk — the cmocka suites and end-to-end scripts, one fragment per module.
include tests/heap.mk
include tests/sched.mk
include tests/tracer.mk
include tests/viewer.mk
include tests/bench.mk
include tests/examples.mk
include tests/docs.mk
include tests/demo.mk
