/*
 * tests/fuzz/fuzz_trace.c — libFuzzer target: any bytes through the reader,
 * the aggregation and the site building, as `escapade report` runs them
 * (without symbols: module paths in hostile input are not opened); then a
 * second reading feeds the --frames records to the shadow stacks
 * (viewer/framestack.c), keyed by goroutine as the viewer does.  The
 * goroutines left at the end, with their states (version 3), are listed as
 * the report and the HTML page list them.
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
#include <string.h>

#include "viewer/framestack.h"
#include "viewer/load.h"
#include "viewer/sites.h"

/* The goroutines left at the end (report's "goroutines_blocked", html's
 * table): sorted by goid, states within the format's bound. */
static void goroutines_pass(const agg *a)
{
	size_t n;
	agg_goroutine *g = agg_goroutines_alive(a, &n);

	for (size_t i = 0; i < n; i++) {
		if (i && g[i - 1].goid >= g[i].goid)
			abort();
		if (g[i].state && strlen(g[i].state) > ESC_MAX_GO_STATE)
			abort();
	}
	free(g);
}

static void frames_pass(const uint8_t *data, size_t size)
{
	esc_reader *r = esc_reader_open_mem(data, size, NULL, 0);
	framestack *f = fs_new();
	struct esc_event ev;

	while (r && f && esc_reader_next(r, &ev) > 0) {
		uint64_t key = ev.goid ? ev.goid : 1ULL << 63 | ev.thread;
		if (ev.type == ESC_EV_FRAME_ENTER &&
		    !fs_enter(f, key, ev.u.frame.fn, ev.u.frame.sp))
			break;
		if (ev.type == ESC_EV_FRAME_EXIT)
			fs_exit(f, key);
		if (ev.type == ESC_EV_STACK_GROW || ev.type == ESC_EV_STACK_RELEASE)
			fs_grow(f, ev.u.stack_grow.goid,
			        ev.type == ESC_EV_STACK_GROW ? ev.u.stack_grow.frame_size : 0);
	}
	if (f)
		for (size_t i = 1; i < fs_nodes(f); i++)
			if (fs_node_at(f, i)->parent >= i)
				abort(); /* a parent is always created before its children */
	fs_free(f);
	if (r)
		esc_reader_close(r);
}

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
		goroutines_pass(t.agg);
		trace_unload(&t);
	}
	esc_reader_close(r);
	frames_pass(data, size);
	return 0;
}
