/*
 * viewer/grow.h — the one way the viewer grows an array.
 *
 * Every table the viewer builds while it reads a trace (stacks, call-tree
 * nodes, shadow stacks, sampled points) grows by doubling, so appending is
 * amortized O(1) and memory stays within twice the live size.  Sizes come
 * from untrusted input, so the doubling and the byte count are checked for
 * overflow instead of trusted.
 */
#ifndef ESCAPADE_VIEWER_GROW_H
#define ESCAPADE_VIEWER_GROW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

/* Makes *arrp (an array of elem-byte elements with room for *cap) hold at
 * least need elements: the capacity doubles, starting from first, until it
 * does.  False, with the array and *cap untouched, when memory runs out or
 * the size would overflow.  arrp is the address of the array's pointer. */
static inline bool grow_array(void *arrp, size_t *cap, size_t need, size_t elem, size_t first)
{
	if (need <= *cap)
		return true;
	size_t c = *cap ? *cap : first;
	while (c < need) {
		if (c > SIZE_MAX / 2)
			return false;
		c *= 2;
	}
	if (c > SIZE_MAX / elem)
		return false;
	void **arr = arrp;
	void *p = realloc(*arr, c * elem);
	if (!p)
		return false;
	*arr = p;
	*cap = c;
	return true;
}

#endif
