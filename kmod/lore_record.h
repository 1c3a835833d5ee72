/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Encoding and checking of lore_record, shared by lore.ko (which fills records from
 * tracepoint arguments) and the user-space tests and lab programs (which check them).
 */
#ifndef LORE_RECORD_H
#define LORE_RECORD_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#else
#include <stdint.h>
#include <string.h>
#endif
#include "include/uapi/lore.h"

static inline void lore_rec_clear(struct lore_record *r, __u8 kind, __u16 vcpu, __u64 exits)
{
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->vcpu = vcpu;
	r->exits = exits;
}

/* The first element of a PIO or MMIO access as a number: little-endian, size bytes (1..8). */
static inline __u64 lore_le_value(const void *data, unsigned int size)
{
	const unsigned char *b = (const unsigned char *)data;
	__u64 v = 0;
	unsigned int i;

	if (!data || size == 0 || size > 8)
		return 0;
	for (i = 0; i < size; i++)
		v |= (__u64)b[i] << (8 * i);
	return v;
}

static inline void lore_rec_pio(struct lore_record *r, __u16 vcpu, __u64 exits, int write,
				unsigned int port, unsigned int size, unsigned int count, const void *data)
{
	lore_rec_clear(r, LORE_REC_PIO, vcpu, exits);
	r->flags = (write ? LORE_F_WRITE : 0) | (size & LORE_F_SIZE_MASK);
	r->arg = port & 0xffff;
	r->addr = count;
	r->value = lore_le_value(data, size <= 8 ? size : 0);
}

static inline void lore_rec_mmio(struct lore_record *r, __u16 vcpu, __u64 exits, int write,
				 unsigned int len, __u64 gpa, const void *val)
{
	lore_rec_clear(r, LORE_REC_MMIO, vcpu, exits);
	r->flags = (write ? LORE_F_WRITE : 0) | (len <= 8 ? len : 0);
	r->addr = gpa;
	r->value = lore_le_value(val, len <= 8 ? len : 0);
}

static inline void lore_rec_msr(struct lore_record *r, __u16 vcpu, __u64 exits, int write,
				__u32 index, __u64 data, int fault)
{
	lore_rec_clear(r, LORE_REC_MSR, vcpu, exits);
	r->flags = (write ? LORE_F_WRITE : 0) | (fault ? LORE_F_FAULT : 0);
	r->arg = index;
	r->value = data;
}

static inline void lore_rec_virq(struct lore_record *r, __u16 vcpu, __u64 exits, unsigned int vector,
				 int soft, int reinjected, __u64 rip)
{
	lore_rec_clear(r, LORE_REC_VIRQ, vcpu, exits);
	r->flags = (soft ? LORE_F_SOFT : 0) | (reinjected ? LORE_F_REINJECTED : 0);
	r->arg = vector & 0xff;
	r->addr = rip;
}

static inline void lore_rec_tsc(struct lore_record *r, __u16 vcpu, __u64 exits, __u64 tsc, __u64 rip)
{
	lore_rec_clear(r, LORE_REC_TSC, vcpu, exits);
	r->addr = rip;
	r->value = tsc;
}

static inline void lore_rec_exit(struct lore_record *r, __u16 vcpu, __u64 exits, __u32 reason, __u64 rip,
				 __u32 isa)
{
	lore_rec_clear(r, LORE_REC_EXIT, vcpu, exits);
	r->arg = reason;
	r->addr = rip;
	r->value = isa;
}

/* Whether a record is well formed; a consumer rejects anything else as a damaged ring. */
static inline int lore_record_valid(const struct lore_record *r)
{
	unsigned int size = r->flags & LORE_F_SIZE_MASK;

	switch (r->kind) {
	case LORE_REC_EXIT:
		return r->flags == 0;
	case LORE_REC_PIO:
		return (size == 1 || size == 2 || size == 4) && !(r->flags & ~(LORE_F_WRITE | LORE_F_SIZE_MASK))
			&& r->arg <= 0xffff;
	case LORE_REC_MMIO:
		return size >= 1 && size <= 8 && !(r->flags & ~(LORE_F_WRITE | LORE_F_SIZE_MASK));
	case LORE_REC_MSR:
		return !(r->flags & ~(LORE_F_WRITE | LORE_F_FAULT));
	case LORE_REC_VIRQ:
		return r->arg <= 0xff && !(r->flags & ~(LORE_F_SOFT | LORE_F_REINJECTED));
	case LORE_REC_TSC:
	case LORE_REC_TSC_FEED:
	case LORE_REC_BRANCH:
		return r->flags == 0 && r->arg == 0;
	default:
		return 0;
	}
}

static inline const char *lore_record_name(unsigned int kind)
{
	static const char *const names[] = {
		"?", "exit", "pio", "mmio", "msr", "virq", "tsc", "branch", "tsc-feed",
	};

	return kind <= LORE_REC_KIND_MAX ? names[kind] : "?";
}

#endif /* LORE_RECORD_H */
