/* fuzz_fx.c - the rates table of --fx: any bytes load or are refused
 * without a memory error; a loaded table converts sample amounts without
 * overflow going unreported. */
#include <string.h>

#include "fuzz.h"
#include "fx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const codes[] = {"USD", "EUR", "JPY", "GBP", "BHD"};
	static const int64_t amounts[] = {1, -10000000, 123456789012LL, 9223372036854775807LL};
	struct fx_table t;
	struct fx_error e;

	memset(&t, 0, sizeof t);
	if (fx_load(&t, fuzz_path(0, data, size), &e) == FX_OK)
		for (size_t c = 0; c < 5; c++)
			for (size_t d = 0; d < 5; d++)
				for (size_t a = 0; a < 4; a++) {
					int64_t out;
					struct ratio q;
					int64_t when;
					(void)fx_lookup(&t, codes[c], codes[d], 1790000000, &q, &when);
					(void)fx_convert(&t, amounts[a], codes[c], codes[d], 1790000000, &out);
				}
	fx_free(&t);
	return 0;
}
