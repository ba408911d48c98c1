/*
 * env.c — the environment variables the heap obeys, parsed as Go parses
 * them (Go's readGOGC and GODEBUG handling).
 *
 *   GOGC=<percent>  grow the heap to live * (1 + percent/100) before the next
 *                   collection; default 100.  GOGC=off (or a negative
 *                   percent) disables automatic collection; gort_gc() still
 *                   collects.  Anything unparsable means the default, as in Go.
 *   GODEBUG=name=value,...  gort knows gctrace=1 (a line per collection on
 *                   stderr).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int gogc_parse(const char *s)
{
	if (s == NULL || *s == '\0')
		return 100;
	if (strcmp(s, "off") == 0)
		return -1;
	char *end;
	long v = strtol(s, &end, 10);
	if (*end != '\0' || end == s)
		return 100;
	if (v < 0)
		return -1;
	return v > 1000000000 ? 1000000000 : (int)v;
}

/* Is `name` set to a non-zero number in the comma-separated list? */
bool godebug_flag(const char *godebug, const char *name)
{
	size_t n = strlen(name);
	const char *p = godebug;
	bool on = false;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, name, n) == 0 && p[n] == '=')
			on = strtol(p + n + 1, NULL, 10) != 0; /* the last setting wins */
		p = strchr(p, ',');
		if (p != NULL)
			p++;
	}
	return on;
}
