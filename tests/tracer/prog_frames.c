/* prog_frames.c — built with -finstrument-functions: main calls down()
 * ten levels deep; each level keeps a 1000-byte buffer in its frame. */
#include <string.h>

__attribute__((noinline)) static int down(int n)
{
	volatile char buf[1000];
	memset((char *)buf, n, sizeof buf);
	return n == 0 ? buf[0] : down(n - 1) + buf[1];
}

int main(void)
{
	return down(9) == 45 ? 0 : 1;
}
