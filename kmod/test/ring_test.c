/* Unit tests of the shared circular buffer (kmod/lore_ring.h), compiled as ordinary C. */
#include <pthread.h>
#include <stdint.h>
#include "tap.h"
#include "../lore_ring.h"

#define CAP 64

static struct lore_ring shared;
static struct lore_record records[CAP];
static struct lore_ring_side prod, cons;

static void setup(void)
{
	lore_ring_init(&prod, &shared, records, CAP, sizeof(struct lore_record));
	lore_ring_join_consumer(&cons, &shared, records, CAP, sizeof(struct lore_record));
}

static struct lore_record rec(__u64 n)
{
	struct lore_record r;
	memset(&r, 0, sizeof(r));
	r.kind = LORE_REC_TSC;
	r.value = n;
	r.addr = ~n;
	return r;
}

static void fifo_order(void)
{
	struct lore_record r;
	setup();
	for (int i = 0; i < 10; i++) {
		r = rec(i);
		CHECK_EQ(lore_ring_push(&prod, &r), 0);
	}
	CHECK_EQ(lore_ring_available(&cons), 10);
	for (int i = 0; i < 10; i++) {
		CHECK_EQ(lore_ring_pop(&cons, &r), 1);
		CHECK_EQ(r.value, i);
		CHECK_EQ(r.addr, ~(__u64)i);
	}
	CHECK_EQ(lore_ring_pop(&cons, &r), 0);
	CHECK_EQ(shared.head, 10);
	CHECK_EQ(shared.tail, 10);
}

static void wraps_around_many_times(void)
{
	struct lore_record r;
	__u64 next_in = 0, next_out = 0, refused = 0;
	setup();
	/* uneven batches so every slot is written at every phase */
	for (int round = 0; round < 1000; round++) {
		int n = 1 + round % 37;
		for (int i = 0; i < n; i++) {
			r = rec(next_in);
			if (lore_ring_push(&prod, &r) == 0)
				next_in++;
			else
				refused++;
		}
		int m = 1 + (round * 7) % 41;
		for (int i = 0; i < m && lore_ring_pop(&cons, &r) == 1; i++) {
			CHECK_EQ(r.value, next_out);
			next_out++;
		}
	}
	while (lore_ring_pop(&cons, &r) == 1) {
		CHECK_EQ(r.value, next_out);
		next_out++;
	}
	CHECK_EQ(next_out, next_in);
	CHECK(next_in > 10 * CAP);
	CHECK(refused > 0);	/* the batches did fill it */
	CHECK_EQ(shared.dropped, refused);
}

static void full_ring_drops_and_counts(void)
{
	struct lore_record r;
	setup();
	for (int i = 0; i < CAP; i++) {
		r = rec(i);
		CHECK_EQ(lore_ring_push(&prod, &r), 0);
	}
	CHECK_EQ(lore_ring_free(&prod), 0);
	r = rec(999);
	CHECK_EQ(lore_ring_push(&prod, &r), -1);
	CHECK_EQ(lore_ring_push(&prod, &r), -1);
	CHECK_EQ(shared.dropped, 2);
	CHECK_EQ(shared.head, CAP);
	/* the oldest record was not overwritten */
	CHECK_EQ(lore_ring_pop(&cons, &r), 1);
	CHECK_EQ(r.value, 0);
	CHECK_EQ(lore_ring_free(&prod), 1);
	r = rec(CAP);
	CHECK_EQ(lore_ring_push(&prod, &r), 0);
}

static void peek_does_not_consume(void)
{
	struct lore_record r = rec(42), p;
	setup();
	CHECK_EQ(lore_ring_peek(&cons, &p), 0);
	lore_ring_push(&prod, &r);
	CHECK_EQ(lore_ring_peek(&cons, &p), 1);
	CHECK_EQ(p.value, 42);
	CHECK_EQ(lore_ring_available(&cons), 1);
	CHECK_EQ(lore_ring_pop(&cons, &p), 1);
	CHECK_EQ(lore_ring_available(&cons), 0);
}

/* The consumer is user space: whatever it writes into tail, the producer stays in bounds. */
static void producer_survives_garbage_tail(void)
{
	struct lore_record r = rec(1);
	/* tail values and what the producer must make of them with head = 3 */
	__u64 bad[] = { 5, 1000, 1ull << 63, (__u64)-1 };
	int expect[] = { -1, -1, -1, 0 };	/* ahead of head: full; -1 reads as 4 behind: in bounds */
	for (unsigned k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		setup();
		for (int i = 0; i < 3; i++)
			lore_ring_push(&prod, &r);
		shared.tail = bad[k];	/* ahead of head or absurdly behind */
		CHECK(lore_ring_used(&prod) <= CAP);
		int rc = lore_ring_push(&prod, &r);
		CHECK_EQ(rc, expect[k]);
		CHECK_EQ(prod.pos, 3 + (rc == 0));	/* never jumps */
		CHECK_EQ(shared.dropped, rc == 0 ? 0 : 1);
	}
}

/* The producer is user space for the feed ring: an impossible head is detected, not followed. */
static void consumer_rejects_impossible_head(void)
{
	struct lore_record r;
	setup();
	shared.head = CAP + 1;		/* more than a ring ahead */
	CHECK_EQ(lore_ring_available(&cons), -1);
	CHECK_EQ(lore_ring_pop(&cons, &r), -1);
	shared.head = (__u64)-5;	/* behind the tail */
	CHECK_EQ(lore_ring_pop(&cons, &r), -1);
	shared.head = CAP;		/* exactly full is fine */
	CHECK_EQ(lore_ring_available(&cons), CAP);
	CHECK_EQ(cons.pos, 0);
}

static void join_starts_at_current_indices(void)
{
	struct lore_record r = rec(7);
	struct lore_ring_side late;
	setup();
	lore_ring_push(&prod, &r);
	lore_ring_push(&prod, &r);
	lore_ring_pop(&cons, &r);
	lore_ring_join_consumer(&late, &shared, records, CAP, sizeof(struct lore_record));
	CHECK_EQ(late.pos, 1);
	CHECK_EQ(lore_ring_available(&late), 1);
	struct lore_ring_side p2;
	lore_ring_join_producer(&p2, &shared, records, CAP, sizeof(struct lore_record));
	CHECK_EQ(p2.pos, 2);
}

static void capacity_rules(void)
{
	CHECK(lore_ring_capacity_ok(64));
	CHECK(lore_ring_capacity_ok(1u << 20));
	CHECK(!lore_ring_capacity_ok(0));
	CHECK(!lore_ring_capacity_ok(32));
	CHECK(!lore_ring_capacity_ok(100));
	CHECK(!lore_ring_capacity_ok(1u << 21));
	CHECK(!lore_ring_capacity_ok(0xffffffffu));
}

/* One producer thread and one consumer thread, as kernel and user space run: nothing lost,
 * duplicated, reordered or torn. */
#define STRESS_N 2000000
static struct lore_ring tshared;
static struct lore_record trecords[256];
static struct lore_ring_side tprod, tcons;
static __u64 producer_full;

static void *producer_thread(void *arg)
{
	(void)arg;
	for (__u64 i = 0; i < STRESS_N;) {
		struct lore_record r = rec(i);
		if (lore_ring_push(&tprod, &r) == 0)
			i++;
		else
			producer_full++;
	}
	return NULL;
}

static void concurrent_producer_and_consumer(void)
{
	pthread_t t;
	struct lore_record r;
	__u64 expect = 0;
	int torn = 0;
	lore_ring_init(&tprod, &tshared, trecords, 256, sizeof(struct lore_record));
	lore_ring_join_consumer(&tcons, &tshared, trecords, 256, sizeof(struct lore_record));
	pthread_create(&t, NULL, producer_thread, NULL);
	while (expect < STRESS_N) {
		int rc = lore_ring_pop(&tcons, &r);
		CHECK(rc >= 0);
		if (rc == 1) {
			if (r.value != expect || r.addr != ~expect)
				torn++;
			expect++;
		}
	}
	pthread_join(t, NULL);
	CHECK_EQ(torn, 0);
	CHECK_EQ(expect, STRESS_N);
	CHECK_EQ(tshared.head, STRESS_N);
	CHECK_EQ(tshared.dropped, producer_full);	/* every refused push was counted */
}

int main(void)
{
	TEST(fifo_order);
	TEST(wraps_around_many_times);
	TEST(full_ring_drops_and_counts);
	TEST(peek_does_not_consume);
	TEST(producer_survives_garbage_tail);
	TEST(consumer_rejects_impossible_head);
	TEST(join_starts_at_current_indices);
	TEST(capacity_rules);
	TEST(concurrent_producer_and_consumer);
	return tap_done();
}
