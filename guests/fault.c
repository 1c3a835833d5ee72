/*
 * fault: CPU exceptions raised by instructions and handled, as a kernel takes its page
 * faults.  `ud2` raises #UD three times; the handler counts it and resumes after the
 * instruction.  For the debugger's tests: a single step of the faulting instruction must stop
 * at the handler's first instruction, where a breakpoint there stops too.
 */
#include "lore.h"

#define ROUNDS 3
#define UD2_LENGTH 2

static volatile u32 ud_taken;

static void on_ud(struct trapframe *tf)
{
	ud_taken++;
	tf->rip += UD2_LENGTH;
}

/* Out of line and labelled (ud_site) so that tests can break on the faulting instruction. */
__attribute__((noinline)) static void raise_ud(void)
{
	__asm__ __volatile__(".globl ud_site\nud_site:\n\tud2" ::: "memory");
}

int kmain(const struct hvm_start_info *si)
{
	(void)si;
	kprintf("fault: raising #UD %u times (ud2), each handled and resumed\n", ROUNDS);
	trap_set_handler(6, on_ud);
	for (u32 i = 0; i < ROUNDS; i++)
		raise_ud();
	check_eq("#UD taken and resumed", ROUNDS, ud_taken);
	return checks_finish("fault");
}
