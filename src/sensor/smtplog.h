/*
 * smtplog.h - the EHLO/HELO names `mxsensor capture --smtp` recorded.
 *
 * capture --smtp writes one JSON object per line (--smtp-log; fields time,
 * event, family, src, sport, dst, dport, value).  The EHLO or HELO name a
 * client gave, looked up by its address and source port, is association
 * evidence: a bot that greets with one name over IPv6 and IPv4 shows it is
 * one client.  The names are attacker-chosen text: kept as printable ASCII
 * of bounded length, compared, never interpreted.
 */
#ifndef MX_SMTPLOG_H
#define MX_SMTPLOG_H

#include <stddef.h>
#include <stdint.h>

#include "addr/addr.h"

#define SMTPLOG_NAME_MAX 255    /* longer names are cut */

struct smtplog;

struct smtplog *smtplog_new(void);
/* smtplog_load - add the greetings of one log file ("-" = stdin, gzip'd
 * too).  Lines that are not records are counted and the first few
 * reported as FILE:LINE; 0, or -1 when the file cannot be read. */
int smtplog_load(struct smtplog *l, const char *path);
/* smtplog_ehlo - the name client (src, sport) greeted with, or NULL; the
 * string lives as long as l */
const char *smtplog_ehlo(const struct smtplog *l, const struct addr *src, uint16_t sport);
/* smtplog_count - greetings held; smtplog_bad - lines that were not records */
size_t smtplog_count(const struct smtplog *l);
size_t smtplog_bad(const struct smtplog *l);
void smtplog_free(struct smtplog *l);

#endif
