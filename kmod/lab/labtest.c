/*
 * lore.ko lab tests: run inside the lab kernel (kmod/lab/run-lab.sh), as root, with kvm,
 * kvm_amd and lore.ko loaded. A minimal C VMM drives real-mode guests (kmod/lab/guest) on the
 * lab's standard KVM and checks what /dev/lore reports against what the guests saw.
 * Prints one "ok - name" / "not ok - name: reason" line per test (kmod/test/tap.h).
 *
 * usage: labtest GUEST_DIR
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "../test/tap.h"
#include "../lore_ring.h"
#include "../lore_record.h"

static const char *guest_dir;

/* ---- a minimal VMM ---- */

struct vm {
	int kvm, vm, vcpu;
	struct kvm_run *run;
	uint8_t *mem;
};

static int kvm_fd(void)
{
	static int fd = -1;
	if (fd < 0)
		fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	return fd;
}

static int load_guest(const char *name, uint8_t *mem)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s.bin", guest_dir, name);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, mem + 0x1000, 0x7000);
	close(fd);
	return n > 0 ? 0 : -1;
}

/* irqchip: KVM's in-kernel PIC and PIT (the case where events never reach user space). */
static int vm_create(struct vm *v, const char *guest, int irqchip)
{
	memset(v, 0, sizeof(*v));
	v->kvm = kvm_fd();
	v->vm = ioctl(v->kvm, KVM_CREATE_VM, 0);
	if (v->vm < 0)
		return -1;
	v->mem = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (load_guest(guest, v->mem))
		return -1;
	struct kvm_userspace_memory_region reg = { .slot = 0, .guest_phys_addr = 0, .memory_size = 0x10000,
		.userspace_addr = (uint64_t)(uintptr_t)v->mem };
	if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &reg) < 0)
		return -1;
	if (irqchip) {
		if (ioctl(v->vm, KVM_CREATE_IRQCHIP, 0) < 0)
			return -1;
		struct kvm_pit_config pit = { .flags = 0 };
		if (ioctl(v->vm, KVM_CREATE_PIT2, &pit) < 0)
			return -1;
	}
	v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0);
	if (v->vcpu < 0)
		return -1;
	int runsz = ioctl(v->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	v->run = mmap(NULL, runsz, PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu, 0);
	struct kvm_sregs sregs;
	ioctl(v->vcpu, KVM_GET_SREGS, &sregs);
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	sregs.ds.base = 0;
	sregs.ds.selector = 0;
	sregs.ss.base = 0;
	sregs.ss.selector = 0;
	ioctl(v->vcpu, KVM_SET_SREGS, &sregs);
	struct kvm_regs regs = { .rip = 0x1000, .rflags = 0x2, .rsp = 0x8000 };
	ioctl(v->vcpu, KVM_SET_REGS, &regs);
	return 0;
}

static void vm_destroy(struct vm *v)
{
	close(v->vcpu);
	close(v->vm);
	munmap(v->mem, 0x10000);
}

/* Runs until an exit other than a user-space OUT; OUT values to `ports` are appended to out[]. */
struct outlog {
	uint64_t val[4096];
	uint16_t port[4096];
	int n;
	int eintr;
};

#define STOP_PORT 0x12
#define STOP 1000	/* vm_run: the guest wrote to STOP_PORT */

static int vm_run(struct vm *v, struct outlog *o, int max_exits)
{
	for (int i = 0; i < max_exits; i++) {
		if (ioctl(v->vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR) {
				o->eintr++;
				return -EINTR;
			}
			return -errno;
		}
		if (v->run->exit_reason == KVM_EXIT_IO && v->run->io.direction == KVM_EXIT_IO_OUT) {
			uint8_t *d = (uint8_t *)v->run + v->run->io.data_offset;
			uint64_t val = 0;
			memcpy(&val, d, v->run->io.size);
			if (v->run->io.port == STOP_PORT)
				return STOP;
			if (o->n < 4096) {
				o->val[o->n] = val;
				o->port[o->n] = v->run->io.port;
				o->n++;
			}
			continue;
		}
		if (v->run->exit_reason == KVM_EXIT_INTERNAL_ERROR)
			printf("# internal error: suberror %u ndata %u data %llx %llx\n", v->run->internal.suberror,
			       v->run->internal.ndata, (unsigned long long)v->run->internal.data[0],
			       (unsigned long long)v->run->internal.data[1]);
		return v->run->exit_reason;
	}
	return -1000;
}

/* ---- /dev/lore ---- */

struct lore {
	int fd;
	struct lore_shared *sh;
	size_t size;
	struct lore_ring_side ev, feed;
};

static int lore_open_attach(struct lore *l, int vm_fd, uint32_t ev_cap, uint32_t feed_cap)
{
	memset(l, 0, sizeof(*l));
	l->fd = open(LORE_DEVICE, O_RDWR | O_CLOEXEC);
	if (l->fd < 0)
		return -1;
	struct lore_attach a = { .vm_fd = vm_fd, .event_records = ev_cap, .feed_records = feed_cap };
	if (ioctl(l->fd, LORE_IOC_ATTACH, &a) < 0) {
		printf("# LORE_IOC_ATTACH: %s\n", strerror(errno));
		return -1;
	}
	struct lore_shared probe;
	void *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, l->fd, 0);
	if (p == MAP_FAILED)
		return -1;
	memcpy(&probe, p, sizeof(probe));
	munmap(p, 4096);
	l->size = probe.size;
	l->sh = mmap(NULL, l->size, PROT_READ | PROT_WRITE, MAP_SHARED, l->fd, 0);
	if (l->sh == MAP_FAILED)
		return -1;
	lore_ring_join_consumer(&l->ev, &l->sh->events, (char *)l->sh + l->sh->events_offset, ev_cap,
				sizeof(struct lore_record));
	lore_ring_join_producer(&l->feed, &l->sh->feed, (char *)l->sh + l->sh->feed_offset, feed_cap,
				sizeof(struct lore_record));
	return 0;
}

static int lore_start(struct lore *l, uint32_t mode, uint32_t events)
{
	struct lore_capture c = { .mode = mode, .events = events };
	return ioctl(l->fd, LORE_IOC_START, &c);
}

static struct lore_stats lore_stats(struct lore *l)
{
	struct lore_stats st;
	memset(&st, 0, sizeof(st));
	ioctl(l->fd, LORE_IOC_STATS, &st);
	return st;
}

static void lore_close(struct lore *l)
{
	if (l->sh && l->sh != MAP_FAILED)
		munmap(l->sh, l->size);
	close(l->fd);
}

/* A VM running `guest` with a /dev/lore session attached and capturing. */
static void open_session(struct vm *v, struct lore *l, const char *guest, int irqchip, uint32_t ev_cap,
			 uint32_t feed_cap, uint32_t mode, uint32_t events)
{
	CHECK_EQ(vm_create(v, guest, irqchip), 0);
	CHECK_EQ(lore_open_attach(l, v->vm, ev_cap, feed_cap), 0);
	CHECK_EQ(lore_start(l, mode, events), 0);
}

static void close_session(struct vm *v, struct lore *l)
{
	lore_close(l);
	vm_destroy(v);
}

/* Takes every record of one kind from the mapping (others are counted in *other). */
static int take(struct lore *l, int kind, struct lore_record *out, int max, int *other)
{
	struct lore_record r;
	int n = 0, rc;
	while ((rc = lore_ring_pop(&l->ev, &r)) == 1) {
		if (!lore_record_valid(&r))
			return -2;
		if (r.kind == kind && n < max)
			out[n++] = r;
		else if (other)
			(*other)++;
	}
	return rc < 0 ? -1 : n;
}

static int errno_of(int rc)
{
	return rc < 0 ? errno : 0;
}

/* ---- tests ---- */

static void version_and_capabilities(void)
{
	int fd = open(LORE_DEVICE, O_RDWR);
	CHECK(fd >= 0);
	struct lore_version v;
	CHECK_EQ(ioctl(fd, LORE_IOC_VERSION, &v), 0);
	CHECK_EQ(v.abi, LORE_ABI_VERSION);
	CHECK_EQ(v.record_size, sizeof(struct lore_record));
	CHECK(v.caps & LORE_CAP_TRACE);
	CHECK(v.caps & LORE_CAP_TSC);		/* the lab CPU is AMD (SVM) */
	CHECK(!(v.caps & LORE_CAP_BRANCH));	/* no PMU in the lab */
	close(fd);
}

static void bad_arguments_are_refused(void)
{
	struct vm v;
	CHECK_EQ(vm_create(&v, "tsc", 0), 0);
	int fd = open(LORE_DEVICE, O_RDWR);
	struct lore_attach a = { .vm_fd = v.vm, .event_records = 1024, .feed_records = 1024 };
	struct lore_capture c = { .mode = LORE_MODE_RECORD, .events = LORE_CAPTURE_PIO };
	struct lore_wait w = { .min_records = 1, .timeout_ms = 10 };
	CHECK_EQ(errno_of(ioctl(fd, LORE_IOC_START, &c)), ENOTCONN);
	CHECK_EQ(errno_of(ioctl(fd, LORE_IOC_WAIT, &w)), ENOTCONN);
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED);
	CHECK_EQ(errno_of(ioctl(fd, _IO(LORE_IOC_MAGIC, 99))), ENOTTY);
	CHECK_EQ(errno_of(ioctl(fd, LORE_IOC_ATTACH, (void *)16)), EFAULT);
	a.vm_fd = 12345;
	CHECK_EQ(errno_of(ioctl(fd, LORE_IOC_ATTACH, &a)), EBADF);
	a.vm_fd = v.kvm;			/* /dev/kvm itself is not a VM */
	CHECK_EQ(errno_of(ioctl(fd, LORE_IOC_ATTACH, &a)), EINVAL);
	a.vm_fd = v.vcpu;			/* nor is a vCPU */
	CHECK_EQ(errno_of(ioctl(fd, LORE_IOC_ATTACH, &a)), EINVAL);
	int null = open("/dev/null", O_RDWR);
	a.vm_fd = null;
	CHECK_EQ(errno_of(ioctl(fd, LORE_IOC_ATTACH, &a)), EINVAL);
	a.vm_fd = v.vm;
	a.event_records = 1000;			/* not a power of two */
	CHECK_EQ(errno_of(ioctl(fd, LORE_IOC_ATTACH, &a)), EINVAL);
	a.event_records = 1u << 21;		/* too large */
	CHECK_EQ(errno_of(ioctl(fd, LORE_IOC_ATTACH, &a)), EINVAL);
	a.event_records = 1024;
	a.flags = 1;
	CHECK_EQ(errno_of(ioctl(fd, LORE_IOC_ATTACH, &a)), EINVAL);
	a.flags = 0;
	CHECK_EQ(errno_of(ioctl(fd, LORE_IOC_ATTACH, &a)), 0);
	CHECK_EQ(errno_of(ioctl(fd, LORE_IOC_ATTACH, &a)), EBUSY);	/* one VM per open file */
	int fd2 = open(LORE_DEVICE, O_RDWR);
	CHECK_EQ(errno_of(ioctl(fd2, LORE_IOC_ATTACH, &a)), EBUSY);	/* one session per VM */
	c.mode = 7;
	CHECK_EQ(errno_of(ioctl(fd, LORE_IOC_START, &c)), EINVAL);
	c.mode = LORE_MODE_RECORD;
	c.events = 1u << 30;
	CHECK_EQ(errno_of(ioctl(fd, LORE_IOC_START, &c)), EINVAL);
	w.min_records = 0;
	CHECK_EQ(errno_of(ioctl(fd, LORE_IOC_WAIT, &w)), EINVAL);
	w.min_records = 1;
	w.timeout_ms = 600000;
	CHECK_EQ(errno_of(ioctl(fd, LORE_IOC_WAIT, &w)), EINVAL);
	CHECK(mmap(NULL, 1 << 24, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED);	/* larger than the area */
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 4096) == MAP_FAILED);	/* offset */
	struct lore_branch_arm b = { .config = 0xd1, .target = 1000000, .margin = 100 };
	CHECK_EQ(errno_of(ioctl(fd, LORE_IOC_BRANCH_ARM, &b)), ENOTCONN);	/* not capturing */
	struct lore_drain d = { .buf = 16, .max = 1 << 30 };
	CHECK_EQ(errno_of(ioctl(fd, LORE_IOC_DRAIN, &d)), EINVAL);
	/* another process may not attach to this process's VM, even holding its fd */
	pid_t pid = fork();
	if (pid == 0) {
		int f = open(LORE_DEVICE, O_RDWR);
		struct lore_attach a2 = { .vm_fd = v.vm, .event_records = 64, .feed_records = 64 };
		_exit(ioctl(f, LORE_IOC_ATTACH, &a2) < 0 && errno == EPERM ? 0 : 1);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_EQ(ioctl(fd, LORE_IOC_DETACH), 0);
	CHECK_EQ(errno_of(ioctl(fd, LORE_IOC_DETACH)), ENOTCONN);
	CHECK_EQ(errno_of(ioctl(fd, LORE_IOC_ATTACH, &a)), EBUSY);	/* still one VM per open file */
	close(fd2);
	close(fd);
	close(null);
	vm_destroy(&v);
}

/* Record: every RDTSC is answered by lore.ko with the guest TSC and logged with its RIP. */
static struct lore_record recorded[512];
static int nrecorded;
static struct outlog rec_out;

static void rdtsc_recorded(void)
{
	struct vm v;
	struct lore l;
	open_session(&v, &l, "tsc", 0, 1024, 1024, LORE_MODE_RECORD, LORE_CAPTURE_TSC);
	memset(&rec_out, 0, sizeof(rec_out));
	CHECK_EQ(vm_run(&v, &rec_out, 100), KVM_EXIT_HLT);
	{ struct lore_stats st0 = lore_stats(&l); printf("# stats: flags %u tsc %llu exits %llu entries %llu\n", st0.flags, (unsigned long long)st0.tsc, (unsigned long long)st0.exits, (unsigned long long)st0.entries); }
	nrecorded = take(&l, LORE_REC_TSC, recorded, 512, NULL);
	CHECK_EQ(nrecorded, 8 + 300);
	CHECK_EQ(rec_out.n, 8 * 2 + 1);
	for (int i = 0; i < 8 && i < nrecorded; i++) {
		CHECK_EQ(rec_out.val[2 * i], (uint32_t)recorded[i].value);	/* what the guest saw */
		CHECK_EQ(rec_out.val[2 * i + 1], recorded[i].value >> 32);
		CHECK_EQ(recorded[i].addr, recorded[0].addr);			/* the same RDTSC */
		if (i)
			CHECK(recorded[i].value > recorded[i - 1].value);	/* a real, advancing TSC */
	}
	CHECK(recorded[8].addr != recorded[0].addr);
	struct lore_stats st = lore_stats(&l);
	CHECK_EQ(st.tsc, 308);
	CHECK_EQ(st.dropped, 0);
	CHECK(st.exits >= 17);
	CHECK_EQ(st.flags, 0);
	close_session(&v, &l);
}

static int feed(struct lore *l, const struct lore_record *src, int from, int n, uint64_t rip_delta)
{
	int i;
	for (i = 0; i < n; i++) {
		struct lore_record r;
		lore_rec_clear(&r, LORE_REC_TSC_FEED, 0, 0);
		r.value = src[from + i].value;
		r.addr = src[from + i].addr + rip_delta;
		if (lore_ring_push(&l->feed, &r))
			break;
	}
	return i;
}

/* Replay: the recorded values are fed back; the guest sees exactly what it saw. */
static void rdtsc_replayed_exactly(void)
{
	struct vm v;
	struct lore l;
	struct outlog o = { 0 };
	CHECK(nrecorded == 308);
	open_session(&v, &l, "tsc", 0, 1024, 1024, LORE_MODE_REPLAY, LORE_CAPTURE_TSC);
	CHECK_EQ(feed(&l, recorded, 0, nrecorded, 0), nrecorded);
	CHECK_EQ(vm_run(&v, &o, 100), KVM_EXIT_HLT);
	CHECK_EQ(o.n, rec_out.n);
	for (int i = 0; i < o.n && i < rec_out.n; i++)
		CHECK_EQ(o.val[i], rec_out.val[i]);	/* incl. the fold of 300 RDTSCs without exits */
	struct lore_stats st = lore_stats(&l);
	CHECK_EQ(st.feed_consumed, 308);
	CHECK_EQ(st.tsc_mismatch, 0);
	CHECK_EQ(st.tsc_deferred, 0);
	close_session(&v, &l);
}

/* Replay with the feed given a few records at a time: KVM_RUN comes back (EINTR) when the
 * feed runs dry, the RDTSC waits, and the result is still exact. A wrong RIP is counted. */
static void rdtsc_replay_waits_for_the_feed(void)
{
	struct vm v;
	struct lore l;
	struct outlog o = { 0 };
	open_session(&v, &l, "tsc", 0, 1024, 64, LORE_MODE_REPLAY, LORE_CAPTURE_TSC);
	int fed = 0, rc = 0, rounds = 0;
	fed += feed(&l, recorded, 0, 5, 0);
	fed += feed(&l, recorded, 5, 1, 0x10);	/* the sixth at a wrong RIP */
	while (rounds++ < 1000) {
		rc = vm_run(&v, &o, 100);
		if (rc != -EINTR)
			break;
		fed += feed(&l, recorded, fed, nrecorded - fed < 50 ? nrecorded - fed : 50, 0);
	}
	CHECK_EQ(rc, KVM_EXIT_HLT);
	CHECK_EQ(fed, nrecorded);
	CHECK(o.eintr >= 6);			/* at least once per refill of 50 */
	CHECK_EQ(o.n, rec_out.n);
	for (int i = 0; i < o.n && i < rec_out.n; i++)
		CHECK_EQ(o.val[i], rec_out.val[i]);
	struct lore_stats st = lore_stats(&l);
	CHECK_EQ(st.tsc_mismatch, 1);
	CHECK_EQ(st.tsc_deferred, o.eintr);
	CHECK_EQ(st.feed_consumed, 308);
	close_session(&v, &l);
}

/* Record with a ring smaller than the burst: RDTSC waits for the drain, nothing is lost. */
static void rdtsc_record_waits_for_the_drain(void)
{
	struct vm v;
	struct lore l;
	struct outlog o = { 0 };
	struct lore_record got[512];
	int n = 0, rc = 0, rounds = 0;
	open_session(&v, &l, "tsc", 0, 64, 64, LORE_MODE_RECORD, LORE_CAPTURE_TSC);
	while (rounds++ < 1000) {
		rc = vm_run(&v, &o, 100);
		int k = take(&l, LORE_REC_TSC, got + n, 512 - n, NULL);
		CHECK(k >= 0);
		n += k > 0 ? k : 0;
		if (rc != -EINTR)
			break;
	}
	n += take(&l, LORE_REC_TSC, got + n, 512 - n, NULL);
	CHECK_EQ(rc, KVM_EXIT_HLT);
	CHECK_EQ(n, 308);
	CHECK(o.eintr >= 4);			/* 300 reads without exits into 64 slots */
	struct lore_stats st = lore_stats(&l);
	CHECK_EQ(st.dropped, 0);
	CHECK_EQ(st.tsc, 308);
	CHECK_EQ(st.tsc_deferred, o.eintr);
	for (int i = 1; i < n; i++)
		CHECK(got[i].value > got[i - 1].value);
	close_session(&v, &l);
}

/* With KVM's in-kernel PIC and PIT, the guest's PIT reads and its interrupts never reach
 * user space: lore.ko's records must show exactly what the guest got. */
static void in_kernel_irqchip_events_captured(void)
{
	struct vm v;
	struct lore l;
	static struct outlog o;
	struct lore_record r;
	uint64_t pit_reads[64];
	int npit = 0, nvirq = 0, other = 0, bad = 0, pic_writes = 0, rc;
	memset(&o, 0, sizeof(o));
	open_session(&v, &l, "irq", 1, 1 << 14, 64, LORE_MODE_RECORD, LORE_CAPTURE_PIO | LORE_CAPTURE_VIRQ);
	CHECK_EQ(vm_run(&v, &o, 1000), STOP);
	uint8_t lo = 0;
	int have_lo = 0;
	while ((rc = lore_ring_pop(&l.ev, &r)) == 1) {
		if (!lore_record_valid(&r)) {
			bad++;
			continue;
		}
		if (r.kind == LORE_REC_PIO && !(r.flags & LORE_F_WRITE) && r.arg == 0x40) {
			if (!have_lo) {
				lo = r.value;
				have_lo = 1;
			} else if (npit < 64) {
				pit_reads[npit++] = lo | (r.value << 8);
				have_lo = 0;
			}
		} else if (r.kind == LORE_REC_PIO && (r.flags & LORE_F_WRITE) && (r.arg == 0x20 || r.arg == 0x21)) {
			pic_writes++;
		} else if (r.kind == LORE_REC_VIRQ && r.arg == 8 && !(r.flags & LORE_F_REINJECTED)) {
			nvirq++;
		} else {
			other++;
		}
	}
	CHECK_EQ(rc, 0);
	CHECK_EQ(bad, 0);
	/* the guest reported each counter value it read at port 0x10, then its IRQ count at 0x11 */
	int reported = 0;
	uint64_t count = 0;
	for (int i = 0; i < o.n; i++) {
		if (o.port[i] == 0x10) {
			CHECK(reported < npit);
			if (reported < npit)
				CHECK_EQ(o.val[i], pit_reads[reported]);
			reported++;
		} else if (o.port[i] == 0x11) {
			count = o.val[i];
		}
	}
	CHECK_EQ(reported, npit);
	CHECK(npit >= 20);
	CHECK(count >= 20);
	CHECK_EQ(nvirq, count);			/* every interrupt the guest took was seen injected */
	CHECK(pic_writes >= 5 + (int)count);	/* ICW1-4, mask, one EOI per interrupt */
	struct lore_stats st = lore_stats(&l);
	CHECK_EQ(st.dropped, 0);
	CHECK(st.virq >= (uint64_t)nvirq);
	printf("# irqchip: %d PIT reads, %d interrupts, %d PIC writes, %d other records\n", npit, nvirq, pic_writes,
	       other);
	close_session(&v, &l);
}

struct waiter {
	int fd;
	struct lore_wait w;
	int rc;
};

static void *wait_thread(void *arg)
{
	struct waiter *wt = arg;
	wt->rc = ioctl(wt->fd, LORE_IOC_WAIT, &wt->w);
	return NULL;
}

/* The records are also readable through LORE_IOC_DRAIN, and LORE_IOC_WAIT sees them. */
static void drain_and_wait(void)
{
	struct vm v;
	struct lore l;
	struct outlog o = { 0 };
	struct lore_record buf[64];
	open_session(&v, &l, "tsc", 0, 1024, 64, LORE_MODE_RECORD, LORE_CAPTURE_PIO | LORE_CAPTURE_TSC);
	struct lore_wait w = { .min_records = 1, .timeout_ms = 50 };
	CHECK_EQ(ioctl(l.fd, LORE_IOC_WAIT, &w), 0);	/* times out: nothing yet */
	CHECK_EQ(w.available, 0);
	/* a sleeper is woken by the records as they come */
	struct waiter wt = { .fd = l.fd, .w = { .min_records = 100, .timeout_ms = 20000 } };
	pthread_t t;
	pthread_create(&t, NULL, wait_thread, &wt);
	usleep(100000);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_EQ(vm_run(&v, &o, 100), KVM_EXIT_HLT);
	pthread_join(t, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK_EQ(wt.rc, 0);
	CHECK(wt.w.available >= 100);
	CHECK((t1.tv_sec - t0.tv_sec) < 10);	/* woken, not timed out */
	w.min_records = 10;
	CHECK_EQ(ioctl(l.fd, LORE_IOC_WAIT, &w), 0);
	CHECK_EQ(w.available, 308 + 17);	/* RDTSCs and the guest's OUTs (user-space PIO is seen too) */
	int total = 0, tsc = 0, pio = 0;
	for (;;) {
		struct lore_drain d = { .buf = (uint64_t)(uintptr_t)buf, .max = 64 };
		CHECK_EQ(ioctl(l.fd, LORE_IOC_DRAIN, &d), 0);
		if (d.count == 0)
			break;
		for (unsigned i = 0; i < d.count; i++) {
			CHECK(lore_record_valid(&buf[i]));
			tsc += buf[i].kind == LORE_REC_TSC;
			pio += buf[i].kind == LORE_REC_PIO;
		}
		total += d.count;
	}
	CHECK_EQ(tsc, 308);
	CHECK_EQ(pio, 17);
	CHECK_EQ(total, 325);
	CHECK_EQ(l.sh->events.tail, l.sh->events.head);	/* the mapping's consumer index moved too */
	lore_ring_join_consumer(&l.ev, &l.sh->events, (char *)l.sh + l.sh->events_offset, 1024,
				sizeof(struct lore_record));
	CHECK_EQ(lore_ring_available(&l.ev), 0);
	close_session(&v, &l);
}

/* The notification chain kicks a vCPU that computes without exits: KVM_RUN returns EINTR. */
struct spinner {
	struct vm *v;
	int rc;
	int err;
	struct timespec done;
};

static void *spin_thread(void *arg)
{
	struct spinner *s = arg;
	int rc;
	do {
		rc = ioctl(s->v->vcpu, KVM_RUN, 0);
	} while (rc == 0 && s->v->run->exit_reason == KVM_EXIT_IO);	/* its progress reports */
	s->rc = rc;
	s->err = errno;
	clock_gettime(CLOCK_MONOTONIC, &s->done);
	return NULL;
}

static double since(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) + (b->tv_nsec - a->tv_nsec) / 1e9;
}

static void branch_chain_kicks_the_vcpu(void)
{
	struct vm v;
	struct lore l;
	struct timespec fired;
	int kicks = 0;
	open_session(&v, &l, "spin", 0, 1024, 64, LORE_MODE_RECORD, 0);	/* nothing captured but the chain's record */
	struct lore_branch_arm b = { .config = 0xd1, .target = 1000000, .margin = 100 };
	int rc = ioctl(l.fd, LORE_IOC_BRANCH_ARM, &b);
	CHECK(rc < 0 && (errno == ENOENT || errno == EOPNOTSUPP || errno == ENODEV));	/* no PMU here */
	/* while the guest computes (in the guest, or in user space handling its progress OUTs) */
	for (int k = 0; k < 8; k++) {
		struct spinner sp = { .v = &v };
		pthread_t t;
		pthread_create(&t, NULL, spin_thread, &sp);
		usleep(20000 + 40000 * k);
		CHECK_EQ(sp.done.tv_sec, 0);	/* still computing */
		clock_gettime(CLOCK_MONOTONIC, &fired);
		CHECK_EQ(ioctl(l.fd, LORE_IOC_BRANCH_NOTIFY), 0);
		kicks++;
		pthread_join(t, NULL);
		CHECK_EQ(sp.rc, -1);
		CHECK_EQ(sp.err, EINTR);
		CHECK(since(&fired, &sp.done) < 0.5);
	}
	/* while no thread is in KVM_RUN at all: the next entry stops */
	CHECK_EQ(ioctl(l.fd, LORE_IOC_BRANCH_NOTIFY), 0);
	kicks++;
	struct outlog o = { 0 };
	CHECK_EQ(vm_run(&v, &o, 3), -EINTR);
	CHECK_EQ(o.n, 0);
	struct lore_record br[16];
	CHECK_EQ(take(&l, LORE_REC_BRANCH, br, 16, NULL), kicks);
	CHECK_EQ(lore_stats(&l).branch_overflows, kicks);
	/* each notification stopped the vCPU once: it now goes on undisturbed */
	memset(&o, 0, sizeof(o));
	CHECK_EQ(vm_run(&v, &o, 3), -1000);
	CHECK_EQ(o.n, 3);
	CHECK_EQ(o.eintr, 0);
	close_session(&v, &l);
}

/* Detaching while the vCPU runs with RDTSC intercepted: the intercept goes, the guest goes on. */
static void detach_under_a_running_vcpu(void)
{
	struct vm v;
	struct lore l;
	struct outlog o = { 0 };
	open_session(&v, &l, "spin", 0, 64, 64, LORE_MODE_RECORD, LORE_CAPTURE_TSC);
	int rc = vm_run(&v, &o, 2);	/* a full ring defers RDTSCs to us: drain as we go */
	CHECK(rc == -1000 || rc == -EINTR);
	struct lore_stats before = lore_stats(&l);
	CHECK(before.tsc > 0);
	CHECK_EQ(ioctl(l.fd, LORE_IOC_DETACH), 0);
	/* no session any more: RDTSC must run natively again, with no exit reaching us but OUTs */
	memset(&o, 0, sizeof(o));
	rc = vm_run(&v, &o, 20);
	CHECK_EQ(rc, -1000);
	CHECK_EQ(o.eintr, 0);
	CHECK_EQ(o.n, 20);
	close_session(&v, &l);
}

/* A process that exits in the middle of a capture (mapping and all) leaves nothing behind. */
static void process_exit_while_capturing(void)
{
	for (int k = 0; k < 3; k++) {
		pid_t pid = fork();
		if (pid == 0) {
			struct vm v;
			struct lore l;
			struct outlog o = { 0 };
			if (vm_create(&v, "spin", 0) || lore_open_attach(&l, v.vm, 64, 64) ||
			    lore_start(&l, LORE_MODE_RECORD, LORE_CAPTURE_ALL))
				_exit(2);
			vm_run(&v, &o, 1 + k);
			if (k == 2)
				kill(getpid(), SIGKILL);
			_exit(0);
		}
		int status;
		waitpid(pid, &status, 0);
		CHECK(k == 2 ? WIFSIGNALED(status) : (WIFEXITED(status) && WEXITSTATUS(status) == 0));
	}
	/* the module is still healthy: a new session works */
	struct vm v;
	struct lore l;
	struct outlog o = { 0 };
	open_session(&v, &l, "tsc", 0, 1024, 64, LORE_MODE_RECORD, LORE_CAPTURE_TSC);
	CHECK_EQ(vm_run(&v, &o, 100), KVM_EXIT_HLT);
	CHECK_EQ(lore_stats(&l).tsc, 308);
	close_session(&v, &l);
}

/*
 * Whether KVM guest debugging's hardware breakpoints fire here: LoRe's replay needs them to
 * bring each injected interrupt to its handler. Not a test (the answer is the environment's),
 * it decides which guests the lab replays: "hwbp yes" or "hwbp no".
 */
static int probe_hwbp(void)
{
	struct vm v;
	struct outlog o = { 0 };
	if (vm_create(&v, "tsc", 0))
		return 1;
	struct kvm_guest_debug dbg;
	memset(&dbg, 0, sizeof(dbg));
	dbg.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP;
	dbg.arch.debugreg[0] = 0x1005;		/* the instruction after the first RDTSC */
	dbg.arch.debugreg[7] = 0x1 | 0x400;	/* L0, execute */
	if (ioctl(v.vcpu, KVM_SET_GUEST_DEBUG, &dbg) < 0)
		return 1;
	int rc = vm_run(&v, &o, 100);
	printf("hwbp %s\n", rc == KVM_EXIT_DEBUG && v.run->debug.arch.pc == 0x1005 ? "yes" : "no");
	vm_destroy(&v);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	guest_dir = argc > 1 ? argv[1] : "/lab/guest";
	if (argc > 2 && !strcmp(argv[2], "--probe-hwbp"))
		return probe_hwbp();
	TEST(version_and_capabilities);
	TEST(bad_arguments_are_refused);
	TEST(rdtsc_recorded);
	TEST(rdtsc_replayed_exactly);
	TEST(rdtsc_replay_waits_for_the_feed);
	TEST(rdtsc_record_waits_for_the_drain);
	TEST(in_kernel_irqchip_events_captured);
	TEST(drain_and_wait);
	TEST(branch_chain_kicks_the_vcpu);
	TEST(detach_under_a_running_vcpu);
	TEST(process_exit_while_capturing);
	return tap_done();
}
