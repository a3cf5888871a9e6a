/* sysman-web(8): the web interface of a mounted Sysman tree. */
#include "web/web.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "util/audit.h"
#include "util/log.h"

#define FUSE_SUPER_MAGIC 0x65735546

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: sysman-web [-c FILE] [--listen ADDR:PORT] [--root DIR] [-v]\n"
		"Serves the web interface of the Sysman tree mounted at the configuration's\n"
		"mountpoint: the pages (web_root) and the JSON API (see sysman-web(8)).\n"
		"Every file access is made as the logged-in user. Runs in the foreground;\n"
		"stops on SIGTERM or SIGINT.\n\n"
		"  -c, --conf FILE      configuration file (default /etc/sysman/sysman.conf)\n"
		"  -l, --listen ADDR    overrides web_listen (ADDR:PORT)\n"
		"  -r, --root DIR       overrides web_root (the pages)\n"
		"  -v, --verbose        log at info level (twice: debug)\n"
		"  -h, --help           this text\n"
		"  -V, --version        the version\n\n"
		"Exit status: 0 stopped by a signal, 1 could not start, 2 usage error.\n");
}

static int set_str(char **field, const char *v)
{
	char *s = strdup(v);

	if (!s)
		return -ENOMEM;
	free(*field);
	*field = s;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "conf", required_argument, NULL, 'c' }, { "listen", required_argument, NULL, 'l' },
		{ "root", required_argument, NULL, 'r' }, { "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' }, { "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *conf_file = "/etc/sysman/sysman.conf", *listen = NULL, *root = NULL;
	struct web w = { .mount_fd = -1, .root_fd = -1 };
	struct statfs sfs;
	char err[512];
	sigset_t set;
	int opt, verbose = 0, sig, r, rc;

	while ((opt = getopt_long(argc, argv, "c:l:r:vhV", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': conf_file = optarg; break;
		case 'l': listen = optarg; break;
		case 'r': root = optarg; break;
		case 'v': verbose++; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("sysman-web %s\n", SYSMAN_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	log_setup("sysman-web", LOG_NOTICE, false);
	if (geteuid() != 0) {
		log_err("must run as root: it acts as each logged-in user (PAM, setfsuid)");
		return 1;
	}
	if (sodium_init() < 0) {
		log_err("libsodium cannot start");
		return 1;
	}
	r = conf_load(&w.conf, conf_file, err, sizeof(err));
	if (r < 0) {
		log_err("%s", r == -EINVAL ? err : strerror(-r));
		if (r != -EINVAL)
			log_err("cannot read \"%s\"", conf_file);
		return 1;
	}
	rc = 1;
	if ((listen && set_str(&w.conf.web_listen, listen) < 0) ||
	    (root && set_str(&w.conf.web_root, root) < 0))
		goto out;
	log_setup("sysman-web", verbose > 1 ? LOG_DEBUG : verbose ? LOG_INFO :
		  log_level_parse(w.conf.log_level) > 0 ? log_level_parse(w.conf.log_level) : LOG_NOTICE,
		  false);
	/* no core dump or swap may hold a password or a session token */
	prctl(PR_SET_DUMPABLE, 0);
	setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 });
	w.mount = w.conf.mountpoint;
	w.mount_fd = open(w.mount, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (w.mount_fd < 0) {
		log_err("mountpoint \"%s\": %s", w.mount, strerror(errno));
		goto out;
	}
	if (fstatfs(w.mount_fd, &sfs) == 0 && sfs.f_type != FUSE_SUPER_MAGIC)
		log_warn("\"%s\" is not a FUSE mount: is sysmand running?", w.mount);
	w.root_fd = open(w.conf.web_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (w.root_fd < 0) {
		log_err("web_root \"%s\": %s", w.conf.web_root, strerror(errno));
		goto out;
	}
	if ((r = auditlog_open(w.conf.audit_log)) < 0)
		log_warn("audit_log \"%s\": %s", w.conf.audit_log, strerror(-r));
	json_object_seed(0);
	w.sessions = sessions_new(w.conf.web_session_ttl, w.conf.web_login_limit);
	w.events = events_start(&w, w.conf.audit_log);
	if (!w.sessions || !w.events) {
		log_err("out of memory");
		goto out;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((r = web_http_start(&w, err, sizeof(err))) < 0) {
		log_err("%s", err);
		goto out;
	}
	log_notice("serving %s on %s://%s/ (pages from %s)", w.mount, w.tls ? "https" : "http",
		   w.conf.web_listen, w.conf.web_root);
	do {
		if (sigwait(&set, &sig) != 0)
			sig = SIGTERM;
		if (sig == SIGHUP)
			log_notice("SIGHUP: nothing to reload (restart to read the configuration)");
	} while (sig == SIGHUP);
	log_notice("stopping on signal %d", sig);
	rc = 0;
out:
	w.stopping = true;
	web_http_stop(&w);          /* waits for every connection, streams included */
	events_stop(w.events);
	sessions_free(w.sessions);
	auditlog_close();
	if (w.mount_fd >= 0)
		close(w.mount_fd);
	if (w.root_fd >= 0)
		close(w.root_fd);
	conf_release(&w.conf);
	return rc;
}
