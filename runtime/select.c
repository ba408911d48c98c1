/*
 * select.c — Go's select (selectgo in select.go).
 *
 * Pass 1 visits the cases in a random order (a Fisher-Yates shuffle from
 * the P's fastrand) and runs the first that is ready: this is what makes
 * select fair among ready cases.  If none is and the select may not block,
 * it returns -1 (Go's `default`).  Otherwise pass 2 queues one sudog per
 * case on its channel and parks; whoever wakes us claims the select
 * (g->selectdone, see chan.c) and leaves the winning sudog in g->param; we
 * then take our other sudogs off their queues.
 *
 * Nil channels are never ready.  A select with no cases (or only nil
 * channels) blocks forever.  Up to SELECT_STACK_CASES cases work in this
 * frame; more take their scratch space from the heap.
 */
#include "internal.h"

#define SELECT_STACK_CASES 8

static int select_poll(gort_selcase *cases, const uint16_t *order, int n)
{
	for (int k = 0; k < n; k++) {
		int i = order[k];
		gort_selcase *sc = &cases[i];
		if (sc->c == NULL)
			continue;
		if (sc->dir == GORT_SELECT_SEND) {
			if (chan_trysend(sc->c, sc->elem))
				return i;
		} else {
			int r = chan_tryrecv(sc->c, sc->elem);
			if (r != 0) {
				sc->ok = r > 0;
				return i;
			}
		}
	}
	return -1;
}

static int select_block(gort_selcase *cases, sudog *sgs, int n)
{
	struct gort_g *gp = getg();
	int queued = 0;

	gp->selectdone = false;
	gp->param = NULL;
	for (int i = 0; i < n; i++) {
		gort_selcase *sc = &cases[i];
		if (sc->c == NULL)
			continue;
		sgs[i] = (sudog){
		        .g = gp, .elem = sc->elem, .c = sc->c, .caseidx = i, .isselect = true};
		waitq_enqueue(sc->dir == GORT_SELECT_SEND ? &sc->c->sendq : &sc->c->recvq, &sgs[i]);
		queued++;
	}
	if (queued == 0)
		for (;;)
			gopark("select (no cases)", NULL);
	gopark("select", NULL);
	sudog *won = gp->param;
	gp->param = NULL;
	for (int i = 0; i < n; i++) {
		gort_selcase *sc = &cases[i];
		if (sc->c != NULL && &sgs[i] != won)
			waitq_remove(sc->dir == GORT_SELECT_SEND ? &sc->c->sendq : &sc->c->recvq,
			             &sgs[i]);
	}
	gort_selcase *sc = &cases[won->caseidx];
	if (sc->dir == GORT_SELECT_SEND) {
		if (!won->success)
			gort_panic("send on closed channel");
	} else {
		sc->ok = won->success;
	}
	return won->caseidx;
}

int gort_selectgo(gort_selcase *cases, int n, bool block)
{
	uint16_t order_small[SELECT_STACK_CASES];
	sudog sgs_small[SELECT_STACK_CASES];
	uint16_t *order = order_small;
	sudog *sgs = sgs_small;

	if (n < 0 || n > UINT16_MAX)
		gort_panic("select: bad number of cases (%d)", n);
	if (n > SELECT_STACK_CASES) {
		order = gort_newarray(sizeof *order, (size_t)n);
		sgs = gort_newarray(sizeof *sgs, (size_t)n);
	}
	for (int i = 0; i < n; i++) {
		int j = (int)fastrandn((uint32_t)i + 1);
		order[i] = order[j];
		order[j] = (uint16_t)i;
	}
	int i = select_poll(cases, order, n);
	if (i >= 0 || !block)
		return i;
	return select_block(cases, sgs, n);
}
