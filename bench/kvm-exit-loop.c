/*
 * kvm-exit-loop: the smallest honest KVM VMM, as the C baseline for LoRe's VM-exit cost
 * benchmark (tools/bench, bench/README.md).
 *
 * It boots a PVH ELF guest exactly the way the Java VMM does (same guest RAM, memory slot
 * flags, boot structures, CPUID table and entry state) and then runs the usual loop of
 * ioctl(KVM_RUN) + switch on the exit reason:
 *
 *   KVM_EXIT_IO   OUT 0x3f8 (COM1 THR)   -> the byte goes to stdout
 *                 OUT 0xf4  (debug-exit) -> end, exit status (v << 1) | 1
 *                 other OUT              -> ignored
 *                 IN  0x3fd (COM1 LSR)   -> 0x60 (THR and transmitter empty)
 *                 other IN               -> all ones (empty bus)
 *   KVM_EXIT_HLT                         -> end, exit status 0
 *   anything else                        -> error, exit status 4
 *
 * Time is measured with CLOCK_MONOTONIC from just before the first KVM_RUN to the end of the
 * run, and reported on stderr as
 *   kvm-exit-loop: N VM exits in X s (Y ns/exit)
 * where N counts every return from KVM_RUN (boot-time exits included, as the Java VMM does).
 *
 * Usage: kvm-exit-loop [--mem MIB] KERNEL.elf [CMDLINE]
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Guest layout: the same addresses as gdbstub/machine/.../boot/BootLayout.java. */
#define GDT_ADDR 0x500
#define START_INFO_ADDR 0x6000
#define MEMMAP_ADDR 0x6100
#define CMDLINE_ADDR 0x20000
#define CMDLINE_MAX 0x10000
#define HIGH_MEMORY 0x100000

#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define HVM_START_MAGIC 0x336ec578u

#define COM1_THR 0x3f8
#define COM1_LSR 0x3fd
#define DEBUG_EXIT_PORT 0xf4

#define STATUS_ERROR 4

static const char *prog = "kvm-exit-loop";

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;
	int err = errno;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (fmt[strlen(fmt) - 1] == ':')
		fprintf(stderr, " %s", strerror(err));
	fputc('\n', stderr);
	exit(STATUS_ERROR);
}

static void *read_file(const char *path, size_t *size)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;
	size_t got = 0;

	if (fd < 0 || fstat(fd, &st) < 0)
		die("%s:", path);
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		die("out of memory");
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n <= 0)
			die("read %s:", path);
		got += (size_t)n;
	}
	close(fd);
	*size = got;
	return buf;
}

/* ------------------------------------------------------------------ PVH ELF loading */

static int in_file(size_t size, uint64_t off, uint64_t len)
{
	return off <= size && len <= size - off;
}

/* Entry point from the "Xen" note XEN_ELFNOTE_PHYS32_ENTRY (low 32 bits), or 0. */
static uint64_t pvh_entry(const uint8_t *img, size_t size, const Elf64_Ehdr *eh)
{
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const void *)(img + eh->e_phoff + (size_t)i * eh->e_phentsize);
		uint64_t o, end;

		if (ph->p_type != PT_NOTE || !in_file(size, ph->p_offset, ph->p_filesz))
			continue;
		o = ph->p_offset;
		end = ph->p_offset + ph->p_filesz;
		while (o + sizeof(Elf64_Nhdr) <= end) {
			const Elf64_Nhdr *nh = (const void *)(img + o);
			uint64_t name = o + sizeof(*nh);
			uint64_t desc = name + ((nh->n_namesz + 3u) & ~3u);
			uint64_t next = desc + ((nh->n_descsz + 3u) & ~3u);

			if (next > end)
				break;
			if (nh->n_type == XEN_ELFNOTE_PHYS32_ENTRY && nh->n_namesz == 4 &&
			    memcmp(img + name, "Xen", 4) == 0 && (nh->n_descsz == 4 || nh->n_descsz == 8)) {
				uint32_t entry;

				memcpy(&entry, img + desc, 4);
				return entry;
			}
			o = next;
		}
	}
	return 0;
}

static void put32(uint8_t *mem, uint64_t gpa, uint32_t v) { memcpy(mem + gpa, &v, 4); }
static void put64(uint8_t *mem, uint64_t gpa, uint64_t v) { memcpy(mem + gpa, &v, 8); }

/* Loads the kernel and writes the boot structures; returns the entry point. */
static uint64_t load_pvh(uint8_t *mem, uint64_t mem_size, const char *path, const char *cmdline)
{
	static const uint64_t gdt[] = {
		0,
		0x00cf9b000000ffffull, /* 0x08: 32-bit code, flat */
		0x00af9b000000ffffull, /* 0x10: 64-bit code */
		0x00cf93000000ffffull, /* 0x18: data, flat */
		0x00008b0000000067ull, /* 0x20: TSS (busy), base 0 */
		0,
	};
	const struct { uint64_t addr, size; uint32_t type; } map[] = {
		{ 0, 0x9fc00, 1 },
		{ 0x9fc00, 0x400, 2 },
		{ 0xf0000, 0x10000, 2 },
		{ HIGH_MEMORY, mem_size - HIGH_MEMORY, 1 },
	};
	size_t size, len = strlen(cmdline);
	uint8_t *img = read_file(path, &size);
	const Elf64_Ehdr *eh = (const void *)img;
	uint64_t entry;

	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_phentsize < sizeof(Elf64_Phdr) ||
	    !in_file(size, eh->e_phoff, (uint64_t)eh->e_phnum * eh->e_phentsize))
		die("%s: not a 64-bit ELF file", path);
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const void *)(img + eh->e_phoff + (size_t)i * eh->e_phentsize);

		if (ph->p_type != PT_LOAD || ph->p_memsz == 0)
			continue;
		if (ph->p_paddr < HIGH_MEMORY || ph->p_paddr > mem_size || ph->p_memsz > mem_size - ph->p_paddr ||
		    ph->p_filesz > ph->p_memsz || !in_file(size, ph->p_offset, ph->p_filesz))
			die("%s: segment at 0x%llx+0x%llx does not fit in guest memory", path,
			    (unsigned long long)ph->p_paddr, (unsigned long long)ph->p_memsz);
		memcpy(mem + ph->p_paddr, img + ph->p_offset, ph->p_filesz);
		memset(mem + ph->p_paddr + ph->p_filesz, 0, ph->p_memsz - ph->p_filesz);
	}
	entry = pvh_entry(img, size, eh);
	if (entry == 0 || entry >= mem_size)
		die("%s: no usable PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)", path);
	free(img);

	for (unsigned i = 0; i < sizeof(gdt) / sizeof(gdt[0]); i++)
		put64(mem, GDT_ADDR + 8 * i, gdt[i]);

	if (len + 1 > CMDLINE_MAX)
		die("command line too long");
	memcpy(mem + CMDLINE_ADDR, cmdline, len + 1);

	memset(mem + START_INFO_ADDR, 0, 0x1000);
	put32(mem, START_INFO_ADDR + 0, HVM_START_MAGIC);
	put32(mem, START_INFO_ADDR + 4, 1); /* version 1: has a memory map */
	put64(mem, START_INFO_ADDR + 24, CMDLINE_ADDR);
	put64(mem, START_INFO_ADDR + 40, MEMMAP_ADDR);
	put32(mem, START_INFO_ADDR + 48, sizeof(map) / sizeof(map[0]));
	for (unsigned i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		put64(mem, MEMMAP_ADDR + 24 * i, map[i].addr);
		put64(mem, MEMMAP_ADDR + 24 * i + 8, map[i].size);
		put32(mem, MEMMAP_ADDR + 24 * i + 16, map[i].type);
		put32(mem, MEMMAP_ADDR + 24 * i + 20, 0);
	}
	return entry;
}

/* ------------------------------------------------------------------ vCPU setup */

/* The CPUID table of gdbstub/machine/.../GuestCpuid.java: KVM's, minus the same features. */
static void set_cpuid(int kvm, int vcpu)
{
	int n = 256;
	struct kvm_cpuid2 *c;

	for (;;) {
		c = calloc(1, sizeof(*c) + (size_t)n * sizeof(c->entries[0]));
		if (!c)
			die("out of memory");
		c->nent = (uint32_t)n;
		if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, c) == 0)
			break;
		if (errno != E2BIG)
			die("KVM_GET_SUPPORTED_CPUID:");
		free(c);
		n *= 2;
	}
	uint32_t out = 0;
	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 e = c->entries[i];

		if ((e.function & 0xf0000000u) == 0x40000000u)
			continue; /* KVM paravirtual leaves */
		if (e.function == 1) {
			e.ecx &= ~((1u << 3) | (1u << 21) | (1u << 24) | (1u << 30)); /* MONITOR x2APIC TSC-deadline RDRAND */
			e.edx &= ~(1u << 9);                                         /* APIC */
		} else if (e.function == 7 && e.index == 0) {
			e.ebx &= ~((1u << 18) | (1u << 1)); /* RDSEED TSC_ADJUST */
		} else if (e.function == 0x80000001u) {
			e.edx &= ~(1u << 27); /* RDTSCP */
		}
		c->entries[out++] = e;
	}
	c->nent = out;
	if (ioctl(vcpu, KVM_SET_CPUID2, c) < 0)
		die("KVM_SET_CPUID2:");
	free(c);
}

static void flat(struct kvm_segment *s, uint16_t selector, uint8_t type)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = selector;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->db = 1;
	s->g = 1;
}

/* 32-bit flat protected mode, paging off, EBX = start info: the PVH entry state. */
static void set_entry_state(int vcpu, uint64_t entry)
{
	struct kvm_sregs s;
	struct kvm_regs r;

	if (ioctl(vcpu, KVM_GET_SREGS, &s) < 0)
		die("KVM_GET_SREGS:");
	flat(&s.cs, 0x08, 0xb);
	flat(&s.ds, 0x18, 0x3);
	s.es = s.fs = s.gs = s.ss = s.ds;
	memset(&s.tr, 0, sizeof(s.tr));
	s.tr.selector = 0x20;
	s.tr.limit = 0x67;
	s.tr.type = 0xb;
	s.tr.present = 1;
	s.ldt.unusable = 0;
	s.gdt.base = GDT_ADDR;
	s.gdt.limit = 6 * 8 - 1;
	s.idt.base = 0;
	s.idt.limit = 0;
	s.cr0 = 0x11; /* PE | ET */
	s.cr3 = 0;
	s.cr4 = 0;
	s.efer = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &s) < 0)
		die("KVM_SET_SREGS:");

	memset(&r, 0, sizeof(r));
	r.rip = entry;
	r.rflags = 2;
	r.rbx = START_INFO_ADDR;
	if (ioctl(vcpu, KVM_SET_REGS, &r) < 0)
		die("KVM_SET_REGS:");
}

/* ------------------------------------------------------------------ the loop */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint32_t io_get(const uint8_t *p, unsigned size)
{
	uint32_t v = 0;

	memcpy(&v, p, size > 4 ? 4 : size);
	return v;
}

int main(int argc, char **argv)
{
	uint64_t mem_mib = 128;
	int a = 1;

	while (a < argc && strncmp(argv[a], "--", 2) == 0) {
		if (strcmp(argv[a], "--mem") == 0 && a + 1 < argc) {
			mem_mib = strtoull(argv[a + 1], NULL, 0);
			a += 2;
		} else if (strcmp(argv[a], "--") == 0) {
			a++;
			break;
		} else {
			fprintf(stderr, "usage: %s [--mem MIB] KERNEL.elf [CMDLINE]\n", prog);
			return 2;
		}
	}
	if (a >= argc || argc - a > 2 || mem_mib < 2) {
		fprintf(stderr, "usage: %s [--mem MIB] KERNEL.elf [CMDLINE]\n", prog);
		return 2;
	}
	const char *kernel = argv[a];
	const char *cmdline = a + 1 < argc ? argv[a + 1] : "";
	uint64_t mem_size = mem_mib << 20;

	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("/dev/kvm:");
	if (ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		die("unexpected KVM API version");
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM:");

	uint8_t *mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap of guest memory:");
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.flags = KVM_MEM_LOG_DIRTY_PAGES, /* as the Java VMM, which keeps a dirty log for checkpoints */
		.guest_phys_addr = 0,
		.memory_size = mem_size,
		.userspace_addr = (uint64_t)(uintptr_t)mem,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die("KVM_SET_USER_MEMORY_REGION:");

	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("KVM_CREATE_VCPU:");
	int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size < (int)sizeof(struct kvm_run))
		die("KVM_GET_VCPU_MMAP_SIZE:");
	struct kvm_run *run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap of the vCPU run area:");

	set_cpuid(kvm, vcpu);
	set_entry_state(vcpu, load_pvh(mem, mem_size, kernel, cmdline));

	uint64_t exits = 0;
	int status = -1;
	const char *why = NULL;
	uint64_t start = now_ns();

	while (status < 0) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			die("KVM_RUN:");
		}
		exits++;
		switch (run->exit_reason) {
		case KVM_EXIT_IO: {
			uint8_t *data = (uint8_t *)run + run->io.data_offset;
			unsigned size = run->io.size;

			for (uint32_t i = 0; i < run->io.count; i++, data += size) {
				if (run->io.direction == KVM_EXIT_IO_OUT) {
					if (run->io.port == COM1_THR) {
						putchar(*data);
					} else if (run->io.port == DEBUG_EXIT_PORT && status < 0) {
						status = (int)((io_get(data, size) << 1) | 1);
						why = "guest wrote to the debug-exit port";
					}
				} else {
					memset(data, 0xff, size);
					if (run->io.port == COM1_LSR)
						*data = 0x60;
				}
			}
			break;
		}
		case KVM_EXIT_HLT:
			status = 0;
			why = "guest halted";
			break;
		case KVM_EXIT_SHUTDOWN:
			die("triple fault (KVM_EXIT_SHUTDOWN) after %llu exits", (unsigned long long)exits);
		case KVM_EXIT_FAIL_ENTRY:
			die("KVM_EXIT_FAIL_ENTRY, hardware reason 0x%llx",
			    (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		case KVM_EXIT_INTERNAL_ERROR:
			die("KVM_EXIT_INTERNAL_ERROR, suberror %u", run->internal.suberror);
		default:
			die("unhandled VM exit %u after %llu exits", run->exit_reason, (unsigned long long)exits);
		}
	}

	uint64_t ns = now_ns() - start;
	fflush(stdout);
	fprintf(stderr, "%s: %s; exit status %d\n", prog, why, status);
	fprintf(stderr, "%s: %llu VM exits in %.6f s (%.1f ns/exit)\n", prog, (unsigned long long)exits, (double)ns / 1e9,
		exits ? (double)ns / (double)exits : 0.0);
	return status & 0xff;
}
