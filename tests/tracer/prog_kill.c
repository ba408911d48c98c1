/* prog_kill.c — allocates 4242-byte blocks forever, writing to stdout how
 * many it has allocated (its pid first) (and so the tracer has recorded) every 1000. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(void)
{
	void *volatile p;

	setvbuf(stdout, NULL, _IONBF, 0);
	printf("pid %d\n", (int)getpid());
	for (unsigned long n = 1;; n++) {
		p = malloc(4242);
		free(p);
		if (n % 1000 == 0)
			printf("%lu\n", n);
	}
}
