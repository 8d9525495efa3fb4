# micropython-lib's `requests` (from the MicroPython source package, unmodified)
# against the kernel's HTTP server (tests/libraries/http_peer.py):
# `micropython requests_client.py BASE_URL`. It writes str header lines to the
# socket. Prints one "ok ..." line per check and "DONE", or raises.
import binascii
import hashlib
import sys

import requests

base = sys.argv[1]

r = requests.get(base + "/bytes/262144")
want = bytes(range(256)) * 1024
assert r.status_code == 200, r.status_code
assert r.content == want, "GET body differs (%d bytes)" % len(r.content)
print("ok GET 256 KiB byte-exact")

body = bytes((i * 7) % 251 for i in range(200000))
r = requests.post(base + "/sha256", data=body, headers={"X-Echo": "from usocket"})
assert r.status_code == 200, r.status_code
assert r.text == binascii.hexlify(hashlib.sha256(body).digest()).decode(), r.text
assert r.headers.get("X-Echo") == "from usocket", r.headers
print("ok POST 200 kB, SHA-256 and header echoed")

r = requests.post(base + "/sha256", json={"board": "usocket", "n": 1})
assert r.status_code == 200 and len(r.text) == 64, (r.status_code, r.text)
print("ok POST json")
print("DONE")
