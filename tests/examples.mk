# tests/examples.mk — run every example (examples/) and check its output,
# exit status and measured heap allocations (tests/examples.sh).
TESTS += tests/examples.sh
EXTRA_DIST += tests/examples.sh
