/*
 * cxx.c — C++ operator new and delete, interposed like malloc and free.
 *
 * libstdc++'s operators call malloc and free, so hooking those alone would
 * record every C++ allocation — but with operator new as the allocating
 * function, a frame that returns at once: every `new` would look escaped,
 * and the stack walk would start in libstdc++, which keeps no frame
 * pointers.  Defined here, the operators record the program's own calling
 * frame instead, and take the fast walk when that frame allows it.
 *
 * Each operator allocates with the real malloc (or aligned_alloc) as
 * libstdc++'s does.  Only failure goes to libstdc++'s own operator, found
 * with dlsym(RTLD_NEXT): it runs the new-handler and throws std::bad_alloc,
 * which C code cannot do.  A program that defines its own operators keeps
 * them: the executable's definitions come before any preloaded library's.
 * No C++ runtime is linked: these are plain C functions with the mangled
 * names (x86-64: size_t is `m`, std::align_val_t an enum over size_t).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>

#include "internal.h"

#define EXPORT   __attribute__((visibility("default")))
#define NOINLINE __attribute__((noinline))

/* libstdc++'s operator (it throws); NULL when the program has no C++. */
static void *cxx_fallback(const char *name, size_t n, size_t align)
{
	if (align != 0) {
		void *(*real)(size_t, size_t) = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, name);
		return real != NULL ? real(n, align) : NULL;
	}
	void *(*real)(size_t) = (void *(*)(size_t))dlsym(RTLD_NEXT, name);
	return real != NULL ? real(n) : NULL;
}

static inline void *cxx_alloc(size_t n, size_t align)
{
	if (n == 0)
		n = 1; /* new never returns NULL for 0 bytes */
	return align > 16 ? hooks_real_aligned_alloc(align, (n + align - 1) & ~(align - 1))
	                  : real_malloc(n);
}

/* Record a new; `name` is the libstdc++ symbol to fall back to on failure
 * (NULL for nothrow: then NULL is the answer). */
#define NEW_HOOK(fn, n, align, name)                                                               \
	do {                                                                                       \
		hooks_resolve();                                                                   \
		struct tstate *t = enter();                                                        \
		uint64_t t0 = t != NULL ? event_time(t) : 0;                                       \
		void *p_ = real_malloc != NULL ? cxx_alloc((n), (align)) : NULL;                   \
		uint64_t cost_ = esc_opt.cost && t != NULL ? esc_ticks() - t0 : 0;                 \
		if (t != NULL) {                                                                   \
			if (p_ != NULL)                                                            \
				record_alloc(t, ESC_REC_ALLOC | (fn), (uintptr_t)p_, (n), t0,      \
				             cost_, __builtin_frame_address(0),                    \
				             (uintptr_t)__builtin_return_address(0), NULL, false,  \
				             NULL, false);                                         \
			leave(t);                                                                  \
		}                                                                                  \
		if (p_ == NULL && (name) != NULL)                                                  \
			p_ = cxx_fallback((name), (n), (align));                                   \
		return p_;                                                                         \
	} while (0)

#define DELETE_HOOK(fn, p)                                                                         \
	do {                                                                                       \
		if ((p) == NULL)                                                                   \
			return;                                                                    \
		struct tstate *t = enter();                                                        \
		if (t != NULL) {                                                                   \
			record_free(t, (fn), (uintptr_t)(p), event_time(t),                        \
			            (uintptr_t)__builtin_frame_address(0));                        \
			leave(t);                                                                  \
		}                                                                                  \
		if (real_free != NULL)                                                             \
			real_free(p);                                                              \
	} while (0)

typedef struct nothrow_t nothrow_t; /* std::nothrow_t, passed by reference */

EXPORT NOINLINE void *_Znwm(size_t n)
{
	NEW_HOOK(ESC_FN_NEW, n, 0, "_Znwm");
}

EXPORT NOINLINE void *_Znam(size_t n)
{
	NEW_HOOK(ESC_FN_NEW_ARRAY, n, 0, "_Znam");
}

EXPORT NOINLINE void *_ZnwmRKSt9nothrow_t(size_t n, const nothrow_t *nt)
{
	(void)nt;
	NEW_HOOK(ESC_FN_NEW, n, 0, (const char *)NULL);
}

EXPORT NOINLINE void *_ZnamRKSt9nothrow_t(size_t n, const nothrow_t *nt)
{
	(void)nt;
	NEW_HOOK(ESC_FN_NEW_ARRAY, n, 0, (const char *)NULL);
}

EXPORT NOINLINE void *_ZnwmSt11align_val_t(size_t n, size_t align)
{
	NEW_HOOK(ESC_FN_NEW, n, align, "_ZnwmSt11align_val_t");
}

EXPORT NOINLINE void *_ZnamSt11align_val_t(size_t n, size_t align)
{
	NEW_HOOK(ESC_FN_NEW_ARRAY, n, align, "_ZnamSt11align_val_t");
}

EXPORT NOINLINE void *_ZnwmSt11align_val_tRKSt9nothrow_t(size_t n, size_t align,
                                                         const nothrow_t *nt)
{
	(void)nt;
	NEW_HOOK(ESC_FN_NEW, n, align, (const char *)NULL);
}

EXPORT NOINLINE void *_ZnamSt11align_val_tRKSt9nothrow_t(size_t n, size_t align,
                                                         const nothrow_t *nt)
{
	(void)nt;
	NEW_HOOK(ESC_FN_NEW_ARRAY, n, align, (const char *)NULL);
}

/* Every delete: plain, sized, aligned, nothrow, and their combinations.
 * The extra arguments do not matter to free(). */
#define DELETE_VARIANT(name, fn, ...)                                                              \
	EXPORT NOINLINE void name(void *p, ##__VA_ARGS__)                                          \
	{                                                                                          \
		DELETE_HOOK(fn, p);                                                                \
	}
DELETE_VARIANT(_ZdlPv, ESC_FN_DELETE)
DELETE_VARIANT(_ZdaPv, ESC_FN_DELETE_ARRAY)
DELETE_VARIANT(_ZdlPvm, ESC_FN_DELETE, size_t n)
DELETE_VARIANT(_ZdaPvm, ESC_FN_DELETE_ARRAY, size_t n)
DELETE_VARIANT(_ZdlPvSt11align_val_t, ESC_FN_DELETE, size_t align)
DELETE_VARIANT(_ZdaPvSt11align_val_t, ESC_FN_DELETE_ARRAY, size_t align)
DELETE_VARIANT(_ZdlPvmSt11align_val_t, ESC_FN_DELETE, size_t n, size_t align)
DELETE_VARIANT(_ZdaPvmSt11align_val_t, ESC_FN_DELETE_ARRAY, size_t n, size_t align)
DELETE_VARIANT(_ZdlPvRKSt9nothrow_t, ESC_FN_DELETE, const nothrow_t *nt)
DELETE_VARIANT(_ZdaPvRKSt9nothrow_t, ESC_FN_DELETE_ARRAY, const nothrow_t *nt)
DELETE_VARIANT(_ZdlPvSt11align_val_tRKSt9nothrow_t, ESC_FN_DELETE, size_t align,
               const nothrow_t *nt)
DELETE_VARIANT(_ZdaPvSt11align_val_tRKSt9nothrow_t, ESC_FN_DELETE_ARRAY, size_t align,
               const nothrow_t *nt)
