/* prog_forkexec.c — allocates 111 bytes, forks; the child allocates 333
 * and execs this program again with an argument, which allocates 222; the
 * parent waits and allocates 444. */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

void *volatile keep;

int main(int argc, char **argv)
{
	keep = malloc(111);
	if (argc > 1) {
		keep = malloc(222);
		return 0;
	}
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		keep = malloc(333);
		execl(argv[0], argv[0], "child", (char *)NULL);
		_exit(127);
	}
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return 1;
	keep = malloc(444);
	return WEXITSTATUS(st);
}
