/*
 * viewer/hash.h — FNV-1a over C strings, for the viewer's tables keyed by
 * names (sites by place, stack-frame rows by function).  Short keys, read
 * once per site or function: a simple byte-at-a-time hash is enough.
 */
#ifndef ESCAPADE_VIEWER_HASH_H
#define ESCAPADE_VIEWER_HASH_H

#include <stdint.h>

#define FNV1A_BASIS 0xcbf29ce484222325ULL
#define FNV1A_PRIME 0x100000001b3ULL

/* h advanced over the bytes of s (nothing for NULL). */
static inline uint64_t fnv1a_str(uint64_t h, const char *s)
{
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * FNV1A_PRIME;
	return h;
}

#endif
