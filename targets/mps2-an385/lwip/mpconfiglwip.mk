# The anchor firmware (MPS2_STACK=lwip, included by ../mpconfigboard.mk):
# MicroPython's lwIP socket module (extmod/modlwip.c, extmod/network_lwip.c)
# on lwIP from Debian's `lwip` source package, which `cargo xtask firmware
# mps2-an385 --stack lwip` unpacks where MicroPython's submodule would be
# (lib/lwip), and a netif for the LAN9118 (net_lwip.c).
MICROPY_PY_LWIP = 1
# lwIP's loopback (LWIP_NETIF_LOOPBACK; lwipopts.h adds the loopif for 127.0.0.1).
MICROPY_PY_LWIP_LOOPBACK = 1
CFLAGS += -I$(BOARD_DIR)/lwip -DMPS2_STACK_LWIP=1
SRC_C += $(BOARD_DIR)/lwip/net_lwip.c

# The interface's configuration, given by the caller (xtask's lwip.rs is its
# one writer): MAC "02:00:...", IPv4 address/prefix, gateway, DNS server,
# IPv6 address/prefix, and whether lwIP is built with IPv6 (1/0).
MPS2_LWIP_ARGS = MPS2_LWIP_MAC MPS2_LWIP_IPV4 MPS2_LWIP_GATEWAY MPS2_LWIP_DNS MPS2_LWIP_IPV6 MPS2_LWIP_WITH_IPV6
$(foreach v,$(MPS2_LWIP_ARGS),$(if $($(v)),,$(error MPS2_STACK=lwip needs $(v)=...)))
CFLAGS += '-DMPS2_LWIP_MAC="$(MPS2_LWIP_MAC)"' '-DMPS2_LWIP_IPV4="$(MPS2_LWIP_IPV4)"'
CFLAGS += '-DMPS2_LWIP_GATEWAY="$(MPS2_LWIP_GATEWAY)"' '-DMPS2_LWIP_DNS="$(MPS2_LWIP_DNS)"'
CFLAGS += '-DMPS2_LWIP_IPV6="$(MPS2_LWIP_IPV6)"' -DMPS2_LWIP_WITH_IPV6=$(MPS2_LWIP_WITH_IPV6)
