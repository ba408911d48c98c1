/*
 * tracer/symbolize.h — turning recorded addresses into functions and lines.
 *
 * The tracer records raw program counters and a module map (path, load bias,
 * build-id); symbolization happens after the run, in the viewer.  A
 * symbolizer is told about every module of the traced process, then asked
 * about addresses.  Each answer is a short list of frames, innermost first:
 * when the address lies in code that the compiler inlined, the inlined
 * callee comes first and the function it was inlined into after it, each
 * with its own file:line, as a debugger would show them.
 *
 * Answers are cached per module, so resolving an address a second time costs
 * one hash lookup, and stay valid (same pointer) until the symbolizer is
 * freed.  Where nothing is known (file missing, build-id changed, no symbols)
 * the answer is a single frame with function NULL and the module's path and
 * offset, which esc_frame_format renders as "module+0xoffset".
 */
#ifndef ESCAPADE_SYMBOLIZE_H
#define ESCAPADE_SYMBOLIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct esc_symbolizer esc_symbolizer;

/* One source-level frame of a resolved address. */
typedef struct esc_frame {
	const char *function; /* demangled name, or NULL when unknown */
	const char *file;     /* source file, or NULL when no line information */
	int line;             /* 0 when unknown */
	int column;           /* 0 when unknown */
	const char *module;   /* path of the module holding the address */
	uint64_t offset;      /* address relative to the module's load bias */
	bool inlined;         /* this frame was inlined into the next one */
} esc_frame;

/* All frames of one address, innermost (inlined callee) first. */
typedef struct esc_symbol {
	int nframes; /* >= 1 */
	const esc_frame *frames;
} esc_symbol;

/* A symbolizer; debug_path is libdw's search path for separate debug files
 * (NULL for the default ":.debug:/usr/lib/debug", which finds
 * /usr/lib/debug/.build-id/xx/yyyy.debug).  Warnings go to warn (NULL:
 * silence), at most once per module. */
esc_symbolizer *esc_symbolizer_new(const char *debug_path, FILE *warn);
void esc_symbolizer_free(esc_symbolizer *s);

/* Registers a module mapped into the traced process.  bias is the load
 * bias (dl_iterate_phdr's dlpi_addr: runtime address minus the ELF's
 * link-time address; 0 for a non-PIE executable).  size, when non-zero, is
 * the extent of the mapping from its lowest segment, used when the file
 * cannot be read; build_id (may be NULL) is compared with the file's: on a
 * mismatch the module is treated as unknown.  Returns the module's index,
 * or -1 when out of memory. */
int esc_symbolizer_add_module(esc_symbolizer *s, const char *path, uint64_t bias, uint64_t size,
                              const uint8_t *build_id, size_t build_id_len);

/* The module holding pc, or -1. */
int esc_symbolizer_find_module(esc_symbolizer *s, uint64_t pc);

/* Resolves an absolute address.  Return addresses point after the call, so
 * for every stack frame but the innermost pass is_return_address: the
 * lookup then uses pc - 1, which lies inside the call instruction.  module
 * is an index from esc_symbolizer_add_module, or -1 to find it by address.
 * Never NULL unless out of memory; an address outside every module gives a
 * frame with module NULL. */
const esc_symbol *esc_symbolize(esc_symbolizer *s, int module, uint64_t pc, bool is_return_address);

/* Writes "function" or "module+0xoffset" (or "0xaddr") into buf; returns
 * buf. */
char *esc_frame_format(const esc_frame *f, char *buf, size_t len);

#endif
