/* ingest_emit.c - a file's canonical rows out: filtered, linked, held,
 * de-duplicated, written (see ingest_emit.h). */
#include <errno.h>
#include <string.h>

#include "diag.h"
#include "ingest_emit.h"
#include "ingest_row.h"

static int out_of_memory(struct ingest_run *rn)
{
	return ingest_run_fail(rn, EXIT_DATA, NULL, 0, "out of memory");
}

/* A reversal takes its sale's product and sku (issue: a refund named
 * "REFUND FOR CHARGE (...)" must be split by its sale's agreement), and
 * the order its link names (PayPal's refund has a transaction id of its
 * own; its reference is the sale's); so does a fee or adjustment whose
 * link names a sale.  A sale is remembered.  *linked is false for a reversal whose sale has not
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
	} else if (strcmp(k, "refund") == 0 || strcmp(k, "chargeback") == 0 ||
		   ((strcmp(k, "fee") == 0 || strcmp(k, "adjustment") == 0) && r->text_len[IMAP_LINK] > 0)) {
		/* a fee or adjustment that names its sale (PayPal's Chargeback Fee
		 * and Chargeback Reversal, by Reference Txn ID) is of its order too */
		if (r->text_len[IMAP_LINK] > 0) { /* PayPal: Reference Txn ID */
			order = r->text[IMAP_LINK];
			olen = r->text_len[IMAP_LINK];
			/* the reversal is of the sale's order: tally-split finds the
			 * sale's split by it (its state), in this file or an earlier one */
			r->text[IMAP_ORDER] = order;
			r->text_len[IMAP_ORDER] = olen;
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

/* A row held back failed: out of memory, or its spill to a temporary
 * file (ingest_hold.h) could not be written or read back. */
static int hold_failed(struct ingest_run *rn, const struct ingest_hold *h, const char *file)
{
	if (errno == ENOMEM)
		return out_of_memory(rn);
	return ingest_run_fail(rn, EXIT_DATA, file, 0, "rows held back for the end of the file: temporary file in %s: %s",
			       h->tmpdir ? h->tmpdir : "/tmp", strerror(errno));
}

/* A reversal whose sale has not been read yet (an Etsy statement is
 * newest first): held until the end of the file. */
static int hold_row(struct ingest_run *rn, struct imap_row *r, uint64_t key, const char *file, long line)
{
	return ingest_hold_push(&rn->held, r, key, line) < 0 ? hold_failed(rn, &rn->held, file) : 0;
}

int ingest_emit_release_all(struct ingest_run *rn, const struct imap *m, const char *file)
{
	struct ingest_held *e;
	int got;
	while ((got = ingest_hold_pop(&rn->held, &e)) > 0) {
		bool linked;
		int st = release_held(rn, m, e, file, &linked);
		if (st)
			return st;
	}
	return got < 0 ? hold_failed(rn, &rn->held, file) : 0;
}

/* Whether row r is one of its order's rows that take the order's item:
 * the sale and its tax, tip, refund, chargeback and fees (a cost shared
 * by the sale's agreement, tally-split(1)). */
static bool takes_item(const struct imap_row *r)
{
	static const char *const kinds[] = {"sale", "subscription", "tip", "adjustment", "refund", "chargeback", "fee"};
	if (!r->order_named)
		return false;
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if (strcmp(r->kind, kinds[i]) == 0)
			return true;
	return false;
}

/* A row of an order out with its order's item as its product, or none
 * (empty: no product agreement can match it); then linked and written. */
static int release_with_item(struct ingest_run *rn, const struct imap *m, struct imap_row *r, uint64_t key,
			     const char *file, long line)
{
	bool known = ingest_item_of(&rn->items, r->text[IMAP_ORDER], r->text_len[IMAP_ORDER], &r->text[IMAP_PRODUCT],
				    &r->text_len[IMAP_PRODUCT]);
	if (!known) {
		r->text[IMAP_PRODUCT] = "";
		r->text_len[IMAP_PRODUCT] = 0;
	}
	bool linked;
	long wrote = rn->st.wrote;
	int st = link_row(rn, r, &linked);
	if (!st)
		st = emit_one(rn, m, r, key, file, line);
	/* a sale written without its item, not one left out or a duplicate */
	if (!known && rn->st.wrote > wrote && (strcmp(r->kind, "sale") == 0 || strcmp(r->kind, "subscription") == 0))
		rn->no_item++;
	return st;
}

/* A row of an order in a format naming items: held until the file's end,
 * when every item of the file is known. */
static int hold_for_item(struct ingest_run *rn, struct imap_row *r, uint64_t key, const char *file, long line)
{
	return ingest_hold_push(&rn->item_held, r, key, line) < 0 ? hold_failed(rn, &rn->item_held, file) : 0;
}

int ingest_emit_release_items(struct ingest_run *rn, const struct imap *m, const char *file)
{
	if (!rn->itemizing)
		return 0;
	if (ingest_item_end(&rn->items) < 0)
		return out_of_memory(rn);
	struct ingest_held *e;
	int got;
	while ((got = ingest_hold_pop(&rn->item_held, &e)) > 0) {
		int st = release_with_item(rn, m, &e->row, e->key, file, e->line);
		if (st)
			return st;
	}
	if (got < 0)
		return hold_failed(rn, &rn->item_held, file);
	const struct ingest_item *t = &rn->items;
	if (t->several > 0)
		ingest_run_warn(rn, NULL, 0,
				"%s: %ld order%s name%s several items: each order's rows take the item of its largest "
				"fee as their product (one sale row an order; e.g. %s)",
				file, t->several, t->several == 1 ? "" : "s", t->several == 1 ? "s" : "", t->example);
	if (rn->no_item > 0)
		ingest_run_warn(rn, NULL, 0,
				"%s: %ld sale%s name%s no item (no row of the order names it): the product is left empty, "
				"so no product agreement can match %s",
				file, rn->no_item, rn->no_item == 1 ? "" : "s", rn->no_item == 1 ? "s" : "",
				rn->no_item == 1 ? "it" : "them");
	if (t->unjoined > 0)
		ingest_run_warn(rn, NULL, 0,
				"%s: %ld item row%s joined no order (%s no order, and the rows around %s name none or two)",
				file, t->unjoined, t->unjoined == 1 ? "" : "s", t->unjoined == 1 ? "it names" : "they name",
				t->unjoined == 1 ? "it" : "them");
	rn->no_item = 0;
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

/* Whether kind is revenue a record's own reversal columns reverse. */
static bool is_sale_kind(const char *kind)
{
	return strcmp(kind, "sale") == 0 || strcmp(kind, "subscription") == 0;
}

/* --sort's key of each row of one record: its date, but a refund or
 * chargeback read from its sale's own record (Gumroad's refund columns,
 * Stripe's Amount Refunded: the refunds so far) sorts at its sale's date,
 * right after it, so that tally-split sees the two side by side and takes
 * a later download's larger amount for a change of the refunds so far,
 * not for a second refund (a full refund after a partial one clawed back
 * the whole price again). */
static void set_sort_dates(struct imap_row *rows, size_t n)
{
	bool from_sale = n > 1 && is_sale_kind(rows[0].kind);
	for (size_t i = 0; i < n; i++) {
		bool reversal = strcmp(rows[i].kind, "refund") == 0 || strcmp(rows[i].kind, "chargeback") == 0;
		rows[i].sort_date = from_sale && reversal ? rows[0].date : rows[i].date;
	}
}

int ingest_emit_rows(struct ingest_run *rn, struct imap *m, struct imap_row *rows, size_t n, const char *file,
		     long line)
{
	set_sort_dates(rows, n);
	for (size_t i = 0; i < n; i++) {
		struct imap_row *r = &rows[i];
		/* the key of the row as the export gives it: a refund read with
		 * its sale in one file and without it in another is one record */
		uint64_t key = rn->o->keep_duplicates ? 0 : ingest_row_key(m, r);
		bool linked = true;
		int st = 0;
		if (rn->itemizing) {
			if (ingest_item_see(&rn->items, r) < 0)
				return out_of_memory(rn);
			if (r->item_len > 0 && !r->order_named) { /* its order is not known yet: its own item */
				r->text[IMAP_PRODUCT] = r->item;
				r->text_len[IMAP_PRODUCT] = r->item_len;
			} else if (takes_item(r)) {
				if ((st = hold_for_item(rn, r, key, file, line)))
					return st;
				continue;
			}
		}
		if (rn->linking && !(st = note_order(rn, m, r->date, file)))
			st = link_row(rn, r, &linked);
		if (st)
			return st;
		if (!linked && rn->order <= 0)
			st = hold_row(rn, r, key, file, line);
		else
			st = emit_one(rn, m, r, key, file, line);
		if (st)
			return st;
	}
	return 0;
}
