/*
 * rtc: MC146818 CMOS RTC checks (ports 0x70/0x71).
 * Reads the time after UIP clears, twice until two reads agree; prints it as
 * YYYY-MM-DD hh:mm:ss in BCD mode, then switches register B to binary mode
 * (the model presents its registers in the current format, as QEMU does) and
 * reads again; checks register B format bits read back, BCD validity, value
 * ranges, that both reads agree, and register D's VRT bit.  Register B is
 * restored at the end.
 */
#include "lore.h"

#define REG_A 0x0a
#define REG_B 0x0b
#define REG_C 0x0c
#define REG_D 0x0d
#define REG_CENTURY 0x32

struct rtc_regs {
	u8 sec, min, hour, day, mon, year, century;
};

static int wait_uip_clear(void)
{
	for (u32 i = 0; i < 100000; i++)
		if (!(cmos_read(REG_A) & 0x80))
			return 1;
	return 0;
}

static void read_once(struct rtc_regs *r)
{
	r->sec = cmos_read(0x00);
	r->min = cmos_read(0x02);
	r->hour = cmos_read(0x04);
	r->day = cmos_read(0x07);
	r->mon = cmos_read(0x08);
	r->year = cmos_read(0x09);
	r->century = cmos_read(REG_CENTURY);
}

/* UIP clear, then read until two consecutive reads agree. */
static int read_stable(struct rtc_regs *r)
{
	struct rtc_regs again;
	for (int tries = 0; tries < 10; tries++) {
		if (!wait_uip_clear())
			return 0;
		read_once(r);
		if (!wait_uip_clear())
			return 0;
		read_once(&again);
		if (!memcmp(r, &again, sizeof(again)))
			return 1;
	}
	return 0;
}

static int bcd_ok(u8 v)
{
	return (v & 0x0f) <= 9 && (v >> 4) <= 9;
}

static u8 bcd2bin(u8 v)
{
	return (u8)((v >> 4) * 10 + (v & 0x0f));
}

static void to_binary(struct rtc_regs *r)
{
	r->sec = bcd2bin(r->sec);
	r->min = bcd2bin(r->min);
	r->hour = bcd2bin(r->hour);
	r->day = bcd2bin(r->day);
	r->mon = bcd2bin(r->mon);
	r->year = bcd2bin(r->year);
	r->century = bcd2bin(r->century);
}

static unsigned full_year(const struct rtc_regs *r)
{
	unsigned c = (r->century >= 19 && r->century <= 21) ? r->century : 20;
	return c * 100 + r->year;
}

static void print_time(const struct rtc_regs *r, const char *mode)
{
	kprintf("rtc: %04u-%02u-%02u %02u:%02u:%02u (%s mode)\n", full_year(r), r->mon, r->day,
		r->hour, r->min, r->sec, mode);
}

static void check_ranges(const struct rtc_regs *r, const char *mode)
{
	char what[64];
	ksnprintf(what, sizeof(what), "%s: seconds 0..59", mode);
	check_range(what, 0, 59, r->sec);
	ksnprintf(what, sizeof(what), "%s: minutes 0..59", mode);
	check_range(what, 0, 59, r->min);
	ksnprintf(what, sizeof(what), "%s: hours 0..23", mode);
	check_range(what, 0, 23, r->hour);
	ksnprintf(what, sizeof(what), "%s: day of month 1..31", mode);
	check_range(what, 1, 31, r->day);
	ksnprintf(what, sizeof(what), "%s: month 1..12", mode);
	check_range(what, 1, 12, r->mon);
	ksnprintf(what, sizeof(what), "%s: year 0..99", mode);
	check_range(what, 0, 99, r->year);
}

int kmain(const struct hvm_start_info *si)
{
	struct rtc_regs bcd, bin;
	u8 a, b_orig, b;
	int ok;

	(void)si;
	puts("rtc: MC146818 checks\n");
	a = cmos_read(REG_A);
	b_orig = cmos_read(REG_B);
	kprintf("rtc: register A 0x%02x, register B 0x%02x, century register 0x%02x\n", a, b_orig,
		cmos_read(REG_CENTURY));
	check_eqx("register D: VRT (valid RAM and time) set", 0x80, cmos_read(REG_D) & 0x80);
	(void)cmos_read(REG_C); /* clears pending flags */

	/* BCD, 24-hour, no interrupts */
	cmos_write(REG_B, 0x02);
	b = cmos_read(REG_B);
	check_eqx("register B reads back 0x02 (BCD, 24-hour)", 0x02, b);
	ok = read_stable(&bcd);
	check_true("BCD time read (UIP clear, two equal reads)", ok, "stable read", "none");
	check_true("BCD mode: all time registers are valid BCD",
		   bcd_ok(bcd.sec) && bcd_ok(bcd.min) && bcd_ok(bcd.hour) && bcd_ok(bcd.day) &&
			   bcd_ok(bcd.mon) && bcd_ok(bcd.year),
		   "BCD digits", "a nibble > 9");
	to_binary(&bcd);
	print_time(&bcd, "BCD");
	check_ranges(&bcd, "BCD");

	/* binary, 24-hour */
	cmos_write(REG_B, 0x06);
	b = cmos_read(REG_B);
	check_eqx("register B reads back 0x06 (binary, 24-hour)", 0x06, b);
	ok = read_stable(&bin);
	check_true("binary time read (UIP clear, two equal reads)", ok, "stable read", "none");
	print_time(&bin, "binary");
	check_ranges(&bin, "binary");
	{
		s32 t0 = bcd.hour * 3600 + bcd.min * 60 + bcd.sec;
		s32 t1 = bin.hour * 3600 + bin.min * 60 + bin.sec;
		s32 d = t1 - t0;
		int same_day = bin.day == bcd.day && bin.mon == bcd.mon && bin.year == bcd.year;
		if (d < 0 && !same_day)
			d += 86400; /* midnight passed in between */
		check_range("binary time agrees with BCD time (0..2 s later)", 0, 2, (u64)(s64)d);
	}

	cmos_write(REG_B, b_orig);
	check_eqx("register B restored", b_orig, cmos_read(REG_B));
	return checks_finish("rtc");
}
