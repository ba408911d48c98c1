/*
 * mksizeclasses.c — generates runtime/sizeclasses.h, gort's table of size
 * classes (run `make update-sizeclasses`; a test checks that the committed
 * header is what this program prints, and that the table is Go's).
 *
 * Go's rule, which this program implements:
 *
 *  - Rounding a request up to its class wastes at most 12.5 %: sizes step by
 *    8 bytes up to 32, by 16 up to 128, then by size/8 (a power of two, at
 *    most 1/8 of the size) with every power of two, capped at 256 bytes from
 *    2 KB on.
 *  - Each class gets the smallest run of 8 KB pages whose tail (the bytes
 *    left over after cutting the run into objects) is at most 1/8 of the run:
 *    chopping wastes at most 12.5 % too.
 *  - A size that fits the same number of objects in the same number of pages
 *    as the class before it replaces that class (no point in two classes
 *    that cost the same).
 *  - Last, each class grows to the largest size (a multiple of 128) that
 *    still fits the same number of objects in its run.
 *
 * This gives 67 classes from 8 B to 32 KB (68 with the dummy class 0), spans
 * of 1 to 10 pages.  For each class the program also computes the 32-bit
 * reciprocal ("div magic") that turns an offset in a span into an object
 * index with one multiply, and checks it exhaustively for every offset in
 * the span: the collector relies on it to map interior pointers to objects.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

enum {
	max_small_size = 32 << 10,
	small_size_div = 8,
	small_size_max = 1024,
	large_size_div = 128,
	page_shift = 13,
	page_size = 1 << page_shift,
	max_classes = 128,
};

struct class
{
	int size;   /* bytes per object */
	int npages; /* pages per span */
	uint32_t divmagic;
};

static bool power_of_two(int x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

/* The alignment step for sizes from `size` on (12.5 % rounding rule). */
static int next_align(int size, int align)
{
	if (!power_of_two(size))
		return align;
	if (size >= 2048)
		return 256;
	if (size >= 128)
		return size / 8;
	if (size >= 32)
		return 16;
	return align;
}

/* The smallest run of pages whose tail waste is at most 1/8 of the run. */
static int pages_for(int size)
{
	int allocsize = page_size;

	while (allocsize % size > allocsize / 8)
		allocsize += page_size;
	return allocsize / page_size;
}

static int make_classes(struct class *c)
{
	int n = 1, align = 8;

	c[0] = (struct class){0, 0, 0};
	for (int size = align; size <= max_small_size; size += align) {
		align = next_align(size, align);
		int npages = pages_for(size);
		int allocsize = npages * page_size;
		if (n > 1 && npages == c[n - 1].npages &&
		    allocsize / size == allocsize / c[n - 1].size) {
			c[n - 1].size = size;
			continue;
		}
		if (n == max_classes) {
			fprintf(stderr, "mksizeclasses: too many classes\n");
			exit(1);
		}
		c[n++] = (struct class){size, npages, 0};
	}
	for (int i = 1; i < n; i++) {
		int psize = c[i].npages * page_size;
		int bigger = (psize / (psize / c[i].size)) & ~(large_size_div - 1);
		if (bigger > c[i].size)
			c[i].size = bigger;
	}
	return n;
}

/* n / size == (n * magic) >> 32 for every offset n in the span, or exit. */
static uint32_t div_magic(const struct class *c)
{
	uint32_t m = UINT32_MAX / (uint32_t)c->size + 1;
	uint64_t max = (uint64_t)c->npages * page_size;

	for (uint64_t off = 0; off <= max; off++) {
		if (((off * m) >> 32) != off / (uint64_t)c->size) {
			fprintf(stderr,
			        "mksizeclasses: 32-bit div magic fails for size %d at %" PRIu64
			        "\n",
			        c->size, off);
			exit(1);
		}
	}
	return m;
}

static int class_for(const struct class *c, int n, int size)
{
	for (int j = 0; j < n; j++)
		if (c[j].size >= size)
			return j;
	return -1;
}

static void print_comment(const struct class *c, int n)
{
	int prev = 0;

	printf("/*\n * class  bytes/obj  bytes/span  objects  tail waste  max waste\n");
	for (int i = 1; i < n; i++) {
		int span = c[i].npages * page_size;
		int objects = span / c[i].size;
		int tail = span - objects * c[i].size;
		double maxwaste = (double)((c[i].size - prev - 1) * objects + tail) / span;
		printf(" * %5d  %9d  %10d  %7d  %10d  %8.2f%%\n", i, c[i].size, span, objects, tail,
		       100 * maxwaste);
		prev = c[i].size;
	}
	printf(" */\n\n");
}

static void print_array(const char *name, const struct class *c, int n, int field)
{
	printf("#define %s \\\n\t{", name);
	for (int i = 0; i < n; i++) {
		int v = field == 0 ? c[i].size : c[i].npages;
		printf("%s%d", i % 16 == 0 ? (i ? ", \\\n\t " : "") : ", ", v);
	}
	printf("}\n");
}

static void print_lookup(const char *name, const struct class *c, int n, int count, int base,
                         int step)
{
	printf("#define %s \\\n\t{", name);
	for (int i = 0; i < count; i++) {
		printf("%s%d", i % 16 == 0 ? (i ? ", \\\n\t " : "") : ", ",
		       class_for(c, n, base + i * step));
	}
	printf("}\n");
}

int main(void)
{
	struct class c[max_classes];
	int n = make_classes(c);

	if (n != 68) {
		fprintf(stderr, "mksizeclasses: %d classes, expected 68 (Go's count)\n", n);
		return 1;
	}
	for (int i = 1; i < n; i++)
		c[i].divmagic = div_magic(&c[i]);

	printf("/* sizeclasses.h — generated by runtime/mksizeclasses.c; DO NOT EDIT.\n"
	       " * Regenerate with `make update-sizeclasses`. */\n");
	print_comment(c, n);
	printf("#ifndef GORT_SIZECLASSES_H\n#define GORT_SIZECLASSES_H\n\n");
	printf("#define MAX_SMALL_SIZE %d\n", max_small_size);
	printf("#define SMALL_SIZE_DIV %d\n", small_size_div);
	printf("#define SMALL_SIZE_MAX %d\n", small_size_max);
	printf("#define LARGE_SIZE_DIV %d\n", large_size_div);
	printf("#define NUM_SIZE_CLASSES %d\n", n);
	printf("#define PAGE_SHIFT %d\n\n", page_shift);
	print_array("CLASS_TO_SIZE_INIT", c, n, 0);
	print_array("CLASS_TO_ALLOCNPAGES_INIT", c, n, 1);
	printf("#define CLASS_TO_DIVMAGIC_INIT \\\n\t{");
	for (int i = 0; i < n; i++)
		printf("%s%" PRIu32 "u", i % 8 == 0 ? (i ? ", \\\n\t " : "") : ", ", c[i].divmagic);
	printf("}\n");
	print_lookup("SIZE_TO_CLASS8_INIT", c, n, small_size_max / small_size_div + 1, 0,
	             small_size_div);
	print_lookup("SIZE_TO_CLASS128_INIT", c, n,
	             (max_small_size - small_size_max) / large_size_div + 1, small_size_max,
	             large_size_div);
	printf("\n#endif /* GORT_SIZECLASSES_H */\n");
	return 0;
}
