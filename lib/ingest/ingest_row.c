/* ingest_row.c - writing a canonical row and computing its duplicate key
 * (see ingest_row.h). */
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "hash.h"
#include "ingest_row.h"
#include "ingest_util.h"
#include "redact.h"

const char ingest_header[] =
	"date\tsource\torder\tline\tproduct\tsku\tkind\tsale_date\tquantity\tcurrency\t"
	"gross\ttax\tfee\tnet\tcountry\tcustomer\torigin\n";

void ingest_format_e10(char *buf, size_t cap, int64_t v)
{
	uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	char frac[11];
	snprintf(frac, sizeof frac, "%010llu", (unsigned long long)(a % 10000000000ULL));
	int k = 9;
	while (k > 0 && frac[k] == '0')
		frac[k--] = '\0';
	snprintf(buf, cap, "%s%llu.%s", v < 0 ? "-" : "", (unsigned long long)(a / 10000000000ULL), frac);
}

size_t ingest_format_long(char *buf, long long v)
{
	char tmp[24];
	size_t n = 0, k = 0;
	unsigned long long a = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do
		tmp[n++] = (char)('0' + a % 10);
	while ((a /= 10) > 0);
	if (v < 0)
		buf[k++] = '-';
	while (n > 0)
		buf[k++] = tmp[--n];
	return k;
}

size_t ingest_format_time(char *buf, int64_t t)
{
	int64_t days = t / 86400, secs = t % 86400;
	if (secs < 0)
		secs += 86400, days--;
	int64_t y;
	unsigned mo, d;
	date_civil_from_days(days, &y, &mo, &d);
	if (y < 0 || y > 9999)
		return date_format_time(buf, t);
	unsigned v[6] = {(unsigned)y, mo, d, (unsigned)(secs / 3600), (unsigned)(secs / 60 % 60), (unsigned)(secs % 60)};
	char *p = buf;
	*p++ = (char)('0' + v[0] / 1000);
	*p++ = (char)('0' + v[0] / 100 % 10);
	*p++ = (char)('0' + v[0] / 10 % 10);
	*p++ = (char)('0' + v[0] % 10);
	static const char sep[] = "--T::Z";
	for (int i = 1; i < 6; i++) {
		*p++ = sep[i - 1];
		*p++ = (char)('0' + v[i] / 10);
		*p++ = (char)('0' + v[i] % 10);
	}
	*p++ = 'Z';
	*p = '\0';
	return (size_t)(p - buf);
}

static void put_long(struct tsv_writer *w, long long v)
{
	char buf[24];
	tsv_put(w, buf, ingest_format_long(buf, v));
}

/* The customer column: a keyed pseudonym of the platform's buyer id. */
static void put_customer(struct tsv_writer *w, const uint8_t *key, const char *s, size_t len)
{
	if (len == 0 || !key) {
		tsv_put(w, s, len);
		return;
	}
	char pseudo[REDACT_PSEUDONYM_LEN + 1];
	redact_pseudonym(pseudo, key, s, len);
	tsv_put(w, pseudo, REDACT_PSEUDONYM_LEN);
}

/* The origin column, "FILE:LINE". */
static void put_origin(struct tsv_writer *w, const char *file, long line)
{
	char origin[4096];
	size_t flen = strlen(file);
	if (flen > sizeof origin - 24)
		flen = sizeof origin - 24;
	memcpy(origin, file, flen);
	origin[flen] = ':';
	tsv_put(w, origin, flen + 1 + ingest_format_long(origin + flen + 1, line));
}

void ingest_row_write(struct tsv_writer *w, const struct imap *m, const struct imap_row *r, const uint8_t *key,
		      const char *file, long line)
{
	char buf[DATE_BUF];
	size_t n = ingest_format_time(buf, r->date);
	tsv_put(w, buf, n);
	tsv_put_str(w, m->source);
	tsv_put(w, r->text[IMAP_ORDER], r->text_len[IMAP_ORDER]);
	put_long(w, r->line);
	tsv_put(w, r->text[IMAP_PRODUCT], r->text_len[IMAP_PRODUCT]);
	tsv_put(w, r->text[IMAP_SKU], r->text_len[IMAP_SKU]);
	tsv_put_str(w, r->kind);
	if (r->has_sale_date) {
		n = ingest_format_time(buf, r->sale_date);
		tsv_put(w, buf, n);
	} else {
		tsv_put(w, "", 0);
	}
	put_long(w, r->quantity);
	tsv_put(w, r->text[IMAP_CURRENCY], r->text_len[IMAP_CURRENCY]);
	tsv_put_money(w, r->gross, r->digits);
	tsv_put_money(w, r->tax, r->digits);
	tsv_put_money(w, r->fee, r->digits);
	tsv_put_money(w, r->net, r->digits);
	tsv_put(w, r->text[IMAP_COUNTRY], r->text_len[IMAP_COUNTRY]);
	put_customer(w, key, r->text[IMAP_CUSTOMER], r->text_len[IMAP_CUSTOMER]);
	put_origin(w, file, line);
	tsv_end_row(w);
}

/* Fold n bytes of s (NULL when n is 0) into h. */
static uint64_t fold_text(uint64_t h, const char *s, size_t n)
{
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 29;
		s += 8, n -= 8;
	}
	uint64_t w = 0;
	if (n > 0) /* an absent text may be NULL */
		memcpy(&w, s, n);
	return hash_mix64(h ^ w ^ ((uint64_t)n << 56));
}

uint64_t ingest_row_key(const struct imap *m, const struct imap_row *r)
{
	char buf[1024];
	/* the export's own id of the row when the format names one (Stripe's
	 * balance transaction: two partial refunds of one charge share the
	 * charge's order), else the order */
	int id = r->text_len[IMAP_ID] > 0 ? IMAP_ID : IMAP_ORDER;
	size_t n = 0, sl = strlen(m->source), ol = r->text_len[id], kl = strlen(r->kind);
	if (sl + ol + kl + 32 > sizeof buf)
		ol = sizeof buf - sl - kl - 32; /* ids are short; a cut one still hashes its start */
	memcpy(buf, m->source, sl + 1);
	n = sl + 1;
	memcpy(buf + n, r->text[id], ol);
	n += ol;
	buf[n++] = '\0';
	n += ingest_format_long(buf + n, r->line);
	buf[n++] = '\0';
	memcpy(buf + n, r->kind, kl);
	n += kl;
	const int64_t nums[7] = {r->date, r->quantity, r->gross, r->tax, r->fee, r->net,
				 r->has_sale_date ? r->sale_date : INT64_MIN};
	uint64_t h = 0x9e3779b97f4a7c15ULL;
	for (size_t i = 0; i < 7; i++)
		h = hash_mix64(h ^ (uint64_t)nums[i]);
	h = fold_text(h, r->text[IMAP_CURRENCY], r->text_len[IMAP_CURRENCY]);
	h = fold_text(h, r->text[IMAP_PRODUCT], r->text_len[IMAP_PRODUCT]);
	h = fold_text(h, r->text[IMAP_SKU], r->text_len[IMAP_SKU]);
	return ingest_fingerprint(buf, n) ^ h;
}
