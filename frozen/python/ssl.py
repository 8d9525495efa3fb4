# ssl as MicroPython documents it (docs/library/ssl.rst), over its C `tls`
# module (the mbedtls binding). Frozen into every unix build of ours.
#
# As in micropython-lib's ssl, a new context does not verify the peer
# (CERT_NONE) until told to, so that asyncio's open_connection(ssl=True) works
# without CA certificates. Unlike it, a failed handshake in wrap_socket closes
# the socket it was given (as CPython's does, on OSError and ValueError): the caller never sees the wrapped
# object, so nothing else could close it.

import tls
from tls import (
    CERT_NONE,
    CERT_OPTIONAL,
    CERT_REQUIRED,
    MBEDTLS_VERSION,
    PROTOCOL_TLS_CLIENT,
    PROTOCOL_TLS_SERVER,
)


def _read(path_or_data):
    # A str is a file name (CPython's form); bytes are the data (MicroPython's).
    if isinstance(path_or_data, str):
        with open(path_or_data, "rb") as f:
            return f.read()
    return path_or_data


class SSLContext:
    def __init__(self, protocol):
        self._tls = tls.SSLContext(protocol)
        self._tls.verify_mode = CERT_NONE

    @property
    def verify_mode(self):
        return self._tls.verify_mode

    @verify_mode.setter
    def verify_mode(self, mode):
        self._tls.verify_mode = mode

    def load_cert_chain(self, certfile, keyfile):
        self._tls.load_cert_chain(_read(certfile), _read(keyfile))

    def load_verify_locations(self, cafile=None, cadata=None):
        self._tls.load_verify_locations(_read(cafile) if cafile else cadata)

    def get_ciphers(self):
        return self._tls.get_ciphers()

    def set_ciphers(self, ciphers):
        self._tls.set_ciphers(ciphers)

    def wrap_socket(self, sock, *, server_side=False, do_handshake_on_connect=True, server_hostname=None):
        try:
            return self._tls.wrap_socket(
                sock,
                server_side=server_side,
                do_handshake_on_connect=do_handshake_on_connect,
                server_hostname=server_hostname,
            )
        except (OSError, ValueError):
            sock.close()
            raise


def wrap_socket(
    sock,
    server_side=False,
    key=None,
    cert=None,
    cert_reqs=CERT_NONE,
    cadata=None,
    server_hostname=None,
    do_handshake=True,
):
    ctx = SSLContext(PROTOCOL_TLS_SERVER if server_side else PROTOCOL_TLS_CLIENT)
    if cert or key:
        ctx.load_cert_chain(cert, key)
    if cadata:
        ctx.load_verify_locations(cadata=cadata)
    ctx.verify_mode = cert_reqs
    return ctx.wrap_socket(sock, server_side=server_side, do_handshake_on_connect=do_handshake, server_hostname=server_hostname)
