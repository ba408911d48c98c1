/*
 * morestack_amd64.S — gort's own __morestack and __morestack_non_split: how
 * a goroutine's stack grows onto a new segment and comes back.
 *
 * A function compiled with -fsplit-stack starts by comparing %rsp (less its
 * frame size) with the guard in %fs:0x70.  Below the guard it does
 *
 *         mov $frame, %r10 ; mov $argbytes, %r11 ; call __morestack ; ret
 *     body:
 *
 * and expects __morestack to run `body` (the return address + 1, past the
 * ret) on a stack with room for the frame, with the stack arguments copied
 * there and every argument register intact.  When the body returns,
 * __morestack switches back and returns to that `ret`, which returns to the
 * function's caller.
 *
 * The warm path is all here, 27 instructions there and back (plus the
 * prologue's four and its jump to the body): the goroutine keeps the
 * segment it last returned from (the "spare", seg->next), and the current
 * segment's header says where the spare's stack starts, its guard and the
 * biggest frame it takes; the spare's header says the guard to restore on
 * the way back.  If the spare is big enough and no tool listens to stack
 * probes, we move onto it without calling C and without saving a register.
 * Where they go: the frame record (below) takes five, the checks seven
 * (stack arguments and probe in one test, room; on the way back, a segment
 * beyond the spare), and the return goes through the function's own `ret`
 * so that the return-stack predictor stays right.  Otherwise the slow path switches to the thread's system stack and calls
 * morestack_grow (stack.c), which takes a segment from the per-thread pool,
 * checks the 1 GB limit and fires the probe.  On the way back,
 * morestack_release (stack.c) runs only when there is a segment beyond the
 * spare we keep that was mapped on its own, or when the crossing went in
 * through the slow path and a probe listens (so grow and release probes
 * pair).
 *
 * How far this can go: the ABI itself makes a crossing two call/ret pairs
 * longer than the call, and on our VMs those cost about as much as a
 * small call (bench/call_floor_amd64.S measures a __morestack that only
 * moves the stack pointer: 1.8-2.6x the plain call, where this one runs
 * 2.2-3.1x).  A leaner variant (no frame record, the probe check folded
 * into the spare's room, 45 instructions instead of 52) measured no faster:
 * the time is in the calls and the stack switch, not in the checks.
 *
 * The current segment is found from the guard alone: the guard is the
 * segment's base + GUARD_OFF, and the segment header at its base names the
 * goroutine, which names its M and the M's system stack.
 *
 * __morestack's frame on the old stack (E = %rsp at entry):
 *
 *     E+16   the function's stack arguments
 *     E+8    return address into the function's caller (caller_pc)
 *     E      return address into the function (its `ret`)       <- CFA-8
 *     E-8    pointer to E-24                                      <- %rbp
 *     E-16   caller_pc      } a frame record {saved rbp, return pc} for
 *     E-24   caller's %rbp  } the function's caller
 *     E-32.. %rax, %rcx, %rdx saved (slow path only)
 *
 * %rbp = E-8 satisfies GCC's varargs bodies, which read the stack arguments
 * at 24(%rbp).  A frame-pointer walk from the body goes body -> __morestack
 * -> the function (at its ret) -> the function's caller (through the record
 * at E-24) -> ..., so no frame is lost at a segment boundary.  The CFI says
 * the same to DWARF unwinders (gdb, libunwind): CFA = %rbp + 16, caller's
 * %rbp at CFA-32.  gdb accepts the CFA jumping between segments because the
 * frame's pc is inside a function named __morestack.
 */
#include "asmdefs.h"

/* TO_SYSTEM_STACK seg, t1, t2: from segment seg of the running goroutine,
 * record where the goroutine is (its frame pointer and guard, for the
 * collector and tracebacks), switch to the M's system stack with the old
 * %rsp pushed there, and set the guard to 0.  Clobbers t1 and t2. */
.macro TO_SYSTEM_STACK seg, t1, t2
	movq	SEG_G(\seg), \t1
	movq	G_M(\t1), \t1
	movq	%rbp, M_CURFP(\t1)
	leaq	GUARD_OFF(\seg), \t2
	movq	\t2, M_CURGUARD(\t1)
	movq	M_G0SP(\t1), \t1
	movq	%rsp, -8(\t1)
	leaq	-8(\t1), %rsp
	movq	$0, %fs:TCB_STACK_GUARD
.endm

/* The registers the pool's warm path uses besides r10 and r11, all of
 * which may carry the function's arguments: saved around it, in one order
 * for both ways out (into the switch, or on to the slow path).  The CFA is
 * %rbp-based there, so the pushes need no CFI. */
.macro PUSH_POOL_SCRATCH
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
.endm
.macro POP_POOL_SCRATCH
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rax
.endm

	.text

	.globl	__morestack
	.type	__morestack, @function
	.hidden	gort_probe_table
	.p2align 4
__morestack:
	.cfi_startproc
	pushq	%rbp			/* E-8: caller's %rbp, for now */
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rbp, 0
	pushq	16(%rsp)		/* E-16: caller_pc (from E+8) */
	.cfi_adjust_cfa_offset 8
	pushq	8(%rsp)			/* E-24: caller's %rbp (from E-8) */
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rbp, 0

	/* The warm paths: no stack arguments, no stack probe, and the spare
	 * (the segment after the current one) has room for the frame, or
	 * there is no spare and the pool has a segment of the class we want.
	 * Only r10 and r11 are scratch here (rax may hold the static chain
	 * or the varargs vector count), and %rbp until it becomes the frame
	 * pointer: one test there says "no stack arguments and no probe";
	 * from then on r11 is free.  The old segment's live part starts at
	 * E-24; the slow path stores it again, lower, after its pushes. */
	movq	gort_probe_table+PROBE_STACK_GROW(%rip), %rbp
	orq	%r11, %rbp
	jnz	.Lnot_warm
	leaq	16(%rsp), %rbp
	.cfi_def_cfa %rbp, 16
	movq	%rsp, (%rbp)		/* E-8 -> record at E-24 */
	movq	%fs:TCB_STACK_GUARD, %r11
	movq	%rsp, SEG_SPLO-GUARD_OFF(%r11)
	cmpq	SEG_SPARE_AVAIL-GUARD_OFF(%r11), %r10	/* 0 if no spare */
	jae	.Lno_spare_fits
.Lwarm_switch:
	/* r11 = the current segment's guard; its spare fits.  Everything
	 * comes from the current header: the spare's top and guard. */
	movq	SEG_SPARE_HI-GUARD_OFF(%r11), %rsp
	movq	SEG_SPARE_GUARD-GUARD_OFF(%r11), %r11
	movq	%r11, %fs:TCB_STACK_GUARD
	movq	8(%rbp), %r11
	addq	$1, %r11		/* skip the function's ret */
	call	*%r11

.Lreturned:
	/* Back from the body, on the new segment: rax, rdx, xmm0, xmm1 may
	 * hold its result; rcx, rsi, rdi, r8-r11 are free.  We leave
	 * segment S (kept as the spare); a segment beyond it goes back to
	 * the pool, here unless it was mapped on its own (C trims those).
	 * No probe check: a crossing that went in without telling the
	 * stack_grow probe comes back without telling stack_release (the
	 * slow path's return, below, checks), so the two always pair. */
	movq	%fs:TCB_STACK_GUARD, %rcx	/* S + GUARD_OFF */
	cmpq	$0, SEG_NEXT-GUARD_OFF(%rcx)
	jne	.Lrelease_pool
.Lback:
	/* rcx = S + GUARD_OFF */
	movq	SEG_PREV_GUARD-GUARD_OFF(%rcx), %rcx
	movq	%rcx, %fs:TCB_STACK_GUARD
	.cfi_remember_state
	leaq	8(%rbp), %rsp
	.cfi_def_cfa %rsp, 8
	movq	-16(%rbp), %rbp
	.cfi_restore %rbp
	ret
	.cfi_restore_state

.Lrelease_pool:
	subq	$GUARD_OFF, %rcx		/* S */
	movq	SEG_NEXT(%rcx), %rsi
	cmpb	$0, SEG_MAPPED(%rsi)
	jne	.Lrelease_slow
	movq	SEG_G(%rcx), %rdi
	movl	SEG_SIZE(%rsi), %r8d
	subq	%r8, G_STACKSIZE(%rdi)
	movq	G_M(%rdi), %rdi
	subq	%r8, M_POOL+POOL_INUSE(%rdi)
	movzbl	SEG_CLS(%rsi), %r8d
	movq	M_POOL+POOL_FREE(%rdi,%r8,8), %r9
	movq	%r9, SEG_NEXT(%rsi)
	movq	%rsi, M_POOL+POOL_FREE(%rdi,%r8,8)
	addl	$1, M_POOL+POOL_NFREE(%rdi,%r8,4)
	movq	$0, SEG_NEXT(%rcx)
	movq	$0, SEG_SPARE_AVAIL(%rcx)
	addq	$GUARD_OFF, %rcx
	jmp	.Lback

.Lno_spare_fits:
	/* r11 = the guard.  A spare too small takes the slow path (which
	 * frees it and takes a bigger one); no spare, the pool. */
	cmpq	$0, SEG_NEXT-GUARD_OFF(%r11)
	jne	.Lgrow_noargs
.Lgrow_pool:
	/* No spare: pop a segment from this thread's pool.  Its class
	 * doubles the current segment's (up to 1 MB) or fits the frame,
	 * whichever is bigger; morestack_grow picks the same. */
	PUSH_POOL_SCRATCH
	movq	%fs:TCB_STACK_GUARD, %rcx
	subq	$GUARD_OFF, %rcx		/* rcx = current segment */
	movzbl	SEG_CLS(%rcx), %edx
	addl	$1, %edx
	movl	$STACK_MAXGROW_CLASS, %esi
	cmpl	%esi, %edx
	cmova	%esi, %edx
	leaq	GUARD_OFF+64-1(%r10), %rsi
	bsrq	%rsi, %rsi
	subl	$STACK_MIN_SHIFT-1, %esi	/* the class whose size >= frame + GUARD_OFF + 64 */
	cmpl	%esi, %edx
	cmovl	%esi, %edx			/* edx = the class */
	cmpl	$STACK_CLASSES, %edx
	jae	.Lgrow_pool_miss
	movq	SEG_G(%rcx), %rdi		/* g */
	movq	G_M(%rdi), %rsi
	movq	M_POOL+POOL_FREE(%rsi,%rdx,8), %rax
	testq	%rax, %rax
	jz	.Lgrow_pool_miss
	movl	SEG_SIZE(%rax), %r8d
	movq	G_STACKSIZE(%rdi), %r11
	addq	%r8, %r11
	cmpq	$STACK_LIMIT_BYTES, %r11
	ja	.Lgrow_pool_miss
	movq	%r11, G_STACKSIZE(%rdi)
	movq	SEG_NEXT(%rax), %r11
	movq	%r11, M_POOL+POOL_FREE(%rsi,%rdx,8)
	subl	$1, M_POOL+POOL_NFREE(%rsi,%rdx,4)
	addq	%r8, M_POOL+POOL_INUSE(%rsi)
	leaq	(%rax,%r8), %r11
	movq	%r11, SEG_SPARE_HI(%rcx)
	subq	$GUARD_OFF+63, %r8
	movq	%r8, SEG_SPARE_AVAIL(%rcx)	/* as morestack_grow */
	leaq	GUARD_OFF(%rax), %r11
	movq	%r11, SEG_SPARE_GUARD(%rcx)
	movq	%rdi, SEG_G(%rax)
	leaq	GUARD_OFF(%rcx), %r11		/* the current guard */
	movq	%r11, SEG_PREV_GUARD(%rax)
	movq	$0, SEG_NEXT(%rax)
	movq	$0, SEG_SPARE_AVAIL(%rax)
	movq	%rax, SEG_NEXT(%rcx)		/* r11: the current guard, for .Lwarm_switch */
	POP_POOL_SCRATCH
	jmp	.Lwarm_switch
.Lgrow_pool_miss:
	POP_POOL_SCRATCH
.Lgrow_noargs:
	xorl	%r11d, %r11d		/* no stack arguments (checked above) */
	jmp	.Lgrow_slow

.Lnot_warm:
	/* Stack arguments or a probe: the frame pointer as on the warm path,
	 * then the slow path. */
	.cfi_def_cfa %rsp, 32
	leaq	16(%rsp), %rbp
	.cfi_def_cfa %rbp, 16
	movq	%rsp, (%rbp)
	jmp	.Lgrow_slow		/* r11 is intact here */

.Lswitch:
	/* The general path, after morestack_grow: rax = old segment, rcx =
	 * new segment (rax->next), r11 = bytes of stack arguments to copy;
	 * the caller's rax, rcx, rdx are at -24, -32, -40(%rbp). */
	movq	%rsp, SEG_SPLO(%rax)
	leaq	GUARD_OFF(%rcx), %rdx
	movq	%rdx, %fs:TCB_STACK_GUARD
	movl	SEG_SIZE(%rcx), %edx
	addq	%rcx, %rdx		/* the new segment's top */
	subq	%r11, %rdx
	andq	$-16, %rdx		/* new %rsp; stack arguments go at [rdx, rdx+r11) */
	jmp	2f
1:	subq	$8, %r11
	movq	24(%rbp,%r11), %rax
	movq	%rax, (%rdx,%r11)
2:	testq	%r11, %r11
	jnz	1b
	movq	%rdx, %r10
	movq	-24(%rbp), %rax
	movq	-32(%rbp), %rcx
	movq	-40(%rbp), %rdx
	movq	%r10, %rsp
	movq	8(%rbp), %r11
	addq	$1, %r11		/* skip the function's ret */
	call	*%r11
	/* The slow path's return: the crossing may have told the stack_grow
	 * probe, so tell stack_release. */
	cmpq	$0, gort_probe_table+PROBE_STACK_RELEASE(%rip)
	je	.Lreturned
	movq	%fs:TCB_STACK_GUARD, %rcx
	subq	$GUARD_OFF, %rcx	/* S */
	jmp	.Lrelease_slow

.Lgrow_slow:
	/* Call morestack_grow(old segment, frame, argbytes, caller_pc) on the
	 * system stack, with the guard at 0 so nothing there splits again.
	 * Every argument register is preserved around it. */
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	movq	%fs:TCB_STACK_GUARD, %rax
	subq	$GUARD_OFF, %rax
	TO_SYSTEM_STACK %rax, %rcx, %rdx
	pushq	%rdi
	pushq	%rsi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	subq	$136, %rsp
	movdqu	%xmm0, 0(%rsp)
	movdqu	%xmm1, 16(%rsp)
	movdqu	%xmm2, 32(%rsp)
	movdqu	%xmm3, 48(%rsp)
	movdqu	%xmm4, 64(%rsp)
	movdqu	%xmm5, 80(%rsp)
	movdqu	%xmm6, 96(%rsp)
	movdqu	%xmm7, 112(%rsp)
	movq	%rax, %rdi
	movq	%r10, %rsi
	movq	%r11, %rdx
	movq	16(%rbp), %rcx
	call	morestack_grow
	movq	%rax, %rcx
	movdqu	0(%rsp), %xmm0
	movdqu	16(%rsp), %xmm1
	movdqu	32(%rsp), %xmm2
	movdqu	48(%rsp), %xmm3
	movdqu	64(%rsp), %xmm4
	movdqu	80(%rsp), %xmm5
	movdqu	96(%rsp), %xmm6
	movdqu	112(%rsp), %xmm7
	addq	$136, %rsp
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rsi
	popq	%rdi
	movq	(%rsp), %rsp		/* back on the old stack */
	movq	SEG_PREV_GUARD(%rcx), %rax
	subq	$GUARD_OFF, %rax
	jmp	.Lswitch

.Lrelease_slow:
	/* Call morestack_release(segment) on the system stack, keeping the
	 * body's result registers. */
	TO_SYSTEM_STACK %rcx, %rsi, %rdi
	pushq	%rax
	pushq	%rdx
	subq	$40, %rsp
	movdqu	%xmm0, 0(%rsp)
	movdqu	%xmm1, 16(%rsp)
	movq	%rcx, 32(%rsp)
	movq	%rcx, %rdi
	call	morestack_release
	movdqu	0(%rsp), %xmm0
	movdqu	16(%rsp), %xmm1
	movq	32(%rsp), %rcx
	addq	$40, %rsp
	popq	%rdx
	popq	%rax
	movq	(%rsp), %rsp
	addq	$GUARD_OFF, %rcx
	jmp	.Lback
	.cfi_endproc
	.size	__morestack, . - __morestack

/*
 * __morestack_non_split: gold sends here the split functions that call
 * non-split code (libc), and for small frames it makes them come here on
 * every call.  If the current stack has NONSPLIT_ROOM to spare we return
 * straight into the body, without switching; otherwise we ask __morestack
 * for NONSPLIT_GROW more than the frame.  A varargs body (it starts with
 * `lea 24(%rbp),%r11`) needs __morestack's frame, so it always gets the
 * full path.
 */
	.globl	__morestack_non_split
	.type	__morestack_non_split, @function
	.p2align 4
__morestack_non_split:
	.cfi_startproc
	pushq	%rax
	.cfi_adjust_cfa_offset 8
	movq	%rsp, %rax
	subq	%r10, %rax
	jb	1f
	subq	$NONSPLIT_ROOM, %rax
	jb	1f
	cmpq	%fs:TCB_STACK_GUARD, %rax
	jb	1f
	movq	8(%rsp), %rax
	cmpl	$0x185d8d4c, 1(%rax)	/* lea 0x18(%rbp),%r11 */
	je	1f
	popq	%rax
	.cfi_adjust_cfa_offset -8
	addq	$1, (%rsp)
	ret
	.cfi_adjust_cfa_offset 8
1:	popq	%rax
	.cfi_adjust_cfa_offset -8
	addq	$NONSPLIT_GROW, %r10
	jmp	__morestack
	.cfi_endproc
	.size	__morestack_non_split, . - __morestack_non_split

	/* Tell gold this object is split-stack code that never splits. */
	.section .note.GNU-stack, "", @progbits
	.section .note.GNU-split-stack, "", @progbits
	.section .note.GNU-no-split-stack, "", @progbits
