# examples/local.mk — the examples's build.
