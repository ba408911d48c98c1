/*
 * asm_amd64.S — the context switch, a goroutine's first frame, and the
 * switch onto the system stack.
 *
 * A goroutine's context (its gobuf) is its stack pointer and its stack
 * guard; the callee-saved registers (%rbx, %rbp, %r12-%r15) are pushed on
 * its own stack before the switch and popped after, so a switch is six
 * pushes, two stores, two loads, six pops and a ret: no swapcontext, no
 * signal mask, no floating-point state (the System V ABI makes every vector
 * register caller-saved, and the switch is an ordinary call).
 *
 * A new goroutine's stack is prepared by proc.c so that the first switch to
 * it "returns" into gostart with fn in %r12 and arg in %r13.  gostart marks
 * the end of the stack for unwinders (%rip undefined, %rbp = 0).
 */
#include "asmdefs.h"

	.text

/* void gogo_switch(gobuf *from, gobuf *to): save into from, then go on as
 * gogo_jump(to). */
	.globl	gogo_switch
	.hidden	gogo_switch
	.type	gogo_switch, @function
	.p2align 4
gogo_switch:
	.cfi_startproc
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
	movq	%rsp, G_SCHED_SP(%rdi)
	movq	%fs:TCB_STACK_GUARD, %rax
	movq	%rax, G_SCHED_GUARD(%rdi)
	/* gogo_jump(to), inline: saves a move and a jump per switch. */
	movq	G_SCHED_GUARD(%rsi), %rax
	movq	%rax, %fs:TCB_STACK_GUARD
	movq	G_SCHED_SP(%rsi), %rsp	/* to's stack holds the same six and a ret */
	popq	%r15
	.cfi_adjust_cfa_offset -8
	popq	%r14
	.cfi_adjust_cfa_offset -8
	popq	%r13
	.cfi_adjust_cfa_offset -8
	popq	%r12
	.cfi_adjust_cfa_offset -8
	popq	%rbx
	.cfi_adjust_cfa_offset -8
	popq	%rbp
	.cfi_adjust_cfa_offset -8
	ret
	.cfi_endproc
	.size	gogo_switch, . - gogo_switch

/* void gogo_jump(gobuf *to): load to's guard and stack, pop its registers
 * and return into it.  Alone, it switches without saving (the old
 * goroutine is dead, or gort_main is ending). */
	.globl	gogo_jump
	.hidden	gogo_jump
	.type	gogo_jump, @function
	.p2align 4
gogo_jump:
	.cfi_startproc
	movq	G_SCHED_GUARD(%rdi), %rax
	movq	%rax, %fs:TCB_STACK_GUARD
	movq	G_SCHED_SP(%rdi), %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.cfi_endproc
	.size	gogo_jump, . - gogo_jump

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
