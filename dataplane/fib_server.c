/* SPDX-License-Identifier: BSD-3-Clause */
/* The dataplane's end of the FIB channel: see fib_server.h and routehub/fib_channel.h. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <rte_log.h>

#include "fib_server.h"
#include "routehub/prefix.h"

#define SRV_LOG(level, fmt, ...) RTE_LOG(level, USER1, "fib channel: " fmt "\n", ##__VA_ARGS__)

struct ack_msg {
	struct fibc_hdr hdr;
	struct fibc_ack ack;
};

struct fib_server {
	struct dp_fib *fib;
	int listen_fd; /* -1: none */
	int fd;        /* the control plane, -1: none */
	bool hello;    /* the client said HELLO */
	bool syncing;  /* between SYNC_BEGIN and SYNC_END */
	bool ack_pending;
	bool ack_retry; /* the pending ACK met a full queue already */
	unsigned budget;
	/* The last sync's timing, logged at SYNC_END: where a slow sync spends its time. */
	uint64_t sync_start_ns, sync_apply_ns, sync_records;
	struct fib_server_hooks hooks;
	struct fib_server_stats stats;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct ack_msg ack;
	_Alignas(8) uint8_t buf[FIBC_MAX_MSG];
};

static uint64_t instance_id;

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t fib_server_instance_id(void)
{
	uint64_t id = __atomic_load_n(&instance_id, __ATOMIC_ACQUIRE);
	uint64_t zero = 0;
	struct timespec ts;

	if (id != 0)
		return id;
	/* Random rather than a counter or a start time: a restarted dataplane must never
	 * present the id of the previous one, whatever the clock did. */
	if (getrandom(&id, sizeof(id), 0) != sizeof(id)) {
		clock_gettime(CLOCK_REALTIME, &ts);
		id = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^
		     ((uint64_t)getpid() << 16);
	}
	if (id == 0)
		id = 1;
	if (!__atomic_compare_exchange_n(&instance_id, &zero, id, false, __ATOMIC_ACQ_REL,
	                                 __ATOMIC_ACQUIRE))
		id = zero; /* another thread drew first: use its id */
	return id;
}

static int srv_listen(struct fib_server *srv, const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int ret;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	srv->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv->listen_fd < 0)
		return -errno;
	/* A socket file left by a dataplane that died would make bind() fail; anything
	 * else at that path is a configuration error, not ours to delete. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		unlink(path);
	}
	if (bind(srv->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	/* Whoever may connect may rewrite the FIB: owner and group only, whatever the umask. */
	if (chmod(path, 0660) < 0 || listen(srv->listen_fd, 4) < 0) {
		ret = -errno;
		unlink(path);
		return ret;
	}
	strcpy(srv->path, path);
	return 0;
}

struct fib_server *fib_server_create(struct dp_fib *fib, const char *path)
{
	struct fib_server *srv = calloc(1, sizeof(*srv));
	int ret;

	if (srv == NULL)
		return NULL;
	srv->fib = fib;
	srv->listen_fd = -1;
	srv->fd = -1;
	srv->budget = FIB_SERVER_DEFAULT_BUDGET;
	fib_server_instance_id();
	if (path != NULL) {
		ret = srv_listen(srv, path);
		if (ret < 0) {
			fib_server_destroy(srv);
			errno = -ret;
			return NULL;
		}
	}
	return srv;
}

void fib_server_destroy(struct fib_server *srv)
{
	if (srv == NULL)
		return;
	if (srv->fd >= 0)
		close(srv->fd);
	if (srv->listen_fd >= 0)
		close(srv->listen_fd);
	if (srv->path[0] != '\0')
		unlink(srv->path);
	free(srv);
}

void fib_server_set_hooks(struct fib_server *srv, const struct fib_server_hooks *hooks)
{
	srv->hooks = *hooks;
}

void fib_server_set_budget(struct fib_server *srv, unsigned max_requests)
{
	srv->budget = max_requests ? max_requests : 1;
}

void fib_server_stats(const struct fib_server *srv, struct fib_server_stats *st)
{
	*st = srv->stats;
}

bool fib_server_connected(const struct fib_server *srv)
{
	return srv->fd >= 0;
}

int fib_server_attach(struct fib_server *srv, int fd)
{
	int fl;

	if (srv->fd >= 0)
		return -EBUSY;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	srv->fd = fd;
	srv->stats.connections++;
	srv->hello = false;
	srv->syncing = false;
	srv->ack_pending = false;
	return 0;
}

static void srv_disconnect(struct fib_server *srv)
{
	/* The FIB stays: the workers go on forwarding on it until a control plane comes
	 * back and resynchronises. A sync cut short leaves marks that the next
	 * SYNC_BEGIN renews; nothing is swept without a SYNC_END. */
	SRV_LOG(NOTICE, "control plane disconnected%s; FIB kept",
	        srv->syncing ? " during a sync" : "");
	close(srv->fd);
	srv->fd = -1;
	srv->hello = false;
	srv->syncing = false;
	srv->ack_pending = false;
}

static bool peer_gone(int fd);
static int srv_handle_one(struct fib_server *srv);

static void srv_accept(struct fib_server *srv)
{
	int fd = accept4(srv->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	/* The previous client may have hung up with its EOF not read yet (a fibctl that got
	 * its ACK and exited, the next one connecting at once): finish it first, what it
	 * sent applied, so that its successor is not taken for a second control plane. */
	if (srv->fd >= 0 && peer_gone(srv->fd))
		for (unsigned i = 0; srv->fd >= 0 && i <= srv->budget; i++)
			if (srv_handle_one(srv) < 0)
				break;
	if (srv->fd >= 0 && peer_gone(srv->fd))
		srv_disconnect(srv);
	if (srv->fd >= 0) {
		/* Two control planes programming one FIB would undo each other. */
		SRV_LOG(WARNING, "refused a second control plane connection");
		srv->stats.refused++;
		close(fd);
		return;
	}
	SRV_LOG(INFO, "control plane connected");
	fib_server_attach(srv, fd);
}

/* ---- validation: a malformed request changes nothing ---- */

static unsigned family_bits(uint8_t family)
{
	return family == RH_AF_INET ? 32 : family == RH_AF_INET6 ? 128 : 0;
}

static bool rec_route_ok(const struct fibc_route *r, bool add)
{
	unsigned bits = family_bits(r->family);

	if (bits == 0 || r->len > bits || (r->flags & ~FIBC_RT_F_GROUP) != 0)
		return false;
	if (add && r->nh_id == 0)
		return false;
	/* Host bits past the length: the sender's prefix is not what it thinks it is. */
	for (unsigned i = 0; i < bits / 8; i++) {
		unsigned keep = r->len > i * 8 ? r->len - i * 8 : 0;
		uint8_t mask = keep >= 8 ? 0xff : (uint8_t)(0xff00 >> keep);

		if (r->addr[i] & ~mask)
			return false;
	}
	for (unsigned i = bits / 8; i < sizeof(r->addr); i++)
		if (r->addr[i] != 0)
			return false;
	return true;
}

static bool rec_nh_ok(const struct fibc_nh *nh, bool add)
{
	if (nh->id == 0)
		return false;
	if (!add)
		return true;
	if (family_bits(nh->family) == 0 ||
	    (nh->flags & ~(FIBC_NH_F_BLACKHOLE | FIBC_NH_F_LOCAL)) != 0 ||
	    nh->flags == (FIBC_NH_F_BLACKHOLE | FIBC_NH_F_LOCAL))
		return false;
	/* An IPv4 address is 4 bytes and zeros: next hops are compared as 16 bytes. */
	for (unsigned i = family_bits(nh->family) / 8; i < sizeof(nh->addr); i++)
		if (nh->addr[i] != 0)
			return false;
	return true;
}

/* Checks the length against the type and count, then every record. */
static bool msg_ok(const struct fibc_hdr *h, size_t n)
{
	const uint8_t *body = (const uint8_t *)(h + 1);
	uint64_t want;

	if (h->version != FIBC_VERSION || h->len != n)
		return false;
	switch (h->type) {
	case FIBC_HELLO:
	case FIBC_SYNC_BEGIN:
	case FIBC_SYNC_END:
		return h->count == 0 && n == sizeof(*h);
	case FIBC_NH_ADD:
	case FIBC_NH_DEL:
		want = sizeof(*h) + (uint64_t)h->count * sizeof(struct fibc_nh);
		if (n != want)
			return false;
		for (uint32_t i = 0; i < h->count; i++)
			if (!rec_nh_ok((const struct fibc_nh *)body + i, h->type == FIBC_NH_ADD))
				return false;
		return true;
	case FIBC_NHG_ADD:
	case FIBC_NHG_DEL: {
		const struct fibc_nhg *g = (const struct fibc_nhg *)body;
		const uint32_t *m = (const uint32_t *)(g + 1);

		if (h->type == FIBC_NHG_ADD && (h->count == 0 || h->count > FIBC_NHG_MAX_MEMBERS))
			return false;
		if (h->type == FIBC_NHG_DEL && h->count != 0)
			return false;
		want = sizeof(*h) + sizeof(*g) + (uint64_t)h->count * sizeof(uint32_t);
		if (n != want || g->id == 0)
			return false;
		for (uint32_t i = 0; i < h->count; i++)
			if (m[i] == 0)
				return false;
		return true;
	}
	case FIBC_ROUTE_ADD:
	case FIBC_ROUTE_DEL:
		want = sizeof(*h) + (uint64_t)h->count * sizeof(struct fibc_route);
		if (n != want)
			return false;
		for (uint32_t i = 0; i < h->count; i++)
			if (!rec_route_ok((const struct fibc_route *)body + i,
			                  h->type == FIBC_ROUTE_ADD))
				return false;
		return true;
	default:
		return false; /* FIBC_ACK is not a request; the rest is unknown */
	}
}

/* ---- applying a request ---- */

/* Applies a batch record by record; returns the first error and sets *failed. */
static int apply_batch(struct fib_server *srv, const struct fibc_hdr *h, uint32_t *failed)
{
	const void *body = h + 1;
	int ret = 0;

	for (uint32_t i = 0; i < h->count && ret == 0; i++) {
		const struct fibc_nh *nh = (const struct fibc_nh *)body + i;
		const struct fibc_route *r = (const struct fibc_route *)body + i;

		struct fibc_nh nh_copy;

		switch (h->type) {
		case FIBC_NH_ADD:
		case FIBC_NH_DEL:
			nh_copy = *nh;
			if (srv->hooks.nh_check != NULL)
				ret = srv->hooks.nh_check(srv->hooks.arg, &nh_copy,
				                          h->type == FIBC_NH_ADD);
			if (ret == 0)
				ret = h->type == FIBC_NH_ADD ? dp_fib_nh_add(srv->fib, &nh_copy)
				                             : dp_fib_nh_del(srv->fib, nh_copy.id);
			break;
		case FIBC_ROUTE_ADD:
			ret = dp_fib_route_add(srv->fib, r);
			break;
		default:
			ret = dp_fib_route_del(srv->fib, r);
			break;
		}
		if (ret < 0)
			*failed = i;
	}
	return ret;
}

static int apply(struct fib_server *srv, const struct fibc_hdr *h, uint32_t *failed)
{
	const struct fibc_nhg *g = (const struct fibc_nhg *)(h + 1);

	if (h->type == FIBC_HELLO) {
		srv->hello = true;
		srv->syncing = false;
		return 0;
	}
	if (!srv->hello)
		return -EPROTO;
	switch (h->type) {
	case FIBC_SYNC_BEGIN:
		/* A second SYNC_BEGIN restarts the sync: a new epoch, all stale again. */
		dp_fib_mark_stale(srv->fib);
		if (srv->hooks.synced != NULL)
			srv->hooks.synced(srv->hooks.arg);
		srv->syncing = true;
		srv->sync_start_ns = mono_ns();
		srv->sync_apply_ns = 0;
		srv->sync_records = 0;
		return 0;
	case FIBC_SYNC_END: {
		unsigned swept;

		if (!srv->syncing)
			return -EPROTO; /* would sweep marks of a sync this client never ran */
		srv->syncing = false;
		swept = dp_fib_sweep_stale(srv->fib);
		SRV_LOG(INFO,
		        "sync done, %u stale entries swept; %" PRIu64 " records in %" PRIu64
		        " ms, %" PRIu64 " ms of it applying them",
		        swept, srv->sync_records, (mono_ns() - srv->sync_start_ns) / 1000000,
		        srv->sync_apply_ns / 1000000);
		return 0;
	}
	case FIBC_NHG_ADD:
		return dp_fib_group_add(srv->fib, g->id, (const uint32_t *)(g + 1), h->count);
	case FIBC_NHG_DEL:
		return dp_fib_group_del(srv->fib, g->id);
	default:
		return apply_batch(srv, h, failed);
	}
}

static void ack_fill(struct fib_server *srv, uint32_t seq, int status, uint32_t failed)
{
	struct dp_fib_stats st;

	dp_fib_stats(srv->fib, &st);
	memset(&srv->ack, 0, sizeof(srv->ack));
	srv->ack.hdr.version = FIBC_VERSION;
	srv->ack.hdr.type = FIBC_ACK;
	srv->ack.hdr.len = sizeof(srv->ack);
	srv->ack.hdr.seq = seq;
	srv->ack.hdr.count = 1;
	srv->ack.ack.seq = seq;
	srv->ack.ack.status = status;
	srv->ack.ack.failed_index = status < 0 ? failed : 0;
	srv->ack.ack.generation = st.generation;
	srv->ack.ack.instance_id = fib_server_instance_id();
	srv->ack.ack.routes_v4 = st.routes_v4;
	srv->ack.ack.routes_v6 = st.routes_v6;
	srv->ack_pending = true;
	srv->ack_retry = false;
	srv->stats.requests++;
	if (status == -EBADMSG)
		srv->stats.malformed++;
	else if (status < 0)
		srv->stats.refusals++;
}

/* Sends the pending ACK: 0 when sent, -EAGAIN when the client's queue is full. */
static int ack_flush(struct fib_server *srv)
{
	ssize_t n;

	if (!srv->ack_pending)
		return 0;
	n = send(srv->fd, &srv->ack, sizeof(srv->ack), MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
			srv->stats.acks_deferred += !srv->ack_retry;
			srv->ack_retry = true;
			return -EAGAIN;
		}
		srv_disconnect(srv);
		return -ENOTCONN;
	}
	srv->ack_pending = false;
	return 0;
}

/* recv() returns 0 both for an empty SOCK_SEQPACKET datagram and for the peer's
 * hang-up; only poll() tells them apart. */
static bool peer_gone(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLRDHUP};

	return poll(&p, 1, 0) != 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

/* Receives and handles one request: 1 if handled, 0 if none was waiting, <0 if gone. */
static int srv_handle_one(struct fib_server *srv)
{
	const struct fibc_hdr *h = (const struct fibc_hdr *)srv->buf;
	struct iovec iov = {.iov_base = srv->buf, .iov_len = sizeof(srv->buf)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	uint32_t failed = 0;
	ssize_t n;
	int status;

	/* MSG_TRUNC makes recvmsg() return the real length of an oversized datagram. */
	n = recvmsg(srv->fd, &mh, MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	if (n < 0 || (n == 0 && peer_gone(srv->fd))) {
		srv_disconnect(srv);
		return -ENOTCONN;
	}
	if ((size_t)n < sizeof(*h)) {
		ack_fill(srv, 0, -EBADMSG, 0);
	} else if ((size_t)n > sizeof(srv->buf) || (mh.msg_flags & MSG_TRUNC) ||
	           !msg_ok(h, (size_t)n)) {
		ack_fill(srv, h->seq, -EBADMSG, 0);
	} else if (srv->syncing) {
		uint64_t t0 = mono_ns();

		status = apply(srv, h, &failed);
		srv->sync_apply_ns += mono_ns() - t0;
		srv->sync_records += h->count;
		ack_fill(srv, h->seq, status, failed);
	} else {
		status = apply(srv, h, &failed);
		ack_fill(srv, h->seq, status, failed);
	}
	return 1;
}

int fib_server_poll(struct fib_server *srv)
{
	int handled = 0;

	if (srv->listen_fd >= 0)
		srv_accept(srv);
	while (srv->fd >= 0 && (unsigned)handled < srv->budget) {
		if (ack_flush(srv) < 0)
			break;
		if (srv_handle_one(srv) <= 0)
			break;
		handled++;
	}
	if (srv->fd >= 0)
		ack_flush(srv);
	dp_fib_reclaim(srv->fib);
	return handled;
}
