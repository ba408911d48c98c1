/*
 * h_map_interface_key.c — escape case h: map[interface{}]interface{};
 * data[100] = 200.
 *
 * Go:  -m: 100 escapes to heap, 200 escapes to heap — 0 heap allocs/run
 *      (both constants are static; the map stays in the frame).
 *
 * store_constants puts 100 -> 200 in a global map: no allocation.
 * store_values_escapes boxes a run-time key and value on the heap, kept by a
 * global map (escaped, 2 per run).  store_values_local does the same in a map
 * in its frame and drops it (frame-local).
 */
#include "example.h"

typedef struct eface {
	const char *type;
	const int64_t *data;
} eface;

typedef struct any_any_map {
	int n;
	eface key[8];
	eface val[8];
} any_any_map;

static eface *mapassign(any_any_map *m, eface key)
{
	for (int i = 0; i < m->n; i++)
		if (m->key[i].type == key.type && *m->key[i].data == *key.data)
			return &m->val[i];
	m->key[m->n] = key;
	return &m->val[m->n++];
}

static const char type_int64[] = "int64";
static const int64_t const_100 = 100, const_200 = 200;
static any_any_map global_const, global_values[EX_RUNS];

static __attribute__((noinline)) void store_constants(void)
{
	*mapassign(&global_const, (eface){type_int64, &const_100}) =
	        (eface){type_int64, &const_200};
}

static __attribute__((noinline)) void store_values_escapes(any_any_map *m, int64_t k, int64_t v)
{
	int64_t *bk = gort_newobject(sizeof *bk), *bv = gort_newobject(sizeof *bv);
	*bk = k;
	*bv = v;
	*mapassign(m, (eface){type_int64, bk}) = (eface){type_int64, bv};
}

static __attribute__((noinline)) int64_t store_values_local(int64_t k, int64_t v)
{
	any_any_map m = {0};
	int64_t *bk = gort_newobject(sizeof *bk), *bv = gort_newobject(sizeof *bv);
	*bk = k;
	*bv = v;
	*mapassign(&m, (eface){type_int64, bk}) = (eface){type_int64, bv};
	return *mapassign(&m, (eface){type_int64, bk})->data;
}

static void run(void *arg)
{
	(void)arg;
	int64_t sum = 0;
	puts("h_map_interface_key: map[interface{}]interface{}; data[100] = 200");
	EX_MEASURE("escaping", "store_constants", store_constants());
	EX_MEASURE("escaping", "store_values_escapes",
	           store_values_escapes(&global_values[i], 1000 + i, 2000 + i));
	EX_MEASURE("frame-local", "store_values_local",
	           sum += store_values_local(1000 + i, 2000 + i));
	printf("data[100] = %" PRId64 "; %d maps kept; checksum %" PRId64 "\n",
	       *mapassign(&global_const, (eface){type_int64, &const_100})->data, EX_RUNS, sum);
}

int main(void)
{
	return gort_main(run, NULL);
}
