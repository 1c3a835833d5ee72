/*
 * 256 interrupt/exception entry stubs, 16 bytes apart (trap_stubs + 16*v).
 * Each pushes a dummy error code where the CPU pushes none, then the vector,
 * and jumps to trap_common, which saves all 15 GPRs (struct trapframe) and
 * calls trap_dispatch(tf).  trap_dispatch returns the frame to resume: the
 * same one, or another thread's saved frame (context switch).
 */
	.code64
	.section .text.trap, "ax"
	.balign 16
	.globl trap_stubs
trap_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	.if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq $0
	.endif
	pushq $vec
	jmp trap_common
	.set vec, vec + 1
	.endr

	.balign 16
	.globl trap_common
	.type trap_common, @function
trap_common:
	/* CFI so that GDB can unwind from a handler into the interrupted
	 * code: the CPU frame holds the interrupted RIP and RSP. */
	.cfi_startproc simple
	.cfi_signal_frame
	.cfi_def_cfa %rsp, 7*8		/* vector, error, rip, cs, rflags, rsp, ss */
	.cfi_offset %rip, -5*8
	.cfi_offset %rsp, -2*8
	pushq %rax
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rax, 0
	pushq %rbx
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rbx, 0
	pushq %rcx
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rcx, 0
	pushq %rdx
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rdx, 0
	pushq %rsi
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rsi, 0
	pushq %rdi
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rdi, 0
	pushq %rbp
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rbp, 0
	pushq %r8
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r8, 0
	pushq %r9
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r9, 0
	pushq %r10
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r10, 0
	pushq %r11
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r11, 0
	pushq %r12
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r12, 0
	pushq %r13
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r13, 0
	pushq %r14
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r14, 0
	pushq %r15
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r15, 0
	movq %rsp, %rdi
	cld
	call trap_dispatch
	movq %rax, %rsp			/* frame to resume (same layout) */
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp			/* vector, error */
	iretq
	.cfi_endproc
	.size trap_common, . - trap_common

	.section .note.GNU-stack, "", @progbits
