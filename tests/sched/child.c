/*
 * child.c — see child.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "gort.h"

void run_child(void (*fn)(void *), void *arg, const char *godebug, child_result *r)
{
	int fds[2];
	size_t len = 0;
	int status;

	memset(r, 0, sizeof *r);
	if (pipe(fds) != 0)
		abort();
	pid_t pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], 2);
		if (godebug != NULL)
			setenv("GODEBUG", godebug, 1);
		gort_main(fn, arg);
		_exit(0);
	}
	close(fds[1]);
	for (;;) {
		ssize_t n = read(fds[0], r->err + len, sizeof r->err - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == sizeof r->err - 1) {
			char sink[4096];
			while (read(fds[0], sink, sizeof sink) > 0)
				;
			break;
		}
	}
	close(fds[0]);
	waitpid(pid, &status, 0);
	r->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (getenv("SCHED_TEST_VERBOSE") != NULL) /* see what the child said */
		fprintf(stderr, "--- child exit %d, stderr:\n%s---\n", r->exit_status, r->err);
}
