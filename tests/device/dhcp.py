# Runs on the firmware (the device suite's DHCP check, `cargo xtask device`):
# the board starts with its board file's static 192.0.2.2/24 (gateway and DNS
# 192.0.2.1) and a DHCP client on request; dnsmasq serves DHCP in the device
# namespace and tests/kernel/peer_server.py on 192.0.2.1:9300 names the source
# address of each connection. ifconfig('dhcp') returns with the lease (as on
# MicroPython's lwIP ports); the lease's renewal (T1 = 4 s) happens while
# Python is in time.sleep; TCP goes from the leased address; then
# ifconfig(static tuple) brings 192.0.2.2 back for the rest of the suite.
# Prints one line per check, "LEASE ip netmask gateway dns ms" and
# "N passed, M failed".
import socket
import time

import network

STATIC = ("192.0.2.2", "255.255.255.0", "192.0.2.1", "192.0.2.1")
PEER = ("192.0.2.1", 9300)

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("PASS", name)
    else:
        failed += 1
        print("FAIL", name, detail)


def peer_of(tag):
    # One exchange with the kernel's peer server: the address it saw.
    s = socket.socket()
    s.settimeout(5)
    try:
        s.connect(PEER)
        s.send(tag)
        reply = s.recv(64)
    except OSError as e:
        return "error %r" % e
    finally:
        s.close()
    parts = reply.split()
    return parts[1].decode() if len(parts) == 3 and parts[0] == b"PEER" and parts[2] == tag else repr(reply)


lan = network.LAN()
check("starts static, connected", lan.ifconfig() == STATIC and lan.status() == 3 and lan.isconnected(), repr(lan.ifconfig()))
check("the static address carries TCP", peer_of(b"static") == "192.0.2.2")

start = time.ticks_ms()
try:
    lan.ifconfig("dhcp")
    err = None
except OSError as e:
    err = e.args[0]
# ifconfig('dhcp') waits for the lease itself; should it not have, wait here
# (the stack runs during time.sleep).
while lan.status() != 3 and time.ticks_diff(time.ticks_ms(), start) < 20000:
    time.sleep(0.1)
waited = time.ticks_diff(time.ticks_ms(), start)
ip, mask, gw, dns = lan.ifconfig()
print("LEASE", ip, mask, gw, dns, waited)
check("ifconfig('dhcp') returns with the lease", err is None and lan.status() == 3 and lan.isconnected(), repr((err, lan.status())))
check("an address from dnsmasq's pool", ip.startswith("192.0.2.") and 50 <= int(ip.split(".")[3]) <= 60, ip)
check("netmask, gateway and DNS from the lease", (mask, gw, dns) == ("255.255.255.0", "192.0.2.1", "192.0.2.1"), repr((mask, gw, dns)))
check("TCP goes from the leased address", peer_of(b"leased") == ip)
# Past T1 (4 s) while Python sleeps: the client renews (dnsmasq logs a second DHCPACK).
time.sleep(6)
check("the lease stays through its renewal", lan.ifconfig()[0] == ip and lan.status() == 3, repr(lan.ifconfig()))

check("ifconfig(tuple) returns None", lan.ifconfig(STATIC) is None)
check("static again, connected", lan.ifconfig() == STATIC and lan.status() == 3 and lan.isconnected(), repr((lan.ifconfig(), lan.status())))
check("TCP goes from 192.0.2.2 again", peer_of(b"again") == "192.0.2.2")

print("%d passed, %d failed" % (passed, failed))
