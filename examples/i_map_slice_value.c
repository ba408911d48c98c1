/*
 * i_map_slice_value.c — escape case i: map[string][]string;
 * data["key"] = []string{"value"}.
 *
 * Go:  -m: []string{...} escapes to heap   (1 heap alloc/run: the slice's
 *      backing array; the map itself stays in the frame)
 *
 * store_slice_escapes puts a slice whose backing array is on the heap into a
 * global map (escaped).  store_slice_local does it in a map in its frame and
 * drops it (frame-local).  store_array_value is the non-escaping form Go
 * writers use: map[string][1]string, the array inline in the slot.
 */
#include <string.h>

#include "example.h"

typedef struct strslice {
	const char **p;
	size_t len, cap;
} strslice;

typedef struct str_slice_map {
	int n;
	const char *key[8];
	strslice val[8];
} str_slice_map;

static strslice *mapassign(str_slice_map *m, const char *key)
{
	for (int i = 0; i < m->n; i++)
		if (strcmp(m->key[i], key) == 0)
			return &m->val[i];
	m->key[m->n] = key;
	return &m->val[m->n++];
}

static str_slice_map global_maps[EX_RUNS];

static __attribute__((noinline)) void store_slice_escapes(str_slice_map *m)
{
	const char **backing = gort_newarray(sizeof *backing, 1);
	backing[0] = "value";
	*mapassign(m, "key") = (strslice){backing, 1, 1};
}

static __attribute__((noinline)) size_t store_slice_local(void)
{
	str_slice_map m = {0};
	const char **backing = gort_newarray(sizeof *backing, 1);
	backing[0] = "value";
	*mapassign(&m, "key") = (strslice){backing, 1, 1};
	return strlen(mapassign(&m, "key")->p[0]);
}

static __attribute__((noinline)) size_t store_array_value(void)
{
	struct {
		int n;
		const char *key[8];
		const char *val[8][1];
	} m = {.n = 1, .key = {"key"}, .val = {{"value"}}};
	return strlen(m.val[0][0]);
}

static void run(void *arg)
{
	(void)arg;
	size_t sum = 0;
	puts("i_map_slice_value: map[string][]string (Go: []string{...} escapes to heap)");
	EX_MEASURE("escaping", "store_slice_escapes", store_slice_escapes(&global_maps[i]));
	EX_MEASURE("frame-local", "store_slice_local", sum += store_slice_local());
	EX_MEASURE("value", "store_array_value", sum += store_array_value());
	printf("data[\"key\"] = [%s]; checksum %zu\n", mapassign(&global_maps[0], "key")->p[0],
	       sum);
}

int main(void)
{
	return gort_main(run, NULL);
}
