// SPDX-License-Identifier: GPL-2.0
/*
 * Branch-counter positioning for hosts with a PMU, and LoRe's notification chain.
 *
 * LORE_IOC_BRANCH_ARM, called on the vCPU thread, creates a perf kernel counter of the raw
 * event user space names (guest retired conditional branches on this CPU model), counting
 * only while the guest runs (exclude_host), with a sample period that makes it overflow a
 * margin before the target (lore_branch.h). The overflow arrives in NMI context; an irq_work
 * takes it to hard-irq context, where the notification chain (lore_branch_chain) is called.
 * LoRe's own notifier kicks the vCPU out of the guest and sets TIF_NOTIFY_SIGNAL so that
 * KVM_RUN returns -EINTR to user space, which finishes with a breakpoint and single steps.
 *
 * No host this was developed on has a PMU: everything but the counter itself is exercised
 * (the chain and the kick by LORE_IOC_BRANCH_NOTIFY in the lab tests, the arithmetic by the
 * user-space tests); the counter path is untested (kmod/README.md).
 */
#include <linux/notifier.h>
#include <linux/perf_event.h>
#include <linux/smp.h>
#include <linux/sched.h>
#include "lore_internal.h"
#include "lore_branch.h"

#define LORE_BRANCH_OVERFLOW 1

static ATOMIC_NOTIFIER_HEAD(lore_branch_chain);

/*
 * Stops the vCPU at its next entry: KVM_RUN returns -EINTR to user space. The kick gets a
 * running guest out now; whether the vCPU was in the guest, in user space or between the
 * two, its next kvm_entry (lore_kick_at_entry) does the rest, so no notification is lost
 * and none is delivered twice. (With KVM's in-kernel irqchip a vCPU halted in the kernel
 * gets it when it next enters the guest; LoRe's user-space irqchip never halts there.)
 */
void lore_kick_vcpu(struct lore_session *s)
{
	struct kvm_vcpu *vcpu = READ_ONCE(s->vcpu);

	atomic_set(&s->kick_pending, 1);
	if (vcpu)
		kvm_vcpu_kick(vcpu);
}

/* kvm_entry of the session's vCPU, interrupts off, right before VMRUN. */
void lore_kick_at_entry(struct lore_session *s)
{
	if (!atomic_xchg(&s->kick_pending, 0))
		return;
	set_tsk_thread_flag(current, TIF_NOTIFY_SIGNAL);	/* KVM_RUN: -EINTR after this exit */
	smp_send_reschedule(smp_processor_id());	/* ...which comes at once: a pending host interrupt */
}

/* LoRe's notifier on the chain: stop the vCPU early so user space finishes the approach. */
static int lore_branch_kick(struct notifier_block *nb, unsigned long event, void *data)
{
	struct lore_session *s = data;
	struct lore_record r;
	u64 count = 0;

	if (event != LORE_BRANCH_OVERFLOW)
		return NOTIFY_DONE;
	if (s->branch_event)
		count = s->branch_base + local64_read(&s->branch_event->count);
	lore_rec_clear(&r, LORE_REC_BRANCH, s->vcpu ? s->vcpu->vcpu_id : 0, atomic64_read(&s->exits));
	r.value = count;
	lore_emit(s, &r);
	atomic64_inc(&s->branch_overflows);
	lore_kick_vcpu(s);
	return NOTIFY_OK;
}

static struct notifier_block lore_branch_nb = {
	.notifier_call = lore_branch_kick,
};

void lore_branch_notify(struct lore_session *s)
{
	atomic_notifier_call_chain(&lore_branch_chain, LORE_BRANCH_OVERFLOW, s);
}

static void lore_branch_work(struct irq_work *work)
{
	lore_branch_notify(container_of(work, struct lore_session, branch_work));
}

/* NMI context: nothing but handing over to hard-irq context. */
static void lore_branch_overflow(struct perf_event *event, struct perf_sample_data *data, struct pt_regs *regs)
{
	struct lore_session *s = event->overflow_handler_context;

	irq_work_queue(&s->branch_work);
}

int lore_branch_init(void)
{
	return atomic_notifier_chain_register(&lore_branch_chain, &lore_branch_nb);
}

void lore_branch_exit(void)
{
	atomic_notifier_chain_unregister(&lore_branch_chain, &lore_branch_nb);
}

/* Whether this CPU counts branches for perf at all (a hardware PMU the kernel drives). */
bool lore_branch_supported(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_HARDWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_HW_BRANCH_INSTRUCTIONS,
		.disabled = 1,
	};
	struct perf_event *ev = perf_event_create_kernel_counter(&attr, -1, current, NULL, NULL);

	if (IS_ERR(ev))
		return false;
	perf_event_release_kernel(ev);
	return true;
}

void lore_branch_session_init(struct lore_session *s)
{
	init_irq_work(&s->branch_work, lore_branch_work);
}

void lore_branch_release(struct lore_session *s)
{
	if (s->branch_event) {
		perf_event_disable(s->branch_event);
		perf_event_release_kernel(s->branch_event);
		s->branch_event = NULL;
	}
	irq_work_sync(&s->branch_work);
}

long lore_branch_arm(struct lore_session *s, const struct lore_branch_arm *a)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_RAW,
		.size = sizeof(attr),
		.config = a->config,
		.exclude_host = 1,	/* guest branches only */
		.exclude_hv = 1,
		.pinned = 1,
	};
	struct perf_event *ev;
	u64 now = 0, enabled, running, period;

	if (a->flags || a->reserved || !lore_branch_config_ok(a->config))
		return -EINVAL;
	/* counts are absolute across re-arms: a new counter starts at 0, the base carries on */
	if (s->branch_event && s->branch_event->attr.config == a->config)
		now = s->branch_base + perf_event_read_value(s->branch_event, &enabled, &running);
	lore_branch_release(s);
	s->branch_base = now;
	period = lore_branch_period(now, a->target, a->margin);
	if (!period)
		return -ERANGE;	/* already within the margin: finish by stepping */
	attr.sample_period = period;
	ev = perf_event_create_kernel_counter(&attr, -1, current, lore_branch_overflow, s);
	if (IS_ERR(ev))
		return PTR_ERR(ev);	/* -ENOENT / -EOPNOTSUPP without a PMU */
	s->branch_event = ev;
	s->branch_target = a->target;
	s->branch_margin = a->margin;
	return 0;
}

long lore_branch_read(struct lore_session *s, u64 *count)
{
	u64 enabled, running;

	if (!s->branch_event)
		return -ENOENT;
	*count = s->branch_base + perf_event_read_value(s->branch_event, &enabled, &running);
	return 0;
}
