/* A minimal test harness for the user-space tests of lore.ko's shared code: one line per
 * test, "ok - name" or "not ok - name: reason", then a summary line. The Java side
 * (io.lore.kmod tests) turns each line into a JUnit result. */
#ifndef LORE_TAP_H
#define LORE_TAP_H
#include <stdio.h>
#include <stdlib.h>

static int tap_failed, tap_run;
static const char *tap_current;
static int tap_current_failed;

#define CHECK(cond) do { \
	if (!(cond) && !tap_current_failed) { \
		printf("not ok - %s: %s:%d: %s\n", tap_current, __FILE__, __LINE__, #cond); \
		tap_current_failed = 1; \
	} \
} while (0)

#define CHECK_EQ(a, b) do { \
	unsigned long long _a = (unsigned long long)(a), _b = (unsigned long long)(b); \
	if (_a != _b && !tap_current_failed) { \
		printf("not ok - %s: %s:%d: %s == %s (%llu != %llu)\n", tap_current, __FILE__, __LINE__, #a, #b, _a, _b); \
		tap_current_failed = 1; \
	} \
} while (0)

#define TEST(fn) do { \
	tap_current = #fn; tap_current_failed = 0; tap_run++; \
	fn(); \
	if (tap_current_failed) tap_failed++; else printf("ok - %s\n", #fn); \
	fflush(stdout); \
} while (0)

static inline int tap_done(void)
{
	printf("# %d tests, %d failed\n", tap_run, tap_failed);
	return tap_failed ? 1 : 0;
}
#endif
