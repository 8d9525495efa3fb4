// The anchor firmware's network (MPS2_STACK=lwip): an lwIP netif for the
// LAN9118, lwIP's timers and loopback run from MicroPython's event hook (as
// usocket's stack is), and `network.LAN` as MicroPython's stm32 port has it
// (active, isconnected, ifconfig, ipconfig, status, config('mac')), so that
// the same scripts run on both firmwares.
//
// lwIP runs only here and in modlwip's calls, all in thread mode: the receive
// interrupt only wakes the CPU (lan9118_isr), so no lock is needed.

#include <string.h>

#include "py/runtime.h"
#include "py/mphal.h"
#include "extmod/modnetwork.h"

#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/dns.h"
#include "lwip/dhcp.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"

#include "lan9118.h"
#include "net.h"

#define FRAME_BYTES 1514

static struct netif lan_netif;
static uint8_t lan_mac[6];
// Transmit staging for frames lwIP hands over as a pbuf chain.
static uint8_t tx_frame[FRAME_BYTES];
static uint32_t rand_state;

u32_t sys_now(void) {
    return mp_hal_ticks_ms();
}

uint32_t mps2_lwip_rand(void) {
    // xorshift32, seeded at start from the clock and the controller.
    rand_state ^= rand_state << 13;
    rand_state ^= rand_state >> 17;
    rand_state ^= rand_state << 5;
    return rand_state;
}

static err_t lan_linkoutput(struct netif *netif, struct pbuf *p) {
    (void)netif;
    const uint8_t *frame = p->payload;
    if (p->tot_len > FRAME_BYTES) {
        return ERR_IF;
    }
    if (p->next != NULL) {
        pbuf_copy_partial(p, tx_frame, p->tot_len, 0);
        frame = tx_frame;
    }
    return lan9118_transmit(frame, p->tot_len) ? ERR_OK : ERR_MEM;
}

static err_t lan_netif_init(struct netif *netif) {
    netif->name[0] = 'e';
    netif->name[1] = 'n';
    netif->output = etharp_output;
    #if LWIP_IPV6
    netif->output_ip6 = ethip6_output;
    #endif
    netif->linkoutput = lan_linkoutput;
    netif->mtu = 1500;
    netif->hwaddr_len = 6;
    memcpy(netif->hwaddr, lan_mac, 6);
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_IGMP | NETIF_FLAG_MLD6;
    return ERR_OK;
}

// The firmware links no C library beyond MicroPython's: small parsers here.
static unsigned hex_digit(char c) {
    return c <= '9' ? (unsigned)(c - '0') : (unsigned)((c | 0x20) - 'a' + 10);
}

static void parse_mac(const char *text, uint8_t mac[6]) {
    for (int i = 0; i < 6; i++) {
        mac[i] = (uint8_t)(hex_digit(text[3 * i]) << 4 | hex_digit(text[3 * i + 1]));
    }
}

static int parse_decimal(const char *text) {
    int n = 0;
    while (*text >= '0' && *text <= '9') {
        n = n * 10 + (*text++ - '0');
    }
    return n;
}

// lwIP's netif_find() parses interface numbers with atoi(), which the port's
// libc lacks (ports linking newlib get it there).
int atoi(const char *text);
int atoi(const char *text) {
    return parse_decimal(text);
}

// Copies "ADDRESS/PREFIX" into `address` without the prefix and returns the
// prefix length (`otherwise` when there is none).
static int split_prefix(const char *text, char *address, size_t cap, int otherwise) {
    strncpy(address, text, cap - 1);
    address[cap - 1] = 0;
    char *slash = strchr(address, '/');
    if (slash == NULL) {
        return otherwise;
    }
    *slash = 0;
    return parse_decimal(slash + 1);
}

void mps2_net_start(void) {
    parse_mac(MPS2_LWIP_MAC, lan_mac);
    rand_state = (uint32_t)mps2_now_us() ^ lan9118_id() ^ 0x9e3779b9u;
    lan9118_enable(lan_mac);
    lwip_init();
    // The addresses are "ADDRESS/PREFIX".
    char v4[24];
    int prefix = split_prefix(MPS2_LWIP_IPV4, v4, sizeof v4, 24);
    ip4_addr_t addr, mask, gw;
    ip4addr_aton(v4, &addr);
    ip4_addr_set_u32(&mask, prefix ? lwip_htonl(0xffffffffu << (32 - prefix)) : 0);
    ip4addr_aton(MPS2_LWIP_GATEWAY, &gw);
    netif_add(&lan_netif, &addr, &mask, &gw, NULL, lan_netif_init, ethernet_input);
    #if LWIP_IPV6
    netif_create_ip6_linklocal_address(&lan_netif, 1);
    // lwIP's netif_add_ip6_address() takes no prefix length.
    char v6[48];
    (void)split_prefix(MPS2_LWIP_IPV6, v6, sizeof v6, 64);
    ip6_addr_t a6;
    ip6addr_aton(v6, &a6);
    s8_t index;
    netif_add_ip6_address(&lan_netif, &a6, &index);
    if (index >= 0) {
        netif_ip6_addr_set_state(&lan_netif, index, IP6_ADDR_PREFERRED);
    }
    #endif
    ip_addr_t dns;
    ipaddr_aton(MPS2_LWIP_DNS, &dns);
    dns_setserver(0, &dns);
    netif_set_default(&lan_netif);
    netif_set_up(&lan_netif);
    netif_set_link_up(&lan_netif);
}

bool mps2_net_pending(void) {
    return lan9118_rx_waiting();
}

static void receive_frames(void) {
    int32_t len;
    while ((len = lan9118_rx_next()) >= 0) {
        struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
        if (p == NULL) {
            // No buffer: dropped, as a MAC with a full ring would.
            (void)lan9118_rx_read(NULL, 0, (size_t)len);
            continue;
        }
        if (p->next == NULL) {
            (void)lan9118_rx_read(p->payload, p->len, (size_t)len);
        } else {
            (void)lan9118_rx_read((uint32_t *)tx_frame, sizeof tx_frame, (size_t)len);
            pbuf_take(p, tx_frame, (u16_t)len);
        }
        if (lan_netif.input(p, &lan_netif) != ERR_OK) {
            pbuf_free(p);
        }
    }
    lan9118_rx_irq_on();
}

void mps2_net_poll(void) {
    receive_frames();
    sys_check_timeouts();
    netif_poll_all();
}

void mps2_net_soft_reset(void) {
    // The anchor as MicroPython's lwIP ports have it: the finalisers closed the
    // sockets; lwIP's timers finish them while the next program runs.
}

// network.LAN: the one interface, as on MicroPython's stm32 port.

typedef struct {
    mp_obj_base_t base;
} lan_obj_t;

static const lan_obj_t lan_obj = { { &mps2_lan_type } };

static int lan_status(void) {
    // 0 down, 1 link up without an address, 3 up with an address (stm32's numbers).
    if (!netif_is_up(&lan_netif)) {
        return 0;
    }
    return ip4_addr_isany_val(*netif_ip4_addr(&lan_netif)) ? 1 : 3;
}

static mp_obj_t lan_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    (void)type;
    (void)args;
    mp_arg_check_num(n_args, n_kw, 0, 0, false);
    return MP_OBJ_FROM_PTR(&lan_obj);
}

static mp_obj_t lan_active(size_t n_args, const mp_obj_t *args) {
    if (n_args == 1) {
        return mp_obj_new_bool(netif_is_up(&lan_netif));
    }
    if (mp_obj_is_true(args[1])) {
        netif_set_up(&lan_netif);
    } else {
        netif_set_down(&lan_netif);
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(lan_active_obj, 1, 2, lan_active);

static mp_obj_t lan_isconnected(mp_obj_t self) {
    (void)self;
    return mp_obj_new_bool(lan_status() == 3);
}
static MP_DEFINE_CONST_FUN_OBJ_1(lan_isconnected_obj, lan_isconnected);

static mp_obj_t lan_ifconfig(size_t n_args, const mp_obj_t *args) {
    return mod_network_nic_ifconfig(&lan_netif, n_args - 1, args + 1);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(lan_ifconfig_obj, 1, 2, lan_ifconfig);

static mp_obj_t lan_ipconfig(size_t n_args, const mp_obj_t *args, mp_map_t *kwargs) {
    return mod_network_nic_ipconfig(&lan_netif, n_args - 1, args + 1, kwargs);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(lan_ipconfig_obj, 1, lan_ipconfig);

static mp_obj_t lan_status_fn(size_t n_args, const mp_obj_t *args) {
    (void)args;
    if (n_args == 1) {
        return MP_OBJ_NEW_SMALL_INT(lan_status());
    }
    mp_raise_ValueError(MP_ERROR_TEXT("unknown status param"));
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(lan_status_obj, 1, 2, lan_status_fn);

static mp_obj_t lan_config(size_t n_args, const mp_obj_t *args, mp_map_t *kwargs) {
    if (kwargs->used != 0 || n_args != 2) {
        mp_raise_TypeError(MP_ERROR_TEXT("must query one param"));
    }
    if (mp_obj_str_get_qstr(args[1]) != MP_QSTR_mac) {
        mp_raise_ValueError(MP_ERROR_TEXT("unknown config param"));
    }
    return mp_obj_new_bytes(lan_netif.hwaddr, 6);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(lan_config_obj, 1, lan_config);

static const mp_rom_map_elem_t lan_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_active), MP_ROM_PTR(&lan_active_obj) },
    { MP_ROM_QSTR(MP_QSTR_isconnected), MP_ROM_PTR(&lan_isconnected_obj) },
    { MP_ROM_QSTR(MP_QSTR_ifconfig), MP_ROM_PTR(&lan_ifconfig_obj) },
    { MP_ROM_QSTR(MP_QSTR_ipconfig), MP_ROM_PTR(&lan_ipconfig_obj) },
    { MP_ROM_QSTR(MP_QSTR_status), MP_ROM_PTR(&lan_status_obj) },
    { MP_ROM_QSTR(MP_QSTR_config), MP_ROM_PTR(&lan_config_obj) },
};
static MP_DEFINE_CONST_DICT(lan_locals, lan_locals_table);

MP_DEFINE_CONST_OBJ_TYPE(mps2_lan_type, MP_QSTR_LAN, MP_TYPE_FLAG_NONE, make_new, lan_make_new, locals_dict, &lan_locals);
