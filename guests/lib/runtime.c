/* Runtime start-up, exit, panic, self-check helpers, PVH boot info. */
#include "lore.h"

void lore_runtime_init(void);

void lore_runtime_init(void)
{
	serial_init();
	idt_init();
	pic_init(PIC1_BASE, PIC2_BASE);
}

void lore_exit(int code)
{
	cli();
	outb(DEBUG_EXIT_PORT, (u8)code);
	/* Still running: no isa-debug-exit device.  Do not hang. */
	kprintf("lore_exit(%d): no debug-exit device at port 0x%x, triple-faulting\n", code,
		DEBUG_EXIT_PORT);
	lore_triple_fault();
}

void lore_triple_fault(void)
{
	cli();
	lidt_raw(0, 0);
	/* ud2 -> #UD, vector outside the IDT limit -> #GP, also outside -> #DF
	 * -> shutdown.  Not int3/INT n: KVM hosts that emulate guest CPL0 code
	 * cannot emulate software interrupts. */
	__asm__ __volatile__("ud2");
	for (;;)
		hlt();
}

void lore_panic(const char *fmt, ...)
{
	va_list ap;
	cli();
	puts("PANIC: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	puts("\n");
	lore_exit(EXIT_PANIC);
}

/* ------------------------------------------------------------ checks */
unsigned checks_run, checks_failed;

static int check_done(int pass)
{
	checks_run++;
	if (!pass)
		checks_failed++;
	return pass;
}

int check_eq(const char *what, u64 expected, u64 got)
{
	if (expected == got)
		kprintf("ok %s\n", what);
	else
		kprintf("FAIL %s: expected %lu got %lu\n", what, expected, got);
	return check_done(expected == got);
}

int check_eqx(const char *what, u64 expected, u64 got)
{
	if (expected == got)
		kprintf("ok %s\n", what);
	else
		kprintf("FAIL %s: expected 0x%lx got 0x%lx\n", what, expected, got);
	return check_done(expected == got);
}

int check_range(const char *what, u64 lo, u64 hi, u64 got)
{
	int pass = got >= lo && got <= hi;
	if (pass)
		kprintf("ok %s\n", what);
	else
		kprintf("FAIL %s: expected %lu..%lu got %lu\n", what, lo, hi, got);
	return check_done(pass);
}

int check_true(const char *what, int cond, const char *expected, const char *got)
{
	if (cond)
		kprintf("ok %s\n", what);
	else
		kprintf("FAIL %s: expected %s got %s\n", what, expected, got);
	return check_done(cond);
}

int checks_finish(const char *guest)
{
	if (checks_failed) {
		kprintf("%s: %u of %u checks FAILED\n", guest, checks_failed, checks_run);
		return EXIT_FAIL;
	}
	kprintf("%s: all %u checks passed\n", guest, checks_run);
	return EXIT_OK;
}

/* ------------------------------------------------------------ PVH */
const char *pvh_cmdline(const struct hvm_start_info *si)
{
	if (!si || si->magic != HVM_START_MAGIC || !si->cmdline_paddr)
		return "";
	return (const char *)si->cmdline_paddr;
}

const char *e820_type_name(u32 type)
{
	switch (type) {
	case 1:
		return "RAM";
	case 2:
		return "reserved";
	case 3:
		return "ACPI";
	case 4:
		return "NVS";
	case 5:
		return "unusable";
	case 7:
		return "persistent";
	default:
		return "other";
	}
}
