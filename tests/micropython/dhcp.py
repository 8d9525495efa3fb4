# DHCP on a TAP board against dnsmasq (run by `cargo xtask test` as root, in a
# namespace with the kernel at 192.0.2.1 serving DHCP, DNS and HTTP; lease
# renewal time T1 = 4 s). Prints one line per check and "N passed, M failed".
import sys
import time

import network
import socket

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("PASS", name)
    else:
        failed += 1
        print("FAIL", name, detail)


def drive(ms):
    # time.sleep does not run the stack on unix; interface calls do.
    end = time.ticks_add(time.ticks_ms(), ms)
    while time.ticks_diff(end, time.ticks_ms()) > 0:
        lan.isconnected()
        time.sleep_ms(20)


def get(s):
    s.sendall(b"GET / HTTP/1.0\r\nHost: 192.0.2.1\r\n\r\n")
    return s.recv(64)


lan = network.LAN()
check("before the lease: not connected, status 1", not lan.isconnected() and lan.status() == 1, repr(lan.status()))
start = time.ticks_ms()
while not lan.isconnected() and time.ticks_diff(time.ticks_ms(), start) < 20000:
    time.sleep_ms(20)
waited = time.ticks_diff(time.ticks_ms(), start)
check("lease obtained", lan.isconnected() and lan.status() == 3, "after %d ms" % waited)
print("lease after %d ms" % waited)
ip, mask, gw, dns = lan.ifconfig()
print("ifconfig", (ip, mask, gw, dns))
check("address from the pool", ip.startswith("192.0.2.") and 50 <= int(ip.split(".")[3]) <= 60, ip)
check("netmask, gateway, DNS applied", (mask, gw, dns) == ("255.255.255.0", "192.0.2.1", "192.0.2.1"), repr((mask, gw, dns)))

info = socket.getaddrinfo("board-dns.test", 8000)
check("DNS server from the lease answers", info and info[0][-1] == ("192.0.2.1", 8000), repr(info))

c = socket.socket()
c.settimeout(5)
c.connect(("192.0.2.1", 8000))
check("TCP to the kernel through the leased address", get(c).startswith(b"HTTP/1.0 200"))
c.close()

held = socket.socket()
held.settimeout(5)
held.connect(("192.0.2.1", 8000))
drive(9000)  # past T1 (4 s) twice: the lease is renewed, the address stays
check("address unchanged after renewal", lan.ifconfig()[0] == ip and lan.isconnected(), repr(lan.ifconfig()))
check("a connection opened before the renewal still works", get(held).startswith(b"HTTP/1.0 200"))
held.close()

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
