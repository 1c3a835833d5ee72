/* 8254 PIT helpers, and channel 2 (port 0x61 gate/output) as a timer. */
#include "lore.h"

void pit_program(unsigned channel, unsigned mode, u16 count)
{
	outb(PIT_CMD, (u8)(channel << 6 | 0x30 | mode << 1)); /* lobyte/hibyte, binary */
	outb((u16)(PIT_CH0 + channel), (u8)count);
	outb((u16)(PIT_CH0 + channel), (u8)(count >> 8));
}

u16 pit_divisor(unsigned hz)
{
	return (u16)((PIT_HZ + hz / 2) / hz);
}

u16 pit_latch_count(unsigned channel)
{
	u8 lo, hi;
	outb(PIT_CMD, (u8)(channel << 6)); /* counter latch command */
	lo = inb((u16)(PIT_CH0 + channel));
	hi = inb((u16)(PIT_CH0 + channel));
	return (u16)(lo | hi << 8);
}

u8 pit_read_status(unsigned channel)
{
	/* read-back: 11, COUNT#=1 (no count latch), STATUS#=0, channel bit */
	outb(PIT_CMD, (u8)(0xe0 | 2u << channel));
	return inb((u16)(PIT_CH0 + channel));
}

void pit_ch2_start(u16 count)
{
	u8 v = inb(PORT_61);
	outb(PORT_61, (u8)((v & ~0x02) | 0x01)); /* gate on, speaker data off */
	pit_program(2, 0, count);
}

int pit_ch2_expired(void)
{
	return (inb(PORT_61) & 0x20) != 0;
}

int pit_ch2_delay_us(u32 us)
{
	u64 count = (u64)us * PIT_HZ / 1000000;
	if (count > 0xffff)
		count = 0xffff;
	if (count < 2)
		count = 2;
	pit_ch2_start((u16)count);
	/* Each poll is a port read (a VM exit); bound it generously. */
	for (u32 i = 0; i < 2000000; i++)
		if (pit_ch2_expired())
			return 1;
	return 0;
}

u8 cmos_read(u8 reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

void cmos_write(u8 reg, u8 v)
{
	outb(0x70, reg);
	outb(0x71, v);
}

int pit_wait_irq0_pending(u32 guard_us)
{
	/* Channel 2 times the guard: one mode-0 count of at most 0xffff (~54.9 ms),
	 * so longer guards are chained counts.  The iteration cap only matters if
	 * channel 2 never expires (a broken model): then give up on that count. */
	u64 left = (u64)guard_us * PIT_HZ / 1000000;
	if (left < 2)
		left = 2;
	while (left > 0) {
		u64 count = left > 0xffff ? 0xffff : left;
		int expired = 0;
		left -= count;
		if (count < 2)
			count = 2;
		pit_ch2_start((u16)count);
		for (u32 i = 0; i < 1000000; i++) {
			if (pic_read_irr() & 1)
				return 1;
			if (pit_ch2_expired()) {
				expired = 1;
				break;
			}
		}
		if (!expired)
			break;
	}
	return (pic_read_irr() & 1) != 0;
}

volatile u32 pit_ticks;

static void pit_tick_handler(struct trapframe *tf)
{
	(void)tf;
	pit_ticks++;
	pic_eoi(0);
}

void pit_count_irq0(void)
{
	trap_set_handler(IRQ_VECTOR(0), pit_tick_handler);
}
