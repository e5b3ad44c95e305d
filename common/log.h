/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Levelled logging to stderr (and to journald when stderr is the journal), syslog
 * priorities. rh_log_once() logs a given key once per interval, so that a peer that sends
 * the same bad route ten thousand times is logged once, not ten thousand times.
 */
#ifndef ROUTEHUB_LOG_H
#define ROUTEHUB_LOG_H

#include <stdnoreturn.h>
#include <syslog.h>

void rh_log_init(const char *ident, int level);
void rh_log_set_level(int level);
int rh_log_get_level(void);
void rh_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Logs only if this key was not logged in the last `interval_s` seconds. */
void rh_log_ratelimited(int level, unsigned long key, unsigned interval_s, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
/* A broken invariant of the program itself: log and abort. Never for peer or user faults. */
noreturn void rh_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define log_err(...)    rh_log(LOG_ERR, __VA_ARGS__)
#define log_warn(...)   rh_log(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) rh_log(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)   rh_log(LOG_INFO, __VA_ARGS__)
#define log_debug(...)  rh_log(LOG_DEBUG, __VA_ARGS__)

#endif
