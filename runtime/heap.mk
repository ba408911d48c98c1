# runtime/heap.mk — the allocator and the collector (filled in by the heap work).
