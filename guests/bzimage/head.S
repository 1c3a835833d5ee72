/*
 * bzImage protected-mode payload entry points (payload file offset 0 is
 * loaded at 0x100000 = code32_start = pref_address; not relocatable).
 *   startup_32 (offset 0):     32-bit boot protocol, ESI = boot_params
 *   startup_64 (offset 0x200): 64-bit boot protocol, long mode with the
 *                              loader's identity paging, RSI = boot_params
 * Both continue in the shared runtime (lib/entry.S), which installs its own
 * GDT and page tables.  bz_entry records which one was taken.
 */
	.code32
	.section .text.head, "ax"
	.globl startup_32
	.type startup_32, @function
startup_32:
	cli
	movl $32, bz_entry
	movl %esi, %edi
	jmp lore_enter32
	.size startup_32, . - startup_32

	.org 0x200
	.code64
	.globl startup_64
	.type startup_64, @function
startup_64:
	cli
	movl $64, bz_entry(%rip)
	movq %rsi, %rdi
	jmp lore_enter64
	.size startup_64, . - startup_64

	.section .data.bz_entry, "aw"
	.balign 4
	.globl bz_entry
bz_entry:
	.long 0

	.section .note.GNU-stack, "", @progbits
