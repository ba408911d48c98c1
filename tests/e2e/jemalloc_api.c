/*
 * tests/e2e/jemalloc_api.c — every call of jemalloc's non-standard API once.
 *
 * Linked with -ljemalloc, so the tracer's mallocx/rallocx/xallocx/dallocx/
 * sdallocx hooks see these calls.  Each call is on its own line and is noted
 * as "CALL line size" (after the call, into a buffer written at the end with
 * write(2), so stdio's own buffer is allocated after the last traced call
 * we check), which the end-to-end script matches with the report.
 */
#include <jemalloc/jemalloc.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char out[1024];
static size_t outlen;

static void note(const char *call, int line, size_t size)
{
	int n = snprintf(out + outlen, sizeof out - outlen, "%s %d %zu\n", call, line, size);
	if (n > 0 && (size_t)n < sizeof out - outlen)
		outlen += (size_t)n;
}

int main(void)
{
	void *a = mallocx(100, 0);
	note("mallocx", __LINE__ - 1, 100);
	void *b = mallocx(4000, MALLOCX_ZERO);
	note("mallocx", __LINE__ - 1, 4000);
	a = rallocx(a, 200, 0);
	note("rallocx", __LINE__ - 1, 200);
	size_t x = xallocx(a, 180, 0, 0);
	note("xallocx", __LINE__ - 1, x); /* the block's size now, as the tracer records it */
	void *c = mallocx(64, MALLOCX_ALIGN(64));
	note("mallocx", __LINE__ - 1, 64);
	if (!a || !b || !c || x < 180)
		return 1;
	memset(c, 1, 64);
	dallocx(a, 0);
	sdallocx(b, 4000, 0);
	dallocx(c, 0);
	return write(1, out, outlen) == (ssize_t)outlen ? 0 : 1;
}
