/* SPDX-License-Identifier: GPL-2.0 */
/*
 * LoRe's reusable circular buffer: fixed-size records in memory shared by a producer and a
 * consumer on different sides of the kernel boundary. Compiled into lore.ko and, unchanged,
 * into the user-space unit tests (kmod/test), so the logic the module runs is the logic the
 * tests check.
 *
 * Each side keeps its own index privately (struct lore_ring_side.pos) and publishes it with
 * a release store; it reads the other side's index with an acquire load and never trusts it
 * beyond a range check: the mapping is writable by user space, so a buggy or hostile process
 * may write anything there, and the kernel side must stay memory-safe whatever it reads.
 */
#ifndef LORE_RING_H
#define LORE_RING_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#include <asm/barrier.h>
#define LORE_LOAD_ACQUIRE(p)		smp_load_acquire(p)
#define LORE_STORE_RELEASE(p, v)	smp_store_release(p, v)
#else
#include <stdint.h>
#include <string.h>
#define LORE_LOAD_ACQUIRE(p)		__atomic_load_n(p, __ATOMIC_ACQUIRE)
#define LORE_STORE_RELEASE(p, v)	__atomic_store_n(p, v, __ATOMIC_RELEASE)
#endif
#include "include/uapi/lore.h"

/* One side's view of a ring: the shared counters plus what this side must not take from them. */
struct lore_ring_side {
	struct lore_ring *shared;
	unsigned char *records;
	__u64 pos;		/* our own index: head for a producer, tail for a consumer */
	__u32 mask;		/* capacity - 1, from our own configuration */
	__u32 record_size;
};

static inline int lore_ring_capacity_ok(__u32 capacity)
{
	return capacity >= 64 && capacity <= (1u << 20) && (capacity & (capacity - 1)) == 0;
}

/* Sets up an empty ring (called once by the side that owns the memory). */
static inline void lore_ring_init(struct lore_ring_side *s, struct lore_ring *shared, void *records,
				  __u32 capacity, __u32 record_size)
{
	memset(shared, 0, sizeof(*shared));
	shared->capacity = capacity;
	shared->record_size = record_size;
	s->shared = shared;
	s->records = (unsigned char *)records;
	s->pos = 0;
	s->mask = capacity - 1;
	s->record_size = record_size;
}

/* Attaches to a ring set up by the other side, starting from its current indices. */
static inline void lore_ring_join(struct lore_ring_side *s, struct lore_ring *shared, void *records,
				  __u32 capacity, __u32 record_size, int producer)
{
	s->shared = shared;
	s->records = (unsigned char *)records;
	s->mask = capacity - 1;
	s->record_size = record_size;
	s->pos = producer ? LORE_LOAD_ACQUIRE(&shared->head) : LORE_LOAD_ACQUIRE(&shared->tail);
}

static inline void lore_ring_join_producer(struct lore_ring_side *s, struct lore_ring *shared, void *records,
					   __u32 capacity, __u32 record_size)
{
	lore_ring_join(s, shared, records, capacity, record_size, 1);
}

static inline void lore_ring_join_consumer(struct lore_ring_side *s, struct lore_ring *shared, void *records,
					   __u32 capacity, __u32 record_size)
{
	lore_ring_join(s, shared, records, capacity, record_size, 0);
}

/*
 * Records the consumer has not taken yet, seen from the producer. A tail behind the
 * producer by more than the capacity, or ahead of it, is impossible for an honest consumer:
 * the ring then counts as full, so the producer writes nothing it could not justify.
 */
static inline __u64 lore_ring_used(const struct lore_ring_side *producer)
{
	__u64 tail = LORE_LOAD_ACQUIRE(&producer->shared->tail);
	__u64 used = producer->pos - tail;

	return used > (__u64)producer->mask + 1 ? (__u64)producer->mask + 1 : used;
}

/* Producer: appends one record; 0 on success, -1 when full (the loss is counted in dropped). */
static inline int lore_ring_push(struct lore_ring_side *p, const void *rec)
{
	if (lore_ring_used(p) > p->mask) {
		LORE_STORE_RELEASE(&p->shared->dropped, p->shared->dropped + 1);
		return -1;
	}
	memcpy(p->records + (p->pos & p->mask) * p->record_size, rec, p->record_size);
	p->pos++;
	LORE_STORE_RELEASE(&p->shared->head, p->pos);	/* the record before the index */
	return 0;
}

/* Free slots, seen from the producer. */
static inline __u64 lore_ring_free(const struct lore_ring_side *p)
{
	return (__u64)p->mask + 1 - lore_ring_used(p);
}

/*
 * Consumer: records ready to take. Returns -1 when the producer's head is impossible (behind
 * our tail, or more than a ring ahead): the consumer must stop trusting this ring.
 */
static inline long long lore_ring_available(const struct lore_ring_side *c)
{
	__u64 head = LORE_LOAD_ACQUIRE(&c->shared->head);
	__u64 avail = head - c->pos;

	if (avail > (__u64)c->mask + 1)
		return -1;
	return (long long)avail;
}

/* Consumer: takes one record into rec; 1 taken, 0 empty, -1 inconsistent ring. */
static inline int lore_ring_pop(struct lore_ring_side *c, void *rec)
{
	long long avail = lore_ring_available(c);

	if (avail <= 0)
		return avail < 0 ? -1 : 0;
	memcpy(rec, c->records + (c->pos & c->mask) * c->record_size, c->record_size);
	c->pos++;
	LORE_STORE_RELEASE(&c->shared->tail, c->pos);	/* the slot is free only after the copy */
	return 1;
}

/* Consumer: looks at the next record without taking it; same returns as lore_ring_pop. */
static inline int lore_ring_peek(const struct lore_ring_side *c, void *rec)
{
	long long avail = lore_ring_available(c);

	if (avail <= 0)
		return avail < 0 ? -1 : 0;
	memcpy(rec, c->records + (c->pos & c->mask) * c->record_size, c->record_size);
	return 1;
}

#endif /* LORE_RING_H */
