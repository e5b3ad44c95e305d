/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Levelled logging to stderr, syslog priorities. When stderr is the journal (systemd's
 * JOURNAL_STREAM names its device and inode), each line is "<N>message": N is the
 * priority, as sd-daemon(3) describes, and the journal adds the time and the PID.
 * Otherwise each line is "HH:MM:SS.mmm ident[pid] level: message".
 *
 * Floods: rh_log_ratelimited() logs a key at most once per interval; rh_log_summary()
 * counts events of a key (routes a peer sent that were refused for one reason) and logs
 * the first at once, then at most one line per interval with how many came meanwhile.
 */
#ifndef ROUTEHUB_LOG_H
#define ROUTEHUB_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>
#include <syslog.h>

void rh_log_init(const char *ident, int level);
void rh_log_set_level(int level);
int rh_log_get_level(void);
void rh_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Logs only if this key was not logged in the last `interval_s` seconds. */
void rh_log_ratelimited(int level, unsigned long key, unsigned interval_s, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
/*
 * n events of this key happened: logs the message at once for the first, then at most
 * once per `interval_s`, with " (COUNT times since the last report)" appended when the
 * line stands for more than one event. Events in between are only counted.
 */
void rh_log_summary(int level, unsigned long key, unsigned interval_s, uint64_t n, const char *fmt,
                    ...) __attribute__((format(printf, 5, 6)));
/* A broken invariant of the program itself: log and abort. Never for peer or user faults. */
noreturn void rh_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Whether fd is the journal's stream: journal_stream is the JOURNAL_STREAM value
 * ("DEVICE:INODE" in decimal) and fd's fstat(2) device and inode must match it, since a
 * child whose stderr was redirected inherits the variable but not the stream.
 */
bool rh_log_is_journal(const char *journal_stream, int fd);

/*
 * The rate limiter behind rh_log_summary(), on a caller's clock (tests): adds n events;
 * true when a line is due (the first event of the key, or the first event past
 * interval_ms since the last line), with *count the events that line stands for.
 */
struct rh_log_limit {
	unsigned long key;
	uint64_t last_ms; /* of the last line */
	uint64_t pending; /* events since that line, the line's own included */
	bool used;
};
bool rh_log_limit_check(struct rh_log_limit *l, unsigned long key, uint64_t now_ms,
                        uint64_t interval_ms, uint64_t n, uint64_t *count);

/*
 * sd_notify(3) without libsystemd: sends `state` ("READY=1", "STOPPING=1", "STATUS=...")
 * to the datagram socket systemd names in NOTIFY_SOCKET (a path, or "@name" in the
 * abstract namespace), for units of Type=notify. Returns 1 when sent, 0 when not run by
 * systemd (no NOTIFY_SOCKET), or a negative errno.
 */
int rh_sd_notify(const char *state);

#define log_err(...)    rh_log(LOG_ERR, __VA_ARGS__)
#define log_warn(...)   rh_log(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) rh_log(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)   rh_log(LOG_INFO, __VA_ARGS__)
#define log_debug(...)  rh_log(LOG_DEBUG, __VA_ARGS__)

#endif
