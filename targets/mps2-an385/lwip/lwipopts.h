// lwIP's configuration for the anchor firmware: MicroPython's own
// (extmod/lwip-include/lwipopts_common.h, which its stm32 and rp2 ports
// include) with the stm32/rp2 ports' additions, and these differences, each so
// that the comparison with usocket's board file (spec/boards/mps2-an385.toml)
// is like for like:
// - TCP windows and buffers equal to the board file's (MSS 1460 for the
//   1500-byte MTU, receive window and send buffer 4096 bytes; MicroPython's
//   default profile has MSS 800 and 6400-byte windows), and as many TCP PCBs
//   as the board has TCP sockets (8);
// - no mDNS responder (usocket has none; MicroPython's ports turn it on);
// - the loopif (127.0.0.1) on, as on stm32 (LWIP_LOOPIF_MULTICAST there);
// - IPv6 as the build asks (MPS2_LWIP_WITH_IPV6: rp2 has it, stm32 not).
#ifndef MPS2_LWIPOPTS_H
#define MPS2_LWIPOPTS_H

#include <stdint.h>

#define LWIP_NETIF_EXT_STATUS_CALLBACK  1
#define LWIP_NETIF_STATUS_CALLBACK      1

#define LWIP_HAVE_LOOPIF                1
#define LWIP_LOOPIF_MULTICAST           1
#define LWIP_LOOPBACK_MAX_PBUFS         8

#define LWIP_IPV4                       1
#define LWIP_IPV6                       MPS2_LWIP_WITH_IPV6
#define LWIP_ND6_NUM_DESTINATIONS       4
#define LWIP_ND6_QUEUEING               0

#define LWIP_RAND() mps2_lwip_rand()
uint32_t mps2_lwip_rand(void);

// Equal windows with the board file's tcp_rx/tcp_tx (see above); MEM_SIZE and
// the segment count are lwipopts_common.h's largest profile's.
#define MEM_SIZE                        (16000)
#define TCP_MSS                         (1460)
#define TCP_WND                         (4096)
#define TCP_SND_BUF                     (4096)
#define MEMP_NUM_TCP_SEG                (32)
#define MEMP_NUM_TCP_PCB                (8)

#include "extmod/lwip-include/lwipopts_common.h"

#undef LWIP_MDNS_RESPONDER
#define LWIP_MDNS_RESPONDER             0
#undef LWIP_DNS_SUPPORT_MDNS_QUERIES
#define LWIP_DNS_SUPPORT_MDNS_QUERIES   0

// lwIP runs only in MicroPython's event hook, never in an interrupt, so the
// socket module needs no lock (MICROPY_PY_LWIP_ENTER stays empty).

#endif
