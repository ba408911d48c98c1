/*
 * g_map_interface_value.c — escape case g: map[string]interface{};
 * data["key"] = 200.
 *
 * Go:  -m: 200 escapes to heap — 0 heap allocs/run (a constant is static,
 *      and a small map that does not escape lives in the frame).
 *
 * The map is one bucket of eight slots (Go's first bucket).  store_constant
 * stores the constant 200 into a global map: no allocation.
 * store_value_escapes stores a run-time value: boxed on the heap and kept by
 * the global map (escaped).  store_value_local does that in a map in its
 * frame and drops it (frame-local).
 */
#include <string.h>

#include "example.h"

typedef struct eface {
	const char *type;
	const int64_t *data;
} eface;

typedef struct str_any_map {
	int n;
	const char *key[8];
	eface val[8];
} str_any_map;

static eface *mapassign(str_any_map *m, const char *key)
{
	for (int i = 0; i < m->n; i++)
		if (strcmp(m->key[i], key) == 0)
			return &m->val[i];
	m->key[m->n] = key;
	return &m->val[m->n++];
}

static const int64_t const_200 = 200;
static str_any_map global_const, global_values[EX_RUNS];

static __attribute__((noinline)) void store_constant(void)
{
	*mapassign(&global_const, "key") = (eface){"int64", &const_200};
}

static __attribute__((noinline)) void store_value_escapes(str_any_map *m, int64_t v)
{
	int64_t *box = gort_newobject(sizeof *box);
	*box = v;
	*mapassign(m, "key") = (eface){"int64", box};
}

static __attribute__((noinline)) int64_t store_value_local(int64_t v)
{
	str_any_map m = {0};
	int64_t *box = gort_newobject(sizeof *box);
	*box = v;
	*mapassign(&m, "key") = (eface){"int64", box};
	return *mapassign(&m, "key")->data;
}

static void run(void *arg)
{
	(void)arg;
	int64_t sum = 0;
	puts("g_map_interface_value: map[string]interface{}; data[\"key\"] = 200");
	EX_MEASURE("escaping", "store_constant", store_constant());
	EX_MEASURE("escaping", "store_value_escapes",
	           store_value_escapes(&global_values[i], 1000 + i));
	EX_MEASURE("frame-local", "store_value_local", sum += store_value_local(1000 + i));
	printf("data[\"key\"] = %" PRId64 "; last value %" PRId64 "; checksum %" PRId64 "\n",
	       *mapassign(&global_const, "key")->data,
	       *mapassign(&global_values[EX_RUNS - 1], "key")->data, sum);
}

int main(void)
{
	return gort_main(run, NULL);
}
