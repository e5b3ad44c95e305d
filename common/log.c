/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char *log_ident = "routehub";
static int log_level = LOG_INFO;
static int log_to_journal;

static const char *const level_names[] = {"emerg",   "alert",  "crit", "error",
                                          "warning", "notice", "info", "debug"};

void rh_log_init(const char *ident, int level)
{
	log_ident = ident;
	log_level = level;
	/* systemd sets JOURNAL_STREAM when stderr is connected to the journal: then the
	 * "<N>" prefix gives each line its priority and the journal adds the time. */
	log_to_journal = getenv("JOURNAL_STREAM") != NULL;
}

void rh_log_set_level(int level)
{
	log_level = level;
}

int rh_log_get_level(void)
{
	return log_level;
}

static void vlog(int level, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_to_journal) {
		fprintf(stderr, "<%d>%s\n", level, msg);
		return;
	}
	struct timespec ts;
	struct tm tm;
	char when[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ld %s[%d] %s: %s\n", when, ts.tv_nsec / 1000000, log_ident,
	        (int)getpid(), level_names[level & 7], msg);
}

void rh_log(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

#define RATELIMIT_SLOTS 256

void rh_log_ratelimited(int level, unsigned long key, unsigned interval_s, const char *fmt, ...)
{
	static struct {
		unsigned long key;
		time_t last;
	} slots[RATELIMIT_SLOTS];
	struct timespec now;
	unsigned i = (unsigned)((key * 2654435761u) % RATELIMIT_SLOTS);
	va_list ap;

	if (level > log_level)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (slots[i].key == key && slots[i].last != 0 &&
	    now.tv_sec - slots[i].last < (time_t)interval_s)
		return;
	slots[i].key = key;
	slots[i].last = now.tv_sec;
	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

void rh_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap);
	va_end(ap);
	abort();
}
