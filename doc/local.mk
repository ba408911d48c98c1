# doc/local.mk — the doc's build.
EXTRA_DIST += doc/escape-results.md
