/*
 * uart: 16550A checks on COM1, then an interrupt-driven echo.
 *   scratch register, LCR and divisor latch (DLAB) read-back, IIR FIFO bits,
 *   LSR THRE/TEMT, loopback (MCR bit 4: THR -> RBR, MCR -> MSR);
 *   then IRQ4 (IER bit 0) receives lines, each printed as "echo: <line>",
 *   until a line "quit".  With no input for idle_ms (PVH command line,
 *   default 1000) it prints "no input" (or "no more input") and exits too;
 *   the idle time is measured with PIT ticks (IRQ0, 100 Hz).
 * Input that arrives while the checks run (piped in before boot) is kept.
 */
#include "lore.h"

#define U(r) (COM1 + UART_##r)
#define TICK_HZ 100

static char early[256];
static u32 early_len;
static char rxq[1024];
static volatile u32 rx_head, rx_tail, rx_total, rx_irqs;
/* Keep bytes that real input put into the receiver before we reset it. */
static void stash_rx(void)
{
	for (int i = 0; i < 64 && (inb(U(LSR)) & LSR_DR); i++) {
		u8 c = inb(U(RBR));
		if (early_len < sizeof(early))
			early[early_len++] = (char)c;
	}
}

static void irq4_handler(struct trapframe *tf)
{
	(void)tf;
	rx_irqs++;
	(void)inb(U(IIR));
	for (int i = 0; i < 64 && (inb(U(LSR)) & LSR_DR); i++) {
		u8 c = inb(U(RBR));
		if (rx_head - rx_tail < sizeof(rxq))
			rxq[rx_head++ % sizeof(rxq)] = (char)c;
	}
	pic_eoi(4);
}

static void test_registers(void)
{
	u8 scr1, scr2, lcr, dll, dlm, ier, lcr2;

	outb(U(SCR), 0x55);
	scr1 = inb(U(SCR));
	outb(U(SCR), 0xaa);
	scr2 = inb(U(SCR));
	check_eqx("scratch register holds 0x55", 0x55, scr1);
	check_eqx("scratch register holds 0xaa", 0xaa, scr2);

	/* No printing while the line settings are changed. */
	outb(U(IER), 0x00);
	outb(U(LCR), 0x1f); /* 8 bits, 2 stop bits, even parity */
	lcr = inb(U(LCR));
	outb(U(LCR), 0x83); /* DLAB */
	outb(U(DLL), 0x34);
	outb(U(DLM), 0x12);
	dll = inb(U(DLL));
	dlm = inb(U(DLM));
	outb(U(DLL), 0x01); /* back to 115200 */
	outb(U(DLM), 0x00);
	outb(U(LCR), 0x03);
	ier = inb(U(IER));
	lcr2 = inb(U(LCR));
	check_eqx("LCR read-back (0x1f)", 0x1f, lcr);
	check_eqx("divisor latch low (DLAB=1)", 0x34, dll);
	check_eqx("divisor latch high (DLAB=1)", 0x12, dlm);
	check_eqx("IER unaffected by divisor writes (DLAB=0)", 0x00, ier);
	check_eqx("LCR read-back (0x03, 8N1)", 0x03, lcr2);
}

static void test_fifo_lsr(void)
{
	u8 iir_on, iir_off, iir_on2, lsr = 0;

	iir_on = inb(U(IIR));
	stash_rx();
	outb(U(FCR), 0x00); /* FIFOs off */
	iir_off = inb(U(IIR));
	stash_rx();
	outb(U(FCR), 0x07); /* FIFOs on, cleared */
	iir_on2 = inb(U(IIR));
	check_eqx("IIR bits 7-6 = 11 with FIFOs enabled", 0xc0, iir_on & 0xc0);
	check_eqx("IIR: no interrupt pending (bits 3-0 = 0001)", 0x01, iir_on & 0x0f);
	check_eqx("IIR bits 7-6 = 00 with FIFOs disabled", 0x00, iir_off & 0xc0);
	check_eqx("IIR bits 7-6 = 11 after re-enabling FIFOs", 0xc0, iir_on2 & 0xc0);
	for (int i = 0; i < 100000; i++) {
		lsr = inb(U(LSR));
		if ((lsr & (LSR_THRE | LSR_TEMT)) == (LSR_THRE | LSR_TEMT))
			break;
	}
	check_eqx("LSR THRE and TEMT set when idle", LSR_THRE | LSR_TEMT, lsr & (LSR_THRE | LSR_TEMT));
}

static void test_loopback(void)
{
	u8 msr_all, msr_none;
	int got = 0, polls;

	stash_rx();
	outb(U(MCR), 0x1f); /* loopback + DTR, RTS, OUT1, OUT2 */
	msr_all = inb(U(MSR));
	outb(U(MCR), 0x10); /* loopback only */
	msr_none = inb(U(MSR));
	outb(U(THR), 0xa5);
	for (polls = 0; polls < 100000 && !got; polls++) {
		if (inb(U(LSR)) & LSR_DR) {
			u8 c = inb(U(RBR));
			if (c == 0xa5)
				got = 1;
			else if (early_len < sizeof(early))
				early[early_len++] = (char)c; /* real input */
		}
	}
	outb(U(MCR), 0x0b);
	check_eqx("loopback: MSR CTS/DSR/RI/DCD follow RTS/DTR/OUT1/OUT2", 0xf0, msr_all & 0xf0);
	check_eqx("loopback: MSR status bits clear with MCR outputs off", 0x00, msr_none & 0xf0);
	check_true("loopback: byte written to THR read back from RBR", got, "0xa5", "nothing");
}

static char line[200];
static u32 line_len, lines;

/* Returns 1 when the line "quit" completed. */
static int feed(char c)
{
	if (c == '\r' || c == '\n') {
		int quit;
		if (!line_len)
			return 0;
		line[line_len] = 0;
		kprintf("echo: %s\n", line);
		lines++;
		quit = !strcmp(line, "quit");
		line_len = 0;
		return quit;
	}
	if (line_len < sizeof(line) - 1)
		line[line_len++] = c;
	return 0;
}

int kmain(const struct hvm_start_info *si)
{
	u64 idle_ms = cmdline_u64(pvh_cmdline(si), "idle_ms", 1000);
	u32 idle_ticks = (u32)(idle_ms * TICK_HZ / 1000), last_rx_tick = 0, seen = 0;
	int quit = 0;

	early_len = (u32)serial_take_early_rx(early, sizeof(early));
	puts("uart: 16550A checks on COM1\n");
	test_registers();
	test_fifo_lsr();
	test_loopback();

	pit_count_irq0();
	trap_set_handler(IRQ_VECTOR(4), irq4_handler);
	pit_program(0, 2, pit_divisor(TICK_HZ));
	pic_unmask(0);
	if (!check_true("PIT IRQ0 pending (timer for the idle timeout)", pit_wait_irq0_pending(20000),
			"IRR bit0 set", "clear"))
		return checks_finish("uart");
	stash_rx();
	outb(U(IER), 0x01); /* received data available */
	pic_unmask(4);
	kprintf("uart: echoing lines until \"quit\" (interrupt-driven, IRQ4); idle timeout %lu ms\n",
		idle_ms);

	for (u32 i = 0; i < early_len && !quit; i++, seen++)
		quit = feed(early[i]);
	for (u32 guard = 0; !quit; guard++) {
		cli();
		while (rx_tail != rx_head && !quit) {
			quit = feed(rxq[rx_tail++ % sizeof(rxq)]);
			seen++;
			last_rx_tick = pit_ticks;
		}
		if (quit)
			break;
		if (pit_ticks - last_rx_tick >= idle_ticks) {
			puts(seen ? "no more input\n" : "no input\n");
			break;
		}
		if (guard > 100000000) /* bounded even under an input flood */
			break;
		sti_hlt();
	}
	cli();
	outb(U(IER), 0x00);
	pic_set_mask(0xffff);
	kprintf("uart: %u lines, %u bytes, %u receive interrupts\n", lines, seen, rx_irqs);
	return checks_finish("uart");
}
