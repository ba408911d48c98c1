# tests/heap.mk — tests of the heap.
