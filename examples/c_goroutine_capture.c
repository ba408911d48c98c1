/*
 * c_goroutine_capture.c — escape case c: a goroutine capturing a local it
 * modifies.
 *
 * Go:  num := 0; go func() { num++; wg.Done() }()
 *      -m: moved to heap: num, moved to heap: wg, func literal escapes
 *      (3 heap allocs/run)
 *
 * spawn_modify_escapes allocates num, the waitgroup and the closure {fn,
 * &num, &wg}, starts the goroutine and returns without waiting: the objects
 * outlive the frame, and main waits and reads num later (escaped).
 * spawn_copy_local reads its num from a heap object it drops, and copies the
 * value into the goroutine's argument (Go copies a read-only capture): that
 * object never leaves the frame (frame-local).
 */
#include "example.h"

typedef struct capture {
	void (*fn)(void *);
	int64_t *num;
	gort_waitgroup *wg;
} capture;

static void capture_body(void *arg)
{
	capture *c = arg;
	(*c->num)++;
	gort_wg_done(c->wg);
}

static capture *kept[EX_RUNS];

static __attribute__((noinline)) capture *spawn_modify_escapes(int64_t start)
{
	int64_t *num = gort_newobject(sizeof *num);
	gort_waitgroup *wg = gort_newobject(sizeof *wg);
	capture *c = gort_newobject(sizeof *c);
	*num = start;
	c->fn = capture_body;
	c->num = num;
	c->wg = wg;
	gort_wg_add(wg, 1);
	gort_go(capture_body, c);
	return c;
}

static gort_waitgroup copy_wg;
static int64_t copy_sum;

static void copy_body(void *arg)
{
	copy_sum += (int64_t)(intptr_t)arg + 1;
	gort_wg_done(&copy_wg);
}

static __attribute__((noinline)) void spawn_copy_local(int64_t start)
{
	int64_t *num = gort_newobject(sizeof *num);
	*num = start;
	gort_wg_add(&copy_wg, 1);
	gort_go(copy_body, (void *)(intptr_t)*num);
}

static void run(void *arg)
{
	(void)arg;
	int64_t sum = 0;
	puts("c_goroutine_capture: a goroutine modifying a captured local (Go: moved to heap: "
	     "num)");
	EX_MEASURE("escaping", "spawn_modify_escapes", kept[i] = spawn_modify_escapes(i));
	EX_MEASURE("frame-local", "spawn_copy_local", spawn_copy_local(i));
	for (int i = 0; i < EX_RUNS; i++) {
		gort_wg_wait(kept[i]->wg);
		sum += *kept[i]->num;
	}
	gort_wg_wait(&copy_wg);
	printf("goroutines done: captured sum %" PRId64 ", copied sum %" PRId64 "\n", sum,
	       copy_sum);
}

int main(void)
{
	return gort_main(run, NULL);
}
