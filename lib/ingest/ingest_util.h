/* ingest_util.h - small helpers of tally-ingest: keyed hashing for
 * customer pseudonyms and row fingerprints, country names to ISO codes,
 * quoting values for messages. */
#ifndef TALLY_INGEST_UTIL_H
#define TALLY_INGEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* SipHash-2-4 of data under a 128-bit key: a keyed hash, so that a
 * pseudonym cannot be checked against a guessed e-mail without the key. */
uint64_t ingest_siphash(const uint8_t key[16], const void *data, size_t len);

/* Derive a 128-bit key from a passphrase (itself hashed, twice). */
void ingest_key_from_salt(uint8_t key[16], const char *salt, size_t len);

/* A stable fingerprint of a record's text (unkeyed, not secret). */
uint64_t ingest_fingerprint(const void *data, size_t len);

/* Country name ("United States", "Canada"; "Deutschland" not included),
 * two-letter code ("us") or ISO 3166-1 alpha-3 code ("DEU") -> ISO 3166-1
 * alpha-2 upper case in cc[0..2).  Returns 0, or -1 when unknown (an empty
 * cell, "undefined", is unknown too). */
int ingest_country_code(const char *s, size_t len, char cc[3]);

/* Quote a cell for a message: "value", control characters and bytes that
 * are not UTF-8 escaped (\xNN), cut after about 60 bytes.  Returns buf. */
char *ingest_quote(char *buf, size_t cap, const char *s, size_t len);

#endif
