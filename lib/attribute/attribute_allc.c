/* attribute_allc.c - the all-contributors reader (attribute_read.h): an
 * .all-contributorsrc file, parsed with jansson. */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attribute_read.h"

/* The type of one entry of "contributions": a string or {"type": ...}. */
static const char *contribution_type(json_t *c)
{
	if (json_is_object(c))
		c = json_object_get(c, "type");
	return json_is_string(c) && json_string_length(c) > 0 ? json_string_value(c) : NULL;
}

static int one_contributor(struct attr_allc *a, json_t *who, size_t index, const char *project,
			   attr_emit_fn emit, void *ctx, char *err)
{
	json_t *login = json_object_get(who, "login"), *name = json_object_get(who, "name");
	json_t *list = json_object_get(who, "contributions");
	const char *id = json_is_string(login) && json_string_length(login) ? json_string_value(login)
		       : json_is_string(name) && json_string_length(name) ? json_string_value(name) : NULL;
	if (!id)
		return attr_fail(err, "contributors[%zu]: no \"login\" or \"name\"", index);
	if (!json_is_array(list))
		return attr_fail(err, "contributors[%zu] (%s): \"contributions\" is not a list", index, id);
	a->contributors++;
	size_t i;
	json_t *c;
	json_array_foreach(list, i, c) {
		const char *type = contribution_type(c);
		if (!type)
			return attr_fail(err, "contributors[%zu] (%s): contributions[%zu] is not a contribution type",
				    index, id, i);
		char ref[512];
		int rl = snprintf(ref, sizeof ref, "all-contributors:%s:%s", id, type);
		struct attr_row row = {
			.date = a->date, .contributor = id, .contributor_len = strlen(id),
			.kind = type, .kind_len = strlen(type), .project = project, .project_len = strlen(project),
			.amount = ATTR_POINT, .ref = ref, .ref_len = rl < (int)sizeof ref ? (size_t)rl : sizeof ref - 1,
			.target = "", .target_len = 0,
		};
		int st = emit(ctx, &row, err);
		if (st)
			return st;
	}
	return ATTR_OK;
}

int attr_allc_parse(struct attr_allc *a, const char *text, size_t len, attr_emit_fn emit, void *ctx, char *err)
{
	json_error_t je;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return attr_fail(err, "line %d, column %d: %s", je.line, je.column, je.text);
	int st = ATTR_OK;
	json_t *list = json_object_get(root, "contributors");
	json_t *pname = json_object_get(root, "projectName");
	const char *project = a->project ? a->project : json_is_string(pname) ? json_string_value(pname) : NULL;
	if (!json_is_object(root))
		st = attr_fail(err, "not a JSON object");
	else if (!json_is_array(list))
		st = attr_fail(err, "no \"contributors\" list");
	else if (!project || !*project)
		st = attr_fail(err, "no \"projectName\": give --project");
	size_t i;
	json_t *who;
	if (st == ATTR_OK)
		json_array_foreach(list, i, who) {
			if (!json_is_object(who))
				st = attr_fail(err, "contributors[%zu] is not an object", i);
			else
				st = one_contributor(a, who, i, project, emit, ctx, err);
			if (st)
				break;
		}
	json_decref(root);
	return st;
}
