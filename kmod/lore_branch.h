/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Branch-counter positioning arithmetic, shared by lore.ko and its user-space tests.
 *
 * A guest-only counter of retired (conditional) branches counts up while the vCPU runs the
 * guest. To stop the guest just before the point with count `target`, the counter is
 * programmed to overflow after `period` more branches, `margin` early: PMU interrupts arrive
 * late by a few (Intel) to thousands (AMD) of branches ("skid"), and the stop must never
 * land past the target. User space then finishes with a breakpoint and single steps.
 */
#ifndef LORE_BRANCH_H
#define LORE_BRANCH_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#include <linux/types.h>
#endif

/* Smallest period the module programs: shorter ones would interrupt the guest for nothing. */
#define LORE_BRANCH_MIN_PERIOD	16ull

/*
 * The sample period that makes the counter overflow `margin` branches before `target`, now
 * that it reads `now`; 0 when the guest is already within the margin (or past the target):
 * no counter is armed and user space must finish by breakpoint and stepping right away.
 */
static inline __u64 lore_branch_period(__u64 now, __u64 target, __u64 margin)
{
	if (target <= now || target - now <= margin)
		return 0;
	if (target - now - margin < LORE_BRANCH_MIN_PERIOD)
		return 0;
	return target - now - margin;
}

/* Whether an overflow reading `count` means the guest reached the stopping window. */
static inline int lore_branch_in_window(__u64 count, __u64 target, __u64 margin)
{
	return count <= target && target - count <= margin + LORE_BRANCH_MIN_PERIOD;
}

/* A raw config is accepted when it fits the event-select and unit-mask fields (no flag bits:
 * the module sets exclude_host itself and user space must not switch on edge/inv/cmask). */
static inline int lore_branch_config_ok(__u64 config)
{
	return config != 0 && (config & ~0xf0000ffffull) == 0;
}

#endif /* LORE_BRANCH_H */
