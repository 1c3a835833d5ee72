/*
 * Common entry: 32-bit protected mode (or 64-bit long mode) -> our own GDT,
 * our own identity page tables (first 4 GiB, 2 MiB pages), 64-bit long mode,
 * zeroed .bss, stack, lore_runtime_init(), kmain(boot_info), lore_exit().
 *
 *   lore_enter32: 32-bit protected mode, paging off, flat segments,
 *                 EDI = boot info (hvm_start_info or boot_params) address.
 *   lore_enter64: 64-bit long mode with any paging that identity-maps this
 *                 image, RDI = boot info address.
 * Both run with interrupts disabled and never use the loader's stack.
 */
#define GDT_CODE64 0x08
#define GDT_DATA 0x10

	.code32
	.section .text.entry, "ax"
	.globl lore_enter32
	.type lore_enter32, @function
lore_enter32:
	cli
	cld
	lgdt lore_gdt_ptr
	movl $GDT_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	movl %cr4, %eax
	orl $0x20, %eax			/* CR4.PAE */
	movl %eax, %cr4
	movl $lore_pml4, %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx		/* IA32_EFER */
	rdmsr
	orl $0x100, %eax		/* EFER.LME */
	wrmsr
	movl %cr0, %eax
	andl $~0x60000000, %eax		/* caches on: clear CR0.CD, CR0.NW */
	orl $0x80000001, %eax		/* CR0.PG | CR0.PE */
	movl %eax, %cr0
	ljmp $GDT_CODE64, $lore_long64
	.size lore_enter32, . - lore_enter32

	.code64
	.globl lore_enter64
	.type lore_enter64, @function
lore_enter64:
	cli
	cld
	movl $lore_stack_top, %esp	/* the loader's RSP need not be valid */
	lgdt lore_gdt_ptr(%rip)
	movq %cr0, %rax
	andl $~0x60000000, %eax		/* caches on: clear CR0.CD, CR0.NW */
	movq %rax, %cr0
	movl $lore_pml4, %eax
	movq %rax, %cr3
	pushq $GDT_CODE64
	leaq lore_long64(%rip), %rax
	pushq %rax
	lretq
	.size lore_enter64, . - lore_enter64

	.type lore_long64, @function
lore_long64:
	movl $GDT_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	movl %edi, %r12d		/* boot info (< 4 GiB), zero-extended */
	/* Zero .bss: ELF loaders do it, bzImage loaders need not. */
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	shrl $3, %ecx
	xorl %eax, %eax
	rep stosq
	movl $lore_stack_top, %esp
	xorl %ebp, %ebp
	call lore_runtime_init
	movq %r12, %rdi
	call kmain
	movl %eax, %edi
	call lore_exit
1:	hlt
	jmp 1b
	.size lore_long64, . - lore_long64

/* ------------------------------------------------------------ GDT */
	.section .data.lore_gdt, "aw"
	.balign 16
	.globl lore_gdt
lore_gdt:
	.quad 0				/* 0x00 null */
	.quad 0x00af9a000000ffff	/* 0x08 64-bit code, DPL0 */
	.quad 0x00cf92000000ffff	/* 0x10 flat data */
	.quad 0x00cf9a000000ffff	/* 0x18 flat 32-bit code */
lore_gdt_end:
	.balign 8
lore_gdt_ptr:				/* 32-bit lgdt reads 2+4 bytes, 64-bit 2+8 */
	.word lore_gdt_end - lore_gdt - 1
	.quad lore_gdt

/* ------------------------------------------------------------ page tables
 * Static, so that building them costs no guest instructions:
 * PML4[0] -> PDPT[0..3] -> 4 page directories of 512 2-MiB pages = 4 GiB. */
	.section .data.lore_pagetables, "aw"
	.balign 4096
	.globl lore_pml4
lore_pml4:
	.quad lore_pdpt + 0x3		/* present, writable */
	.fill 511, 8, 0
lore_pdpt:
	.quad lore_pd + 0x0000 + 0x3
	.quad lore_pd + 0x1000 + 0x3
	.quad lore_pd + 0x2000 + 0x3
	.quad lore_pd + 0x3000 + 0x3
	.fill 508, 8, 0
lore_pd:
	.set page, 0
	.rept 2048
	.quad (page << 21) | 0x83	/* present, writable, 2 MiB */
	.set page, page + 1
	.endr

/* ------------------------------------------------------------ boot stack */
	.section .bss.lore_stack, "aw", @nobits
	.balign 16
	.globl lore_stack_bottom, lore_stack_top
lore_stack_bottom:
	.skip 16384
lore_stack_top:

	.section .note.GNU-stack, "", @progbits
