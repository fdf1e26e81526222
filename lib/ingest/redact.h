/* redact.h - keeping buyers' personal data out of files tally writes for
 * people to read: keyed pseudonyms, and rejected rows with their e-mail
 * addresses and names replaced (tally-ingest --redact). */
#ifndef TALLY_REDACT_H
#define TALLY_REDACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csvin.h"

#define REDACT_PSEUDONYM_LEN 17 /* "c" and 16 hex digits */

/* The pseudonym of s[0..len): "c" and the 16 hex digits of SipHash-2-4
 * under key of s lower-cased (ASCII; its first 512 bytes).  Writes
 * REDACT_PSEUDONYM_LEN bytes and a NUL to out. */
void redact_pseudonym(char out[REDACT_PSEUDONYM_LEN + 1], const uint8_t key[16], const char *s,
		      size_t len);

/* Whether a column of this name holds a person's data: an e-mail, a
 * buyer's or customer's name or id, a name, an address, a phone number
 * (case-insensitive words: "email", "e-mail", "buyer", "customer",
 * "from", "first name", "last name", "full name", "billing", "shipping",
 * "address", "street", "phone", "user id", "patron", "member"). */
bool redact_is_pii_column(const char *name);

/* The record raw[0..len) with the value of every field i < nf whose
 * column header[i] is a person's (redact_is_pii_column), and then every
 * text that looks like an e-mail address, replaced by its pseudonym.
 * Returns a malloc'd NUL-terminated copy (its length in *out_len), or NULL
 * when out of memory. */
char *redact_record(const char *raw, size_t len, const struct csvin_field *fields, size_t nf,
		    char *const *header, size_t ncols, const uint8_t key[16], size_t *out_len);

/* The salt kept in the file at path (TALLY_SALT_FILE): its first line,
 * without the line end.  Returns a malloc'd string; NULL with errno set
 * when the file cannot be read, or with errno 0 when its first line is
 * empty.  *shared is set when the file can be read by its group or others
 * (it should be chmod 600). */
char *redact_read_salt(const char *path, bool *shared);

#endif
