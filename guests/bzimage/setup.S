/*
 * bzImage real-mode part: boot sector stub, the Linux setup header (boot
 * protocol 2.15) and a small 16-bit setup program.
 *
 * Loaders that implement the 64-bit (LoRe) or 32-bit boot protocol only read
 * the header and jump to the protected-mode payload themselves.  Loaders that
 * use the 16-bit protocol (QEMU -kernel, GRUB linux16) run the setup program
 * at offset 0x200 in real mode: it builds a fresh boot_params (zero page)
 * with a copy of the header and the BIOS e820 map (int 0x15, eax=0xe820),
 * enables A20, enters 32-bit protected mode with __BOOT_CS=0x10/__BOOT_DS=0x18
 * and jumps to code32_start with ESI = boot_params, as Linux's setup does.
 */
#define SETUP_SECTS 3			/* setup = (3 + 1) * 512 bytes */
#define ZP 0x1000			/* new boot_params at setup segment:0x1000 */
#define HDR_END 0x26c

	.code16
	.section .setup, "ax"
	.globl bz_setup_start
bz_setup_start:
	/* Not bootable from a disk. */
	.org 0x1f1
	.byte SETUP_SECTS		/* 0x1f1 setup_sects */
	.word 0				/* 0x1f2 root_flags */
	.long bz_syssize		/* 0x1f4 syssize: payload size / 16 */
	.word 0				/* 0x1f8 ram_size (obsolete) */
	.word 0xffff			/* 0x1fa vid_mode: normal */
	.word 0				/* 0x1fc root_dev */
	.word 0xaa55			/* 0x1fe boot_flag */
	.org 0x200
	.byte 0xeb, start_of_setup - 1f	/* 0x200 jump: short jmp */
1:	.ascii "HdrS"			/* 0x202 header magic */
	.word 0x020f			/* 0x206 boot protocol 2.15 */
	.long 0				/* 0x208 realmode_swtch */
	.word 0x1000			/* 0x20c start_sys_seg (obsolete) */
	.word kernel_version - 0x200	/* 0x20e kernel_version */
	.byte 0				/* 0x210 type_of_loader (loader writes) */
	.byte 0x01			/* 0x211 loadflags: LOADED_HIGH */
	.word 0				/* 0x212 setup_move_size */
	.long 0x100000			/* 0x214 code32_start */
	.long 0				/* 0x218 ramdisk_image (loader writes) */
	.long 0				/* 0x21c ramdisk_size (loader writes) */
	.long 0				/* 0x220 bootsect_kludge */
	.word 0				/* 0x224 heap_end_ptr */
	.byte 0				/* 0x226 ext_loader_ver */
	.byte 0				/* 0x227 ext_loader_type */
	.long 0				/* 0x228 cmd_line_ptr (loader writes) */
	.long 0x7fffffff		/* 0x22c initrd_addr_max */
	.long 0x200000			/* 0x230 kernel_alignment */
	.byte 0				/* 0x234 relocatable_kernel: no */
	.byte 21			/* 0x235 min_alignment (log2) */
	.word 0x0001			/* 0x236 xloadflags: XLF_KERNEL_64 */
	.long 2047			/* 0x238 cmdline_size */
	.long 0				/* 0x23c hardware_subarch */
	.quad 0				/* 0x240 hardware_subarch_data */
	.long 0				/* 0x248 payload_offset */
	.long 0				/* 0x24c payload_length */
	.quad 0				/* 0x250 setup_data */
	.quad 0x100000			/* 0x258 pref_address */
	.long bz_init_size		/* 0x260 init_size */
	.long 0				/* 0x264 handover_offset */
	.long 0				/* 0x268 kernel_info_offset */
	.org HDR_END

start_of_setup:
	cli
	cld
	/* Entered at CS = DS + 0x20, IP = 0: make CS = DS. */
	pushw %ds
	pushw $2f
	lretw
2:	movw %ds, %ax
	movw %ax, %es
	movw %ax, %ss
	movw $ZP, %sp			/* stack: 0x800..0x1000 of our segment */

	/* fresh zero page with a copy of the header */
	movw $ZP, %di
	movw $2048, %cx
	xorw %ax, %ax
	rep stosw
	movw $0x1f1, %si
	movw $ZP + 0x1f1, %di
	movw $HDR_END - 0x1f1, %cx
	rep movsb

	/* BIOS memory map -> boot_params.e820_table (0x2d0), count at 0x1e8 */
	movw $ZP + 0x2d0, %di
	xorl %ebx, %ebx
3:	movl $0xe820, %eax
	movl $0x534d4150, %edx		/* "SMAP" */
	movl $20, %ecx
	int $0x15
	jc 4f
	cmpl $0x534d4150, %eax
	jne 4f
	incb ZP + 0x1e8
	addw $20, %di
	cmpb $128, ZP + 0x1e8
	jae 4f
	testl %ebx, %ebx
	jnz 3b
4:
	/* A20 (fast A20 gate, port 0x92) */
	inb $0x92, %al
	orb $0x02, %al
	andb $0xfe, %al
	outb %al, $0x92

	/* linear base of this segment -> GDT base, boot_params, far pointer */
	xorl %eax, %eax
	movw %ds, %ax
	shll $4, %eax
	addl %eax, gdt_ptr + 2
	leal ZP(%eax), %esi
	movl 0x214, %eax		/* code32_start */
	movl %eax, jump_ptr
	lgdtl gdt_ptr
	xorl %ebx, %ebx
	xorl %edi, %edi
	xorl %ebp, %ebp
	movl %cr0, %eax
	orb $1, %al			/* PE */
	movl %eax, %cr0
	movw $0x18, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	ljmpl *%cs:jump_ptr		/* -> code32_start, 32-bit, ESI = boot_params */

	.balign 4
jump_ptr:
	.long 0
	.word 0x10			/* __BOOT_CS */
	.balign 8
gdt:
	.quad 0
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x10 __BOOT_CS: flat 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x18 __BOOT_DS: flat data */
gdt_end:
gdt_ptr:
	.word gdt_end - gdt - 1
	.long gdt			/* + segment base, at run time */

kernel_version:
	.asciz "LoRe bzImage test guest"

	.org (SETUP_SECTS + 1) * 512

	.section .note.GNU-stack, "", @progbits
