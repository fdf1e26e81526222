/* redact.c - pseudonyms and redacted rejected rows (see redact.h). */
#include "redact.h"

#include <stdlib.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "ingest_util.h"

void redact_pseudonym(char out[REDACT_PSEUDONYM_LEN + 1], const uint8_t key[16], const char *s,
		      size_t len)
{
	char low[512];
	size_t n = len < sizeof low ? len : sizeof low;
	for (size_t i = 0; i < n; i++)
		low[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
	uint64_t h = ingest_siphash(key, low, n);
	out[0] = 'c';
	for (int i = 0; i < 16; i++)
		out[1 + i] = "0123456789abcdef"[(h >> (60 - 4 * i)) & 15];
	out[REDACT_PSEUDONYM_LEN] = '\0';
}

bool redact_is_pii_column(const char *name)
{
	static const char *const words[] = {
		"email", "e-mail", "buyer", "customer", "from", "first name", "last name",
		"full name", "billing", "shipping", "address", "street", "phone", "user id",
		"patron", "member",
	};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcasestr(name, words[i]))
			return true;
	return false;
}

/* A growing text. */
struct text {
	char *s;
	size_t len, cap;
	bool oom;
};

static void put(struct text *t, const char *p, size_t n)
{
	if (t->oom)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = (t->len + n + 1) * 2;
		char *s = realloc(t->s, cap);
		if (!s) {
			t->oom = true;
			return;
		}
		t->s = s;
		t->cap = cap;
	}
	memcpy(t->s + t->len, p, n);
	t->len += n;
	t->s[t->len] = '\0';
}

/* Every occurrence of v[0..vlen) in t replaced by its pseudonym. */
static void replace_value(struct text *t, const char *v, size_t vlen, const uint8_t key[16])
{
	char pseudo[REDACT_PSEUDONYM_LEN + 1];
	struct text r = {0};
	const char *p = t->s, *end = t->s + t->len, *hit;

	redact_pseudonym(pseudo, key, v, vlen);
	while ((hit = memmem(p, (size_t)(end - p), v, vlen))) {
		put(&r, p, (size_t)(hit - p));
		put(&r, pseudo, REDACT_PSEUDONYM_LEN);
		p = hit + vlen;
	}
	put(&r, p, (size_t)(end - p));
	free(t->s);
	*t = r;
}

static bool mail_local(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("._%+-", c);
}

static bool mail_domain(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-';
}

/* Every "local@domain.tld" in t replaced by its pseudonym. */
static void replace_mails(struct text *t, const uint8_t key[16])
{
	struct text r = {0};
	size_t done = 0;
	for (size_t at = 0; at < t->len; at++) {
		if (t->s[at] != '@')
			continue;
		size_t a = at, b = at + 1;
		while (a > done && mail_local(t->s[a - 1]))
			a--;
		while (b < t->len && mail_domain(t->s[b]))
			b++;
		while (b > at + 1 && (t->s[b - 1] == '.' || t->s[b - 1] == '-'))
			b--;
		const char *dot = memchr(t->s + at + 1, '.', b - at - 1);
		if (a == at || !dot || dot == t->s + at + 1)
			continue;
		char pseudo[REDACT_PSEUDONYM_LEN + 1];
		redact_pseudonym(pseudo, key, t->s + a, b - a);
		put(&r, t->s + done, a - done);
		put(&r, pseudo, REDACT_PSEUDONYM_LEN);
		done = b;
		at = b - 1;
	}
	put(&r, t->s + done, t->len - done);
	free(t->s);
	*t = r;
}

char *redact_record(const char *raw, size_t len, const struct csvin_field *fields, size_t nf,
		    char *const *header, size_t ncols, const uint8_t key[16], size_t *out_len)
{
	struct text t = {0};
	put(&t, raw, len);
	for (size_t i = 0; i < nf && i < ncols && !t.oom; i++)
		if (fields[i].len > 0 && header[i] && redact_is_pii_column(header[i]))
			replace_value(&t, fields[i].s, fields[i].len, key);
	if (!t.oom)
		replace_mails(&t, key);
	if (t.oom) {
		free(t.s);
		return NULL;
	}
	*out_len = t.len;
	return t.s;
}

char *redact_read_salt(const char *path, bool *shared)
{
	struct stat st;
	char buf[4096];
	FILE *f = fopen(path, "r");

	*shared = false;
	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) == 0)
		*shared = (st.st_mode & 077) != 0;
	if (!fgets(buf, sizeof buf, f))
		buf[0] = '\0';
	int e = ferror(f) ? errno : 0;
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	if (e || !buf[0]) {
		errno = e;
		return NULL;
	}
	char *salt = strdup(buf);
	if (!salt)
		errno = ENOMEM;
	return salt;
}
