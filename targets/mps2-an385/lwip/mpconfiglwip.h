// What the anchor firmware (MPS2_STACK=lwip) adds to the board's
// configuration: the lwIP socket module and `network` with one LAN interface.
#define MICROPY_PY_NETWORK (1)
#define MICROPY_PY_NETWORK_HOSTNAME_DEFAULT "mps2-lwip"
#define MICROPY_PY_LWIP_SOCK_RAW (1)
extern const struct _mp_obj_type_t mps2_lan_type;
#define MICROPY_PORT_NETWORK_INTERFACES \
    { MP_ROM_QSTR(MP_QSTR_LAN), MP_ROM_PTR(&mps2_lan_type) },
