/* SPDX-License-Identifier: GPL-2.0 */
/* lore.ko internals shared by its parts: the session (one open /dev/lore attached to one VM). */
#ifndef LORE_INTERNAL_H
#define LORE_INTERNAL_H

#include <linux/kvm_host.h>
#include <linux/irq_work.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/atomic.h>
#include "lore_ring.h"
#include "lore_record.h"

struct perf_event;

struct lore_session {
	struct list_head node;		/* in lore_sessions while attached (RCU for the probes) */
	struct mutex lock;		/* serialises the ioctls of this session */
	struct kvm *kvm;		/* referenced (kvm_get_kvm) while attached */
	bool attached;
	bool used;			/* attached once: an open file serves one VM */

	/* The shared area: struct lore_shared, then the event records, then the feed records. */
	void *area;
	size_t area_size;
	struct lore_shared *shared;
	raw_spinlock_t ring_lock;	/* producers and the feed consumer run on vCPU threads */
	struct lore_ring_side events;	/* kernel produces */
	struct lore_ring_side feed;	/* kernel consumes */
	wait_queue_head_t wait;		/* LORE_IOC_WAIT sleepers */
	struct irq_work wake_work;	/* wakes them from any context the producers run in */

	/* What the probes do; written under lock, read by the probes with READ_ONCE. */
	u32 mode;
	u32 capture;
	bool capturing;
	bool closing;			/* detaching: TSC interception is being taken down */

	/* Statistics (struct lore_stats), updated by the probes. */
	atomic64_t exits, entries, records, dropped, pio, mmio, msr, virq, tsc, tsc_deferred, tsc_mismatch,
		feed_consumed, feed_invalid, branch_overflows;
	atomic_t tsc_armed;		/* vCPUs whose VMCB currently has our RDTSC intercept */
	u32 flags;			/* LORE_STAT_* */

	/* Branch counter (lore_branch.c). */
	struct kvm_vcpu *vcpu;		/* the vCPU seen entering last: the one to kick */
	struct perf_event *branch_event;
	u64 branch_target, branch_margin;
	u64 branch_base;		/* guest branches counted by earlier counters */
	struct irq_work branch_work;
	atomic_t kick_pending;		/* lore_kick_vcpu: stop at the next entry */
};

/* lore_trace.c */
int lore_trace_init(void);
void lore_trace_exit(void);
bool lore_trace_ready(void);
void lore_session_publish(struct lore_session *s);
void lore_session_unpublish(struct lore_session *s);
void lore_emit(struct lore_session *s, const struct lore_record *r);
void lore_wake_waiters(struct lore_session *s);
bool lore_vm_taken(struct kvm *kvm);
struct lore_session *lore_find(struct kvm *kvm);

/* lore_tsc.c */
bool lore_tsc_supported(void);
void lore_tsc_entry(struct lore_session *s, struct kvm_vcpu *vcpu);
u32 lore_exit_code(struct lore_session *s, struct kvm_vcpu *vcpu);
int lore_tsc_init(void);
void lore_tsc_exit_module(void);
void lore_tsc_quiesce(struct lore_session *s);
void lore_tsc_orphan_exit(struct kvm_vcpu *vcpu);

/* lore_branch.c */
int lore_branch_init(void);
void lore_branch_exit(void);
bool lore_branch_supported(void);
void lore_branch_session_init(struct lore_session *s);
long lore_branch_arm(struct lore_session *s, const struct lore_branch_arm *a);
long lore_branch_read(struct lore_session *s, u64 *count);
void lore_branch_notify(struct lore_session *s);
void lore_branch_release(struct lore_session *s);
void lore_kick_vcpu(struct lore_session *s);
void lore_kick_at_entry(struct lore_session *s);

#endif /* LORE_INTERNAL_H */
