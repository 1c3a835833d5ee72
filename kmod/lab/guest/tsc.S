/* Real-mode guest for the lab: reads the TSC and reports what it read at user-space ports.
 * Eight RDTSCs each reported (EDX:EAX at port 0x10), then a burst of 300 RDTSCs without any
 * exit folded into one value (port 0x11), then HLT. Replay must reproduce every output. */
	.code16
	.globl _start
_start:
	mov	$8, %cx
1:	rdtsc
	mov	%edx, %ebx
	mov	$0x10, %dx
	out	%eax, (%dx)
	mov	%ebx, %eax
	out	%eax, (%dx)
	loop	1b
	mov	$300, %cx
	xor	%esi, %esi
2:	rdtsc
	xor	%eax, %esi
	rol	$5, %esi
	loop	2b
	mov	%esi, %eax
	mov	$0x11, %dx
	out	%eax, (%dx)
	hlt
