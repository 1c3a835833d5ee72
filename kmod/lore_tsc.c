// SPDX-License-Identifier: GPL-2.0
/*
 * Deterministic RDTSC on a stock kernel (AMD SVM).
 *
 * KVM never intercepts RDTSC for its own guests, and it offers no hook to. lore.ko sets the
 * RDTSC intercept in the vCPU's VMCB itself, from the kvm_entry tracepoint (right before
 * VMRUN, on the vCPU thread), and answers the intercepted instruction from a kprobe on
 * kvm_amd's svm_handle_exit, which runs before KVM reads the exit code (the kvm_exit
 * tracepoint comes too late: svm_handle_exit has read the code by then, measured in the lab):
 *   record: the value is the guest's TSC (kvm_read_l1_tsc), logged in the event ring;
 *   replay: the value is the next record of the feed ring, whose RIP must match.
 * RAX:EDX get the value and the exit code is rewritten to SVM_EXIT_INVD, whose handler in KVM
 * treats the instruction as a NOP and skips it (next_rip, or the emulator in SKIP mode),
 * which finishes the RDTSC exactly. When the value cannot be produced now (event ring
 * full, feed empty) the exit becomes SVM_EXIT_INTR (KVM does nothing, RIP stays on the
 * RDTSC) and TIF_NOTIFY_SIGNAL makes KVM_RUN return -EINTR: user space drains or refills
 * and re-enters, the RDTSC runs again. Nothing is lost, nothing is made up.
 *
 * The VMCB pointer is the member after struct kvm_vcpu in KVM's private struct vcpu_svm
 * (true from 5.12 to at least 6.12); it is checked before each use to look like a VMCB
 * KVM is running (page aligned, VMRUN intercept set, I/O and MSR maps present) and against
 * the guest RIP at exits; a failed check turns interception off for the session and sets
 * LORE_STAT_TSC_LAYOUT_BAD, it never writes through a bad pointer.
 *
 * Intel VMX is not supported: KVM keeps the exit reason in its private vcpu_vmx, so an
 * intercepted RDTSC cannot be finished this way. RDTSCP is hidden from LoRe guests in CPUID,
 * and KVM itself then intercepts it and raises #UD.
 */
#include <linux/delay.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <asm/svm.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include "lore_internal.h"

#define LORE_VMCB_CLEAN_INTERCEPTS (1u << 0)	/* VMCB clean bit 0: intercept vectors, TSC offset */

static bool lore_tsc_ok;	/* AMD, and the kprobe on svm_handle_exit is in place */

bool lore_tsc_supported(void)
{
	return lore_tsc_ok;
}

/* vCPUs left with our intercept by sessions that went away before they could take it out. */
static atomic_t lore_tsc_orphans = ATOMIC_INIT(0);

/* The VMCB KVM runs this vCPU with, or NULL when it does not look like one. */
static struct vmcb *lore_vmcb_of(struct kvm_vcpu *vcpu)
{
	struct vmcb *vmcb = *(struct vmcb **)((char *)vcpu + sizeof(struct kvm_vcpu));

	if (!vmcb || !PAGE_ALIGNED(vmcb) || !virt_addr_valid(vmcb) ||
	    !(vmcb->control.intercepts[INTERCEPT_VMRUN / 32] & (1u << (INTERCEPT_VMRUN % 32))) ||
	    !vmcb->control.iopm_base_pa || !vmcb->control.msrpm_base_pa)
		return NULL;
	return vmcb;
}

static struct vmcb *lore_vmcb(struct lore_session *s, struct kvm_vcpu *vcpu)
{
	struct vmcb *vmcb;

	if (!lore_tsc_supported() || (s->flags & LORE_STAT_TSC_LAYOUT_BAD))
		return NULL;
	if (vcpu->arch.hflags & HF_GUEST_MASK)
		return NULL;	/* running a nested guest: its VMCB is not ours to change */
	vmcb = lore_vmcb_of(vcpu);
	if (!vmcb) {
		s->flags |= LORE_STAT_TSC_LAYOUT_BAD;
		pr_warn_once("lore: the vCPU's VMCB is not where expected: RDTSC is not intercepted\n");
	}
	return vmcb;
}

static bool rdtsc_intercepted(struct vmcb *vmcb)
{
	return vmcb->control.intercepts[INTERCEPT_RDTSC / 32] & (1u << (INTERCEPT_RDTSC % 32));
}

static void set_rdtsc_intercept(struct vmcb *vmcb, bool on)
{
	if (on)
		vmcb->control.intercepts[INTERCEPT_RDTSC / 32] |= 1u << (INTERCEPT_RDTSC % 32);
	else
		vmcb->control.intercepts[INTERCEPT_RDTSC / 32] &= ~(1u << (INTERCEPT_RDTSC % 32));
	vmcb->control.clean &= ~LORE_VMCB_CLEAN_INTERCEPTS;	/* the CPU must reload them */
}

static bool tsc_wanted(struct lore_session *s)
{
	return READ_ONCE(s->capturing) && !READ_ONCE(s->closing) && (READ_ONCE(s->capture) & LORE_CAPTURE_TSC);
}

void lore_tsc_entry(struct lore_session *s, struct kvm_vcpu *vcpu)
{
	struct vmcb *vmcb;

	if (!tsc_wanted(s))
		return;
	vmcb = lore_vmcb(s, vcpu);
	if (vmcb && !rdtsc_intercepted(vmcb)) {
		set_rdtsc_intercept(vmcb, true);
		atomic_inc(&s->tsc_armed);
	}
}

/* Makes KVM_RUN return to user space (-EINTR) right after this exit; the guest is unchanged. */
static void defer_to_user(struct lore_session *s, struct vmcb *vmcb)
{
	vmcb->control.exit_code = SVM_EXIT_INTR;
	vmcb->control.exit_code_hi = 0;
	set_tsk_thread_flag(current, TIF_NOTIFY_SIGNAL);
	atomic64_inc(&s->tsc_deferred);
}

static void answer(struct kvm_vcpu *vcpu, struct vmcb *vmcb, u64 value)
{
	vcpu->arch.regs[VCPU_REGS_RAX] = (u32)value;
	vcpu->arch.regs[VCPU_REGS_RDX] = value >> 32;
	vmcb->control.exit_code = SVM_EXIT_INVD;	/* KVM skips the instruction */
	vmcb->control.exit_code_hi = 0;
}

static void record_rdtsc(struct lore_session *s, struct kvm_vcpu *vcpu, struct vmcb *vmcb, u64 rip)
{
	struct lore_record r;
	unsigned long flags;
	u64 tsc = kvm_read_l1_tsc(vcpu, rdtsc_ordered());
	int rc = -1;

	lore_rec_tsc(&r, vcpu->vcpu_id, atomic64_read(&s->exits), tsc, rip);
	raw_spin_lock_irqsave(&s->ring_lock, flags);
	if (lore_ring_free(&s->events) > 0)
		rc = lore_ring_push(&s->events, &r);
	raw_spin_unlock_irqrestore(&s->ring_lock, flags);
	if (rc) {
		/* not a loss: the RDTSC runs again once user space has drained the ring */
		defer_to_user(s, vmcb);
		return;
	}
	atomic64_inc(&s->records);
	atomic64_inc(&s->tsc);
	answer(vcpu, vmcb, tsc);
	lore_wake_waiters(s);
}

static void replay_rdtsc(struct lore_session *s, struct kvm_vcpu *vcpu, struct vmcb *vmcb, u64 rip)
{
	struct lore_record r;
	unsigned long flags;
	int rc;

	raw_spin_lock_irqsave(&s->ring_lock, flags);
	rc = lore_ring_pop(&s->feed, &r);
	raw_spin_unlock_irqrestore(&s->ring_lock, flags);
	if (rc < 0)
		atomic64_inc(&s->feed_invalid);
	if (rc <= 0 || r.kind != LORE_REC_TSC_FEED) {
		if (rc > 0)
			atomic64_inc(&s->feed_invalid);
		defer_to_user(s, vmcb);
		return;
	}
	atomic64_inc(&s->feed_consumed);
	if (r.addr != rip)
		atomic64_inc(&s->tsc_mismatch);
	atomic64_inc(&s->tsc);
	answer(vcpu, vmcb, r.value);
}

static u32 lore_tsc_exit(struct lore_session *s, struct kvm_vcpu *vcpu)
{
	struct vmcb *vmcb = lore_tsc_supported() ? lore_vmcb(s, vcpu) : NULL;
	u64 rip = vcpu->arch.regs[VCPU_REGS_RIP];
	u32 code;

	if (!vmcb)
		return 0;
	code = vmcb->control.exit_code;
	if (vmcb->save.rip != rip) {
		/* KVM copied the guest RIP out of this VMCB just before the tracepoint */
		s->flags |= LORE_STAT_TSC_LAYOUT_BAD;
		pr_warn_once("lore: VMCB RIP %llx != guest RIP %llx: RDTSC is not intercepted\n", vmcb->save.rip, rip);
		if (rdtsc_intercepted(vmcb)) {
			set_rdtsc_intercept(vmcb, false);
			atomic_dec(&s->tsc_armed);
		}
		return code;
	}
	if (!rdtsc_intercepted(vmcb))
		return code;
	if (code == SVM_EXIT_RDTSC) {
		if (!tsc_wanted(s))
			answer(vcpu, vmcb, kvm_read_l1_tsc(vcpu, rdtsc_ordered()));	/* going away: be transparent */
		else if (READ_ONCE(s->mode) == LORE_MODE_REPLAY)
			replay_rdtsc(s, vcpu, vmcb, rip);
		else
			record_rdtsc(s, vcpu, vmcb, rip);
	}
	if (!tsc_wanted(s)) {
		set_rdtsc_intercept(vmcb, false);
		atomic_dec(&s->tsc_armed);
	}
	return code;
}

/*
 * Called when capture stops or the session detaches: takes our intercept out of every VMCB
 * that has it. Only the vCPU thread may change its VMCB, so the vCPUs are kicked out of
 * the guest (their kvm_exit probe disarms) and waited for, a bounded time: a vCPU whose
 * thread is not in KVM_RUN keeps the bit until it next exits, still answered transparently.
 */
void lore_tsc_quiesce(struct lore_session *s)
{
	int i;

	for (i = 0; i < 100 && atomic_read(&s->tsc_armed) > 0; i++) {
		struct kvm_vcpu *vcpu;
		unsigned long idx;

		kvm_for_each_vcpu(idx, vcpu, s->kvm)
			kvm_vcpu_kick(vcpu);
		msleep(10);
	}
	atomic_add(atomic_read(&s->tsc_armed), &lore_tsc_orphans);
	atomic_set(&s->tsc_armed, 0);
}

/* kvm_exit of a vCPU no session claims: take out an intercept a gone session left behind. */
void lore_tsc_orphan_exit(struct kvm_vcpu *vcpu)
{
	struct vmcb *vmcb;

	if (atomic_read(&lore_tsc_orphans) <= 0 || !lore_tsc_supported() || (vcpu->arch.hflags & HF_GUEST_MASK))
		return;
	vmcb = lore_vmcb_of(vcpu);
	if (!vmcb || !rdtsc_intercepted(vmcb) || vmcb->save.rip != vcpu->arch.regs[VCPU_REGS_RIP])
		return;
	if (vmcb->control.exit_code == SVM_EXIT_RDTSC)
		answer(vcpu, vmcb, kvm_read_l1_tsc(vcpu, rdtsc_ordered()));
	set_rdtsc_intercept(vmcb, false);
	atomic_dec(&lore_tsc_orphans);
}

/* The exit code KVM is about to dispatch (for exit records; an answered RDTSC shows as INVD). */
u32 lore_exit_code(struct lore_session *s, struct kvm_vcpu *vcpu)
{
	struct vmcb *vmcb = lore_tsc_ok && !(s->flags & LORE_STAT_TSC_LAYOUT_BAD) &&
			    !(vcpu->arch.hflags & HF_GUEST_MASK) ? lore_vmcb_of(vcpu) : NULL;

	return vmcb ? vmcb->control.exit_code : 0;
}

/* svm_handle_exit(struct kvm_vcpu *vcpu, fastpath_t fastpath), before its first instruction. */
static int lore_svm_exit_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct kvm_vcpu *vcpu = (struct kvm_vcpu *)regs->di;
	struct lore_session *s;

	rcu_read_lock();
	s = lore_find(vcpu->kvm);
	if (s)
		lore_tsc_exit(s, vcpu);
	else
		lore_tsc_orphan_exit(vcpu);
	rcu_read_unlock();
	return 0;
}

static struct kprobe lore_svm_exit_kp = {
	.symbol_name = "svm_handle_exit",
	.pre_handler = lore_svm_exit_pre,
};

int lore_tsc_init(void)
{
	int ret;

	if (boot_cpu_data.x86_vendor != X86_VENDOR_AMD && boot_cpu_data.x86_vendor != X86_VENDOR_HYGON)
		return 0;
	ret = register_kprobe(&lore_svm_exit_kp);
	if (ret) {
		pr_warn("lore: no kprobe on svm_handle_exit (%d; is kvm_amd loaded?): RDTSC is not intercepted\n", ret);
		return 0;
	}
	lore_tsc_ok = true;
	return 0;
}

void lore_tsc_exit_module(void)
{
	if (lore_tsc_ok)
		unregister_kprobe(&lore_svm_exit_kp);
	lore_tsc_ok = false;
}
