/* hello: boot check; prints the PVH command line, modules and memory map. */
#include "lore.h"

int kmain(const struct hvm_start_info *si)
{
	puts("Hello from LoRe guest\n");
	if (!si || si->magic != HVM_START_MAGIC) {
		kprintf("FAIL hvm_start_info: expected magic 0x%x got 0x%x\n", HVM_START_MAGIC,
			si ? si->magic : 0);
		return EXIT_FAIL;
	}
	kprintf("start_info: at 0x%lx version %u flags 0x%x\n", (u64)si, si->version, si->flags);
	kprintf("cmdline: \"%s\"\n", pvh_cmdline(si));
	if (si->nr_modules && si->modlist_paddr) {
		const struct hvm_modlist_entry *m = (const void *)si->modlist_paddr;
		for (u32 i = 0; i < si->nr_modules; i++)
			kprintf("module %u: 0x%lx size %lu\n", i, m[i].paddr, m[i].size);
	}
	if (si->version >= 1 && si->memmap_paddr) {
		const struct hvm_memmap_table_entry *e = (const void *)si->memmap_paddr;
		kprintf("memmap: %u entries\n", si->memmap_entries);
		for (u32 i = 0; i < si->memmap_entries; i++)
			kprintf("memmap %u: 0x%016lx-0x%016lx type %u (%s)\n", i, e[i].addr,
				e[i].addr + e[i].size - 1, e[i].type, e820_type_name(e[i].type));
	} else {
		puts("memmap: none\n");
	}
	puts("hello: done\n");
	return EXIT_OK;
}
