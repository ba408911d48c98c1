/* prog_segv.c — its own SIGSEGV handler allocates 4321 bytes and leaves
 * with _exit(42); main allocates 1234 bytes, then faults. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *volatile keep;
int *volatile nowhere;

static void on_segv(int sig)
{
	(void)sig;
	keep = malloc(4321);
	_exit(42);
}

int main(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_segv;
	sigaction(SIGSEGV, &sa, NULL);
	keep = malloc(1234);
	*nowhere = 1;
	return 0;
}
