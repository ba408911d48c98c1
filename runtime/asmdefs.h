/*
 * asmdefs.h — the numbers the assembly files (morestack_amd64.S,
 * asm_amd64.S) share with C: structure offsets and stack sizes.
 *
 * The assembly cannot include C declarations, so the layouts it touches are
 * spelled out here as plain numbers; stack.c and proc.c check each one with a
 * _Static_assert against offsetof, so a change to a structure that forgets
 * this file does not build.
 */
#ifndef GORT_ASMDEFS_H
#define GORT_ASMDEFS_H

/* struct stkseg (the header at the low end of every stack segment). */
#define SEG_PREV_GUARD  0  /* older segment's guard (the caller's side) */
#define SEG_NEXT        8  /* newer segment: the spare kept after a return */
#define SEG_G           16 /* owning goroutine */
#define SEG_SPARE_HI    24 /* the spare's top */
#define SEG_SPLO        32 /* lowest live address when a newer segment was entered */
#define SEG_SPARE_GUARD 40 /* the spare's guard: next + GUARD_OFF */
#define SEG_SPARE_AVAIL 48 /* frames below it fit on the spare; 0: no spare */
#define SEG_SIZE        56 /* bytes, header included (32 bits) */
#define SEG_CLS         60 /* pool class: size is 2 KB << cls */
#define SEG_MAPPED      61 /* mapped on its own (trimmed by C when freed) */
#define SEG_HDR         64 /* sizeof(struct stkseg), rounded to a cache line */

/* Bytes kept free below the guard for split-stack prologues that skip the
 * check for small frames (GCC allows 256 B), __morestack's own frame and the
 * no_split_stack switching code. */
#define STACK_HEADROOM 576
/* The guard in %fs:0x70 is the segment's base plus GUARD_OFF. */
#define GUARD_OFF (SEG_HDR + STACK_HEADROOM)

/* __morestack_non_split: room a call into non-split code (libc) needs on
 * the current segment, and the extra it asks for when it must grow. */
#define NONSPLIT_ROOM 0x4000
#define NONSPLIT_GROW 0xc000

/* Segment classes: 2 KB << cls, doubling up to 1 MB (class 9). */
#define STACK_MIN_SHIFT     11
#define STACK_CLASSES       20
#define STACK_MAXGROW_CLASS 9
#define STACK_LIMIT_BYTES   1000000000

/* struct gort_g, struct m and its stackpool, struct p. */
#define G_SCHED_SP    0
#define G_SCHED_GUARD 8
#define G_M           16
#define G_SCHEDLINK   24
#define G_STACKSIZE   32
#define G_STATUS      48
#define M_G0SP        0
#define M_CURGUARD    8
#define M_CURFP       16
#define M_CURG        24
#define M_POOL        32
#define POOL_FREE     0   /* stkseg *free[STACK_CLASSES] */
#define POOL_NFREE    160 /* uint32_t nfree[STACK_CLASSES] */
#define POOL_INUSE    240 /* bytes handed out */
#define P_RUNQHEAD    0
#define P_RUNQTAIL    8
#define P_NTIMERS     24

/* enum gstatus (internal.h) */
#define G_STATUS_RUNNABLE 1
#define G_STATUS_RUNNING  2

/* gort_probes (probes.h): the stack probes' offsets. */
#define PROBE_STACK_GROW    40
#define PROBE_STACK_RELEASE 48

/* The TCB slot that holds the split-stack guard (glibc, x86-64). */
#define TCB_STACK_GUARD 0x70

#endif /* GORT_ASMDEFS_H */
