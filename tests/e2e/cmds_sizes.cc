/*
 * tests/e2e/cmds_sizes.cc — a program whose allocations scale with its
 * argument, for the end-to-end tests of the output commands and of diff.
 *
 *   cmds_sizes N   grow_me<Box<int>&> allocates N blocks of 1000 bytes
 *                  (operator new); steady() 10 blocks of 100 bytes
 *                  whatever N; a function named with <>&"'; (an asm label)
 *                  mallocs 777 bytes and keeps them (a leak).
 *
 * Built a second time as cmds_sizes_shifted with -DCMDS_SHIFT, which adds an
 * unused function ahead of the others: the same program at other addresses
 * (and another module path), for diff across two builds.
 *
 * The names are hostile on purpose: every output must carry them intact
 * (escaped for its format).  Built -O0 so each call stays a frame.
 */
#include <cstdio>
#include <cstdlib>

#ifdef CMDS_SHIFT
__attribute__((noinline, used)) static int shift_addresses(int x)
{
	volatile char b[64];
	for (int i = 0; i < 64; i++)
		b[i] = (char)(x + i);
	return b[3] + b[9];
}
#endif

template <typename T> struct Box {
	T v;
};

template <typename T> __attribute__((noinline)) void grow_me(int n)
{
	for (int i = 0; i < n; i++) {
		char *p = new char[1000];
		__asm__ volatile("" ::"r"(p) : "memory");
		delete[] p;
	}
}

__attribute__((noinline)) static void steady(void)
{
	for (int i = 0; i < 10; i++) {
		void *p = malloc(100);
		__asm__ volatile("" ::"r"(p) : "memory");
		free(p);
	}
}

extern "C" void *weird(size_t n) __asm__("\"odd<&>'quote;fn\"");
extern "C" __attribute__((noinline)) void *weird(size_t n)
{
	void *p = malloc(n);
	__asm__ volatile("" ::"r"(p) : "memory");
	return p;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10;
	grow_me<Box<int> &>(n);
	steady();
	static void *kept;
	kept = weird(777);
	std::printf("kept %p\n", kept);
	return 0;
}
