/*
 * tests/e2e/gort_verdicts.c — one allocation site per escape verdict.
 *
 * Each gort_newobject below is its own site; report-verdicts.sh checks the
 * verdict `escapade report` gives it, found by the tag in its comment:
 *   ESCAPES-RETURN  returned to the caller (escape-cases a, m)     escaped
 *   ESCAPES-GLOBAL  stored in a global (case n)                    escaped
 *   LOCAL-FRAME     used and dropped inside the frame (case m)     frame-local
 *   LOCAL-GOROUTINE the same, in a goroutine's entry function      frame-local
 *   ESCAPES-ENV     a closure env handed to gort_go (case c)       escaped
 * The functions are noinline: each is the frame the verdict is about.
 */
#include <gort.h>
#include <stdint.h>
#include <stdio.h>

#define ROUNDS 6

typedef struct Demo {
	char name[16];
	int64_t n;
} Demo;

typedef struct env {
	int64_t count;
	gort_waitgroup *wg;
} env;

static Demo *sink;
static int64_t total;

static __attribute__((noinline)) Demo *create_demo(int n)
{
	Demo *d = gort_newobject(sizeof(Demo)); /* ESCAPES-RETURN */
	d->n = n;
	return d;
}

static __attribute__((noinline)) void store_global(int n)
{
	Demo *d = gort_newobject(sizeof(Demo)); /* ESCAPES-GLOBAL */
	d->n = n;
	sink = d;
}

static __attribute__((noinline)) int64_t local_only(int n)
{
	int64_t *volatile p = gort_newobject(8); /* LOCAL-FRAME */
	*p = n;
	return *p * 2;
}

static void local_in_goroutine(void *arg)
{
	gort_waitgroup *wg = arg;
	int64_t *volatile p = gort_newobject(8); /* LOCAL-GOROUTINE */
	*p = 7;
	total += *p;
	gort_wg_done(wg);
}

static void count(void *arg)
{
	env *e = arg;
	e->count++;
	total += e->count;
	gort_wg_done(e->wg);
}

static __attribute__((noinline)) void spawn_counter(gort_waitgroup *wg)
{
	env *e = gort_newobject(sizeof(env)); /* ESCAPES-ENV */
	e->wg = wg;
	gort_go(count, e);
}

static void main_g(void *arg)
{
	gort_waitgroup wg = {0};
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		Demo *d = create_demo(i);
		total += d->n;
		store_global(i);
		total += local_only(i);
		gort_wg_add(&wg, 2);
		gort_go(local_in_goroutine, &wg);
		spawn_counter(&wg);
		gort_wg_wait(&wg);
	}
	gort_gc();
	printf("total %lld sink %lld\n", (long long)total, (long long)sink->n);
}

int main(void)
{
	return gort_main(main_g, NULL);
}
