// SPDX-License-Identifier: GPL-2.0
/*
 * lore.ko: the kernel side of LoRe. /dev/lore, a misc device: each open file can attach to
 * one KVM VM of the calling process, capture its non-deterministic events into a circular
 * buffer shared with user space (mmap), intercept RDTSC for exact replay, and arm a guest
 * branch counter. The ABI is include/uapi/lore.h.
 *
 * Lifetimes: the session is the open file. ATTACH takes a reference on the VM; DETACH or the
 * last close (including process exit) stops capture, takes the RDTSC intercept out of the
 * VMCBs, removes the session from the probes' list (and waits until no probe uses it), and
 * drops the VM. The shared area is freed only when the file is released, which cannot
 * happen while a mapping exists (the mapping holds the file). The module cannot be unloaded
 * while a file is open (the file holds the module).
 */
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/sched/signal.h>
#include "lore_internal.h"

static u32 lore_caps;

static void lore_wake_work(struct irq_work *work)
{
	wake_up_interruptible(&container_of(work, struct lore_session, wake_work)->wait);
}

static struct lore_session *session_alloc(void)
{
	struct lore_session *s = kzalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return NULL;
	mutex_init(&s->lock);
	raw_spin_lock_init(&s->ring_lock);
	init_waitqueue_head(&s->wait);
	init_irq_work(&s->wake_work, lore_wake_work);
	INIT_LIST_HEAD(&s->node);
	lore_branch_session_init(s);
	return s;
}

static long lore_attach(struct lore_session *s, struct lore_attach __user *uarg)
{
	struct lore_attach a;
	struct file *f;
	struct kvm *kvm;
	size_t ev_bytes, feed_bytes, size;
	long ret;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (a.flags || !lore_ring_capacity_ok(a.event_records) || !lore_ring_capacity_ok(a.feed_records))
		return -EINVAL;
	if (s->used)
		return -EBUSY;	/* one VM per open file: open /dev/lore again */
	if (!lore_trace_ready())
		return -ENODEV;
	f = fget(a.vm_fd);
	if (!f)
		return -EBADF;
	ret = -EINVAL;
	if (!file_is_kvm(f))	/* KVM's own test: f_op is its VM file operations */
		goto out_put_file;
	kvm = f->private_data;
	ret = -EPERM;
	if (kvm->mm != current->mm)
		goto out_put_file;	/* only the process that owns the VM may watch it */
	ret = -EBUSY;
	if (lore_vm_taken(kvm))
		goto out_put_file;

	ev_bytes = PAGE_ALIGN((size_t)a.event_records * sizeof(struct lore_record));
	feed_bytes = PAGE_ALIGN((size_t)a.feed_records * sizeof(struct lore_record));
	size = PAGE_SIZE + ev_bytes + feed_bytes;
	ret = -ENOMEM;
	s->area = vmalloc_user(size);
	if (!s->area)
		goto out_put_file;
	s->area_size = size;
	s->shared = s->area;
	s->shared->magic = LORE_SHARED_MAGIC;
	s->shared->abi = LORE_ABI_VERSION;
	s->shared->events_offset = PAGE_SIZE;
	s->shared->feed_offset = PAGE_SIZE + ev_bytes;
	s->shared->size = size;
	lore_ring_init(&s->events, &s->shared->events, (char *)s->area + PAGE_SIZE, a.event_records,
		       sizeof(struct lore_record));
	/* the feed is produced by user space: the kernel is its consumer */
	lore_ring_init(&s->feed, &s->shared->feed, (char *)s->area + PAGE_SIZE + ev_bytes, a.feed_records,
		       sizeof(struct lore_record));

	kvm_get_kvm(kvm);
	s->kvm = kvm;
	s->attached = true;
	s->used = true;
	lore_session_publish(s);
	ret = 0;
out_put_file:
	fput(f);
	return ret;
}

static void lore_stop(struct lore_session *s)
{
	WRITE_ONCE(s->capturing, false);
	lore_branch_release(s);
}

static void lore_detach(struct lore_session *s)
{
	if (!s->attached)
		return;
	lore_stop(s);
	WRITE_ONCE(s->closing, true);
	lore_tsc_quiesce(s);		/* while the probes can still see the session */
	lore_session_unpublish(s);	/* no probe runs with s after this */
	irq_work_sync(&s->wake_work);
	s->attached = false;
	wake_up_interruptible_all(&s->wait);
	kvm_put_kvm(s->kvm);
	s->kvm = NULL;
}

static long lore_start(struct lore_session *s, struct lore_capture __user *uarg)
{
	struct lore_capture c;

	if (copy_from_user(&c, uarg, sizeof(c)))
		return -EFAULT;
	if (!s->attached)
		return -ENOTCONN;
	if ((c.mode != LORE_MODE_RECORD && c.mode != LORE_MODE_REPLAY) || (c.events & ~LORE_CAPTURE_ALL))
		return -EINVAL;
	if ((c.events & LORE_CAPTURE_TSC) && !(lore_caps & LORE_CAP_TSC))
		return -EOPNOTSUPP;
	WRITE_ONCE(s->mode, c.mode);
	WRITE_ONCE(s->capture, c.events);
	WRITE_ONCE(s->closing, false);
	WRITE_ONCE(s->capturing, true);
	return 0;
}

static void lore_fill_stats(struct lore_session *s, struct lore_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->exits = atomic64_read(&s->exits);
	st->entries = atomic64_read(&s->entries);
	st->records = atomic64_read(&s->records);
	st->dropped = atomic64_read(&s->dropped);
	st->pio = atomic64_read(&s->pio);
	st->mmio = atomic64_read(&s->mmio);
	st->msr = atomic64_read(&s->msr);
	st->virq = atomic64_read(&s->virq);
	st->tsc = atomic64_read(&s->tsc);
	st->tsc_deferred = atomic64_read(&s->tsc_deferred);
	st->tsc_mismatch = atomic64_read(&s->tsc_mismatch);
	st->feed_consumed = atomic64_read(&s->feed_consumed);
	st->feed_invalid = atomic64_read(&s->feed_invalid);
	st->branch_overflows = atomic64_read(&s->branch_overflows);
	st->flags = s->flags;
	st->capturing = READ_ONCE(s->capturing);
}

#define LORE_DRAIN_BATCH 32

static long lore_drain(struct lore_session *s, struct lore_drain __user *uarg)
{
	struct lore_drain d;
	struct lore_ring_side c;
	struct lore_record *batch;
	u32 done = 0;
	long ret = 0;

	if (copy_from_user(&d, uarg, sizeof(d)))
		return -EFAULT;
	if (!s->area)
		return -ENOTCONN;
	if (d.max > (1u << 20))
		return -EINVAL;
	batch = kmalloc_array(LORE_DRAIN_BATCH, sizeof(*batch), GFP_KERNEL);
	if (!batch)
		return -ENOMEM;
	/* the consumer index lives in the shared area: the ioctl and the mapping are one consumer */
	lore_ring_join_consumer(&c, &s->shared->events, s->events.records, s->events.mask + 1,
				sizeof(struct lore_record));
	while (done < d.max) {
		u32 n = 0;
		int rc = 0;

		while (n < LORE_DRAIN_BATCH && done + n < d.max && (rc = lore_ring_peek(&c, &batch[n])) == 1) {
			c.pos++;
			n++;
		}
		if (rc < 0) {
			ret = -EIO;	/* user space wrote an impossible tail */
			break;
		}
		if (n == 0)
			break;
		if (copy_to_user(u64_to_user_ptr(d.buf) + (size_t)done * sizeof(*batch), batch, n * sizeof(*batch))) {
			ret = -EFAULT;
			break;
		}
		done += n;
		smp_store_release(&s->shared->events.tail, c.pos);	/* copied out: the slots are free */
	}
	kfree(batch);
	if (ret)
		return ret;
	d.count = done;
	return copy_to_user(uarg, &d, sizeof(d)) ? -EFAULT : 0;
}

static long lore_wait(struct lore_session *s, struct lore_wait __user *uarg)
{
	struct lore_wait w;
	struct lore_ring_side c;
	long left;
	long long avail = 0;

	if (copy_from_user(&w, uarg, sizeof(w)))
		return -EFAULT;
	if (!s->attached)
		return -ENOTCONN;
	if (w.reserved || w.min_records == 0 || w.min_records > s->events.mask + 1 || w.timeout_ms > 60000)
		return -EINVAL;
	lore_ring_join_consumer(&c, &s->shared->events, s->events.records, s->events.mask + 1,
				sizeof(struct lore_record));
	left = wait_event_interruptible_timeout(s->wait,
		(avail = lore_ring_available(&c)) < 0 || avail >= w.min_records || !READ_ONCE(s->attached),
		msecs_to_jiffies(w.timeout_ms));
	if (left < 0)
		return left;	/* -ERESTARTSYS */
	if (avail < 0)
		return -EIO;
	w.available = (u32)avail;
	return copy_to_user(uarg, &w, sizeof(w)) ? -EFAULT : 0;
}

static long lore_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct lore_session *s = file->private_data;
	void __user *uarg = (void __user *)arg;
	long ret;

	if (cmd == LORE_IOC_VERSION) {
		struct lore_version v = {
			.abi = LORE_ABI_VERSION,
			.caps = lore_caps,
			.record_size = sizeof(struct lore_record),
		};
		return copy_to_user(uarg, &v, sizeof(v)) ? -EFAULT : 0;
	}
	if (cmd == LORE_IOC_WAIT)
		return lore_wait(s, uarg);	/* sleeps: not under the session lock */

	mutex_lock(&s->lock);
	switch (cmd) {
	case LORE_IOC_ATTACH:
		ret = lore_attach(s, uarg);
		break;
	case LORE_IOC_DETACH:
		ret = s->attached ? 0 : -ENOTCONN;
		lore_detach(s);
		break;
	case LORE_IOC_START:
		ret = lore_start(s, uarg);
		break;
	case LORE_IOC_STOP:
		ret = s->attached ? 0 : -ENOTCONN;
		if (s->attached) {
			lore_stop(s);
			lore_tsc_quiesce(s);
		}
		break;
	case LORE_IOC_STATS: {
		struct lore_stats st;

		lore_fill_stats(s, &st);
		ret = copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
		break;
	}
	case LORE_IOC_DRAIN:
		ret = lore_drain(s, uarg);
		break;
	case LORE_IOC_BRANCH_ARM: {
		struct lore_branch_arm a;

		if (copy_from_user(&a, uarg, sizeof(a)))
			ret = -EFAULT;
		else if (!s->attached || !READ_ONCE(s->capturing))
			ret = -ENOTCONN;
		else
			ret = lore_branch_arm(s, &a);
		break;
	}
	case LORE_IOC_BRANCH_READ: {
		u64 count = 0;

		ret = s->attached ? lore_branch_read(s, &count) : -ENOTCONN;
		if (!ret && put_user(count, (u64 __user *)uarg))
			ret = -EFAULT;
		break;
	}
	case LORE_IOC_BRANCH_NOTIFY:
		ret = s->attached && READ_ONCE(s->capturing) ? 0 : -ENOTCONN;
		if (!ret)
			lore_branch_notify(s);
		break;
	default:
		ret = -ENOTTY;
	}
	mutex_unlock(&s->lock);
	return ret;
}

static int lore_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct lore_session *s = file->private_data;
	unsigned long len = vma->vm_end - vma->vm_start;
	int ret;

	mutex_lock(&s->lock);
	if (!s->area)
		ret = -ENOTCONN;
	else if (vma->vm_pgoff != 0 || len > s->area_size)
		ret = -EINVAL;
	else
		ret = remap_vmalloc_range(vma, s->area, 0);
	mutex_unlock(&s->lock);
	return ret;
}

static int lore_open(struct inode *inode, struct file *file)
{
	struct lore_session *s = session_alloc();

	if (!s)
		return -ENOMEM;
	file->private_data = s;
	return 0;
}

static int lore_release(struct inode *inode, struct file *file)
{
	struct lore_session *s = file->private_data;

	mutex_lock(&s->lock);
	lore_detach(s);
	mutex_unlock(&s->lock);
	vfree(s->area);
	kfree(s);
	return 0;
}

static const struct file_operations lore_fops = {
	.owner = THIS_MODULE,
	.open = lore_open,
	.release = lore_release,
	.unlocked_ioctl = lore_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = lore_mmap,
	.llseek = noop_llseek,
};

static struct miscdevice lore_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "lore",
	.fops = &lore_fops,
	.mode = 0660,
};

static int __init lore_init(void)
{
	int ret;

	ret = lore_trace_init();
	if (ret)
		return ret;
	ret = lore_branch_init();
	if (ret)
		goto out_trace;
	lore_tsc_init();
	if (lore_trace_ready())
		lore_caps |= LORE_CAP_TRACE;
	if (lore_tsc_supported())
		lore_caps |= LORE_CAP_TSC;
	if (lore_branch_supported())
		lore_caps |= LORE_CAP_BRANCH;
	ret = misc_register(&lore_dev);
	if (ret)
		goto out_branch;
	pr_info("lore: /dev/lore ready (ABI %d, capabilities%s%s%s)\n", LORE_ABI_VERSION,
		lore_caps & LORE_CAP_TRACE ? " trace" : "", lore_caps & LORE_CAP_TSC ? " tsc" : "",
		lore_caps & LORE_CAP_BRANCH ? " branch" : "");
	return 0;
out_branch:
	lore_tsc_exit_module();
	lore_branch_exit();
out_trace:
	lore_trace_exit();
	return ret;
}

static void __exit lore_exit(void)
{
	misc_deregister(&lore_dev);
	lore_tsc_exit_module();
	lore_branch_exit();
	lore_trace_exit();
}

module_init(lore_init);
module_exit(lore_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("LoRe: kernel-assisted record/replay capture for KVM guests");
MODULE_VERSION("1");
