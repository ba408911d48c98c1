/*
 * l_chan_of_slice.c — escape case l: a chan []string sent to from a
 * goroutine.
 *
 * Go:  ch := make(chan []string); go func() { ch <- []string{"value"} }(); <-ch
 *      -m: []string{...} escapes, func literal escapes (3 heap allocs/run:
 *      the channel is a runtime allocation -m never prints)
 *
 * recv_slice_escapes makes the channel and the closure {fn, ch}; the
 * goroutine makes the slice's backing array and sends it; the receiver keeps
 * the slice in a global (escaped, 3 per run).  recv_copy_local makes its
 * channel with gort_newobject-backed gort_makechan, receives a [1]string by
 * copy (no slice, no closure: the channel is the goroutine's argument) and
 * drops the channel once the goroutine is done (frame-local, 1 per run).
 */
#include "example.h"

typedef struct strslice {
	const char **p;
	size_t len, cap;
} strslice;

typedef struct send_closure {
	void (*fn)(void *);
	gort_chan *ch;
} send_closure;

static void send_slice(void *arg)
{
	send_closure *c = arg;
	const char **backing = gort_newarray(sizeof *backing, 1);
	backing[0] = "value";
	strslice s = {backing, 1, 1};
	gort_chansend(c->ch, &s);
}

static strslice kept[EX_RUNS];

static __attribute__((noinline)) strslice recv_slice_escapes(void)
{
	gort_chan *ch = gort_makechan(sizeof(strslice), 0);
	send_closure *c = gort_newobject(sizeof *c);
	c->fn = send_slice;
	c->ch = ch;
	gort_go(send_slice, c);
	/* Let the sender run first: it blocks in its send, holding the closure
	 * and the channel, and is still parked when this frame has received and
	 * returned.  (Received first, the handoff would let the sender finish
	 * before this frame returns, and nothing would outlive it.) */
	gort_gosched();
	strslice s;
	gort_chanrecv(ch, &s);
	return s;
}

typedef struct strings1 {
	const char *v[1];
} strings1;

static void send_copy(void *arg)
{
	strings1 v = {{"value"}};
	gort_chansend(arg, &v);
	gort_closechan(arg);
}

static __attribute__((noinline)) int recv_copy_local(void)
{
	gort_chan *ch = gort_makechan(sizeof(strings1), 0);
	gort_go(send_copy, ch);
	strings1 v;
	int n = 0;
	while (gort_chanrecv(ch, &v))
		n++;
	return n;
}

static void run(void *arg)
{
	(void)arg;
	int n = 0;
	puts("l_chan_of_slice: a []string sent from a goroutine (Go: []string{...} escapes)");
	EX_MEASURE("escaping", "recv_slice_escapes", kept[i] = recv_slice_escapes());
	EX_MEASURE("frame-local", "recv_copy_local", n += recv_copy_local());
	printf("received %d slices ([%s]) and %d copies\n", EX_RUNS, kept[0].p[0], n);
}

int main(void)
{
	return gort_main(run, NULL);
}
