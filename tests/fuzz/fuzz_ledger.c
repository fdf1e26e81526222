/* fuzz_ledger.c - the payout ledger: any bytes load or are refused (with a
 * line and a reason) without a memory error. */
#include <string.h>

#include "fuzz.h"
#include "report_ledger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report_ledger l;
	long line = -1;
	char err[512];

	memset(&l, 0, sizeof l);
	err[0] = '\0';
	int rc = report_ledger_load(&l, fuzz_path(0, data, size), &line, err, sizeof err);
	FUZZ_CHECK(rc == 0 || rc == -2);
	FUZZ_CHECK(rc == 0 || (err[0] && line >= 0));
	report_ledger_free(&l);
	return 0;
}
