/* book.h - helpers the unit tests of tally-report's book share: a name's
 * id and a payee's account in a book (report_statements.h), by C string. */
#ifndef TALLY_TEST_BOOK_H
#define TALLY_TEST_BOOK_H

#include <stdint.h>
#include <string.h>

#include "report_statements.h"

/* The id of s in b's names, interned when new (out of memory: not tested). */
static inline uint32_t name(struct report_book *b, const char *s)
{
	uint32_t id;
	names_intern(&b->names, s, strlen(s), &id);
	return id;
}

/* The id of payee's account in currency cur, opened when new. */
static inline uint32_t account(struct report_book *b, const char *payee, const char *cur)
{
	uint32_t id;
	report_book_account(b, name(b, payee), cur, &id);
	return id;
}

#endif
