/*
 * q_growing_cache.c — case q: a memory leak in a garbage-collected program, a
 * global cache that only grows.
 *
 * Nothing is lost in the C sense: every entry stays reachable from a global,
 * so the collector can never free it.  The tracer must report the bytes still
 * reachable at exit by site: cache_put_escapes.
 *
 * cache_put_escapes adds an entry (key + 1 KB payload) to the global cache
 * for every request and never evicts (escaped: kept forever).
 * render_local builds the same 1 KB in a scratch object it drops (frame-local).
 * After a collection, the program prints what the cache still holds.
 */
#include <string.h>

#include "example.h"

#define PAYLOAD 1024

typedef struct entry {
	struct entry *next;
	int64_t key;
	unsigned char payload[PAYLOAD];
} entry;

static entry *cache;
static int cache_len;

static __attribute__((noinline)) void cache_put_escapes(int64_t key)
{
	entry *e = gort_newobject(sizeof *e);
	e->key = key;
	memset(e->payload, (int)(key & 0xff), sizeof e->payload);
	e->next = cache;
	cache = e;
	cache_len++;
}

static __attribute__((noinline)) int render_local(int64_t key)
{
	unsigned char *scratch = gort_newobject(PAYLOAD);
	memset(scratch, (int)(key & 0xff), PAYLOAD);
	return scratch[PAYLOAD - 1];
}

static void run(void *arg)
{
	(void)arg;
	int sum = 0;
	puts("q_growing_cache: a global cache that only grows");
	for (int round = 0; round < 3; round++) {
		EX_MEASURE("escaping", "cache_put_escapes", cache_put_escapes(round * EX_RUNS + i));
		EX_MEASURE("frame-local", "render_local", sum += render_local(i));
		gort_gc();
		gort_memstats ms;
		gort_read_memstats(&ms);
		printf("round %d: cache has %d entries (%zu bytes each); live heap objects %s "
		       "the cache\n",
		       round, cache_len, sizeof(entry),
		       ms.heap_objects >= (uint64_t)cache_len ? "include" : "do NOT include");
	}
	printf("at exit the cache still holds %zu bytes; checksum %d\n",
	       (size_t)cache_len * sizeof(entry), sum);
}

int main(void)
{
	return gort_main(run, NULL);
}
