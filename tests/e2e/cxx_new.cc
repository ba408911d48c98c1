// tests/e2e/cxx_new.cc — C++ new/delete and new[]/delete[] at known sites.
//
// Each allocation is on its own line, with a size no other allocation of
// the program has, and prints "CALL line size" at the end (collected first,
// written with write(2): iostream and stdio would allocate on their own).
// The end-to-end script finds each (function, line, size) in the report.
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <new>
#include <unistd.h>

namespace escapade_test
{

struct Widget {
	char payload[232];
};

static char out[1024];
static size_t outlen;

static void note(const char *call, int line, size_t size)
{
	int n = std::snprintf(out + outlen, sizeof out - outlen, "%s %d %zu\n", call, line, size);
	if (n > 0 && static_cast<size_t>(n) < sizeof out - outlen)
		outlen += static_cast<size_t>(n);
}

__attribute__((noinline)) Widget *make_widget()
{
	Widget *w = new Widget();
	note("new", __LINE__ - 1, sizeof(Widget));
	return w;
}

__attribute__((noinline)) char *make_buffer(size_t n)
{
	char *b = new char[n];
	note("new[]", __LINE__ - 1, n);
	std::memset(b, 0, n);
	return b;
}

__attribute__((noinline)) long *make_nothrow()
{
	long *l = new (std::nothrow) long[37];
	note("new[]", __LINE__ - 1, 37 * sizeof(long));
	return l;
}

} // namespace escapade_test

int main()
{
	using namespace escapade_test;
	Widget *w = make_widget();
	char *b = make_buffer(3001);
	long *l = make_nothrow();
	delete w;
	delete[] b;
	delete[] l;
	return write(1, out, outlen) == static_cast<ssize_t>(outlen) ? 0 : 1;
}
