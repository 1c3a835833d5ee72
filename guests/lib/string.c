/* Freestanding string helpers (gcc may also emit calls to mem* itself). */
#include "lore.h"

void *memset(void *d, int c, size_t n)
{
	u8 *p = d;
	while (n--)
		*p++ = (u8)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	u8 *p = d;
	const u8 *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	u8 *p = d;
	const u8 *q = s;
	if (p < q) {
		while (n--)
			*p++ = *q++;
	} else {
		while (n--)
			p[n] = q[n];
	}
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *p = a, *q = b;
	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (u8)*a - (u8)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (u8)*a - (u8)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

u64 cmdline_u64(const char *cmdline, const char *key, u64 dflt)
{
	size_t klen = strlen(key);
	const char *p = cmdline;

	if (!p)
		return dflt;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			const char *v = p + klen + 1;
			unsigned base = 10;
			u64 n = 0;
			int digits = 0;
			if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
				base = 16;
				v += 2;
			}
			for (;; v++, digits++) {
				unsigned d;
				if (*v >= '0' && *v <= '9')
					d = *v - '0';
				else if (base == 16 && *v >= 'a' && *v <= 'f')
					d = *v - 'a' + 10;
				else if (base == 16 && *v >= 'A' && *v <= 'F')
					d = *v - 'A' + 10;
				else
					break;
				n = n * base + d;
			}
			if (digits && (*v == ' ' || *v == 0))
				return n;
			return dflt;
		}
		while (*p && *p != ' ')
			p++;
	}
	return dflt;
}
