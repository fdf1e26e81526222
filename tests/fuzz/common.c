/* common.c - the helpers of fuzz.h, linked into every harness. */
#include "fuzz.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int fds[4] = {-1, -1, -1, -1};
static char paths[4][32];

const char *fuzz_path(int slot, const void *data, size_t size)
{
	if (fds[slot] < 0) {
		fds[slot] = memfd_create("fuzz", 0);
		if (fds[slot] < 0)
			abort();
		snprintf(paths[slot], sizeof paths[slot], "/proc/self/fd/%d", fds[slot]);
	}
	if (ftruncate(fds[slot], 0) < 0 || pwrite(fds[slot], data, size, 0) != (ssize_t)size)
		abort();
	return paths[slot];
}

char *fuzz_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, n = 0, k;
	char *s = malloc(cap);
	if (!f || !s)
		abort();
	while ((k = fread(s + n, 1, cap - n - 1, f)) > 0) {
		n += k;
		if (cap - n - 1 == 0 && !(s = realloc(s, cap *= 2)))
			abort();
	}
	fclose(f);
	s[n] = '\0';
	*len = n;
	return s;
}

void fuzz_split(const uint8_t *data, size_t size, const uint8_t **a, size_t *alen,
		const uint8_t **b, size_t *blen)
{
	const uint8_t *nul = memchr(data, '\0', size);
	*a = data;
	*alen = nul ? (size_t)(nul - data) : size;
	*b = nul ? nul + 1 : data + size;
	*blen = nul ? size - *alen - 1 : 0;
}
