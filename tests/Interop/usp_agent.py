#!/usr/bin/env python3
"""A TR-369 (USP) Agent over the WebSocket or MQTT MTP, written from the specifications alone.

It is an interoperability probe for a USP Controller: written the way a device vendor's agent would be, with
no code shared with the Controller it is tested against. Python 3 standard library only.

Follows:
- TR-369 (USP 1.3): Records (section "End to End Message Exchange": version, to_id, from_id,
  payload_security PLAINTEXT, no_session_context and websocket_connect records); Messages (Get, Set, Add,
  Delete, GetInstances, GetSupportedDM, GetSupportedProtocol, Notify with send_resp / NotifyResp, Error with
  codes 7000-7999); "Using Allow Partial and Required Parameters" (a Set or Add with allow_partial false either
  applies every object or nothing, answering an Error with param_errs); the WebSocket MTP section
  (subprotocol v1.usp, agent endpoint ID in the URL or the bbf-usp-protocol extension, binary frames).
- TR-181 Device:2 for the data model it keeps (DeviceInfo, LocalAgent, WiFi, Ethernet VLAN terminations,
  VoiceService), hidden parameters (KeyPassphrase, AuthPassword) reading back empty, Device.Boot! events.
- RFC 6455 for the WebSocket client: handshake, masked frames, fragmentation, ping/pong, closing handshake.
- The TR-369 security section for proving who it is: a client certificate over wss:// (--cert/--key, its endpoint ID in
  a subjectAltName URI urn:bbf:usp:id:<eid>, R-SEC.4), or its own secret at the upgrade (--secret: RFC 7617 Basic
  <eid>:<secret>). A refused upgrade must be an HTTP status (401 with WWW-Authenticate, RFC 7235 3.1); the agent reports
  it with the Retry-After it was given (RFC 9110 10.2.3) and backs off.
- The TR-369 MQTT binding (--mtp mqtt, client in mqtt_client.py): MQTT 5.0 or 3.1.1, its own topic subscribed
  (3.1.1: with a wildcard below it, R-MQTT.15), an MQTTConnect record (version, subscribed_topic), its "reply to" topic
  as Response Topic property (R-MQTT.23) or "/reply-to=" topic suffix with "/" as "%2F" (R-MQTT.24), Content Type
  "usp.msg" (R-MQTT.27); answers go where the controller's PUBLISH says (R-MQTT.25, R-MQTT.26).

It connects, greets the Controller as asked (--greeting), answers every request from its in-memory data model,
and stops when told on stdin ("quit" or end of input): it then closes the WebSocket (or disconnects from the broker) and prints, as its last
line, a JSON report (data model, counters, close code, violations). It exits 1 when the Controller did
something the specifications forbid (each printed as "SPEC VIOLATION: ..." on stderr), 2 when it could not
connect, 3 when the controller refused the upgrade (0 with --expect-refusal or --impostor), 0 otherwise.
"""

import argparse
import base64
import hashlib
import json
import os
import re
import select
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse

from mqtt_client import CONTENT_TYPE, RESPONSE_INFO, RESPONSE_TOPIC, MqttClient, MqttError
from usp_wire import Fields, WireError, Writer
import usp_firmware

USP_VERSION = "1.3"
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

# Header.MsgType (usp-msg.proto)
MSG_TYPES = ["ERROR", "GET", "GET_RESP", "NOTIFY", "SET", "SET_RESP", "OPERATE", "OPERATE_RESP", "ADD", "ADD_RESP",
             "DELETE", "DELETE_RESP", "GET_SUPPORTED_DM", "GET_SUPPORTED_DM_RESP", "GET_INSTANCES",
             "GET_INSTANCES_RESP", "NOTIFY_RESP", "GET_SUPPORTED_PROTO", "GET_SUPPORTED_PROTO_RESP", "REGISTER",
             "REGISTER_RESP", "DEREGISTER", "DEREGISTER_RESP"]
MT = {name: number for number, name in enumerate(MSG_TYPES)}
# Request.req_type member -> the MsgType its header must carry
REQUEST_TYPES = {1: "GET", 2: "GET_SUPPORTED_DM", 3: "GET_INSTANCES", 4: "SET", 5: "ADD", 6: "DELETE", 7: "OPERATE",
                 8: "NOTIFY", 9: "GET_SUPPORTED_PROTO", 10: "REGISTER", 11: "DEREGISTER"}
RESPONSE_TYPES = {1: "GET_RESP", 2: "GET_SUPPORTED_DM_RESP", 3: "GET_INSTANCES_RESP", 4: "SET_RESP", 5: "ADD_RESP",
                  6: "DELETE_RESP", 7: "OPERATE_RESP", 8: "NOTIFY_RESP", 9: "GET_SUPPORTED_PROTO_RESP",
                  10: "REGISTER_RESP", 11: "DEREGISTER_RESP"}

# TR-369 error codes
E_MESSAGE_FAILED, E_NOT_SUPPORTED, E_REQUEST_DENIED = 7000, 7001, 7002
E_INVALID_ARGUMENTS, E_PERMISSION_DENIED = 7004, 7006
E_UNSUPPORTED_PARAM, E_INVALID_TYPE, E_INVALID_VALUE, E_NOT_WRITABLE = 7010, 7011, 7012, 7013
E_OBJECT_DOES_NOT_EXIST, E_NOT_A_TABLE, E_NOT_CREATABLE, E_DUPLICATE_KEY, E_INVALID_PATH = 7016, 7018, 7019, 7025, 7026

# The supported data model: object path (with {i} for instance numbers) -> {parameter: (access, type)}.
# access: "r" read-only, "w" read-write, "h" read-write and hidden (reads back empty, TR-181 "hidden").
SCHEMA = {
    "Device.": {},
    "Device.DeviceInfo.": {p: ("r", "string") for p in (
        "Manufacturer", "ManufacturerOUI", "ModelName", "ProductClass", "SerialNumber", "HardwareVersion",
        "SoftwareVersion", "Description", "ActiveFirmwareImage")},
    "Device.LocalAgent.": {"EndpointID": ("r", "string"), "SoftwareVersion": ("r", "string"),
                           "SupportedProtocols": ("r", "string")},
    "Device.LocalAgent.Controller.{i}.": {"Alias": ("w", "string"), "EndpointID": ("w", "string"),
                                          "Enable": ("w", "boolean"), "PeriodicNotifInterval": ("w", "unsignedInt"),
                                          "AssignedRole": ("w", "string")},
    "Device.LocalAgent.Subscription.{i}.": {
        "Alias": ("w", "string"), "Enable": ("w", "boolean"), "ID": ("w", "string"), "Recipient": ("w", "string"),
        "NotifType": ("w", "NotifType"), "ReferenceList": ("w", "string"), "Persistent": ("w", "boolean"),
        "NotifRetry": ("w", "boolean"), "NotifExpiration": ("w", "unsignedInt"), "TimeToLive": ("w", "unsignedInt"),
        "CreationDate": ("r", "dateTime")},
    "Device.DeviceInfo.FirmwareImage.{i}.": {"Alias": ("w", "string"), "Name": ("r", "string"), "Version": ("r", "string"),
                                             "Available": ("w", "boolean"), "Status": ("r", "string")},
    "Device.WiFi.": {},
    "Device.WiFi.Radio.{i}.": {"Alias": ("w", "string"), "Enable": ("w", "boolean"),
                               "OperatingFrequencyBand": ("r", "string"), "Channel": ("w", "unsignedInt")},
    "Device.WiFi.SSID.{i}.": {"Alias": ("w", "string"), "Enable": ("w", "boolean"), "SSID": ("w", "string"),
                              "Name": ("r", "string"), "BSSID": ("r", "string"), "LowerLayers": ("w", "string")},
    "Device.WiFi.AccessPoint.{i}.": {"Alias": ("w", "string"), "Enable": ("w", "boolean"),
                                     "SSIDReference": ("w", "string"), "SSIDAdvertisementEnabled": ("w", "boolean")},
    "Device.WiFi.AccessPoint.{i}.Security.": {"ModeEnabled": ("w", "SecurityMode"), "KeyPassphrase": ("h", "string"),
                                              "ModesSupported": ("r", "string")},
    "Device.Ethernet.": {},
    "Device.Ethernet.VLANTermination.{i}.": {"Alias": ("w", "string"), "Enable": ("w", "boolean"),
                                             "Name": ("r", "string"), "VLANID": ("w", "unsignedInt"),
                                             "LowerLayers": ("w", "string")},
    "Device.Services.": {},
    "Device.Services.VoiceService.{i}.": {"Alias": ("w", "string")},
    "Device.Services.VoiceService.{i}.SIP.": {},
    "Device.Services.VoiceService.{i}.SIP.Client.{i}.": {
        "Alias": ("w", "string"), "Enable": ("w", "boolean"), "AuthUserName": ("w", "string"),
        "AuthPassword": ("h", "string"), "Network": ("w", "string"), "RegisterURI": ("w", "string")},
    "Device.Services.VoiceService.{i}.SIP.Network.{i}.": {"Alias": ("w", "string"), "Enable": ("w", "boolean"),
                                                          "RegistrarServer": ("w", "string"),
                                                          "ProxyServer": ("w", "string")},
    "Device.Services.VoiceService.{i}.CallControl.": {},
    "Device.Services.VoiceService.{i}.CallControl.Line.{i}.": {"Alias": ("w", "string"), "Enable": ("w", "boolean"),
                                                               "DirectoryNumber": ("w", "string"),
                                                               "Provider": ("w", "string")},
}
ENUMERATIONS = {
    "NotifType": {"ValueChange", "ObjectCreation", "ObjectDeletion", "OperationComplete", "Event"},
    "SecurityMode": {"None", "WEP-64", "WEP-128", "WPA-Personal", "WPA2-Personal", "WPA3-Personal",
                     "WPA-WPA2-Personal", "WPA2-PSK-WPA3-SAE", "WPA3-Personal-Transition", "WPA-Enterprise",
                     "WPA2-Enterprise", "WPA3-Enterprise", "WPA-WPA2-Enterprise"},
}
UNIQUE_KEYS = {"Device.LocalAgent.Subscription.{i}.": ("ID", "Alias"), "Device.LocalAgent.Controller.{i}.": ("EndpointID", "Alias")}


def schema_key(path):
    """Device.WiFi.SSID.2.SSID -> (object pattern Device.WiFi.SSID.{i}., parameter SSID); objects end with '.'."""
    parts = path.split(".")
    obj, last = parts[:-1], parts[-1]
    pattern = ".".join("{i}" if p.isdigit() else p for p in obj) + "."
    return pattern, last


def is_table(pattern):
    return pattern.endswith("{i}.")


class DataModel:
    """The instantiated data model: objects (instance paths ending in '.') and parameter values."""

    def __init__(self, next_instance):
        self.objects = set()
        self.values = {}
        self.high_water = {}  # table path -> highest instance number ever used (numbers are never reused)
        self.next_instance = next_instance

    # -- structure ---------------------------------------------------------------------------------------
    def create(self, obj_path, settings=None):
        """Creates obj_path (an instance path) with its static sub-objects and default values."""
        pattern, _ = schema_key(obj_path)
        self.objects.add(obj_path)
        if is_table(pattern):
            table = obj_path[:obj_path.rstrip(".").rfind(".") + 1]
            self.high_water[table] = max(self.high_water.get(table, 0), int(obj_path.rstrip(".").rsplit(".", 1)[1]))
        for name, (_, kind) in SCHEMA[pattern].items():
            self.values.setdefault(obj_path + name, {"boolean": "false", "unsignedInt": "0"}.get(kind, ""))
        # static children (sub-objects that are not tables) exist with their parent
        for child in SCHEMA:
            if child.startswith(pattern) and child != pattern:
                rest = child[len(pattern):]
                if rest.count(".") == 1 and "{i}" not in rest:
                    self.create(obj_path + rest)
        for name, value in (settings or {}).items():
            self.values[obj_path + name] = value

    def add_instance(self, table, settings):
        number = max(self.high_water.get(table, 0) + 1, self.next_instance)
        path = "%s%d." % (table, number)
        self.create(path)
        if "Alias" in SCHEMA[schema_key(path)[0]]:
            self.values[path + "Alias"] = "cpe-%d" % number
        for name, value in settings.items():
            self.values[path + name] = value
        return path

    def delete(self, obj_path):
        for o in [o for o in self.objects if o.startswith(obj_path)]:
            self.objects.discard(o)
        for p in [p for p in self.values if p.startswith(obj_path)]:
            del self.values[p]

    def exists(self, obj_path):
        return obj_path in self.objects

    def resolve(self, path):
        """Object instances an object path (instance numbers or '*' wildcards) addresses, in order."""
        parts = path.rstrip(".").split(".")
        found = ["Device."] if parts and parts[0] == "Device" else []
        for part in parts[1:]:
            nxt = []
            for base in found:
                if part == "*":
                    nxt += sorted((o for o in self.objects if re.fullmatch(re.escape(base) + r"\d+\.", o)),
                                  key=lambda o: int(o.rstrip(".").rsplit(".", 1)[1]))
                elif base + part + "." in self.objects or _pattern(base + part + ".1.") in SCHEMA:
                    nxt.append(base + part + ".")  # an object, or a table whose instances come next
            found = nxt
        # a table path (Device.WiFi.SSID.) stands for its instances
        return [o for o in found if o in self.objects] + [i for o in found if o not in self.objects for i in self.resolve(o + "*.")]

    def params_of(self, obj_path, reading=True):
        pattern, _ = schema_key(obj_path)
        out = {}
        for name, (access, _) in SCHEMA[pattern].items():
            value = self.values.get(obj_path + name, "")
            out[name] = "" if reading and access == "h" else value
        return out

    def subtree(self, obj_path, max_depth):
        """obj_path and its sub-objects, depth-first, limited to max_depth levels (0 = unlimited)."""
        depth = obj_path.count(".")
        out = [o for o in self.objects if o.startswith(obj_path)
               and (max_depth == 0 or o.count(".") - depth < max_depth)]
        return sorted(out, key=_path_order)

    def supported(self, path):
        """Whether a path (object or parameter, instance numbers or '*') is in the supported data model."""
        if path.endswith("."):
            # a table's own path (Device.WiFi.SSID.) addresses all its instances
            return _pattern(path) in SCHEMA or _pattern(path) + "{i}." in SCHEMA
        pattern, name = schema_key(path.replace("*", "0"))
        return pattern in SCHEMA and name in SCHEMA[pattern]

    def snapshot(self):
        return dict(sorted(self.values.items(), key=lambda kv: _path_order(kv[0])))


def _pattern(path):
    return ".".join("{i}" if p.isdigit() or p == "*" else p for p in path.rstrip(".").split(".")) + "."


def _path_order(path):
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in path.split(".")]


IMAGE_1 = "Device.DeviceInfo.FirmwareImage.1."


def factory_model(args):
    dm = DataModel(args.next_instance)
    dm.create("Device.")
    info = {"Manufacturer": "Interop Labs", "ManufacturerOUI": args.oui, "ModelName": args.model,
            "ProductClass": args.product_class, "SerialNumber": args.serial, "HardwareVersion": "rev-B",
            "SoftwareVersion": args.software_version, "Description": "independent TR-369 agent"}
    for name, value in info.items():
        dm.values["Device.DeviceInfo." + name] = value
    # Two firmware banks (TR-181 FirmwareImage): the running image and a spare one Download() fills.
    dm.create(IMAGE_1, {"Alias": "cpe-1", "Name": "factory", "Version": args.software_version, "Available": "true", "Status": "Available"})
    dm.create("Device.DeviceInfo.FirmwareImage.2.", {"Alias": "cpe-2", "Available": "false", "Status": "NoImage"})
    dm.values["Device.DeviceInfo.ActiveFirmwareImage"] = IMAGE_1
    dm.values.update({"Device.LocalAgent.EndpointID": args.eid, "Device.LocalAgent.SoftwareVersion": "1.0",
                      "Device.LocalAgent.SupportedProtocols": "1.0,1.1,1.2,1.3"})
    # The agent numbers its Controller table itself: with --other-controller that controller came first.
    controllers = ([args.other_controller] if args.other_controller else []) + [args.controller_id]
    for number, endpoint_id in enumerate(controllers, 1):
        dm.create("Device.LocalAgent.Controller.%d." % number, {"Alias": "cpe-%d" % number, "EndpointID": endpoint_id,
                                                               "Enable": "true", "PeriodicNotifInterval": "86400"})
    for i, band in ((1, "2.4GHz"), (2, "5GHz")):
        dm.create("Device.WiFi.Radio.%d." % i, {"Alias": "cpe-%d" % i, "Enable": "true", "OperatingFrequencyBand": band})
        dm.create("Device.WiFi.SSID.%d." % i, {"Alias": "cpe-%d" % i, "Name": "wl%d" % (i - 1), "SSID": "factory-%d" % i,
                                               "BSSID": "02:00:00:00:00:0%d" % i, "LowerLayers": "Device.WiFi.Radio.%d." % i})
        dm.create("Device.WiFi.AccessPoint.%d." % i, {"Alias": "cpe-%d" % i, "SSIDReference": "Device.WiFi.SSID.%d." % i})
        dm.values["Device.WiFi.AccessPoint.%d.Security.ModesSupported" % i] = "None,WPA2-Personal,WPA3-Personal"
        dm.values["Device.WiFi.AccessPoint.%d.Security.ModeEnabled" % i] = "WPA2-Personal"
    for i in (1, 2):
        dm.create("Device.Ethernet.VLANTermination.%d." % i, {"Alias": "cpe-%d" % i, "Name": "vlan%d" % i})
    dm.create("Device.Services.VoiceService.1.", {"Alias": "cpe-1"})
    dm.create("Device.Services.VoiceService.1.SIP.Client.1.", {"Alias": "cpe-1"})
    dm.create("Device.Services.VoiceService.1.SIP.Network.1.", {"Alias": "cpe-1"})
    dm.create("Device.Services.VoiceService.1.CallControl.Line.1.", {"Alias": "cpe-1"})
    if args.other_controller:
        # The other controller subscribed to Boot! and Periodic! for itself: neither is this controller's.
        dm.create("Device.LocalAgent.Subscription.1.", {"Alias": "cpe-1", "Enable": "true", "ID": "other-sub-1",
                                                        "Recipient": "Device.LocalAgent.Controller.1.",
                                                        "NotifType": "Event",
                                                        "ReferenceList": "Device.Boot!,Device.LocalAgent.Periodic!",
                                                        "Persistent": "true"})
    if args.greeting == "boot" and not args.factory_reset:
        # Boot! is only sent to a Controller that subscribed to it (TR-369 "Boot! Event"): this one did before.
        number = 2 if args.other_controller else 1
        dm.create("Device.LocalAgent.Subscription.%d." % number,
                  {"Alias": "cpe-%d" % number, "Enable": "true", "ID": "boot-sub-1",
                   "Recipient": "Device.LocalAgent.Controller.%d." % len(controllers),
                   "NotifType": "Event", "ReferenceList": "Device.Boot!", "Persistent": "true"})
    for missing in args.missing:
        dm.delete(missing if missing.endswith(".") else missing + ".")
    return dm


def valid_value(kind, value):
    if kind == "boolean":
        return value in ("true", "false", "1", "0")
    if kind == "unsignedInt":
        return value.isdigit() and int(value) < 2 ** 32
    if kind in ENUMERATIONS:
        return value in ENUMERATIONS[kind]
    return True


# ------------------------------------------------------------------------------------------------ messages
def encode_msg(msg_id, msg_type, body_number, inner_number, inner):
    header = Writer().string(1, msg_id).varint(2, MT[msg_type])
    body = Writer().message(body_number, Writer().message(inner_number, inner) if inner_number else inner)
    return Writer().message(1, header).message(2, body).bytes()


def error_msg(msg_id, code, message, param_errs=()):
    error = Writer().fixed32(1, code).string(2, message)
    for path, err_code, err_msg in param_errs:
        error.message(3, Writer().string(1, path).fixed32(2, err_code).string(3, err_msg))
    return encode_msg(msg_id, "ERROR", 3, None, error)


class RequestFailed(Exception):
    def __init__(self, code, message, param_errs=()):
        super().__init__(message)
        self.code, self.message, self.param_errs = code, message, list(param_errs)


class Agent:
    def __init__(self, args):
        self.args = args
        self.dm = factory_model(args)
        self.sock = None
        self.stop = threading.Event()
        self.violations = []
        self.counts = {}
        self.close_code = None
        self.closed_by = None
        self.pings_sent = {}
        self.pongs = 0
        self.notify_pending = {}  # msg_id -> subscription_id awaiting NotifyResp
        self.notify_answered = 0
        self.msg_seq = 0
        self.recv_buffer = b""
        self.fragments = None
        self.garbage_sent = False
        self.must_not_be_answered = set()
        self.onboard_sent_at = None
        self.onboard_attempts = 0
        self.onboard_answered = False
        self.periodic_due = {}  # subscription path -> (monotonic time the next Periodic! is due, interval it was paced with)
        self.periodic_sent = 0
        self.after_response = None
        self.request_count = 0
        self.reboot_pending = None
        self.owed_after_boot = []
        self.operations_completed = 0
        self.reboots = 0

    # -- reporting -----------------------------------------------------------------------------------------
    def violation(self, text):
        print("SPEC VIOLATION: " + text, file=sys.stderr, flush=True)
        self.violations.append(text)

    def log(self, text):
        if self.args.verbose:
            print("agent: " + text, file=sys.stderr, flush=True)

    # -- WebSocket (RFC 6455) ------------------------------------------------------------------------------
    def connect(self):
        url = urllib.parse.urlsplit(self.args.url)
        if url.scheme not in ("ws", "wss"):
            raise SystemExit("only ws:// and wss:// URLs are supported")
        query = urllib.parse.parse_qsl(url.query)
        headers = ["Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13",
                   "Sec-WebSocket-Protocol: v1.usp"]
        target_query = urllib.parse.urlencode(query + [("eid", self.args.eid)]) if self.args.eid_in == "query" else urllib.parse.urlencode(query)
        if self.args.eid_in == "raw-query":
            # ':' is legal in a query (RFC 3986 3.4): many agents send the endpoint ID as it is
            target_query = "&".join([target_query, "eid=" + self.args.eid] if target_query else ["eid=" + self.args.eid])
        if self.args.eid_in == "extension":
            # TR-369 WebSocket MTP: the agent may name itself in the bbf-usp-protocol extension instead.
            headers.append('Sec-WebSocket-Extensions: bbf-usp-protocol; eid="%s"' % self.args.eid)
        if self.args.secret is not None:
            # RFC 7617: user-id ":" password; the endpoint ID is the user.
            token = base64.b64encode(("%s:%s" % (self.args.eid, self.args.secret)).encode("utf-8")).decode()
            headers.append("Authorization: Basic " + token)
        target = (url.path or "/") + ("?" + target_query if target_query else "")
        key = base64.b64encode(os.urandom(16)).decode()
        # --host-header no-port: as some agents' WebSocket clients do, Host names the host alone (RFC 7230 5.4 allows
        # leaving out the default port, and clients get it wrong for others).
        host = url.hostname + (":%d" % url.port if url.port and self.args.host_header == "with-port" else "")
        request = "GET %s HTTP/1.1\r\nHost: %s\r\nSec-WebSocket-Key: %s\r\n%s\r\n\r\n" % (
            target, host, key, "\r\n".join(headers))
        self.sock = socket.create_connection((url.hostname, url.port or (443 if url.scheme == "wss" else 80)), timeout=10)
        if url.scheme == "wss":
            context = ssl.create_default_context(cafile=self.args.ca)
            if self.args.cert:
                context.load_cert_chain(self.args.cert, self.args.key)
            self.sock = context.wrap_socket(self.sock, server_hostname=url.hostname)
        self.sock.sendall(request.encode())
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("connection closed during the WebSocket handshake")
            response += chunk
        head, self.recv_buffer = response.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        if status != 101:
            self.refusal_headers = fields
            if status == 401 and "www-authenticate" not in fields:
                self.violation("401 without WWW-Authenticate (RFC 7235 3.1)")
            return status
        expected = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        if fields.get("sec-websocket-accept") != expected:
            self.violation("Sec-WebSocket-Accept %r, expected %r (RFC 6455 4.1)" % (fields.get("sec-websocket-accept"), expected))
        if fields.get("upgrade", "").lower() != "websocket":
            self.violation("101 without 'Upgrade: websocket' (RFC 6455 4.1)")
        if fields.get("sec-websocket-protocol") != "v1.usp":
            self.violation("subprotocol %r, TR-369 requires v1.usp" % fields.get("sec-websocket-protocol"))
        self.handshake_extensions = fields.get("sec-websocket-extensions")
        named = re.search(r'bbf-usp-protocol\s*;\s*eid="?([^";,]+)', self.handshake_extensions or "")
        if named and named.group(1) != self.args.controller_id:
            self.violation("the controller names itself %r in bbf-usp-protocol, its records come from %r" % (named.group(1), self.args.controller_id))
        self.sock.settimeout(None)
        return 101

    def send_frame(self, opcode, payload, fin=True):
        first = (0x80 if fin else 0) | opcode
        length = len(payload)
        if length < 126:
            head = struct.pack("!BB", first, 0x80 | length)
        elif length < 65536:
            head = struct.pack("!BBH", first, 0x80 | 126, length)
        else:
            head = struct.pack("!BBQ", first, 0x80 | 127, length)
        mask = os.urandom(4)  # a client masks every frame (RFC 6455 5.3)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + masked)

    def send_binary(self, data):
        size = self.args.fragment
        if not size or len(data) <= size:
            self.send_frame(0x2, data)
            return
        chunks = [data[i:i + size] for i in range(0, len(data), size)]
        for index, chunk in enumerate(chunks):
            self.send_frame(0x2 if index == 0 else 0x0, chunk, fin=index == len(chunks) - 1)
            if index == 0 and self.args.ping and not self.pings_sent:
                self.ping()  # control frames may come between the fragments of a message (RFC 6455 5.4)

    def ping(self):
        payload = ("agent-ping-%d" % len(self.pings_sent)).encode()
        self.pings_sent[payload] = time.monotonic()
        self.send_frame(0x9, payload)

    def _read_exact(self, n, deadline):
        while len(self.recv_buffer) < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            # TLS may hold decrypted bytes the socket no longer signals (ssl.SSLSocket.pending()).
            pending = isinstance(self.sock, ssl.SSLSocket) and self.sock.pending()
            ready, _, _ = ([self.sock], [], []) if pending else select.select([self.sock], [], [], min(remaining, 0.2))
            if not ready:
                continue
            try:
                chunk = self.sock.recv(65536)
            except ssl.SSLWantReadError:
                continue
            if not chunk:
                raise ConnectionError("the controller dropped the TCP connection")
            self.recv_buffer += chunk
        data, self.recv_buffer = self.recv_buffer[:n], self.recv_buffer[n:]
        return data

    def read_frame(self, wait):
        """One frame, or None when nothing arrived within `wait` seconds."""
        if not self.recv_buffer:
            ready, _, _ = select.select([self.sock], [], [], wait)
            if not ready:
                return None
        deadline = time.monotonic() + 10
        b1, b2 = self._read_exact(2, deadline)
        fin, rsv, opcode, masked, length = b1 & 0x80, b1 & 0x70, b1 & 0x0F, b2 & 0x80, b2 & 0x7F
        if length == 126:
            length = struct.unpack("!H", self._read_exact(2, deadline))[0]
        elif length == 127:
            length = struct.unpack("!Q", self._read_exact(8, deadline))[0]
        mask = self._read_exact(4, deadline) if masked else None
        payload = self._read_exact(length, deadline)
        if masked:
            self.violation("the controller masked a frame (RFC 6455 5.1: a server MUST NOT mask)")
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        if rsv and not self.handshake_extensions:
            self.violation("RSV bits set without a negotiated extension (RFC 6455 5.2)")
        return fin != 0, opcode, payload

    def next_message(self, wait):
        """Handles control frames and reassembles fragments; returns ('binary'|'close'|None, payload)."""
        frame = self.read_frame(wait)
        if frame is None:
            return None, None
        fin, opcode, payload = frame
        if opcode == 0x9:
            self.send_frame(0xA, payload)
            return "control", None
        if opcode == 0xA:
            if payload in self.pings_sent:
                self.pongs += 1
            return "control", None
        if opcode == 0x8:
            self.close_code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
            return "close", payload[2:].decode("utf-8", "replace")
        if opcode == 0x1:
            self.violation("the controller sent a text frame (TR-369 WebSocket MTP: binary frames only)")
        if opcode in (0x1, 0x2):
            if self.fragments is not None:
                self.violation("a new data frame before the fragmented message ended (RFC 6455 5.4)")
            if fin:
                return "binary", payload
            self.fragments = payload
            return "control", None
        if opcode == 0x0:
            if self.fragments is None:
                self.violation("a continuation frame with no message to continue (RFC 6455 5.4)")
                return "control", None
            self.fragments += payload
            if fin:
                data, self.fragments = self.fragments, None
                return "binary", data
            return "control", None
        self.violation("unknown WebSocket opcode %d" % opcode)
        return "control", None

    # -- USP records ---------------------------------------------------------------------------------------
    def record(self, record_type_number, inner):
        return (Writer().string(1, USP_VERSION).string(2, self.args.controller_id).string(3, self.args.eid)
                .varint(4, 0).message(record_type_number, inner).bytes())

    def send_msg(self, msg):
        self.send_binary(self.record(7, Writer().bytes_(2, msg, always=True)))

    def new_msg_id(self, kind):
        self.msg_seq += 1
        return "%s-%s-%d" % (self.args.serial, kind, self.msg_seq)

    def on_record(self, data):
        try:
            record = Fields(data)
            version, to_id, from_id = record.string(1), record.string(2), record.string(3)
            security = record.varint(4)
            kind = record.oneof(7, 8, 9, 10, 11, 12, 13)
        except WireError as error:
            self.violation("undecodable USP Record: %s" % error)
            return
        if not version:
            self.violation("Record without version (TR-369 Record: version is required)")
        if to_id != self.args.eid:
            self.violation("Record addressed to %r, not to this agent %r" % (to_id, self.args.eid))
            return  # an agent ignores a record that is not addressed to it
        if from_id != self.args.controller_id:
            self.violation("Record from %r, expected the controller %r" % (from_id, self.args.controller_id))
        if security != 0:
            self.violation("payload_security %d on a plaintext connection" % security)
        if kind == 12:
            self.log("controller sent a Disconnect record")
            return
        if kind != 7:
            self.violation("record type field %s where no_session_context (7) was expected" % kind)
            return
        try:
            payload = record.message(7).raw(2)
            self.on_msg(payload)
        except WireError as error:
            self.violation("undecodable USP Msg: %s" % error)

    def on_msg(self, payload):
        msg = Fields(payload)
        header, body = msg.message(1), msg.message(2)
        if header is None or body is None:
            self.violation("Msg without %s (R-MSG.6/R-MSG.7)" % ("header" if header is None else "body"))
            return
        msg_id, msg_type = header.string(1), header.varint(2)
        type_name = MSG_TYPES[msg_type] if msg_type < len(MSG_TYPES) else str(msg_type)
        if not msg_id:
            self.violation("Msg without msg_id (R-MSG.8)")
        kind = body.oneof(1, 2, 3)
        self.counts[type_name] = self.counts.get(type_name, 0) + 1
        self.log("<- %s %s" % (type_name, msg_id))
        if kind == 1:
            request = body.message(1)
            req = request.oneof(*REQUEST_TYPES)
            if req is None or REQUEST_TYPES[req] != type_name:
                self.violation("msg_type %s does not match the request body (%s)" % (type_name, req and REQUEST_TYPES[req]))
                self.send_msg(error_msg(msg_id, E_MESSAGE_FAILED, "msg_type does not match the body"))
                return
            self.answer(msg_id, req, request.message(req))
        elif kind == 2:
            response = body.message(2)
            resp = response.oneof(*RESPONSE_TYPES)
            if resp is None or RESPONSE_TYPES[resp] != type_name:
                self.violation("msg_type %s does not match the response body" % type_name)
                return
            if resp == 8:
                self.on_notify_resp(msg_id, response.message(8))
            else:
                self.violation("unsolicited %s (this agent sends no such request)" % type_name)
        elif kind == 3:
            error = body.message(3)
            self.log("controller error %d %s for %s" % (error.fixed32(1), error.string(2), msg_id))
            self.notify_pending.pop(msg_id, None)
        else:
            self.violation("Msg body holds neither request, response nor error")

    def on_notify_resp(self, msg_id, notify_resp):
        if msg_id in self.must_not_be_answered:
            self.violation("NotifyResp %r answers a Notify that must not be answered (stray record or send_resp false)" % msg_id)
            return
        if msg_id not in self.notify_pending:
            self.violation("NotifyResp %r answers no Notify of this agent (R-MSG.9)" % msg_id)
            return
        expected = self.notify_pending.pop(msg_id)
        if "-onboard-" in msg_id:
            self.onboard_answered = True
        if notify_resp.string(1) != expected:
            self.violation("NotifyResp subscription_id %r, the Notify carried %r" % (notify_resp.string(1), expected))
        self.notify_answered += 1

    def own_controller(self):
        """The Controller table entry of the controller this agent talks to (found by its EndpointID, not its number)."""
        return next((p[:-len("EndpointID")] for p, v in sorted(self.dm.values.items(), key=lambda kv: _path_order(kv[0]))
                     if re.fullmatch(r"Device\.LocalAgent\.Controller\.\d+\.EndpointID", p) and v == self.args.controller_id),
                    "Device.LocalAgent.Controller.1.")

    def periodic_tick(self):
        """TR-181 Device.LocalAgent.Periodic!: sent every PeriodicNotifInterval seconds of the recipient's Controller
        entry, for each enabled Event subscription to it whose recipient is the connected controller."""
        if self.stop.is_set():
            return
        own, now = self.own_controller(), time.monotonic()
        for path, value in list(self.dm.values.items()):
            if not re.fullmatch(r"Device\.LocalAgent\.Subscription\.\d+\.ReferenceList", path) \
                    or "Device.LocalAgent.Periodic!" not in [v.strip() for v in value.split(",")]:
                continue
            sub = path[:-len("ReferenceList")]
            if self.dm.values.get(sub + "Enable") not in ("true", "1") or self.dm.values.get(sub + "NotifType") != "Event" \
                    or self.dm.values.get(sub + "Recipient", "").rstrip(".") + "." != own:
                continue
            interval = int(self.dm.values.get(own + "PeriodicNotifInterval") or "0")
            if interval <= 0:
                continue
            due_interval = self.periodic_due.get(sub)
            if due_interval is None or due_interval[1] != interval:
                self.periodic_due[sub] = (now + interval, interval)  # a new interval paces from now
                continue
            if now < due_interval[0]:
                continue
            self.periodic_due[sub] = (now + interval, interval)
            sub_id = self.dm.values.get(sub + "ID", "")
            event = Writer().string(1, "Device.LocalAgent.").string(2, "Periodic!")
            msg_id = self.new_msg_id("periodic")
            self.notify_pending[msg_id] = sub_id
            self.periodic_sent += 1
            self.send_msg(encode_msg(msg_id, "NOTIFY", 1, 8, Writer().string(1, sub_id).boolean(2, True).message(3, event)))

    # -- greeting ------------------------------------------------------------------------------------------
    def greet(self):
        if self.args.greeting == "connect":
            self.send_binary(self.record(9, Writer()))
        elif self.args.greeting == "boot":
            own = self.own_controller()
            subscription = next((p[:-len("ReferenceList")] for p, v in self.dm.values.items()
                                 if p.endswith(".ReferenceList") and "Device.Boot!" in v.split(",")
                                 and self.dm.values.get(p[:-len("ReferenceList")] + "Recipient", own) == own), None)
            parameter_map = {p: self.dm.values[p] for p in ("Device.DeviceInfo.SoftwareVersion", "Device.DeviceInfo.SerialNumber")}
            cause = "LocalFactoryReset" if self.args.factory_reset else "LocalReboot"
            event = (Writer().string(1, "Device.").string(2, "Boot!")
                     .string_map(3, {"CommandKey": "", "Cause": cause, "FirmwareUpdated": "false",
                                     "ParameterMap": json.dumps(parameter_map)}))
            # After a factory reset the subscription is gone; agents seen in the field announce Boot! all the same.
            sub_id = self.dm.values[subscription + "ID"] if subscription else ""
            notify = Writer().string(1, sub_id).boolean(2, True).message(3, event)
            msg_id = self.new_msg_id("boot")
            self.notify_pending[msg_id] = sub_id
            self.send_msg(encode_msg(msg_id, "NOTIFY", 1, 8, notify))
        elif self.args.greeting == "onboard":
            self.send_onboard_request()

    def send_onboard_request(self):
        """OnBoardRequest (TR-369 "OnBoardRequest"): sent with send_resp true and repeated until answered."""
        onboard = (Writer().string(1, self.args.oui).string(2, self.args.product_class).string(3, self.args.serial)
                   .string(4, "1.0,1.1,1.2,1.3"))
        msg_id = self.new_msg_id("onboard")
        self.notify_pending[msg_id] = ""
        self.onboard_sent_at = time.monotonic()
        self.send_msg(encode_msg(msg_id, "NOTIFY", 1, 8, Writer().boolean(2, True).message(8, onboard)))

    def send_stray_record(self):
        """A Boot! addressed to another controller: this controller must ignore it (TR-369: a record whose to_id
        is not the receiver's own endpoint ID is not processed), so no NotifyResp may answer it."""
        event = Writer().string(1, "Device.").string(2, "Boot!").string_map(3, {"Cause": "LocalReboot"})
        notify = Writer().string(1, "stray-sub").boolean(2, True).message(3, event)
        msg_id = self.new_msg_id("stray")
        self.must_not_be_answered.add(msg_id)
        msg = encode_msg(msg_id, "NOTIFY", 1, 8, notify)
        self.send_binary(Writer().string(1, USP_VERSION).string(2, "self::some-other-controller").string(3, self.args.eid)
                         .message(7, Writer().bytes_(2, msg, always=True)).bytes())

    def send_value_change(self):
        """A ValueChange with send_resp false: no NotifyResp may answer it."""
        change = Writer().string(1, "Device.WiFi.SSID.1.Enable").string(2, self.dm.values.get("Device.WiFi.SSID.1.Enable", ""))
        msg_id = self.new_msg_id("vc")
        self.must_not_be_answered.add(msg_id)
        self.send_msg(encode_msg(msg_id, "NOTIFY", 1, 8, Writer().string(1, "vc-sub").message(4, change)))

    # -- requests ------------------------------------------------------------------------------------------
    def answer(self, msg_id, req, request):
        handlers = {1: ("GET_RESP", 1, self.get), 3: ("GET_INSTANCES_RESP", 3, self.get_instances),
                    2: ("GET_SUPPORTED_DM_RESP", 2, self.get_supported_dm), 4: ("SET_RESP", 4, self.set),
                    5: ("ADD_RESP", 5, self.add), 6: ("DELETE_RESP", 6, self.delete),
                    9: ("GET_SUPPORTED_PROTO_RESP", 9, self.get_supported_protocol),
                    7: ("OPERATE_RESP", 7, self.operate)}
        if req not in handlers:
            self.send_msg(error_msg(msg_id, E_NOT_SUPPORTED, "%s is not supported by this agent" % REQUEST_TYPES[req]))
            return
        resp_type, number, handler = handlers[req]
        try:
            out = handler(request)
        except RequestFailed as failure:
            self.send_msg(error_msg(msg_id, failure.code, failure.message, failure.param_errs))
            return
        except WireError as error:
            self.violation("malformed %s request: %s" % (REQUEST_TYPES[req], error))
            self.send_msg(error_msg(msg_id, E_MESSAGE_FAILED, "malformed request"))
            return
        response = encode_msg(msg_id, resp_type, 2, number, out)
        self.send_msg(response)
        if self.args.duplicate_responses:
            self.send_msg(response)  # as over a second MTP: the controller must ignore the duplicate (R-MSG.4)
        follow_up, self.after_response = self.after_response, None
        if follow_up:
            follow_up()  # what an asynchronous command does once it has been answered

    # -- Operate: firmware, reboot, factory reset (usp_firmware.py) ------------------------------------------
    def operate(self, request):
        command, key = request.string(1), request.string(2)
        args = request.string_map(4)
        result = Writer().string(1, command)
        m = re.fullmatch(r"(Device\.DeviceInfo\.FirmwareImage\.\d+\.)(Download|Activate)\(\)", command)
        if command in ("Device.Reboot()", "Device.FactoryReset()"):
            cause = "RemoteReboot" if command == "Device.Reboot()" else "RemoteFactoryReset"
            result.message(3, Writer())
            self.after_response = lambda: self.schedule_reboot(cause, key, False, reset=cause == "RemoteFactoryReset")
        elif m and m.group(1) in self.dm.objects:
            image, name = m.group(1), m.group(2) + "()"
            if name == "Download()" and not args.get("URL"):
                raise RequestFailed(usp_firmware.E_INVALID_COMMAND_ARGS, "URL is required")
            if name == "Activate()" and self.dm.values.get(image + "Status") != "Available":
                result.message(4, Writer().fixed32(1, usp_firmware.E_COMMAND_FAILURE).string(2, "no valid image to activate"))
            else:
                self.request_count += 1
                result.string(2, "Device.LocalAgent.Request.%d." % self.request_count)
                self.after_response = (lambda: self.download(image, key, args)) if name == "Download()" else (lambda: self.activate(image, key))
        else:
            raise RequestFailed(E_INVALID_PATH, "unsupported command %s" % command)
        return Writer().message(1, result)

    def download(self, image, key, args):
        self.dm.values[image + "Status"] = "Downloading"
        code, message, version, corrupted = usp_firmware.fetch(args)
        if code == 0 and self.args.download_error:
            code, message, version = self.args.download_error, "injected download failure", None
        if code == 0:
            self.dm.values.update({image + "Version": version, image + "Available": "true", image + "Status": "Available",
                                   image + "Name": args["URL"].rstrip("/").rsplit("/", 1)[-1]})
        else:
            self.dm.values[image + "Status"] = "ValidationFailed" if corrupted else "DownloadFailed"
        self.log("download of %s: %s %s" % (args.get("URL"), code, message))
        self.send_operation_complete(image, "Download()", key, code, message)
        if code == 0 and args.get("AutoActivate") in ("true", "1"):
            self.activate(image, key)

    def activate(self, image, key):
        if not self.args.keep_old_firmware:
            self.dm.values["Device.DeviceInfo.SoftwareVersion"] = self.dm.values[image + "Version"]
            self.dm.values["Device.DeviceInfo.ActiveFirmwareImage"] = image
        # The command ends with the reboot it causes: reported once the agent is back.
        self.owed_after_boot.append(lambda: self.send_operation_complete(image, "Activate()", key))
        self.schedule_reboot("RemoteReboot", key, True)

    def send_operation_complete(self, obj_path, command_name, key, code=0, message=""):
        command, own = obj_path + command_name, self.own_controller()
        sub = next((p[:-len("NotifType")] for p, v in sorted(self.dm.values.items()) if p.endswith(".NotifType") and v == "OperationComplete"
                    and self.dm.values.get(p[:-len("NotifType")] + "Enable") in ("true", "1")
                    and any(r and command.startswith(r) for r in self.dm.values.get(p[:-len("NotifType")] + "ReferenceList", "").split(","))), None)
        notify = usp_firmware.operation_complete(self.dm.values[sub + "ID"] if sub else "", obj_path, command_name, key, code, message)
        self.operations_completed += 1
        self.send_msg(encode_msg(self.new_msg_id("opcomplete"), "NOTIFY", 1, 8, notify))

    def schedule_reboot(self, cause, key, firmware_updated, reset=False):
        self.reboot_pending = (cause, key, firmware_updated, reset)

    def reboot(self):
        """Drop the MTP, come back (factory values after a reset, the firmware kept), reconnect and announce Boot!."""
        cause, key, firmware_updated, reset = self.reboot_pending
        self.reboot_pending = None
        self.log("rebooting (%s)" % cause)
        try:
            self.sock.close()
        except OSError:
            pass
        if reset:
            kept = {p: v for p, v in self.dm.values.items() if p.startswith(("Device.DeviceInfo.FirmwareImage.", "Device.DeviceInfo.SoftwareVersion", "Device.DeviceInfo.ActiveFirmwareImage"))}
            self.dm = factory_model(self.args)
            self.dm.values.update(kept)
        time.sleep(0.2)
        self.recv_buffer, self.fragments = b"", None
        if self.connect() != 101:
            raise ConnectionError("the controller refused the reconnection after the reboot")
        self.send_binary(self.record(9, Writer()))
        self.send_boot(cause, key, firmware_updated)
        self.reboots += 1
        while self.owed_after_boot:
            self.owed_after_boot.pop(0)()

    def send_boot(self, cause, key, firmware_updated):
        own = self.own_controller()
        subscription = next((p[:-len("ReferenceList")] for p, v in self.dm.values.items()
                             if p.endswith(".ReferenceList") and "Device.Boot!" in v.split(",")
                             and self.dm.values.get(p[:-len("ReferenceList")] + "Recipient", own) == own), None)
        parameter_map = {p: self.dm.values[p] for p in ("Device.DeviceInfo.SoftwareVersion", "Device.DeviceInfo.SerialNumber")}
        event = (Writer().string(1, "Device.").string(2, "Boot!")
                 .string_map(3, {"CommandKey": key, "Cause": cause, "FirmwareUpdated": "true" if firmware_updated else "false",
                                 "ParameterMap": json.dumps(parameter_map)}))
        sub_id = self.dm.values[subscription + "ID"] if subscription else ""
        self.send_msg(encode_msg(self.new_msg_id("boot"), "NOTIFY", 1, 8, Writer().string(1, sub_id).message(3, event)))

    def get(self, request):
        paths, max_depth = request.repeated_strings(1), request.fixed32(2)
        out = Writer()
        for path in paths:
            result = Writer().string(1, path)
            obj_part = path if path.endswith(".") else path.rsplit(".", 1)[0] + "."
            if not path.startswith("Device.") or not self.dm.supported(path):
                result.fixed32(2, E_INVALID_PATH).string(3, "not in the supported data model")
            elif "*" not in path and not self.dm.resolve(obj_part) and self.args.absent_instance == "7026":
                # USP 1.3 R-GET.0: a path (not a search) outside the instantiated data model is 7026; USP 1.0/1.1
                # agents answer it with no resolved path at all (--absent-instance empty).
                result.fixed32(2, E_INVALID_PATH).string(3, "no such object instance")
            elif path.endswith("."):
                for obj in self.dm.resolve(path):
                    for sub in self.dm.subtree(obj, max_depth):
                        if not SCHEMA[_pattern(sub)]:
                            continue  # objects without parameters of their own carry no result
                        result.message(4, Writer().string(1, sub).string_map(2, self.dm.params_of(sub)))
            else:
                obj_path, name = path.rsplit(".", 1)
                for obj in self.dm.resolve(obj_path + "."):
                    result.message(4, Writer().string(1, obj).string_map(2, {name: self.dm.params_of(obj)[name]}))
            out.message(1, result)
        return out

    def get_instances(self, request):
        first_level_only = request.boolean(2)
        out = Writer()
        for path in request.repeated_strings(1):
            result = Writer().string(1, path)
            if not self.dm.supported(path):
                result.fixed32(2, E_INVALID_PATH).string(3, "not in the supported data model")
            else:
                for obj in self.dm.resolve(path):
                    for sub in self.dm.subtree(obj, 1 if first_level_only else 0):
                        if is_table(_pattern(sub)) and sub != obj or (sub == obj and sub.rstrip(".").rsplit(".", 1)[1].isdigit()):
                            keys = UNIQUE_KEYS.get(_pattern(sub), ("Alias",))
                            result.message(4, Writer().string(1, sub).string_map(
                                2, {k: self.dm.values.get(sub + k, "") for k in keys if sub + k in self.dm.values}))
            out.message(1, result)
        return out

    def get_supported_dm(self, request):
        out = Writer()
        for path in request.repeated_strings(1):
            result = Writer().string(1, path)
            pattern = _pattern(path)
            if pattern not in SCHEMA:
                result.fixed32(2, E_INVALID_PATH).string(3, "not supported")
            else:
                result.string(4, "urn:broadband-forum-org:tr-181-2-16-0-usp")
                for obj in sorted(p for p in SCHEMA if p.startswith(pattern)):
                    supported = Writer().string(1, obj).varint(2, 1 if is_table(obj) else 0).boolean(3, is_table(obj))
                    if request.boolean(5):
                        for name, (access, _) in SCHEMA[obj].items():
                            supported.message(6, Writer().string(1, name).varint(2, {"r": 0, "w": 1, "h": 1}[access]))
                    result.message(5, supported)
            out.message(1, result)
        return out

    def get_supported_protocol(self, request):
        return Writer().string(1, "1.0,1.1,1.2,1.3")

    def _object_failures(self, obj_path, targets, settings, creating):
        """(code, message, param_errs) when the object cannot be written, else ([], optional param errors)."""
        fatal, optional = [], []
        for setting in settings:
            name, value, required = setting.string(1), setting.string(2), setting.boolean(3)
            pattern = _pattern(obj_path) if not creating else _pattern(obj_path + "1.")
            spec = SCHEMA.get(pattern, {}).get(name)
            if spec is None:
                err = (E_UNSUPPORTED_PARAM, "unsupported parameter")
            elif spec[0] == "r":
                err = (E_NOT_WRITABLE, "parameter is read-only")
            elif not valid_value(spec[1], value):
                err = (E_INVALID_VALUE if spec[1] in ENUMERATIONS else E_INVALID_TYPE, "invalid value %r" % value)
            elif any(target + name in self.args.reject for target in targets):
                err = (E_INVALID_VALUE, "value %r refused by this device" % value)
            else:
                continue
            (fatal if required else optional).append((name, err[0], err[1]))
        return fatal, optional

    def set(self, request):
        allow_partial = request.boolean(1)
        plan, results, failures = [], [], []
        for update in request.repeated_messages(2):
            obj_path, settings = update.string(1), update.repeated_messages(2)
            if not obj_path.endswith(".") or _pattern(obj_path) not in SCHEMA:
                failures.append((obj_path, E_INVALID_PATH, "not an object of the supported data model", []))
                continue
            targets = self.dm.resolve(obj_path)
            if not targets and "*" not in obj_path:
                failures.append((obj_path, E_OBJECT_DOES_NOT_EXIST, "object does not exist", []))
                continue
            fatal, optional = self._object_failures(obj_path, targets, settings, creating=False)
            if fatal:
                failures.append((obj_path, fatal[0][1], "a required parameter failed", fatal))
                continue
            failed_names = {name for name, _, _ in optional}
            writes = {s.string(1): s.string(2) for s in settings if s.string(1) not in failed_names}
            plan.append((obj_path, targets, writes, optional))
        if failures and not allow_partial:
            raise self._failure(failures)
        out = Writer()
        for obj_path, targets, writes, optional in plan:
            success = Writer()
            for target in targets:
                for name, value in writes.items():
                    self.dm.values[target + name] = value
                shown = {n: ("" if SCHEMA[_pattern(target)][n][0] == "h" else v) for n, v in writes.items()}
                inst = Writer().string(1, target)
                for name, code, message in optional:
                    inst.message(2, Writer().string(1, name).fixed32(2, code).string(3, message))
                success.message(1, inst.string_map(3, shown))
            out.message(1, Writer().string(1, obj_path).message(2, Writer().message(2, success)))
        for obj_path, code, message, param_errs in failures:
            failure = Writer().fixed32(1, code).string(2, message)
            if param_errs:
                inst = Writer().string(1, obj_path)
                for name, err_code, err_msg in param_errs:
                    inst.message(2, Writer().string(1, name).fixed32(2, err_code).string(3, err_msg))
                failure.message(3, inst)
            out.message(1, Writer().string(1, obj_path).message(2, Writer().message(1, failure)))
        return out

    def _failure(self, failures):
        """The Error of a Set/Add with allow_partial false: param_errs name each failed object or parameter."""
        param_errs = []
        for obj_path, code, message, details in failures:
            if details:
                param_errs += [(obj_path + name, err_code, err_msg) for name, err_code, err_msg in details]
            else:
                param_errs.append((obj_path, code, message))
        if self.args.error_style == "generic":
            return RequestFailed(E_MESSAGE_FAILED, "request failed; see param_errs", param_errs)
        return RequestFailed(param_errs[0][1], param_errs[0][2], param_errs)

    def add(self, request):
        allow_partial = request.boolean(1)
        plan, failures = [], []
        for create in request.repeated_messages(2):
            obj_path, settings = create.string(1), create.repeated_messages(2)
            table_pattern = _pattern(obj_path + "1.")
            if not obj_path.endswith(".") or "*" in obj_path:
                failures.append((obj_path, E_INVALID_PATH, "Add takes the path of a table", []))
                continue
            if _pattern(obj_path) in SCHEMA and table_pattern not in SCHEMA:
                failures.append((obj_path, E_NOT_A_TABLE, "not a multi-instance object", []))
                continue
            if table_pattern not in SCHEMA:
                failures.append((obj_path, E_INVALID_PATH, "not in the supported data model", []))
                continue
            parent = obj_path[:obj_path.rstrip(".").rfind(".") + 1]
            if not self.dm.exists(parent):
                failures.append((obj_path, E_OBJECT_DOES_NOT_EXIST, "parent object does not exist", []))
                continue
            if self.args.refuse_subscriptions and table_pattern == "Device.LocalAgent.Subscription.{i}.":
                failures.append((obj_path, E_NOT_CREATABLE, "this agent's subscriptions are not creatable", []))
                continue
            fatal, optional = self._object_failures(obj_path, [], settings, creating=True)
            if fatal:
                failures.append((obj_path, fatal[0][1], "a required parameter failed", fatal))
                continue
            failed = {name for name, _, _ in optional}
            values = {s.string(1): s.string(2) for s in settings if s.string(1) not in failed}
            for key in UNIQUE_KEYS.get(table_pattern, ()):
                if key in values and any(p.startswith(obj_path) and p.endswith("." + key) and v == values[key]
                                         for p, v in self.dm.values.items()):
                    failures.append((obj_path, E_DUPLICATE_KEY, "%s %r is taken" % (key, values[key]), []))
                    break
            else:
                plan.append((obj_path, values, optional))
        if failures and not allow_partial:
            raise self._failure(failures)
        out = Writer()
        for obj_path, values, optional in plan:
            if obj_path == "Device.LocalAgent.Subscription.":
                values.setdefault("Recipient", self.own_controller())  # the creating controller
            created = self.dm.add_instance(obj_path, values)
            if obj_path == "Device.LocalAgent.Subscription." and not self.dm.values.get(created + "ID"):
                self.dm.values[created + "ID"] = "sub-" + created.rstrip(".").rsplit(".", 1)[1]
            keys = {k: self.dm.values[created + k] for k in UNIQUE_KEYS.get(_pattern(created), ("Alias",))
                    if created + k in self.dm.values}
            success = Writer().string(1, created)
            for name, code, message in optional:
                success.message(2, Writer().string(1, name).fixed32(2, code).string(3, message))
            success.string_map(3, keys)
            self.log("created %s" % created)
            out.message(1, Writer().string(1, obj_path).message(2, Writer().message(2, success)))
        for obj_path, code, message, _ in failures:
            failure = Writer().fixed32(1, code).string(2, message)
            out.message(1, Writer().string(1, obj_path).message(2, Writer().message(1, failure)))
        return out

    def delete(self, request):
        allow_partial = request.boolean(1)
        out, failures, plan = Writer(), [], []
        for path in request.repeated_strings(2):
            if not self.dm.supported(path) or not is_table(_pattern(path)):
                failures.append((path, E_INVALID_PATH, "not an instance of a table", []))
                continue
            plan.append((path, self.dm.resolve(path)))
        if failures and not allow_partial:
            raise self._failure(failures)
        for path, targets in plan:
            for target in targets:
                self.dm.delete(target)
            success = Writer()
            for target in targets:
                success.string(1, target)
            out.message(1, Writer().string(1, path).message(2, Writer().message(2, success)))
        for path, code, message, _ in failures:
            out.message(1, Writer().string(1, path).message(2, Writer().message(1, Writer().fixed32(1, code).string(2, message))))
        return out

    # -- main loop -----------------------------------------------------------------------------------------
    def garbage(self):
        whole = self.record(9, Writer())
        return {"truncated": whole[:len(whole) // 2 + 1] + b"\x12\x7f",  # a field claiming more bytes than follow
                "junk": b"\xff\xfe\xfd\x00\x01" + os.urandom(32)}[self.args.garbage]

    def open_session(self):
        """What the agent sends once its MTP is up, as the variant's flags say (the same over WebSocket and MQTT)."""
        if self.args.garbage:
            self.send_garbage()
        if self.args.stray_record:
            self.send_stray_record()
        if self.args.greeting != "silent":
            self.greet()
        if self.args.value_change:
            self.send_value_change()

    def repeat_onboard_request(self):
        """An OnBoardRequest not answered within 2 s is sent again, up to 5 times."""
        if self.onboard_sent_at and not self.onboard_answered \
                and time.monotonic() - self.onboard_sent_at > 2 and self.onboard_attempts < 5:
            self.onboard_attempts += 1
            self.send_onboard_request()

    def send_garbage(self):
        self.send_frame(0x2, self.garbage())
        self.garbage_sent = True

    def run(self):
        status = self.connect()
        if status != 101:
            retry_after = getattr(self, "refusal_headers", {}).get("retry-after")
            return {"handshake_status": status, "retry_after": int(retry_after) if retry_after and retry_after.isdigit() else retry_after}
        if self.args.impostor:
            # It named another agent's endpoint ID, connected, and proved nothing: whatever comes now is meant for that agent.
            self.violation("the controller accepted a connection naming a connected agent's endpoint ID without its credential")
        if self.args.ping and not self.args.fragment:
            self.ping()  # with --fragment the first Ping goes between the fragments of the first message
        self.open_session()
        deadline = time.monotonic() + self.args.max_seconds
        while not self.stop.is_set():
            if time.monotonic() > deadline:
                print("agent: not told to stop within %ss" % self.args.max_seconds, file=sys.stderr)
                break
            try:
                kind, payload = self.next_message(0.2)
            except (ConnectionError, OSError, TimeoutError) as error:
                self.closed_by = "controller (%s)" % error
                return {}
            if kind == "binary":
                self.on_record(payload)
            elif kind is None:
                self.repeat_onboard_request()
            elif kind == "close":
                self.closed_by = "controller"
                try:
                    self.send_frame(0x8, struct.pack("!H", self.close_code if self.close_code not in (1005, 1006) else 1000))
                except OSError:
                    pass
                return {"close_reason": payload}
            self.periodic_tick()
            if self.reboot_pending:
                self.reboot()
        if self.args.disconnect_record:
            self.send_binary(self.record(12, Writer().string(1, "agent stops").fixed32(2, 0)))
        self.send_frame(0x8, struct.pack("!H", 1000) + b"agent stops")
        self.closed_by = "agent"
        end = time.monotonic() + 5
        while time.monotonic() < end:
            try:
                kind, payload = self.next_message(0.2)
            except (ConnectionError, OSError, TimeoutError):
                self.violation("the controller did not answer the Close frame before dropping TCP (RFC 6455 5.5.1)")
                return {}
            if kind == "binary":
                self.on_record(payload)
            if kind == "close":
                return {}
        self.violation("the controller did not answer the Close frame within 5 s (RFC 6455 5.5.1)")
        return {}

    def finish_checks(self):
        if self.args.ping and not self.pongs and self.closed_by == "agent":
            self.violation("no Pong answered the agent's Ping (RFC 6455 5.5.2)")
        for msg_id, sub_id in self.notify_pending.items():
            if "-onboard-" in msg_id and self.onboard_answered:
                continue  # an earlier copy of an OnBoardRequest answered later
            if self.closed_by == "agent":
                self.violation("Notify %s (send_resp true, subscription %s) was never answered" % (msg_id, sub_id))


class MqttAgent(Agent):
    """The same agent over the MQTT MTP (TR-369 "MQTT Binding"): it subscribes to its own topic, publishes its
    Records to the Controller's topic and tells the Controller where to answer in one of the ways TR-369 allows:
    the MQTT 5 Response Topic property, the subscribed_topic of its MQTTConnect record, or (MQTT 3.1.1, which has
    no properties) a "/reply-to=<topic>" suffix on the topic it publishes to."""

    CONTENT_TYPE = "usp.msg"  # TR-369: the Content Type of every MQTT 5 PUBLISH carrying a USP Record

    def __init__(self, args):
        super().__init__(args)
        self.agent_topic = args.agent_topic or "usp/agent/" + args.eid
        self.controller_topic = args.controller_topic or "usp/controller/" + args.controller_id
        self.reply_topic = None  # the Response Topic of the Controller's last PUBLISH, where answers go (MQTT 5)
        self.client = None
        self.publishes_received = 0

    def connect(self):
        host, _, port = self.args.broker.rpartition(":")
        self.client = MqttClient(host or "127.0.0.1", int(port), self.args.client_id or self.args.eid,
                                 self.args.mqtt_version, self.args.keep_alive, self.violation, self.log)
        # TR-369: an MQTT 5 Endpoint names itself in the CONNECT user property usp-endpoint-id.
        self.client.connect(user_properties=[("usp-endpoint-id", self.args.eid)])
        # R-MQTT.21: Response Information in the CONNACK is the topic to be reached on.
        self.agent_topic = self.client.connack_properties.get(RESPONSE_INFO) or self.agent_topic
        # R-MQTT.15: an MQTT 3.1.1 agent subscribes to a wildcard below its topic, as the controller publishes to
        # "<agent topic>/reply-to=<its own topic>" (R-MQTT.24).
        topic_filter = self.agent_topic if self.client.v5 else self.agent_topic + "/#"
        granted = self.client.subscribe(topic_filter, self.args.qos)
        self.log("subscribed to %s at QoS %d" % (topic_filter, granted))
        return 101

    def publish_topic(self):
        topic = self.reply_topic or self.controller_topic
        if self.args.reply_in == "topic-suffix":
            # R-MQTT.24: the reply-to topic after "/reply-to=", each "/" in it written "%2F".
            return topic + "/reply-to=" + self.agent_topic.replace("/", "%2F")
        return topic

    def send_binary(self, data):
        properties = []
        if self.client.v5:
            properties.append((CONTENT_TYPE, self.CONTENT_TYPE))
            if self.args.reply_in == "property":
                properties.append((RESPONSE_TOPIC, self.agent_topic))
        self.client.publish(self.publish_topic(), data, self.args.qos, properties)

    def send_garbage(self):
        self.send_binary(self.garbage())
        self.garbage_sent = True

    def greet(self):
        if self.args.greeting != "connect":
            return super().greet()
        # MQTTConnectRecord: version V3_1_1 (0) or V5 (1); subscribed_topic unless the topic name carries it.
        connect = Writer().varint(1, 1 if self.client.v5 else 0)
        if self.args.reply_in != "topic-suffix":
            connect.string(2, self.agent_topic)
        self.send_binary(self.record(10, connect))

    def on_publish(self, message):
        self.publishes_received += 1
        if message.topic != self.agent_topic and not message.topic.startswith(self.agent_topic + "/"):
            self.violation("a PUBLISH on %r, which this agent did not subscribe to" % message.topic)
            return
        if self.client.v5:
            content_type = message.properties.get(CONTENT_TYPE)
            if content_type not in (self.CONTENT_TYPE, "application/vnd.bbf.usp.msg"):  # R-MQTT.27 / R-MQTT.27a
                self.violation("PUBLISH with Content Type %r, TR-369 R-MQTT.27 requires %r" % (content_type, self.CONTENT_TYPE))
            reply_to = message.properties.get(RESPONSE_TOPIC)
            if not reply_to:
                self.violation("a PUBLISH without Response Topic (TR-369 R-MQTT.22, R-MQTT.23)")
        else:
            # R-MQTT.25: the reply topic follows the last "/reply-to=" of the topic name, "%2F" standing for "/".
            marker = message.topic.rfind("/reply-to=")
            reply_to = message.topic[marker + len("/reply-to="):].replace("%2F", "/") if marker >= 0 else None
            if not reply_to:
                self.violation("a PUBLISH to an MQTT 3.1.1 agent without /reply-to= in its topic %r (TR-369 R-MQTT.22, R-MQTT.24)" % message.topic)
        # R-MQTT.25 / R-MQTT.26: answers go where the controller's PUBLISH said.
        self.reply_topic = reply_to or self.reply_topic
        self.on_record(message.payload)

    def run(self):
        self.connect()
        if self.args.ping:
            self.client.ping()
        self.open_session()
        deadline = time.monotonic() + self.args.max_seconds
        try:
            while not self.stop.is_set():
                if time.monotonic() > deadline:
                    print("agent: not told to stop within %ss" % self.args.max_seconds, file=sys.stderr)
                    break
                message = self.client.receive(0.2)
                if message is not None:
                    self.on_publish(message)
                else:
                    self.repeat_onboard_request()
                self.periodic_tick()
            if self.args.disconnect_record:
                self.send_binary(self.record(12, Writer().string(1, "agent stops").fixed32(2, 0)))
            for message in self.client.settle(5):
                self.on_publish(message)
        except (ConnectionError, OSError) as error:
            self.closed_by = "broker (%s)" % error
            return self.mqtt_report()
        except MqttError as error:
            self.violation("malformed MQTT from the broker: %s" % error)
            self.closed_by = "agent"
            return self.mqtt_report()
        if self.client.unacknowledged:
            self.violation("QoS 1 PUBLISH never acknowledged: packet ids %s (MQTT 4.3.2)" % sorted(self.client.unacknowledged))
        if self.client.ping_sent_at is not None:
            self.violation("PINGREQ never answered (MQTT 3.12.4)")
        self.client.disconnect()
        self.closed_by = "agent"
        return self.mqtt_report()

    def mqtt_report(self):
        return {"mtp": "mqtt", "mqtt_version": self.args.mqtt_version, "agent_topic": self.agent_topic,
                "publishes_received": self.publishes_received, "pings_answered": self.client.pings_answered if self.client else 0}

    def finish_checks(self):
        if self.args.ping and not self.client.pings_answered and self.closed_by == "agent":
            self.violation("no PINGRESP answered the agent's PINGREQ (MQTT 3.12.4)")
        self.args.ping = False  # the WebSocket Ping check does not apply
        super().finish_checks()


def watch_stdin(agent):
    for line in sys.stdin:
        if line.strip() == "quit":
            break
    agent.stop.set()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mtp", choices=["websocket", "mqtt"], default="websocket")
    parser.add_argument("--url", help="the controller's WebSocket URL, e.g. ws://127.0.0.1:8081/usp")
    parser.add_argument("--broker", help="MQTT MTP: the broker as host:port")
    parser.add_argument("--mqtt-version", choices=["5", "3.1.1"], default="5")
    parser.add_argument("--controller-topic", help="MQTT MTP: the controller's topic (usp/controller/<its endpoint ID>)")
    parser.add_argument("--agent-topic", help="MQTT MTP: the topic this agent subscribes to (usp/agent/<its endpoint ID>)")
    parser.add_argument("--reply-in", choices=["property", "connect-record", "topic-suffix"],
                        help="MQTT MTP: how the controller learns the agent's topic: Response Topic property (MQTT 5 default),"
                             " MQTTConnect subscribed_topic only, or /reply-to= in the topic name (MQTT 3.1.1 default)")
    parser.add_argument("--qos", type=int, choices=[0, 1], default=0, help="MQTT MTP: QoS of publishes and of the subscription")
    parser.add_argument("--keep-alive", type=int, default=30, help="MQTT MTP: keep-alive seconds (PINGREQ after half of it)")
    parser.add_argument("--client-id", help="MQTT MTP: client identifier (default: the endpoint ID, which a broker's per-client ACL can bind to the agent's topic)")
    parser.add_argument("--eid", required=True, help="this agent's endpoint ID")
    parser.add_argument("--controller-id", default="self::provisioning-controller")
    parser.add_argument("--serial", required=True)
    parser.add_argument("--oui", default="00D09E")
    parser.add_argument("--product-class", default="HGW-USP")
    parser.add_argument("--model", default="Interop-1")
    parser.add_argument("--software-version", default="4.2.1")
    parser.add_argument("--eid-in", choices=["query", "raw-query", "extension"], default="query",
                        help="where the endpoint ID goes: ?eid= (percent-encoded or as it is) or Sec-WebSocket-Extensions: bbf-usp-protocol")
    parser.add_argument("--host-header", choices=["with-port", "no-port"], default="with-port",
                        help="the Host header of the upgrade: host:port, or the host alone")
    parser.add_argument("--other-controller", help="another controller's endpoint ID, entry 1 of Device.LocalAgent.Controller. (ours is then 2)")
    parser.add_argument("--reject", action="append", default=[], help="a parameter path whose Set fails with 7012")
    parser.add_argument("--disconnect-record", action="store_true", help="send a Disconnect record before closing")
    parser.add_argument("--greeting", choices=["connect", "boot", "onboard", "silent"], default="connect",
                        help="WebSocketConnect record, Boot! Notify (send_resp), OnBoardRequest, or nothing until asked")
    parser.add_argument("--stray-record", action="store_true", help="first send a Boot! addressed to another controller")
    parser.add_argument("--value-change", action="store_true", help="send a ValueChange Notify with send_resp false")
    parser.add_argument("--duplicate-responses", action="store_true", help="send every response twice")
    parser.add_argument("--missing", action="append", default=[], help="an object instance this agent lacks")
    parser.add_argument("--next-instance", type=int, default=1, help="lowest number Add assigns")
    parser.add_argument("--refuse-subscriptions", action="store_true", help="Add of a Subscription fails with 7019")
    parser.add_argument("--error-style", choices=["specific", "generic"], default="specific",
                        help="err_code of a failed Set/Add: the first failure's code, or 7000 with details in param_errs")
    parser.add_argument("--absent-instance", choices=["7026", "empty"], default="7026",
                        help="Get of an instance the agent lacks: 7026 (USP 1.3 R-GET.0) or no result (USP 1.0/1.1)")
    parser.add_argument("--fragment", type=int, default=0, help="split outgoing messages into frames of N bytes")
    parser.add_argument("--ping", action="store_true", help="send a Ping and require its Pong")
    parser.add_argument("--garbage", choices=["truncated", "junk"], help="first send a malformed binary frame")
    parser.add_argument("--secret", help="this agent's own secret, presented at the upgrade as Basic <eid>:<secret>")
    parser.add_argument("--cert", help="wss://: a PEM client certificate naming this agent (SAN URI urn:bbf:usp:id:<eid>)")
    parser.add_argument("--key", help="wss://: the PEM private key of --cert")
    parser.add_argument("--ca", help="wss://: the PEM CA the controller's server certificate chains to (default: system trust)")
    parser.add_argument("--factory-reset", action="store_true",
                        help="come back from a factory reset: no Boot! subscription; with --greeting boot, Boot! with Cause LocalFactoryReset")
    parser.add_argument("--impostor", action="store_true",
                        help="the --eid is another, connected agent's and no credential of it is presented: the upgrade must be refused")
    parser.add_argument("--expect-refusal", action="store_true", help="a refused upgrade is the expected outcome (exit 0)")
    parser.add_argument("--download-error", type=int, help="every FirmwareImage Download() ends with this USP error in cmd_failure (e.g. 7022)")
    parser.add_argument("--keep-old-firmware", action="store_true",
                        help="Activate() reboots (Boot! FirmwareUpdated true) but the agent keeps its old SoftwareVersion")
    parser.add_argument("--max-seconds", type=float, default=90)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    if args.mtp == "websocket" and not args.url:
        parser.error("--url is required for the WebSocket MTP")
    if args.mtp == "mqtt" and not args.broker:
        parser.error("--broker is required for the MQTT MTP")
    if args.reply_in is None:
        args.reply_in = "property" if args.mqtt_version == "5" else "topic-suffix"
    if args.reply_in == "property" and args.mqtt_version != "5":
        parser.error("MQTT 3.1.1 has no Response Topic property")

    agent = MqttAgent(args) if args.mtp == "mqtt" else Agent(args)
    threading.Thread(target=watch_stdin, args=(agent,), daemon=True).start()
    try:
        extra = agent.run()
    except (ConnectionError, OSError, MqttError) as error:
        print("agent: cannot reach the controller: %s" % error, file=sys.stderr)
        print(json.dumps({"error": str(error)}))
        return 2
    agent.finish_checks()
    report = {"eid": args.eid, "closed_by": agent.closed_by, "close_code": agent.close_code,
              "requests": agent.counts, "pongs": agent.pongs, "notify_answered": agent.notify_answered, "periodic_sent": agent.periodic_sent,
              "violations": agent.violations, "handshake_extensions": getattr(agent, "handshake_extensions", None), "instances": sorted(agent.dm.objects, key=_path_order),
              "data_model": agent.dm.snapshot()}
    report.update(extra)
    print(json.dumps(report))
    if "handshake_status" in extra:
        print("agent: the controller refused the WebSocket upgrade with HTTP %d (Retry-After %s)"
              % (extra["handshake_status"], extra.get("retry_after")), file=sys.stderr)
        if agent.violations:
            return 1
        return 0 if args.expect_refusal or args.impostor else 3
    return 1 if agent.violations else 0


if __name__ == "__main__":
    sys.exit(main())
