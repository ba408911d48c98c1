/*
 * tracer/symbolize.c — the symbolizer: addresses to functions, files, lines.
 *
 * Each module of the traced process gets its own libdwfl session (a Dwfl
 * holding that one ELF file, reported at the module's load bias), opened
 * lazily on the first address that falls in it.  One session per module,
 * rather than one for the whole process, keeps modules that were unloaded
 * and replaced at the same address (dlclose, then dlopen) apart.
 *
 * A lookup goes:
 *   1. the module's cache: an id table (idtable.h) from the looked-up
 *      address to the finished answer;
 *   2. DWARF, when the file or its separate debug file has it: the CU that
 *      covers the address, its scopes (dwarf_getscopes), and the line table.
 *      Every DW_TAG_inlined_subroutine among the scopes is one inlined frame;
 *      its call_file/call_line is the position in the frame that encloses it.
 *      The innermost frame's position comes from the line table.
 *   3. ELF symbols (.symtab, else .dynsym) through dwfl_module_addrinfo,
 *      when DWARF has no function for the address;
 *   4. nothing: one frame "module+0xoffset", offset = address - load bias,
 *      which is the address addr2line takes for that file.
 *
 * Separate debug files are found by libdwfl's standard search: the build-id
 * tree (/usr/lib/debug/.build-id/xx/yyyy.debug) and .gnu_debuglink.  A
 * module whose file is missing, unreadable, or whose build-id differs from
 * the recorded one (the program was rebuilt since the run) gives step 4
 * only, with one warning.
 *
 * C++ names are demangled with __cxa_demangle from libstdc++, opened with
 * dlopen at the first C++ name (the tracer does not use this file).  Not
 * linking libstdc++ keeps it, libm and libgcc_s out of every escapade
 * process that never meets a C++ name: `escapade record`, which waits
 * beside the traced program, above all (1.1 MB of RSS).  Without libstdc++
 * on the system, C++ names stay mangled.
 */
#define _GNU_SOURCE
#include "config.h"

#include "symbolize.h"
#include "idtable.h"

#include <dlfcn.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The Itanium C++ ABI demangler, from libstdc++; NULL when unavailable. */
typedef char *(*cxa_demangle_fn)(const char *mangled, char *buf, size_t *len, int *status);
static cxa_demangle_fn cxa_demangle(void)
{
	static cxa_demangle_fn fn;
	static bool tried;

	if (!tried) {
		tried = true;
		void *lib = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);
		if (lib != NULL)
			fn = (cxa_demangle_fn)dlsym(lib, "__cxa_demangle");
	}
	return fn;
}

struct module {
	char *path;
	uint64_t bias;
	uint64_t lo, hi; /* address range, [lo, hi) */
	uint8_t *build_id;
	size_t build_id_len;
	bool opened;
	Dwfl *dwfl;           /* NULL when the file is unusable */
	Dwfl_Module *mod;     /* the one module of dwfl */
	id_table cache;       /* looked-up address -> esc_symbol * (in a) */
	struct cu_range *cus; /* CU address ranges, when the file has no aranges */
	size_t ncus;
	bool cus_built;
};

/* One address range of a compilation unit (module addresses, before bias). */
struct cu_range {
	Dwarf_Addr lo, hi;
	Dwarf_Off die; /* offset of the CU DIE */
};

struct esc_symbolizer {
	Dwfl_Callbacks callbacks;
	char *debug_path;
	FILE *warn;
	struct module *mods;
	int nmods, capmods;
	struct module nowhere; /* addresses outside every module */
};

static char *xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

esc_symbolizer *esc_symbolizer_new(const char *debug_path, FILE *warn)
{
	esc_symbolizer *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->warn = warn;
	s->debug_path = xstrdup(debug_path);
	s->callbacks.find_elf = dwfl_build_id_find_elf;
	s->callbacks.find_debuginfo = dwfl_standard_find_debuginfo;
	s->callbacks.section_address = dwfl_offline_section_address;
	s->callbacks.debuginfo_path = s->debug_path ? &s->debug_path : NULL;
	return s;
}

static void symbol_free(esc_symbol *sym)
{
	for (int i = 0; i < sym->nframes; i++) {
		free((char *)sym->frames[i].function);
		free((char *)sym->frames[i].file);
	}
	free((esc_frame *)sym->frames);
	free(sym);
}

static void module_free(struct module *m)
{
	for (size_t i = 0; i < m->cache.cap; i++)
		if (m->cache.v[i].key)
			symbol_free((esc_symbol *)(uintptr_t)m->cache.v[i].a);
	id_table_free(&m->cache);
	free(m->cus);
	if (m->dwfl)
		dwfl_end(m->dwfl);
	free(m->path);
	free(m->build_id);
}

void esc_symbolizer_free(esc_symbolizer *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->nmods; i++)
		module_free(&s->mods[i]);
	module_free(&s->nowhere);
	free(s->mods);
	free(s->debug_path);
	free(s);
}

static void warn(esc_symbolizer *s, const struct module *m, const char *why)
{
	if (s->warn)
		fprintf(s->warn,
		        "escapade: warning: %s: %s; its addresses are shown as module+offset\n",
		        m->path, why);
}

/* The file's build-id must be the one recorded at run time: otherwise its
 * symbols describe some other build of the program. */
static bool build_id_matches(struct module *m)
{
	const unsigned char *bits;
	GElf_Addr vaddr;
	if (!m->build_id_len)
		return true;
	int n = dwfl_module_build_id(m->mod, &bits, &vaddr);
	return n > 0 && (size_t)n == m->build_id_len && !memcmp(bits, m->build_id, (size_t)n);
}

/* Opens the module's file in its own Dwfl session; on any failure the module
 * stays without one and its addresses resolve to module+offset. */
static void module_open(esc_symbolizer *s, struct module *m)
{
	m->opened = true;
	/* Not a file (the vDSO, "linux-vdso.so.1"): nothing to read, nothing
	 * to warn about. */
	if (!m->path || m->path[0] != '/')
		return;
	int fd = open(m->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		warn(s, m, strerror(errno));
		return;
	}
	m->dwfl = dwfl_begin(&s->callbacks);
	if (!m->dwfl) {
		close(fd);
		return;
	}
	dwfl_report_begin(m->dwfl);
	/* libdwfl owns fd from here on, success or not. */
	m->mod = dwfl_report_elf(m->dwfl, m->path, m->path, fd, m->bias, true);
	dwfl_report_end(m->dwfl, NULL, NULL);
	const char *why = NULL;
	if (!m->mod)
		why = dwfl_errmsg(-1);
	else if (!build_id_matches(m))
		why = "build-id differs from the traced one (file changed since the run)";
	if (why) {
		warn(s, m, why);
		dwfl_end(m->dwfl);
		m->dwfl = NULL;
		m->mod = NULL;
		return;
	}
	Dwarf_Addr lo, hi;
	dwfl_module_info(m->mod, NULL, &lo, &hi, NULL, NULL, NULL, NULL);
	m->lo = lo;
	m->hi = hi;
}

int esc_symbolizer_add_module(esc_symbolizer *s, const char *path, uint64_t bias, uint64_t size,
                              const uint8_t *build_id, size_t build_id_len)
{
	if (s->nmods == s->capmods) {
		int cap = s->capmods ? 2 * s->capmods : 16;
		struct module *mods = realloc(s->mods, (size_t)cap * sizeof *mods);
		if (!mods)
			return -1;
		s->mods = mods;
		s->capmods = cap;
	}
	struct module *m = &s->mods[s->nmods];
	memset(m, 0, sizeof *m);
	m->path = xstrdup(path ? path : "?");
	m->bias = bias;
	m->lo = bias;
	m->hi = size ? bias + size : bias;
	if (build_id_len) {
		m->build_id = malloc(build_id_len);
		if (!m->build_id) {
			free(m->path);
			return -1;
		}
		memcpy(m->build_id, build_id, build_id_len);
		m->build_id_len = build_id_len;
	}
	/* Open now: the range of a module comes from its ELF headers. */
	module_open(s, m);
	return s->nmods++;
}

int esc_symbolizer_find_module(esc_symbolizer *s, uint64_t pc)
{
	/* The latest module wins: it replaced any earlier one at that address. */
	for (int i = s->nmods - 1; i >= 0; i--)
		if (pc >= s->mods[i].lo && pc < s->mods[i].hi)
			return i;
	return -1;
}

/* ---- building answers --------------------------------------------------- */

/* A growing list of frames. */
struct frames {
	esc_frame *v;
	int n, cap;
	bool oom;
};

static esc_frame *frames_push(struct frames *fs)
{
	if (fs->n == fs->cap) {
		int cap = fs->cap ? 2 * fs->cap : 4;
		esc_frame *v = realloc(fs->v, (size_t)cap * sizeof *v);
		if (!v) {
			fs->oom = true;
			return NULL;
		}
		fs->v = v;
		fs->cap = cap;
	}
	esc_frame *f = &fs->v[fs->n++];
	memset(f, 0, sizeof *f);
	return f;
}

/* A name fit for people: demangled when it is a C++ one. */
static char *readable_name(const char *name)
{
	if (!name)
		return NULL;
	cxa_demangle_fn demangle;
	if (name[0] == '_' && name[1] == 'Z' && (demangle = cxa_demangle()) != NULL) {
		int status = -1;
		char *d = demangle(name, NULL, NULL, &status);
		if (d && status == 0)
			return d;
		free(d);
	}
	return strdup(name);
}

/* The name of a subprogram or inlined-subroutine DIE, following
 * DW_AT_abstract_origin and DW_AT_specification to the declaration; the
 * linkage name is preferred because it carries C++ scopes and signatures. */
static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	const char *name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attr));
	if (!name)
		name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr));
	if (!name)
		name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attr));
	return name;
}

/* The file named by index idx of the CU's file table (DW_AT_call_file). */
static const char *cu_file(Dwarf_Die *cudie, Dwarf_Word idx)
{
	Dwarf_Files *files;
	size_t nfiles;
	if (dwarf_getsrcfiles(cudie, &files, &nfiles) != 0 || idx >= nfiles)
		return NULL;
	return dwarf_filesrc(files, idx, NULL, NULL);
}

static bool is_function_scope(Dwarf_Die *die)
{
	int tag = dwarf_tag(die);
	return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine;
}

static int compare_cu_ranges(const void *pa, const void *pb)
{
	const struct cu_range *a = pa, *b = pb;
	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

/* Lists every CU's address ranges, once per module: libdw (0.188) finds a
 * CU by address through .debug_aranges only, which clang does not emit. */
static void build_cu_ranges(struct module *m, Dwarf *dw)
{
	m->cus_built = true;
	size_t cap = 0;
	Dwarf_Off off = 0, next;
	size_t hsize;
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu;
		if (dwarf_offdie(dw, off + hsize, &cu)) {
			Dwarf_Addr base, lo, hi;
			ptrdiff_t it = 0;
			while ((it = dwarf_ranges(&cu, it, &base, &lo, &hi)) > 0) {
				if (m->ncus == cap) {
					cap = cap ? 2 * cap : 64;
					struct cu_range *v = realloc(m->cus, cap * sizeof *v);
					if (!v)
						return;
					m->cus = v;
				}
				m->cus[m->ncus++] = (struct cu_range){lo, hi, off + hsize};
			}
		}
		off = next;
	}
	qsort(m->cus, m->ncus, sizeof *m->cus, compare_cu_ranges);
}

/* The CU DIE covering addr (a module address, bias applied), in *cu. */
static bool find_cu(struct module *m, uint64_t addr, Dwarf_Die *cu, Dwarf_Addr *bias)
{
	Dwarf_Die *d = dwfl_module_addrdie(m->mod, addr, bias);
	if (d) {
		*cu = *d;
		return true;
	}
	Dwarf *dw = dwfl_module_getdwarf(m->mod, bias);
	if (!dw)
		return false;
	if (!m->cus_built)
		build_cu_ranges(m, dw);
	Dwarf_Addr a = addr - *bias;
	size_t lo = 0, hi = m->ncus; /* first range with lo > a */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->cus[mid].lo <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Ranges of different CUs do not overlap; look back a few in case. */
	for (size_t i = lo; i-- > 0 && lo - i <= 8;)
		if (a >= m->cus[i].lo && a < m->cus[i].hi)
			return dwarf_offdie(dw, m->cus[i].die, cu) != NULL;
	return false;
}

/* Deepest nesting of scopes followed (inlining rarely goes past 30). */
#define MAX_SCOPES 128

static bool is_code_scope(int tag)
{
	return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine ||
	       tag == DW_TAG_lexical_block || tag == DW_TAG_try_block || tag == DW_TAG_catch_block;
}

/* Declarations that may hold function definitions without covering any
 * addresses themselves. */
static bool is_container(int tag)
{
	return tag == DW_TAG_namespace || tag == DW_TAG_class_type ||
	       tag == DW_TAG_structure_type || tag == DW_TAG_union_type || tag == DW_TAG_module;
}

/* The child of parent (looking through namespaces and classes) whose code
 * covers pc, in *out. */
static bool child_with_pc(Dwarf_Die *parent, Dwarf_Addr pc, Dwarf_Die *out, int depth)
{
	Dwarf_Die child;
	if (depth > 16 || dwarf_child(parent, &child) != 0)
		return false;
	do {
		int tag = dwarf_tag(&child);
		if (is_code_scope(tag) && dwarf_haspc(&child, pc) > 0) {
			*out = child;
			return true;
		}
		if (is_container(tag) && child_with_pc(&child, pc, out, depth + 1))
			return true;
	} while (dwarf_siblingof(&child, &child) == 0);
	return false;
}

/* The scopes covering pc, innermost first, in their physical nesting: an
 * inlined subroutine is followed by the function it was inlined into.
 * (dwarf_getscopes continues with the abstract definition's scopes instead,
 * and dwarf_getscopes_die walks the whole CU on every call, which takes
 * minutes on a CU the size of CPython's ceval.c.) */
static int scope_chain(Dwarf_Die *cu, Dwarf_Addr pc, Dwarf_Die *scopes)
{
	Dwarf_Die chain[MAX_SCOPES], parent = *cu;
	int n = 0;
	while (n < MAX_SCOPES && child_with_pc(&parent, pc, &chain[n], 0))
		parent = chain[n++];
	for (int i = 0; i < n; i++)
		scopes[i] = chain[n - 1 - i];
	return n;
}

/* Fills one frame per function scope (inlined callees first).  The
 * innermost frame's file:line comes from the line table; each inlined
 * subroutine's call_file/call_line places the frame that encloses it. */
static void dwarf_frames(struct module *m, uint64_t addr, struct frames *fs)
{
	Dwarf_Addr bias;
	Dwarf_Die cu, *cudie = &cu;
	if (!find_cu(m, addr, &cu, &bias))
		return;
	Dwarf_Die scopes[MAX_SCOPES];
	int n = scope_chain(cudie, addr - bias, scopes);
	const char *file = NULL;
	int line = 0, col = 0;
	Dwarf_Line *dl = dwarf_getsrc_die(cudie, addr - bias);
	if (dl) {
		file = dwarf_linesrc(dl, NULL, NULL);
		dwarf_lineno(dl, &line);
		dwarf_linecol(dl, &col);
	}
	for (int i = 0; i < n; i++) {
		if (!is_function_scope(&scopes[i]))
			continue;
		esc_frame *f = frames_push(fs);
		if (!f)
			break;
		f->function = readable_name(die_name(&scopes[i]));
		f->file = xstrdup(file);
		f->line = line;
		f->column = col;
		if (dwarf_tag(&scopes[i]) != DW_TAG_inlined_subroutine)
			break; /* the real function: the outermost frame */
		f->inlined = true;
		Dwarf_Attribute attr;
		Dwarf_Word w = 0;
		file = NULL;
		if (dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_file, &attr), &w) == 0)
			file = cu_file(cudie, w);
		line = dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_line, &attr), &w) == 0
		               ? (int)w
		               : 0;
		col = dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_column, &attr), &w) == 0
		              ? (int)w
		              : 0;
	}
	/* No function scope at all (assembly, say): keep the line alone. */
	if (!fs->n && file) {
		esc_frame *f = frames_push(fs);
		if (f) {
			f->file = xstrdup(file);
			f->line = line;
			f->column = col;
		}
	}
}

/* The ELF symbol covering addr, for the outermost frame when DWARF has no
 * function name for it. */
static void elf_symbol(struct module *m, uint64_t addr, struct frames *fs)
{
	GElf_Off off;
	GElf_Sym sym;
	const char *name = dwfl_module_addrinfo(m->mod, addr, &off, &sym, NULL, NULL, NULL);
	if (!name)
		return;
	if (!fs->n && !frames_push(fs))
		return;
	esc_frame *outer = &fs->v[fs->n - 1];
	if (!outer->function)
		outer->function = readable_name(name);
}

static esc_symbol *resolve(struct module *m, uint64_t addr)
{
	struct frames fs = {0};
	if (m->mod) {
		dwarf_frames(m, addr, &fs);
		elf_symbol(m, addr, &fs);
	}
	if (!fs.n)
		frames_push(&fs);
	esc_symbol *sym = fs.oom ? NULL : malloc(sizeof *sym);
	if (!sym) {
		for (int i = 0; i < fs.n; i++) {
			free((char *)fs.v[i].function);
			free((char *)fs.v[i].file);
		}
		free(fs.v);
		return NULL;
	}
	for (int i = 0; i < fs.n; i++) {
		fs.v[i].module = m->path;
		fs.v[i].offset = addr - m->bias;
	}
	sym->nframes = fs.n;
	sym->frames = fs.v;
	return sym;
}

const esc_symbol *esc_symbolize(esc_symbolizer *s, int module, uint64_t pc, bool is_return_address)
{
	uint64_t addr = is_return_address && pc ? pc - 1 : pc;
	if (module < 0 || module >= s->nmods)
		module = esc_symbolizer_find_module(s, addr);
	/* Outside every module (JIT code, a vanished mapping): the answer is
	 * the bare address, cached in a module of its own. */
	struct module *m = module < 0 ? &s->nowhere : &s->mods[module];
	id_slot *slot = id_table_put(&m->cache, addr);
	if (!slot)
		return NULL;
	if (!slot->a) {
		esc_symbol *sym = resolve(m, addr);
		if (!sym) {
			id_table_remove(&m->cache, slot);
			return NULL;
		}
		slot->a = (uintptr_t)sym;
	}
	return (const esc_symbol *)(uintptr_t)slot->a;
}

char *esc_frame_format(const esc_frame *f, char *buf, size_t len)
{
	if (f->function)
		snprintf(buf, len, "%s", f->function);
	else if (f->module) {
		const char *base = strrchr(f->module, '/');
		snprintf(buf, len, "%s+0x%" PRIx64, base ? base + 1 : f->module, f->offset);
	} else
		snprintf(buf, len, "0x%" PRIx64, f->offset);
	return buf;
}
