/*
 * tests/test_symbolize.c — the symbolizer, on this very program.
 *
 * The test resolves addresses of its own functions: it finds its module
 * (path and load bias) with dl_iterate_phdr, as the tracer does, and checks
 * names, lines and inlined frames against what the source says (__LINE__ just
 * after the call whose return address is looked up).  Built
 * twice, as a PIE (test_symbolize) and a non-PIE executable
 * (test_symbolize_nopie), so both load-bias cases are covered.  Stripped
 * copies, separate debug files and changed build-ids are made at run time
 * with objcopy in a temporary directory.
 */
#define _GNU_SOURCE
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tracer/symbolize.h"

/* ---- code whose addresses the tests resolve ---------------------------- */

static __attribute__((noinline)) void *return_address(void)
{
	return __builtin_return_address(0);
}

static __attribute__((noinline)) int known_static(int x)
{
	return x * 3 + 1;
}

static __attribute__((noinline)) void *known_line(int *line)
{
	void *pc = return_address();
	*line = __LINE__ - 1; /* the line of the call above */
	return pc;
}

static inline __attribute__((always_inline)) void *inlined_leaf(int *line)
{
	void *pc = return_address();
	*line = __LINE__ - 1; /* the line of the call above */
	return pc;
}

static __attribute__((noinline)) void *inlined_caller(int *leaf_line, int *call_line)
{
	void *pc = inlined_leaf(leaf_line);
	*call_line = __LINE__ - 1;
	return pc;
}

/* ---- this program as a module ------------------------------------------ */

struct self {
	char path[4096];
	uint64_t bias;
	uint8_t build_id[64];
	size_t build_id_len;
};

static int first_module(struct dl_phdr_info *info, size_t size, void *data)
{
	struct self *self = data;
	self->bias = info->dlpi_addr;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_NOTE)
			continue;
		const char *p = (const char *)(info->dlpi_addr + ph->p_vaddr);
		const char *end = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
			const char *desc = p + sizeof *nh + ((nh->n_namesz + 3) & ~3u);
			if (nh->n_type == NT_GNU_BUILD_ID &&
			    nh->n_descsz <= sizeof self->build_id) {
				memcpy(self->build_id, desc, nh->n_descsz);
				self->build_id_len = nh->n_descsz;
			}
			p = desc + ((nh->n_descsz + 3) & ~3u);
		}
	}
	return 1; /* the executable comes first */
}

static struct self self;
static char tmpdir[] = "/tmp/escapade-symtest-XXXXXX";

static int setup(void **state)
{
	ssize_t n = readlink("/proc/self/exe", self.path, sizeof self.path - 1);
	if (n <= 0)
		return -1;
	self.path[n] = 0;
	dl_iterate_phdr(first_module, &self);
	if (!mkdtemp(tmpdir))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[sizeof tmpdir + 16];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static esc_symbolizer *self_symbolizer(const char *path, const char *debug_path, int *mod)
{
	esc_symbolizer *s = esc_symbolizer_new(debug_path, NULL);
	assert_non_null(s);
	*mod = esc_symbolizer_add_module(s, path, self.bias, 0, self.build_id, self.build_id_len);
	assert_true(*mod >= 0);
	return s;
}

static void assert_file_is_this_source(const esc_frame *f)
{
	assert_non_null(f->file);
	const char *base = strrchr(f->file, '/');
	assert_string_equal(base ? base + 1 : f->file, "test_symbolize.c");
}

/* ---- tests --------------------------------------------------------------- */

static void static_function_by_name(void **state)
{
	int mod;
	esc_symbolizer *s = self_symbolizer(self.path, NULL, &mod);
	uint64_t pc = (uint64_t)(uintptr_t)&known_static;
	assert_int_equal(esc_symbolizer_find_module(s, pc), mod);
	const esc_symbol *sym = esc_symbolize(s, -1, pc, false);
	assert_non_null(sym);
	assert_int_equal(sym->nframes, 1);
	assert_string_equal(sym->frames[0].function, "known_static");
	assert_file_is_this_source(&sym->frames[0]);
	assert_string_equal(sym->frames[0].module, self.path);
	assert_int_equal(sym->frames[0].offset, pc - self.bias);
	assert_int_equal(known_static(1), 4);
	esc_symbolizer_free(s);
}

static void return_address_gives_the_calling_line(void **state)
{
	int line = 0, mod;
	uint64_t pc = (uint64_t)(uintptr_t)known_line(&line);
	esc_symbolizer *s = self_symbolizer(self.path, NULL, &mod);
	const esc_symbol *sym = esc_symbolize(s, mod, pc, true);
	assert_int_equal(sym->nframes, 1);
	assert_string_equal(sym->frames[0].function, "known_line");
	assert_file_is_this_source(&sym->frames[0]);
	assert_int_equal(sym->frames[0].line, line);
	assert_false(sym->frames[0].inlined);
	esc_symbolizer_free(s);
}

static void inlined_frames_innermost_first(void **state)
{
	int leaf_line = 0, call_line = 0, mod;
	uint64_t pc = (uint64_t)(uintptr_t)inlined_caller(&leaf_line, &call_line);
	esc_symbolizer *s = self_symbolizer(self.path, NULL, &mod);
	const esc_symbol *sym = esc_symbolize(s, mod, pc, true);
	assert_int_equal(sym->nframes, 2);
	assert_string_equal(sym->frames[0].function, "inlined_leaf");
	assert_true(sym->frames[0].inlined);
	assert_int_equal(sym->frames[0].line, leaf_line);
	assert_string_equal(sym->frames[1].function, "inlined_caller");
	assert_false(sym->frames[1].inlined);
	assert_int_equal(sym->frames[1].line, call_line);
	assert_file_is_this_source(&sym->frames[1]);
	esc_symbolizer_free(s);
}

static void second_lookup_is_cached(void **state)
{
	int mod;
	esc_symbolizer *s = self_symbolizer(self.path, NULL, &mod);
	uint64_t pc = (uint64_t)(uintptr_t)&known_static;
	const esc_symbol *a = esc_symbolize(s, mod, pc, false);
	const esc_symbol *b = esc_symbolize(s, -1, pc, false);
	assert_ptr_equal(a, b);
	/* pc - 1 for return addresses is a different lookup. */
	assert_ptr_not_equal(esc_symbolize(s, mod, pc + 1, true), NULL);
	esc_symbolizer_free(s);
}

/* A formatted string in a static buffer that rotates over four, which is
 * all one statement here needs; the test fails if it would not fit. */
static const char *fmt(const char *f, ...)
{
	static char bufs[4][8192];
	static int next;
	char *buf = bufs[next++ % 4];
	va_list ap;
	va_start(ap, f);
	int n = vsnprintf(buf, sizeof bufs[0], f, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < sizeof bufs[0]);
	return buf;
}

static void run(const char *cmd)
{
	assert_int_equal(system(cmd), 0);
}

static void stripped_module_gives_module_plus_offset(void **state)
{
	char buf[256];
	const char *stripped = fmt("%s/stripped", tmpdir);
	run(fmt("objcopy --strip-all '%s' '%s'", self.path, stripped));
	int mod;
	esc_symbolizer *s = self_symbolizer(stripped, NULL, &mod);
	uint64_t pc = (uint64_t)(uintptr_t)&known_static;
	const esc_symbol *sym = esc_symbolize(s, mod, pc, false);
	assert_int_equal(sym->nframes, 1);
	assert_null(sym->frames[0].function);
	assert_null(sym->frames[0].file);
	assert_int_equal(sym->frames[0].offset, pc - self.bias);
	assert_string_equal(esc_frame_format(&sym->frames[0], buf, sizeof buf),
	                    fmt("stripped+0x%llx", (unsigned long long)(pc - self.bias)));
	esc_symbolizer_free(s);
}

static void separate_debug_file_by_build_id(void **state)
{
	assert_true(self.build_id_len > 1);
	char hex[2 * sizeof self.build_id + 1];
	for (size_t i = 0; i < self.build_id_len; i++)
		sprintf(hex + 2 * i, "%02x", self.build_id[i]);
	const char *root = strdup(fmt("%s/debug", tmpdir));
	run(fmt("mkdir -p '%s/.build-id/%.2s'", root, hex));
	run(fmt("objcopy --only-keep-debug '%s' '%s/.build-id/%.2s/%s.debug'", self.path, root, hex,
	        hex + 2));
	const char *stripped = strdup(fmt("%s/stripped-for-debug", tmpdir));
	run(fmt("objcopy --strip-all '%s' '%s'", self.path, stripped));

	int mod;
	esc_symbolizer *s = self_symbolizer(stripped, root, &mod);
	int line = 0;
	uint64_t pc = (uint64_t)(uintptr_t)known_line(&line);
	const esc_symbol *sym = esc_symbolize(s, mod, pc, true);
	assert_string_equal(sym->frames[0].function, "known_line");
	assert_int_equal(sym->frames[0].line, line);
	esc_symbolizer_free(s);
	free((char *)root);
	free((char *)stripped);
}

static void changed_build_id_falls_back(void **state)
{
	FILE *warn = fopen(fmt("%s/warnings", tmpdir), "w+");
	assert_non_null(warn);
	uint8_t wrong[20] = {0xde, 0xad, 0xbe, 0xef};
	esc_symbolizer *s = esc_symbolizer_new(NULL, warn);
	int mod = esc_symbolizer_add_module(s, self.path, self.bias, 1 << 20, wrong, sizeof wrong);
	const esc_symbol *sym = esc_symbolize(s, mod, (uint64_t)(uintptr_t)&known_static, false);
	assert_null(sym->frames[0].function);
	assert_string_equal(sym->frames[0].module, self.path);
	esc_symbolizer_free(s);
	rewind(warn);
	char text[8192] = "";
	size_t len = fread(text, 1, sizeof text - 1, warn);
	text[len] = 0;
	fclose(warn);
	assert_non_null(strstr(text, "build-id differs"));
}

static void missing_file_falls_back(void **state)
{
	char buf[256];
	esc_symbolizer *s = esc_symbolizer_new(NULL, NULL);
	int mod = esc_symbolizer_add_module(s, "/nonexistent/libgone.so", 0x7f0000000000, 0x10000,
	                                    NULL, 0);
	assert_int_equal(esc_symbolizer_find_module(s, 0x7f0000001234), mod);
	const esc_symbol *sym = esc_symbolize(s, -1, 0x7f0000001234, false);
	assert_string_equal(esc_frame_format(&sym->frames[0], buf, sizeof buf),
	                    "libgone.so+0x1234");
	/* Outside every module: the bare address. */
	sym = esc_symbolize(s, -1, 0x1000, false);
	assert_null(sym->frames[0].module);
	assert_string_equal(esc_frame_format(&sym->frames[0], buf, sizeof buf), "0x1000");
	esc_symbolizer_free(s);
}

struct lib {
	const char *want;
	char path[4096];
	uint64_t bias;
};

static int find_lib(struct dl_phdr_info *info, size_t size, void *data)
{
	struct lib *lib = data;
	if (!strstr(info->dlpi_name, lib->want))
		return 0;
	snprintf(lib->path, sizeof lib->path, "%s", info->dlpi_name);
	lib->bias = info->dlpi_addr;
	return 1;
}

static void shared_library_and_cxx_names(void **state)
{
	struct lib lib = {.want = "libstdc++"};
	/* The symbolizer opens libstdc++ only at its first C++ name. */
	void *cxx = dlopen("libstdc++.so.6", RTLD_NOW);
	assert_non_null(cxx);
	assert_int_equal(dl_iterate_phdr(find_lib, &lib), 1);
	assert_true(lib.bias != 0);
	esc_symbolizer *s = esc_symbolizer_new(NULL, NULL);
	int mod = esc_symbolizer_add_module(s, lib.path, lib.bias, 0, NULL, 0);
	/* std::terminate() in libstdc++. */
	uint64_t pc = (uint64_t)(uintptr_t)dlsym(cxx, "_ZSt9terminatev");
	assert_true(pc != 0);
	assert_int_equal(esc_symbolizer_find_module(s, pc), mod);
	const esc_symbol *sym = esc_symbolize(s, -1, pc, false);
	const esc_frame *outer = &sym->frames[sym->nframes - 1];
	assert_string_equal(outer->function, "std::terminate()");
	esc_symbolizer_free(s);
	dlclose(cxx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(static_function_by_name),
	        cmocka_unit_test(return_address_gives_the_calling_line),
	        cmocka_unit_test(inlined_frames_innermost_first),
	        cmocka_unit_test(second_lookup_is_cached),
	        cmocka_unit_test(stripped_module_gives_module_plus_offset),
	        cmocka_unit_test(separate_debug_file_by_build_id),
	        cmocka_unit_test(changed_build_id_falls_back),
	        cmocka_unit_test(missing_file_falls_back),
	        cmocka_unit_test(shared_library_and_cxx_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
