/* report_sale.h - the rows of one sale in an allocations stream: telling
 * sales apart, converting their parts by running total (--fx) so they
 * still add up exactly, and grouping them to check that they sum to the
 * sale's net (--check).
 *
 * tally-split writes the allocations of one sale on consecutive rows, so
 * a sale is a run of rows with the same key; nothing here allocates. */
#ifndef TALLY_REPORT_SALE_H
#define TALLY_REPORT_SALE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fx.h"
#include "tsv.h"

#define REPORT_SALE_KEY_MAX 1024 /* a key longer than this is cut */

/* The key telling the rows of one sale apart, from the fields f of a row:
 * origin, source, order, line and kind, each followed by a TAB, for the
 * column indexes in cols[0..5) that are not -1 (an empty origin alone
 * would merge different sales).  Written to key (cap bytes, cut to
 * cap - 1).  Returns its length. */
size_t report_sale_key(char *key, size_t cap, const struct tsv_field *f, const int cols[5]);

/* The sale whose parts are being converted. */
struct report_fx_run {
	char key[REPORT_SALE_KEY_MAX]; /* its key */
	size_t key_len;
	bool open;                     /* a sale is under way */
	int64_t when;                  /* its time */
	char currency[4];              /* its currency */
	const char *file;              /* the file it is in (borrowed) */
	int64_t sum, sum_converted;    /* its parts so far, before and after converting */
};

/* Convert amount v of a row (in currency, at time when, in file, of the
 * sale `key`) into `to` with fx, in *out.  Each part of one sale is
 * converted as the converted running sum less the converted sum before
 * it, so the parts add up exactly to the sale's converted total, as they
 * added up to its total before: conversion neither loses nor invents a
 * micro-unit.  When groupable is false every row is a sale of its own.
 * Returns FX_OK; FX_ENORATE or FX_ERANGE from fx_convert; or 1 when the
 * sale's running sum overflows. */
int report_fx_run_convert(struct report_fx_run *run, const struct fx_table *fx, const char *to,
			  const char *key, size_t key_len, bool groupable, int64_t when, const char *currency,
			  const char *file, int64_t v, int64_t *out);

/* --check: the rows of the sale under way. */
struct report_sale_group {
	char key[REPORT_SALE_KEY_MAX]; /* its key */
	size_t key_len;
	bool open;                     /* a sale is under way */
	int64_t net;                   /* its net, from its first row */
	int64_t sum;                   /* the sum of its allocations */
	long first_line, last_line;    /* where its rows are */
	const char *file;              /* ... and in which file (borrowed) */
	int64_t period;                /* period index */
	char currency[4];              /* the currency reported in */
	int digits;                    /* its minor digits */
};

/* Whether a row (key, period, currency, file) continues the sale under
 * way in g.  When groupable is false, never. */
bool report_sale_group_continues(const struct report_sale_group *g, bool groupable, const char *key,
				 size_t key_len, int64_t period, const char *currency, const char *file);

/* Start a sale in g from its first row (key, net, line, file, period,
 * currency), with a sum of 0.  Close the previous one first. */
void report_sale_group_start(struct report_sale_group *g, const char *key, size_t key_len, int64_t net,
			     long line, const char *file, int64_t period, const char *currency);

#endif
