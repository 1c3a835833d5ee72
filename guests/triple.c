/*
 * triple: deliberately triple-faults.  Loads an empty IDT (limit 0), then
 * int3: vector 3 is outside the IDT -> #GP, whose vector is outside too ->
 * #DF, also outside -> triple fault -> shutdown.  The VMM must report the
 * shutdown cleanly (KVM_EXIT_SHUTDOWN); there is no exit code.  QEMU with
 * -no-reboot just quits (status 0).
 */
#include "lore.h"

int kmain(const struct hvm_start_info *si)
{
	(void)si;
	puts("about to triple fault\n");
	cli();
	lidt_raw(0, 0);
	__asm__ __volatile__("int3");
	puts("FAIL triple fault: expected shutdown got execution after int3\n");
	return EXIT_FAIL;
}
