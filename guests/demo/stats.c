/* Producer-side statistics: how many records of each kind were sent. */
#include "demo.h"

#define NR_KINDS 3 /* data, fill, sync */

/*
 * Per-kind counters.  The linker places this array directly before
 * ring_ctl (sections sorted by name), which makes the demo's memory layout
 * deterministic; in a real kernel such neighbours are accidental.
 */
u32 kind_count[NR_KINDS] __attribute__((section(".data_ordered.1_stats"), aligned(4)));
static u32 total_words;

void stats_note_record(const struct record *r)
{
	kind_count[r->kind]++;
	total_words += r->len;
}

u32 stats_total_words(void)
{
	return total_words;
}
