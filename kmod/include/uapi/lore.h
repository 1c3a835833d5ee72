/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * lore.h - the ABI between lore.ko (/dev/lore) and LoRe's user space.
 *
 * Versioned: user space reads LORE_IOC_VERSION first and refuses to go on unless the
 * module's abi equals the LORE_ABI_VERSION it was built for. Any change to a structure, an
 * ioctl number or the layout of the shared area bumps LORE_ABI_VERSION.
 *
 * Use: open /dev/lore, LORE_IOC_ATTACH a KVM VM fd owned by the calling process, mmap the
 * shared area (struct lore_shared at offset 0, then the event records, then the feed
 * records), LORE_IOC_START, run the VM, consume records, LORE_IOC_STOP / LORE_IOC_DETACH or
 * just close. Every structure has explicit padding; reserved fields must be zero.
 */
#ifndef _UAPI_LINUX_LORE_H
#define _UAPI_LINUX_LORE_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define LORE_ABI_VERSION	1
#define LORE_SHARED_MAGIC	0x4c6f5265u	/* "LoRe" */
#define LORE_DEVICE		"/dev/lore"

/* ---- capabilities (lore_version.caps) ---- */
#define LORE_CAP_TRACE		(1u << 0)	/* tracepoint capture works on this kernel */
#define LORE_CAP_TSC		(1u << 1)	/* RDTSC interception (AMD SVM) */
#define LORE_CAP_BRANCH		(1u << 2)	/* a guest branch counter could be created on this CPU */

struct lore_version {
	__u32 abi;		/* LORE_ABI_VERSION of the module */
	__u32 caps;		/* LORE_CAP_* */
	__u32 record_size;	/* sizeof(struct lore_record) */
	__u32 reserved;
};

/* ---- attach ---- */
struct lore_attach {
	__s32 vm_fd;		/* a KVM VM fd of the calling process */
	__u32 flags;		/* must be 0 */
	__u32 event_records;	/* event ring capacity: a power of two, 64..1M */
	__u32 feed_records;	/* feed ring capacity: a power of two, 64..1M */
};

/* ---- capture ---- */
#define LORE_MODE_RECORD	1	/* RDTSC returns the guest TSC and is logged */
#define LORE_MODE_REPLAY	2	/* RDTSC returns the next value of the feed ring */

#define LORE_CAPTURE_EXITS	(1u << 0)	/* one record per VM exit (kvm_exit) */
#define LORE_CAPTURE_PIO	(1u << 1)	/* port I/O with its data (kvm_pio) */
#define LORE_CAPTURE_MMIO	(1u << 2)	/* MMIO with its data (kvm_mmio) */
#define LORE_CAPTURE_MSR	(1u << 3)	/* MSR reads and writes (kvm_msr) */
#define LORE_CAPTURE_VIRQ	(1u << 4)	/* injected interrupts (kvm_inj_virq) */
#define LORE_CAPTURE_TSC	(1u << 5)	/* intercept RDTSC (needs LORE_CAP_TSC) */
#define LORE_CAPTURE_ALL	0x3fu

struct lore_capture {
	__u32 mode;		/* LORE_MODE_* */
	__u32 events;		/* LORE_CAPTURE_* */
};

/* ---- statistics ---- */
#define LORE_STAT_TSC_LAYOUT_BAD (1u << 0)	/* the VMCB did not look as expected: TSC capture off */

struct lore_stats {
	__u64 exits;		/* kvm_exit hits of the attached VM since attach */
	__u64 entries;		/* kvm_entry hits */
	__u64 records;		/* records produced into the event ring */
	__u64 dropped;		/* records lost because the event ring was full */
	__u64 pio, mmio, msr, virq;
	__u64 tsc;		/* RDTSC executions answered by the module */
	__u64 tsc_deferred;	/* RDTSCs sent back to user space (ring full / feed empty) */
	__u64 tsc_mismatch;	/* replay: the guest RIP differed from the fed record's */
	__u64 feed_consumed;	/* feed records taken */
	__u64 feed_invalid;	/* feed ring state written by user space was inconsistent */
	__u64 branch_overflows;	/* notifications sent through the branch chain */
	__u32 flags;		/* LORE_STAT_* */
	__u32 capturing;	/* 1 between START and STOP */
};

/* ---- draining and waiting (alternatives to reading the mapping) ---- */
struct lore_drain {
	__u64 buf;		/* user pointer to max * record_size bytes */
	__u32 max;
	__u32 count;		/* out: records copied */
};

struct lore_wait {
	__u32 min_records;	/* 1..capacity */
	__u32 timeout_ms;	/* at most 60000 */
	__u32 available;	/* out */
	__u32 reserved;
};

/* ---- branch counter (hosts with a PMU) ---- */
struct lore_branch_arm {
	__u64 config;		/* raw PMU event counting guest retired (conditional) branches */
	__u64 target;		/* guest branch count to stop before */
	__u64 margin;		/* stop this many branches early (the counter's skid) */
	__u32 flags;		/* must be 0 */
	__u32 reserved;
};

#define LORE_IOC_MAGIC		0xB7
#define LORE_IOC_VERSION	_IOR(LORE_IOC_MAGIC, 0, struct lore_version)
#define LORE_IOC_ATTACH		_IOW(LORE_IOC_MAGIC, 1, struct lore_attach)
#define LORE_IOC_DETACH		_IO(LORE_IOC_MAGIC, 2)
#define LORE_IOC_START		_IOW(LORE_IOC_MAGIC, 3, struct lore_capture)
#define LORE_IOC_STOP		_IO(LORE_IOC_MAGIC, 4)
#define LORE_IOC_STATS		_IOR(LORE_IOC_MAGIC, 5, struct lore_stats)
#define LORE_IOC_DRAIN		_IOWR(LORE_IOC_MAGIC, 6, struct lore_drain)
#define LORE_IOC_WAIT		_IOWR(LORE_IOC_MAGIC, 7, struct lore_wait)
#define LORE_IOC_BRANCH_ARM	_IOW(LORE_IOC_MAGIC, 8, struct lore_branch_arm)
#define LORE_IOC_BRANCH_READ	_IOR(LORE_IOC_MAGIC, 9, __u64)
/* Sends the branch-overflow notification as a counter overflow would (tests, hosts without PMU). */
#define LORE_IOC_BRANCH_NOTIFY	_IO(LORE_IOC_MAGIC, 10)

/* ---- records ---- */
enum lore_record_kind {
	LORE_REC_EXIT = 1,	/* arg = exit reason, addr = guest RIP, value = isa (1 VMX, 2 SVM) */
	LORE_REC_PIO = 2,	/* arg = port, flags = LORE_F_WRITE | size, value = data (first element), addr = count */
	LORE_REC_MMIO = 3,	/* flags = LORE_F_WRITE | len, addr = gpa, value = data */
	LORE_REC_MSR = 4,	/* arg = MSR index, flags = LORE_F_WRITE | LORE_F_FAULT, value = data */
	LORE_REC_VIRQ = 5,	/* arg = vector, flags = LORE_F_SOFT | LORE_F_REINJECTED, addr = guest RIP */
	LORE_REC_TSC = 6,	/* value = the TSC the guest read, addr = guest RIP of the RDTSC */
	LORE_REC_BRANCH = 7,	/* value = guest branch count at the overflow */
	LORE_REC_TSC_FEED = 8,	/* feed ring only: value to return, addr = the RIP it is expected at */
	LORE_REC_KIND_MAX = 8,
};

#define LORE_F_SIZE_MASK	0x0f	/* PIO size / MMIO length, 1..8 */
#define LORE_F_WRITE		0x10
#define LORE_F_FAULT		0x20	/* MSR access raised #GP */
#define LORE_F_SOFT		0x20	/* VIRQ: software interrupt */
#define LORE_F_REINJECTED	0x40	/* VIRQ: re-injection of an interrupted delivery */

struct lore_record {
	__u8 kind;		/* enum lore_record_kind */
	__u8 flags;		/* LORE_F_* */
	__u16 vcpu;		/* vcpu_id */
	__u32 arg;
	__u64 exits;		/* the VM's exit count when it happened: the kernel-side position */
	__u64 addr;
	__u64 value;
};

/* ---- the shared area (mmap offset 0) ---- */

/* One direction of traffic. The producer owns head, the consumer owns tail; each side keeps
 * its own copy and never trusts the other side's field beyond clamping it. */
struct lore_ring {
	__u64 head;		/* records ever produced */
	__u8 pad0[56];
	__u64 tail;		/* records ever consumed */
	__u8 pad1[56];
	__u64 dropped;		/* producer: records that found the ring full */
	__u32 capacity;		/* records; a power of two */
	__u32 record_size;
	__u8 pad2[48];
};

struct lore_shared {
	__u32 magic;		/* LORE_SHARED_MAGIC */
	__u32 abi;		/* LORE_ABI_VERSION */
	__u64 events_offset;	/* byte offset of the event records in the mapping */
	__u64 feed_offset;	/* byte offset of the feed records */
	__u64 size;		/* bytes to map */
	__u8 pad[32];
	struct lore_ring events;	/* kernel -> user */
	struct lore_ring feed;		/* user -> kernel */
};

#endif /* _UAPI_LINUX_LORE_H */
