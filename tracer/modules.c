/*
 * modules.c — the module map: which ELF objects are loaded, where, and
 * whether their code keeps frame pointers.
 *
 * The viewer symbolizes after the run, so the trace must say, for every
 * loaded object, its path, load bias and build-id: a MODULE record each,
 * written when the tracer starts and again for objects that dlopen adds
 * (preload.c rescans after every dlopen).  dl_iterate_phdr gives the
 * program headers; the build-id comes from the NT_GNU_BUILD_ID note of a
 * PT_NOTE segment, read in memory.
 *
 * The stack walker asks, for each PC, whether its module keeps frame
 * pointers: only then is the saved %rbp above that frame a frame pointer.
 * Nothing in an ELF file says so, but the code does: functions built with
 * frame pointers begin `push %rbp; mov %rsp,%rbp` (55 48 89 e5), which
 * code built without them almost never contains.  A module whose first
 * 512 KiB of text hold that sequence at least once per 4 KiB is taken to
 * keep them (glibc has one per 27 KiB, CPython's executable one per 3 MiB).
 *
 * Entries are appended under a spinlock and published by a release store
 * of the count; lookups read without a lock.  Each thread caches the module
 * of its last lookup.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define MAX_MODULES 4096u
#define SCAN_BYTES  (512u * 1024u)

static struct module *modules; /* arena, MAX_MODULES entries */
static uint32_t nmodules;      /* published with release */
static esc_spin modules_spin;

static bool text_has_fp(uintptr_t lo, uintptr_t hi)
{
	const uint8_t *p = (const uint8_t *)lo;
	size_t n = hi - lo > SCAN_BYTES ? SCAN_BYTES : hi - lo, hits = 0;

	if (esc_opt.unwind == UNWIND_FP)
		return true;
	if (esc_opt.unwind == UNWIND_DWARF || n < 4)
		return false;
	for (size_t i = 0; i + 4 <= n; i++) {
		const uint8_t *q = memchr(p + i, 0x55, n - 3 - i);
		if (q == NULL)
			break;
		i = (size_t)(q - p);
		if (q[1] == 0x48 && q[2] == 0x89 && q[3] == 0xe5)
			hits++;
	}
	return hits > 0 && hits * 4096 >= n;
}

static size_t build_id(const struct dl_phdr_info *info, const uint8_t **out)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_NOTE)
			continue;
		const uint8_t *p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr);
		const uint8_t *end = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *nh = (const void *)p;
			const uint8_t *name = p + sizeof *nh;
			const uint8_t *desc = name + ((nh->n_namesz + 3) & ~3u);
			const uint8_t *next = desc + ((nh->n_descsz + 3) & ~3u);
			if (next > end)
				break;
			if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
			    memcmp(name, "GNU", 4) == 0) {
				*out = desc;
				return nh->n_descsz > ESC_MAX_BUILD_ID ? ESC_MAX_BUILD_ID
				                                       : nh->n_descsz;
			}
			p = next;
		}
	}
	return 0;
}

static void write_module(struct tstate *t, const struct module *m, const char *path,
                         const uint8_t *bid, size_t bidlen)
{
	size_t n = strnlen(path, ESC_MAX_PATH);
	uint8_t *p = writer_reserve(t, 1 + 4 * ESC_MAX_VARINT + n + bidlen);

	if (p == NULL)
		return;
	*p++ = ESC_REC_MODULE;
	p = esc_put_uvarint(p, m->base);
	p = esc_put_uvarint(p, m->size);
	p = put_str(p, path, n);
	p = esc_put_uvarint(p, bidlen);
	memcpy(p, bid, bidlen);
	writer_commit(t, p + bidlen);
}

static bool known(const struct module *m)
{
	for (uint32_t i = 0; i < nmodules; i++)
		if (modules[i].base == m->base && modules[i].text_lo == m->text_lo &&
		    modules[i].size == m->size)
			return true;
	return false;
}

static int scan_one(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct tstate *t = arg;
	struct module m = {.base = info->dlpi_addr};
	char exe[ESC_MAX_PATH];
	const char *path = info->dlpi_name;
	const uint8_t *bid = NULL;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD)
			continue;
		if (ph->p_vaddr + ph->p_memsz > m.size)
			m.size = ph->p_vaddr + ph->p_memsz;
		if ((ph->p_flags & PF_X) && m.text_hi == 0) {
			m.text_lo = info->dlpi_addr + ph->p_vaddr;
			m.text_hi = m.text_lo + ph->p_memsz;
		}
	}
	if (m.text_hi == 0 || known(&m) || nmodules >= MAX_MODULES)
		return 0;
	if (path == NULL || path[0] == '\0') {
		ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
		exe[n > 0 ? n : 0] = '\0';
		path = exe;
	}
	m.has_fp = text_has_fp(m.text_lo, m.text_hi);
	size_t bidlen = build_id(info, &bid);
	if (t != NULL)
		write_module(t, &m, path, bid, bidlen);
	m.recorded = true;
	modules[nmodules] = m;
	__atomic_store_n(&nmodules, nmodules + 1, __ATOMIC_RELEASE);
	return 0;
}

void modules_scan(struct tstate *t)
{
	spin_lock(&modules_spin);
	if (modules == NULL)
		modules = arena_alloc(MAX_MODULES * sizeof *modules);
	if (modules != NULL)
		dl_iterate_phdr(scan_one, t);
	spin_unlock(&modules_spin);
}

bool modules_lookup(struct tstate *t, uintptr_t pc, bool *found)
{
	uint32_t n = __atomic_load_n(&nmodules, __ATOMIC_ACQUIRE);
	for (uint32_t i = n; i-- > 0;) {
		const struct module *m = &modules[i];
		if (pc >= m->text_lo && pc < m->text_hi) {
			t->last_module[1] = t->last_module[0];
			t->last_module[0] = m;
			*found = true;
			return m->has_fp;
		}
	}
	*found = false;
	return false;
}

uint32_t modules_generation(void)
{
	return __atomic_load_n(&nmodules, __ATOMIC_ACQUIRE);
}

/* Fork child: the new trace needs every module again. */
void modules_reset(void)
{
	modules_spin.v = 0;
	__atomic_store_n(&nmodules, 0, __ATOMIC_RELEASE);
}
