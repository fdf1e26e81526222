/* test_ingest_link.c - unit tests of lib/ingest/ingest_link.c (a reversal takes
 * its sale's product and sku), of lib/ingest/ingest_hold.c (reversals held
 * until their sale is read) and of the date-order helpers of
 * lib/ingest/ingest_date.c. */
#include <stdio.h>
#include <string.h>

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

static void test_hold(void)
{
	char o[16], p[32];
	struct imap_row r0 = refund_row("3001", "Refund for Order #3001");
	struct ingest_hold h = {.max_bytes = 1 << 20};
	tap_ok(ingest_hold_pop(&h) == NULL, "empty: nothing to take out");
	tap_ok(!ingest_hold_full(&h, ingest_hold_size(&r0)), "a row fits an empty queue");

	/* the copy is deep: the record's buffers are reused for the next one */
	int pushed = 0;
	for (int i = 0; i < 200; i++) {
		snprintf(o, sizeof o, "%d", 1000 + i);
		snprintf(p, sizeof p, "Refund for Order #%d", 1000 + i);
		struct imap_row r = refund_row(o, p);
		r.gross = -i;
		pushed += ingest_hold_push(&h, &r, (uint64_t)i + 7, 10 + i) == 0;
	}
	tap_is_int(pushed, 200, "200 rows held");
	memset(o, 'x', sizeof o - 1);
	memset(p, 'x', sizeof p - 1);
	struct ingest_held *e = ingest_hold_pop(&h);
	tap_ok(e && strcmp(e->row.text[IMAP_ORDER], "1000") == 0 && e->row.text_len[IMAP_ORDER] == 4 &&
		       strcmp(e->row.text[IMAP_PRODUCT], "Refund for Order #1000") == 0 &&
		       strcmp(e->row.kind, "refund") == 0 && e->key == 7 && e->line == 10 && e->row.gross == 0,
	       "the oldest comes out first, its texts copied");
	int in_order = 1;
	for (int i = 1; i < 200; i++) {
		e = ingest_hold_pop(&h);
		snprintf(o, sizeof o, "%d", 1000 + i);
		in_order &= e && strcmp(e->row.text[IMAP_ORDER], o) == 0 && e->row.gross == -i && e->line == 10 + i;
	}
	tap_ok(in_order, "then the others in the order they were held (across growth of the ring)");
	tap_ok(ingest_hold_pop(&h) == NULL && h.bytes == 0, "then none, and no bytes counted");

	/* the bound: room for a few rows only */
	struct ingest_hold small = {.max_bytes = 3 * (sizeof(struct ingest_held) + 64)};
	int held = 0;
	while (!ingest_hold_full(&small, ingest_hold_size(&r0)) && held < 100)
		held += ingest_hold_push(&small, &r0, 1, 2) == 0;
	tap_ok(held >= 2 && held <= 3 && small.bytes <= small.max_bytes, "the bound stops holding after %d rows", held);
	tap_ok(ingest_hold_pop(&small) != NULL && !ingest_hold_full(&small, ingest_hold_size(&r0)),
	       "taking the oldest out makes room for one more");
	struct ingest_hold tiny = {.max_bytes = 16};
	tap_ok(ingest_hold_full(&tiny, ingest_hold_size(&r0)), "a row bigger than the whole bound never fits, even empty");
	ingest_hold_free(&small);
	ingest_hold_free(&h);
	tap_ok(small.ring == NULL && small.n == 0 && small.bytes == 0 && small.max_bytes > 0,
	       "freed: zeroed, the bound kept");
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
