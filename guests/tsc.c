/*
 * tsc: reads the time-stamp counter the way time-keeping code does. It spins until the TSC
 * has advanced by 2,000,000 cycles and prints how many iterations that took, then folds 64
 * more reads into one number. Both depend on time, so a replay reproduces its output only if
 * it hands the guest the recorded TSC values: LoRe does that with lore.ko (kmod/), which
 * intercepts RDTSC; without it the replay reports a divergence.
 */
#include "lore.h"

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

int kmain(const struct hvm_start_info *si)
{
	(void)si;
	u64 t0 = rdtsc();
	u64 n = 0;

	while (rdtsc() - t0 < 2000000)
		n++;
	u64 fold = 0;
	for (int i = 0; i < 64; i++)
		fold = (fold * 31) ^ rdtsc();
	kprintf("info tsc: %lu iterations for 2000000 cycles, fold %lx\n", n, fold);
	puts("tsc: done\n");
	return EXIT_OK;
}
