/* ingest_item.h - the item of each order, from the rows that name it.
 *
 * In an Etsy monthly statement the sale row is "Payment for Order #N": it
 * does not say what was sold.  The item is on the order's fee row,
 * "Transaction fee: ITEM", which may come before or after the sale (the
 * statement is newest first, a file may be re-sorted).  A format says
 * which rows name an item with its "item" rule (ingest_map.h); while a
 * file is read every row is shown here in file order, and at its end each
 * order's item is known.
 *
 * An item row that names its order joins it.  One that names none (its
 * Info is "Listing #L") joins the order of the rows around it: the last
 * row of the same date before it that names an order, or, when there is
 * none, the first after it; when the two name different orders it joins
 * none (never a guess between two orders).
 *
 * An order with several items takes the one of the largest fee (Etsy's
 * transaction fee is a fixed share of the item's price: the dearest
 * item), the first read on a tie; it is counted as having several.
 *
 * Memory: one entry an order with an item (its name, at most
 * INGEST_ITEM_MAX bytes); at most INGEST_ITEM_PENDING item rows wait for
 * the row after them.  Library code: no printing, no exits. */
#ifndef TALLY_INGEST_ITEM_H
#define TALLY_INGEST_ITEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ingest_map.h"
#include "keyindex.h"

#define INGEST_ITEM_MAX 256    /* bytes of an item's name kept */
#define INGEST_ITEM_PENDING 64 /* item rows naming no order, waiting for the next row */

struct ingest_item_entry;

/* An item row that named no order, waiting for the row after it. */
struct ingest_item_pending {
	char name[INGEST_ITEM_MAX]; /* the item */
	size_t len;
	int64_t fee;                /* its fee: the larger wins */
	int64_t date;               /* its date: only rows of that date join it */
	uint64_t before;            /* the order named last before it that day, 0: none */
};

/* Caller-owned; zero it (= {0}) before first use. */
struct ingest_item {
	struct keymap orders;            /* an order's fingerprint -> its id in entry */
	struct ingest_item_entry *entry; /* by id (owned) */
	size_t n, cap;                   /* orders held, room in entry */
	struct ingest_item_pending pending[INGEST_ITEM_PENDING];
	size_t npending;
	uint64_t last_order;             /* the last row naming an order: its key, 0 none */
	int64_t last_date;               /* and its date */
	long several;                    /* orders with more than one item */
	long unjoined;                   /* item rows that joined no order */
	char example[INGEST_ITEM_MAX + 8]; /* after ingest_item_end: the item chosen for one such order, quoted */
};

/* Show row r, the next row of the file.  Returns 0, or -1 when out of
 * memory. */
int ingest_item_see(struct ingest_item *t, const struct imap_row *r);

/* At the end of the file: the item rows still waiting join the order
 * before them.  Returns 0, or -1 when out of memory. */
int ingest_item_end(struct ingest_item *t);

/* The item of order (olen bytes): true and *item / *len (valid until
 * ingest_item_reset or ingest_item_free), false when no row named one. */
bool ingest_item_of(const struct ingest_item *t, const char *order, size_t olen, const char **item, size_t *len);

/* Forget every order (a new file). */
void ingest_item_reset(struct ingest_item *t);

/* Release everything; t is zeroed. */
void ingest_item_free(struct ingest_item *t);

#endif
