/*
 * chan.c — channels (Go's chan.go): makechan, chansend, chanrecv, closechan.
 *
 * A channel is one heap object (gort_newobject): the hchan header followed
 * by its ring buffer of cap elements.  Goroutines that wait on it are queued
 * as sudogs, which live in the waiting goroutine's own stack frame (stacks
 * are segmented and never move, so a pointer into a parked goroutine's
 * stack stays good; and a million parked receivers allocate nothing).
 *
 * The rules are Go's:
 *   - a send hands its value straight to a waiting receiver (the copy goes
 *     into the receiver's frame), else into the buffer, else it parks;
 *   - a receive takes from a waiting sender (for a full buffered channel:
 *     the head of the buffer, and the sender's value goes to the tail, so
 *     the order stays FIFO), else from the buffer, else it parks;
 *   - close wakes every receiver (zeroed element, ok = false) and every
 *     sender (which then panics); receives drain the buffer first;
 *   - send on a closed channel, close of a closed or nil channel panic;
 *     a nil channel blocks forever.
 *
 * A sudog queued by a select may already have lost: another case won.  The
 * waiting goroutine's selectdone flag says so; dequeue skips such sudogs
 * and claims the select for the one it returns.
 *
 * One thread runs goroutines, without preemption, so there is no lock: a
 * channel operation runs to its end or to gopark.  Element copies use our
 * own loops rather than libc's memcpy: a call into libc from a split-stack
 * function makes gold route every call of it through __morestack_non_split.
 */
#include "internal.h"

/* Copy n bytes without libc (see above).  Common element sizes are a few
 * moves; the rest is rep movsb.  Inlined into this file's hot paths; select
 * uses chan_copy. */
static inline __attribute__((always_inline)) void elem_copy(void *dst, const void *src, size_t n)
{
	switch (n) {
	case 0:
		return;
	case 1:
		*(uint8_t *)dst = *(const uint8_t *)src;
		return;
	case 2:
		__builtin_memcpy(dst, src, 2);
		return;
	case 4:
		__builtin_memcpy(dst, src, 4);
		return;
	case 8:
		__builtin_memcpy(dst, src, 8);
		return;
	case 16:
		__builtin_memcpy(dst, src, 16);
		return;
	default:
		__asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
	}
}

void chan_copy(void *dst, const void *src, size_t n)
{
	elem_copy(dst, src, n);
}

void chan_zero(void *dst, size_t n)
{
	if (n == 8) {
		*(uint64_t *)dst = 0;
		return;
	}
	__asm__ volatile("rep stosb" : "+D"(dst), "+c"(n) : "a"(0) : "memory");
}

/* ---- wait queues ------------------------------------------------------- */

void waitq_enqueue(waitq *q, sudog *sg)
{
	sg->next = NULL;
	sg->prev = q->last;
	if (q->last != NULL)
		q->last->next = sg;
	else
		q->first = sg;
	q->last = sg;
}

/* Unlink sg if it is still queued on q. */
void waitq_remove(waitq *q, sudog *sg)
{
	if (sg->prev == NULL && q->first != sg)
		return;
	if (sg->prev != NULL)
		sg->prev->next = sg->next;
	else
		q->first = sg->next;
	if (sg->next != NULL)
		sg->next->prev = sg->prev;
	else
		q->last = sg->prev;
	sg->next = sg->prev = NULL;
}

/* The first waiter that can still be woken; claims its select if any. */
static inline __attribute__((always_inline)) sudog *dequeue(waitq *q)
{
	for (;;) {
		sudog *sg = q->first;
		if (sg == NULL)
			return NULL;
		waitq_remove(q, sg);
		if (sg->isselect) {
			if (sg->g->selectdone)
				continue;
			sg->g->selectdone = true;
		}
		return sg;
	}
}

sudog *waitq_dequeue(waitq *q)
{
	return dequeue(q);
}

/* Wake the goroutine of a dequeued sudog; success says a value moved (false:
 * the channel was closed). */
static void wake(sudog *sg, bool success)
{
	sg->success = success;
	sg->g->param = sg;
	goready(sg->g);
}

/* ---- makechan ------------------------------------------------------------ */

/* no_split_stack, as gort_newobject (malloc.c): it names its caller. */
__attribute__((no_split_stack)) gort_chan *gort_makechan(size_t elemsize, size_t cap)
{
	if (elemsize > 1 << 16)
		gort_panic("makechan: invalid channel element type");
	if (cap != 0 && elemsize != 0 && cap > (SIZE_MAX - sizeof(gort_chan)) / elemsize)
		gort_panic("makechan: size out of range");
	/* The channel is the caller's object (Go's make(chan T)): the probe
	 * names the caller as its site. */
	gort_chan *c = newobject_for_caller(sizeof(gort_chan) + cap * elemsize,
	                                    (uintptr_t)__builtin_return_address(0),
	                                    __builtin_frame_address(0));
	c->elemsize = elemsize;
	c->dataqsiz = cap;
	return c;
}

/* ---- send ----------------------------------------------------------------- */

/* Send when it cannot block: to a waiting receiver or into the buffer.
 * Panics on a closed channel.  Used by chansend and selectgo. */
static inline __attribute__((always_inline)) bool trysend(gort_chan *c, const void *elem)
{
	if (c->closed)
		gort_panic("send on closed channel");
	sudog *sg = dequeue(&c->recvq);
	if (sg != NULL) {
		if (sg->elem != NULL)
			elem_copy(sg->elem, elem, c->elemsize);
		wake(sg, true);
		return true;
	}
	if (c->qcount < c->dataqsiz) {
		elem_copy(chanbuf(c, c->sendx), elem, c->elemsize);
		if (++c->sendx == c->dataqsiz)
			c->sendx = 0;
		c->qcount++;
		return true;
	}
	return false;
}

bool chan_trysend(gort_chan *c, const void *elem)
{
	return trysend(c, elem);
}

void gort_chansend(gort_chan *c, const void *elem)
{
	if (c == NULL)
		for (;;)
			gopark("chan send (nil chan)", NULL);
	if (trysend(c, elem))
		return;
	sudog sg = {.g = getg(), .elem = (void *)elem, .c = c};
	waitq_enqueue(&c->sendq, &sg);
	gopark("chan send", c);
	if (!sg.success)
		gort_panic("send on closed channel");
}

/* ---- receive ---------------------------------------------------------------- */

/* Receive when it cannot block.  Returns 0 if it would block, 1 for a
 * value, -1 for closed and drained (elem zeroed). */
static inline __attribute__((always_inline)) int tryrecv(gort_chan *c, void *elem)
{
	sudog *sg = dequeue(&c->sendq);
	if (sg != NULL) {
		if (c->dataqsiz == 0) {
			if (elem != NULL)
				elem_copy(elem, sg->elem, c->elemsize);
		} else {
			/* Full buffer: take the head, put the sender's value at
			 * the tail (which is the same slot). */
			void *slot = chanbuf(c, c->recvx);
			if (elem != NULL)
				elem_copy(elem, slot, c->elemsize);
			elem_copy(slot, sg->elem, c->elemsize);
			if (++c->recvx == c->dataqsiz)
				c->recvx = 0;
			c->sendx = c->recvx;
		}
		wake(sg, true);
		return 1;
	}
	if (c->qcount > 0) {
		void *slot = chanbuf(c, c->recvx);
		if (elem != NULL)
			elem_copy(elem, slot, c->elemsize);
		chan_zero(slot, c->elemsize); /* drop the reference for the collector */
		if (++c->recvx == c->dataqsiz)
			c->recvx = 0;
		c->qcount--;
		return 1;
	}
	if (c->closed) {
		if (elem != NULL)
			chan_zero(elem, c->elemsize);
		return -1;
	}
	return 0;
}

int chan_tryrecv(gort_chan *c, void *elem)
{
	return tryrecv(c, elem);
}

bool gort_chanrecv(gort_chan *c, void *elem)
{
	if (c == NULL)
		for (;;)
			gopark("chan receive (nil chan)", NULL);
	int r = tryrecv(c, elem);
	if (r != 0)
		return r > 0;
	sudog sg = {.g = getg(), .elem = elem, .c = c};
	waitq_enqueue(&c->recvq, &sg);
	gopark("chan receive", c);
	return sg.success;
}

/* ---- close -------------------------------------------------------------------- */

void gort_closechan(gort_chan *c)
{
	if (c == NULL)
		gort_panic("close of nil channel");
	if (c->closed)
		gort_panic("close of closed channel");
	c->closed = true;
	sudog *sg;
	while ((sg = waitq_dequeue(&c->recvq)) != NULL) {
		if (sg->elem != NULL)
			chan_zero(sg->elem, c->elemsize);
		wake(sg, false);
	}
	while ((sg = waitq_dequeue(&c->sendq)) != NULL)
		wake(sg, false);
}
