/* prog_threads.c — 8 threads, each making 1 000 000 malloc/free pairs of
 * 200..207 bytes (sizes nothing else in the process uses). */
#include <pthread.h>
#include <stdlib.h>

#define THREADS 8
#define PAIRS   1000000

static void *worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < PAIRS; i++) {
		void *volatile p = malloc(200 + (i & 7));
		free(p);
	}
	return NULL;
}

int main(void)
{
	pthread_t th[THREADS];

	for (int i = 0; i < THREADS; i++)
		if (pthread_create(&th[i], NULL, worker, NULL) != 0)
			return 1;
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	return 0;
}
