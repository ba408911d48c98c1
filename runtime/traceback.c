/*
 * traceback.c — goroutine tracebacks, as Go prints them when a program dies.
 *
 *     goroutine 7 [chan receive]:
 *     worker(...)
 *             pc=0x401a2b +0x4b
 *     created by spawn in goroutine 1
 *             pc=0x4019f0 +0x30
 *
 * Frames come from a frame-pointer walk (gort and its users are built with
 * -fno-omit-frame-pointer).  __morestack leaves a frame record for the
 * split function's caller (morestack_amd64.S), so the walk crosses segment
 * boundaries; it stops at gostart (%rbp = 0) or at the first frame pointer
 * that is not inside one of the goroutine's segments (a libc frame without
 * one), so it never reads wild memory.  __morestack frames, and the frame of
 * the split function at its `ret` that follows each, are hidden like Go
 * hides runtime.morestack.
 *
 * Names come from the executable's own symbol table (.symtab, static
 * functions included; .dynsym when stripped), read once from /proc/self/exe
 * with <elf.h> and kept sorted.  Everything here runs on the system stack
 * or in a dying program, so it may call libc freely.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define MAX_FRAMES 100

/* ---- symbols -------------------------------------------------------------- */

typedef struct sym {
	uintptr_t addr;
	uintptr_t size;
	const char *name;
} sym;

static sym *syms;
static size_t nsyms;
static bool syms_loaded;

static int sym_cmp(const void *a, const void *b)
{
	const sym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int exe_bias_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	*(uintptr_t *)data = info->dlpi_addr;
	return 1; /* the first object is the executable */
}

/* Add the functions of one symbol table section. */
static void add_symtab(const unsigned char *base, size_t len, const Elf64_Shdr *sh,
                       const Elf64_Shdr *strsh, uintptr_t bias)
{
	size_t n = sh->sh_size / sizeof(Elf64_Sym);
	const Elf64_Sym *st = (const Elf64_Sym *)(base + sh->sh_offset);
	const char *strtab = (const char *)(base + strsh->sh_offset);

	if (sh->sh_offset + sh->sh_size > len || strsh->sh_offset + strsh->sh_size > len)
		return;
	sym *grown = realloc(syms, (nsyms + n) * sizeof *syms);
	if (grown == NULL)
		return;
	syms = grown;
	for (size_t i = 0; i < n; i++) {
		if (ELF64_ST_TYPE(st[i].st_info) != STT_FUNC || st[i].st_value == 0 ||
		    st[i].st_name >= strsh->sh_size)
			continue;
		syms[nsyms++] = (sym){st[i].st_value + bias, st[i].st_size, strtab + st[i].st_name};
	}
}

static void load_syms(void)
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	struct stat stt;
	uintptr_t bias = 0;

	syms_loaded = true;
	if (fd < 0)
		return;
	if (fstat(fd, &stt) != 0 || (size_t)stt.st_size < sizeof(Elf64_Ehdr)) {
		close(fd);
		return;
	}
	size_t len = (size_t)stt.st_size;
	const unsigned char *base = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (base == MAP_FAILED)
		return;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_shoff == 0 ||
	    eh->e_shoff + (size_t)eh->e_shnum * sizeof(Elf64_Shdr) > len)
		return;
	if (eh->e_type == ET_DYN)
		dl_iterate_phdr(exe_bias_cb, &bias);
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(base + eh->e_shoff);
	int want = SHT_SYMTAB;
	for (int pass = 0; pass < 2 && nsyms == 0; pass++, want = SHT_DYNSYM)
		for (unsigned i = 0; i < eh->e_shnum; i++)
			if (sh[i].sh_type == (unsigned)want && sh[i].sh_link < eh->e_shnum)
				add_symtab(base, len, &sh[i], &sh[sh[i].sh_link], bias);
	qsort(syms, nsyms, sizeof *syms, sym_cmp);
}

/* The function containing pc and pc's offset in it, or NULL. */
const char *symbolize(uintptr_t pc, uintptr_t *off)
{
	size_t lo = 0, hi;

	if (!syms_loaded)
		load_syms();
	hi = nsyms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (syms[mid].addr <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const sym *s = &syms[lo - 1];
	if (s->size != 0 && pc >= s->addr + s->size)
		return NULL;
	*off = pc - s->addr;
	return s->name;
}

/* ---- walking a goroutine's frames ------------------------------------------ */

static bool on_gstack(const struct gort_g *gp, uintptr_t a)
{
	for (const stkseg *s = gp->stack0; s != NULL; s = s->next)
		if (a >= (uintptr_t)s + SEG_HDR && a + 16 <= seg_hi(s))
			return true;
	return false;
}

static bool is_sym(const char *name, const char *want)
{
	return name != NULL && strcmp(name, want) == 0;
}

static void print_frame(FILE *f, uintptr_t pc)
{
	uintptr_t off = 0;
	const char *name = symbolize(pc - 1, &off);

	fprintf(f, "%s(...)\n\tpc=%#lx +%#lx\n", name != NULL ? name : "?", (unsigned long)pc,
	        (unsigned long)off + 1);
}

const char *gstatus_string(const struct gort_g *gp)
{
	switch (gp->status) {
	case G_RUNNING:
		return "running";
	case G_RUNNABLE:
		return "runnable";
	case G_WAITING:
		return gp->waitreason != NULL ? gp->waitreason : "waiting";
	default:
		return "dead";
	}
}

/* Collect up to max return pcs of gp's frames from frame pointer fp (a
 * record {saved rbp, return pc}), hiding __morestack's frames. */
static int walk_frames(const struct gort_g *gp, uintptr_t fp, uintptr_t *pcs, int max)
{
	int n = 0;
	bool skip_next = false;

	while (n < max && fp != 0 && (fp & 7) == 0 && on_gstack(gp, fp)) {
		uintptr_t ret = ((uintptr_t *)fp)[1];
		uintptr_t off;
		const char *name = symbolize(ret - 1, &off);
		fp = ((uintptr_t *)fp)[0];
		if (skip_next) {
			skip_next = false;
			continue;
		}
		if (is_sym(name, "__morestack")) {
			skip_next = true;
			continue;
		}
		if (is_sym(name, "gostart"))
			break;
		pcs[n++] = ret;
	}
	return n;
}

/* Where the user's code is: the frames above the first gort_ call (gopark,
 * the scheduler, the panic machinery) are the runtime's business, as Go
 * hides runtime.* frames. */
static int first_user_frame(const uintptr_t *pcs, int n)
{
	for (int i = 0; i < n && i < 16; i++) {
		uintptr_t off;
		const char *name = symbolize(pcs[i] - 1, &off);
		if (name != NULL && strncmp(name, "gort_", 5) == 0)
			return i;
	}
	return 0;
}

void traceback_g(int fd, const struct gort_g *gp, uintptr_t fp, uintptr_t pc)
{
	FILE *f = fd == 1 ? stdout : stderr;
	uintptr_t pcs[MAX_FRAMES + 17];
	int n = walk_frames(gp, fp, pcs, MAX_FRAMES + 17);
	int first = first_user_frame(pcs, n);

	fprintf(f, "goroutine %llu [%s]:\n", (unsigned long long)gp->goid, gstatus_string(gp));
	if (pc != 0)
		print_frame(f, pc + 1);
	for (int i = first; i < n; i++) {
		if (i - first == MAX_FRAMES) {
			fprintf(f, "...additional frames elided...\n");
			break;
		}
		print_frame(f, pcs[i]);
	}
	if (gp->parentid != 0) {
		uintptr_t off = 0;
		const char *name = symbolize(gp->gopc - 1, &off);
		fprintf(f, "created by %s in goroutine %llu\n\tpc=%#lx +%#lx\n",
		        name != NULL ? name : "?", (unsigned long long)gp->parentid,
		        (unsigned long)gp->gopc, (unsigned long)off + 1);
	}
	fputc('\n', f);
}

/* The frame pointer to start gp's walk from. */
static uintptr_t start_fp(const struct gort_g *gp)
{
	if (gp == m0.curg) {
		if (tcb_guard() != 0)
			return (uintptr_t)__builtin_frame_address(0);
		return m0.curfp;
	}
	/* gogo_switch pushed r15 r14 r13 r12 rbx rbp: rbp is at sp + 40, and
	 * the record {rbp, return pc} of gogo_switch's caller is there. */
	return gp->sched.sp + 40;
}

void traceback_all(int fd, const struct gort_g *skip)
{
	for (uint32_t i = 0; i < allglen; i++) {
		const struct gort_g *gp = allgs[i];
		if (gp == skip || gp->status == G_DEAD || gp->status == G_IDLE)
			continue;
		traceback_g(fd, gp, start_fp(gp), 0);
	}
	fflush(fd == 1 ? stdout : stderr);
}

static void traceback_dying_sys(void *unused)
{
	const struct gort_g *running = NULL;

	(void)unused;
	fputc('\n', stderr);
	if (m0.curg != NULL && m0.curg->status == G_RUNNING) {
		running = m0.curg;
		traceback_g(2, running, start_fp(running), 0);
	}
	traceback_all(2, running);
	fflush(stderr);
}

/* After a panic or fatal error message: the goroutines, when there are. */
void sched_traceback_dying(void)
{
	if (sched_running)
		systemstack(traceback_dying_sys, NULL);
}

/* Go's throw from the scheduler: the program cannot go on. */
void sched_fatal(const char *msg)
{
	fatal_error("%s", msg);
}
