/* ingest_link.h - a refund, chargeback or reversal carries the product
 * and sku of the sale it reverses.
 *
 * Platforms name a reversal row in their own words ("REFUND FOR CHARGE
 * (...)", "Refund for Order #3001"), so tally-split would match it to
 * another agreement than its sale's.  While a file is read, its sales are
 * remembered by order; a later reversal row of the same order takes the
 * sale's product and sku.  Memory: two keymap slots (keyindex.h) and 4
 * bytes a sale, plus each distinct (product, sku) once.  Library code: no printing, no exits. */
#ifndef TALLY_INGEST_LINK_H
#define TALLY_INGEST_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keyindex.h"

/* Caller-owned; zero it (= {0}) before first use. */
struct ingest_link {
	struct names pairs;   /* the (product, sku) sold, interned as "product\0sku" */
	struct keymap sales;  /* (order, 0) and (order, product): their id in pair_of */
	uint32_t *pair_of;    /* by id: the pair sold, or UINT32_MAX for several */
	size_t n, cap;        /* ids, room in pair_of */
};

/* Remember a sale of order with its product and sku.  Returns 0, or -1
 * when out of memory (the sale is then simply not remembered). */
int ingest_link_sale(struct ingest_link *l, const char *order, size_t olen, const char *product,
		     size_t plen, const char *sku, size_t slen);

/* The product and sku a reversal of order takes.  When the order's sales
 * were all one (product, sku), that one; else the sale of the order whose
 * product is the reversal's own (own/own_len), for its sku.  Returns true
 * and sets the four outputs (pointers into l, valid until
 * ingest_link_free), or false when no sale of the order was seen. */
bool ingest_link_find(const struct ingest_link *l, const char *order, size_t olen, const char *own,
		      size_t own_len, const char **product, size_t *plen, const char **sku, size_t *slen);

/* Forget every sale (a new file); keeps the interned names. */
void ingest_link_reset(struct ingest_link *l);

/* Release everything; l is zeroed. */
void ingest_link_free(struct ingest_link *l);

#endif
