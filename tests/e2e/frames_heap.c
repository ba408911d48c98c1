/*
 * tests/e2e/frames_heap.c — stack frames beside heap bytes, for the
 * "stack frames" section of `escapade report` (tests/e2e/cmds-frames.sh).
 * Built with -finstrument-functions and recorded with --frames.
 *
 * main calls parse() PARSES times: a 2000-byte buffer in its frame and a
 * 100-byte malloc freed before it returns (frame-local).  It calls build()
 * BUILDS times: a small frame and a 64-byte malloc that outlives it
 * (escaped: main frees them at the end).  nest() recurses NEST levels, each
 * with a 300-byte buffer and no allocation: the deepest stack.  mixed()
 * allocates 32 bytes MIXED times, frees the even ones itself and returns
 * the odd ones (which main frees): half frame-local, half escaped.
 */
#include <stdlib.h>
#include <string.h>

#define PARSES 10
#define BUILDS 5
#define NEST   6
#define MIXED  4

__attribute__((noinline)) static int parse(int n)
{
	volatile char buf[2000];
	char *tmp = malloc(100);
	if (!tmp)
		abort();
	memset((char *)buf, n, sizeof buf);
	memset(tmp, n, 100);
	int r = buf[n] + tmp[n];
	free(tmp);
	return r;
}

__attribute__((noinline)) static char *build(int n)
{
	char *p = malloc(64);
	if (!p)
		abort();
	memset(p, n, 64);
	return p;
}

__attribute__((noinline)) static int nest(int n)
{
	volatile char buf[300];
	memset((char *)buf, n, sizeof buf);
	return n == 0 ? buf[0] : nest(n - 1) + buf[1];
}

__attribute__((noinline)) static char *mixed(int n)
{
	char *p = malloc(32);
	if (!p)
		abort();
	memset(p, n, 32);
	if (n % 2)
		return p;
	free(p);
	return NULL;
}

int main(void)
{
	char *kept[BUILDS];
	int sum = 0;
	for (int i = 0; i < PARSES; i++)
		sum += parse(i);
	for (int i = 0; i < BUILDS; i++)
		kept[i] = build(i);
	sum += nest(NEST - 1);
	for (int i = 0; i < MIXED; i++)
		free(mixed(i));
	for (int i = 0; i < BUILDS; i++)
		free(kept[i]);
	return sum == 105 ? 0 : 1;
}
