/* prog_sigalloc.c — a profiling timer fires every 50 us while the main
 * loop makes 1 000 000 malloc/free pairs of 608 bytes; its handler makes a
 * pair of 720 bytes (another tcache bin than 608:
 * glibc's fast path is then safe to re-enter), often while the main thread is inside the tracer.
 * Prints how many times the handler ran. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

static volatile sig_atomic_t handled;

static void on_prof(int sig)
{
	(void)sig;
	void *volatile p = malloc(720);
	free(p);
	handled++;
}

int main(void)
{
	struct sigaction sa;
	struct itimerval it = {{0, 50}, {0, 50}};

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_prof;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGPROF, &sa, NULL);
	setitimer(ITIMER_PROF, &it, NULL);
	for (int i = 0; i < 1000000; i++) {
		void *volatile p = malloc(608);
		free(p);
	}
	struct itimerval off = {{0, 0}, {0, 0}};
	setitimer(ITIMER_PROF, &off, NULL);
	printf("%d\n", (int)handled);
	return 0;
}
