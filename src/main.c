/* sysmand: options, configuration, mount, signal handling. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/inventory.h"
#include "fs/fs.h"
#include "agent/agents.h"
#include "fs/handle.h"
#include "fs/special.h"
#include "special/ids.h"
#include "util/audit.h"
#include "util/log.h"
#include "util/strutil.h"

#define DEFAULT_CONF "/etc/sysman/sysman.conf"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: sysmand [OPTIONS] [MOUNTPOINT]\n"
		"Mount the Sysman cluster-management file system.\n\n"
		"  -c, --config FILE   configuration file (default " DEFAULT_CONF ")\n"
		"  -f, --foreground    stay in the foreground, log to stderr\n"
		"  -d, --debug         log at debug level (implies -f)\n"
		"  -l, --log-level L   error|warning|notice|info|debug\n"
		"      --check-config  load the configuration, print it and exit\n"
		"  -h, --help          show this help and exit\n"
		"  -V, --version       show the version and exit\n\n"
		"MOUNTPOINT overrides the configuration's mountpoint.\n"
		"Stop with SIGTERM or SIGINT (or fusermount3 -u MOUNTPOINT): the tree is\n"
		"unmounted cleanly.  See sysmand(8), sysman.conf(5), sysman-agent(7).\n");
}

struct opts {
	const char *config;
	const char *mount;
	const char *level;
	bool foreground, debug, check;
};

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "debug", no_argument, NULL, 'd' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "c:fdl:hV", lo, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'f': o->foreground = true; break;
		case 'd': o->debug = o->foreground = true; break;
		case 'l': o->level = optarg; break;
		case 'C': o->check = true; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("sysmand %s\n", SYSMAN_VERSION); exit(0);
		default: usage(stderr); return -EINVAL;
		}
	}
	if (optind < argc)
		o->mount = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "sysmand: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

static int mkdir_p(const char *path, mode_t mode)
{
	char p[PATH_MAX];

	if (str_copy(p, sizeof(p), path) < 0)
		return -ENAMETOOLONG;
	for (char *s = p + 1; ; s++) {
		if (*s == '/' || !*s) {
			char c = *s;

			*s = '\0';
			if (mkdir(p, mode) < 0 && errno != EEXIST)
				return -errno;
			if (!c)
				break;
			*s = c;
		}
	}
	return 0;
}

/* True if path is already a mount point (its device differs from its
 * parent's, or it is listed in /proc/self/mountinfo). */
static bool is_mounted(const char *path)
{
	char real[PATH_MAX], *line = NULL;
	size_t cap = 0;
	bool found = false;
	FILE *f;

	if (!realpath(path, real))
		return false;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return false;
	while (!found && getline(&line, &cap, f) > 0) {
		char mp[PATH_MAX];

		/* id parent maj:min root mountpoint ... */
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 && strcmp(mp, real) == 0)
			found = true;
	}
	free(line);
	fclose(f);
	return found;
}

static int prepare_tree(struct sysman *sm)
{
	static const char *const dirs[] = {
		"systems", "systems/servers", "systems/bmcs", "systems/chassis",
		"systems/switches", "services", "groups",
	};
	int fd;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (mkdirat(sm->root.fd, dirs[i], 0755) < 0 && errno != EEXIST)
			return -errno;
	if (symlinkat("systems", sm->root.fd, "system") < 0 && errno != EEXIST)
		return -errno;
	fd = openat(sm->root.fd, "discover_master", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
	fd = openat(sm->root.fd, "ids", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	return 0;
}

static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int setup_state(struct sysman *sm)
{
	char real[PATH_MAX], exe[PATH_MAX], *dbdir;
	const char *err = "";
	ssize_t n;
	int r;

	r = mkdir_p(sm->conf.state_dir, 0755);
	if (r < 0 || !realpath(sm->conf.state_dir, real)) {
		fprintf(stderr, "sysmand: state_dir '%s': %s\n", sm->conf.state_dir,
			strerror(r < 0 ? -r : errno));
		return -EINVAL;
	}
	sm->state_dir = strdup(real);
	sm->state_len = strlen(real);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	sm->bin_dir = strdup(n > 0 ? dirname(exe) : "/usr/bin");
	dbdir = strdup(sm->conf.db);
	if (dbdir) {
		mkdir_p(dirname(dbdir), 0755);
		free(dbdir);
	}
	r = inventory_open(sm->conf.db, &sm->inv, &err);
	if (r < 0) {
		fprintf(stderr, "sysmand: database '%s': %s\n", sm->conf.db, err);
		return r;
	}
	r = auditlog_open(sm->conf.audit_log);
	if (r < 0) {
		fprintf(stderr, "sysmand: audit_log '%s': %s\n", sm->conf.audit_log, strerror(-r));
		return r;
	}
	r = ids_store_new(&sm->ids);
	if (r < 0) {
		fprintf(stderr, "sysmand: cannot set up the credential store: %s\n", strerror(-r));
		return r;
	}
	r = inode_table_init(sm);
	if (r < 0) {
		fprintf(stderr, "sysmand: state_dir '%s': %s\n", sm->state_dir, strerror(-r));
		return r;
	}
	r = prepare_tree(sm);
	if (r < 0) {
		fprintf(stderr, "sysmand: cannot prepare the tree in '%s': %s\n", sm->state_dir, strerror(-r));
		return r;
	}
	return discover_restore(sm) < 0 ? -EIO : 0;
}

static int load_conf(struct sysman *sm, const struct opts *o)
{
	char err[1024];
	const char *file = o->config ? o->config : DEFAULT_CONF;
	int r;

	if (!o->config && access(file, F_OK) < 0)
		r = conf_defaults(&sm->conf);
	else
		r = conf_load(&sm->conf, file, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "sysmand: invalid configuration: %s\n", r == -ENOMEM ? "out of memory" : err);
		return r;
	}
	if (o->mount) {
		free(sm->conf.mountpoint);
		sm->conf.mountpoint = strdup(o->mount);
	}
	return 0;
}

static void teardown(struct sysman *sm)
{
	agent_layer_free(sm->agents);
	sm->agents = NULL;
	sm->runner = NULL;
	handles_free_all();
	special_stop(sm);
	inode_table_release(sm);
	ids_store_free(sm->ids);
	inventory_close(sm->inv);
	auditlog_close();
	conf_release(&sm->conf);
	free(sm->state_dir);
	free(sm->bin_dir);
}

static int run(struct sysman *sm, const struct opts *o)
{
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct fuse_loop_config *lc = NULL;
	int r = 1;

	fuse_opt_add_arg(&args, "sysmand");
	fuse_opt_add_arg(&args, "-o");
	fuse_opt_add_arg(&args, sm->conf.allow_other ? "default_permissions,allow_other,fsname=sysman,subtype=sysman"
						     : "default_permissions,fsname=sysman,subtype=sysman");
	sm->se = fuse_session_new(&args, &sm_ops, sizeof(sm_ops), sm);
	if (!sm->se)
		goto out;
	if (fuse_set_signal_handlers(sm->se) != 0)
		goto out_destroy;
	if (fuse_session_mount(sm->se, sm->mount) != 0) {
		fprintf(stderr, "sysmand: cannot mount on '%s'\n", sm->mount);
		goto out_signals;
	}
	if (fuse_daemonize(o->foreground) != 0)
		goto out_unmount;
	/* threads only after daemonizing (fork) */
	{
		struct agent_layer_config ac = {
			.conf = &sm->conf,
			.inv = sm->inv,
			.ids = sm->ids,
			.mount = sm->mount,
			.state_dir = sm->state_dir,
			.bin_dir = sm->bin_dir,
		};

		if (agent_layer_new(&ac, &sm->agents) < 0)
			goto out_unmount;
		sm->runner = agent_layer_runner(sm->agents);
	}
	if (special_start(sm) < 0) {
		log_err("cannot start the periodic collector");
		goto out_unmount;
	}
	log_notice("mounted '%s' over '%s' (agents: %s)", sm->mount, sm->state_dir, sm->conf.agent_dir);
	lc = fuse_loop_cfg_create();
	fuse_loop_cfg_set_clone_fd(lc, 0);
	fuse_loop_cfg_set_max_threads(lc, (unsigned)sm->conf.max_threads);
	fuse_loop_cfg_set_idle_threads(lc, 4);
	r = fuse_session_loop_mt(sm->se, lc);
	/* libfuse reports the signal that ended the loop: that is a clean stop */
	r = (r == 0 || r == SIGINT || r == SIGTERM || r == SIGHUP) ? 0 : 1;
	fuse_loop_cfg_destroy(lc);
	log_notice("unmounting '%s'", sm->mount);
out_unmount:
	fuse_session_unmount(sm->se);
out_signals:
	fuse_remove_signal_handlers(sm->se);
out_destroy:
	/* stop agents before the session goes: their callbacks reply to it */
	agent_layer_free(sm->agents);
	sm->agents = NULL;
	sm->runner = NULL;
	fuse_session_destroy(sm->se);
out:
	fuse_opt_free_args(&args);
	return r;
}

int main(int argc, char **argv)
{
	struct sysman sm;
	struct opts o = { 0 };
	struct stat st;
	int r, level;

	memset(&sm, 0, sizeof(sm));
	if (parse_opts(argc, argv, &o) < 0)
		return 2;
	if (load_conf(&sm, &o) < 0)
		return 2;
	level = log_level_parse(o.level ? o.level : sm.conf.log_level);
	if (level < 0) {
		fprintf(stderr, "sysmand: bad log level '%s'\n", o.level ? o.level : sm.conf.log_level);
		return 2;
	}
	if (o.debug)
		level = LOG_DEBUG;
	log_setup("sysmand", level, !o.foreground);
	if (o.check) {
		struct buf b = BUF_INIT;

		conf_dump(&sm.conf, &b);
		fputs(buf_str(&b), stdout);
		buf_release(&b);
		conf_release(&sm.conf);
		return 0;
	}
	if (stat("/dev/fuse", &st) < 0) {
		fprintf(stderr, "sysmand: /dev/fuse is missing (%s): load the fuse module or run where FUSE is available\n",
			strerror(errno));
		conf_release(&sm.conf);
		return 1;
	}
	sm.mount = sm.conf.mountpoint;
	if (mkdir_p(sm.mount, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "sysmand: mount point '%s': %s\n", sm.mount, strerror(errno));
		conf_release(&sm.conf);
		return 1;
	}
	if (is_mounted(sm.mount)) {
		fprintf(stderr, "sysmand: mount point '%s' is busy (already mounted); unmount it first (fusermount3 -u %s)\n",
			sm.mount, sm.mount);
		conf_release(&sm.conf);
		return 1;
	}
	/* No core file and no ptrace or /proc/PID/mem by the daemon's own uid:
	 * plaintext passwords pass through FUSE buffers, the ids write
	 * handle and the SSH and IPMI libraries, not only the locked,
	 * never-dumped pages of the ids store (sysmand(8), SECURITY). */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		log_warn("prctl(PR_SET_DUMPABLE): %s", strerror(errno));
	umask(0);  /* modes come from the caller (FUSE passes its umask) */
	raise_nofile();
	signal(SIGCHLD, SIG_DFL);
	if (setup_state(&sm) < 0) {
		teardown(&sm);
		return 1;
	}
	r = run(&sm, &o);
	teardown(&sm);
	return r;
}
