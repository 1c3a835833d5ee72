/*
 * bzload: test helper, not a test guest.  A minimal loader for the Linux
 * 64-bit boot protocol, so that bzimage's 64-bit entry (payload + 0x200) can
 * be exercised under QEMU, whose own bzImage loader always goes through the
 * 16-bit setup code.  Linked at 8 MiB; boot it with the bzImage as the PVH
 * module:
 *   run-qemu.sh bzload -initrd build/bzimage.bin -append "kernel cmdline"
 * It builds a zero page (header copy, e820 from the PVH memory map, command
 * line, a 16-byte test initrd), copies the payload to 0x100000, loads a GDT
 * with __BOOT_CS=0x10 (64-bit) and __BOOT_DS=0x18, and jumps to 0x100200 in
 * long mode (identity paging of the first 4 GiB) with RSI = zero page.  This
 * is also what the VMM's bzImage loader has to do.
 */
#include "lore.h"

#define KERNEL_ADDR 0x100000ul
#define INITRD_ADDR 0x2000000ul

static u8 zero_page[4096] __attribute__((aligned(4096)));
static char kernel_cmdline[2048];
static const u64 boot_gdt[4] __attribute__((aligned(16))) = {
	0, 0,
	0x00af9a000000ffffull, /* 0x10 __BOOT_CS, 64-bit */
	0x00cf92000000ffffull, /* 0x18 __BOOT_DS */
};

static void put32(unsigned off, u32 v)
{
	memcpy(zero_page + off, &v, 4);
}

static void put64(unsigned off, u64 v)
{
	memcpy(zero_page + off, &v, 8);
}

static void __attribute__((noreturn)) jump_to_kernel(u64 entry, u64 bp)
{
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) gdtr = {sizeof(boot_gdt) - 1, (u64)boot_gdt};

	__asm__ __volatile__("lgdt %0\n\t"
			     "movl $0x18, %%eax\n\t"
			     "movl %%eax, %%ds\n\t"
			     "movl %%eax, %%es\n\t"
			     "movl %%eax, %%ss\n\t"
			     "xorl %%ebp, %%ebp\n\t"
			     "xorl %%edi, %%edi\n\t"
			     "xorl %%ebx, %%ebx\n\t"
			     "pushq $0x10\n\t"
			     "pushq %1\n\t"
			     "lretq"
			     :
			     : "m"(gdtr), "r"(entry), "S"(bp)
			     : "rax", "memory");
	__builtin_unreachable();
}

int kmain(const struct hvm_start_info *si)
{
	const struct hvm_modlist_entry *mod;
	const u8 *img;
	u32 setup_sects, setup_size, n = 0, init_size;
	u16 version;
	u64 payload_size;

	puts("bzload: 64-bit boot protocol loader\n");
	if (!si || si->magic != HVM_START_MAGIC || !si->nr_modules)
		lore_panic("bzload: no module (pass the bzImage with -initrd)");
	mod = (const void *)si->modlist_paddr;
	img = (const u8 *)mod->paddr;
	if (memcmp(img + 0x202, "HdrS", 4) || img[0x1fe] != 0x55 || img[0x1ff] != 0xaa)
		lore_panic("bzload: not a bzImage");
	memcpy(&version, img + 0x206, 2);
	setup_sects = img[0x1f1] ? img[0x1f1] : 4;
	setup_size = (setup_sects + 1) * 512;
	payload_size = mod->size - setup_size;
	memcpy(&init_size, img + 0x260, 4);
	kprintf("bzload: protocol %u.%02u, setup_sects %u, xloadflags 0x%x, payload %lu bytes, "
		"init_size %u\n",
		version >> 8, version & 0xff, setup_sects, img[0x236], payload_size, init_size);
	if (version < 0x20c || !(img[0x236] & 1))
		lore_panic("bzload: no 64-bit entry point (needs protocol >= 2.12, XLF_KERNEL_64)");

	memset(zero_page, 0, sizeof(zero_page));
	memcpy(zero_page + 0x1f1, img + 0x1f1, (size_t)(0x202 + img[0x201]) - 0x1f1);
	zero_page[0x210] = 0xff; /* type_of_loader: undefined */
	memcpy(kernel_cmdline, pvh_cmdline(si), strlen(pvh_cmdline(si)) + 1);
	put32(0x228, (u32)(u64)kernel_cmdline);
	memcpy((void *)INITRD_ADDR, "LoRe-test-initrd", 16);
	put32(0x218, (u32)INITRD_ADDR);
	put32(0x21c, 16);
	if (si->memmap_paddr) {
		const struct hvm_memmap_table_entry *e = (const void *)si->memmap_paddr;
		for (n = 0; n < si->memmap_entries && n < 128; n++) {
			put64(0x2d0 + 20 * n, e[n].addr);
			put64(0x2d0 + 20 * n + 8, e[n].size);
			put32(0x2d0 + 20 * n + 16, e[n].type);
		}
	}
	zero_page[0x1e8] = (u8)n;

	memcpy((void *)KERNEL_ADDR, img + setup_size, payload_size);
	kprintf("bzload: jumping to 0x%lx (64-bit entry), boot_params at 0x%lx\n",
		KERNEL_ADDR + 0x200, (u64)zero_page);
	cli();
	jump_to_kernel(KERNEL_ADDR + 0x200, (u64)zero_page);
}
