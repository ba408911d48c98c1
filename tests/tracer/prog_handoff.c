/* prog_handoff.c — a producer thread allocates 100 000 blocks of 3131
 * bytes and hands each through a pipe to a consumer thread that frees it:
 * every free is another thread's block. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#define BLOCKS 100000

static int fds[2];

static void *producer(void *arg)
{
	(void)arg;
	for (int i = 0; i < BLOCKS; i++) {
		void *p = malloc(3131);
		if (write(fds[1], &p, sizeof p) != sizeof p)
			abort();
	}
	return NULL;
}

static void *consumer(void *arg)
{
	(void)arg;
	for (int i = 0; i < BLOCKS; i++) {
		void *p;
		if (read(fds[0], &p, sizeof p) != sizeof p)
			abort();
		free(p);
	}
	return NULL;
}

int main(void)
{
	pthread_t a, b;

	if (pipe(fds) != 0)
		return 1;
	pthread_create(&b, NULL, consumer, NULL);
	pthread_create(&a, NULL, producer, NULL);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	return 0;
}
