/* IDT and the C side of interrupt/exception dispatch. */
#include "lore.h"

struct idt_gate {
	u16 off_lo;
	u16 sel;
	u8 ist;
	u8 type_attr;
	u16 off_mid;
	u32 off_hi;
	u32 zero;
} __attribute__((packed));

static struct idt_gate idt[256] __attribute__((aligned(16)));
static trap_handler_t handlers[256];
static struct trapframe *switch_next;
extern char trap_stubs[];

struct trapframe *trap_dispatch(struct trapframe *tf);

void lidt_raw(u16 limit, u64 base)
{
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) p = {limit, base};
	__asm__ __volatile__("lidt %0" ::"m"(p) : "memory");
}

void idt_init(void)
{
	for (unsigned v = 0; v < 256; v++) {
		u64 a = (u64)trap_stubs + 16 * v;
		idt[v].off_lo = (u16)a;
		idt[v].sel = KERNEL_CS;
		idt[v].ist = 0;
		idt[v].type_attr = 0x8e; /* present, DPL0, 64-bit interrupt gate */
		idt[v].off_mid = (u16)(a >> 16);
		idt[v].off_hi = (u32)(a >> 32);
		idt[v].zero = 0;
	}
	lidt_raw(sizeof(idt) - 1, (u64)idt);
}

void trap_set_handler(unsigned vector, trap_handler_t h)
{
	handlers[vector & 255] = h;
}

void trap_switch_to(struct trapframe *next)
{
	switch_next = next;
}

static const char *const exc_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check",
	"#MC machine check", "#XM SIMD error", "#VE virtualization", "#CP control protection",
};

void trap_dump(const struct trapframe *tf)
{
	u64 cr2;
	__asm__ __volatile__("mov %%cr2, %0" : "=r"(cr2));
	kprintf("  vector %lu error 0x%lx rip 0x%lx cs 0x%lx rflags 0x%lx rsp 0x%lx cr2 0x%lx\n",
		tf->vector, tf->error, tf->rip, tf->cs, tf->rflags, tf->rsp, cr2);
	kprintf("  rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", tf->rax, tf->rbx, tf->rcx, tf->rdx);
	kprintf("  rsi %016lx rdi %016lx rbp %016lx r8  %016lx\n", tf->rsi, tf->rdi, tf->rbp, tf->r8);
	kprintf("  r9  %016lx r10 %016lx r11 %016lx r12 %016lx\n", tf->r9, tf->r10, tf->r11, tf->r12);
	kprintf("  r13 %016lx r14 %016lx r15 %016lx\n", tf->r13, tf->r14, tf->r15);
}

int pic_handle_spurious(unsigned vector);

struct trapframe *trap_dispatch(struct trapframe *tf)
{
	unsigned v = (unsigned)tf->vector;
	trap_handler_t h = handlers[v];

	switch_next = 0;
	if (h) {
		h(tf);
	} else if (v < 32) {
		const char *name = exc_names[v] ? exc_names[v] : "reserved";
		kprintf("EXCEPTION %s (vector %u) at rip 0x%lx\n", name, v, tf->rip);
		trap_dump(tf);
		lore_exit(EXIT_EXCEPTION);
	} else if (!pic_handle_spurious(v)) {
		kprintf("UNEXPECTED interrupt vector 0x%x at rip 0x%lx\n", v, tf->rip);
		lore_exit(EXIT_IRQ);
	}
	return switch_next ? switch_next : tf;
}
