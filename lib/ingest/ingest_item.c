/* ingest_item.c - each order's item, from the rows naming it (see ingest_item.h). */
#include "ingest_item.h"

#include <stdlib.h>
#include <string.h>

#include "ingest_util.h"
#include "keyindex.h"

/* An order's item; the orders are found by their fingerprint in t->orders,
 * whose dense ids index t->entry. */
struct ingest_item_entry {
	char *name;    /* the item chosen (owned) */
	size_t len;
	int64_t fee;   /* the fee of its row */
	bool several;  /* another item of the order was seen */
};

static uint64_t order_key(const char *order, size_t olen)
{
	uint64_t h = ingest_fingerprint(order, olen);
	return h ? h : 1; /* 0 says "no order" in last_order and pending */
}

/* Item name (len, cut to INGEST_ITEM_MAX) with fee joins the order of key. */
static int join(struct ingest_item *t, uint64_t key, const char *name, size_t len, int64_t fee)
{
	if (len > INGEST_ITEM_MAX)
		len = INGEST_ITEM_MAX;
	struct ingest_item_entry *entry = grow_array(t->entry, t->n, &t->cap, sizeof *entry, 256);
	if (!entry)
		return -1;
	t->entry = entry;
	uint32_t id;
	bool added;
	if (keymap_get(&t->orders, key, 0, (uint32_t)t->n, &id, &added) < 0)
		return -1;
	struct ingest_item_entry *e = &entry[id];
	if (added) {
		*e = (struct ingest_item_entry){NULL, 0, 0, false};
		t->n++;
	} else if (e->len == len && memcmp(e->name, name, len) == 0) {
		if (fee > e->fee)
			e->fee = fee;
		return 0;
	} else {
		if (!e->several) {
			e->several = true;
			t->several++;
		}
		if (fee <= e->fee)
			return 0; /* the item chosen stays: its fee is larger, or it came first */
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return -1; /* an order added stays with no item: ingest_item_of passes it over */
	memcpy(copy, name, len);
	copy[len] = '\0';
	free(e->name);
	e->name = copy;
	e->len = len;
	e->fee = fee;
	return 0;
}

/* The waiting item rows of another date than date (all: INT64_MIN) join
 * the order before them, or none; those of date join after (0: none). */
static int settle(struct ingest_item *t, int64_t date, uint64_t after)
{
	size_t kept = 0;
	for (size_t i = 0; i < t->npending; i++) {
		struct ingest_item_pending *p = &t->pending[i];
		uint64_t to = p->before;
		if (p->date == date) {
			if (!after) {
				t->pending[kept++] = *p;
				continue;
			}
			to = !p->before ? after : p->before == after ? after : 0;
		}
		if (!to)
			t->unjoined++;
		else if (join(t, to, p->name, p->len, p->fee) < 0)
			return -1;
	}
	t->npending = kept;
	return 0;
}

/* An item row that names no order: waits for the row after it. */
static void wait_for_next(struct ingest_item *t, const struct imap_row *r)
{
	if (t->npending == INGEST_ITEM_PENDING) {
		t->unjoined++;
		return;
	}
	struct ingest_item_pending *p = &t->pending[t->npending++];
	p->len = r->item_len < INGEST_ITEM_MAX ? r->item_len : INGEST_ITEM_MAX;
	memcpy(p->name, r->item, p->len);
	p->fee = r->fee;
	p->date = r->date;
	p->before = t->last_order && t->last_date == r->date ? t->last_order : 0;
}

int ingest_item_see(struct ingest_item *t, const struct imap_row *r)
{
	if (!r->order_named) {
		if (r->item_len > 0)
			wait_for_next(t, r);
		return 0;
	}
	uint64_t key = order_key(r->text[IMAP_ORDER], r->text_len[IMAP_ORDER]);
	if (t->npending > 0 && settle(t, r->date, key) < 0)
		return -1;
	t->last_order = key;
	t->last_date = r->date;
	return r->item_len > 0 ? join(t, key, r->item, r->item_len, r->fee) : 0;
}

int ingest_item_end(struct ingest_item *t)
{
	int st = settle(t, INT64_MIN, 0);
	/* name one order with several items, for the caller's note */
	t->example[0] = '\0';
	for (size_t i = 0; st == 0 && i < t->n && t->several > 0; i++)
		if (t->entry[i].several) {
			ingest_quote(t->example, sizeof t->example, t->entry[i].name, t->entry[i].len);
			break;
		}
	return st;
}

bool ingest_item_of(const struct ingest_item *t, const char *order, size_t olen, const char **item, size_t *len)
{
	if (olen == 0)
		return false;
	long id = keymap_find(&t->orders, order_key(order, olen), 0);
	if (id < 0 || !t->entry[id].name)
		return false;
	const struct ingest_item_entry *e = &t->entry[id];
	*item = e->name;
	*len = e->len;
	return true;
}

void ingest_item_reset(struct ingest_item *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->entry[i].name);
	keymap_free(&t->orders);
	t->n = t->npending = 0;
	t->last_order = 0;
	t->several = t->unjoined = 0;
	t->example[0] = '\0';
}

void ingest_item_free(struct ingest_item *t)
{
	ingest_item_reset(t);
	free(t->entry);
	memset(t, 0, sizeof *t);
}
