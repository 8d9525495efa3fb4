# umqtt.simple / umqtt.simple2 (from PyPI, unmodified) against mosquitto:
# `micropython mqtt_client.py simple|simple2 BROKER`. Subscribes, publishes 50
# QoS 0 messages, one QoS 1 message and a 20 kB one, and reads them all back
# through the broker. Prints one "ok ..." line per check and "DONE", or raises.
import sys
import time

which, broker = sys.argv[1], sys.argv[2]
if which == "simple":
    from umqtt.simple import MQTTClient
else:
    from umqtt.simple2 import MQTTClient

got = []


def on_message(topic, msg, *flags):
    got.append((topic, msg))


client = MQTTClient("usocket-" + which, broker, port=1883, keepalive=30)
client.set_callback(on_message)
client.connect()
client.subscribe(b"usocket/" + which.encode())
print("ok connected and subscribed")

sent = [b"message %d" % i for i in range(50)] + [b"Q" * 20000]
for msg in sent[:50]:
    client.publish(b"usocket/" + which.encode(), msg)
client.publish(b"usocket/" + which.encode(), b"qos1", qos=1)
client.publish(b"usocket/" + which.encode(), sent[50])
sent.insert(50, b"qos1")

deadline = time.ticks_add(time.ticks_ms(), 15000)
while len(got) < len(sent) and time.ticks_diff(deadline, time.ticks_ms()) > 0:
    client.check_msg()
    time.sleep_ms(1)
msgs = [m for _, m in got]
assert msgs == sent, "got %d of %d messages, first difference at %r" % (
    len(msgs),
    len(sent),
    next((i for i, (a, b) in enumerate(zip(msgs, sent)) if a != b), min(len(msgs), len(sent))),
)
print("ok %d messages back through the broker, in order" % len(sent))
client.disconnect()
print("DONE")
