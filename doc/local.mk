# doc/local.mk — the doc's build.
