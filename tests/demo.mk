# tests/demo.mk — `make demo`'s script on a few cases, every output checked
# (tests/demo.sh).
TESTS += tests/demo.sh
EXTRA_DIST += tests/demo.sh
