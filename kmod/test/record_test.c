/* Unit tests of the record encoding shared by lore.ko and user space (kmod/lore_record.h). */
#include "tap.h"
#include "../lore_record.h"

static void record_is_32_bytes(void)
{
	CHECK_EQ(sizeof(struct lore_record), 32);
	CHECK_EQ(sizeof(struct lore_ring), 192);
	CHECK_EQ(sizeof(struct lore_shared) % 64, 0);
	CHECK_EQ(__builtin_offsetof(struct lore_record, exits), 8);
	CHECK_EQ(__builtin_offsetof(struct lore_record, value), 24);
	CHECK_EQ(__builtin_offsetof(struct lore_shared, events) % 64, 0);
}

static void pio_in_and_out(void)
{
	struct lore_record r;
	unsigned char in1[] = { 0x9c };
	lore_rec_pio(&r, 0, 17, 0, 0x40, 1, 1, in1);
	CHECK_EQ(r.kind, LORE_REC_PIO);
	CHECK_EQ(r.exits, 17);
	CHECK_EQ(r.arg, 0x40);
	CHECK_EQ(r.flags, 1);
	CHECK_EQ(r.value, 0x9c);
	CHECK_EQ(r.addr, 1);
	CHECK(lore_record_valid(&r));
	unsigned char out4[] = { 0x78, 0x56, 0x34, 0x12, 0xff, 0xff };
	lore_rec_pio(&r, 3, 1, 1, 0xcf8, 4, 2, out4);
	CHECK_EQ(r.flags, LORE_F_WRITE | 4);
	CHECK_EQ(r.value, 0x12345678);	/* little-endian, exactly size bytes */
	CHECK_EQ(r.vcpu, 3);
	CHECK_EQ(r.addr, 2);
	CHECK(lore_record_valid(&r));
	unsigned short w = 0xbeef;
	lore_rec_pio(&r, 0, 0, 0, 0x71, 2, 1, &w);
	CHECK_EQ(r.value, 0xbeef);
}

static void pio_rejects_bad_sizes(void)
{
	struct lore_record r;
	unsigned long long v = 1;
	lore_rec_pio(&r, 0, 0, 0, 0x60, 3, 1, &v);
	CHECK(!lore_record_valid(&r));
	lore_rec_pio(&r, 0, 0, 0, 0x60, 8, 1, &v);
	CHECK(!lore_record_valid(&r));
	lore_rec_pio(&r, 0, 0, 0, 0x60, 1, 1, &v);
	r.arg = 0x10000;
	CHECK(!lore_record_valid(&r));
}

static void mmio_read_and_write(void)
{
	struct lore_record r;
	unsigned long long q = 0x1122334455667788ull;
	lore_rec_mmio(&r, 0, 5, 1, 8, 0xfee00300, &q);
	CHECK_EQ(r.kind, LORE_REC_MMIO);
	CHECK_EQ(r.flags, LORE_F_WRITE | 8);
	CHECK_EQ(r.addr, 0xfee00300);
	CHECK_EQ(r.value, 0x1122334455667788ull);
	CHECK(lore_record_valid(&r));
	lore_rec_mmio(&r, 0, 5, 0, 2, 0xfed00000, &q);
	CHECK_EQ(r.value, 0x7788);
	CHECK(lore_record_valid(&r));
	lore_rec_mmio(&r, 0, 5, 0, 16, 0, &q);	/* longer than a record holds */
	CHECK_EQ(r.value, 0);
	CHECK(!lore_record_valid(&r));
	lore_rec_mmio(&r, 0, 5, 0, 4, 0, NULL);
	CHECK_EQ(r.value, 0);
}

static void msr_virq_tsc_exit(void)
{
	struct lore_record r;
	lore_rec_msr(&r, 1, 9, 0, 0x10, 0xabcdef, 0);
	CHECK_EQ(r.arg, 0x10);
	CHECK_EQ(r.value, 0xabcdef);
	CHECK_EQ(r.flags, 0);
	CHECK(lore_record_valid(&r));
	lore_rec_msr(&r, 1, 9, 1, 0xc0000080, 0xd01, 1);
	CHECK_EQ(r.flags, LORE_F_WRITE | LORE_F_FAULT);
	CHECK(lore_record_valid(&r));
	lore_rec_virq(&r, 0, 4, 0x20, 0, 1, 0x1000);
	CHECK_EQ(r.arg, 0x20);
	CHECK_EQ(r.flags, LORE_F_REINJECTED);
	CHECK_EQ(r.addr, 0x1000);
	CHECK(lore_record_valid(&r));
	lore_rec_virq(&r, 0, 4, 0x180, 1, 0, 0);	/* vectors are 8 bits */
	CHECK_EQ(r.arg, 0x80);
	CHECK_EQ(r.flags, LORE_F_SOFT);
	lore_rec_tsc(&r, 0, 77, 123456789, 0x2000);
	CHECK_EQ(r.kind, LORE_REC_TSC);
	CHECK_EQ(r.value, 123456789);
	CHECK_EQ(r.addr, 0x2000);
	CHECK(lore_record_valid(&r));
	lore_rec_exit(&r, 0, 78, 0x7b, 0x100d, 2);
	CHECK_EQ(r.arg, 0x7b);
	CHECK_EQ(r.value, 2);
	CHECK(lore_record_valid(&r));
}

static void unknown_and_damaged_records_are_invalid(void)
{
	struct lore_record r;
	memset(&r, 0, sizeof(r));
	CHECK(!lore_record_valid(&r));	/* kind 0 */
	r.kind = LORE_REC_KIND_MAX + 1;
	CHECK(!lore_record_valid(&r));
	lore_rec_tsc(&r, 0, 0, 1, 1);
	r.flags = 1;
	CHECK(!lore_record_valid(&r));
	lore_rec_exit(&r, 0, 0, 1, 1, 1);
	r.flags = LORE_F_WRITE;
	CHECK(!lore_record_valid(&r));
}

static void names(void)
{
	CHECK(!strcmp(lore_record_name(LORE_REC_PIO), "pio"));
	CHECK(!strcmp(lore_record_name(LORE_REC_TSC), "tsc"));
	CHECK(!strcmp(lore_record_name(LORE_REC_TSC_FEED), "tsc-feed"));
	CHECK(!strcmp(lore_record_name(0), "?"));
	CHECK(!strcmp(lore_record_name(200), "?"));
}

int main(void)
{
	TEST(record_is_32_bytes);
	TEST(pio_in_and_out);
	TEST(pio_rejects_bad_sizes);
	TEST(mmio_read_and_write);
	TEST(msr_virq_tsc_exit);
	TEST(unknown_and_damaged_records_are_invalid);
	TEST(names);
	return tap_done();
}
