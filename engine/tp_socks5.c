/* `socks5`: SOCKS Encapsulation (MS-GRVHENC 1.3.3, 2.2.2.5, 3.9): a TCP connection to the SOCKS5
 * proxy of SSTPSHIM_SOCKS_PROXY (or all_proxy / ALL_PROXY / socks_proxy with socks5:// or
 * socks5h://), a handshake (engine/socks5_handshake.c) asking it to CONNECT to the application's
 * destination and port, then the application's bytes. Tried only when a proxy is configured
 * (3.9.4.1.1: "If a proxy is NOT configured, then SOCKS connections MUST NOT be attempted"). */
#include <errno.h>
#include <event2/bufferevent.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "common/caps.h"
#include "common/namemap.h"
#include "engine/dial.h"
#include "engine/proxy.h"
#include "engine/socks5_handshake.h"
#include "engine/transport.h"
#include "engine/tunnel.h"
#include "proto/socks5.h"

/* A name the application resolved always fits DST.ADDR's one-byte length. */
_Static_assert(CAP_HOST_NAME == SOCKS5_NAME_MAX, "host names longer than a DOMAINNAME");

struct tp_socks5 {
	struct tp_attempt *a;
	const struct eng_proxy *proxy;
	struct dial_nb *dial;               /* until the proxy answers the TCP handshake */
	struct socks5_handshake *handshake; /* then */
	char name[CAP_HOST_NAME + 1];      /* DST.ADDR as DOMAINNAME, or "" to send the address */
};

/* The name to send as DST.ADDR into name (cap bytes), or "" for the address. 3.9.5.1.2 asks for
 * DOMAINNAME, so the name the application resolved goes whenever it is known; a placeholder
 * (SSTPSHIM_REMOTE_DNS) stands for a name this host could not resolve, which only the proxy can:
 * with socks5h the name is looked up again in case the tunnel was made without it. -1 with *why
 * when the destination cannot be expressed for this proxy. */
static int tp_socks5_dest_name(const struct tunnel *t, const struct eng_proxy *p, char *name,
			       size_t cap, const char **why)
{
	const struct sockaddr *dest = (const struct sockaddr *)&t->dest;

	name[0] = '\0';
	if (t->host[0] && strlen(t->host) < cap) {
		memcpy(name, t->host, strlen(t->host) + 1);
		return 0;
	}
	if (!namemap_is_placeholder(dest))
		return 0;
	if (p->url.scheme != PROXY_SOCKS5H) {
		*why = "placeholder address: only a socks5h:// proxy resolves names";
		return -1;
	}
	if (namemap_lookup(dest, name, cap) < 0 || strlen(name) > SOCKS5_NAME_MAX) {
		name[0] = '\0';
		*why = "placeholder address whose name is no longer known";
		return -1;
	}
	return 0;
}

/* RFC 1929 2: ULEN and PLEN are one byte each. */
static bool tp_socks5_creds_fit(const struct eng_proxy *p)
{
	return !p->url.has_user ||
	       (strlen(p->url.user) <= SOCKS5_NAME_MAX && strlen(p->url.password) <= SOCKS5_NAME_MAX);
}

static bool tp_socks5_usable(const struct tunnel *t, const char **why)
{
	const struct eng_proxy *p = eng_proxy_for(t, PROXY_USE_SOCKS, why);
	char name[CAP_HOST_NAME + 1];

	if (!p)
		return false;
	if (!tp_socks5_creds_fit(p)) {
		*why = "the SOCKS5 user name or password is longer than 255 bytes (RFC 1929)";
		return false;
	}
	return tp_socks5_dest_name(t, p, name, sizeof name, why) == 0;
}

static void tp_socks5_free(struct tp_socks5 *s)
{
	dial_nb_cancel(s->dial);
	eng_socks5_cancel(s->handshake);
	free(s);
}

static void tp_socks5_handshake_done(struct bufferevent *bev, int err, const char *why, void *arg)
{
	struct tp_socks5 *s = arg;
	struct tp_attempt *a = s->a;

	s->handshake = NULL; /* it freed itself before calling us */
	tp_socks5_free(s);
	a->state = NULL;
	tp_attempt_done(a, bev, err, why);
}

/* The proxy's own address failed: say so, since the errno alone reads like the destination's. */
static const char *tp_socks5_dial_why(int err)
{
	switch (err) {
	case ECONNREFUSED:
		return "the SOCKS5 proxy refused the connection";
	case ETIMEDOUT:
		return "the SOCKS5 proxy did not answer";
	case ENETUNREACH:
	case EHOSTUNREACH:
		return "the SOCKS5 proxy is unreachable";
	default:
		return "cannot connect to the SOCKS5 proxy";
	}
}

static uint16_t tp_socks5_dest_port(const struct tunnel *t)
{
	if (t->dest.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&t->dest)->sin6_port);
	return ntohs(((const struct sockaddr_in *)&t->dest)->sin_port);
}

static void tp_socks5_dialled(struct bufferevent *bev, int err, void *arg)
{
	struct tp_socks5 *s = arg;
	struct tp_attempt *a = s->a;
	const struct tunnel *t = a->tunnel;
	const struct proxy_url *u = &s->proxy->url;
	struct socks5_target to = {
		.tunnel_id = t->id,
		.name = s->name[0] ? s->name : NULL,
		.addr = (const struct sockaddr *)&t->dest,
		.port = tp_socks5_dest_port(t), /* the application's, 2492: never the alternate */
		.user = u->has_user ? u->user : NULL,
		.password = u->password,
	};

	const char *why = tp_socks5_dial_why(err);

	s->dial = NULL; /* it freed itself before calling us */
	if (!err) {
		s->handshake = eng_socks5_start(bev, &to, tp_socks5_handshake_done, s); /* takes bev */
		if (s->handshake)
			return;
		err = errno;
		why = "cannot write the SOCKS5 request";
	}
	tp_socks5_free(s);
	a->state = NULL;
	tp_attempt_done(a, NULL, err, why);
}

static int tp_socks5_start(struct tp_attempt *a)
{
	const struct tunnel *t = a->tunnel;
	struct tp_socks5 *s = calloc(1, sizeof *s);
	const char *why = NULL;

	if (!s)
		return -1;
	s->a = a;
	/* usable() said yes a moment ago in the same loop turn; this only fetches the same answers. */
	s->proxy = eng_proxy_for(t, PROXY_USE_SOCKS, &why);
	if (!s->proxy || tp_socks5_dest_name(t, s->proxy, s->name, sizeof s->name, &why) < 0) {
		free(s);
		errno = EINVAL;
		return -1;
	}
	s->dial = dial_start(a->tunnel, (const struct sockaddr *)&s->proxy->addr, s->proxy->addr_len,
			     tp_socks5_dialled, s);
	if (!s->dial) {
		free(s);
		return -1;
	}
	a->state = s;
	return 0;
}

static void tp_socks5_abort(struct tp_attempt *a)
{
	if (a->state)
		tp_socks5_free(a->state);
	a->state = NULL;
}

const struct transport tp_socks5 = {
	.name = "socks5",
	.timeout_ms = CAP_SOCKS5_HANDSHAKE_MS,
	.usable = tp_socks5_usable,
	.start = tp_socks5_start,
	.abort = tp_socks5_abort,
};
