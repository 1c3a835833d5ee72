/*
 * triple: deliberately triple-faults.  Loads an empty IDT (limit 0), then
 * ud2: #UD's vector 6 is outside the IDT -> #GP, whose vector is outside too
 * -> #DF, also outside -> triple fault -> shutdown.  The VMM must report the
 * shutdown cleanly (KVM_EXIT_SHUTDOWN); there is no exit code.  QEMU with
 * -no-reboot just quits (status 0).  Not int3 or any INT n: hosts whose KVM
 * emulates guest CPL0 code cannot emulate software interrupts at all (the run
 * would end in an emulation failure, not a shutdown).
 */
#include "lore.h"

int kmain(const struct hvm_start_info *si)
{
	(void)si;
	puts("about to triple fault\n");
	cli();
	lidt_raw(0, 0);
	__asm__ __volatile__("ud2");
	puts("FAIL triple fault: expected shutdown got execution after ud2\n");
	return EXIT_FAIL;
}
