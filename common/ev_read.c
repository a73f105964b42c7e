/* See ev_read.h. */
#include "common/ev_read.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <sys/uio.h>

void ev_read_more(struct bufferevent *bev, size_t max)
{
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer_iovec vec[2];
	struct iovec iov[2];
	int n = max ? evbuffer_reserve_space(in, (ev_ssize_t)max, vec, 2) : 0;
	ssize_t got;
	size_t left = max;

	if (n <= 0)
		return;
	for (int i = 0; i < n; i++) {
		vec[i].iov_len = vec[i].iov_len < left ? vec[i].iov_len : left;
		left -= vec[i].iov_len;
		iov[i] = (struct iovec){ vec[i].iov_base, vec[i].iov_len };
	}
	got = readv((int)bufferevent_getfd(bev), iov, n);
	for (int i = 0; i < n; i++) {
		size_t take = got > 0 ? ((size_t)got < vec[i].iov_len ? (size_t)got : vec[i].iov_len) : 0;
		vec[i].iov_len = take;
		got -= (ssize_t)take;
	}
	evbuffer_commit_space(in, vec, n);
}
