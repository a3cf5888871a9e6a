/* One BMC session on libfreeipmi: open, raw and power commands,
 * keepalive, close, and the translation of libfreeipmi's errors (see
 * pool.h, pool_int.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <freeipmi/freeipmi.h>

#include "ipmi/pool_int.h"

void ipmi_lib_init(void)
{
	/* sets up libgcrypt once, before threads race to do it */
	ipmi_rmcpplus_init();
}

int ipmi_fail(struct ipmi_outcome *o, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(o->message, sizeof(o->message), fmt, ap);
	va_end(ap);
	o->rc = rc;
	return rc;
}

static bool auth_error(int e)
{
	return e == IPMI_ERR_USERNAME_INVALID || e == IPMI_ERR_PASSWORD_INVALID ||
	       e == IPMI_ERR_K_G_INVALID || e == IPMI_ERR_PASSWORD_VERIFICATION_TIMEOUT ||
	       e == IPMI_ERR_AUTHENTICATION_TYPE_UNAVAILABLE;
}

/* An error of the open as -errno and a .status line. */
static int open_error(struct ipmi_pool *p, struct ipmi_session *s, int e, struct ipmi_outcome *o)
{
	if (auth_error(e))
		return ipmi_fail(o, -EACCES, "authentication failed for user '%s' on BMC %s", s->user, s->host);
	switch (e) {
	case IPMI_ERR_CONNECTION_TIMEOUT:
	case IPMI_ERR_SESSION_TIMEOUT:
		return ipmi_fail(o, -ETIMEDOUT, "BMC %s:%d not responding", s->host, s->port);
	case IPMI_ERR_PRIVILEGE_LEVEL_INSUFFICIENT:
	case IPMI_ERR_PRIVILEGE_LEVEL_CANNOT_BE_OBTAINED:
		return ipmi_fail(o, -EACCES, "user '%s' may not use privilege level ADMINISTRATOR on BMC %s",
			    s->user, s->host);
	case IPMI_ERR_CIPHER_SUITE_ID_UNAVAILABLE:
		return ipmi_fail(o, -EINVAL, "BMC %s does not offer cipher suite %d (ipmi_cipher)", s->host,
			    p->cfg.cipher_suite);
	case IPMI_ERR_IPMI_2_0_UNAVAILABLE:
		return ipmi_fail(o, -EIO, "BMC %s does not speak IPMI 2.0 (RMCP+)", s->host);
	case IPMI_ERR_HOSTNAME_INVALID:
		return ipmi_fail(o, -EHOSTUNREACH, "BMC %s: cannot resolve the address", s->host);
	case IPMI_ERR_PARAMETERS:
		return ipmi_fail(o, -EINVAL, "BMC %s: libfreeipmi refused the parameters (cipher suite %d)",
			    s->host, p->cfg.cipher_suite);
	case IPMI_ERR_OUT_OF_MEMORY:
		return ipmi_fail(o, -ENOMEM, "BMC %s: out of memory", s->host);
	default:
		return ipmi_fail(o, -EIO, "BMC %s: %s", s->host, ipmi_ctx_strerror(e));
	}
}

int ipmi_session_open(struct ipmi_pool *p, struct ipmi_session *s, const struct ipmi_req *rq,
		      unsigned ms, struct ipmi_outcome *o)
{
	/* libfreeipmi resends after R, R, 2R, 2R, 3R ... and gives up at the
	 * first resend past ms: with R = 2ms/7 that is at 8R = 1.14 ms, and
	 * a slow BMC gets 2ms/7 before a request is sent twice */
	unsigned retransmit = ms * 2 / 7 < 100 ? 100 : ms * 2 / 7;
	ipmi_ctx_t ctx;
	int e;

	if (strlen(s->user) > IPMI_USER_MAX)
		return ipmi_fail(o, -EINVAL, "user name '%s' is longer than %d bytes (IPMI 2.0)", s->user,
			    IPMI_USER_MAX);
	if (rq->password_len > IPMI_PASS_MAX)
		return ipmi_fail(o, -EINVAL, "the password for BMC %s is longer than %d bytes (IPMI 2.0)",
			    s->host, IPMI_PASS_MAX);
	ctx = ipmi_ctx_create();
	if (!ctx)
		return ipmi_fail(o, -ENOMEM, "BMC %s: out of memory", s->host);
	if (ipmi_ctx_open_outofband_2_0(ctx, s->target, s->user, rq->password, NULL, 0,
					IPMI_PRIVILEGE_LEVEL_ADMIN, (uint8_t)p->cfg.cipher_suite, ms,
					retransmit,
					IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_OPEN_SESSION_PRIVILEGE,
					IPMI_FLAGS_DEFAULT) < 0) {
		e = ipmi_ctx_errnum(ctx);
		ipmi_ctx_destroy(ctx);
		return open_error(p, s, e, o);
	}
	s->ctx = ctx;
	s->session_ms = ms;
	s->sdr_checked = false;
	memcpy(s->pw_hash, rq->pw_hash, sizeof(s->pw_hash));
	ipmi_mono_now(&s->last_io);
	return 0;
}

void ipmi_session_close(struct ipmi_session *s)
{
	if (!s->ctx)
		return;
	/* ipmi_ctx_destroy sends Close Session first */
	ipmi_ctx_destroy(s->ctx);
	s->ctx = NULL;
}

/* A failed command: -errno, message, and whether the session broke. */
static int cmd_error(struct ipmi_session *s, fiid_obj_t rs, uint8_t netfn, struct ipmi_outcome *o,
		     bool *ret_broken)
{
	int e = ipmi_ctx_errnum(s->ctx);
	char why[128];

	*ret_broken = false;
	switch (e) {
	case IPMI_ERR_SESSION_TIMEOUT:
	case IPMI_ERR_CONNECTION_TIMEOUT:
		*ret_broken = true;
		return ipmi_fail(o, -ETIMEDOUT, "BMC %s:%d not responding", s->host, s->port);
	case IPMI_ERR_BAD_COMPLETION_CODE:
		if (ipmi_completion_code_strerror_cmd_r(rs, netfn, why, sizeof(why)) < 0)
			snprintf(why, sizeof(why), "%s", ipmi_ctx_strerror(e));
		return ipmi_fail(o, -EIO, "BMC %s: %s", s->host, why);
	case IPMI_ERR_PRIVILEGE_LEVEL_INSUFFICIENT:
		return ipmi_fail(o, -EACCES, "user '%s' lacks the privilege for this command on BMC %s",
			    s->user, s->host);
	case IPMI_ERR_OUT_OF_MEMORY:
		return ipmi_fail(o, -ENOMEM, "BMC %s: out of memory", s->host);
	case IPMI_ERR_SYSTEM_ERROR:
	case IPMI_ERR_IPMI_ERROR:
	case IPMI_ERR_BAD_RMCPPLUS_STATUS_CODE:
	case IPMI_ERR_DEVICE_NOT_OPEN:
		*ret_broken = true;
		/* fall through */
	default:
		return ipmi_fail(o, -EIO, "BMC %s: %s", s->host, ipmi_ctx_strerror(e));
	}
}

/* Chassis Control codes and ipmitool's names for them */
static int chassis_code(enum ipmi_op op, const char **ret_name)
{
	switch (op) {
	case IPMI_POWER_ON:
		*ret_name = "Up/On";
		return 0x01;
	case IPMI_POWER_OFF:
		*ret_name = "Down/Off";
		return 0x00;
	case IPMI_POWER_CYCLE:
		*ret_name = "Cycle";
		return 0x02;
	case IPMI_POWER_RESET:
		*ret_name = "Reset";
		return 0x03;
	default:
		*ret_name = "Soft";
		return 0x05;
	}
}

/* Get Chassis Status or Chassis Control; a refusal in ipmitool's words
 * ("Set Chassis Power Control to Down/Off failed: Node busy"). */
static int session_power(struct ipmi_session *s, enum ipmi_op op, struct ipmi_outcome *o,
			 bool *ret_broken)
{
	uint8_t rs[8], cc, code;
	const char *name = "";
	char tmp[32];
	size_t n;
	int r;

	if (op == IPMI_POWER_STATUS) {
		r = ipmi_raw(s, 0x00, 0, 0x01, NULL, 0, rs, sizeof(rs), &n, &cc, o, ret_broken);
		if (r < 0 && cc)
			return ipmi_fail(o, r, "BMC %s: Get Chassis Power Status failed: %s", s->host,
					 ipmi_cc_text(cc, tmp, sizeof(tmp)));
		if (r < 0)
			return r;
		if (n < 1)
			return ipmi_fail(o, -EIO, "BMC %s: no power state in its Get Chassis Status "
					 "answer", s->host);
		o->power = rs[0] & 0x01;
	} else {
		code = (uint8_t)chassis_code(op, &name);
		r = ipmi_raw(s, 0x00, 0, 0x02, &code, 1, rs, sizeof(rs), &n, &cc, o, ret_broken);
		if (r < 0 && cc)
			return ipmi_fail(o, r, "BMC %s: Set Chassis Power Control to %s failed: %s",
					 s->host, name, ipmi_cc_text(cc, tmp, sizeof(tmp)));
		if (r < 0)
			return r;
	}
	buf_printf(&o->text, "%s\n", ipmi_power_word(op, o->power));
	return 0;
}

int ipmi_raw(struct ipmi_session *s, uint8_t netfn, uint8_t lun, uint8_t cmd, const uint8_t *data,
	     size_t len, uint8_t *rs, size_t rsmax, size_t *ret_len, uint8_t *ret_cc,
	     struct ipmi_outcome *o, bool *ret_broken)
{
	uint8_t rq[64], ans[300];
	char why[128];
	int n;

	*ret_broken = false;
	*ret_cc = 0;
	*ret_len = 0;
	if (len + 1 > sizeof(rq))
		return ipmi_fail(o, -EINVAL, "BMC %s: command too long", s->host);
	rq[0] = cmd;
	if (len)
		memcpy(rq + 1, data, len);
	n = ipmi_cmd_raw(s->ctx, lun, netfn, rq, (unsigned)len + 1, ans, sizeof(ans));
	if (n < 0)
		return cmd_error(s, NULL, netfn, o, ret_broken);
	ipmi_mono_now(&s->last_io);
	if (n < 2)
		return ipmi_fail(o, -EIO, "BMC %s: short answer to command 0x%02x", s->host, cmd);
	if (ans[1] != 0) {
		*ret_cc = ans[1];
		return ipmi_fail(o, -EIO, "BMC %s: %s", s->host, ipmi_cc_text(ans[1], why, sizeof(why)));
	}
	*ret_len = (size_t)n - 2 < rsmax ? (size_t)n - 2 : rsmax;
	memcpy(rs, ans + 2, *ret_len);
	return 0;
}

int ipmi_session_serve(struct ipmi_pool *p, struct ipmi_session *s, const struct ipmi_req *rq,
		       struct ipmi_outcome *o, bool *ret_broken)
{
	int r;

	buf_reset(&o->text);
	switch (rq->prop) {
	case IPMI_PROP_POWER:
		r = session_power(s, rq->op, o, ret_broken);
		break;
	case IPMI_PROP_BOOTORDER:
		r = ipmi_prop_bootorder(s, rq, o, ret_broken);
		break;
	case IPMI_PROP_TEMPERATURE:
	case IPMI_PROP_SENSORS:
		r = ipmi_prop_sensors(p, s, rq, o, ret_broken);
		break;
	case IPMI_PROP_EVENTLOG:
		r = ipmi_prop_eventlog(p, s, rq, o, ret_broken);
		break;
	case IPMI_PROP_FRU:
		r = ipmi_prop_fru(s, o, ret_broken);
		break;
	default:
		r = ipmi_fail(o, -EINVAL, "BMC %s: no such property", s->host);
	}
	if (r == 0) {
		o->rc = 0;
		o->message[0] = '\0';
	} else {
		buf_reset(&o->text);
	}
	return r;
}

int ipmi_session_keepalive(struct ipmi_session *s)
{
	fiid_obj_t rs = fiid_obj_create(tmpl_cmd_get_device_id_rs);
	int r = -EIO;

	if (!rs)
		return -ENOMEM;
	/* an error answer still proves the session alive */
	if (ipmi_cmd_get_device_id(s->ctx, rs) >= 0 ||
	    ipmi_ctx_errnum(s->ctx) == IPMI_ERR_BAD_COMPLETION_CODE ||
	    ipmi_ctx_errnum(s->ctx) == IPMI_ERR_COMMAND_INVALID_OR_UNSUPPORTED) {
		ipmi_mono_now(&s->last_io);
		r = 0;
	}
	fiid_obj_destroy(rs);
	return r;
}
