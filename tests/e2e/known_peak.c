/*
 * tests/e2e/known_peak.c — a program whose heap profile is known exactly.
 *
 * It allocates a fixed pattern with malloc/free only, and prints nothing
 * until the end (stdio would allocate its buffer), so every figure of its
 * trace is known in advance:
 *   - 10 blocks of 1000 B, then 5 of them freed: 10000 B in use at most;
 *   - 3 blocks of 5000 B on top: 5000 + 15000 = 20000 B, the peak;
 *   - everything freed except one block of 123 B, allocated last: leaked.
 * Allocations 14, frees 13, bytes allocated 10000 + 15000 + 123 = 25123,
 * peak 20000, leaked 123 in 1 allocation.
 */
#include <stdlib.h>
#include <unistd.h>

static void *blocks[13];
void *leaked_block;

int main(void)
{
	for (int i = 0; i < 10; i++)
		blocks[i] = malloc(1000);
	for (int i = 0; i < 10; i += 2)
		free(blocks[i]);
	for (int i = 10; i < 13; i++)
		blocks[i] = malloc(5000);
	for (int i = 1; i < 10; i += 2)
		free(blocks[i]);
	for (int i = 10; i < 13; i++)
		free(blocks[i]);
	leaked_block = malloc(123);
	static const char done[] = "known_peak: done\n";
	return write(1, done, sizeof done - 1) == (ssize_t)(sizeof done - 1) ? 0 : 1;
}
