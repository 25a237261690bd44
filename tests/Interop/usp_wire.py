"""Protocol Buffers wire format (proto3) by hand, for the USP Record and Msg of TR-369.

Only what USP needs: varint (wire type 0), 64-bit (1, skipped), length-delimited (2) and 32-bit (5)
fields. Decoding is strict: a truncated or malformed buffer raises WireError, so a peer that sends one
is reported rather than half-understood.

Field numbers are those of the Broadband Forum's usp-record-1-3.proto and usp-msg-1-3.proto.
"""

import struct

VARINT, FIXED64, LENGTH_DELIMITED, FIXED32 = 0, 1, 2, 5


class WireError(ValueError):
    """The bytes are not a well-formed protobuf message."""


def _varint(value):
    if value < 0:
        value += 1 << 64  # proto3 encodes negative int32/int64 as ten-byte two's complement
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _read_varint(buf, pos):
    result, shift = 0, 0
    while True:
        if pos >= len(buf):
            raise WireError("truncated varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise WireError("varint longer than ten bytes")


class Writer:
    """Appends fields in the order given; proto3 leaves default values (0, "", false) out."""

    def __init__(self):
        self._out = bytearray()

    def _key(self, number, wire_type):
        self._out += _varint(number << 3 | wire_type)

    def varint(self, number, value):
        if value:
            self._key(number, VARINT)
            self._out += _varint(int(value))
        return self

    def boolean(self, number, value):
        return self.varint(number, 1 if value else 0)

    def fixed32(self, number, value):
        if value:
            self._key(number, FIXED32)
            self._out += struct.pack("<I", value)
        return self

    def bytes_(self, number, value, always=False):
        if value or always:
            self._key(number, LENGTH_DELIMITED)
            self._out += _varint(len(value)) + bytes(value)
        return self

    def string(self, number, value):
        return self.bytes_(number, value.encode("utf-8"))

    def message(self, number, writer):
        """A sub-message; present even when empty (a oneof member is set by being there)."""
        return self.bytes_(number, writer.bytes(), always=True)

    def string_map(self, number, mapping):
        for key, value in mapping.items():
            self.message(number, Writer().string(1, key).string(2, value))
        return self

    def bytes(self):
        return bytes(self._out)


class Fields:
    """A decoded message: field number -> values in wire order."""

    def __init__(self, buf):
        self._fields = {}
        pos = 0
        buf = bytes(buf)
        while pos < len(buf):
            key, pos = _read_varint(buf, pos)
            number, wire_type = key >> 3, key & 7
            if number == 0:
                raise WireError("field number 0")
            if wire_type == VARINT:
                value, pos = _read_varint(buf, pos)
            elif wire_type == FIXED64:
                if pos + 8 > len(buf):
                    raise WireError("truncated 64-bit field %d" % number)
                value, pos = struct.unpack_from("<Q", buf, pos)[0], pos + 8
            elif wire_type == LENGTH_DELIMITED:
                length, pos = _read_varint(buf, pos)
                if pos + length > len(buf):
                    raise WireError("field %d claims %d bytes, %d left" % (number, length, len(buf) - pos))
                value, pos = buf[pos:pos + length], pos + length
            elif wire_type == FIXED32:
                if pos + 4 > len(buf):
                    raise WireError("truncated 32-bit field %d" % number)
                value, pos = struct.unpack_from("<I", buf, pos)[0], pos + 4
            else:
                raise WireError("unsupported wire type %d (field %d)" % (wire_type, number))
            self._fields.setdefault(number, []).append((wire_type, value))

    def has(self, number):
        return number in self._fields

    def _last(self, number, wire_type, default):
        values = self._fields.get(number)
        if not values:
            return default
        found_type, value = values[-1]  # proto3: the last occurrence of a singular field wins
        if found_type != wire_type:
            raise WireError("field %d has wire type %d, expected %d" % (number, found_type, wire_type))
        return value

    def varint(self, number):
        return self._last(number, VARINT, 0)

    def boolean(self, number):
        return self.varint(number) != 0

    def fixed32(self, number):
        return self._last(number, FIXED32, 0)

    def raw(self, number):
        return self._last(number, LENGTH_DELIMITED, b"")

    def string(self, number):
        try:
            return self.raw(number).decode("utf-8")
        except UnicodeDecodeError as error:
            raise WireError("field %d is not UTF-8: %s" % (number, error)) from error

    def message(self, number):
        """The sub-message, or None when absent."""
        return Fields(self.raw(number)) if self.has(number) else None

    def repeated_raw(self, number):
        out = []
        for wire_type, value in self._fields.get(number, []):
            if wire_type != LENGTH_DELIMITED:
                raise WireError("repeated field %d has wire type %d" % (number, wire_type))
            out.append(value)
        return out

    def repeated_strings(self, number):
        try:
            return [value.decode("utf-8") for value in self.repeated_raw(number)]
        except UnicodeDecodeError as error:
            raise WireError("field %d is not UTF-8: %s" % (number, error)) from error

    def repeated_messages(self, number):
        return [Fields(value) for value in self.repeated_raw(number)]

    def string_map(self, number):
        return {entry.string(1): entry.string(2) for entry in self.repeated_messages(number)}

    def oneof(self, *numbers):
        """The number of the member present (the highest, should a peer send several), or None."""
        present = [n for n in numbers if n in self._fields]
        return present[-1] if present else None
