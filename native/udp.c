/*
 * Batched UDP for the listeners (src/transport/udp-batch.ts): one recvmmsg(2) reads up to BATCH
 * queries, one JavaScript call handles them all, one sendmmsg(2) sends their replies. node:dgram
 * makes one system call, one JavaScript call and a 64 KiB buffer per datagram each way, which
 * caps a server at what a bare echo loop reaches (bench/README.md); batching is the one way past it.
 *
 * Memory shared with JavaScript, per socket (all little-endian int32 unless said):
 *   rx      BATCH slots of SLOT bytes (64 KiB: any datagram; pages no datagram reached are never
 *           resident): the datagrams received
 *   rxmeta  BATCH records of META ints: length (-1: larger than SLOT, dropped), family (4 or 6),
 *           port, IPv6 scope id, then the address's 16 bytes (IPv4: the first 4)
 *   tx      TX_BYTES: the replies to send, back to back
 *   txmeta  TX_MAX records of TX_META ints: offset in tx, length, then family, port, scope and
 *           address as in rxmeta
 * JavaScript fills tx/txmeta and calls send(n); the socket calls back onBatch(n) with rx/rxmeta
 * filled. Linux only (recvmmsg, sendmmsg); elsewhere the listeners stay on node:dgram.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <net/if.h>
#include <node_api.h>
#include <uv.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

/*
 * Queries read per readable event, in one recvmmsg, before other events get their turn (libuv's
 * own per-wakeup limit for a UDP socket). Taking more at once (8 reads of 64 at first) starts that
 * many forwarded queries together; their state outlives the 1 MiB young generation and is
 * promoted, and under a flood of cache misses the collector's time doubled: 7 000 instead of
 * 10 000 misses/s (npm run bench:flood). Cache hits gained nothing measurable from the larger batches.
 */
#define BATCH 32
#define SLOT 65536
#define META 8
#define TX_META 9
#define TX_MAX 256
#define TX_BYTES (256 * 1024)

typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref self;       /* the JS object, kept while the poll is open */
  napi_ref on_batch;
  napi_async_context async;
  int fd;
  int polling;
  uint8_t *rx;
  int32_t *rxmeta;
  uint8_t *tx;
  int32_t *txmeta;
  struct mmsghdr rmsg[BATCH];
  struct iovec riov[BATCH];
  struct sockaddr_in6 raddr[BATCH];
  struct mmsghdr smsg[TX_MAX];
  struct iovec siov[TX_MAX];
  struct sockaddr_in6 saddr[TX_MAX];
  /* counters read by stats(): datagrams dropped for size, replies the kernel refused */
  double oversized, send_errors;
} sock_t;

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, #call " failed"); return NULL; } } while (0)

/* Throws an Error whose `errno` is the positive errno and `syscall` the call; JavaScript names the code. */
static napi_value throw_errno(napi_env env, const char *syscall, int err) {
  napi_value text, error, num, call;
  napi_create_string_utf8(env, strerror(err), NAPI_AUTO_LENGTH, &text);
  napi_create_error(env, NULL, text, &error);
  napi_create_int32(env, err, &num);
  napi_set_named_property(env, error, "errno", num);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &call);
  napi_set_named_property(env, error, "syscall", call);
  napi_throw(env, error);
  return NULL;
}

static void meta_from_addr(int32_t *m, const struct sockaddr_in6 *a) {
  if (a->sin6_family == AF_INET) {
    const struct sockaddr_in *a4 = (const struct sockaddr_in *)a;
    m[1] = 4;
    m[2] = ntohs(a4->sin_port);
    m[3] = 0;
    memset(&m[4], 0, 16);
    memcpy(&m[4], &a4->sin_addr, 4);
  } else {
    m[1] = 6;
    m[2] = ntohs(a->sin6_port);
    m[3] = (int32_t)a->sin6_scope_id;
    memcpy(&m[4], &a->sin6_addr, 16);
  }
}

static socklen_t addr_from_meta(struct sockaddr_in6 *a, const int32_t *m) {
  memset(a, 0, sizeof *a);
  if (m[2] == 4) {
    struct sockaddr_in *a4 = (struct sockaddr_in *)a;
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)m[3]);
    memcpy(&a4->sin_addr, &m[5], 4);
    return sizeof(struct sockaddr_in);
  }
  a->sin6_family = AF_INET6;
  a->sin6_port = htons((uint16_t)m[3]);
  a->sin6_scope_id = (uint32_t)m[4];
  memcpy(&a->sin6_addr, &m[5], 16);
  return sizeof(struct sockaddr_in6);
}

/* One recvmmsg of up to BATCH queries, handed to onBatch; what is left waits for the next turn
 * of the loop (the poll is level-triggered). */
static void on_readable(uv_poll_t *poll, int status, int events) {
  sock_t *s = (sock_t *)poll->data;
  napi_env env = s->env;
  if (!s->polling) return;
  if (status < 0) {
    /* libuv stops a poll whose socket reports POLLERR: a pending socket error, which a connected
     * UDP socket gets from an ICMP message (port unreachable) about its peer. Reading SO_ERROR
     * clears it, and reading goes on; otherwise the port would take no query again. */
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    uv_poll_start(&s->poll, UV_READABLE, on_readable);
    return;
  }
  for (int i = 0; i < BATCH; i++) {
    s->rmsg[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_in6);
    s->rmsg[i].msg_hdr.msg_flags = 0;
    s->riov[i].iov_len = SLOT;
  }
  int n = recvmmsg(s->fd, s->rmsg, BATCH, MSG_DONTWAIT, NULL);
  if (n <= 0) return; /* EAGAIN, or an error the next read reports again */
  for (int i = 0; i < n; i++) {
    int32_t *m = &s->rxmeta[i * META];
    if (s->rmsg[i].msg_hdr.msg_flags & MSG_TRUNC) {
      m[0] = -1;
      s->oversized++;
    } else {
      m[0] = (int32_t)s->rmsg[i].msg_len;
    }
    meta_from_addr(m, &s->raddr[i]);
  }
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value recv, fn, arg;
  napi_get_reference_value(env, s->self, &recv);
  napi_get_reference_value(env, s->on_batch, &fn);
  napi_create_int32(env, n, &arg);
  /* make_callback: microtasks (promise replies) and nextTicks run after it, as after dgram's 'message'. */
  napi_status st = napi_make_callback(env, s->async, recv, fn, 1, &arg, NULL);
  napi_close_handle_scope(env, scope);
  if (st == napi_pending_exception) {
    napi_value exc;
    napi_get_and_clear_last_exception(env, &exc);
    napi_fatal_exception(env, exc);
  }
}

static sock_t *unwrap(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  napi_value self;
  if (napi_get_cb_info(env, info, &argc, argv, &self, NULL) != napi_ok) return NULL;
  sock_t *s = NULL;
  if (napi_unwrap(env, self, (void **)&s) != napi_ok || s == NULL) {
    napi_throw_error(env, NULL, "not an open batched UDP socket");
    return NULL;
  }
  return s;
}

/* send(n): sends txmeta's first n replies; returns how many the kernel took. */
static napi_value js_send(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  sock_t *s = unwrap(env, info, 1, argv);
  if (s == NULL) return NULL;
  int32_t n;
  CHECK(napi_get_value_int32(env, argv[0], &n));
  if (n < 0 || n > TX_MAX) { napi_throw_range_error(env, NULL, "send: count out of range"); return NULL; }
  int done = 0;
  for (int i = 0; i < n; i++) {
    const int32_t *m = &s->txmeta[i * TX_META];
    if (m[0] < 0 || m[1] < 0 || (int64_t)m[0] + m[1] > TX_BYTES) { napi_throw_range_error(env, NULL, "send: reply out of tx"); return NULL; }
    s->siov[i].iov_base = s->tx + m[0];
    s->siov[i].iov_len = (size_t)m[1];
    s->smsg[i].msg_hdr.msg_name = &s->saddr[i];
    s->smsg[i].msg_hdr.msg_namelen = addr_from_meta(&s->saddr[i], m);
    s->smsg[i].msg_hdr.msg_iov = &s->siov[i];
    s->smsg[i].msg_hdr.msg_iovlen = 1;
    s->smsg[i].msg_hdr.msg_control = NULL;
    s->smsg[i].msg_hdr.msg_controllen = 0;
    s->smsg[i].msg_hdr.msg_flags = 0;
  }
  int sent = 0;
  while (done < n) {
    int k = sendmmsg(s->fd, &s->smsg[done], (unsigned)(n - done), MSG_DONTWAIT);
    if (k > 0) { done += k; sent += k; continue; }
    if (k < 0 && errno == EINTR) continue;
    /* The message at `done` was refused (no route, a full send buffer): it is lost, as a UDP reply may be. */
    s->send_errors++;
    done++;
  }
  napi_value out;
  CHECK(napi_create_int32(env, sent, &out));
  return out;
}

static int parse_addr(napi_env env, napi_value host, int port, struct sockaddr_in6 *a, socklen_t *len) {
  char text[64];
  size_t got;
  if (napi_get_value_string_utf8(env, host, text, sizeof text, &got) != napi_ok) return -1;
  memset(a, 0, sizeof *a);
  struct sockaddr_in *a4 = (struct sockaddr_in *)a;
  if (inet_pton(AF_INET, text, &a4->sin_addr) == 1) {
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    *len = sizeof *a4;
    return AF_INET;
  }
  char *pct = strchr(text, '%');
  if (pct != NULL) {
    *pct = 0;
    a->sin6_scope_id = if_nametoindex(pct + 1);
    if (a->sin6_scope_id == 0) a->sin6_scope_id = (uint32_t)atoi(pct + 1);
  }
  if (inet_pton(AF_INET6, text, &a->sin6_addr) == 1) {
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)port);
    *len = sizeof *a;
    return AF_INET6;
  }
  return -1;
}

/* connect(host, port): only datagrams from there are received (the close drain's steering); a
 * connected UDP socket still sends replies to any address given with them. */
static napi_value js_connect(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  sock_t *s = unwrap(env, info, 2, argv);
  if (s == NULL) return NULL;
  int32_t port;
  CHECK(napi_get_value_int32(env, argv[1], &port));
  struct sockaddr_in6 a;
  socklen_t len;
  if (parse_addr(env, argv[0], port, &a, &len) < 0) { napi_throw_type_error(env, NULL, "connect: not an IP address"); return NULL; }
  if (connect(s->fd, (struct sockaddr *)&a, len) != 0) return throw_errno(env, "connect", errno);
  return NULL;
}

static napi_value js_stats(napi_env env, napi_callback_info info) {
  sock_t *s = unwrap(env, info, 0, NULL);
  if (s == NULL) return NULL;
  napi_value out, a, b;
  CHECK(napi_create_object(env, &out));
  CHECK(napi_create_double(env, s->oversized, &a));
  CHECK(napi_create_double(env, s->send_errors, &b));
  CHECK(napi_set_named_property(env, out, "oversized", a));
  CHECK(napi_set_named_property(env, out, "sendErrors", b));
  return out;
}

static void free_sock(sock_t *s) {
  free(s->rx);
  free(s->rxmeta);
  free(s->tx);
  free(s->txmeta);
  free(s);
}

static void on_closed(uv_handle_t *h) {
  sock_t *s = (sock_t *)h->data;
  napi_env env = s->env;
  close(s->fd);
  s->fd = -1;
  /* The JS object may now be collected; its finalizer frees the memory. */
  if (s->self != NULL) { napi_delete_reference(env, s->self); s->self = NULL; }
  if (s->on_batch != NULL) { napi_delete_reference(env, s->on_batch); s->on_batch = NULL; }
  if (s->async != NULL) { napi_async_destroy(env, s->async); s->async = NULL; }
}

/* close(): stops reading and closes the socket (on the next loop turn). */
static napi_value js_close(napi_env env, napi_callback_info info) {
  sock_t *s = unwrap(env, info, 0, NULL);
  if (s == NULL) return NULL;
  if (s->polling) {
    s->polling = 0;
    uv_poll_stop(&s->poll);
    uv_close((uv_handle_t *)&s->poll, on_closed);
  }
  return NULL;
}

static void finalize(napi_env env, void *data, void *hint) {
  sock_t *s = (sock_t *)data;
  if (s->fd >= 0) return; /* still open: leaked on purpose rather than freed under libuv */
  free_sock(s);
}

static void no_free(napi_env env, void *data, void *hint) {}

static napi_value buffer(napi_env env, void *data, size_t len) {
  napi_value ab;
  if (napi_create_external_arraybuffer(env, data, len, no_free, NULL, &ab) != napi_ok) return NULL;
  return ab;
}

/*
 * new BatchSocket(host, port, reusePort, rcvbuf, onBatch): bound and reading. Properties: rx, rxmeta,
 * tx, txmeta (ArrayBuffers), port (the bound port). Throws an Error with code EADDRINUSE etc.
 */
static napi_value js_new(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5], self;
  CHECK(napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  int32_t port, rcvbuf;
  bool reuse;
  CHECK(napi_get_value_int32(env, argv[1], &port));
  CHECK(napi_get_value_bool(env, argv[2], &reuse));
  CHECK(napi_get_value_int32(env, argv[3], &rcvbuf));
  struct sockaddr_in6 a;
  socklen_t len;
  int family = parse_addr(env, argv[0], port, &a, &len);
  if (family < 0) { napi_throw_type_error(env, NULL, "bind: not an IP address"); return NULL; }
  int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket", errno);
  int one = 1;
  /* IPv6 sockets stay dual-stack (IPV6_V6ONLY as the system has it, off by default), as node:dgram
   * and Go bind them: a server bound to "::" (no `bind`) answers IPv4 clients too. */
  if (reuse && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) { int e = errno; close(fd); return throw_errno(env, "setsockopt SO_REUSEPORT", e); }
  if (bind(fd, (struct sockaddr *)&a, len) != 0) { int e = errno; close(fd); return throw_errno(env, "bind", e); }
  /* Both buffers as large as asked (the kernel caps them at rmem_max/wmem_max): a burst waits in
   * the receive buffer during a pause, and a batch of replies fits in the send buffer (a send that
   * finds it full drops that reply rather than waiting, as a UDP reply may be lost). */
  if (rcvbuf > 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &rcvbuf, sizeof rcvbuf);
  }
  struct sockaddr_in6 bound;
  socklen_t blen = sizeof bound;
  getsockname(fd, (struct sockaddr *)&bound, &blen);

  sock_t *s = calloc(1, sizeof *s);
  if (s == NULL) { close(fd); napi_throw_error(env, NULL, "out of memory"); return NULL; }
  s->fd = fd;
  s->env = env;
  s->rx = malloc(BATCH * SLOT);
  s->rxmeta = calloc(BATCH * META, sizeof(int32_t));
  s->tx = malloc(TX_BYTES);
  s->txmeta = calloc(TX_MAX * TX_META, sizeof(int32_t));
  if (s->rx == NULL || s->rxmeta == NULL || s->tx == NULL || s->txmeta == NULL) { close(fd); s->fd = -1; free_sock(s); napi_throw_error(env, NULL, "out of memory"); return NULL; }
  for (int i = 0; i < BATCH; i++) {
    s->riov[i].iov_base = s->rx + (size_t)i * SLOT;
    s->riov[i].iov_len = SLOT;
    s->rmsg[i].msg_hdr.msg_name = &s->raddr[i];
    s->rmsg[i].msg_hdr.msg_iov = &s->riov[i];
    s->rmsg[i].msg_hdr.msg_iovlen = 1;
  }
  napi_value v;
  CHECK(napi_wrap(env, self, s, finalize, NULL, NULL));
  CHECK(napi_set_named_property(env, self, "rx", buffer(env, s->rx, BATCH * SLOT)));
  CHECK(napi_set_named_property(env, self, "rxmeta", buffer(env, s->rxmeta, BATCH * META * 4)));
  CHECK(napi_set_named_property(env, self, "tx", buffer(env, s->tx, TX_BYTES)));
  CHECK(napi_set_named_property(env, self, "txmeta", buffer(env, s->txmeta, TX_MAX * TX_META * 4)));
  CHECK(napi_create_int32(env, ntohs(bound.sin6_port), &v)); /* sin_port and sin6_port sit at the same offset */
  CHECK(napi_set_named_property(env, self, "port", v));
  CHECK(napi_create_reference(env, self, 1, &s->self));
  CHECK(napi_create_reference(env, argv[4], 1, &s->on_batch));
  napi_value name;
  CHECK(napi_create_string_utf8(env, "podns:udp", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_async_init(env, self, name, &s->async));
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, (struct uv_loop_s **)&loop));
  if (uv_poll_init(loop, &s->poll, fd) != 0) { napi_throw_error(env, NULL, "uv_poll_init failed"); return NULL; }
  s->poll.data = s;
  s->polling = 1;
  uv_poll_start(&s->poll, UV_READABLE, on_readable);
  return NULL;
}

/*
 * trim(): gives the C heap's free memory back to the system (glibc's malloc_trim); true when some
 * was. V8 frees its compilers' and collector's scratch memory to malloc, and glibc keeps it:
 * ~7 MiB of RSS after a few seconds of load at 10k services (npm run bench:scale). Elsewhere false.
 */
static napi_value js_trim(napi_env env, napi_callback_info info) {
  int released = 0;
#ifdef __GLIBC__
  released = malloc_trim(0);
#endif
  napi_value out;
  CHECK(napi_get_boolean(env, released != 0, &out));
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
    { "send", NULL, js_send, NULL, NULL, NULL, napi_default_method, NULL },
    { "connect", NULL, js_connect, NULL, NULL, NULL, napi_default_method, NULL },
    { "stats", NULL, js_stats, NULL, NULL, NULL, napi_default_method, NULL },
    { "close", NULL, js_close, NULL, NULL, NULL, napi_default_method, NULL },
  };
  napi_value cls, v;
  CHECK(napi_define_class(env, "BatchSocket", NAPI_AUTO_LENGTH, js_new, NULL, sizeof methods / sizeof methods[0], methods, &cls));
  CHECK(napi_set_named_property(env, exports, "BatchSocket", cls));
  CHECK(napi_create_function(env, "trim", NAPI_AUTO_LENGTH, js_trim, NULL, &v));
  CHECK(napi_set_named_property(env, exports, "trim", v));
  CHECK(napi_create_int32(env, BATCH, &v)); CHECK(napi_set_named_property(env, exports, "BATCH", v));
  CHECK(napi_create_int32(env, SLOT, &v)); CHECK(napi_set_named_property(env, exports, "SLOT", v));
  CHECK(napi_create_int32(env, META, &v)); CHECK(napi_set_named_property(env, exports, "META", v));
  CHECK(napi_create_int32(env, TX_META, &v)); CHECK(napi_set_named_property(env, exports, "TX_META", v));
  CHECK(napi_create_int32(env, TX_MAX, &v)); CHECK(napi_set_named_property(env, exports, "TX_MAX", v));
  CHECK(napi_create_int32(env, TX_BYTES, &v)); CHECK(napi_set_named_property(env, exports, "TX_BYTES", v));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
