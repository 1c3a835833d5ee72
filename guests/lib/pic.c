/* Two cascaded 8259A PICs (master 0x20/0x21, slave 0xa0/0xa1 on IRQ2). */
#include "lore.h"

static u8 base_master = PIC1_BASE, base_slave = PIC2_BASE;
static u16 cur_mask = 0xffff;
volatile u32 pic_spurious_master, pic_spurious_slave;

void pic_init(u8 base1, u8 base2)
{
	base_master = base1;
	base_slave = base2;
	outb(PIC1_CMD, 0x11);  /* ICW1: edge triggered, cascade, ICW4 follows */
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, base1); /* ICW2: vector base */
	outb(PIC2_DATA, base2);
	outb(PIC1_DATA, 0x04);  /* ICW3: slave on IR2 */
	outb(PIC2_DATA, 0x02);  /* ICW3: slave identity 2 */
	outb(PIC1_DATA, 0x01);  /* ICW4: 8086 mode, normal EOI */
	outb(PIC2_DATA, 0x01);
	outb(PIC1_DATA, 0xff);  /* OCW1: mask everything */
	outb(PIC2_DATA, 0xff);
	cur_mask = 0xffff;
}

void pic_set_mask(u16 mask)
{
	if ((u8)mask != (u8)cur_mask)
		outb(PIC1_DATA, (u8)mask);
	if ((u8)(mask >> 8) != (u8)(cur_mask >> 8))
		outb(PIC2_DATA, (u8)(mask >> 8));
	cur_mask = mask;
}

u16 pic_get_mask(void)
{
	return (u16)(inb(PIC1_DATA) | inb(PIC2_DATA) << 8);
}

void pic_unmask(unsigned irq)
{
	u16 m = cur_mask & ~(1u << irq);
	if (irq >= 8)
		m &= ~(1u << 2);
	pic_set_mask(m);
}

void pic_mask(unsigned irq)
{
	pic_set_mask(cur_mask | (1u << irq));
}

void pic_eoi(unsigned irq)
{
	if (irq >= 8)
		outb(PIC2_CMD, 0x20);
	outb(PIC1_CMD, 0x20);
}

u16 pic_read_irr(void)
{
	outb(PIC1_CMD, 0x0a);
	outb(PIC2_CMD, 0x0a);
	return (u16)(inb(PIC1_CMD) | inb(PIC2_CMD) << 8);
}

u16 pic_read_isr(void)
{
	outb(PIC1_CMD, 0x0b);
	outb(PIC2_CMD, 0x0b);
	return (u16)(inb(PIC1_CMD) | inb(PIC2_CMD) << 8);
}

/* Called for vectors without a handler.  A spurious IRQ7/IRQ15 arrives
 * without its ISR bit set and must not be acknowledged with an EOI to its
 * own chip (a slave spurious still needs the master's EOI for IRQ2). */
int pic_handle_spurious(unsigned vector);
int pic_handle_spurious(unsigned vector)
{
	if (vector == (unsigned)base_master + 7) {
		outb(PIC1_CMD, 0x0b);
		if (inb(PIC1_CMD) & 0x80)
			return 0;
		pic_spurious_master++;
		return 1;
	}
	if (vector == (unsigned)base_slave + 7) {
		outb(PIC2_CMD, 0x0b);
		if (inb(PIC2_CMD) & 0x80)
			return 0;
		pic_spurious_slave++;
		outb(PIC1_CMD, 0x20);
		return 1;
	}
	return 0;
}
