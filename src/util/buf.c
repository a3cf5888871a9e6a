#include "util/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static size_t buf_max(const struct buf *b)
{
	if (b->max == 0)
		return BUF_DEFAULT_MAX;
	return b->max > BUF_HARD_MAX ? BUF_HARD_MAX : b->max;
}

void buf_init(struct buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max > BUF_HARD_MAX ? BUF_HARD_MAX : max;
}

void buf_release(struct buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->truncated = false;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->truncated = false;
	if (b->data)
		b->data[0] = '\0';
}

static int buf_grow(struct buf *b, size_t want)
{
	size_t ncap;
	char *p;

	if (want + 1 <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < want + 1)
		ncap *= 2;
	if (ncap > buf_max(b) + 1)
		ncap = buf_max(b) + 1;
	p = realloc(b->data, ncap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = ncap;
	b->data[b->len] = '\0';   /* a fresh buffer is a valid empty string */
	return 0;
}

int buf_reserve(struct buf *b, size_t n)
{
	size_t room = buf_max(b) - b->len;
	int r;

	if (n > room)
		return -E2BIG;
	r = buf_grow(b, b->len + n);
	return r < 0 ? r : 0;
}

void buf_commit(struct buf *b, size_t n)
{
	b->len += n;
	b->data[b->len] = '\0';
}

int buf_append(struct buf *b, const void *data, size_t len)
{
	size_t room = buf_max(b) - b->len;
	int r = 0;

	if (len > room) {
		len = room;
		b->truncated = true;
		r = -E2BIG;
	}
	if (buf_grow(b, b->len + len) < 0)
		return -ENOMEM;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return r;
}

int buf_append_str(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	char small[256];
	va_list cp;
	int n;
	char *big;
	int r;

	va_copy(cp, ap);
	n = vsnprintf(small, sizeof(small), fmt, cp);
	va_end(cp);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n < sizeof(small))
		return buf_append(b, small, (size_t)n);
	big = malloc((size_t)n + 1);
	if (!big)
		return -ENOMEM;
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	r = buf_append(b, big, (size_t)n);
	free(big);
	return r;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

ssize_t buf_read_fd(struct buf *b, int fd)
{
	char sink[16384];
	ssize_t total = 0, n;
	size_t room;

	for (;;) {
		room = buf_max(b) - b->len;
		if (room == 0) {
			n = read(fd, sink, sizeof(sink));
			if (n > 0) {
				b->truncated = true;
				total += n;
				continue;
			}
		} else {
			size_t want = room < 65536 ? room : 65536;

			if (buf_grow(b, b->len + want) < 0)
				return -ENOMEM;
			n = read(fd, b->data + b->len, want);
			if (n > 0) {
				b->len += (size_t)n;
				b->data[b->len] = '\0';
				total += n;
				continue;
			}
		}
		if (n == 0)
			return total;          /* EOF (after total bytes) */
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN)
			return total ? total : -EAGAIN;
		return -errno;
	}
}

int buf_read_file(struct buf *b, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -errno;
	r = buf_read_fd(b, fd);
	close(fd);
	if (r < 0)
		return (int)r;
	return b->truncated ? -E2BIG : 0;
}

void buf_rtrim(struct buf *b)
{
	while (b->len > 0 && strchr(" \t\r\n", b->data[b->len - 1]))
		b->data[--b->len] = '\0';
}

char *buf_steal(struct buf *b)
{
	char *p = b->data;

	if (!p)
		p = calloc(1, 1);
	b->data = NULL;
	b->len = b->cap = 0;
	b->truncated = false;
	return p;
}
