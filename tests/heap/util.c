/*
 * util.c — see util.h.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

static struct child_result collect(pid_t pid, int fd)
{
	struct child_result r = {.status = -1};
	size_t n = 0;
	ssize_t k;

	while ((k = read(fd, r.err + n, sizeof r.err - 1 - n)) > 0)
		n += (size_t)k;
	r.err[n] = '\0';
	close(fd);
	int st;
	if (waitpid(pid, &st, 0) == pid && WIFEXITED(st))
		r.status = WEXITSTATUS(st);
	return r;
}

static pid_t spawn(int *fd)
{
	int p[2];

	if (pipe(p) != 0) {
		perror("pipe");
		exit(1);
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], 2);
		close(p[1]);
		return 0;
	}
	close(p[1]);
	*fd = p[0];
	return pid;
}

struct child_result run_child(const char *name, const char *env)
{
	int fd;
	pid_t pid = spawn(&fd);

	if (pid == 0) {
		if (env != NULL)
			putenv((char *)env);
		execl("/proc/self/exe", "heap-test-child", "--child", name, (char *)NULL);
		_exit(127);
	}
	return collect(pid, fd);
}

struct child_result run_forked(void (*fn)(void))
{
	int fd;
	pid_t pid = spawn(&fd);

	if (pid == 0) {
		fn();
		_exit(0);
	}
	return collect(pid, fd);
}

void dispatch_child(int argc, char **argv, const struct child_mode *modes, size_t n)
{
	if (argc < 3 || strcmp(argv[1], "--child") != 0)
		return;
	for (size_t i = 0; i < n; i++)
		if (strcmp(argv[2], modes[i].name) == 0)
			exit(modes[i].fn());
	fprintf(stderr, "unknown child mode %s\n", argv[2]);
	exit(126);
}

void __attribute__((noinline)) scrub_stack(void)
{
	volatile char buf[64 * 1024];

	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = 0;
}
