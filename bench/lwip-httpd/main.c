/*
 * lwip-httpd: the lwIP reference peer of Loam's network-stack benchmark (scripts/bench-stack).
 *
 * What it is: Debian's prebuilt lwIP 2.1.3 (liblwip-dev, the unix port, NO_SYS=0 with core
 * locking) on a Linux TAP device, and a minimal HTTP/1.1 server written here on lwIP's raw TCP
 * API. All the TCP/IP work happens in lwIP's tcpip thread; the unix port's tapif thread reads
 * frames from the TAP file descriptor and hands them over. It serves two endpoints:
 *
 *   GET /api/v1/health      200, application/json, {"status":"ok"}
 *   GET /bulk?bytes=N       200, application/octet-stream, N bytes (0 <= N <= 1 GiB) of a
 *                           64-byte line repeated, the same bytes as `yes <PATTERN> | head -c N`
 *
 * Connections are persistent (HTTP/1.1 keep-alive) unless the client sends `Connection: close`
 * or speaks HTTP/1.0. Requests are answered one at a time, in order; a pipelined request waits
 * in the receive buffer (or in lwIP, by flow control) until the response before it is queued.
 *
 * What it is not: a general HTTP server. It does not accept request bodies (400), methods other
 * than GET (405), or request heads larger than REQUEST_HEAD_LIMIT (431). It is sized for a
 * benchmark, not hardened for the Internet. lwIP's own httpd app is not used: it serves files.
 *
 * Usage: lwip-httpd TAP-NAME ADDRESS/PREFIX [PORT]     e.g. lwip-httpd lbtap0 192.0.2.2/24 80
 * The TAP device must exist (ip tuntap add mode tap name TAP-NAME); the unix port attaches to it
 * by name through PRECONFIGURED_TAPIF instead of running ifconfig.
 */
#define _GNU_SOURCE /* memrchr */
#include <assert.h>
#include <ctype.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/sys.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"
#include "netif/tapif.h"

/* Largest request head (request line and headers) a connection buffers. */
#define REQUEST_HEAD_LIMIT 4096
/* Largest response head, including a small fixed body. */
#define RESPONSE_HEAD_LIMIT 512
/* Largest body /bulk serves: 1 GiB. */
#define BULK_BYTES_LIMIT (1ULL << 30)
/* Most connections served at once; more are reset. */
#define CONNECTION_LIMIT 1024
/* lwIP calls the poll callback every POLL_INTERVAL * 500 ms: a safety net that resumes a
 * response if a send found lwIP's queue full while nothing was in flight to trigger `sent`. */
#define POLL_INTERVAL 2

/* One line of the bulk body; `yes` appends the newline, so the period is 64 bytes. */
#define PATTERN_LINE "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-"
#define PATTERN_LENGTH 64
/* The pattern repeated over 64 KiB plus one period, so any chunk of up to 64 KiB (lwIP's send
 * buffer is at most 0xFFFF bytes) starting at any phase of the pattern is contiguous. */
#define PATTERN_BUFFER_LENGTH (65536 + PATTERN_LENGTH)

static char pattern_buffer[PATTERN_BUFFER_LENGTH];
static unsigned connection_count;

/* One client connection. Lives from accept until close, reset or error. */
struct connection {
  struct tcp_pcb *pcb;
  /* Received bytes not yet consumed as a request head. */
  char request[REQUEST_HEAD_LIMIT];
  size_t request_length;
  /* The response being sent: a head (with any small body) and then pattern bytes. */
  bool responding;
  char head[RESPONSE_HEAD_LIMIT];
  size_t head_length;
  size_t head_queued;
  uint64_t pattern_length;
  uint64_t pattern_queued;
  /* Close once the current response is queued (Connection: close, HTTP/1.0, FIN, error). */
  bool close_after_response;
};

static bool begin_response(struct connection *connection);

/* Closes gracefully (FIN after queued data); resets if lwIP cannot. Frees the connection.
 * Returns what the calling lwIP callback must return. */
static err_t close_connection(struct connection *connection) {
  struct tcp_pcb *pcb = connection->pcb;
  tcp_arg(pcb, NULL);
  tcp_recv(pcb, NULL);
  tcp_sent(pcb, NULL);
  tcp_err(pcb, NULL);
  tcp_poll(pcb, NULL, 0);
  free(connection);
  connection_count--;
  if (tcp_close(pcb) != ERR_OK) {
    tcp_abort(pcb);
    return ERR_ABRT;
  }
  return ERR_OK;
}

/* Queues as much of the current response as lwIP's send buffer takes, and once a response is
 * fully queued, goes on with the next buffered request or closes. The `sent` callback calls it
 * again. Returns what the calling lwIP callback must return; the connection may be freed. */
static err_t pump(struct connection *connection) {
  struct tcp_pcb *pcb = connection->pcb;
  while (connection->responding) {
    size_t room = tcp_sndbuf(pcb);
    if (room == 0) break;
    const char *data;
    size_t length;
    bool more;
    if (connection->head_queued < connection->head_length) {
      data = connection->head + connection->head_queued;
      length = connection->head_length - connection->head_queued;
      if (length > room) length = room;
      more = connection->pattern_length > 0 || connection->head_queued + length <
        connection->head_length;
    } else {
      uint64_t left = connection->pattern_length - connection->pattern_queued;
      data = pattern_buffer + connection->pattern_queued % PATTERN_LENGTH;
      length = left < room ? (size_t)left : room;
      more = left > length;
    }
    err_t error = tcp_write(pcb, data, (u16_t)length,
      TCP_WRITE_FLAG_COPY | (more ? TCP_WRITE_FLAG_MORE : 0));
    if (error == ERR_MEM) break; /* segment queue full: `sent` resumes */
    if (error != ERR_OK) return close_connection(connection);
    if (connection->head_queued < connection->head_length) {
      connection->head_queued += length;
    } else {
      connection->pattern_queued += length;
    }
    if (connection->head_queued == connection->head_length
        && connection->pattern_queued == connection->pattern_length) {
      connection->responding = false;
      if (connection->close_after_response) {
        tcp_output(pcb);
        return close_connection(connection);
      }
      begin_response(connection);
    }
  }
  tcp_output(pcb);
  return ERR_OK;
}

/* Case-insensitive search for `needle` in the `length` bytes at `haystack`. */
static const char *find_case_insensitive(const char *haystack, size_t length,
                                         const char *needle) {
  size_t needle_length = strlen(needle);
  for (size_t index = 0; index + needle_length <= length; index++) {
    if (strncasecmp(haystack + index, needle, needle_length) == 0) return haystack + index;
  }
  return NULL;
}

/* Parses the decimal `bytes` query value of /bulk into `bytes`; false if absent or invalid. */
static bool parse_bulk_bytes(const char *target, size_t length, uint64_t *bytes) {
  static const char prefix[] = "/bulk?bytes=";
  size_t prefix_length = sizeof prefix - 1;
  if (length <= prefix_length || memcmp(target, prefix, prefix_length) != 0) return false;
  uint64_t value = 0;
  for (size_t index = prefix_length; index < length; index++) {
    if (!isdigit((unsigned char)target[index])) return false;
    value = value * 10 + (uint64_t)(target[index] - '0');
    if (value > BULK_BYTES_LIMIT) return false;
  }
  *bytes = value;
  return true;
}

/* Prepares the response head, followed by `body` (short text) or by `pattern_length` bytes of the
 * bulk pattern; exactly one of the two is empty. */
static void respond(struct connection *connection, const char *status, const char *type,
                    const char *body, uint64_t pattern_length) {
  unsigned long long content_length = strlen(body) + pattern_length;
  int length = snprintf(connection->head, RESPONSE_HEAD_LIMIT,
    "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %llu\r\n%s\r\n%s", status, type,
    content_length, connection->close_after_response ? "Connection: close\r\n" : "", body);
  assert(length > 0 && length < RESPONSE_HEAD_LIMIT);
  connection->head_length = (size_t)length;
  connection->pattern_length = pattern_length;
}

/* Prepares a response with a short text body. */
static void respond_text(struct connection *connection, const char *status, const char *type,
                         const char *body) {
  respond(connection, status, type, body, 0);
}

/* Chooses the response to a complete request head of `length` bytes. */
static void route(struct connection *connection, const char *head, size_t length) {
  const char *line_end = memchr(head, '\r', length);
  size_t line_length = (size_t)(line_end - head);
  const char *first_space = memchr(head, ' ', line_length);
  const char *last_space = first_space ? memrchr(head, ' ', line_length) : NULL;
  if (first_space == NULL || last_space == first_space) {
    connection->close_after_response = true;
    respond_text(connection, "400 Bad Request", "text/plain", "bad request line\n");
    return;
  }
  const char *version = last_space + 1;
  size_t version_length = (size_t)(line_end - version);
  const char *headers = line_end + 1; /* from the newline, so each header follows a "\n" */
  size_t headers_length = length - (size_t)(headers - head);
  if (version_length != 8 || memcmp(version, "HTTP/1.1", 8) != 0
      || find_case_insensitive(headers, headers_length, "\nconnection: close")) {
    connection->close_after_response = true; /* HTTP/1.0 or an explicit close */
  }
  const char *target = first_space + 1;
  size_t target_length = (size_t)(last_space - target);
  uint64_t bulk_bytes;
  if ((size_t)(first_space - head) != 3 || memcmp(head, "GET", 3) != 0) {
    connection->close_after_response = true;
    respond_text(connection, "405 Method Not Allowed", "text/plain", "only GET\n");
  } else if (find_case_insensitive(headers, headers_length, "\ncontent-length:")
             || find_case_insensitive(headers, headers_length, "\ntransfer-encoding:")) {
    connection->close_after_response = true; /* a body we would have to skip */
    respond_text(connection, "400 Bad Request", "text/plain", "no request bodies\n");
  } else if (target_length == 14 && memcmp(target, "/api/v1/health", 14) == 0) {
    respond_text(connection, "200 OK", "application/json", "{\"status\":\"ok\"}");
  } else if (parse_bulk_bytes(target, target_length, &bulk_bytes)) {
    respond(connection, "200 OK", "application/octet-stream", "", bulk_bytes);
  } else if (target_length >= 5 && memcmp(target, "/bulk", 5) == 0) {
    respond_text(connection, "400 Bad Request", "text/plain", "bytes must be 0...1073741824\n");
  } else {
    respond_text(connection, "404 Not Found", "text/plain", "not found\n");
  }
}

/* Begins the response to the first complete request head in the buffer, if there is one, and
 * says whether it did. `pump` sends it. */
static bool begin_response(struct connection *connection) {
  assert(!connection->responding);
  const char *end = NULL;
  for (size_t index = 0; index + 4 <= connection->request_length; index++) {
    if (memcmp(connection->request + index, "\r\n\r\n", 4) == 0) {
      end = connection->request + index + 4;
      break;
    }
  }
  if (end == NULL) {
    if (connection->request_length < REQUEST_HEAD_LIMIT) return false; /* wait for more */
    connection->close_after_response = true;
    respond_text(connection, "431 Request Header Fields Too Large", "text/plain", "too large\n");
    connection->request_length = 0;
  } else {
    size_t head_length = (size_t)(end - connection->request);
    route(connection, connection->request, head_length);
    connection->request_length -= head_length;
    memmove(connection->request, end, connection->request_length);
  }
  connection->responding = true;
  connection->head_queued = 0;
  connection->pattern_queued = 0;
  return true;
}

static err_t on_receive(void *argument, struct tcp_pcb *pcb, struct pbuf *packet, err_t error) {
  struct connection *connection = argument;
  (void)pcb;
  if (packet == NULL) { /* FIN: finish the response in progress, then close */
    if (!connection->responding) return close_connection(connection);
    connection->close_after_response = true;
    return ERR_OK;
  }
  if (error != ERR_OK) {
    pbuf_free(packet);
    return ERR_OK;
  }
  size_t room = REQUEST_HEAD_LIMIT - connection->request_length;
  /* While a response is being sent, refuse what does not fit: lwIP keeps it and offers it again.
   * Otherwise the buffer holds no complete head, and overflowing it earns a 431. */
  if (packet->tot_len > room && connection->responding) return ERR_MEM;
  u16_t copied = pbuf_copy_partial(packet, connection->request + connection->request_length,
                                   (u16_t)(packet->tot_len < room ? packet->tot_len : room), 0);
  connection->request_length += copied;
  tcp_recved(pcb, packet->tot_len);
  pbuf_free(packet);
  if (!connection->responding) begin_response(connection);
  return pump(connection);
}

static err_t on_sent(void *argument, struct tcp_pcb *pcb, u16_t length) {
  (void)pcb;
  (void)length;
  return pump(argument);
}

static err_t on_poll(void *argument, struct tcp_pcb *pcb) {
  (void)pcb;
  return pump(argument);
}

/* lwIP has already freed the pcb (reset or fatal error): only our state is left. */
static void on_error(void *argument, err_t error) {
  (void)error;
  if (argument == NULL) return;
  free(argument);
  connection_count--;
}

static err_t on_accept(void *argument, struct tcp_pcb *pcb, err_t error) {
  (void)argument;
  if (error != ERR_OK || pcb == NULL) return ERR_VAL;
  struct connection *connection =
    connection_count < CONNECTION_LIMIT ? calloc(1, sizeof *connection) : NULL;
  if (connection == NULL) {
    tcp_abort(pcb);
    return ERR_ABRT;
  }
  connection_count++;
  connection->pcb = pcb;
  tcp_arg(pcb, connection);
  tcp_recv(pcb, on_receive);
  tcp_sent(pcb, on_sent);
  tcp_err(pcb, on_error);
  tcp_poll(pcb, on_poll, POLL_INTERVAL);
  tcp_nagle_disable(pcb); /* as nginx's tcp_nodelay: small responses leave at once */
  return ERR_OK;
}

static void on_tcpip_ready(void *argument) { sys_sem_signal(argument); }

static void fail(const char *message) {
  fprintf(stderr, "lwip-httpd: %s\n", message);
  exit(2);
}

int main(int argc, char **argv) {
  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: %s TAP-NAME ADDRESS/PREFIX [PORT]\n", argv[0]);
    return 2;
  }
  char address_text[32];
  const char *slash = strchr(argv[2], '/');
  int prefix = slash ? atoi(slash + 1) : -1;
  if (slash == NULL || (size_t)(slash - argv[2]) >= sizeof address_text || prefix < 1
      || prefix > 30) {
    fail("ADDRESS/PREFIX must look like 192.0.2.2/24");
  }
  memcpy(address_text, argv[2], (size_t)(slash - argv[2]));
  address_text[slash - argv[2]] = '\0';
  ip4_addr_t address, netmask, gateway;
  if (!ip4addr_aton(address_text, &address)) fail("bad IPv4 address");
  ip4_addr_set_u32(&netmask, lwip_htonl(0xFFFFFFFFu << (32 - prefix)));
  ip4_addr_set_zero(&gateway);
  long port = argc == 4 ? strtol(argv[3], NULL, 10) : 80;
  if (port < 1 || port > 65535) fail("PORT must be 1...65535");
  for (size_t index = 0; index < PATTERN_BUFFER_LENGTH; index++) {
    pattern_buffer[index] = (index % PATTERN_LENGTH == PATTERN_LENGTH - 1)
      ? '\n' : PATTERN_LINE[index % PATTERN_LENGTH];
  }
  /* The unix port's tapif attaches to the TAP device named here instead of running ifconfig. */
  setenv("PRECONFIGURED_TAPIF", argv[1], 1);

  sys_sem_t ready;
  if (sys_sem_new(&ready, 0) != ERR_OK) fail("cannot make a semaphore");
  tcpip_init(on_tcpip_ready, &ready);
  sys_sem_wait(&ready);

  static struct netif netif;
  LOCK_TCPIP_CORE();
  if (netif_add(&netif, &address, &netmask, &gateway, NULL, tapif_init, tcpip_input) == NULL) {
    fail("netif_add failed");
  }
  netif_set_default(&netif);
  netif_set_up(&netif);
  struct tcp_pcb *listener = tcp_new_ip_type(IPADDR_TYPE_V4);
  if (listener == NULL || tcp_bind(listener, IP4_ADDR_ANY, (u16_t)port) != ERR_OK) {
    fail("cannot bind the listening port");
  }
  listener = tcp_listen_with_backlog(listener, 128);
  if (listener == NULL) fail("cannot listen");
  tcp_accept(listener, on_accept);
  UNLOCK_TCPIP_CORE();

  fprintf(stderr, "lwip-httpd: lwIP %s on TAP %s, %s port %ld\n", LWIP_VERSION_STRING, argv[1],
          argv[2], port);
  for (;;) pause(); /* lwIP's threads do the work; SIGTERM or SIGINT ends the process */
}
