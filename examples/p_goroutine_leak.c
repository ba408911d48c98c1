/*
 * p_goroutine_leak.c — case p: a goroutine leak, a goroutine blocked forever
 * on a channel nobody sends to.
 *
 * Go has no diagnostic for it; the runtime just keeps the goroutine (and what
 * it references) until the program ends.  Returning from the main goroutine
 * ends the program whatever the others are doing, so this program exits 0
 * with the leaked goroutine still parked; the tracer must report it at exit
 * with the function that created it (leak_goroutine_escapes), and
 * GODEBUG=leakcheck=1 makes gort list it too.
 *
 * leak_goroutine_escapes makes a channel and a closure {fn, ch} and starts a
 * goroutine that receives from it: nobody ever sends, so both objects stay
 * referenced by the parked goroutine after the frame returns (escaped).
 * join_goroutine_local does the same but sends the value and waits for the
 * goroutine to finish: its channel and closure die with the frame
 * (frame-local).
 */
#include "example.h"

typedef struct waiter {
	void (*fn)(void *);
	gort_chan *ch;
	gort_waitgroup *done; /* NULL for the leaked one */
} waiter;

static int64_t received;

static void wait_for_value(void *arg)
{
	waiter *w = arg;
	int64_t v;
	if (gort_chanrecv(w->ch, &v))
		received += v;
	if (w->done != NULL)
		gort_wg_done(w->done);
}

static __attribute__((noinline)) void leak_goroutine_escapes(void)
{
	waiter *w = gort_newobject(sizeof *w);
	w->fn = wait_for_value;
	w->ch = gort_makechan(sizeof(int64_t), 0);
	gort_go(wait_for_value, w);
}

static __attribute__((noinline)) void join_goroutine_local(int64_t v)
{
	gort_waitgroup wg = {0};
	waiter *w = gort_newobject(sizeof *w);
	w->fn = wait_for_value;
	w->ch = gort_makechan(sizeof(int64_t), 0);
	w->done = &wg;
	gort_wg_add(&wg, 1);
	gort_go(wait_for_value, w);
	gort_chansend(w->ch, &v);
	gort_wg_wait(&wg);
}

static void run(void *arg)
{
	(void)arg;
	puts("p_goroutine_leak: a goroutine blocked forever on a channel nobody sends to");
	uint64_t before = ex_mallocs();
	leak_goroutine_escapes();
	printf("escaping: leak_goroutine_escapes runs=1 mallocs=%" PRIu64 "\n",
	       ex_mallocs() - before);
	EX_MEASURE("frame-local", "join_goroutine_local", join_goroutine_local(i + 1));
	gort_gosched(); /* let the leaked goroutine reach its receive */
	printf("joined goroutines received %" PRId64 "; goroutines still alive: %d "
	       "(main + 1 blocked in chan receive)\n",
	       received, gort_numgoroutine());
	puts("returning from main: the program ends, the leaked goroutine with it");
}

int main(void)
{
	return gort_main(run, NULL);
}
