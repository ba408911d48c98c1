# tests/docs.mk — the manual pages are checked against the code (every
# escapade command, every gort.h function; groff renders them cleanly).
TESTS += tests/docs.sh
EXTRA_DIST += tests/docs.sh
