/* Prints the numbers of include/uapi/lore.h as "NAME VALUE" lines; the Java bindings' test
 * (io.lore.kmod.AbiConsistencyTest) compares them with its own constants. */
#include <stddef.h>
#include <stdio.h>
#include "../include/uapi/lore.h"

#define P(x) printf("%s %llu\n", #x, (unsigned long long)(x))

int main(void)
{
	P(LORE_ABI_VERSION);
	P(LORE_SHARED_MAGIC);
	P(LORE_CAP_TRACE); P(LORE_CAP_TSC); P(LORE_CAP_BRANCH);
	P(LORE_MODE_RECORD); P(LORE_MODE_REPLAY);
	P(LORE_CAPTURE_EXITS); P(LORE_CAPTURE_PIO); P(LORE_CAPTURE_MMIO); P(LORE_CAPTURE_MSR);
	P(LORE_CAPTURE_VIRQ); P(LORE_CAPTURE_TSC); P(LORE_CAPTURE_ALL);
	P(LORE_STAT_TSC_LAYOUT_BAD);
	P(LORE_REC_EXIT); P(LORE_REC_PIO); P(LORE_REC_MMIO); P(LORE_REC_MSR); P(LORE_REC_VIRQ);
	P(LORE_REC_TSC); P(LORE_REC_BRANCH); P(LORE_REC_TSC_FEED);
	P(LORE_F_SIZE_MASK); P(LORE_F_WRITE);
	P(LORE_IOC_VERSION); P(LORE_IOC_ATTACH); P(LORE_IOC_DETACH); P(LORE_IOC_START); P(LORE_IOC_STOP);
	P(LORE_IOC_STATS); P(LORE_IOC_DRAIN); P(LORE_IOC_WAIT); P(LORE_IOC_BRANCH_ARM); P(LORE_IOC_BRANCH_READ);
	P(LORE_IOC_BRANCH_NOTIFY);
	P(sizeof(struct lore_record));
	P(sizeof(struct lore_version)); P(sizeof(struct lore_attach)); P(sizeof(struct lore_capture));
	P(sizeof(struct lore_stats)); P(sizeof(struct lore_drain)); P(sizeof(struct lore_wait));
	P(sizeof(struct lore_branch_arm));
	P(offsetof(struct lore_shared, events_offset)); P(offsetof(struct lore_shared, feed_offset));
	P(offsetof(struct lore_shared, size)); P(offsetof(struct lore_shared, events));
	P(offsetof(struct lore_shared, feed));
	P(offsetof(struct lore_ring, head)); P(offsetof(struct lore_ring, tail)); P(offsetof(struct lore_ring, dropped));
	P(offsetof(struct lore_ring, capacity)); P(offsetof(struct lore_ring, record_size));
	P(offsetof(struct lore_stats, flags)); P(offsetof(struct lore_stats, capturing));
	return 0;
}
