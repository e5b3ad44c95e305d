/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char *log_ident = "routehub";
static int log_level = LOG_INFO;
static bool log_to_journal;

static const char *const level_names[] = {"emerg",   "alert",  "crit", "error",
                                          "warning", "notice", "info", "debug"};

bool rh_log_is_journal(const char *journal_stream, int fd)
{
	unsigned long long dev, ino;
	struct stat st;
	char *end;

	if (journal_stream == NULL || fstat(fd, &st) < 0)
		return false;
	errno = 0;
	dev = strtoull(journal_stream, &end, 10);
	if (errno != 0 || end == journal_stream || *end != ':')
		return false;
	journal_stream = end + 1;
	ino = strtoull(journal_stream, &end, 10);
	if (errno != 0 || end == journal_stream || *end != '\0')
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void rh_log_init(const char *ident, int level)
{
	log_ident = ident;
	log_level = level;
	/* systemd sets JOURNAL_STREAM when it connects stderr to the journal (systemd.exec(5));
	 * a child started with another stderr inherits the variable, hence the fstat check. */
	log_to_journal = rh_log_is_journal(getenv("JOURNAL_STREAM"), STDERR_FILENO);
}

void rh_log_set_level(int level)
{
	log_level = level;
}

int rh_log_get_level(void)
{
	return log_level;
}

static void vlog(int level, const char *suffix, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_to_journal) {
		fprintf(stderr, "<%d>%s%s\n", level & 7, msg, suffix);
		return;
	}
	struct timespec ts;
	struct tm tm;
	char when[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ld %s[%d] %s: %s%s\n", when, ts.tv_nsec / 1000000, log_ident,
	        (int)getpid(), level_names[level & 7], msg, suffix);
}

void rh_log(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vlog(level, "", fmt, ap);
	va_end(ap);
}

bool rh_log_limit_check(struct rh_log_limit *l, unsigned long key, uint64_t now_ms,
                        uint64_t interval_ms, uint64_t n, uint64_t *count)
{
	if (!l->used || l->key != key) {
		/* A new key (or another key took the slot): its first event is logged. */
		*l = (struct rh_log_limit){.key = key, .last_ms = now_ms, .used = true};
		*count = n;
		return true;
	}
	l->pending += n;
	if (now_ms - l->last_ms < interval_ms)
		return false;
	*count = l->pending;
	l->pending = 0;
	l->last_ms = now_ms;
	return true;
}

/*
 * The limiters of every key, open addressing: a key is looked for in RATELIMIT_PROBE
 * slots from its hash and, when absent, takes a free one, else one whose interval is
 * over with nothing pending, else the oldest. So keys that share a hash do not evict each
 * other (alternating, they would both be logged every time: a flood).
 */
#define RATELIMIT_SLOTS 1024
#define RATELIMIT_PROBE 8

static struct rh_log_limit slots[RATELIMIT_SLOTS];

static uint64_t now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
}

static struct rh_log_limit *slot_of(unsigned long key, uint64_t now, uint64_t interval_ms)
{
	/* Fibonacci hashing: the high bits of the product depend on every bit of the key. */
	size_t h = (size_t)(((uint64_t)key * 0x9E3779B97F4A7C15ull) >> 54);
	struct rh_log_limit *spare = NULL, *oldest = NULL;

	for (size_t i = 0; i < RATELIMIT_PROBE; i++) {
		struct rh_log_limit *l = &slots[(h + i) % RATELIMIT_SLOTS];

		if (l->used && l->key == key)
			return l;
		if (spare == NULL &&
		    (!l->used || (l->pending == 0 && now - l->last_ms >= interval_ms)))
			spare = l;
		if (oldest == NULL || l->last_ms < oldest->last_ms)
			oldest = l;
	}
	if (spare == NULL)
		spare = oldest;
	spare->used = false; /* rh_log_limit_check() starts it afresh for the key */
	return spare;
}

void rh_log_ratelimited(int level, unsigned long key, unsigned interval_s, const char *fmt, ...)
{
	uint64_t count;
	va_list ap;

	if (level > log_level ||
	    !rh_log_limit_check(slot_of(key, now_ms(), interval_s * 1000ull), key, now_ms(),
	                        interval_s * 1000ull, 1, &count))
		return;
	va_start(ap, fmt);
	vlog(level, "", fmt, ap);
	va_end(ap);
}

void rh_log_summary(int level, unsigned long key, unsigned interval_s, uint64_t n, const char *fmt,
                    ...)
{
	char suffix[64] = "";
	uint64_t count;
	va_list ap;

	if (level > log_level || n == 0 ||
	    !rh_log_limit_check(slot_of(key, now_ms(), interval_s * 1000ull), key, now_ms(),
	                        interval_s * 1000ull, n, &count))
		return;
	if (count > 1)
		snprintf(suffix, sizeof(suffix), " (%" PRIu64 " times since the last report)",
		         count);
	va_start(ap, fmt);
	vlog(level, suffix, fmt, ap);
	va_end(ap);
}

void rh_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, "", fmt, ap);
	va_end(ap);
	abort();
}

int rh_sd_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	size_t n;
	socklen_t len;
	ssize_t sent;
	int fd, err;

	if (path == NULL || path[0] == '\0')
		return 0;
	n = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || n >= sizeof(sun.sun_path))
		return -EINVAL;
	memcpy(sun.sun_path, path, n);
	if (path[0] == '@')
		sun.sun_path[0] = '\0'; /* the abstract namespace: no NUL at the end either */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (path[0] == '/'));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	sent = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sun, len);
	err = errno;
	close(fd);
	return sent < 0 ? -err : 1;
}
