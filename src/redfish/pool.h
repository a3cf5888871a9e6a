/*
 * pool.h - the in-daemon Redfish client (HTTPS + JSON) with persistent
 * connections and sessions, on libcurl's multi interface and jansson.
 *
 * Invariants:
 *   - one thread drives every transfer (curl_multi_poll): many BMCs are
 *     in flight at once without a thread each; requests for one BMC
 *     (host, port, user) run one at a time, in order (a BMC is a small
 *     controller); connections are kept alive and reused (libcurl's
 *     connection cache, one easy handle per BMC);
 *   - `done` is called exactly once for every request rf_pool_submit()
 *     accepted, from the pool thread (or from rf_pool_free()), never from
 *     inside rf_pool_submit();
 *   - sessions: the service root is read once per BMC (without
 *     credentials); where it names a SessionService a session is opened
 *     (POST .../Sessions) by the first request and its X-Auth-Token
 *     reused by later ones; a 401 on a token (expired, BMC restarted)
 *     opens a new session once and sends the request again (a 401 means
 *     the BMC did not act, so this holds for writes as well).  Basic auth
 *     only where the BMC has no session service.  Sessions are deleted
 *     (DELETE on their Location) when the pool is freed, within 3 s in all;
 *   - passwords: each request carries a copy, wiped when it completes; a
 *     BMC entry keeps only a keyed hash of the password its session was
 *     opened with (another password opens a new session); a login body
 *     holding the password is wiped after it was sent; credentials never
 *     reach argv, logs or disk.  This layer does not log;
 *   - TLS: the certificate and host name are checked unless the target
 *     or the config says verify = false (lab BMCs with self-signed
 *     certificates); cfg.cafile adds a CA bundle;
 *   - retries: a read whose answer was a dropped connection, a time-out
 *     or an HTTP 503 is sent once more; a write (power, bootorder) is
 *     never sent twice: one that got no answer fails with -ETIMEDOUT or
 *     -ECONNRESET (it may or may not have taken effect), one answered 503
 *     fails with -EAGAIN.  A write goes out on a new connection (libcurl
 *     itself resends a request whose reused connection died unanswered).
 */
#ifndef SYSMAN_REDFISH_POOL_H
#define SYSMAN_REDFISH_POOL_H

#include <stdbool.h>
#include <stddef.h>

struct rf_pool;

struct rf_pool_config {
	int timeout_ms;       /* one HTTP exchange; 0: 5000 */
	int port;             /* when a target has none; 0: 443 */
	bool verify;          /* TLS check for targets that do not say */
	const char *cafile;   /* extra CA bundle; NULL: the system's */
};

struct rf_target {
	const char *host;     /* IPv4 address or name */
	int port;             /* 0: cfg.port */
	const char *user;
	const char *password;
	int verify;           /* 1 yes, 0 no, -1: cfg.verify */
	int deadline_ms;      /* the whole request (every exchange, a retry)
	                       * ends -ETIMEDOUT this long after submission;
	                       * 0: none (each exchange has cfg.timeout_ms) */
};

/* The properties a BMC file can be, with the texts of the IPMI ones
 * (ipmi/pool.h):
 *   POWER        "on"/"off" (PowerState); write on|off|cycle|reset|soft|1|0
 *                (ResetType On, ForceOff, PowerCycle, ForceRestart,
 *                GracefulShutdown), shows the state the write leads to
 *   TEMPERATURE  degrees C of the first Thermal Temperatures entry with a
 *                reading ("23", "23.5")
 *   BOOTORDER    "network, floppy, cdrom, harddisk", the first = the
 *                boot source override (Pxe, Floppy, Cd, Hdd, BiosSetup;
 *                none when BootSourceOverrideEnabled is Disabled); write
 *                such a list (aliases as IPMI's; "default"/"none": no
 *                override): the first device, Continuous (IPMI: persistent)
 *   SENSORS      "name | reading | status" per Thermal temperature and fan
 *   EVENTLOG     the entries of the manager's LogServices/SEL as
 *                `ipmitool sel elist` lines; write "clear" (ClearLog)
 *   FRU          " Product Manufacturer  : ..." lines from the system */
enum rf_prop {
	RF_PROP_POWER,
	RF_PROP_TEMPERATURE,
	RF_PROP_FRU,
	RF_PROP_BOOTORDER,
	RF_PROP_SENSORS,
	RF_PROP_EVENTLOG,
};

struct rf_request {
	enum rf_prop prop;
	bool write;
	const char *input;    /* a write's value; need not be NUL-terminated */
	size_t input_len;
};

/* rc is 0 or -errno:
 *   -EACCES      the BMC refused the credentials (401 on login or basic)
 *   -ETIMEDOUT   no answer within cfg.timeout_ms
 *   -ECONNRESET  the connection was dropped before an answer
 *   -ECONNREFUSED, -EHOSTUNREACH  nothing listens / no such host
 *   -EAGAIN      HTTP 503 (on a read: twice)
 *   -EPROTO      TLS failure (certificate not verified, handshake)
 *   -EIO         another HTTP error (the BMC's message quoted) or an
 *                answer that is not the Redfish expected
 *   -ENODATA     temperature: no reading
 *   -EINVAL      a written value the property refuses (rf_request_check)
 *   -EOPNOTSUPP  the property has no write
 *   -ENOMEM, -ESHUTDOWN
 * text: with rc 0 the file's content, newline-terminated; "" on failure.
 * message: "" on success, else one line for .status naming the BMC
 * "host:port", never a credential.  Both valid only during the callback. */
struct rf_result {
	int rc;
	const char *text;
	size_t text_len;
	const char *message;
	double ms;            /* from submission */
};

typedef void (*rf_done_fn)(void *arg, const struct rf_result *res);

/* Creates a pool and its thread.  NULL with errno set on failure. */
struct rf_pool *rf_pool_new(const struct rf_pool_config *cfg);

/* Fails queued and running requests with -ESHUTDOWN (callbacks run
 * before this returns), deletes open sessions, joins the thread.
 * Accepts NULL.  Not from a done callback. */
void rf_pool_free(struct rf_pool *p);

/* "power", "temperature", "fru", "bootorder", "sensors", "eventlog" to a
 * property: 0 or -ENOENT. */
int rf_prop_lookup(const char *name, enum rf_prop *ret);

/* Checks a request before the network: 0, -EINVAL or -EOPNOTSUPP with
 * msg (may be NULL) in lib/ipmi-agent's words. */
int rf_request_check(const struct rf_request *rq, char *msg, size_t msglen);

/* Queues rq for t (everything copied).  0 (done will be called once),
 * -EINVAL (no host or user, a request rf_request_check refuses),
 * -ENOMEM, -ESHUTDOWN; on failure done is never called. */
int rf_pool_submit(struct rf_pool *p, const struct rf_target *t, const struct rf_request *rq,
		   rf_done_fn done, void *arg);

struct rf_pool_stats {
	unsigned long logins;        /* sessions opened */
	unsigned long login_fails;
	unsigned long relogins;      /* sessions renewed after a 401 */
	unsigned long http;          /* HTTP exchanges started */
	unsigned long retries;       /* reads sent again */
	unsigned long requests;      /* requests completed */
	unsigned bmcs;               /* BMC entries */
};

void rf_pool_stats(struct rf_pool *p, struct rf_pool_stats *ret);

#endif
