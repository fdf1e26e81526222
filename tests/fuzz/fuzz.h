/* fuzz.h - what tally's libFuzzer harnesses share: the entry point's
 * prototype and a way to hand the fuzzer's bytes to code that opens paths.
 *
 * Each harness is one tests/fuzz/fuzz_NAME.c built by "make fuzz" with
 * clang -fsanitize=fuzzer,address,undefined against libtally.a.  A harness
 * fails (abort) only on a broken invariant it checks itself; memory and
 * UB errors are the sanitizers'. */
#ifndef TALLY_FUZZ_H
#define TALLY_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A path ("/proc/self/fd/N") whose file holds exactly data[0..size).
 * slot (0..3) picks one of several files kept open for the whole run, so a
 * harness can hand over two files at once.  Aborts if it cannot. */
const char *fuzz_path(int slot, const void *data, size_t size);

/* The bytes of the path's file (after the code under test wrote it), NUL
 * terminated; *len its length.  Caller frees. */
char *fuzz_slurp(const char *path, size_t *len);

/* Split data at its first NUL: *a..*alen before, *b..*blen after (empty
 * when there is no NUL). */
void fuzz_split(const uint8_t *data, size_t size, const uint8_t **a, size_t *alen,
		const uint8_t **b, size_t *blen);

/* A broken invariant: say which and abort, so libFuzzer keeps the input. */
#define FUZZ_CHECK(cond)                                                                   \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                           \
		}                                                                          \
	} while (0)

#endif
