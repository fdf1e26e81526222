/* fuzz_map.c - the mapping language of tally-ingest --map.  Input: a
 * mapping, a NUL, a CSV export.  Any mapping parses or is refused without
 * a memory error; one that parses reads the export. */
#include <string.h>

#include "fuzz.h"
#include "ingest_map.h"
#include "ingest_run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *map, *csv;
	size_t mlen, clen;
	struct imap m;

	fuzz_split(data, size, &map, &mlen, &csv, &clen);
	char *text = malloc(mlen + 1);
	FUZZ_CHECK(text);
	memcpy(text, map, mlen);
	text[mlen] = '\0';
	memset(&m, 0, sizeof m);
	if (imap_parse(&m, text, "fuzz.map") == 0)
		fuzz_ingest(&m, fuzz_path(0, csv, clen));
	imap_free(&m);
	free(text);
	return 0;
}
