/* ingest_emit.c - a file's canonical rows out: filtered, linked, held,
 * de-duplicated, written (see ingest_emit.h). */
#include <string.h>

#include "diag.h"
#include "ingest_emit.h"
#include "ingest_row.h"

static int out_of_memory(struct ingest_run *rn)
{
	return ingest_run_fail(rn, EXIT_DATA, NULL, 0, "out of memory");
}

/* A reversal takes its sale's product and sku (issue: a refund named
 * "REFUND FOR CHARGE (...)" must be split by its sale's agreement).  A
 * sale is remembered.  *linked is false for a reversal whose sale has not
 * been read (yet), true for every other row. */
static int link_row(struct ingest_run *rn, struct imap_row *r, bool *linked)
{
	const char *k = r->kind;
	const char *order = r->text[IMAP_ORDER];
	size_t olen = r->text_len[IMAP_ORDER];
	*linked = true;
	if (strcmp(k, "sale") == 0 || strcmp(k, "subscription") == 0) {
		if (ingest_link_sale(&rn->link, order, olen, r->text[IMAP_PRODUCT], r->text_len[IMAP_PRODUCT],
				     r->text[IMAP_SKU], r->text_len[IMAP_SKU]) < 0)
			return out_of_memory(rn);
	} else if (strcmp(k, "refund") == 0 || strcmp(k, "chargeback") == 0) {
		if (r->text_len[IMAP_LINK] > 0) { /* PayPal: Reference Txn ID */
			order = r->text[IMAP_LINK];
			olen = r->text_len[IMAP_LINK];
		}
		*linked = ingest_link_find(&rn->link, order, olen, r->text[IMAP_PRODUCT], r->text_len[IMAP_PRODUCT],
					   &r->text[IMAP_PRODUCT], &r->text_len[IMAP_PRODUCT], &r->text[IMAP_SKU],
					   &r->text_len[IMAP_SKU]);
	}
	return 0;
}

/* Whether row r is outside --since/--until/--period; counted then. */
static bool left_out(struct ingest_run *rn, const struct imap_row *r)
{
	const struct ingest_options *o = rn->o;
	bool by_reported = o->by_reported && r->has_reported;
	int64_t when = by_reported ? r->reported : r->date;
	if (!((o->have_since && when < o->since) || (o->have_until && when >= o->until)))
		return false;
	struct ingest_left_out *lo = &rn->left_out;
	if (lo->n == 0 || when < lo->first)
		lo->first = when;
	if (lo->n == 0 || when > lo->last)
		lo->last = when;
	lo->n++;
	lo->reported |= by_reported;
	rn->st.ignored++;
	return true;
}

/* One canonical row out: left out by --since/--until, dropped as a
 * duplicate (key), or written (--sort: staged). */
static int emit_one(struct ingest_run *rn, const struct imap *m, const struct imap_row *r, uint64_t key,
		    const char *file, long line)
{
	const struct ingest_options *o = rn->o;
	if (left_out(rn, r))
		return 0;
	if (!o->keep_duplicates) {
		int added = ingest_dedupe_add(&rn->seen, key);
		if (added < 0)
			return out_of_memory(rn);
		if (added == 0) {
			rn->st.duplicates++;
			return 0;
		}
	}
	rn->st.wrote++;
	if (o->sort)
		return ingest_run_sort_row(rn, m, r, file, line);
	ingest_row_write(&rn->w, m, r, o->keep_pii ? NULL : o->key, file, line);
	return 0;
}

/* A held reversal out: linked to its sale if the sale has been read by
 * now (*linked says whether). */
static int release_held(struct ingest_run *rn, const struct imap *m, struct ingest_held *e, const char *file,
			bool *linked)
{
	int st = link_row(rn, &e->row, linked);
	return st ? st : emit_one(rn, m, &e->row, e->key, file, e->line);
}

/* A reversal whose sale has not been read yet (an Etsy statement is
 * newest first): held until the end of the file.  When the held rows
 * would pass the bound, the oldest go out first, linked if they can be,
 * and those that cannot are counted (rn->early). */
static int hold_row(struct ingest_run *rn, const struct imap *m, struct imap_row *r, uint64_t key,
		    const char *file, long line)
{
	while (ingest_hold_full(&rn->held, r)) {
		struct ingest_held *e = ingest_hold_pop(&rn->held);
		if (!e) { /* a row over the bound alone */
			rn->early++;
			return emit_one(rn, m, r, key, file, line);
		}
		bool linked;
		int st = release_held(rn, m, e, file, &linked);
		if (st)
			return st;
		rn->early += !linked;
	}
	if (ingest_hold_push(&rn->held, r, key, line) < 0)
		return out_of_memory(rn);
	return 0;
}

int ingest_emit_release_all(struct ingest_run *rn, const struct imap *m, const char *file)
{
	struct ingest_held *e;
	while ((e = ingest_hold_pop(&rn->held))) {
		bool linked;
		int st = release_held(rn, m, e, file, &linked);
		if (st)
			return st;
	}
	if (rn->early > 0)
		ingest_run_warn(rn, NULL, 0,
				"%s: %ld refund row%s written before the end of the file without their sale's product "
				"(more than %d MB of refunds held back; their sales may come later in the file)",
				file, rn->early, rn->early == 1 ? "" : "s", INGEST_HOLD_BYTES >> 20);
	rn->early = 0;
	return 0;
}

/* The file's row order, decided by the first date unlike the first: in
 * a file oldest first a reversal's sale comes before it, so nothing need
 * be held, and what was held goes out at once, in its place. */
static int note_order(struct ingest_run *rn, const struct imap *m, int64_t date, const char *file)
{
	if (rn->order != 0)
		return 0;
	if (!rn->dated) {
		rn->first_date = date;
		rn->dated = true;
		return 0;
	}
	if (date == rn->first_date)
		return 0;
	rn->order = date > rn->first_date ? 1 : -1;
	return rn->order > 0 ? ingest_emit_release_all(rn, m, file) : 0;
}

int ingest_emit_rows(struct ingest_run *rn, struct imap *m, struct imap_row *rows, size_t n, const char *file,
		     long line)
{
	for (size_t i = 0; i < n; i++) {
		struct imap_row *r = &rows[i];
		/* the key of the row as the export gives it: a refund read with
		 * its sale in one file and without it in another is one record */
		uint64_t key = rn->o->keep_duplicates ? 0 : ingest_row_key(m, r);
		bool linked = true;
		int st = 0;
		if (rn->linking && !(st = note_order(rn, m, r->date, file)))
			st = link_row(rn, r, &linked);
		if (st)
			return st;
		if (!linked && rn->order <= 0)
			st = hold_row(rn, m, r, key, file, line);
		else
			st = emit_one(rn, m, r, key, file, line);
		if (st)
			return st;
	}
	return 0;
}
