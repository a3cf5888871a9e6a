/* Writing into the backing store on behalf of agents and special files. */
#include "fs/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/strutil.h"

const char *backing_rel(const char *path)
{
	while (*path == '/')
		path++;
	return *path ? path : ".";
}

int backing_write(struct sysman *sm, const char *path, const char *data, size_t len,
		  const struct timespec *mtime)
{
	int fd, r = 0;
	size_t off = 0;

	/* In place (no rename): the inode, its owner, mode and xattrs stay. */
	fd = openat(sm->root.fd, backing_rel(path), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t n = pwrite(fd, data + off, len - off, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto out;
		}
		off += (size_t)n;
	}
	if (ftruncate(fd, (off_t)len) < 0) {
		r = -errno;
		goto out;
	}
	if (mtime) {
		struct timespec ts[2] = { { 0, UTIME_OMIT }, *mtime };

		futimens(fd, ts);
	}
out:
	close(fd);
	return r;
}

int backing_mkdirs(struct sysman *sm, const char *path, mode_t mode)
{
	char p[PATH_MAX];
	char *s;

	if (str_copy(p, sizeof(p), backing_rel(path)) < 0)
		return -ENAMETOOLONG;
	for (s = p; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (mkdirat(sm->root.fd, p, mode) < 0 && errno != EEXIST)
				return -errno;
			if (!c)
				break;
			*s = c;
		}
	}
	return 0;
}

int backing_exists(struct sysman *sm, const char *path)
{
	struct stat st;

	return fstatat(sm->root.fd, backing_rel(path), &st, AT_SYMLINK_NOFOLLOW) == 0;
}
