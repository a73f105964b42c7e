/* LongLived request-targets (MS-GRVHENC 2.2.2.1.1.1, 2.2.2.1.2.1): written by the client,
 * parsed by the relay. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/num.h"
#include "proto/guid.h"
#include "proto/longlived.h"

int ll_uri_write(const struct ll_request *r, char *buf, size_t cap, size_t *len)
{
	char cl[40] = "", id[CAP_GUID_MAX + 8] = "";
	int n;

	if (!*r->server_name || !*r->guid || (r->via_proxy && (!*r->relay || !r->request_id)))
		return -1;
	if (r->kind == LL_GET) /* only the GET carries it (2.2.2.1.1.1 vs 2.2.2.1.2.1) */
		snprintf(cl, sizeof cl, ",ContentLength=%" PRIu64, r->content_length);
	if (r->via_proxy) /* 2.2.2.1.1.1.4: never when direct */
		snprintf(id, sizeof id, ",ID=%s", r->request_id);
	n = snprintf(buf, cap, "%s%s/" LL_VERSION "/%s/%s," LL_TYPE_TOKEN "%s%s",
		     r->via_proxy ? "http://" : "", r->via_proxy ? r->relay : "", r->server_name,
		     r->guid, cl, id);
	if (n < 0 || (size_t)n >= cap)
		return -1;
	*len = (size_t)n;
	return 0;
}

/* The next path segment of *s up to stop (not included); advances past stop. */
static bool ll_segment(const char **s, char stop, const char **seg, size_t *len)
{
	const char *end = strchr(*s, stop);

	if (!end)
		return false;
	*seg = *s;
	*len = (size_t)(end - *s);
	*s = end + 1;
	return true;
}

/* LongLived-Encapsulation-Version = 1*DIGIT "." 1*DIGIT (2.2.2.1.1.1.1). */
static bool ll_version_parse(const char *s, size_t len, struct ll_target *out)
{
	const char *dot = memchr(s, '.', len);
	uint64_t major, minor;

	if (!dot || num_parse_u64(s, (size_t)(dot - s), 999, &major) < 0 ||
	    num_parse_u64(dot + 1, len - (size_t)(dot - s) - 1, 999, &minor) < 0)
		return false;
	out->major = (unsigned)major;
	out->minor = (unsigned)minor;
	return true;
}

/* A host domain name (RFC 1123 2.1) or an address literal, as Relay-Server-Name (2.2.1.1.2). */
static bool ll_name_ok(const char *s, size_t len)
{
	if (len == 0 || len > CAP_HOST_NAME)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c | 0x20) >= 'a' && (c | 0x20) <= 'z') && !(c >= '0' && c <= '9') &&
		    !strchr(".-_:[]", c))
			return false;
	}
	return true;
}

static bool ll_key_is(const char *tok, size_t len, const char *key)
{
	size_t klen = strlen(key);

	if (len < klen)
		return false;
	for (size_t i = 0; i < klen; i++)
		if ((tok[i] | 0x20) != (key[i] | 0x20))
			return false;
	return true;
}

/* One ",token" after the GUID (2.2.2.1.1.1.2 - 2.2.2.1.1.1.4, 2.2.2.2.1.1.1); type is the
 * ConnType= token the request must carry. */
static bool ll_token_parse(const char *tok, size_t len, const char *type, struct ll_target *out,
			   const char **why)
{
	while (len && *tok == ' ') { /* the examples in 4.1 write ", ConnType=" */
		tok++;
		len--;
	}
	if (ll_key_is(tok, len, "ConnType=")) {
		if (len != strlen(type) || !ll_key_is(tok, len, type)) {
			*why = "the encapsulation type is not the one this request is for";
			return false;
		}
		out->has_type = true;
	} else if (ll_key_is(tok, len, "ContentLength=")) {
		size_t k = strlen("ContentLength=");
		if (num_parse_u64(tok + k, len - k, LL_CONTENT_LENGTH, &out->content_length) < 0 ||
		    out->content_length == 0) {
			*why = "ContentLength is not a number 1..2147479552";
			return false;
		}
		out->has_content_length = true;
	}
	return true; /* ID= and tokens we do not know: ignored (3.2.5.1.1 step 5) */
}

/* Skips "http://authority" of an absolute URI (2.2.2.1.1.1: HTTP-URL); the path stays. */
static const char *ll_skip_authority(const char *t)
{
	if (!ll_key_is(t, strlen(t), "http://"))
		return t;
	t += 7;
	while (*t && *t != '/')
		t++;
	return t;
}

enum ll_verdict ll_target_parse(const char *target, struct ll_target *out, const char **why)
{
	return ll_target_parse_type(target, LL_TYPE_TOKEN, out, why);
}

enum ll_verdict ll_target_parse_type(const char *target, const char *type, struct ll_target *out,
				     const char **why)
{
	const char *s = ll_skip_authority(target), *seg;
	size_t len;

	memset(out, 0, sizeof *out);
	*why = "the request-target is not a LongLived URI";
	if (*s++ != '/' || !ll_segment(&s, '/', &seg, &len) || !ll_version_parse(seg, len, out))
		return LL_ERR_PROTOCOL;
	if (!ll_segment(&s, '/', &seg, &len) || !ll_name_ok(seg, len))
		return LL_ERR_PROTOCOL;
	memcpy(out->server_name, seg, len);
	out->server_name[len] = '\0';
	if (!ll_segment(&s, ',', &seg, &len) || !guid_valid(seg, len)) {
		*why = "no valid Virtual-Connection-GUID";
		return LL_ERR_PROTOCOL;
	}
	memcpy(out->guid, seg, len);
	out->guid[len] = '\0';
	for (;;) {
		const char *end = strchr(s, ',');
		len = end ? (size_t)(end - s) : strlen(s);
		if (!ll_token_parse(s, len, type, out, why))
			return LL_ERR_PROTOCOL;
		if (!end)
			break;
		s = end + 1;
	}
	if (!out->has_type) {
		*why = "no ConnType= token, or not the expected one";
		return LL_ERR_PROTOCOL;
	}
	if (out->major != 2 || out->minor != 0) {
		*why = "encapsulation version is not 2.0";
		return LL_ERR_VERSION;
	}
	return LL_OK;
}
