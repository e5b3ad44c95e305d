/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Prometheus text exposition format, version 0.0.4, and the parsing of the HTTP
 * request that asks for it (RFC 9112 3: request-line = method SP request-target SP
 * HTTP-version). Pure functions: the server is metrics_http.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

void rh_mtext_init(struct rh_mtext *t)
{
	memset(t, 0, sizeof(*t));
}

void rh_mtext_free(struct rh_mtext *t)
{
	free(t->data);
	memset(t, 0, sizeof(*t));
}

static int reserve(struct rh_mtext *t, size_t more)
{
	size_t cap;
	char *d;

	if (t->err != 0)
		return t->err;
	if (t->len + more + 1 <= t->cap)
		return 0;
	cap = t->cap != 0 ? t->cap : 4096;
	while (cap < t->len + more + 1)
		cap *= 2;
	d = realloc(t->data, cap);
	if (d == NULL) {
		t->err = -ENOMEM;
		return t->err;
	}
	t->data = d;
	t->cap = cap;
	return 0;
}

static void append(struct rh_mtext *t, const char *s, size_t n)
{
	if (reserve(t, n) < 0)
		return;
	memcpy(t->data + t->len, s, n);
	t->len += n;
	t->data[t->len] = '\0';
}

void rh_mtext_printf(struct rh_mtext *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || reserve(t, (size_t)n) < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(t->data + t->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

/* HELP text escapes backslash and newline; label values also the double quote. */
static void append_escaped(struct rh_mtext *t, const char *s, bool quote)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			append(t, "\\\\", 2);
		else if (*s == '\n')
			append(t, "\\n", 2);
		else if (quote && *s == '"')
			append(t, "\\\"", 2);
		else
			append(t, s, 1);
	}
}

void rh_metric_family(struct rh_mtext *t, const char *name, enum rh_metric_type type,
                      const char *help)
{
	rh_mtext_printf(t, "# HELP %s ", name);
	append_escaped(t, help, false);
	rh_mtext_printf(t, "\n# TYPE %s %s\n", name,
	                type == RH_METRIC_COUNTER ? "counter" : "gauge");
}

static void sample_head(struct rh_mtext *t, const char *name, const char *const *labels)
{
	append(t, name, strlen(name));
	if (labels == NULL || labels[0] == NULL)
		return;
	append(t, "{", 1);
	for (unsigned i = 0; labels[i] != NULL && labels[i + 1] != NULL; i += 2) {
		if (i > 0)
			append(t, ",", 1);
		rh_mtext_printf(t, "%s=\"", labels[i]);
		append_escaped(t, labels[i + 1], true);
		append(t, "\"", 1);
	}
	append(t, "}", 1);
}

void rh_metric_u64(struct rh_mtext *t, const char *name, const char *const *labels, uint64_t v)
{
	sample_head(t, name, labels);
	rh_mtext_printf(t, " %" PRIu64 "\n", v);
}

void rh_metric_f64(struct rh_mtext *t, const char *name, const char *const *labels, double v)
{
	sample_head(t, name, labels);
	rh_mtext_printf(t, " %.17g\n", v);
}

/* ------------------------------------------------------------------ HTTP */

/* The end of the header block: the first empty line (CRLF CRLF, or LF LF, RFC 9112 2.2). */
static long header_end(const char *buf, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i + 1] == '\n')
			return (long)(i + 2);
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return (long)(i + 3);
	}
	return -1;
}

static bool is_tchar(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

int rh_http_parse_request(const char *buf, size_t len, struct rh_http_request *req)
{
	long end = header_end(buf, len);
	const char *p = buf, *sp1, *sp2, *eol;
	size_t n;

	memset(req, 0, sizeof(*req));
	if (end < 0)
		return len >= RH_HTTP_MAX_REQUEST ? -EMSGSIZE : -EAGAIN;
	if (end > RH_HTTP_MAX_REQUEST)
		return -EMSGSIZE;
	eol = memchr(buf, '\n', (size_t)end);
	n = (size_t)(eol - buf);
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	/* method SP target SP HTTP/1.x: exactly two spaces, nothing else on the line. */
	sp1 = memchr(p, ' ', n);
	if (sp1 == NULL || sp1 == p || (size_t)(sp1 - p) >= sizeof(req->method))
		return -EINVAL;
	for (const char *c = p; c < sp1; c++)
		if (!is_tchar(*c))
			return -EINVAL;
	sp2 = memchr(sp1 + 1, ' ', n - (size_t)(sp1 + 1 - p));
	if (sp2 == NULL || sp2 == sp1 + 1)
		return -EINVAL;
	if ((size_t)(p + n - (sp2 + 1)) != 8 || memcmp(sp2 + 1, "HTTP/1.", 7) != 0 ||
	    sp2[8] < '0' || sp2[8] > '9')
		return -EINVAL;
	memcpy(req->method, p, (size_t)(sp1 - p));
	req->minor = (unsigned)(sp2[8] - '0');
	/* The origin form of the target (RFC 9112 3.2.1): a path, then an optional query. */
	const char *t = sp1 + 1, *q = memchr(t, '?', (size_t)(sp2 - t));
	size_t tl = (size_t)((q != NULL ? q : sp2) - t);

	if (t[0] != '/' || tl >= sizeof(req->path))
		return -EINVAL;
	for (size_t i = 0; i < tl; i++)
		if ((unsigned char)t[i] <= ' ' || t[i] == 0x7f)
			return -EINVAL;
	memcpy(req->path, t, tl);
	return (int)end;
}

int rh_http_route(const struct rh_http_request *req, const char **status)
{
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
		*status = "405 Method Not Allowed";
		return 405;
	}
	if (strcmp(req->path, "/metrics") != 0) {
		*status = "404 Not Found";
		return 404;
	}
	*status = "200 OK";
	return 200;
}
