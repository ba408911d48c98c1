/*
 * call_floor_amd64.S — the floor under a segment-boundary crossing, for
 * bench_sched's Call/touch-floor: what a crossing costs when __morestack
 * does nothing at all but move the stack pointer.
 *
 * GCC's split-stack ABI fixes most of a crossing's shape.  A function whose
 * frame does not fit calls __morestack (mov $frame,%r10; mov $args,%r11;
 * call; ret), and __morestack must call the function's body back, at the
 * return address + 1, so that it can switch stacks again when the body
 * returns and so that every return stays predicted.  That is two call/ret
 * pairs more than a plain call, plus the prologue's five instructions,
 * whatever __morestack does in between.
 *
 * floor_touch is callee_touch of bench_sched.c as GCC 12 -O2 -fsplit-stack
 * compiles it (a 1 KB frame, two words written), with its prologue's call
 * going to floor_morestack instead: a __morestack that keeps no guard, no
 * segment header, no probe, no frame record, and switches to one static
 * stack.  Run at a segment boundary (the prologue compares with the real
 * guard in %fs:0x70 and fails), Call/touch-floor / Call/touch is the ratio
 * no real __morestack can beat.  Not for anything but the benchmark: the
 * static stack is shared, and nothing may run there but floor_touch's
 * body.
 */
	.text

	.globl	floor_touch
	.type	floor_touch, @function
	.p2align 4
floor_touch:
	.cfi_startproc
	leaq	-0x390(%rsp), %r11
	cmpq	%fs:0x70, %r11
	jb	2f
1:	pushq	%rbp
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rbp, 0
	leaq	(%rdi,%rdi,2), %rax
	movq	%rsp, %rbp
	.cfi_def_cfa_register %rbp
	subq	$0x388, %rsp
	movq	%rdi, -0x400(%rbp)
	movq	%rax, -0x8(%rbp)
	movq	-0x400(%rbp), %rax
	movq	-0x8(%rbp), %rdx
	addq	%rdx, %rax
	leave
	.cfi_def_cfa %rsp, 8
	ret
2:	movl	$0x390, %r10d
	xorl	%r11d, %r11d
	call	floor_morestack
	ret
	jmp	1b
	.cfi_endproc
	.size	floor_touch, . - floor_touch

	.type	floor_morestack, @function
	.p2align 4
floor_morestack:
	.cfi_startproc
	pushq	%rbp
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rbp, 0
	movq	%rsp, %rbp
	.cfi_def_cfa_register %rbp
	leaq	floor_stack_top(%rip), %rsp
	movq	8(%rbp), %r11
	addq	$1, %r11		/* past the function's ret */
	call	*%r11
	leave
	.cfi_def_cfa %rsp, 8
	ret
	.cfi_endproc
	.size	floor_morestack, . - floor_morestack

	.bss
	.p2align 12
floor_stack:
	.skip	8192
floor_stack_top:

	/* Split-stack code that never splits on the real __morestack. */
	.section .note.GNU-stack, "", @progbits
	.section .note.GNU-split-stack, "", @progbits
