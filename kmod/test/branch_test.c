/* Unit tests of the branch-counter arithmetic shared by lore.ko (kmod/lore_branch.h). */
#include "tap.h"
#include "../lore_branch.h"

static void period_stops_margin_early(void)
{
	CHECK_EQ(lore_branch_period(0, 1000000, 100), 999900);
	CHECK_EQ(lore_branch_period(500000, 1000000, 100), 499900);
	CHECK_EQ(lore_branch_period(0, 1ull << 40, 10000), (1ull << 40) - 10000);
}

static void no_period_inside_the_margin(void)
{
	CHECK_EQ(lore_branch_period(1000, 1100, 100), 0);	/* exactly the margin away */
	CHECK_EQ(lore_branch_period(1000, 1050, 100), 0);
	CHECK_EQ(lore_branch_period(1000, 1000, 0), 0);	/* at the target */
	CHECK_EQ(lore_branch_period(2000, 1000, 0), 0);	/* past it: never wrap around */
	CHECK_EQ(lore_branch_period(1000, 1000 + 100 + LORE_BRANCH_MIN_PERIOD - 1, 100), 0);
	CHECK_EQ(lore_branch_period(1000, 1000 + 100 + LORE_BRANCH_MIN_PERIOD, 100), LORE_BRANCH_MIN_PERIOD);
}

static void no_overflow_near_the_top(void)
{
	__u64 top = ~0ull;
	CHECK_EQ(lore_branch_period(top - 10, top, 0), 0);
	CHECK_EQ(lore_branch_period(0, top, top), 0);
	CHECK_EQ(lore_branch_period(1, top, 1), top - 2);
}

static void window(void)
{
	CHECK(lore_branch_in_window(999900, 1000000, 100));
	CHECK(lore_branch_in_window(1000000, 1000000, 100));
	CHECK(!lore_branch_in_window(1000001, 1000000, 100));	/* overshoot: past the target */
	CHECK(!lore_branch_in_window(10, 1000000, 100));	/* far too early: re-arm */
}

static void config_fields(void)
{
	CHECK(lore_branch_config_ok(0xd1));	/* AMD Ex_Ret_Cond */
	CHECK(lore_branch_config_ok(0x01c4));	/* Intel BR_INST_RETIRED.CONDITIONAL */
	CHECK(lore_branch_config_ok(0x7ec4));
	CHECK(lore_branch_config_ok(0x1000000c4ull));	/* AMD extended event select bits */
	CHECK(!lore_branch_config_ok(0));
	CHECK(!lore_branch_config_ok(0x4001c4));	/* enable bit */
	CHECK(!lore_branch_config_ok(0x10001c4));	/* cmask */
	CHECK(!lore_branch_config_ok(1ull << 40));	/* host-only / guest-only bits are ours to set */
}

int main(void)
{
	TEST(period_stops_margin_early);
	TEST(no_period_inside_the_margin);
	TEST(no_overflow_near_the_top);
	TEST(window);
	TEST(config_fields);
	return tap_done();
}
