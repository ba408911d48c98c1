/* prog_allfns.c — calls each of the ten hooked allocation functions once,
 * with a distinct size, and frees every block.  The pointers go through a
 * volatile array so the compiler cannot pair and drop the calls. */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdlib.h>

void *volatile keep[9];
void *volatile null_ptr;

int main(void)
{
	void *p = NULL;

	keep[0] = malloc(1001);
	keep[1] = calloc(2, 501); /* 1002 */
	keep[2] = realloc(null_ptr, 1003);
	keep[3] = reallocarray(null_ptr, 1, 1004);
	if (posix_memalign(&p, 64, 1005) != 0)
		return 1;
	keep[4] = p;
	keep[5] = aligned_alloc(2, 1006); /* C11: size a multiple of the alignment */
	keep[6] = memalign(64, 1007);
	keep[7] = valloc(1008);
	keep[8] = pvalloc(1009);
	for (int i = 0; i < 9; i++)
		free(keep[i]);
	return 0;
}
