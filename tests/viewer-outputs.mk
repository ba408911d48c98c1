# tests/viewer-outputs.mk — tests of the viewer's outputs (call tree,
# escaping, folded, flame SVG, pprof, timeline, html).  Included from
# tests/viewer.mk.

viewer_outputs_cflags = $(AM_CFLAGS) $(CMOCKA_CFLAGS) -I$(top_srcdir)/viewer
viewer_outputs_ldadd = viewer/liboutputs.la $(CMOCKA_LIBS)

check_PROGRAMS += tests/test_calltree
tests_test_calltree_SOURCES = tests/test_calltree.c
tests_test_calltree_CFLAGS = $(viewer_outputs_cflags)
tests_test_calltree_LDADD = $(viewer_outputs_ldadd)

TESTS += tests/test_calltree

check_PROGRAMS += tests/test_flame
tests_test_flame_SOURCES = tests/test_flame.c tests/viewer-testutil.h
tests_test_flame_CFLAGS = $(viewer_outputs_cflags)
tests_test_flame_LDADD = $(viewer_outputs_ldadd)
TESTS += tests/test_flame

TESTS += tests/viewer-pprof.sh
EXTRA_DIST += tests/viewer-pprof.sh

check_PROGRAMS += tests/test_outputs
tests_test_outputs_SOURCES = tests/test_outputs.c tests/viewer-testutil.h
tests_test_outputs_CFLAGS = $(viewer_outputs_cflags)
tests_test_outputs_LDADD = $(viewer_outputs_ldadd)
TESTS += tests/test_outputs

TESTS += tests/viewer-names.sh tests/viewer-browser.sh
EXTRA_DIST += tests/viewer-names.sh tests/viewer-browser.sh

check_PROGRAMS += tests/test_pprof
tests_test_pprof_SOURCES = tests/test_pprof.c
tests_test_pprof_CFLAGS = $(viewer_outputs_cflags) $(ZLIB_CFLAGS)
tests_test_pprof_LDADD = $(viewer_outputs_ldadd) $(ZLIB_LIBS)
TESTS += tests/test_pprof
