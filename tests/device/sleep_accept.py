# Runs on the firmware (the device suite): the stack keeps running while Python
# sleeps. The board listens and sleeps 3 s; meanwhile the kernel connects and
# sends (the handshake and the data's ACK come from the board during the sleep);
# after the sleep the connection is already in the accept queue.
import socket
import time

l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("0.0.0.0", 9200))
l.listen(2)
print("LISTENING")
time.sleep(3)
l.settimeout(0)
a, peer = l.accept()
print("ACCEPTED", a.recv(16))
a.close()
l.close()
