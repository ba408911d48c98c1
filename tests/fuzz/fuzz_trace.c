/*
 * tests/fuzz/fuzz_trace.c — libFuzzer target: any bytes through the reader,
 * the aggregation and the site building, as `escapade report` runs them
 * (without symbols: module paths in hostile input are not opened).
 *
 *   make fuzz                        # builds tests/fuzz/fuzz_trace (clang)
 *   make fuzz-run FUZZ_SECONDS=300   # runs it from the corpus
 *
 * Inputs that crash go to the corpus (tests/fuzz/corpus/mutated-*) once
 * fixed, so tests/test_corpus replays them in every `make check`.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "viewer/load.h"
#include "viewer/sites.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	esc_reader *r = esc_reader_open_mem(data, size, NULL, 0);
	if (!r)
		return 0;
	struct loaded_trace t;
	if (trace_load_reader(r, NULL, &t) == LOAD_OK) {
		size_t n;
		free(sites_build(t.agg, NULL, SORT_BYTES, &n));
		trace_unload(&t);
	}
	esc_reader_close(r);
	return 0;
}
