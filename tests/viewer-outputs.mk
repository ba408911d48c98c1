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
