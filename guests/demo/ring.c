/* The ring buffer between producer and consumer. */
#include "demo.h"

/*
 * The control block.  `magic` and `nslots` are set here and never written
 * by any code; the consumer verifies them at every checkpoint.
 * (Placed with the sorted .data_ordered.* sections; see stats.c.)
 */
struct ring_ctl ring_ctl __attribute__((section(".data_ordered.2_ring"), aligned(4))) = {
	.magic = RING_MAGIC,
	.nslots = RING_SLOTS,
	.head = 0,
	.tail = 0,
};

static struct record ring_slots[RING_SLOTS];

int ring_put(const struct record *r)
{
	u32 head = ring_ctl.head;
	if (head - ring_ctl.tail >= RING_SLOTS)
		return 0;
	ring_slots[head % RING_SLOTS] = *r;
	barrier();
	ring_ctl.head = head + 1;
	return 1;
}

int ring_get(struct record *r)
{
	u32 tail = ring_ctl.tail;
	if (ring_ctl.head == tail)
		return 0;
	*r = ring_slots[tail % RING_SLOTS];
	barrier();
	ring_ctl.tail = tail + 1;
	return 1;
}
