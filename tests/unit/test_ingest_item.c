/* test_ingest_item.c - unit tests of lib/ingest/ingest_item.c: each order's
 * item from the rows naming it (an Etsy statement's "Transaction fee: ITEM"),
 * before or after the order's other rows; several items; item rows naming
 * no order joining the order beside them, or none. */
#include <stdio.h>
#include <string.h>

#include "ingest_item.h"
#include "tap.h"

#define S(x) x, strlen(x)
#define DAY 86400

/* A row of order o (NULL: names none) on day d, naming item it (NULL:
 * none) with fee f micro-units. */
static struct imap_row row(const char *o, int d, const char *it, int64_t f)
{
	struct imap_row r = {0};
	r.kind = "fee";
	r.text[IMAP_ORDER] = o ? o : "r0123";
	r.text_len[IMAP_ORDER] = strlen(r.text[IMAP_ORDER]);
	r.order_named = o != NULL;
	r.item = it ? it : "";
	r.item_len = it ? strlen(it) : 0;
	r.fee = f;
	r.date = (int64_t)d * DAY;
	return r;
}

static bool item_is(const struct ingest_item *t, const char *order, const char *want)
{
	const char *it;
	size_t n;
	if (!ingest_item_of(t, S(order), &it, &n))
		return want == NULL;
	return want && n == strlen(want) && memcmp(it, want, n) == 0;
}

static void see(struct ingest_item *t, struct imap_row r)
{
	if (ingest_item_see(t, &r) < 0)
		tap_ok(0, "out of memory");
}

static void test_named(void)
{
	struct ingest_item t = {0};
	tap_ok(item_is(&t, "1", NULL), "nothing seen: no item");
	see(&t, row("1", 1, NULL, 0));          /* the sale */
	see(&t, row("1", 1, "Moth zine", 650000)); /* its item row, after it */
	see(&t, row("2", 1, "Lantern print", 910000));
	see(&t, row("2", 1, NULL, 0));
	tap_is_int(ingest_item_end(&t), 0, "end");
	tap_ok(item_is(&t, "1", "Moth zine") && item_is(&t, "2", "Lantern print"),
	       "an item row naming its order joins it, after the sale or before");
	tap_ok(item_is(&t, "3", NULL), "an order no row names: no item");
	tap_is_int(t.several, 0, "no order with several items");

	/* several items: the largest fee's, the first on a tie; the same item twice is one */
	see(&t, row("4", 2, "Moth zine", 650000));
	see(&t, row("4", 2, "Lantern print", 1300000));
	see(&t, row("4", 2, "Tour poster", 1300000));
	see(&t, row("5", 2, "Moth zine", 650000));
	see(&t, row("5", 2, "Moth zine", 650000));
	ingest_item_end(&t);
	tap_ok(item_is(&t, "4", "Lantern print"), "several items: the one of the largest fee, the first of a tie");
	tap_ok(item_is(&t, "5", "Moth zine") && t.several == 1, "one item twice is not several");
	tap_ok(strcmp(t.example, "\"Lantern print\"") == 0, "the note names the item chosen");

	ingest_item_reset(&t);
	tap_ok(item_is(&t, "1", NULL) && t.several == 0, "reset: a new file knows no item");
	for (int i = 0; i < 3000; i++) { /* growth */
		char o[16];
		snprintf(o, sizeof o, "o%d", i);
		see(&t, row(o, 3, i % 2 ? "odd" : "even", 1));
	}
	tap_ok(item_is(&t, "o2999", "odd") && item_is(&t, "o0", "even"), "3000 orders, found after growing");
	ingest_item_free(&t);
	tap_ok(t.entry == NULL && t.n == 0, "freed and zeroed");
}

static void test_unnamed(void)
{
	struct ingest_item t = {0};
	/* "Transaction fee: X", Info "Listing #L": between two rows of order 7 */
	see(&t, row("7", 1, NULL, 0));
	see(&t, row(NULL, 1, "Tour poster", 980000));
	see(&t, row("7", 1, NULL, 0));
	/* after order 8's rows, the next row another day: joins 8 */
	see(&t, row("8", 1, NULL, 0));
	see(&t, row(NULL, 1, "Moth zine", 650000));
	see(&t, row(NULL, 1, NULL, 0)); /* a row naming no order does not count */
	see(&t, row("9", 2, NULL, 0));
	/* first of its day, before order 10's rows: joins 10 */
	see(&t, row(NULL, 3, "Lantern print", 910000));
	see(&t, row("10", 3, NULL, 0));
	/* between two orders of its day: neither */
	see(&t, row("11", 4, NULL, 0));
	see(&t, row(NULL, 4, "Poster", 500000));
	see(&t, row("12", 4, NULL, 0));
	/* the last row of the file: the order before it */
	see(&t, row("13", 5, NULL, 0));
	see(&t, row(NULL, 5, "Zine", 500000));
	tap_is_int(ingest_item_end(&t), 0, "end");
	tap_ok(item_is(&t, "7", "Tour poster"), "between rows of one order: that order");
	tap_ok(item_is(&t, "8", "Moth zine") && item_is(&t, "9", NULL), "the order before it that day, not the next day's");
	tap_ok(item_is(&t, "10", "Lantern print"), "none before it that day: the order after it");
	tap_ok(item_is(&t, "11", NULL) && item_is(&t, "12", NULL) && t.unjoined == 1,
	       "between two orders of its day: neither (never a guess), counted");
	tap_ok(item_is(&t, "13", "Zine"), "the file's last row: the order before it");
	ingest_item_free(&t);
}

int main(void)
{
	test_named();
	test_unnamed();
	return tap_done();
}
