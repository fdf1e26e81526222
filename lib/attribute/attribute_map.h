/* attribute_map.h - contributions from any CSV/TSV export (a forum, a chat,
 * a translation platform, a spreadsheet of hours), read through a mapping
 * in tally-ingest's mapping language (ingest_map.h).
 *
 * A contributions mapping uses the language's reading directives as they
 * are (format, source, title, note, checked, detect, separator, encoding,
 * decimal-mark, date-format, date-order, timezone, skip if, stop if,
 * fill-key, fill-down) and, instead of the sales fields, the fields of
 * the contributions stream:
 *
 *   date TEMPLATE         required, read by date-format as tally-ingest does
 *   contributor TEMPLATE  required, not empty
 *   kind TEMPLATE         required, not empty ("question", or {Type})
 *   project TEMPLATE      required, not empty
 *   amount EXPR           default 1; never negative ({Hours}, {Likes} + 1)
 *   ref TEMPLATE          the contribution's id (duplicates count once)
 *   target TEMPLATE       whom or what it responds to
 *
 * Each is compiled to a field of the sales mapping (contributor to
 * customer, kind to order, project to product, ref to id, target to sku,
 * amount to gross) so the one parser and evaluator serve both.  Any other
 * directive is an error naming its line.  Library code: nothing prints. */
#ifndef TALLY_ATTRIBUTE_MAP_H
#define TALLY_ATTRIBUTE_MAP_H

#include "attribute.h"
#include "attribute_read.h"
#include "csvin.h"
#include "ingest_map.h"

/* Compile a contributions mapping text (name: its file, for messages).
 * Returns ATTR_OK, ATTR_ENOMEM, or ATTR_EDATA with err "LINE: message".
 * m must be freed with imap_free either way. */
int attr_map_parse(struct imap *m, const char *text, char *err);

/* Read the open CSV c through m: the header is the first of its first 20
 * records that holds every detect column (the first record without
 * detect), then every record becomes at most one contribution, passed to
 * emit.  Returns an attr_status; on ATTR_EDATA *line is the record's line
 * (0: about the file, such as a missing column) and err says what,
 * naming the mapping's field ("contributor: is empty"). */
int attr_map_read(struct imap *m, struct csvin *c, attr_emit_fn emit, void *ctx, long *line, char *err);

#endif
