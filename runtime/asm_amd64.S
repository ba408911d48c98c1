/*
 * asm_amd64.S — the context switch, gort_gosched's common path, a
 * goroutine's first frame, and the switch onto the system stack.
 *
 * A goroutine's context (its gobuf) is its stack pointer and its stack
 * guard; the callee-saved registers (%rbx, %rbp, %r12-%r15) are pushed on
 * its own stack before the switch and popped after, so a switch is six
 * pushes, two stores, two loads, six pops and a ret or jump: no swapcontext, no
 * signal mask, no floating-point state (the System V ABI makes every vector
 * register caller-saved, and the switch is an ordinary call).
 *
 * A new goroutine's stack is prepared by proc.c so that the first switch to
 * it "returns" into gostart with fn in %r12 and arg in %r13.  gostart marks
 * the end of the stack for unwinders (%rip undefined, %rbp = 0).
 */
#include "asmdefs.h"

	.text

/* SAVE_CONTEXT gp: push the callee-saved registers and record the stack
 * pointer and guard in gp's gobuf (G_SCHED_SP, G_SCHED_GUARD).  Clobbers
 * %rax. */
.macro SAVE_CONTEXT gp
	pushq	%rbp
	.cfi_adjust_cfa_offset 8
	pushq	%rbx
	.cfi_adjust_cfa_offset 8
	pushq	%r12
	.cfi_adjust_cfa_offset 8
	pushq	%r13
	.cfi_adjust_cfa_offset 8
	pushq	%r14
	.cfi_adjust_cfa_offset 8
	pushq	%r15
	.cfi_adjust_cfa_offset 8
	movq	%rsp, G_SCHED_SP(\gp)
	movq	%fs:TCB_STACK_GUARD, %rax
	movq	%rax, G_SCHED_GUARD(\gp)
.endm

/* GOGO to, how: load to's guard and stack, pop its registers and go on at
 * the pc on top of its stack, with a ret or with a jump.
 *
 * Which one is a matter of the return-stack predictor, which holds the old
 * goroutine's return addresses.  When the switch is called from the same
 * place in every goroutine (schedule(), for gopark), a ret is predicted
 * right, and so are the returns after it, as far as the two goroutines'
 * call chains agree: gogo_switch returns.  When the switch is called from
 * the user's code (gort_gosched) or starts a goroutine (gogo_jump from
 * goexit1), the ret would miss every time; a jump is predicted by the
 * indirect-branch predictor, which learns the pattern (Go's gogo jumps),
 * and the return address it leaves behind is never popped by a goroutine
 * that loops around gort_gosched, or by a fresh one.
 * Clobbers %rax and %rcx (dead at a return from a void function). */
.macro GOGO to, how
	movq	G_SCHED_GUARD(\to), %rax
	movq	%rax, %fs:TCB_STACK_GUARD
	movq	G_SCHED_SP(\to), %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
.ifc \how, ret
	ret
.else
	popq	%rcx
	jmp	*%rcx
.endif
.endm

/* void gogo_switch(gobuf *from, gobuf *to): save into from, then go on as
 * gogo_jump(to). */
	.globl	gogo_switch
	.hidden	gogo_switch
	.type	gogo_switch, @function
	.p2align 4
gogo_switch:
	.cfi_startproc
	SAVE_CONTEXT %rdi
	GOGO	%rsi, ret
	.cfi_endproc
	.size	gogo_switch, . - gogo_switch

/* void gogo_jump(gobuf *to): switch to `to` without saving (the old
 * goroutine is dead, or gort_main is ending). */
	.globl	gogo_jump
	.hidden	gogo_jump
	.type	gogo_jump, @function
	.p2align 4
gogo_jump:
	.cfi_startproc
	GOGO	%rdi, jmp
	.cfi_endproc
	.size	gogo_jump, . - gogo_jump

/*
 * void gort_gosched(void): yield (proc.c has the story).  The common case,
 * no timer pending and someone to run, is all here: the run queue rotates
 * (its head runs, the current goroutine goes to the tail) and the switch
 * follows, with no call and no frame in between.  With timers pending the
 * C side (gosched_timers) runs due timers first; with no goroutine, or
 * nobody else runnable, it returns at once.
 */
	.globl	gort_gosched
	.type	gort_gosched, @function
	.hidden	m0
	.hidden	p0
	.hidden	gosched_timers
	.p2align 4
gort_gosched:
	.cfi_startproc
	movq	m0+M_CURG(%rip), %rdi		/* gp */
	movq	p0+P_RUNQHEAD(%rip), %rsi	/* next */
	testq	%rdi, %rdi
	jz	1f
	cmpl	$0, p0+P_NTIMERS(%rip)
	jne	gosched_timers
	testq	%rsi, %rsi
	jz	1f
	SAVE_CONTEXT %rdi
	movb	$G_STATUS_RUNNABLE, G_STATUS(%rdi)
	movb	$G_STATUS_RUNNING, G_STATUS(%rsi)
	movq	%rsi, m0+M_CURG(%rip)
	movq	$0, G_SCHEDLINK(%rdi)
	movq	G_SCHEDLINK(%rsi), %rax
	testq	%rax, %rax
	jz	2f
	movq	%rax, p0+P_RUNQHEAD(%rip)	/* gp joins the tail */
	movq	p0+P_RUNQTAIL(%rip), %rax
	movq	%rdi, G_SCHEDLINK(%rax)
	movq	%rdi, p0+P_RUNQTAIL(%rip)
	GOGO	%rsi, jmp
2:	movq	%rdi, p0+P_RUNQHEAD(%rip)	/* next was alone: now gp is */
	movq	%rdi, p0+P_RUNQTAIL(%rip)
	GOGO	%rsi, jmp
1:	ret
	.cfi_endproc
	.size	gort_gosched, . - gort_gosched

/* A goroutine's first frame: call fn(arg), then goexit1() (never returns). */
	.globl	gostart
	.hidden	gostart
	.type	gostart, @function
	.p2align 4
gostart:
	.cfi_startproc
	.cfi_undefined %rip
	xorl	%ebp, %ebp
	movq	%r13, %rdi
	call	*%r12
	call	goexit1
	ud2
	.cfi_endproc
	.size	gostart, . - gostart

/*
 * void systemstack(void (*fn)(void *), void *arg)
 *
 * Run fn(arg) on the thread's system stack (Go's systemstack): the guard
 * is 0 there, so split-stack code never splits, and libc has all the room
 * it wants.  On the system stack already (guard 0, e.g. a plain thread), it
 * is a plain call.  The frame is %rbp-based, so unwinders walk from fn back
 * onto the goroutine's stack.
 */
	.globl	systemstack
	.hidden	systemstack
	.type	systemstack, @function
	.p2align 4
systemstack:
	.cfi_startproc
	movq	%fs:TCB_STACK_GUARD, %rax
	testq	%rax, %rax
	jz	1f
	pushq	%rbp
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rbp, 0
	movq	%rsp, %rbp
	.cfi_def_cfa_register %rbp
	pushq	%rbx
	.cfi_offset %rbx, -24
	pushq	%r12
	.cfi_offset %r12, -32
	movq	%rax, %r12		/* the goroutine's guard */
	subq	$GUARD_OFF, %rax
	movq	SEG_G(%rax), %rax
	movq	G_M(%rax), %rax
	movq	%r12, M_CURGUARD(%rax)
	movq	%rbp, M_CURFP(%rax)
	movq	M_G0SP(%rax), %rax
	movq	%rsp, %rbx
	movq	$0, %fs:TCB_STACK_GUARD
	movq	%rax, %rsp
	movq	%rdi, %rax
	movq	%rsi, %rdi
	call	*%rax
	movq	%rbx, %rsp
	movq	%r12, %fs:TCB_STACK_GUARD
	popq	%r12
	popq	%rbx
	popq	%rbp
	.cfi_def_cfa %rsp, 8
	ret
1:	movq	%rdi, %rax
	movq	%rsi, %rdi
	jmp	*%rax
	.cfi_endproc
	.size	systemstack, . - systemstack

	.section .note.GNU-stack, "", @progbits
	.section .note.GNU-split-stack, "", @progbits
	.section .note.GNU-no-split-stack, "", @progbits
