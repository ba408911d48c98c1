/* prog_frames.c — built with -finstrument-functions: main calls down()
 * ten levels deep; each level keeps a 1000-byte buffer in its frame.
 * The buffer is written element by element through volatile: a memset of
 * it cast to non-volatile lets clang drop all of it but the two bytes read
 * back, and with them the frame the tests measure. */
__attribute__((noinline)) static int down(int n)
{
	volatile char buf[1000];

	for (unsigned i = 0; i < sizeof buf; i++)
		buf[i] = (char)n;
	return n == 0 ? buf[0] : down(n - 1) + buf[1];
}

int main(void)
{
	return down(9) == 45 ? 0 : 1;
}
