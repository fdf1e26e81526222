/* fuzz_csv.c - CSV exports through every built-in format.  The format is
 * the one whose detect columns the first line matches best (as
 * tally-ingest detects it), else the first byte picks one, so seeds from
 * tests/fixtures/ingest reach each format and mutations reach the rest. */
#include <string.h>

#include "csvin.h"
#include "fuzz.h"
#include "ingest_formats.h"
#include "ingest_map.h"
#include "ingest_run.h"

static struct imap *formats;

static void init(void)
{
	formats = calloc(ingest_nformats, sizeof *formats);
	FUZZ_CHECK(formats);
	for (size_t i = 0; i < ingest_nformats; i++)
		FUZZ_CHECK(imap_parse(&formats[i], ingest_formats[i].text, ingest_formats[i].name) == 0);
}

/* The format whose detect columns the first record matches most. */
static size_t pick(const char *path, uint8_t first)
{
	struct csvin c;
	size_t best = first % ingest_nformats, best_hit = 0;
	if (csvin_open(&c, path, 0, CSVIN_AUTO) == 0 && csvin_next(&c) == 1)
		for (size_t i = 0; i < ingest_nformats; i++) {
			size_t total, hit = imap_score(&formats[i], c.fields, c.nfields, &total);
			if (hit > best_hit) {
				best = i;
				best_hit = hit;
			}
		}
	csvin_close(&c);
	return best;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!formats)
		init();
	const char *path = fuzz_path(0, data, size);
	size_t i = pick(path, size ? data[0] : 0);
	/* a fresh copy: evaluation keeps per-file state (totals, dedupe ids) */
	struct imap m;
	memset(&m, 0, sizeof m);
	FUZZ_CHECK(imap_parse(&m, ingest_formats[i].text, ingest_formats[i].name) == 0);
	fuzz_ingest(&m, path);
	imap_free(&m);
	return 0;
}
