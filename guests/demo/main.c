/*
 * LoRe demo kernel: a producer and a consumer thread, preemptively switched
 * by the PIT, pass checksummed records through a ring buffer.  The consumer
 * verifies every record and, at checkpoints, the ring's control block.
 * Everything printed comes from one thread at deterministic points, so the
 * output does not depend on where the timer preempted.
 */
#include "demo.h"

#define DEMO_EXIT_BUG 3

/* "verbose=1" on the command line: also print the (timing-dependent)
 * scheduler statistics at the end. */
static int verbose;

static void print_sched_stats(void)
{
	if (verbose)
		kprintf("demo: %u timer ticks, %u context switches\n", sched_ticks, sched_switches);
}

u32 record_checksum(const struct record *r)
{
	u32 h = 0x811c9dc5u; /* FNV-1a over the header and the payload in use */
	h = (h ^ r->seq) * 0x01000193u;
	h = (h ^ r->kind) * 0x01000193u;
	h = (h ^ r->len) * 0x01000193u;
	for (u32 i = 0; i < r->len && i < PAYLOAD_WORDS; i++)
		h = (h ^ r->payload[i]) * 0x01000193u;
	return h;
}

static void make_record(struct record *r, u32 seq)
{
	u32 x = seq * 0x9e3779b9u ^ 0x5bd1e995u;

	memset(r, 0, sizeof(*r));
	r->seq = seq;
	if (seq % EPOCH_EVERY == EPOCH_EVERY - 1)
		r->kind = KIND_EPOCH;
	else if (seq % 16 == 0)
		r->kind = KIND_SYNC;
	else if (seq % 5 == 3)
		r->kind = KIND_FILL;
	else
		r->kind = KIND_DATA;
	r->len = 1 + seq % PAYLOAD_WORDS;
	for (u32 i = 0; i < r->len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		r->payload[i] = r->kind == KIND_FILL ? 0xf111f111u : x;
	}
	r->checksum = record_checksum(r);
}

static void producer(void)
{
	struct record r;

	for (u32 seq = 0; seq < NR_RECORDS; seq++) {
		make_record(&r, seq);
		stats_note_record(&r);
		while (!ring_put(&r))
			sched_yield();
	}
}

static void report_bug(const char *what, u32 record, u32 value, u32 expected)
{
	kprintf("BUG: corrupted %s at record %u (value 0x%08x, expected 0x%08x)\n", what, record,
		value, expected);
	print_sched_stats();
	lore_exit(DEMO_EXIT_BUG);
}

static void checkpoint(u32 n)
{
	if (ring_ctl.magic != RING_MAGIC)
		report_bug("ring_ctl.magic", n, ring_ctl.magic, RING_MAGIC);
	if (ring_ctl.nslots != RING_SLOTS)
		report_bug("ring_ctl.nslots", n, ring_ctl.nslots, RING_SLOTS);
	kprintf("consumer: checkpoint at record %u: ring control block intact\n", n);
}

static void consumer(void)
{
	struct record r;
	u32 digest = 0;

	for (u32 n = 0; n < NR_RECORDS;) {
		u32 sum;
		if (!ring_get(&r)) {
			sched_yield();
			continue;
		}
		if (r.seq != n)
			report_bug("record sequence", n, r.seq, n);
		sum = record_checksum(&r);
		if (sum != r.checksum)
			report_bug("record checksum", n, r.checksum, sum);
		digest = (digest << 5 | digest >> 27) ^ sum;
		n++;
		if (n % PROGRESS_EVERY == 0)
			kprintf("consumer: %u records verified, digest 0x%08x\n", n, digest);
		if (n % CHECKPOINT_EVERY == 0)
			checkpoint(n);
	}
	kprintf("consumer: all %u records verified, digest 0x%08x\n", NR_RECORDS, digest);
}

int kmain(const struct hvm_start_info *si)
{
	verbose = (int)cmdline_u64(pvh_cmdline(si), "verbose", 0);
	puts("LoRe demo kernel\n");
	kprintf("demo: producer -> ring of %u slots -> consumer, %u records, PIT %u Hz\n",
		RING_SLOTS, NR_RECORDS, DEMO_HZ);
	sched_init();
	thread_create("producer", producer);
	thread_create("consumer", consumer);
	puts("demo: starting threads\n");
	sched_run();
	kprintf("demo: done, %u payload words sent\n", stats_total_words());
	print_sched_stats();
	return EXIT_OK;
}
