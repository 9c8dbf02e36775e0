// SPDX-License-Identifier: GPL-2.0
/* One print layer, two formats: aligned text or JSON (json-c) */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <json.h>

#include "fmt.h"
#include "print.h"

#define MAX_DEPTH 16

static struct {
	FILE *out;
	bool json, pretty;
	json_object *root;
	json_object *stack[MAX_DEPTH];
	int depth;
	/* text table being built */
	const struct print_col *cols;
	size_t ncols, nrows, cap, cell;
	char **cells; /* nrows * ncols */
} P = { .out = NULL };

static FILE *out(void)
{
	return P.out ? P.out : stdout;
}

void print_init(FILE *f, bool json, bool pretty)
{
	print_discard();
	P.out = f;
	P.json = json;
	P.pretty = pretty;
}

bool print_is_json(void)
{
	return P.json;
}

void print_discard(void)
{
	if (P.root)
		json_object_put(P.root);
	P.root = NULL;
	P.depth = 0;
}

int print_flush(void)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE;
	int err = 0;

	if (P.json && P.root) {
		flags |= P.pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
				  : JSON_C_TO_STRING_PLAIN;
		if (fprintf(out(), "%s\n", json_object_to_json_string_ext(P.root, flags)) < 0)
			err = -1;
	}
	print_discard();
	if (fflush(out()))
		err = -1;
	return err;
}

/* Adds v to the innermost container (or makes it the root); takes v */
static void json_add(const char *key, json_object *v)
{
	json_object *top;

	if (!P.depth) {
		if (P.root)
			json_object_put(P.root);
		P.root = v;
		return;
	}
	top = P.stack[P.depth - 1];
	if (json_object_is_type(top, json_type_array))
		json_object_array_add(top, v);
	else
		json_object_object_add(top, key ? key : "", v);
}

static void json_push(const char *key, json_object *v)
{
	if (!v || P.depth == MAX_DEPTH) {
		fprintf(stderr, "tw-stat: JSON output too deep or out of memory\n");
		exit(1);
	}
	json_add(key, v);
	P.stack[P.depth++] = v;
}

static void json_pop(void)
{
	if (P.depth)
		P.depth--;
}

void open_json_object(const char *key)
{
	if (P.json)
		json_push(key, json_object_new_object());
}

void close_json_object(void)
{
	if (P.json)
		json_pop();
}

void open_json_array(const char *key)
{
	if (P.json)
		json_push(key, json_object_new_array());
}

void close_json_array(void)
{
	if (P.json)
		json_pop();
}

void print_text(const char *fmt, ...)
{
	va_list ap;

	if (P.json)
		return;
	va_start(ap, fmt);
	vfprintf(out(), fmt, ap);
	va_end(ap);
}

static bool want_text(enum output_type t)
{
	return !P.json && (t & PRINT_FP);
}

static bool want_json(enum output_type t)
{
	return P.json && (t & PRINT_JSON);
}

void print_string(enum output_type t, const char *key, const char *fmt, const char *v)
{
	if (want_json(t))
		json_add(key, v ? json_object_new_string(v) : NULL);
	else if (want_text(t))
		fprintf(out(), fmt, v ? v : "-");
}

void print_uint(enum output_type t, const char *key, const char *fmt, uint64_t v)
{
	char buf[TW_NUM_LEN];

	if (want_json(t)) {
		json_add(key, json_object_new_uint64(v));
	} else if (want_text(t)) {
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
		fprintf(out(), fmt, buf);
	}
}

void print_count(enum output_type t, const char *key, const char *fmt, uint64_t v)
{
	char buf[TW_NUM_LEN];

	if (want_json(t))
		json_add(key, json_object_new_uint64(v));
	else if (want_text(t))
		fprintf(out(), fmt, tw_fmt_count(v, buf, sizeof(buf)));
}

void print_null(enum output_type t, const char *key, const char *fmt, const char *text)
{
	if (want_json(t))
		json_add(key, NULL);
	else if (want_text(t))
		fprintf(out(), fmt, text);
}

void print_count_opt(enum output_type t, const char *key, const char *fmt, uint64_t v,
		     bool available)
{
	if (available)
		print_count(t, key, fmt, v);
	else
		print_null(t, key, fmt, "unavailable");
}

static json_object *json_pct(double pct)
{
	char buf[TW_NUM_LEN];

	snprintf(buf, sizeof(buf), "%.1f", pct);
	return json_object_new_double_s(pct, buf);
}

void print_pct(enum output_type t, const char *key, const char *fmt, double pct)
{
	char buf[TW_NUM_LEN];

	if (want_json(t))
		json_add(key, json_pct(pct));
	else if (want_text(t))
		fprintf(out(), fmt, tw_fmt_pct(pct, buf, sizeof(buf)));
}

void print_decimal(enum output_type t, const char *key, const char *fmt, double v, int digits,
		   bool valid)
{
	char buf[64];

	if (!valid) {
		print_null(t, key, fmt, "-");
		return;
	}
	snprintf(buf, sizeof(buf), "%.*f", digits, v);
	if (want_json(t))
		json_add(key, json_object_new_double_s(v, buf));
	else if (want_text(t))
		fprintf(out(), fmt, buf);
}

void print_bool(enum output_type t, const char *key, const char *fmt, bool v)
{
	if (want_json(t))
		json_add(key, json_object_new_boolean(v));
	else if (want_text(t))
		fprintf(out(), fmt, v ? "yes" : "no");
}

/* Tables */

static void table_free(void)
{
	size_t i;

	for (i = 0; i < P.nrows * P.ncols; i++)
		free(P.cells[i]);
	free(P.cells);
	P.cells = NULL;
	P.nrows = P.cap = P.cell = 0;
}

void table_open(const char *key, const struct print_col *cols, size_t ncols)
{
	table_free();
	P.cols = cols;
	P.ncols = ncols;
	open_json_array(key);
}

void table_row_open(void)
{
	size_t i;

	if (P.json) {
		open_json_object(NULL);
		return;
	}
	if (P.nrows == P.cap) {
		P.cap = P.cap ? P.cap * 2 : 64;
		P.cells = realloc(P.cells, P.cap * P.ncols * sizeof(*P.cells));
		if (!P.cells) {
			fprintf(stderr, "tw-stat: out of memory\n");
			exit(1);
		}
	}
	for (i = 0; i < P.ncols; i++)
		P.cells[P.nrows * P.ncols + i] = NULL;
	P.nrows++;
	P.cell = 0;
}

void table_row_close(void)
{
	close_json_object();
}

static void cell_text(const char *v)
{
	char **c;

	if (!P.nrows || P.cell >= P.ncols)
		return;
	c = &P.cells[(P.nrows - 1) * P.ncols + P.cell++];
	*c = strdup(v ? v : "-");
	if (!*c) {
		fprintf(stderr, "tw-stat: out of memory\n");
		exit(1);
	}
}

static void print_padded(const char *s, size_t w, bool right, bool last)
{
	size_t len = strlen(s), pad = w > len ? w - len : 0;

	if (right)
		fprintf(out(), "%*s%s", (int)pad, "", s);
	else if (last)
		fputs(s, out());
	else
		fprintf(out(), "%s%*s", s, (int)pad, "");
}

void table_close(void)
{
	size_t *w, r, c;

	if (P.json) {
		close_json_array();
		return;
	}
	w = calloc(P.ncols ? P.ncols : 1, sizeof(*w));
	if (!w) {
		fprintf(stderr, "tw-stat: out of memory\n");
		exit(1);
	}
	for (c = 0; c < P.ncols; c++) {
		w[c] = strlen(P.cols[c].title);
		for (r = 0; r < P.nrows; r++) {
			const char *s = P.cells[r * P.ncols + c];

			if (s && strlen(s) > w[c])
				w[c] = strlen(s);
		}
	}
	for (r = 0; r <= P.nrows; r++) {
		for (c = 0; c < P.ncols; c++) {
			const char *s = r ? P.cells[(r - 1) * P.ncols + c] : P.cols[c].title;

			/* no trailing blanks for an empty last cell */
			if (c == P.ncols - 1 && !P.cols[c].right && (!s || !*s))
				break;
			if (c)
				fputs("  ", out());
			print_padded(s ? s : "", w[c], P.cols[c].right, c == P.ncols - 1);
		}
		fputc('\n', out());
	}
	free(w);
	table_free();
}

void cell_string(enum output_type t, const char *key, const char *v)
{
	if (want_json(t))
		json_add(key, v ? json_object_new_string(v) : NULL);
	else if (want_text(t))
		cell_text(v);
}

void cell_uint(enum output_type t, const char *key, uint64_t v)
{
	char buf[TW_NUM_LEN];

	if (want_json(t)) {
		json_add(key, json_object_new_uint64(v));
	} else if (want_text(t)) {
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
		cell_text(buf);
	}
}

void cell_count(enum output_type t, const char *key, uint64_t v)
{
	char buf[TW_NUM_LEN];

	if (want_json(t))
		json_add(key, json_object_new_uint64(v));
	else if (want_text(t))
		cell_text(tw_fmt_count(v, buf, sizeof(buf)));
}

void cell_pct(enum output_type t, const char *key, double pct, bool valid)
{
	char buf[TW_NUM_LEN];

	if (want_json(t))
		json_add(key, valid ? json_pct(pct) : NULL);
	else if (want_text(t))
		cell_text(valid ? tw_fmt_pct(pct, buf, sizeof(buf)) : "-");
}
