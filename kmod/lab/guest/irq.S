/* Real-mode guest for the lab, run with KVM's in-kernel PIC and PIT (nothing of it reaches
 * user space): programs the PIC and the PIT, takes 20 timer interrupts, and before each HLT
 * latches and reads PIT counter 0 (IN 0x40, twice) and reports the value read at port 0x10.
 * At the end it reports its interrupt count at port 0x11. The host checks that lore.ko saw
 * the same counter values in its kvm_pio records and as many kvm_inj_virq injections. */
	.code16
	.globl _start
_start:
	cli
	xor	%ax, %ax
	mov	%ax, %ds
	mov	%ax, %ss
	mov	$0x8000, %sp
	movw	$handler, 0x20		/* IVT[8] = IRQ0 with the PIC based at 8 */
	movw	$0, 0x22
	mov	$0x11, %al		/* ICW1: edge, cascade, ICW4 */
	out	%al, $0x20
	mov	$0x08, %al		/* ICW2: vector base 8 */
	out	%al, $0x21
	mov	$0x04, %al		/* ICW3 */
	out	%al, $0x21
	mov	$0x01, %al		/* ICW4: 8086 mode */
	out	%al, $0x21
	mov	$0xfe, %al		/* only IRQ0 */
	out	%al, $0x21
	mov	$0x34, %al		/* PIT ch0, lo/hi, mode 2 */
	out	%al, $0x43
	mov	$0x00, %al		/* count 0x2000: ~146 Hz */
	out	%al, $0x40
	mov	$0x20, %al
	out	%al, $0x40
	sti
main:
	mov	$0x00, %al		/* latch counter 0 */
	out	%al, $0x43
	in	$0x40, %al
	mov	%al, %bl
	in	$0x40, %al
	mov	%al, %bh
	mov	%bx, %ax
	out	%ax, $0x10
	hlt
	cmpw	$20, count
	jb	main
	cli
	mov	count, %ax
	out	%ax, $0x11
	out	%al, $0x12		/* done (a HLT would wait in the kernel forever) */
handler:
	incw	count
	push	%ax
	mov	$0x20, %al		/* EOI */
	out	%al, $0x20
	pop	%ax
	iret
count:	.word	0
