# bench/local.mk — the bench's build.
