/* prog_abort.c — allocates 5678 bytes, then abort(). */
#include <stdlib.h>

void *volatile keep;

int main(void)
{
	keep = malloc(5678);
	abort();
}
