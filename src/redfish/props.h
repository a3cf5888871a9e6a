/*
 * props.h - Redfish properties as Sysman files: the written words they
 * take and the texts their JSON gives (the IPMI files' texts, ipmi/pool.h).
 * Pure functions, unit-testable without a BMC.
 */
#ifndef SYSMAN_REDFISH_PROPS_H
#define SYSMAN_REDFISH_PROPS_H

#include <jansson.h>

#include "redfish/pool.h"
#include "util/buf.h"

/* A power write's first word to its ResetType and the state it leads to
 * ("on"/"off").  0 or -EINVAL. */
int rf_power_parse(const char *input, size_t len, const char **ret_reset, const char **ret_word);

/* The PATCH body of a bootorder write and the line it leads to (out).
 * 0 or -EINVAL with msg. */
int rf_bootorder_parse(const char *input, size_t len, char *body, size_t bodylen, struct buf *out,
		       char *msg, size_t msglen);

/* Appends the file text of prop from the resource j (the system for
 * power and fru, the chassis' Thermal for temperature).  0, or -EIO /
 * -ENODATA with msg saying what is missing. */
int rf_props_text(enum rf_prop prop, const json_t *j, struct buf *out, char *msg, size_t msglen);

/* JSON {"UserName":..,"Password":..} into out (caller wipes it). */
int rf_login_body(const char *user, const char *password, struct buf *out);

#endif
