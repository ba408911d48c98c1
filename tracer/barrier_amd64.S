/*
 * barrier_amd64.S — the return barrier (see barrier.c).
 *
 * barrier.c puts esc_return_barrier's address in the return-address slot
 * of a frame that allocated gort objects.  When that frame returns, `ret`
 * lands here with %rsp at the frame's CFA, the return value in %rax/%rdx.
 * Both are saved; %rax is pushed last of the words the reachability query
 * scans (it scans the goroutine's stack from the pushed %rax up), so a
 * returned pointer counts as reachable.  %rdx is saved below that, out of
 * the scan: it carries a return value only for two-word structs, and far
 * more often a dead copy of a pointer the function worked with (GCC often
 * moves the new object there), which would make a frame-local object look
 * escaped.  The words below are dead and are not scanned either.  esc_barrier_fire(saved, cfa) answers the query and gives back
 * the frame's original return address, which goes into the slot pushed
 * first; the registers come back and `ret` goes where the frame would have.
 *
 * Unwinding stops here (%rip undefined): while the barrier runs the real
 * return address is not on the stack yet.
 */
	.text
	.p2align 4
	.type	esc_return_barrier_entry, @function
esc_return_barrier_entry:
	.cfi_startproc
	.cfi_undefined %rip
	/* An unwinder names a return address by the byte before it: keep
	 * that byte inside this function. */
	nop
	.globl	esc_return_barrier
	.hidden	esc_return_barrier
esc_return_barrier:
	pushq	$0			/* the original return address, later */
	.cfi_adjust_cfa_offset 8
	pushq	%rax			/* the lowest word scanned */
	.cfi_adjust_cfa_offset 8
	pushq	%rdx
	.cfi_adjust_cfa_offset 8
	pushq	$0			/* alignment */
	.cfi_adjust_cfa_offset 8
	leaq	16(%rsp), %rdi		/* the saved %rax: scan from there up */
	leaq	32(%rsp), %rsi		/* the frame's CFA */
	call	esc_barrier_fire
	movq	%rax, 24(%rsp)
	addq	$8, %rsp
	.cfi_adjust_cfa_offset -8
	popq	%rdx
	.cfi_adjust_cfa_offset -8
	popq	%rax
	.cfi_adjust_cfa_offset -8
	ret
	.cfi_endproc
	.size	esc_return_barrier_entry, . - esc_return_barrier_entry

	.section .note.GNU-stack, "", @progbits
