/* The tree through the mount point, as the calling thread's user (cred.c).
 * Paths are opened with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)
 * from the mount point, so neither ".." nor a symbolic link can reach a
 * file outside the tree; links inside it (groups/) work. */
#include "web/web.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "special/status.h"
#include "util/buf.h"

int tree_open(const struct web *w, const char *path, int flags)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, w->mount_fd, path, &how, sizeof(how));

	return fd < 0 ? -errno : (int)fd;
}

static int read_fd(int fd, struct buf *b)
{
	size_t max = b->max ? b->max : BUF_DEFAULT_MAX;

	for (;;) {
		size_t room = max - b->len < 64 * 1024 ? max - b->len : 64 * 1024;
		ssize_t n;
		int r;

		if (room == 0) {
			char c;

			/* full: more is too much */
			n = read(fd, &c, 1);
			return n > 0 ? -EFBIG : n < 0 ? -errno : 0;
		}
		if ((r = buf_reserve(b, room)) < 0)
			return r;
		n = read(fd, buf_tail(b), room);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return 0;
		buf_commit(b, (size_t)n);
	}
}

/* Text for JSON: jansson wants UTF-8; other bytes become U+FFFD. */
static json_t *json_text(const char *s, size_t len)
{
	json_t *j = json_stringn(s, len);
	struct buf b;

	if (j)
		return j;
	buf_init(&b, len * 3 + 16);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t k = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
		json_t *t = k > 1 && i + k <= len ? json_stringn(s + i, k) : NULL;

		if (k == 1 && c != 0)
			buf_append(&b, s + i, 1);
		else if (t) {
			buf_append(&b, s + i, k);
			i += k - 1;
		} else
			buf_append_str(&b, "\xef\xbf\xbd");
		json_decref(t);
	}
	j = json_stringn(b.data ? b.data : "", b.len);
	buf_release(&b);
	return j;
}

/* "status" and "rc" of path's .status file (dirfd-relative name when
 * dirfd >= 0); null when there is none or it cannot be read. */
static void add_status(const struct web *w, int dirfd, const char *path, json_t *o)
{
	char name[PATH_MAX + 8];
	struct buf b;
	int fd, rc;

	json_object_set_new(o, "status", json_null());
	json_object_set_new(o, "rc", json_null());
	if (snprintf(name, sizeof(name), "%s%s", path, STATUS_SUFFIX) >= (int)sizeof(name))
		return;
	if (dirfd >= 0)
		fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	else
		fd = tree_open(w, name, O_RDONLY);
	if (fd < 0)
		return;
	buf_init(&b, 8192);
	if (read_fd(fd, &b) == 0 && b.len) {
		json_object_set_new(o, "status", json_text(b.data, b.len));
		if (status_parse(b.data, &rc, NULL, 0) == 0)
			json_object_set_new(o, "rc", json_integer(rc));
	}
	buf_release(&b);
	close(fd);
}

int tree_read_file(const struct web *w, const char *path, json_t *o)
{
	struct stat st;
	struct buf b;
	int fd, r;

	fd = tree_open(w, path, O_RDONLY);
	if (fd < 0)
		return fd;
	buf_init(&b, WEB_READ_MAX);
	r = read_fd(fd, &b);
	if (r == 0 && fstat(fd, &st) == 0) {
		json_object_set_new(o, "content", json_text(b.data ? b.data : "", b.len));
		json_object_set_new(o, "mtime", json_integer((json_int_t)st.st_mtime));
	}
	close(fd);
	buf_release(&b);
	if (r < 0)
		return r;
	json_object_set_new(o, "writable", json_boolean(faccessat(w->mount_fd, path, W_OK,
								  AT_EACCESS) == 0));
	add_status(w, -1, path, o);
	return 0;
}

static const char *type_name(mode_t m)
{
	return S_ISDIR(m) ? "dir" : S_ISLNK(m) ? "link" : "file";
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_dir(const struct web *w, int fd, json_t *o)
{
	json_t *entries = json_array();
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d = fdopendir(fd);

	if (!d) {
		close(fd);
		json_decref(entries);
		return -errno;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    status_is_status_name(de->d_name))
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof(*names));

			if (!nn)
				break;
			names = nn;
		}
		if (!(names[n] = strdup(de->d_name)))
			break;
		n++;
	}
	qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_object();
		struct stat st = { 0 };

		json_object_set_new(e, "name", json_text(names[i], strlen(names[i])));
		if (fstatat(dirfd(d), names[i], &st, AT_SYMLINK_NOFOLLOW) == 0) {
			json_object_set_new(e, "type", json_string(type_name(st.st_mode)));
			json_object_set_new(e, "mtime", json_integer((json_int_t)st.st_mtime));
			json_object_set_new(e, "mode", json_integer(st.st_mode & 07777));
		}
		json_object_set_new(e, "writable", json_boolean(faccessat(dirfd(d), names[i], W_OK,
									  AT_EACCESS) == 0));
		if (!S_ISDIR(st.st_mode))
			add_status(w, dirfd(d), names[i], e);
		json_array_append_new(entries, e);
		free(names[i]);
	}
	free(names);
	closedir(d);
	json_object_set_new(o, "entries", entries);
	return 0;
}

int tree_get(const struct web *w, const char *path, json_t **ret)
{
	json_t *o = json_object();
	struct stat st;
	int fd, r;

	*ret = NULL;
	/* O_PATH first: a file is opened for reading (which runs its agent)
	 * only once it is known not to be a directory */
	fd = tree_open(w, path, O_PATH);
	if (fd < 0) {
		json_decref(o);
		return fd;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		json_decref(o);
		return r;
	}
	close(fd);
	json_object_set_new(o, "path", json_string(strcmp(path, ".") ? path : ""));
	json_object_set_new(o, "type", json_string(S_ISDIR(st.st_mode) ? "dir" : "file"));
	if (S_ISDIR(st.st_mode)) {
		fd = tree_open(w, path, O_RDONLY | O_DIRECTORY);
		r = fd < 0 ? fd : list_dir(w, fd, o);
		json_object_set_new(o, "mtime", json_integer((json_int_t)st.st_mtime));
	} else
		r = tree_read_file(w, path, o);
	if (r < 0) {
		json_decref(o);
		return r;
	}
	*ret = o;
	return 0;
}

int tree_write_file(const struct web *w, const char *path, const char *data, size_t len,
		    json_t *o)
{
	size_t off = 0;
	int fd, r = 0;

	fd = tree_open(w, path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return fd;
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		off += (size_t)n;
	}
	if (close(fd) < 0 && r == 0)
		r = -errno;
	add_status(w, -1, path, o);
	return r;
}
