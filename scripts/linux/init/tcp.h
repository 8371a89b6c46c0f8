/* /init's TCP server (tcp.c) as init.c uses it, and the sizes of the kvstore protocol's records both share. */
#ifndef LOCKSTEP_INIT_TCP_H
#define LOCKSTEP_INIT_TCP_H
#include <stdint.h>

#define KV_MAX_KEY 32
#define KV_MAX_VAL 200
#define KV_REQ_HEADER 12
#define KV_REPLY_HEADER 24
#define KV_REPLY_MAX (KV_REPLY_HEADER + KV_MAX_VAL)

/* Answers the request `req` (len bytes) into `reply`; returns the reply's length. */
typedef uint32_t (*tcp_handler)(const uint8_t *req, uint32_t len, uint8_t *reply);

/* Brings eth0 up and listens on TCP port 7000; 0, or why not (no virtio network device, no sockets). */
const char *tcp_open(void);

/* Accepts waiting connections and answers every whole request waiting on each, without blocking. */
void tcp_serve_waiting(tcp_handler serve);

#endif
