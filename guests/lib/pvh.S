/*
 * PVH boot entry (Xen ELF note XEN_ELFNOTE_PHYS32_ENTRY = 18).
 *
 * The loader (LoRe's VMM, QEMU's pvh.bin option ROM, Xen, Firecracker...)
 * enters pvh_start32 in 32-bit protected mode, paging off, flat CS/DS, with
 * EBX = physical address of struct hvm_start_info.
 *
 * The descriptor is 8 bytes (like Linux's _ASM_PTR on x86-64): a reader that
 * takes 4 bytes and one that takes 8 both get the entry address.  The note
 * section must stay 4-byte aligned (PT_NOTE p_align = 4): QEMU pads the note
 * name to p_align when it looks for the descriptor.
 */
	.section .note.Xen, "a", @note
	.balign 4
	.long 2f - 1f		/* namesz */
	.long 4f - 3f		/* descsz */
	.long 18		/* XEN_ELFNOTE_PHYS32_ENTRY */
1:	.asciz "Xen"
2:	.balign 4
3:	.quad pvh_start32
4:	.balign 4

	.code32
	.section .text.entry, "ax"
	.globl pvh_start32
	.type pvh_start32, @function
pvh_start32:
	cli
	movl %ebx, %edi		/* boot info for kmain() */
	jmp lore_enter32
	.size pvh_start32, . - pvh_start32

	.section .note.GNU-stack, "", @progbits
