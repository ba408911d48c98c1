/*
 * pkgconfig_prog.c — a user program built the way gort.h says, against an
 * installed gort: `cc prog.c $(pkg-config --cflags --libs gort)`.  Run by
 * pkgconfig.sh; prints "ok" when the heap works from a plain main().
 */
#include <gort.h>
#include <stdio.h>

struct node {
	struct node *next;
	long value;
};

static struct node *list;

int main(void)
{
	for (long i = 0; i < 100000; i++) {
		struct node *n = gort_newobject(sizeof *n);
		n->value = i;
		if (i % 100 == 0) { /* keep 1 in 100, drop the rest */
			n->next = list;
			list = n;
		}
	}
	gort_gc();
	long count = 0, sum = 0;
	for (struct node *n = list; n != NULL; n = n->next, count++)
		sum += n->value;
	gort_memstats m;
	gort_read_memstats(&m);
	if (count != 1000 || sum != 49950000 || m.num_gc < 1 || m.heap_objects > 1100) {
		printf("bad heap: count %ld sum %ld num_gc %llu heap_objects %llu\n", count, sum,
		       (unsigned long long)m.num_gc, (unsigned long long)m.heap_objects);
		return 1;
	}
	printf("ok\n");
	return 0;
}
