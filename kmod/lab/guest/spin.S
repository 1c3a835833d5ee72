/* Real-mode guest for the lab: reads the TSC forever, reporting every 4096th read at port
 * 0x13, so the host can stop it, detach under it, or kick it while it computes. */
	.code16
	.globl _start
_start:
	xor	%ebx, %ebx
1:	rdtsc
	inc	%ebx
	test	$0xfff, %bx
	jnz	1b
	mov	$0x13, %dx
	out	%eax, (%dx)
	jmp	1b
