/* fuzz_payees.c - the payee file of tally-report --payouts: any bytes load
 * or are refused without a memory error; a loaded file is sorted with one
 * line per payee and currency, each found again; and the batches of a
 * book that pays every payee 10.00 in their currency are written in the
 * three formats, with one payment per line. */
#include <string.h>

#include "fuzz.h"
#include "report_payouts.h"

/* A settled book paying each entry of p 10.00 in its currency (JPY:
 * 10), one month. */
static int fill_book(struct report_book *b, const struct report_payees *p)
{
	struct report_settle_error err;
	uint32_t src, prod;

	memset(b, 0, sizeof *b);
	b->kind = PERIOD_MONTH;
	if (names_intern(&b->names, "s", 1, &src) || names_intern(&b->names, "p", 1, &prod))
		return -1;
	for (size_t i = 0; i < p->n; i++) {
		uint32_t payee, acc;
		if (names_intern(&b->names, p->p[i].payee, strlen(p->p[i].payee), &payee) ||
		    report_book_account(b, payee, p->p[i].currency, &acc) ||
		    report_book_add(b, acc, 2026 * 12 + 9, src, prod, 10000000))
			return -1;
	}
	if (report_book_settle(b, NULL, false, 0, &err) || report_book_total(b))
		return -1;
	return 0;
}

static void check_loaded(const struct report_payees *p)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct report_payee *e = &p->p[i];
		if (report_payees_find(p, e->payee, e->currency) != e)
			abort(); /* sorted and unique: each entry is found, and is itself */
		for (const char *s = e->account; *s; s++)
			if ((unsigned char)*s < 0x20)
				abort(); /* a batch line would break */
	}
}

static void write_batches(const struct report_book *b, const struct report_payees *p)
{
	for (int f = REPORT_PAYOUTS_PAYPAL; f <= REPORT_PAYOUTS_TSV; f++) {
		struct report_batch bt;
		char msg[1024];
		if (report_batch_build(&bt, (enum report_payouts_format)f, 7, b, p, false, msg, sizeof msg) ==
		    REPORT_PAYOUTS_OK) {
			struct out o;
			if (out_open_file(&o, "/dev/null") == 0) { /* written in place: not a regular file */
				report_batch_write(&o, &bt, 0, bt.n);
				out_close(&o);
			}
			if (f == REPORT_PAYOUTS_TSV && bt.n != p->n)
				abort(); /* every entry is paid 10.00 and goes in the TSV batch */
		}
		report_batch_free(&bt);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report_payees p;
	struct report_book b;
	char msg[1024];

	if (report_payees_load(&p, fuzz_path(0, data, size), msg, sizeof msg) == REPORT_PAYOUTS_OK) {
		check_loaded(&p);
		if (fill_book(&b, &p) == 0)
			write_batches(&b, &p);
		report_book_free(&b);
	}
	report_payees_free(&p);
	return 0;
}
