/* test_ingest_link.c - unit tests of lib/ingest/ingest_link.c (a reversal takes
 * its sale's product and sku), of lib/ingest/ingest_hold.c (reversals held
 * until their sale is read) and of the date-order helpers of
 * lib/ingest/ingest_date.c. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ingest_date.h"
#include "ingest_hold.h"
#include "ingest_link.h"
#include "tap.h"

#define S(x) x, strlen(x)

static void test_link(void)
{
	struct ingest_link l = {0};
	const char *p = NULL, *k = NULL;
	size_t pl = 0, kl = 0;

	tap_ok(!ingest_link_find(&l, S("ch_1"), S("REFUND"), &p, &pl, &k, &kl), "nothing known: no link");
	tap_is_int(ingest_link_sale(&l, S("ch_1"), S("Course"), S("course")), 0, "a sale remembered");
	tap_ok(ingest_link_find(&l, S("ch_1"), S("REFUND FOR CHARGE (Course)"), &p, &pl, &k, &kl) &&
		       pl == 6 && memcmp(p, "Course", 6) == 0 && strcmp(k, "course") == 0,
	       "a one-product order: its product and sku, whatever the refund calls itself");
	tap_ok(!ingest_link_find(&l, S("ch_2"), S("Course"), &p, &pl, &k, &kl), "another order: no link");
	tap_ok(!ingest_link_find(&l, "", 0, S("Course"), &p, &pl, &k, &kl), "no order: no link");

	/* a two-item order: only the refund's own product picks one */
	ingest_link_sale(&l, S("bc3"), S("Moth zine"), S("zine"));
	ingest_link_sale(&l, S("bc3"), S("Lanterns (vinyl LP)"), S("lp"));
	tap_ok(ingest_link_find(&l, S("bc3"), S("Moth zine"), &p, &pl, &k, &kl) && strcmp(k, "zine") == 0 &&
		       pl == 9,
	       "several products: the one the reversal names, with its sku");
	tap_ok(!ingest_link_find(&l, S("bc3"), S("Refund"), &p, &pl, &k, &kl),
	       "several products, none named: no link (never a guess)");
	/* the same pair twice is still one product */
	ingest_link_sale(&l, S("ch_1"), S("Course"), S("course"));
	tap_ok(ingest_link_find(&l, S("ch_1"), S("x"), &p, &pl, &k, &kl), "the same sale twice stays one product");

	ingest_link_reset(&l);
	tap_ok(!ingest_link_find(&l, S("ch_1"), S("x"), &p, &pl, &k, &kl), "reset: a new file knows no sale");
	for (int i = 0; i < 5000; i++) { /* growth */
		char o[16];
		snprintf(o, sizeof o, "o%d", i);
		ingest_link_sale(&l, o, strlen(o), S("P"), i % 2 ? "a" : "b", 1);
	}
	tap_ok(ingest_link_find(&l, S("o4999"), S("x"), &p, &pl, &k, &kl) && strcmp(k, "a") == 0,
	       "5000 orders: the last found after growing");
	tap_ok(ingest_link_find(&l, S("o0"), S("x"), &p, &pl, &k, &kl) && strcmp(k, "b") == 0, "and the first");
	ingest_link_free(&l);
	tap_ok(l.pair_of == NULL && l.pairs.n == 0 && l.n == 0, "freed and zeroed");
}

/* A refund row of order o, product p; the texts live in the caller's buffers. */
static struct imap_row refund_row(const char *o, const char *p)
{
	struct imap_row r = {0};
	r.kind = "refund";
	r.text[IMAP_ORDER] = o;
	r.text_len[IMAP_ORDER] = strlen(o);
	r.text[IMAP_PRODUCT] = p;
	r.text_len[IMAP_PRODUCT] = strlen(p);
	r.gross = -1542;
	return r;
}

/* Pop n rows from h and check they are orders first.. in order, each
 * with its gross, key and line as pushed by push_rows. */
static bool pops_in_order(struct ingest_hold *h, int first, int n)
{
	char o[16];
	bool ok = true;
	for (int i = first; i < first + n; i++) {
		struct ingest_held *e;
		snprintf(o, sizeof o, "%d", 1000 + i);
		ok &= ingest_hold_pop(h, &e) == 1 && strcmp(e->row.text[IMAP_ORDER], o) == 0 &&
		      e->row.text_len[IMAP_ORDER] == strlen(o) && strncmp(e->row.text[IMAP_PRODUCT], "Refund for", 10) == 0 &&
		      strcmp(e->row.kind, "refund") == 0 && e->row.gross == -i && e->key == (uint64_t)i + 7 &&
		      e->line == 10 + i;
	}
	return ok;
}

/* Push rows first.. (orders 1000 + i); the number pushed. */
static int push_rows(struct ingest_hold *h, int first, int n)
{
	char o[16], p[32];
	int pushed = 0;
	for (int i = first; i < first + n; i++) {
		snprintf(o, sizeof o, "%d", 1000 + i);
		snprintf(p, sizeof p, "Refund for Order #%d", 1000 + i);
		struct imap_row r = refund_row(o, p);
		r.gross = -i;
		pushed += ingest_hold_push(h, &r, (uint64_t)i + 7, 10 + i) == 0;
		memset(o, 'x', sizeof o - 1); /* the copy is deep: the buffers are reused */
		memset(p, 'x', sizeof p - 1);
	}
	return pushed;
}

static void test_hold(void)
{
	struct ingest_held *e;
	struct ingest_hold h = {.max_bytes = 1 << 20};
	tap_is_int(ingest_hold_pop(&h, &e), 0, "empty: nothing to take out");
	tap_is_int(push_rows(&h, 0, 200), 200, "200 rows held");
	tap_ok(h.spill == NULL && h.n == 200, "within the bound: all in memory");
	tap_ok(pops_in_order(&h, 0, 200), "out oldest first, texts copied (across growth of the ring)");
	tap_ok(ingest_hold_pop(&h, &e) == 0 && h.bytes == 0, "then none, and no bytes counted");

	/* the bound: room for three rows; the rest spill, and come back first, in order */
	struct imap_row r0 = refund_row("3001", "Refund for Order #3001");
	struct ingest_hold small = {.max_bytes = 3 * ingest_hold_size(&r0) + 8};
	tap_is_int(push_rows(&small, 0, 100), 100, "100 rows held past a bound of three");
	tap_ok(small.n == 3 && small.bytes <= small.max_bytes && small.spilled == 97 && small.spill,
	       "three in memory, 97 spilled to a temporary file");
	tap_ok(pops_in_order(&small, 0, 40), "the spilled come back oldest first, texts whole");
	tap_is_int(push_rows(&small, 100, 50), 50, "more held while the spill is half read");
	tap_ok(pops_in_order(&small, 40, 110), "and every row comes out in the order held");
	tap_ok(ingest_hold_pop(&small, &e) == 0 && small.spilled == 0 && small.spill_end == 0,
	       "then none; the drained spill is used again from its start");
	tap_is_int(push_rows(&small, 0, 10), 10, "a second round (a second file)");
	tap_ok(pops_in_order(&small, 0, 10), "comes out whole too");
	tap_is_int((int)small.spilled_ever, 97 + 50 + 7, "rows ever spilled counted (%ld)", small.spilled_ever);

	/* a row over the whole bound goes straight to the spill, in its turn */
	struct ingest_hold tiny = {.max_bytes = 16};
	tap_is_int(push_rows(&tiny, 0, 5), 5, "rows each over a bound of 16 bytes");
	tap_ok(tiny.n == 0 && tiny.spilled == 5 && pops_in_order(&tiny, 0, 5), "all spilled, and back in order");

	/* every field of a row comes back from the spill: dates, numbers, flags, the mismatch message */
	struct imap_row m = refund_row("77", "Refund for Order #77");
	m.date = 1790000000, m.has_sale_date = true, m.sale_date = 1780000000, m.has_reported = true;
	m.reported = 1795000000, m.line = 3, m.quantity = -2, m.tax = -7, m.fee = 11, m.net = -1553, m.digits = 2;
	m.net_differs = true, m.order_named = true;
	snprintf(m.mismatch, sizeof m.mismatch, "net -15.53 is not gross - fee");
	struct ingest_hold one = {.max_bytes = 16};
	tap_ok(ingest_hold_push(&one, &m, 99, 1234) == 0 && one.spilled == 1, "a row with every field set, spilled");
	tap_ok(ingest_hold_pop(&one, &e) == 1 && e->row.date == m.date && e->row.has_sale_date &&
		       e->row.sale_date == m.sale_date && e->row.has_reported && e->row.reported == m.reported &&
		       e->row.line == 3 && e->row.quantity == -2 && e->row.gross == -1542 && e->row.tax == -7 &&
		       e->row.fee == 11 && e->row.net == -1553 && e->row.digits == 2 && e->row.net_differs &&
		       e->row.order_named && strcmp(e->row.mismatch, m.mismatch) == 0 && e->key == 99 && e->line == 1234 &&
		       strcmp(e->row.text[IMAP_ORDER], "77") == 0 && strcmp(e->row.kind, "refund") == 0,
	       "comes back whole");
	ingest_hold_free(&one);

	/* the spill's folder missing: an error, the row not held */
	struct ingest_hold lost = {.max_bytes = 16, .tmpdir = "/nonexistent/tally"};
	errno = 0;
	tap_ok(ingest_hold_push(&lost, &r0, 1, 2) < 0 && errno == ENOENT && lost.n == 0 && lost.spilled == 0,
	       "a spill that cannot be made fails with ENOENT");

	/* a spill cut short behind the queue's back: the pop fails with EIO */
	struct ingest_hold cut = {.max_bytes = small.max_bytes};
	tap_is_int(push_rows(&cut, 0, 20), 20, "20 held, 17 of them spilled");
	fflush(cut.spill);
	off_t row_bytes = cut.spill_end / cut.spilled; /* every row here is of one size */
	tap_ok(row_bytes > 0 && (size_t)row_bytes < ingest_hold_size(&r0) / 2,
	       "a spilled row takes %lld bytes, under half its %zu in memory", (long long)row_bytes, ingest_hold_size(&r0));
	tap_ok(ftruncate(fileno(cut.spill), row_bytes + 10) == 0, "the spill cut inside its second row");
	tap_ok(pops_in_order(&cut, 0, 1), "the whole first row still comes back");
	errno = 0;
	tap_ok(ingest_hold_pop(&cut, &e) == -1 && errno == EIO, "the cut one fails with EIO, not a short row");
	ingest_hold_free(&cut);

	/* a spill that cannot be written (a full disk): the push fails with ENOSPC */
	struct ingest_hold full = {.max_bytes = small.max_bytes};
	tap_is_int(push_rows(&full, 0, 4), 4, "one row spilled");
	fclose(full.spill);
	full.spill = fopen("/dev/full", "w+");
	full.spill_end = full.spill_at = 0;
	full.spilled = 0;
	int st = 0;
	errno = 0;
	for (int i = 0; i < 1000 && st == 0; i++)
		st = push_rows(&full, i, 1) == 1 ? 0 : -1;
	tap_ok(st == -1 && errno == ENOSPC, "a full disk fails a push with ENOSPC");
	ingest_hold_free(&full);

	/* freed with rows in memory and in the spill: nothing leaks */
	tap_is_int(push_rows(&small, 0, 20), 20, "20 held before a free");
	ingest_hold_free(&small);
	ingest_hold_free(&tiny);
	ingest_hold_free(&lost);
	ingest_hold_free(&h);
	tap_ok(small.ring == NULL && small.n == 0 && small.bytes == 0 && small.spill == NULL && small.max_bytes > 0,
	       "freed: zeroed, the spill closed, the bound kept");
}

static void test_date_order(void)
{
	tap_is_int(ingest_date_order_of(S("25/10/2026")), INGEST_DMY, "25/10/2026 is day first");
	tap_is_int(ingest_date_order_of(S("10/25/2026")), INGEST_MDY, "10/25/2026 is month first");
	tap_is_int(ingest_date_order_of(S("10/05/2026")), INGEST_EITHER, "10/05/2026 cannot tell");
	tap_is_int(ingest_date_order_of(S("2026-10-25")), INGEST_EITHER, "ISO dates have no question");
	tap_is_int(ingest_date_order_of(S("31.12.2026")), INGEST_DMY, "dots too");
	tap_is_int(ingest_date_order_of(S("13/13/2026")), INGEST_EITHER, "no real date: no vote");
	tap_is_int(ingest_date_order_of(S("Date")), INGEST_EITHER, "a header: no vote");
	tap_is_int(ingest_layout_order("%m/%d/%Y %H:%M:%S %Z"), INGEST_MDY, "a month-first layout");
	tap_is_int(ingest_layout_order("%d/%m/%Y"), INGEST_DMY, "a day-first layout");
	tap_is_int(ingest_layout_order("%Y-%m"), INGEST_EITHER, "no day: either");
	tap_ok(ingest_tz_is_american(S("PDT")) && ingest_tz_is_american(S("est")), "PDT, est are American");
	tap_ok(!ingest_tz_is_american(S("BST")) && !ingest_tz_is_american(S("UTC")), "BST, UTC are not");
}

int main(void)
{
	test_link();
	test_hold();
	test_date_order();
	return tap_done();
}
