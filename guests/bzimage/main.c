/*
 * bzimage: a tiny guest in Linux bzImage format, for the VMM's Linux boot
 * protocol.  Prints the command line (hdr.cmd_line_ptr), the e820 map from
 * boot_params, and the initrd (hdr.ramdisk_image/ramdisk_size) with its
 * first 16 bytes, then exits 0.
 */
#define LORE_BZIMAGE 1
#include "lore.h"

/* boot_params offsets (Documentation/arch/x86/zero-page.rst) */
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES 0x1e8
#define BP_HDR_VERSION 0x206
#define BP_HDR_TYPE_OF_LOADER 0x210
#define BP_HDR_RAMDISK_IMAGE 0x218
#define BP_HDR_RAMDISK_SIZE 0x21c
#define BP_HDR_CMD_LINE_PTR 0x228
#define BP_E820_TABLE 0x2d0
#define E820_MAX 128

extern u32 bz_entry; /* 32 or 64: which entry point the loader used */

static u32 rd32(const u8 *p, unsigned off)
{
	u32 v;
	memcpy(&v, p + off, 4);
	return v;
}

static u64 rd64(const u8 *p, unsigned off)
{
	u64 v;
	memcpy(&v, p + off, 8);
	return v;
}

int kmain(const u8 *bp)
{
	u64 cmdline, initrd, initrd_size;
	unsigned n;

	puts("Hello from bzImage\n");
	kprintf("boot_params: at 0x%lx, boot protocol %u.%02u, loader type 0x%02x\n", (u64)bp,
		bp[BP_HDR_VERSION + 1], bp[BP_HDR_VERSION], bp[BP_HDR_TYPE_OF_LOADER]);
	kprintf("entry: %s\n", bz_entry == 64   ? "startup_64 (64-bit boot protocol, payload + 0x200)"
			       : bz_entry == 32 ? "startup_32 (16/32-bit boot protocol, payload + 0)"
						: "unknown");

	cmdline = rd32(bp, BP_HDR_CMD_LINE_PTR) | (u64)rd32(bp, BP_EXT_CMD_LINE_PTR) << 32;
	kprintf("cmdline: \"%s\"\n", cmdline ? (const char *)cmdline : "");

	n = bp[BP_E820_ENTRIES];
	kprintf("e820: %u entries\n", n);
	if (n > E820_MAX)
		n = E820_MAX;
	for (unsigned i = 0; i < n; i++) {
		const u8 *e = bp + BP_E820_TABLE + 20 * i;
		u64 addr = rd64(e, 0), size = rd64(e, 8);
		u32 type = rd32(e, 16);
		kprintf("e820 %u: 0x%016lx-0x%016lx type %u (%s)\n", i, addr, addr + size - 1, type,
			e820_type_name(type));
	}

	initrd = rd32(bp, BP_HDR_RAMDISK_IMAGE) | (u64)rd32(bp, BP_EXT_RAMDISK_IMAGE) << 32;
	initrd_size = rd32(bp, BP_HDR_RAMDISK_SIZE) | (u64)rd32(bp, BP_EXT_RAMDISK_SIZE) << 32;
	if (!initrd_size) {
		puts("initrd: none\n");
	} else {
		const u8 *p = (const u8 *)initrd;
		kprintf("initrd: at 0x%lx, %lu bytes\n", initrd, initrd_size);
		puts("initrd: first bytes:");
		for (u64 i = 0; i < 16 && i < initrd_size; i++)
			kprintf(" %02x", p[i]);
		puts("\n");
	}
	puts("bzimage: done\n");
	return EXIT_OK;
}
