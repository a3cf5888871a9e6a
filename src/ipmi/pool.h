/*
 * pool.h - the in-daemon IPMI-over-LAN client (RMCP+, "lanplus") with
 * persistent sessions, on libfreeipmi.
 *
 * Invariants:
 *   - at most one open session per (host, port, user); it is opened by the
 *     first request for it and reused by later ones; requests for one BMC
 *     run one at a time, in order (a BMC is a small controller), requests
 *     for different BMCs run in parallel on cfg.threads worker threads
 *     (libfreeipmi's calls block, so a thread waits for each answer);
 *   - `done` is called exactly once for every request ipmi_pool_submit()
 *     accepted, from a pool thread (or from ipmi_pool_free()), never from
 *     inside ipmi_pool_submit();
 *   - a BMC that does not answer is given up after cfg.timeout_ms T
 *     (libfreeipmi's session timeout; it resends meanwhile, and its
 *     back-off ends the wait at about 1.14 T), counted from when a worker
 *     takes the request up: queueing behind other requests for the same
 *     BMC, or for a free worker, comes on top;
 *   - passwords: each request carries a copy, wiped when the request
 *     completes; a session remembers only a keyed hash of the password it
 *     was opened with (a request bringing another password closes it and
 *     opens a new one, so a changed ids entry takes effect at once).
 *     libfreeipmi keeps its own copy inside an open session's context, for
 *     as long as the session is open;
 *   - passwords and user names are never logged by this layer (it does
 *     not log at all: results carry a message for the caller to log).
 *
 * Sessions and time: libfreeipmi gives up on a session once nothing was
 * received on it for T, so an idle session is kept alive with a Get
 * Device ID every T/3 or so (as ipmitool's keepalive), and closed (Close
 * Session sent) once it has not served a request for cfg.idle_s seconds;
 * a session is reused only while at least T/2 of it is left.  A request
 * finding its reused session broken (no answer: BMC restarted, session
 * expired) closes it, opens a new one once with T/2 (a restarted BMC
 * answers at once) and, for a read, sends the request again: a restarted
 * BMC is transparent, and one that died under an open session is
 * reported after at most about 2 T.  A write (power, bootorder, eventlog
 * clear) is never sent twice: on a reused session a Get Device ID first
 * proves the session alive (a broken one is replaced before the write
 * goes out), and a write that got no answer fails with -ETIMEDOUT (it may
 * or may not have taken effect).  A failed open also fails the requests
 * queued behind it for the same session and password at once (they
 * would wait for the same answer).
 *
 * SDR: the sensor records of each BMC (keyed "host:port") are read once
 * and kept in the pool, so a later sensors or temperature read sends only
 * Get Sensor Reading commands; a session opened anew first asks the BMC
 * for its repository's change time stamps and reads the records again if
 * they moved (or if the BMC does not give them).
 *
 * Every command uses the privilege level ADMINISTRATOR (as ipmitool
 * -I lanplus does) and request it already in the Open Session Request
 * (libfreeipmi's "opensesspriv" workaround; ipmitool does the same, and
 * OpenIPMI's ipmi_sim requires it).
 */
#ifndef SYSMAN_IPMI_POOL_H
#define SYSMAN_IPMI_POOL_H

#include <stdbool.h>

struct ipmi_pool;

struct ipmi_pool_config {
	int threads;        /* worker threads; 0: 16 */
	int timeout_ms;     /* T: wait for a BMC's answer; 0: 2000; at least 300 */
	int cipher_suite;   /* RMCP+ cipher suite id 1..17; 0: 3 */
	int idle_s;         /* keep an unused session open this long; 0: 10;
	                     * < 0: close it as soon as it is idle */
	int port;           /* port when a target has none; 0: 623 */
};

struct ipmi_target {
	const char *host;      /* IPv4 address or name (libfreeipmi resolves it) */
	int port;              /* 0: cfg.port */
	const char *user;      /* at most 16 bytes (IPMI 2.0) */
	const char *password;  /* at most 20 bytes; NULL: empty */
};

/* The properties a BMC file can be.  What each reads and writes, in the
 * text lib/ipmi-agent (ipmitool) gives for the same BMC:
 *   POWER        "on"/"off"; write on|off|cycle|reset|soft|1|0, shows the
 *                state the write leads to
 *   BOOTORDER    "network, floppy, cdrom, harddisk", the first = the IPMI
 *                boot device (boot flags, parameter 5), the rest in that
 *                default order; write such a list (aliases pxe, disk, cd,
 *                bios ...; "default"/"none": no override): the first
 *                device is set persistent
 *   TEMPERATURE  degrees C of the first temperature sensor in the SDR
 *                ("23", "23.5"); also "temperature_mp"
 *   SENSORS      "name | reading | status" per full sensor record, as
 *                `ipmitool sdr list full`
 *   EVENTLOG     the SEL as `ipmitool sel elist`, oldest first; write
 *                "clear" empties it (the file then reads "")
 *   FRU          FRU device 0 as `ipmitool fru print 0` */
enum ipmi_prop {
	IPMI_PROP_POWER,
	IPMI_PROP_BOOTORDER,
	IPMI_PROP_TEMPERATURE,
	IPMI_PROP_SENSORS,
	IPMI_PROP_EVENTLOG,
	IPMI_PROP_FRU,
};

/* One read or write of a property; input is what was written (a write
 * only; need not be NUL-terminated). */
struct ipmi_request {
	enum ipmi_prop prop;
	bool write;
	const char *input;
	size_t input_len;
};

/* What a request came to.  rc is 0 or -errno:
 *   -EACCES     authentication failed (unknown user, wrong password or K_g,
 *               privilege not granted)
 *   -ETIMEDOUT  the BMC did not answer (see above)
 *   -EINVAL     bad target (user or password too long, port) or cipher
 *               suite the library or the BMC does not offer; a written
 *               value ipmi_request_check() refuses
 *   -EOPNOTSUPP the property has no write
 *   -EHOSTUNREACH  the host name does not resolve
 *   -EIO        the BMC answered with an error (completion code), or a
 *               protocol error
 *   -ENODATA    temperature: no temperature sensor, or no reading
 *   -ENOMEM, -ESHUTDOWN (the pool is being freed)
 * text: with rc 0 the file's new content, newline-terminated, or "" (an
 * empty SEL, a cleared one); "" on failure.
 * message: "" on success, else one line for a .status file naming the BMC
 * as "host:port" (timeouts) or "host" (the rest), never the password.
 * text and message are valid only during the callback. */
struct ipmi_result {
	int rc;
	const char *text;
	size_t text_len;
	const char *message;
	double ms;             /* from the worker taking the request up */
};

typedef void (*ipmi_done_fn)(void *arg, const struct ipmi_result *res);

/* Creates a pool; its threads start with the first request (a daemon
 * that never talks to a BMC has none).  Returns NULL with errno set
 * (EINVAL bad config, ENOMEM). */
struct ipmi_pool *ipmi_pool_new(const struct ipmi_pool_config *cfg);

/* Fails every queued request with -ESHUTDOWN (callbacks run before this
 * returns), lets the running ones finish, closes every session (Close
 * Session sent) and joins the threads.  Accepts NULL.  Must not be called
 * from a `done` callback. */
void ipmi_pool_free(struct ipmi_pool *p);

/* "power", "bootorder", "temperature", "temperature_mp", "sensors",
 * "eventlog", "fru" to a property.  Returns 0 or -ENOENT. */
int ipmi_prop_lookup(const char *name, enum ipmi_prop *ret);

/* Checks a request before anything touches the network.  Returns 0,
 * -EINVAL (a written value the property refuses; msg says why, in the
 * words of lib/ipmi-agent, e.g. "invalid power value 'x': expected on,
 * off, cycle, reset, soft, 1 or 0"), or -EOPNOTSUPP (the property has no
 * write; msg says so).  msg may be NULL. */
int ipmi_request_check(const struct ipmi_request *rq, char *msg, size_t msglen);

/* Queues rq for t (strings copied, the written value parsed; the
 * password copy is wiped when the request completes).  Writes are sent
 * at most once, reads at most twice (see above).  Returns 0 (done will
 * be called exactly once), -EINVAL (no host or user, bad property, a
 * request ipmi_request_check() refuses: check first for its message),
 * -ENOMEM, -ESHUTDOWN, or the error of starting the threads (-EAGAIN
 * ...); on failure done is never called. */
int ipmi_pool_submit(struct ipmi_pool *p, const struct ipmi_target *t,
		     const struct ipmi_request *rq, ipmi_done_fn done, void *arg);

struct ipmi_pool_stats {
	unsigned long opens;        /* sessions opened successfully */
	unsigned long open_fails;   /* failed session opens */
	unsigned long reopens;      /* opens to replace a broken session */
	unsigned long commands;     /* requests answered (one per request) */
	unsigned long keepalives;   /* keepalives answered */
	unsigned long closes;       /* sessions closed (idle, password change, broken) */
	unsigned long sdr_fetches;  /* SDR repositories read (cache misses) */
	unsigned sessions;          /* sessions open now */
	unsigned queued;            /* requests waiting now */
};

/* A snapshot of the counters (tests: session reuse shows as opens not
 * growing with commands, the SDR cache as sdr_fetches not growing with
 * sensor reads). */
void ipmi_pool_stats(struct ipmi_pool *p, struct ipmi_pool_stats *ret);

#endif
