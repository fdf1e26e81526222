/* ingest_run.c - one export through a mapping (see ingest_run.h). */
#include "ingest_run.h"

#include <errno.h>

#include "csvin.h"
#include "fuzz.h"
#include "money.h"

#define HEADER_SEARCH 20 /* records looked at for the header, as tally-ingest */

static void eval_all(struct imap *m, struct csvin *c)
{
	struct imap_row rows[IMAP_MAX_ROWS];
	for (;;) {
		int r = csvin_next(c);
		if (r == 0)
			break;
		if (r < 0) {
			FUZZ_CHECK(errno == 0 && c->err[0]);
			continue; /* a malformed record: the reader goes on */
		}
		size_t n = 0;
		int st = imap_eval(m, c->fields, c->nfields, c->raw, c->raw_len, rows, &n);
		if (st == IMAP_STOP)
			break;
		if (st != IMAP_ROWS)
			continue;
		FUZZ_CHECK(n <= IMAP_MAX_ROWS);
		for (size_t i = 0; i < n; i++) {
			int64_t net;
			FUZZ_CHECK(money_sub(rows[i].gross, rows[i].fee, &net) && net == rows[i].net);
		}
	}
}

void fuzz_ingest(struct imap *m, const char *path)
{
	struct csvin c;
	int enc = m->enc >= 0 ? m->enc : CSVIN_AUTO;

	if (csvin_open(&c, path, m->sep, (enum csvin_encoding)enc) == 0) {
		bool bound = false, full = false;
		for (int k = 0; k < HEADER_SEARCH && !full; k++) {
			int r = csvin_next(&c);
			if (r == 0)
				break;
			if (r < 0)
				continue;
			size_t total, hit = imap_score(m, c.fields, c.nfields, &total);
			full = hit == total;
			if (full || !bound)
				bound = imap_bind(m, c.fields, c.nfields) == 0;
		}
		if (bound) {
			csvin_want(&c, m->want, m->ncols);
			eval_all(m, &c);
		}
	}
	csvin_close(&c);
}
