/*
 * spin: timer interrupts must arrive while the guest computes without any
 * VM exit.  PIT channel 0 at 1 kHz, sti, then a pure computation loop (no
 * I/O, no hlt) that polls a volatile tick counter incremented by the IRQ0
 * handler, until 10 ticks or an iteration bound (-> FAIL).  The iteration
 * count and the checksum depend on where the interrupts landed, which is
 * exactly what a replay has to reproduce.
 *
 * The bound is calibrated first (with I/O allowed): the same computation
 * runs in chunks while PIT channel 2 times 20 ms; the spin may then take
 * 10x that long (200 ms) before it fails.  This keeps the failure path
 * short both under QEMU TCG (~1.5 M iterations per 10 ms) and under KVM's
 * CPL0 emulation (~2 M instr/s, ~100 iterations per ms).
 */
#include "lore.h"

#define HZ 1000
#define WANT_TICKS 10
#define CHUNK 256

struct state {
	u64 x, sum;
};

static inline void step(struct state *s, u64 i)
{
	s->x ^= s->x << 13;
	s->x ^= s->x >> 7;
	s->x ^= s->x << 17;
	s->sum += s->x ^ i;
}

/* Iterations of the loop body per 20 ms, measured with channel 2. */
static u64 calibrate(void)
{
	struct state s = {0x9e3779b97f4a7c15ull, 0};
	u64 chunks;

	pit_ch2_start(pit_divisor(50));
	for (chunks = 0; chunks < 1000000 && !pit_ch2_expired(); chunks++)
		for (u64 i = 0; i < CHUNK; i++)
			step(&s, i);
	__asm__ __volatile__("" ::"r"(s.sum)); /* keep the work */
	return chunks * CHUNK;
}

/* Kept out of line so it is easy to find (and break on) in GDB. */
__attribute__((noinline)) static u64 spin(u64 max_iter, u64 *checksum_out)
{
	struct state s = {0x9e3779b97f4a7c15ull, 0};
	u64 i;
	for (i = 0; i < max_iter; i++) {
		step(&s, i);
		if (pit_ticks >= WANT_TICKS)
			break;
	}
	*checksum_out = s.sum;
	return i;
}

int kmain(const struct hvm_start_info *si)
{
	u64 iters, sum, per20ms, max_iter;
	u32 t;

	(void)si;
	kprintf("spin: PIT at %u Hz, spinning without VM exits until %u ticks\n", HZ, WANT_TICKS);
	per20ms = calibrate();
	max_iter = 10 * per20ms;
	if (max_iter < 20000)
		max_iter = 20000;
	kprintf("info %lu iterations per 20 ms; bound %lu iterations\n", per20ms, max_iter);
	pit_count_irq0();
	pit_program(0, 2, pit_divisor(HZ));
	pic_unmask(0);
	if (!check_true("IRQ0 pending before spinning", pit_wait_irq0_pending(20000), "IRR bit0 set",
			"clear"))
		return checks_finish("spin");
	sti();
	iters = spin(max_iter, &sum);
	cli();
	t = pit_ticks;
	pic_mask(0);
	kprintf("spin: %u ticks after %lu iterations, checksum 0x%016lx\n", t, iters, sum);
	if (iters >= max_iter)
		kprintf("FAIL no timer interrupts while spinning: expected %u ticks got %u\n",
			WANT_TICKS, t), checks_run++, checks_failed++;
	else
		check_eq("timer interrupts while spinning", WANT_TICKS, t);
	return checks_finish("spin");
}
