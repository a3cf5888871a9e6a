/* Starting an agent: argv as the paper gives it, environment, stdin, a
 * new process group, non-blocking pipes and a pidfd for the event loop;
 * under agent_user, as that user (fork, credentials, exec). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/job.h"
#include "conf/conf.h"
#include "util/hmap.h"
#include "util/log.h"

extern char **environ;

/* True if env ("K=V" entries, NULL-terminated) sets the variable of the
 * "K=V" entry e. */
static bool env_sets(char *const *env, const char *e)
{
	size_t n = strcspn(e, "=") + 1;

	for (; *env; env++)
		if (strncmp(*env, e, n) == 0)
			return true;
	return false;
}

/* The daemon's environment minus SYSMAN_* and what the job sets (getenv
 * takes the first entry: PATH must be the job's), then the job's. */
static int build_env(const struct job *j, char ***ret)
{
	size_t n = 0, k = 0;
	char **env;

	for (char **e = environ; *e; e++)
		n++;
	for (char **e = j->env; *e; e++)
		n++;
	env = calloc(n + 8, sizeof(*env));
	if (!env)
		return -ENOMEM;
	for (char **e = environ; *e; e++)
		if (strncmp(*e, "SYSMAN_", 7) != 0 && !env_sets(j->env, *e))
			env[k++] = *e;
	for (char **e = j->env; *e; e++)
		env[k++] = *e;
	env[k] = NULL;
	*ret = env;
	return (int)k;
}

static int make_input_fd(const struct job *j)
{
	int fd;

	if (!j->input)
		return open("/dev/null", O_RDONLY | O_CLOEXEC);
	fd = memfd_create("sysman-input", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (j->req.input_len && write(fd, j->input, j->req.input_len) != (ssize_t)j->req.input_len) {
		int e = errno ? errno : EIO;

		close(fd);
		return -e;
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static const int default_signals[] = { SIGPIPE, SIGINT, SIGTERM, SIGHUP };

/* The child of spawn_as(): only async-signal-safe calls (the daemon is
 * multi-threaded), credentials by raw system calls, which change this
 * process alone.  An error before exec goes to the parent through errfd. */
__attribute__((noreturn))
static void child_exec(const struct agent_user *u, const char *exec, char *const argv[],
		       char *const env[], const int fds[3], int errfd)
{
	sigset_t none;
	int e;

	setpgid(0, 0);
	for (size_t i = 0; i < sizeof(default_signals) / sizeof(default_signals[0]); i++)
		signal(default_signals[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int i = 0; i < 3; i++)
		if (dup2(fds[i], i) < 0)
			goto fail;
	/* groups first: after the uid changes, no privilege is left */
	if (syscall(SYS_setgroups, (size_t)u->ngroups, u->groups) < 0 ||
	    syscall(SYS_setresgid, u->gid, u->gid, u->gid) < 0 ||
	    syscall(SYS_setresuid, u->uid, u->uid, u->uid) < 0)
		goto fail;
	execve(exec, argv, env);
fail:
	e = errno;
	if (write(errfd, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

/* posix_spawn() for an agent that runs as user u: posix_spawn cannot change
 * credentials, and initgroups() (a name-service lookup) is not safe after
 * fork in a threaded process, so u's groups were resolved when the
 * configuration was loaded.  Returns 0 or an errno value (as posix_spawn),
 * including the child's own failure before exec. */
static int spawn_as(const struct agent_user *u, pid_t *ret_pid, const char *exec,
		    char *const argv[], char *const env[], const int fds[3])
{
	int ep[2], e = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(ep, O_CLOEXEC) < 0)
		return errno;
	pid = fork();
	if (pid < 0) {
		e = errno;
		close(ep[0]);
		close(ep[1]);
		return e;
	}
	if (pid == 0)
		child_exec(u, exec, argv, env, fds, ep[1]);
	close(ep[1]);
	/* end of file: exec succeeded (the pipe is close-on-exec) */
	do
		n = read(ep[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(ep[0]);
	if (n == (ssize_t)sizeof(e)) {
		waitpid(pid, NULL, 0);
		return e ? e : EIO;
	}
	*ret_pid = pid;
	return 0;
}

int agent_spawn(struct runner *r, struct job *j)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, defs;
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, in = -1, k = 0, rc;
	const char *argv[12];
	char **env = NULL, *userenv = NULL, *passenv = NULL, *arg_input = NULL;
	int envn;
	struct epoll_event ev;

	/* only our read ends are non-blocking: the agent writes normally */
	if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 ||
	    fcntl(outp[0], F_SETFL, O_NONBLOCK) < 0 || fcntl(errp[0], F_SETFL, O_NONBLOCK) < 0) {
		rc = -errno;
		goto fail;
	}
	in = make_input_fd(j);
	if (in < 0) {
		rc = in;
		goto fail;
	}
	argv[k++] = j->exec;
	argv[k++] = "-f";
	argv[k++] = j->file;
	if (j->user) {
		argv[k++] = "-u";
		argv[k++] = j->user;
	}
	if (j->password && j->req.pass_in_argv) {
		argv[k++] = "-p";
		argv[k++] = j->password;
	}
	if (j->input && j->req.input_len <= ARG_INPUT_MAX && !memchr(j->input, 0, j->req.input_len)) {
		/* -i gets what the user meant: `echo on > power` passes "on";
		 * stdin keeps the exact bytes */
		if (j->req.input_len && j->input[j->req.input_len - 1] == '\n') {
			arg_input = strndup(j->input, j->req.input_len - 1);
			if (!arg_input) {
				rc = -ENOMEM;
				goto fail;
			}
		}
		argv[k++] = "-i";
		argv[k++] = arg_input ? arg_input : j->input;
	}
	argv[k] = NULL;
	envn = build_env(j, &env);
	if (envn < 0) {
		rc = envn;
		goto fail;
	}
	if (j->user && asprintf(&userenv, "SYSMAN_USER=%s", j->user) > 0)
		env[envn++] = userenv;
	if (j->password) {
		size_t pl = strlen(j->password);

		passenv = sodium_malloc(pl + 17);
		if (passenv) {
			memcpy(passenv, "SYSMAN_PASSWORD=", 16);
			memcpy(passenv + 16, j->password, pl + 1);
			env[envn++] = passenv;
		}
	}
	env[envn] = NULL;

	if (j->req.run_as) {
		const int fds[3] = { in, outp[1], errp[1] };

		rc = spawn_as(j->req.run_as, &j->pid, j->exec, (char *const *)argv, env, fds);
		goto spawned;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in, 0);
	posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
	posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigemptyset(&defs);
	for (size_t i = 0; i < sizeof(default_signals) / sizeof(default_signals[0]); i++)
		sigaddset(&defs, default_signals[i]);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &defs);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
				 POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(&j->pid, j->exec, &fa, &at, (char *const *)argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
spawned:
	free(userenv);
	free(arg_input);
	arg_input = NULL;
	if (passenv) {
		sodium_free(passenv);
		passenv = NULL;
	}
	free(env);
	env = NULL;
	if (j->password) {
		sodium_free(j->password);
		j->password = NULL;
	}
	close(in);
	in = -1;
	close(outp[1]);
	close(errp[1]);
	outp[1] = errp[1] = -1;
	if (rc != 0) {
		rc = -rc;
		goto fail;
	}
	j->pid_fd = (int)syscall(SYS_pidfd_open, j->pid, 0);
	if (j->pid_fd < 0) {
		rc = -errno;
		kill(-j->pid, SIGKILL);
		waitpid(j->pid, NULL, 0);
		goto fail;
	}
	j->out_fd = outp[0];
	j->err_fd = errp[0];
	j->t_out = (struct ev_tag){ EV_OUT, j };
	j->t_err = (struct ev_tag){ EV_ERR, j };
	j->t_pid = (struct ev_tag){ EV_PID, j };
	ev.events = EPOLLIN;
	ev.data.ptr = &j->t_out;
	epoll_ctl(r->epfd, EPOLL_CTL_ADD, j->out_fd, &ev);
	ev.data.ptr = &j->t_err;
	epoll_ctl(r->epfd, EPOLL_CTL_ADD, j->err_fd, &ev);
	ev.data.ptr = &j->t_pid;
	epoll_ctl(r->epfd, EPOLL_CTL_ADD, j->pid_fd, &ev);
	clock_gettime(CLOCK_MONOTONIC, &j->started);
	/* no deadline (0) when the time-out is "none" */
	j->deadline_ms = j->req.timeout_s < 0 ? 0
			 : runner_now_ms() + (long)(j->req.timeout_s > 0 ? j->req.timeout_s : 30) * 1000L;
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	if (in >= 0)
		close(in);
	free(env);
	free(arg_input);
	j->spawn_err = -rc;
	return rc;
}

