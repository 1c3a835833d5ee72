// SPDX-License-Identifier: GPL-2.0
/*
 * In-kernel capture: probes on KVM's tracepoints.
 *
 * The tracepoints live in kvm.ko and only some are exported (kvm_pio and kvm_mmio are not),
 * so they are found by name through the tracepoint module notifier, which also reports
 * modules loaded before us. The probes run on the vCPU thread with preemption disabled, for
 * every VM on the host: each looks up the session attached to the vCPU's VM (an RCU list,
 * usually of one) and leaves at once when there is none.
 *
 * Prototypes are those of Linux 6.1 (checked against the running kernel's tracefs format
 * files by the lab tests); kernels that changed one are handled where noted.
 */
#include <linux/module.h>
#include <linux/tracepoint.h>
#include <linux/rculist.h>
#include "lore_internal.h"

static LIST_HEAD(lore_sessions);
static DEFINE_MUTEX(lore_sessions_lock);

/* MMIO trace types of include/trace/events/kvm.h */
#define LORE_TRACE_MMIO_READ_UNSATISFIED 0
#define LORE_TRACE_MMIO_READ 1
#define LORE_TRACE_MMIO_WRITE 2

/* The session attached to kvm; call under RCU (probes: preemption is off). */
struct lore_session *lore_find(struct kvm *kvm)
{
	struct lore_session *s;

	list_for_each_entry_rcu(s, &lore_sessions, node) {
		if (s->kvm == kvm)
			return s;
	}
	return NULL;
}

static struct lore_session *lore_capturing(struct kvm_vcpu *vcpu, u32 what)
{
	struct lore_session *s;

	if (!vcpu)
		return NULL;
	s = lore_find(vcpu->kvm);
	if (!s || !READ_ONCE(s->capturing) || !(READ_ONCE(s->capture) & what))
		return NULL;
	return s;
}

void lore_emit(struct lore_session *s, const struct lore_record *r)
{
	unsigned long flags;
	int rc;

	raw_spin_lock_irqsave(&s->ring_lock, flags);
	rc = lore_ring_push(&s->events, r);
	raw_spin_unlock_irqrestore(&s->ring_lock, flags);
	if (rc) {
		atomic64_inc(&s->dropped);
		return;
	}
	atomic64_inc(&s->records);
	lore_wake_waiters(s);
}

/*
 * Producers run in tracepoints, a kprobe handler and irq_work; waking a sleeper takes the
 * scheduler's locks, so it is handed to an irq_work (safe from any of them, and a no-op
 * while one is already queued).
 */
void lore_wake_waiters(struct lore_session *s)
{
	if (wq_has_sleeper(&s->wait))
		irq_work_queue(&s->wake_work);
}

static u64 exits_of(struct lore_session *s)
{
	return atomic64_read(&s->exits);
}

/* ---- probes ---- */

static void probe_exit(void *ignore, struct kvm_vcpu *vcpu, u32 isa)
{
	struct lore_session *s = lore_find(vcpu->kvm);
	struct lore_record r;
	u32 reason;
	u64 n;

	if (!s)
		return;
	n = atomic64_inc_return(&s->exits);
	if (READ_ONCE(s->capturing) && (READ_ONCE(s->capture) & LORE_CAPTURE_EXITS)) {
		reason = lore_exit_code(s, vcpu);
		lore_rec_exit(&r, vcpu->vcpu_id, n, reason, vcpu->arch.regs[VCPU_REGS_RIP], isa);
		lore_emit(s, &r);
	}
}

/*
 * kvm_entry gained a second argument (bool force_immediate_exit) in 6.9, and Debian's 6.1.y
 * has it too (its format file lists immediate_exit): the probe reads only the vCPU, which is
 * the first argument in every version, so one signature serves both.
 */
static void probe_entry(void *ignore, struct kvm_vcpu *vcpu)
{
	struct lore_session *s = lore_find(vcpu->kvm);

	if (!s)
		return;
	WRITE_ONCE(s->vcpu, vcpu);
	atomic64_inc(&s->entries);
	lore_tsc_entry(s, vcpu);
	lore_kick_at_entry(s);
}

static void probe_pio(void *ignore, unsigned int rw, unsigned int port, unsigned int size,
		      unsigned int count, const void *data)
{
	struct kvm_vcpu *vcpu = kvm_get_running_vcpu();
	struct lore_session *s = lore_capturing(vcpu, LORE_CAPTURE_PIO);
	struct lore_record r;

	if (!s)
		return;
	/* kvm_pio fires for an IN only once its data is known (0 = KVM_PIO_IN). */
	lore_rec_pio(&r, vcpu->vcpu_id, exits_of(s), rw != 0, port, size, count, data);
	atomic64_inc(&s->pio);
	lore_emit(s, &r);
}

static void probe_mmio(void *ignore, int type, int len, u64 gpa, void *val)
{
	struct kvm_vcpu *vcpu = kvm_get_running_vcpu();
	struct lore_session *s = lore_capturing(vcpu, LORE_CAPTURE_MMIO);
	struct lore_record r;

	if (!s || type == LORE_TRACE_MMIO_READ_UNSATISFIED)
		return;	/* an unsatisfied read goes to user space, which logs it itself */
	lore_rec_mmio(&r, vcpu->vcpu_id, exits_of(s), type == LORE_TRACE_MMIO_WRITE, len, gpa, val);
	atomic64_inc(&s->mmio);
	lore_emit(s, &r);
}

static void probe_msr(void *ignore, unsigned int write, u32 ecx, u64 data, bool exception)
{
	struct kvm_vcpu *vcpu = kvm_get_running_vcpu();
	struct lore_session *s = lore_capturing(vcpu, LORE_CAPTURE_MSR);
	struct lore_record r;

	if (!s)
		return;
	lore_rec_msr(&r, vcpu->vcpu_id, exits_of(s), write != 0, ecx, data, exception);
	atomic64_inc(&s->msr);
	lore_emit(s, &r);
}

static void probe_inj_virq(void *ignore, unsigned int vector, bool soft, bool reinjected)
{
	struct kvm_vcpu *vcpu = kvm_get_running_vcpu();
	struct lore_session *s = lore_capturing(vcpu, LORE_CAPTURE_VIRQ);
	struct lore_record r;

	if (!s)
		return;
	lore_rec_virq(&r, vcpu->vcpu_id, exits_of(s), vector, soft, reinjected, vcpu->arch.regs[VCPU_REGS_RIP]);
	atomic64_inc(&s->virq);
	lore_emit(s, &r);
}

/* ---- discovery ---- */

struct lore_tp {
	const char *name;
	void *probe;
	bool required;
	struct tracepoint *tp;
	bool registered;
};

static struct lore_tp lore_tps[] = {
	{ "kvm_exit", probe_exit, true },
	{ "kvm_entry", probe_entry, true },
	{ "kvm_pio", probe_pio, false },
	{ "kvm_mmio", probe_mmio, false },
	{ "kvm_msr", probe_msr, false },
	{ "kvm_inj_virq", probe_inj_virq, false },
};

static void lore_tp_found(struct tracepoint *tp)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lore_tps); i++) {
		if (!lore_tps[i].tp && !strcmp(tp->name, lore_tps[i].name))
			lore_tps[i].tp = tp;
	}
}

static int lore_tp_module(struct notifier_block *nb, unsigned long val, void *data)
{
	struct tp_module *tp_mod = data;
	struct module *mod = tp_mod->mod;
	unsigned int i;

	if (val != MODULE_STATE_COMING || strcmp(mod->name, "kvm"))
		return NOTIFY_OK;
	for (i = 0; i < mod->num_tracepoints; i++)
		lore_tp_found(tracepoint_ptr_deref(&mod->tracepoints_ptrs[i]));
	return NOTIFY_OK;
}

static struct notifier_block lore_tp_nb = {
	.notifier_call = lore_tp_module,
};

static void lore_tp_builtin(struct tracepoint *tp, void *priv)
{
	lore_tp_found(tp);	/* KVM built into the kernel */
}

static bool lore_ready;

bool lore_trace_ready(void)
{
	return lore_ready;
}

int lore_trace_init(void)
{
	size_t i;
	int ret;

	ret = register_tracepoint_module_notifier(&lore_tp_nb);
	if (ret)
		return ret;
	for_each_kernel_tracepoint(lore_tp_builtin, NULL);
	lore_ready = true;
	for (i = 0; i < ARRAY_SIZE(lore_tps); i++) {
		struct lore_tp *t = &lore_tps[i];

		if (!t->tp) {
			pr_warn("lore: tracepoint %s not found%s\n", t->name,
				t->required ? "" : ": those events are not captured");
			if (t->required)
				lore_ready = false;
			continue;
		}
		ret = tracepoint_probe_register(t->tp, t->probe, NULL);
		if (ret) {
			pr_warn("lore: cannot attach to tracepoint %s: %d\n", t->name, ret);
			if (t->required)
				lore_ready = false;
			continue;
		}
		t->registered = true;
	}
	return 0;
}

void lore_trace_exit(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lore_tps); i++) {
		if (lore_tps[i].registered)
			tracepoint_probe_unregister(lore_tps[i].tp, lore_tps[i].probe, NULL);
		lore_tps[i].registered = false;
	}
	tracepoint_synchronize_unregister();
	unregister_tracepoint_module_notifier(&lore_tp_nb);
}

/* ---- the session list the probes search ---- */

void lore_session_publish(struct lore_session *s)
{
	mutex_lock(&lore_sessions_lock);
	list_add_rcu(&s->node, &lore_sessions);
	mutex_unlock(&lore_sessions_lock);
}

void lore_session_unpublish(struct lore_session *s)
{
	mutex_lock(&lore_sessions_lock);
	list_del_rcu(&s->node);
	mutex_unlock(&lore_sessions_lock);
	/* probes run with preemption off: after this no probe still holds s */
	synchronize_rcu();
}

/* Whether a session is already attached to this VM. */
bool lore_vm_taken(struct kvm *kvm)
{
	bool taken;

	rcu_read_lock();
	taken = lore_find(kvm) != NULL;
	rcu_read_unlock();
	return taken;
}
