"""An MQTT client (5.0 and 3.1.1) by hand, for the interoperability USP agent. Python 3 standard library only.

Follows the OASIS specifications "MQTT Version 5.0" and "MQTT Version 3.1.1": fixed header and Variable Byte
Integer remaining length (2.1.4 / 1.5.5), UTF-8 strings with a two-byte length (1.5.4), CONNECT / CONNACK with
properties (3.1, 3.2), SUBSCRIBE / SUBACK (3.8, 3.9), PUBLISH at QoS 0 and 1 with PUBACK (3.3, 3.4, 4.3.2),
PINGREQ / PINGRESP keep-alive (3.1.2.10, 3.12, 3.13) and DISCONNECT (3.14).

It is single-threaded: the owner calls receive() in its loop; that also answers QoS 1 PUBLISHes with PUBACK,
collects the broker's PUBACKs and sends PINGREQ when the connection has been quiet for half the keep-alive.
Breaches of the specification by the peer are reported through `on_violation` rather than raised, so a probe can
list them; a broken connection raises ConnectionError.
"""

import select
import socket
import struct
import time

CONNECT, CONNACK, PUBLISH, PUBACK, SUBSCRIBE, SUBACK, PINGREQ, PINGRESP, DISCONNECT = 1, 2, 3, 4, 8, 9, 12, 13, 14

# MQTT 5.0 property identifiers used here (2.2.2.2); PROPERTY_KINDS knows how to encode every one
CONTENT_TYPE, RESPONSE_TOPIC, SERVER_KEEP_ALIVE, REQUEST_RESPONSE_INFO, RESPONSE_INFO = 0x03, 0x08, 0x13, 0x19, 0x1A
TOPIC_ALIAS, USER_PROPERTY = 0x23, 0x26
_BYTE, _TWO, _FOUR, _VBI, _STRING, _BINARY, _PAIR = "byte", "two", "four", "vbi", "string", "binary", "pair"
PROPERTY_KINDS = {
    0x01: _BYTE, 0x02: _FOUR, 0x03: _STRING, 0x08: _STRING, 0x09: _BINARY, 0x0B: _VBI, 0x11: _FOUR, 0x12: _STRING,
    0x13: _TWO, 0x15: _STRING, 0x16: _BINARY, 0x17: _BYTE, 0x18: _FOUR, 0x19: _BYTE, 0x1A: _STRING, 0x1C: _STRING,
    0x1F: _STRING, 0x21: _TWO, 0x22: _TWO, 0x23: _TWO, 0x24: _BYTE, 0x25: _BYTE, 0x26: _PAIR, 0x27: _FOUR,
    0x28: _BYTE, 0x29: _BYTE, 0x2A: _BYTE,
}


class MqttError(Exception):
    """The broker refused (CONNACK or SUBACK failure) or sent something this client cannot parse."""


def encode_vbi(value):
    """Variable Byte Integer (MQTT 5.0 1.5.5): seven bits a byte, least significant first, at most four bytes."""
    if not 0 <= value <= 268_435_455:
        raise ValueError("%d does not fit a Variable Byte Integer" % value)
    out = bytearray()
    while True:
        byte, value = value % 128, value // 128
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def decode_vbi(buf, pos):
    value, multiplier = 0, 1
    for _ in range(4):
        if pos >= len(buf):
            raise MqttError("truncated Variable Byte Integer")
        byte = buf[pos]
        pos += 1
        value += (byte & 0x7F) * multiplier
        if not byte & 0x80:
            return value, pos
        multiplier *= 128
    raise MqttError("Variable Byte Integer longer than four bytes")


def _string(text):
    data = text.encode("utf-8")
    return struct.pack("!H", len(data)) + data


def _read_string(buf, pos):
    data, pos = _read_binary(buf, pos)
    try:
        return data.decode("utf-8"), pos
    except UnicodeDecodeError as error:
        raise MqttError("UTF-8 string is not UTF-8: %s" % error) from error


def _read_binary(buf, pos):
    if pos + 2 > len(buf):
        raise MqttError("truncated length prefix")
    (length,) = struct.unpack_from("!H", buf, pos)
    if pos + 2 + length > len(buf):
        raise MqttError("field claims %d bytes, %d left" % (length, len(buf) - pos - 2))
    return bytes(buf[pos + 2:pos + 2 + length]), pos + 2 + length


def encode_properties(properties):
    """[(identifier, value)] -> Property Length + properties (MQTT 5.0 2.2.2). User Property values are (name, value)."""
    out = bytearray()
    for identifier, value in properties:
        kind = PROPERTY_KINDS[identifier]
        out += encode_vbi(identifier)
        if kind == _BYTE:
            out.append(value)
        elif kind == _TWO:
            out += struct.pack("!H", value)
        elif kind == _FOUR:
            out += struct.pack("!I", value)
        elif kind == _VBI:
            out += encode_vbi(value)
        elif kind == _STRING:
            out += _string(value)
        elif kind == _BINARY:
            out += struct.pack("!H", len(value)) + bytes(value)
        else:
            out += _string(value[0]) + _string(value[1])
    return encode_vbi(len(out)) + bytes(out)


def decode_properties(buf, pos):
    """-> ({identifier: value, USER_PROPERTY: [(name, value)]}, position after the properties)."""
    length, pos = decode_vbi(buf, pos)
    end = pos + length
    if end > len(buf):
        raise MqttError("properties claim %d bytes, %d left" % (length, len(buf) - pos))
    found = {}
    while pos < end:
        identifier, pos = decode_vbi(buf, pos)
        kind = PROPERTY_KINDS.get(identifier)
        if kind is None:
            raise MqttError("unknown property identifier 0x%02x" % identifier)
        if kind == _BYTE:
            value, pos = buf[pos], pos + 1
        elif kind == _TWO:
            value, pos = struct.unpack_from("!H", buf, pos)[0], pos + 2
        elif kind == _FOUR:
            value, pos = struct.unpack_from("!I", buf, pos)[0], pos + 4
        elif kind == _VBI:
            value, pos = decode_vbi(buf, pos)
        elif kind == _STRING:
            value, pos = _read_string(buf, pos)
        elif kind == _BINARY:
            value, pos = _read_binary(buf, pos)
        else:
            name, pos = _read_string(buf, pos)
            text, pos = _read_string(buf, pos)
            found.setdefault(USER_PROPERTY, []).append((name, text))
            continue
        if identifier in found:
            raise MqttError("property 0x%02x appears twice (MQTT 5.0 2.2.2.2: a Protocol Error)" % identifier)
        found[identifier] = value
    if pos != end:
        raise MqttError("properties overrun their length")
    return found, end


class Message:
    """A PUBLISH received: topic, payload, qos, properties (empty under 3.1.1), dup flag."""

    def __init__(self, topic, payload, qos, properties, dup):
        self.topic, self.payload, self.qos, self.properties, self.dup = topic, payload, qos, properties, dup


class MqttClient:
    def __init__(self, host, port, client_id, version="5", keep_alive=30, on_violation=None, log=None):
        if version not in ("5", "3.1.1"):
            raise ValueError("MQTT version 5 or 3.1.1")
        self.host, self.port, self.client_id, self.version = host, port, client_id, version
        self.v5 = version == "5"
        self.keep_alive = keep_alive
        self.on_violation = on_violation or (lambda text: None)
        self.log = log or (lambda text: None)
        self.sock = None
        self.buffer = b""
        self.next_packet_id = 0
        self.unacknowledged = {}  # packet id -> topic of our QoS 1 PUBLISH awaiting PUBACK
        self.last_sent = time.monotonic()
        self.ping_sent_at = None
        self.pings_answered = 0
        self.connack_properties = {}
        self.disconnect_reason = None

    # -- packets ----------------------------------------------------------------------------------------
    def _send(self, packet_type, flags, body):
        self.sock.sendall(bytes([packet_type << 4 | flags]) + encode_vbi(len(body)) + body)
        self.last_sent = time.monotonic()

    def _packet_id(self):
        self.next_packet_id = self.next_packet_id % 65535 + 1  # non-zero (2.2.1)
        return self.next_packet_id

    def _read_packet(self, wait):
        """(type, flags, body), or None when no packet started within `wait` seconds."""
        if not self.buffer:
            ready, _, _ = select.select([self.sock], [], [], wait)
            if not ready:
                return None
        deadline = time.monotonic() + 10
        pos = 1
        while True:  # the remaining length: at most four bytes, each with a continuation bit
            self._fill(pos + 1, deadline)
            if not self.buffer[pos] & 0x80:
                break
            pos += 1
            if pos > 4:
                raise MqttError("remaining length longer than four bytes")
        first = self.buffer[0]
        length, end = decode_vbi(self.buffer, 1)
        self._fill(end + length, deadline)
        body, self.buffer = self.buffer[end:end + length], self.buffer[end + length:]
        return first >> 4, first & 0x0F, body

    def _fill(self, n, deadline):
        while len(self.buffer) < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ConnectionError("the broker stopped in the middle of a packet")
            ready, _, _ = select.select([self.sock], [], [], min(remaining, 0.2))
            if ready:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("the broker closed the TCP connection")
                self.buffer += chunk

    # -- session --------------------------------------------------------------------------------------------
    def connect(self, user_properties=()):
        """CONNECT with Clean Start and waits for CONNACK; raises MqttError when the broker refuses."""
        self.sock = socket.create_connection((self.host, self.port), timeout=10)
        self.sock.settimeout(None)
        body = _string("MQTT") + bytes([5 if self.v5 else 4, 0x02]) + struct.pack("!H", self.keep_alive)
        if self.v5:
            # Session Expiry 0 (the default) and Request Response Information: the broker may suggest a topic root.
            body += encode_properties([(REQUEST_RESPONSE_INFO, 1)] + [(USER_PROPERTY, pair) for pair in user_properties])
        body += _string(self.client_id)
        self._send(CONNECT, 0, body)
        packet = self._read_packet(10)
        if packet is None or packet[0] != CONNACK:
            raise MqttError("no CONNACK within 10 s" if packet is None else "packet type %d before CONNACK" % packet[0])
        _, _, body = packet
        if len(body) < 2:
            raise MqttError("CONNACK of %d bytes" % len(body))
        code = body[1]
        if self.v5:
            self.connack_properties, _ = decode_properties(body, 2)
            if SERVER_KEEP_ALIVE in self.connack_properties:
                self.keep_alive = self.connack_properties[SERVER_KEEP_ALIVE]  # the Server's value wins (3.2.2.3.14)
        if code != 0:
            raise MqttError("the broker refused the connection: reason code 0x%02x" % code)
        self.log("connected to %s:%d as %s (MQTT %s)" % (self.host, self.port, self.client_id, self.version))

    def subscribe(self, topic, qos):
        packet_id = self._packet_id()
        body = struct.pack("!H", packet_id) + (encode_properties([]) if self.v5 else b"") + _string(topic) + bytes([qos])
        self._send(SUBSCRIBE, 0x2, body)  # SUBSCRIBE's fixed-header flags are 0010 (3.8.1)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            packet = self._read_packet(0.2)
            if packet is None:
                continue
            kind, _, body = packet
            if kind != SUBACK:
                raise MqttError("packet type %d before SUBACK" % kind)
            if struct.unpack_from("!H", body, 0)[0] != packet_id:
                raise MqttError("SUBACK for another packet identifier")
            pos = decode_properties(body, 2)[1] if self.v5 else 2
            granted = body[pos]
            if granted > 2:
                raise MqttError("the broker refused the subscription to %s: 0x%02x" % (topic, granted))
            return granted
        raise MqttError("no SUBACK within 10 s")

    def publish(self, topic, payload, qos=0, properties=()):
        """PUBLISH; a QoS 1 one stays in `unacknowledged` until the broker's PUBACK arrives through receive()."""
        head = _string(topic)
        if qos:
            packet_id = self._packet_id()
            head += struct.pack("!H", packet_id)
            self.unacknowledged[packet_id] = topic
        if self.v5:
            head += encode_properties(properties)
        self._send(PUBLISH, qos << 1, head + bytes(payload))

    def receive(self, wait):
        """The next application Message, or None after `wait` seconds; handles acknowledgements and keep-alive."""
        self._keep_alive()
        packet = self._read_packet(wait)
        if packet is None:
            return None
        kind, flags, body = packet
        if kind == PUBLISH:
            return self._on_publish(flags, body)
        if kind == PUBACK:
            packet_id = struct.unpack_from("!H", body, 0)[0]
            reason = body[2] if self.v5 and len(body) > 2 else 0
            if self.unacknowledged.pop(packet_id, None) is None:
                self.on_violation("PUBACK for packet identifier %d, which no QoS 1 PUBLISH awaits" % packet_id)
            elif reason >= 0x80:
                self.on_violation("the broker refused a PUBLISH: PUBACK reason 0x%02x" % reason)
        elif kind == PINGRESP:
            self.ping_sent_at = None
            self.pings_answered += 1
        elif kind == DISCONNECT:
            self.disconnect_reason = body[0] if body else 0
            raise ConnectionError("the broker sent DISCONNECT (reason 0x%02x)" % self.disconnect_reason)
        else:
            raise MqttError("unexpected packet type %d" % kind)
        return None

    def _on_publish(self, flags, body):
        qos, dup = (flags >> 1) & 0x3, bool(flags & 0x8)
        if qos == 3:
            raise MqttError("PUBLISH with QoS 3 (a Malformed Packet, 3.3.1.2)")
        topic, pos = _read_string(body, 0)
        if qos:
            packet_id = struct.unpack_from("!H", body, pos)[0]
            pos += 2
        properties = {}
        if self.v5:
            properties, pos = decode_properties(body, pos)
            if TOPIC_ALIAS in properties:
                self.on_violation("a Topic Alias, though this client allows none (3.3.2.3.4)")
        if qos == 1:
            self._send(PUBACK, 0, struct.pack("!H", packet_id))  # reason 0 Success may be left out (3.4.2.1)
        return Message(topic, bytes(body[pos:]), qos, properties, dup)

    def _keep_alive(self):
        now = time.monotonic()
        if self.ping_sent_at is not None and now - self.ping_sent_at > self.keep_alive:
            raise ConnectionError("no PINGRESP within the keep-alive period (3.1.2.10)")
        if self.keep_alive and self.ping_sent_at is None and now - self.last_sent > self.keep_alive / 2:
            self._send(PINGREQ, 0, b"")
            self.ping_sent_at = now

    def ping(self):
        self._send(PINGREQ, 0, b"")
        self.ping_sent_at = time.monotonic()

    def settle(self, seconds):
        """Receives (and drops) until every QoS 1 PUBLISH is acknowledged and any PINGREQ answered, or time is up."""
        deadline = time.monotonic() + seconds
        dropped = []
        while (self.unacknowledged or self.ping_sent_at is not None) and time.monotonic() < deadline:
            message = self.receive(0.1)
            if message is not None:
                dropped.append(message)
        return dropped

    def disconnect(self):
        self._send(DISCONNECT, 0, b"")  # MQTT 5: no reason code means 0x00 Normal disconnection (3.14.2.1)
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        self.sock.close()
