# tests/viewer.mk — tests of the viewer.
include tests/viewer-outputs.mk
