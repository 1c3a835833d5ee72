/*
 * irqio: the interrupt- and I/O-heavy guest of the record/replay benchmarks
 * (tools/bench, bench/README.md), and a work-paced interrupt guest for the
 * tests.  Built by guests/Makefile into guests/build/irqio.elf, like the
 * other guests.
 *
 * PIT channel 0 runs as a rate generator at hz Hz (IRQ0 unmasked, IF=1 all
 * the time); the IRQ0 handler counts the tick and sends an EOI (one OUT).
 * Meanwhile the guest runs n iterations of: one OUT to port 0x80 (a VM exit),
 * then `work` steps of an xorshift computation that also writes one word of
 * a 256 KiB buffer per step (so pages get dirtied between exits).  With the
 * defaults (n=20000 hz=1000 work=4) about 80 % of the guest's time is spent
 * computing without exits, so most timer interrupts arrive while it
 * computes: the recorder must position them (kick + state signature), and
 * the replay must find them again.  The run is paced by its work, not by the
 * timer, unlike pit.elf and demo.elf.
 *
 * Command line: n=ITERATIONS hz=TIMER_HZ (19..100000) work=STEPS.
 * Prints "irqio: N iterations, T ticks, checksum 0x...", then "done N"; exit 0.
 */
#include "lore.h"

#define EXIT_PORT 0x80
#define PAGES 64

static u64 buf[PAGES * 512];

struct state {
	u64 x, sum;
};

__attribute__((noinline)) static void work_loop(u64 n, u64 work, struct state *s)
{
	for (u64 i = 0; i < n; i++) {
		outb(EXIT_PORT, (u8)i);
		for (u64 w = 0; w < work; w++) {
			s->x ^= s->x << 13;
			s->x ^= s->x >> 7;
			s->x ^= s->x << 17;
			s->sum += s->x ^ i;
			buf[((i * 4099 + w) % PAGES) * 512 + (i & 511)] += s->x;
		}
	}
}

int kmain(const struct hvm_start_info *si)
{
	const char *cmdline = pvh_cmdline(si);
	u64 n = cmdline_u64(cmdline, "n", 20000);
	u64 hz = cmdline_u64(cmdline, "hz", 1000);
	u64 work = cmdline_u64(cmdline, "work", 4);
	struct state s = {0x9e3779b97f4a7c15ull, 0};

	if (hz < 19)
		hz = 19; /* the 16-bit PIT divisor */
	if (hz > 100000)
		hz = 100000;
	kprintf("irqio: %lu iterations of 1 OUT + %lu steps, PIT IRQ0 at %lu Hz\n", n, work, hz);
	pit_count_irq0();
	pit_program(0, 2, pit_divisor((unsigned)hz));
	pic_unmask(0);
	sti();
	work_loop(n, work, &s);
	cli();
	pic_mask(0);
	kprintf("irqio: %lu iterations, %u ticks, checksum 0x%016lx\n", n, pit_ticks, s.sum);
	kprintf("done %lu\n", n);
	return EXIT_OK;
}
