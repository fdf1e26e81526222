/* test_ingest_util.c - unit tests of tally-ingest's small helpers:
 * lib/ingest/ingest_util.c (SipHash-2-4 against the reference vectors of
 * Aumasson and Bernstein's paper, salt keys, fingerprints, country codes,
 * quoting cells for messages), ingest_int_parse, ingest_tz_parse,
 * csvin's encoding names, the sniffer of files that are not exports
 * (lib/ingest/ingest_sniff.c) and the redaction of personal data (lib/ingest/redact.c:
 * pseudonyms by the reference SipHash, PII column names, e-mails inside
 * a record, the salt file).  The bad cases beside the good. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "csvin.h"
#include "ingest_amount.h"
#include "ingest_date.h"
#include "ingest_sniff.h"
#include "ingest_util.h"
#include "redact.h"
#include "tap.h"

static void test_siphash(void)
{
	uint8_t key[16], msg[15];
	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	/* the paper's appendix A example, and the first line of its vectors */
	tap_ok(ingest_siphash(key, msg, 15) == 0xa129ca6149be45e5ULL, "siphash: the paper's 15-byte example");
	tap_ok(ingest_siphash(key, msg, 0) == 0x726fdb47dd0e0e31ULL, "siphash: the empty message vector");
	uint8_t a[16], b[16], a2[16];
	ingest_key_from_salt(a, "pepper", 6);
	ingest_key_from_salt(a2, "pepper", 6);
	ingest_key_from_salt(b, "peppers", 7);
	tap_ok(memcmp(a, a2, 16) == 0, "salt: one passphrase, one key");
	tap_ok(memcmp(a, b, 16) != 0, "salt: another passphrase, another key");
	tap_ok(ingest_siphash(a, "ana@example.com", 15) != ingest_siphash(b, "ana@example.com", 15),
	       "salt: a pseudonym depends on the key");
	tap_ok(ingest_fingerprint("row 1", 5) == ingest_fingerprint("row 1", 5), "fingerprint: stable");
	tap_ok(ingest_fingerprint("row 1", 5) != ingest_fingerprint("row 2", 5), "fingerprint: one byte changes it");
}

struct country_case {
	const char *text;
	const char *code; /* NULL: unknown */
};

static const struct country_case countries[] = {
	{"United States", "US"}, {"Canada", "CA"}, {"us", "US"}, {"DE", "DE"},
	{"DEU", "DE"},           {"gbr", "GB"},    {"", NULL},   {"undefined", NULL},
	{"Deutschland", NULL},   {"Atlantis", NULL},
};

static void test_country(void)
{
	for (size_t i = 0; i < sizeof countries / sizeof countries[0]; i++) {
		const struct country_case *c = &countries[i];
		char cc[3] = "";
		int st = ingest_country_code(c->text, strlen(c->text), cc);
		if (c->code)
			tap_ok(st == 0 && strcmp(cc, c->code) == 0, "country: \"%s\" is %s (got %d %s)", c->text,
			       c->code, st, cc);
		else
			tap_is_int(st, -1, "country: \"%s\" is unknown", c->text);
	}
}

static void test_quote(void)
{
	char buf[128];
	tap_is_str(ingest_quote(buf, sizeof buf, "12,5%", 5), "\"12,5%\"", "quote: plain value");
	tap_is_str(ingest_quote(buf, sizeof buf, "a\tb", 3), "\"a\\tb\"", "quote: a tab escaped");
	tap_is_str(ingest_quote(buf, sizeof buf, "\xff" "x", 2), "\"\\xffx\"", "quote: a byte not UTF-8 as \\xNN");
	tap_is_str(ingest_quote(buf, sizeof buf, "caf\xc3\xa9", 5), "\"caf\xc3\xa9\"", "quote: UTF-8 kept");
	char longv[200];
	memset(longv, 'z', sizeof longv);
	ingest_quote(buf, sizeof buf, longv, sizeof longv);
	tap_ok(strlen(buf) < 80 && strstr(buf, "...") != NULL, "quote: a long cell cut");
}

static void test_int_and_tz(void)
{
	static const struct {
		const char *s;
		int ok;
		long long v;
	} ints[] = {{"3", 1, 3}, {"-1", 1, -1}, {"+2", 1, 2}, {"1.0", 1, 1}, {" 4 ", 1, 4},
		    {"1.5", 0, 0}, {"", 0, 0},  {"x", 0, 0},  {"1e3x", 0, 0}};
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
		int64_t v = 0;
		int st = ingest_int_parse(ints[i].s, strlen(ints[i].s), &v);
		if (ints[i].ok)
			tap_ok(st == 0 && v == ints[i].v, "int: \"%s\" is %lld", ints[i].s, ints[i].v);
		else
			tap_is_int(st, -1, "int: \"%s\" is refused", ints[i].s);
	}
	static const struct {
		const char *s;
		int ok;
		int minutes;
	} zones[] = {{"UTC", 1, 0}, {"Z", 1, 0}, {"+05:30", 1, 330}, {"-0800", 1, -480}, {"PST", 1, -480},
		     {"bogus", 0, 0}, {"", 0, 0}};
	for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
		int m = 99999;
		int st = ingest_tz_parse(zones[i].s, strlen(zones[i].s), &m);
		if (zones[i].ok)
			tap_ok(st == 0 && m == zones[i].minutes, "tz: \"%s\" is %d minutes (got %d)", zones[i].s,
			       zones[i].minutes, m);
		else
			tap_is_int(st, -1, "tz: \"%s\" is refused", zones[i].s);
	}
}

static void test_encodings(void)
{
	static const char *const names[] = {"utf-8", "cp1252", "utf-16le", "utf-16be", "auto"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		int e = csvin_encoding_parse(names[i]);
		tap_ok(e >= 0 && strcmp(csvin_encoding_name((enum csvin_encoding)e), names[i]) == 0,
		       "encoding: \"%s\" round trips", names[i]);
	}
	tap_is_int(csvin_encoding_parse("windows-1252"), csvin_encoding_parse("cp1252"), "encoding: windows-1252 is cp1252");
	tap_is_int(csvin_encoding_parse("iso-8859-1"), csvin_encoding_parse("latin1"), "encoding: iso-8859-1 is latin1");
	tap_is_int(csvin_encoding_parse("latin1"), CSVIN_CP1252, "encoding: latin1 reads as cp1252 (WHATWG)");
	tap_is_int(csvin_encoding_parse("ebcdic"), -1, "encoding: unknown refused");
}

static void test_sniff(void)
{
	static const struct {
		const char *bytes;
		size_t n;
		const char *says; /* NULL: may be text */
	} files[] = {
		{"PK\x03\x04\x14\x00\x06\x00", 8, "Excel workbook (a ZIP file"},
		{"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8, "legacy Excel workbook (.xls)"},
		{"%PDF-1.7\n", 9, "a PDF document"},
		{"\r\n  <!DOCTYPE html><html>", 26, "a web page (HTML)"},
		{"<HTML><body>", 12, "a web page (HTML)"},
		{"date,amount\n", 12, NULL},
		{"PK", 2, NULL},
		{"<htm", 4, NULL},
		{"", 0, NULL},
	};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		const char *got = ingest_sniff_not_text(files[i].bytes, files[i].n);
		if (files[i].says)
			tap_ok(got && strstr(got, files[i].says), "sniff: case %zu is %s", i, files[i].says);
		else
			tap_ok(got == NULL, "sniff: case %zu may be text", i);
	}
}

/* Headers given to the wrong command: exports, the sales stream, others. */
static void test_sniff_header(void)
{
	static const struct {
		const char *line; /* TAB-separated, as a TSV reader splits it */
		enum ingest_header_kind kind;
		const char *format;
	} cases[] = {
		{"Purchase ID,Item Name,Purchase Date,Sale Price ($),Net Total ($),Refunded?,Tip ($)",
		 INGEST_HEADER_EXPORT, "gumroad-sales"},
		{"\xEF\xBB\xBF\"Purchase ID\",\"Item Name\",\"Purchase Date\",\"Sale Price ($)\",\"Net Total ($)\",\"Refunded?\"",
		 INGEST_HEADER_EXPORT, "gumroad-sales"},
		{"When;What;Amount", INGEST_HEADER_EXPORT, NULL},
		{"Purchase ID\tItem Name\tPurchase Date\tSale Price ($)\tNet Total ($)\tRefunded?",
		 INGEST_HEADER_EXPORT, "gumroad-sales"},
		{"date\tsource\torder\tline\tproduct\tkind\tcurrency\tgross\tnet", INGEST_HEADER_SALES, NULL},
		{"date\tsource\torder\tkind\tcurrency\tgross", INGEST_HEADER_OTHER, NULL},
		{"# Agent 15% off the top, the rest split evenly.", INGEST_HEADER_OTHER, NULL},
		{"a,b", INGEST_HEADER_OTHER, NULL},
		{"a,,b", INGEST_HEADER_OTHER, NULL},
		{"match\tpayee\tshare", INGEST_HEADER_OTHER, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char buf[300], *cols[16];
		size_t n = 0;
		snprintf(buf, sizeof buf, "%s", cases[i].line);
		for (char *p = strtok(buf, "\t"); p && n < 16; p = strtok(NULL, "\t"))
			cols[n++] = p;
		const char *format = "unset";
		enum ingest_header_kind k = ingest_sniff_header(cols, n, &format);
		tap_ok(k == cases[i].kind && (cases[i].format ? format && strcmp(format, cases[i].format) == 0 : !format),
		       "header %zu: kind %d, format %s", i, (int)cases[i].kind, cases[i].format ? cases[i].format : "none");
	}
	tap_is_int((int)ingest_sniff_header(NULL, 0, NULL), INGEST_HEADER_OTHER, "no columns: other");
}

static void test_redact(void)
{
	uint8_t key[16];
	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	char p[REDACT_PSEUDONYM_LEN + 1], q[REDACT_PSEUDONYM_LEN + 1], want[REDACT_PSEUDONYM_LEN + 1];
	/* 15 bytes 00..0e lower-cased are themselves: the paper's example again */
	char msg[15];
	for (int i = 0; i < 15; i++)
		msg[i] = (char)i;
	redact_pseudonym(p, key, msg, 15);
	snprintf(want, sizeof want, "c%016llx", 0xa129ca6149be45e5ULL);
	tap_is_str(p, want, "pseudonym: c and the SipHash of the value, in hex");
	redact_pseudonym(p, key, "Ana@Example.COM", 15);
	redact_pseudonym(q, key, "ana@example.com", 15);
	tap_is_str(p, q, "pseudonym: case does not matter");
	tap_ok(redact_is_pii_column("Buyer Email") && redact_is_pii_column("Shipping Address") &&
		       redact_is_pii_column("phone"),
	       "pii: e-mail, address and phone columns");
	tap_ok(!redact_is_pii_column("Net") && !redact_is_pii_column("Order ID"), "pii: money and orders are not");
	static char h0[] = "order", h1[] = "email", h2[] = "note";
	char *header[] = {h0, h1, h2};
	const char raw[] = "o1,bo@example.org,ask ana@example.com";
	struct csvin_field f[3] = {{raw, 2}, {raw + 3, 14}, {raw + 18, 19}};
	size_t n = 0;
	char *out = redact_record(raw, sizeof raw - 1, f, 3, header, 3, key, &n);
	char pb[REDACT_PSEUDONYM_LEN + 1], pa[REDACT_PSEUDONYM_LEN + 1], expect[128];
	redact_pseudonym(pb, key, "bo@example.org", 14);
	redact_pseudonym(pa, key, "ana@example.com", 15);
	snprintf(expect, sizeof expect, "o1,%s,ask %s", pb, pa);
	tap_ok(out && n == strlen(expect) && strcmp(out, expect) == 0,
	       "redact: the e-mail column and an address inside a note replaced (got %s)", out ? out : "NULL");
	free(out);
	char path[] = "/tmp/test_salt.XXXXXX";
	int fd = mkstemp(path);
	bool shared = true;
	if (fd >= 0 && write(fd, "pepper\nsecond\n", 14) == 14) {
		char *salt = redact_read_salt(path, &shared);
		tap_ok(salt && strcmp(salt, "pepper") == 0 && !shared, "salt: the first line, private file");
		free(salt);
		chmod(path, 0644);
		salt = redact_read_salt(path, &shared);
		tap_ok(salt && shared, "salt: a file others may read is flagged");
		free(salt);
	}
	if (fd >= 0)
		close(fd), unlink(path);
	errno = 0;
	tap_ok(redact_read_salt("/nonexistent/salt", &shared) == NULL && errno == ENOENT, "salt: a missing file, ENOENT");
}

int main(void)
{
	test_siphash();
	test_country();
	test_quote();
	test_int_and_tz();
	test_encodings();
	test_sniff();
	test_sniff_header();
	test_redact();
	return tap_done();
}
