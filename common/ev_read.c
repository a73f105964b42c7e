/* See ev_read.h. */
#include "common/ev_read.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <sys/socket.h>
#include <sys/uio.h>

void ev_read_more(struct bufferevent *bev, size_t max)
{
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer_iovec vec[2];
	struct iovec iov[2];
	int fd = (int)bufferevent_getfd(bev), n;
	ssize_t got;
	size_t left = max;

	if (!max || fd < 0 || bufferevent_get_underlying(bev)) /* a filter's fd is its stream's */
		return;
	/* A socket bufferevent freezes the end of its input so that only its own reads add to it:
	 * reserving space there fails until we lift that, as libevent's own read does. */
	evbuffer_unfreeze(in, 0);
	n = evbuffer_reserve_space(in, (ev_ssize_t)max, vec, 2);
	if (n <= 0)
		goto out;
	for (int i = 0; i < n; i++) {
		vec[i].iov_len = vec[i].iov_len < left ? vec[i].iov_len : left;
		left -= vec[i].iov_len;
		iov[i] = (struct iovec){ vec[i].iov_base, vec[i].iov_len };
	}
	/* MSG_DONTWAIT: the socket may be a blocking one that libevent reads only when ready */
	got = recvmsg(fd, &(struct msghdr){ .msg_iov = iov, .msg_iovlen = (size_t)n },
		      MSG_DONTWAIT);
	for (int i = 0; i < n; i++) {
		size_t take = got > 0 ? ((size_t)got < vec[i].iov_len ? (size_t)got : vec[i].iov_len) : 0;
		vec[i].iov_len = take;
		got -= (ssize_t)take;
	}
	evbuffer_commit_space(in, vec, n);
out:
	evbuffer_freeze(in, 0);
}

void ev_read_pause_when_full(struct bufferevent *bev)
{
	size_t high = 0;

	bufferevent_getwatermark(bev, EV_READ, NULL, &high);
	if (high && evbuffer_get_length(bufferevent_get_input(bev)) >= high)
		bufferevent_disable(bev, EV_READ);
}

void ev_read_resume(struct bufferevent *bev)
{
	size_t high = 0;

	bufferevent_getwatermark(bev, EV_READ, NULL, &high);
	if (!(bufferevent_get_enabled(bev) & EV_READ) &&
	    (!high || evbuffer_get_length(bufferevent_get_input(bev)) < high / 2))
		bufferevent_enable(bev, EV_READ);
}
