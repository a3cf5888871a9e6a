/*
 * hostkey.c - host key check against sysman's own known_hosts file.
 *
 * One process-wide mutex serialises check-and-record, so two sessions
 * (possibly on different loop threads) never append to the file at once.
 */
#include "ssh/pool_int.h"

#include <errno.h>
#include <stdio.h>

#include "util/strutil.h"

static pthread_mutex_t known_hosts_lock = PTHREAD_MUTEX_INITIALIZER;

int hostkey_decide(enum ssh_known_hosts_e st, int policy)
{
	switch (st) {
	case SSH_KNOWN_HOSTS_OK:
		return 0;
	case SSH_KNOWN_HOSTS_CHANGED:
	case SSH_KNOWN_HOSTS_OTHER:
		return -EKEYREJECTED;
	case SSH_KNOWN_HOSTS_UNKNOWN:
	case SSH_KNOWN_HOSTS_NOT_FOUND:
		return policy == SSH_POLICY_STRICT ? -EKEYREJECTED : 1;
	case SSH_KNOWN_HOSTS_ERROR:
	default:
		return -EIO;
	}
}

/* "SHA256:..." of the server's key, or "unknown fingerprint". */
static void server_fingerprint(ssh_session s, char *fp, size_t n)
{
	ssh_key key = NULL;
	unsigned char *hash = NULL;
	size_t hlen = 0;
	char *str = NULL;

	str_copy(fp, n, "unknown fingerprint");
	if (ssh_get_server_publickey(s, &key) != SSH_OK)
		goto out;
	if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash,
				   &hlen) != 0)
		goto out;
	str = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
	if (str)
		str_copy(fp, n, str);
out:
	ssh_string_free_char(str);
	ssh_clean_pubkey_hash(&hash);
	ssh_key_free(key);
}

int hostkey_check(ssh_session s, const char *hostname, int port,
		  int policy, const char *known_hosts, char *msg, size_t n)
{
	char name[300], fp[128];
	enum ssh_known_hosts_e st;
	int r;

	if (port == 22)
		str_copy(name, sizeof(name), hostname);
	else
		str_printf(name, sizeof(name), "[%s]:%d", hostname, port);

	pthread_mutex_lock(&known_hosts_lock);
	st = ssh_session_is_known_server(s);
	r = hostkey_decide(st, policy);
	if (r == 1) {
		if (ssh_session_update_known_hosts(s) != SSH_OK) {
			str_printf(msg, n, "cannot record host key of '%s' in "
				   "'%s': %s", name, known_hosts,
				   ssh_get_error(s));
			r = -EIO;
		} else {
			r = 0;
		}
	}
	pthread_mutex_unlock(&known_hosts_lock);
	if (r != -EKEYREJECTED && r != -EIO)
		return r;
	if (r == -EIO && st == SSH_KNOWN_HOSTS_ERROR) {
		str_printf(msg, n, "cannot check host key of '%s' against "
			   "'%s': %s", name, known_hosts, ssh_get_error(s));
		return r;
	}
	if (r == -EIO)
		return r;
	server_fingerprint(s, fp, sizeof(fp));
	if (st == SSH_KNOWN_HOSTS_CHANGED)
		str_printf(msg, n, "host key for '%s' has changed (%s does not "
			   "match '%s'): possible man-in-the-middle attack; "
			   "remove the old entry to accept the new key",
			   name, fp, known_hosts);
	else if (st == SSH_KNOWN_HOSTS_OTHER)
		str_printf(msg, n, "host key for '%s' is of a different type "
			   "than the one in '%s' (%s): possible "
			   "man-in-the-middle attack", name, known_hosts, fp);
	else
		str_printf(msg, n, "host key for '%s' (%s) is not in '%s' and "
			   "the host key policy is strict", name, fp,
			   known_hosts);
	return r;
}
