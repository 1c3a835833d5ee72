/*
 * exits: exit-heavy benchmark.  N one-byte OUTs to port 0x80 (the POST
 * diagnostic port: nothing listens there, QEMU ignores it), 3 instructions
 * per exit.  N comes from the PVH command line "n=<count>" (decimal or 0x
 * hex), default 100000.  Prints "done N" and exits 0.
 */
#include "lore.h"

#define EXIT_PORT 0x80

__attribute__((noinline)) static void out_loop(u64 n)
{
	if (!n)
		return;
	__asm__ __volatile__("1:\n\t"
			     "outb %%al, %[port]\n\t"
			     "dec %%rcx\n\t"
			     "jnz 1b"
			     : "+c"(n)
			     : "a"(0), [port] "i"(EXIT_PORT)
			     : "memory", "cc");
}

int kmain(const struct hvm_start_info *si)
{
	u64 n = cmdline_u64(pvh_cmdline(si), "n", 100000);

	kprintf("exits: %lu OUTs to port 0x%x\n", n, EXIT_PORT);
	out_loop(n);
	kprintf("done %lu\n", n);
	return EXIT_OK;
}
