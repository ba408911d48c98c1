/*
 * viewer-testutil.h — helpers the viewer's output tests share.
 */
#ifndef ESCAPADE_TESTS_VIEWER_TESTUTIL_H
#define ESCAPADE_TESTS_VIEWER_TESTUTIL_H

#include <string.h>

/* How many times needle occurs in hay (without overlaps). */
static inline int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

#endif
