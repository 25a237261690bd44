#!/usr/bin/env python3
"""An independent TR-069 CPE, written from the specification to test an ACS for interoperability.

It follows TR-069 Amendment 6 (CWMP 1.4):
  - 3.4 (HTTP): one SOAP envelope per POST, the CPE opens the session with Inform, an empty POST
    says "nothing more from me", an empty ACS response (HTTP 204, or 200 with no body) ends the
    session; the session follows the ACS's cookies (3.4.2) or the kept-alive connection; HTTP
    authentication with Digest (RFC 2617, qop=auth) answered to a 401 challenge, or Basic.
  - 3.2.2 / Annex G.2: the Connection Request, an HTTP GET to the ConnectionRequestURL,
    Digest-authenticated by the CPE, answered 200 and followed by a session with 6 CONNECTION REQUEST.
  - A.2 / A.3 (SOAP and RPC methods): the cwmp:ID header (mustUnderstand="1") echoed in the
    response, HoldRequests from the ACS, NoMoreRequests / SessionTimeout / SupportedCWMPVersions
    from the CPE; Inform, GetRPCMethods, GetParameterValues, SetParameterValues (ParameterKey,
    Status 0/1), GetParameterNames, Get/SetParameterAttributes, AddObject, DeleteObject, Reboot;
    A.5 fault codes (9000, 9003, 9005, 9006, 9007, 9008) in a SOAP Fault carrying cwmp:Fault.
  - 3.7.1.5 / A.3.3.1: Inform event codes (0 BOOTSTRAP, 1 BOOT, 4 VALUE CHANGE, 6 CONNECTION
    REQUEST, M Reboot with the Reboot's CommandKey) and ParameterKey stored only on success.

It keeps a small in-memory TR-181 data model (Device.DeviceInfo., Device.ManagementServer. and the
service objects a gateway has); SetParameterValues writes it, GetParameterValues reads it back
(passwords read back empty, as the data model requires). With --data-model tr098 it is a TR-098
Amendment 2 gateway instead (InternetGatewayDevice:1.4 with TR-104 VoiceService:1): DeviceSummary,
LANDevice.1.WLANConfiguration.{i} (one per radio, not creatable), VoiceProfile.1, Layer2Bridging.Bridge.{i}
(none until the ACS adds them), the WAN address; a fixed schema (9005 for names it lacks) whose enumerations,
ranges and lengths it enforces (9007), and the Inform ParameterList TR-098 gateways send.

Command-line flags select what real CPEs do differently (SOAP prefixes, namespace version, cookies,
Content-Type, chunked bodies, XML declaration and whitespace, headers, arrayType attributes, Basic
auth, "applied after reboot", a SOAP stack refusing an ACS message with an XML declaration, a Connection Request
server with bare LF line endings, folded headers and no blank line, one refusing every Connection Request while the
device comes by its periodic Inform), so one test can run many variants. The last line on stdout is a
JSON report (sessions, the ACS methods received, the data model). Exit status: 0 when every session
ended cleanly, 1 on a protocol error (the message says what), 3 when the ACS refused the credential.
Life-cycle and trust variants: --factory-reset (after its sessions it returns to factory values, credentials
included, and bootstraps again), --keep-old-credential (acknowledges a new ManagementServer.Username/Password and
keeps authenticating with the old one), --reuse-nonce with --periodic-sessions N (one Digest nonce, nc 1, 2, 3, ...
across sessions, as RFC 7616 allows), and --replay-authorization (an eavesdropper replaying a captured header, which
--report-authorization puts in the report).
Firmware (A.3.2.8 Download, A.3.3.3 TransferComplete): a Download is answered Status 1; after the session the CPE
fetches the URL for real (urllib, Basic or Digest with the Download's Username/Password when the server asks, FileSize
checked), a firmware image ("1 Firmware Upgrade Image") reboots it into the version the image names, and the next
session informs 1 BOOT, 7 TRANSFER COMPLETE and M Download (CommandKey) and sends TransferComplete with the FaultStruct
(0, or 9012 authentication, 9013 protocol, 9015 server unreachable, 9016 file not accessible, 9017 incomplete, 9018
corrupted/size mismatch). Version convention: the image starts with the line "CPE-FIRMWARE <version>\n"; else the
TargetFileName, else the URL's last path segment, without its extension. --download-fault CODE fails every download with
that code; --keep-old-firmware reports success and reboots but keeps the old SoftwareVersion. FactoryReset is answered
and followed by 0 BOOTSTRAP + 1 BOOT with the factory data model (ParameterKey empty; the firmware stays).
With --malformed it sends one broken envelope instead and exits 0 only if the ACS answered with a
clear error (HTTP 400 or a SOAP Fault).

Python 3 standard library only.
"""

import argparse
import base64
import hashlib
import http.client
import http.server
import json
import os
import queue
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from xml.sax.saxutils import escape

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP_ENC = "http://schemas.xmlsoap.org/soap/encoding/"
XSD = "http://www.w3.org/2001/XMLSchema"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
CWMP_NAMESPACES = {"1.0": "urn:dslforum-org:cwmp-1-0", "1.1": "urn:dslforum-org:cwmp-1-1", "1.2": "urn:dslforum-org:cwmp-1-2"}

FAULT_STRINGS = {
    9000: "Method not supported", 9001: "Request denied", 9002: "Internal error", 9003: "Invalid arguments",
    9004: "Resources exceeded", 9005: "Invalid parameter name", 9006: "Invalid parameter type",
    9007: "Invalid parameter value", 9008: "Attempt to set a non-writable parameter",
}


class ProtocolError(Exception):
    """The ACS did something a conformant CPE cannot go along with."""


class AuthRefused(ProtocolError):
    """The ACS answered 401 to a request that carried our credential."""


class CpeFault(Exception):
    """A CWMP fault this CPE answers an ACS request with (A.5.1)."""

    def __init__(self, code, parameter_faults=()):
        super().__init__(f"{code} {FAULT_STRINGS.get(code, '')}")
        self.code = code
        self.parameter_faults = list(parameter_faults)  # (name, code)


def log(message):
    print(f"[cpe {datetime.now().strftime('%H:%M:%S.%f')[:-3]}] {message}", file=sys.stderr, flush=True)


def local(tag):
    return tag.rsplit("}", 1)[-1]


def namespace(tag):
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def child(element, name):
    """The first child with this local name, whatever its namespace (CWMP argument elements are unqualified)."""
    for c in element:
        if local(c.tag) == name:
            return c
    return None


def text(element, name, default=None):
    c = child(element, name)
    return default if c is None else (c.text or "")


# ---------------------------------------------------------------------------------------------
# Data model
# ---------------------------------------------------------------------------------------------

class Parameter:
    def __init__(self, value, type_="string", writable=True, hidden=False, allowed=None, limits=None):
        self.value, self.type, self.writable, self.hidden = value, type_, writable, hidden
        self.allowed = allowed  # an enumeration: other values get 9007
        self.limits = limits    # (min, max): of the number, or of a string's length
        self.notification = 0

    def accepts(self, value):
        if self.allowed is not None and value not in self.allowed:
            return False
        if self.limits is not None:
            low, high = self.limits
            measure = len(value) if self.type == "string" else int(value)
            return low <= measure <= high
        return True


class DataModel:
    """A TR-181 Device:2 subset, or (--data-model tr098) a TR-098 InternetGatewayDevice:1 one. Object instances exist
    where a parameter below them exists or AddObject made them."""

    def __init__(self, args, cr_url):
        self.root = "InternetGatewayDevice." if args.data_model == "tr098" else "Device."
        self.ms = self.root + "ManagementServer."
        self.templates = {}   # creatable table -> {parameter: factory(instance number)}, what AddObject makes
        self.fixed_schema = False  # True: only the parameters the model has exist (SetParameterValues of others: 9005)
        self.extra_objects = set()
        self.highest = {}
        self.strict_instances = args.strict_instances
        if args.data_model == "tr098":
            self.params = tr098_parameters(args, cr_url)
            self.templates = TR098_TEMPLATES
            self.fixed_schema = True
            if args.vendor_tr098:
                # A vendor model: the WPA passphrase lives only in PreSharedKey.{k}.PreSharedKey (no KeyPassphrase
                # anywhere), and there is no Layer2Bridging at all (VLANs are not the ACS's to set on it).
                self.templates = {}
                self.params = {n: v for n, v in self.params.items()
                               if not n.startswith(IGD + "Layer2Bridging.") and not n.endswith("KeyPassphrase")}
                for name in [n for n in self.params if n.endswith(".PreSharedKey") and ".PreSharedKey." in n]:
                    self.params[name] = Parameter("", hidden=True, limits=(8, 63))
        else:
            self.params = self.tr181_parameters(args, cr_url)
        # Instance numbers are never reused (TR-069 A.3.2.6): each table remembers the highest it handed out.
        for name in self.params:
            self._note_instances(name)
        for obj in args.lacks_instance:
            self.params = {n: v for n, v in self.params.items() if not n.startswith(obj)}

    @staticmethod
    def tr181_parameters(args, cr_url):
        p = {}
        info = "Device.DeviceInfo."
        p["Device.RootDataModelVersion"] = Parameter("2.15", writable=False)
        p[info + "Manufacturer"] = Parameter(args.manufacturer, writable=False)
        p[info + "ManufacturerOUI"] = Parameter(args.oui, writable=False)
        p[info + "ProductClass"] = Parameter(args.product_class, writable=False)
        p[info + "SerialNumber"] = Parameter(args.serial, writable=False)
        p[info + "HardwareVersion"] = Parameter("HW-1.0", writable=False)
        p[info + "SoftwareVersion"] = Parameter(args.software_version, writable=False)
        p[info + "ProvisioningCode"] = Parameter("")
        p[info + "UpTime"] = Parameter("42", "unsignedInt", writable=False)
        ms = "Device.ManagementServer."
        p[ms + "URL"] = Parameter(args.acs_url)
        p[ms + "Username"] = Parameter(args.username)
        p[ms + "Password"] = Parameter(args.password, hidden=True)
        p[ms + "PeriodicInformEnable"] = Parameter("false", "boolean")
        p[ms + "PeriodicInformInterval"] = Parameter("86400", "unsignedInt")
        p[ms + "ParameterKey"] = Parameter("", writable=False)
        p[ms + "ConnectionRequestURL"] = Parameter(cr_url, writable=False)
        p[ms + "ConnectionRequestUsername"] = Parameter(args.cr_username)
        p[ms + "ConnectionRequestPassword"] = Parameter(args.cr_password, hidden=True)
        for i in (1, 2):
            p[f"Device.WiFi.SSID.{i}.Enable"] = Parameter("false", "boolean")
            p[f"Device.WiFi.SSID.{i}.SSID"] = Parameter(f"Factory-{i}")
            p[f"Device.WiFi.AccessPoint.{i}.Enable"] = Parameter("false", "boolean")
            p[f"Device.WiFi.AccessPoint.{i}.Security.ModeEnabled"] = Parameter("None")
            p[f"Device.WiFi.AccessPoint.{i}.Security.KeyPassphrase"] = Parameter("", hidden=True)
        for i in (1, 2, 3):
            p[f"Device.Ethernet.VLANTermination.{i}.Enable"] = Parameter("false", "boolean")
            p[f"Device.Ethernet.VLANTermination.{i}.VLANID"] = Parameter("0", "unsignedInt")
        voice = "Device.Services.VoiceService.1."
        p[voice + "SIP.Network.1.RegistrarServer"] = Parameter("")
        p[voice + "SIP.Client.1.Enable"] = Parameter("false", "boolean")
        p[voice + "SIP.Client.1.AuthUserName"] = Parameter("")
        p[voice + "SIP.Client.1.AuthPassword"] = Parameter("", hidden=True)
        p[voice + "CallControl.Line.1.DirectoryNumber"] = Parameter("")
        return p

    def _note_instances(self, name):
        parts = name.split(".")
        for i, part in enumerate(parts):
            if part.isdigit() and i > 0:
                table = ".".join(parts[:i]) + "."
                self.highest[table] = max(self.highest.get(table, 0), int(part))

    def objects(self):
        found = set(self.extra_objects)
        for name in self.params:
            parts = name.split(".")
            for i in range(1, len(parts)):
                found.add(".".join(parts[:i]) + ".")
        return found

    def instance_missing(self, name):
        """The deepest 'Table.N.' above name that does not exist, or None."""
        objects = self.objects()
        parts = name.split(".")
        for i, part in enumerate(parts[:-1]):
            if part.isdigit():
                instance = ".".join(parts[: i + 1]) + "."
                if instance not in objects:
                    return instance
        return None

    def get(self, path):
        """Values for a full name or everything below a partial path (A.3.2.2); 9005 if nothing matches."""
        if path == "" or path.endswith("."):
            if path and path not in self.objects():
                raise CpeFault(9005)
            return [(n, v) for n, v in sorted(self.params.items()) if n.startswith(path)]
        if path not in self.params:
            raise CpeFault(9005)
        return [(path, self.params[path])]

    def names(self, path, next_level):
        """GetParameterNames (A.3.2.3): ParameterInfoStruct list (name, writable)."""
        objects = self.objects()
        if path and not path.endswith("."):
            if path not in self.params:
                raise CpeFault(9005)
            if next_level:
                raise CpeFault(9003)
            return [(path, self.params[path].writable)]
        if path and path not in objects:
            raise CpeFault(9005)
        result = []
        for obj in sorted(objects):
            if obj.startswith(path) and obj != path:
                if not next_level or "." not in obj[len(path):-1]:
                    result.append((obj, obj.rstrip(".").rsplit(".", 1)[-1].isdigit()))  # instances are deletable
        for name in sorted(self.params):
            if name.startswith(path):
                if not next_level or "." not in name[len(path):]:
                    result.append((name, self.params[name].writable))
        if path and not next_level:
            result.insert(0, (path, True))
        return result

    def add_object(self, table):
        if not table.endswith(".") or table.rstrip(".").rsplit(".", 1)[-1].isdigit():
            raise CpeFault(9005)
        parent = table.rsplit(".", 2)[0] + "."
        if parent != self.root and parent not in self.objects() and table not in self.highest:
            raise CpeFault(9005)
        if self.fixed_schema and table not in self.templates:
            raise CpeFault(9005)  # not a table the ACS may add to (fixed by the hardware, e.g. WLANConfiguration)
        number = self.highest.get(table, 0) + 1
        self.highest[table] = number
        self.extra_objects.add(f"{table}{number}.")
        for name, make in self.templates.get(table, {}).items():
            self.params[f"{table}{number}.{name}"] = make(number)
        self.count_entries(table)
        return number

    def count_entries(self, table):
        """TR-098's <Table>NumberOfEntries parameters follow AddObject and DeleteObject."""
        counter = TR098_ENTRY_COUNTERS.get(table)
        if counter in self.params:
            self.params[counter].value = str(len({o for o in self.objects() if o.startswith(table) and o.count(".") == table.count(".") + 1}))

    def delete_object(self, instance):
        if instance not in self.objects():
            raise CpeFault(9005)
        self.params = {n: v for n, v in self.params.items() if not n.startswith(instance)}
        self.extra_objects = {o for o in self.extra_objects if not o.startswith(instance)}
        self.count_entries(instance.rstrip(".").rsplit(".", 1)[0] + ".")

    def dump(self):
        return {n: p.value for n, p in sorted(self.params.items())}


# ---------------------------------------------------------------------------------------------
# TR-098 Amendment 2 (InternetGatewayDevice:1.4) with TR-104 VoiceService:1: what a home gateway has
# ---------------------------------------------------------------------------------------------

IGD = "InternetGatewayDevice."
BEACON_TYPES = ("None", "Basic", "WPA", "11i", "BasicandWPA", "Basicand11i", "WPAand11i", "BasicandWPAand11i")
ENCRYPTION_MODES = ("WEPEncryption", "TKIPEncryption", "WEPandTKIPEncryption", "AESEncryption", "WEPandAESEncryption",
                    "TKIPandAESEncryption", "WEPandTKIPandAESEncryption")
TR104_ENABLE = ("Disabled", "Quiescent", "Enabled")  # TR-104 VoiceProfile/Line Enable is a string enumeration
BRIDGES = IGD + "Layer2Bridging.Bridge."

# Layer2Bridging.Bridge. is the one table here the ACS may add to; an added bridge starts disabled.
TR098_TEMPLATES = {
    BRIDGES: {
        "BridgeKey": lambda n: Parameter(str(n), "unsignedInt", writable=False),
        "BridgeStandard": lambda n: Parameter("802.1Q", allowed=("802.1D", "802.1Q")),
        "BridgeEnable": lambda n: Parameter("false", "boolean"),
        "BridgeStatus": lambda n: Parameter("Disabled", writable=False),
        "BridgeName": lambda n: Parameter(""),
        "VLANID": lambda n: Parameter("1", "unsignedInt", limits=(1, 4094)),
    },
}
TR098_ENTRY_COUNTERS = {BRIDGES: IGD + "Layer2Bridging.BridgeNumberOfEntries"}


def tr098_parameters(args, cr_url):
    p = {}
    p[IGD + "DeviceSummary"] = Parameter(
        "InternetGatewayDevice:1.4[](Baseline:2, EthernetLAN:1, WiFiLAN:1, EthernetWAN:1), VoiceService:1.0[1](Endpoint:1, SIPEndpoint:1)",
        writable=False)
    p[IGD + "LANDeviceNumberOfEntries"] = Parameter("1", "unsignedInt", writable=False)
    p[IGD + "WANDeviceNumberOfEntries"] = Parameter("1", "unsignedInt", writable=False)
    info = IGD + "DeviceInfo."
    p[info + "Manufacturer"] = Parameter(args.manufacturer, writable=False)
    p[info + "ManufacturerOUI"] = Parameter(args.oui, writable=False)
    p[info + "ModelName"] = Parameter(args.model_name, writable=False)
    p[info + "Description"] = Parameter("Home gateway", writable=False)
    p[info + "ProductClass"] = Parameter(args.product_class, writable=False)
    p[info + "SerialNumber"] = Parameter(args.serial, writable=False)
    p[info + "HardwareVersion"] = Parameter("HW-1.0", writable=False)
    p[info + "SoftwareVersion"] = Parameter(args.software_version, writable=False)
    p[info + "SpecVersion"] = Parameter("1.0", writable=False)
    p[info + "ProvisioningCode"] = Parameter("", limits=(0, 64))
    p[info + "UpTime"] = Parameter("42", "unsignedInt", writable=False)
    ms = IGD + "ManagementServer."
    p[ms + "URL"] = Parameter(args.acs_url)
    p[ms + "Username"] = Parameter(args.username, limits=(0, 256))
    p[ms + "Password"] = Parameter(args.password, hidden=True, limits=(0, 256))
    p[ms + "PeriodicInformEnable"] = Parameter("false", "boolean")
    p[ms + "PeriodicInformInterval"] = Parameter("86400", "unsignedInt", limits=(1, 2 ** 32 - 1))
    p[ms + "PeriodicInformTime"] = Parameter("0001-01-01T00:00:00Z", "dateTime")
    p[ms + "ParameterKey"] = Parameter("", writable=False)
    p[ms + "ConnectionRequestURL"] = Parameter(cr_url, writable=False)
    p[ms + "ConnectionRequestUsername"] = Parameter(args.cr_username, limits=(0, 256))
    p[ms + "ConnectionRequestPassword"] = Parameter(args.cr_password, hidden=True, limits=(0, 256))
    p[ms + "UpgradesManaged"] = Parameter("false", "boolean")
    lan = IGD + "LANDevice.1."
    p[lan + "LANWLANConfigurationNumberOfEntries"] = Parameter(str(args.wlan_instances), "unsignedInt", writable=False)
    for i in range(1, args.wlan_instances + 1):
        w = f"{lan}WLANConfiguration.{i}."
        p[w + "Enable"] = Parameter("false", "boolean")
        p[w + "Status"] = Parameter("Disabled", writable=False)
        p[w + "SSID"] = Parameter(f"Factory-{i}", limits=(0, 32))
        p[w + "Standard"] = Parameter("g" if i == 1 else "a", writable=False)
        p[w + "BeaconType"] = Parameter("11i", allowed=BEACON_TYPES)  # factory WPA2 with the sticker passphrase
        p[w + "BasicEncryptionModes"] = Parameter("None", allowed=("None", "WEPEncryption"))
        p[w + "BasicAuthenticationMode"] = Parameter("None", allowed=("None", "EAPAuthentication", "SharedAuthentication"))
        p[w + "WPAEncryptionModes"] = Parameter("TKIPandAESEncryption", allowed=ENCRYPTION_MODES)
        p[w + "WPAAuthenticationMode"] = Parameter("PSKAuthentication", allowed=("PSKAuthentication", "EAPAuthentication"))
        p[w + "IEEE11iEncryptionModes"] = Parameter("TKIPandAESEncryption", allowed=ENCRYPTION_MODES)
        p[w + "IEEE11iAuthenticationMode"] = Parameter(
            "PSKAuthentication", allowed=("PSKAuthentication", "EAPAuthentication", "EAPandPSKAuthentication"))
        # A WPA passphrase has 8 to 63 characters (IEEE 802.11i); passphrases and keys read back empty.
        p[w + "KeyPassphrase"] = Parameter("", hidden=True, limits=(8, 63))
        for k in range(1, 11):
            p[f"{w}PreSharedKey.{k}.PreSharedKey"] = Parameter("", "hexBinary", hidden=True)
            p[f"{w}PreSharedKey.{k}.KeyPassphrase"] = Parameter("", hidden=True, limits=(8, 63))
    voice = IGD + "Services.VoiceService.1."
    p[voice + "VoiceProfileNumberOfEntries"] = Parameter("1", "unsignedInt", writable=False)
    profile = voice + "VoiceProfile.1."
    p[profile + "Enable"] = Parameter("Disabled", allowed=TR104_ENABLE)
    p[profile + "NumberOfLines"] = Parameter("1", "unsignedInt", writable=False)
    p[profile + "SIP.RegistrarServer"] = Parameter("", limits=(0, 256))
    p[profile + "SIP.RegistrarServerPort"] = Parameter("5060", "unsignedInt", limits=(0, 65535))
    p[profile + "SIP.ProxyServer"] = Parameter("", limits=(0, 256))
    p[profile + "SIP.UserAgentDomain"] = Parameter("", limits=(0, 256))
    line = profile + "Line.1."
    p[line + "Enable"] = Parameter("Disabled", allowed=TR104_ENABLE)
    p[line + "DirectoryNumber"] = Parameter("", limits=(0, 32))
    p[line + "Status"] = Parameter("Disabled", writable=False)
    p[line + "SIP.AuthUserName"] = Parameter("", limits=(0, 128))
    p[line + "SIP.AuthPassword"] = Parameter("", hidden=True, limits=(0, 128))
    p[line + "SIP.URI"] = Parameter("", limits=(0, 389))
    p[IGD + "Layer2Bridging.MaxBridgeEntries"] = Parameter("8", "unsignedInt", writable=False)
    p[IGD + "Layer2Bridging.BridgeNumberOfEntries"] = Parameter("0", "unsignedInt", writable=False)
    wan = IGD + "WANDevice.1.WANConnectionDevice.1.WANIPConnection.1."
    p[wan + "Enable"] = Parameter("true", "boolean")
    p[wan + "ConnectionStatus"] = Parameter("Connected", writable=False)
    p[wan + "ExternalIPAddress"] = Parameter("203.0.113.7", writable=False)
    return p


TYPE_CHECKS = {
    "boolean": lambda v: v in ("true", "false", "0", "1"),
    "unsignedInt": lambda v: v.isdigit() and int(v) < 2 ** 32,
    "int": lambda v: re.fullmatch(r"-?\d+", v) is not None,
    "unsignedLong": lambda v: v.isdigit(),
    "long": lambda v: re.fullmatch(r"-?\d+", v) is not None,
    "dateTime": lambda v: re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d.*", v) is not None,
    "string": lambda v: True,
    "base64": lambda v: re.fullmatch(r"[A-Za-z0-9+/=\s]*", v) is not None,
    "hexBinary": lambda v: re.fullmatch(r"[0-9A-Fa-f]*", v) is not None,
}


# ---------------------------------------------------------------------------------------------
# SOAP writing (A.2)
# ---------------------------------------------------------------------------------------------

class Soap:
    """Writes envelopes in the style the flags choose: prefixes, namespace, declaration, whitespace, arrayType."""

    def __init__(self, args):
        self.env = args.soap_prefix
        self.cwmp = args.cwmp_prefix or "cwmp"
        self.ns = CWMP_NAMESPACES[args.cwmp_version]
        self.args = args

    def method(self, name, inner):
        """A method element: prefixed, or (--cwmp-prefix "") in a default namespace its unqualified children then share."""
        if self.args.cwmp_prefix:
            return f"<{self.cwmp}:{name}>{inner}</{self.cwmp}:{name}>"
        return f'<{name} xmlns="{self.ns}">{inner}</{name}>'

    def envelope(self, body, headers=()):
        a = self.args
        nl = "\n" if a.pretty else ""
        ind = "  " if a.pretty else ""
        head = ""
        if headers:
            head = f"{nl}{ind}<{self.env}:Header>" + "".join(f"{nl}{ind}{ind}{h}" for h in headers) + f"{nl}{ind}</{self.env}:Header>"
        xml = (
            f'<{self.env}:Envelope xmlns:{self.env}="{SOAP_ENV}" xmlns:soap-enc="{SOAP_ENC}" '
            f'xmlns:xsd="{XSD}" xmlns:xsi="{XSI}" xmlns:{self.cwmp}="{self.ns}">'
            f"{head}{nl}{ind}<{self.env}:Body>{nl}{ind}{ind}{body}{nl}{ind}</{self.env}:Body>{nl}</{self.env}:Envelope>{nl}"
        )
        if a.xml_declaration:
            xml = '<?xml version="1.0" encoding="UTF-8"?>' + nl + xml
        if a.leading_newline:
            xml = "\r\n" + xml  # some stacks write a line break before the document
        return (b"\xef\xbb\xbf" if a.bom else b"") + xml.encode("utf-8")

    def id_header(self, value):
        must = "true" if self.args.must_understand_true else "1"
        return f'<{self.cwmp}:ID {self.env}:mustUnderstand="{must}">{escape(value)}</{self.cwmp}:ID>'

    def array(self, element, item_type, items):
        """A SOAP-encoded array; arrayType and its size as the flags say (many CPEs get the size wrong)."""
        a = self.args
        size = len(items) + (1 if a.array_size_mismatch else 0)
        attribute = f' soap-enc:arrayType="{item_type}[{size}]"' if a.array_type else ""
        sep = "\n" if a.pretty else ""
        return f"<{element}{attribute}>{sep}" + sep.join(items) + f"{sep}</{element}>"

    def value(self, param, shown):
        type_attr = f' xsi:type="xsd:{param.type}"' if self.args.xsi_type else ""
        if shown == "" and self.args.self_closing:
            return f"<Value{type_attr}/>"
        if self.args.cdata_values and shown:
            return f"<Value{type_attr}><![CDATA[{shown}]]></Value>"
        return f"<Value{type_attr}>{escape(shown)}</Value>"

    def empty(self, xml):
        """libxml2-based stacks write empty elements self-closed."""
        return re.sub(r"<(\w+)></\1>", r"<\1/>", xml) if self.args.self_closing else xml

    def fault(self, fault, method):
        details = "".join(
            f"<{method}Fault><ParameterName>{escape(n)}</ParameterName><FaultCode>{c}</FaultCode>"
            f"<FaultString>{FAULT_STRINGS.get(c, '')}</FaultString></{method}Fault>"
            for n, c in fault.parameter_faults
        )
        code = "Server" if fault.code in (9002, 9004) else "Client"
        return (
            f"<{self.env}:Fault><faultcode>{code}</faultcode><faultstring>CWMP fault</faultstring><detail>"
            f"<{self.cwmp}:Fault><FaultCode>{fault.code}</FaultCode><FaultString>{FAULT_STRINGS.get(fault.code, '')}</FaultString>"
            f"{details}</{self.cwmp}:Fault></detail></{self.env}:Fault>"
        )


# ---------------------------------------------------------------------------------------------
# HTTP client side (3.4): cookies, keep-alive, Digest / Basic
# ---------------------------------------------------------------------------------------------

TRANSFER_FAULTS = {
    9010: "File transfer failure", 9012: "File transfer server authentication failure",
    9013: "Unsupported protocol for file transfer", 9015: "File transfer failure: unable to contact file server",
    9016: "File transfer failure: unable to access file", 9017: "File transfer failure: unable to complete download",
    9018: "File transfer failure: file corrupted", 9019: "File transfer failure: file authentication failure",
}


def firmware_version(image, target, url):
    """The version an image installs: its "CPE-FIRMWARE <version>" first line, else the file's name without extension."""
    if image and image.startswith(b"CPE-FIRMWARE "):
        version = image[len(b"CPE-FIRMWARE "):].split(b"\n", 1)[0].decode("utf-8", "replace").strip()
        if version:
            return version
    name = target or urllib.parse.unquote(urllib.parse.urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])
    return name.rsplit(".", 1)[0] if "." in name[1:] else name


def md5(s):
    return hashlib.md5(s.encode("utf-8")).hexdigest()


def parse_challenge(value):
    """'Digest realm="x", nonce="y", qop="auth"' -> ("digest", {"realm": "x", ...}); values quoted or bare."""
    scheme, _, rest = value.strip().partition(" ")
    params = {}
    for m in re.finditer(r'(\w+)\s*=\s*(?:"([^"]*)"|([^,\s]+))', rest):
        params[m.group(1).lower()] = m.group(2) if m.group(2) is not None else m.group(3)
    return scheme.lower(), params


class AcsConnection:
    """One CWMP session's HTTP side. Keeps the TCP connection (or not), the cookies (or not) and the credential."""

    def __init__(self, args, model, credential=None):
        self.args, self.model = args, model
        self.credential = credential  # --keep-old-credential: what it authenticates with, whatever the data model says
        self.replay = args.replay_authorization  # --replay-authorization: a captured header, sent once, never re-answered
        self.inform_authorization = None
        url = urllib.parse.urlsplit(args.acs_url)
        self.host, self.port = url.hostname, url.port or 80
        self.path = url.path or "/"
        self.conn = None
        self.cookies = {}
        self.digest = None  # challenge parameters once the ACS has sent one
        self.nc = 0
        self.authenticated = False
        self.basic_challenged = False

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _credential(self):
        if self.credential is not None:
            return self.credential
        return (self.model.params[self.model.ms + "Username"].value,
                self.model.params[self.model.ms + "Password"].value)

    def _authorization(self):
        if self.replay:
            header, self.replay = self.replay, None
            return header
        user, password = self._credential()
        if self.args.auth == "basic":
            if not (self.args.basic_preemptive or self.basic_challenged):
                return None
            return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        if self.digest is None or (self.args.auth_once and self.authenticated):
            return None
        d = self.digest
        self.nc += 1
        nc = "00000001" if self.args.digest_fixed_nc else f"{self.nc:08x}"
        cnonce = os.urandom(8).hex()
        ha1 = md5(f"{user}:{d['realm']}:{password}")
        ha2 = md5(f"POST:{self.args.acs_url if self.args.digest_absolute_uri else self.path}")
        qops = [q.strip() for q in d.get("qop", "").split(",") if q.strip()]
        uri = self.args.acs_url if self.args.digest_absolute_uri else self.path  # RFC 2616 allows the absolute form
        parts = [f'username="{user}"', f'realm="{d["realm"]}"', f'nonce="{d["nonce"]}"', f'uri="{uri}"']
        if "auth" in qops:
            response = md5(f"{ha1}:{d['nonce']}:{nc}:{cnonce}:auth:{ha2}")
            parts += ["qop=auth", f"nc={nc}", f'cnonce="{cnonce}"']
        else:
            response = md5(f"{ha1}:{d['nonce']}:{ha2}")  # RFC 2069 compatibility
        parts.append(f'response="{response}"')
        if "opaque" in d:
            parts.append(f'opaque="{d["opaque"]}"')
        if self.args.digest_compact:
            return "Digest " + ",".join(parts)  # embedded stacks: no blanks, no algorithm (MD5 is the default)
        parts.append("algorithm=MD5")
        return "Digest " + ", ".join(parts)

    def post(self, body, what):
        """POSTs one envelope (or an empty body); answers a 401 challenge once. Returns (status, headers, bytes)."""
        for attempt in range(2):
            status, headers, data = self._send(body, what)
            if status == 401 and self.args.replay_authorization:
                raise AuthRefused(f"HTTP 401 to {what}: the ACS refused the replayed Authorization header")
            if status != 401:
                if status < 300:
                    self.authenticated = True
                return status, headers, data
            challenges = [parse_challenge(v) for v in headers.get_all("WWW-Authenticate") or []]
            digest = next((p for s, p in challenges if s == "digest"), None)
            if self.args.auth == "basic":
                if attempt == 0 and not self.args.basic_preemptive and any(s == "basic" for s, _ in challenges):
                    self.basic_challenged = True
                    continue
                raise AuthRefused(f"HTTP 401 to {what}: the ACS refused our Basic credential (challenges: {[s for s, _ in challenges]})")
            if digest is None:
                raise AuthRefused(f"HTTP 401 to {what} without a Digest challenge")
            stale = digest.get("stale", "").lower() == "true"
            sent_credential = self.digest is not None and not (self.args.auth_once and self.authenticated)
            if attempt == 1 or (sent_credential and not stale and digest.get("nonce") == self.digest.get("nonce")):
                raise AuthRefused(f"HTTP 401 to {what}: the ACS refused our Digest credential")
            if digest.get("algorithm", "MD5").upper() not in ("MD5",):
                raise ProtocolError(f"Digest algorithm {digest.get('algorithm')} is not MD5")
            self.digest, self.nc, self.authenticated = digest, 0, False
        raise AuthRefused(f"HTTP 401 to {what}")

    def _send(self, body, what):
        a = self.args
        if self.conn is None or a.new_connection_per_request:
            self.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=a.http_timeout)
            if a.http10:
                self.conn._http_vsn, self.conn._http_vsn_str = 10, "HTTP/1.0"
        headers = {"User-Agent": "independent-cwmp-cpe/1.0"}
        if a.http10:
            headers["Connection"] = "keep-alive"  # HTTP/1.0 keeps a connection only when asked to
        if a.expect_continue and body:
            headers["Expect"] = "100-continue"  # curl-based firmware does this for larger bodies
        if body or a.content_type_on_empty_post:
            headers["Content-Type"] = a.content_type
            if a.soap_action == "empty":
                headers["SOAPAction"] = '""'
            elif a.soap_action == "method" and what:
                headers["SOAPAction"] = f'"{CWMP_NAMESPACES[a.cwmp_version]}#{what}"'
        authorization = self._authorization()
        if authorization:
            headers["Authorization"] = authorization
            if what == "Inform":
                self.inform_authorization = authorization
        if self.cookies and not a.ignore_cookies:
            pairs = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            # Old CPE HTTP stacks answer in RFC 2109 style: $Version first, $Path after each cookie.
            headers["Cookie"] = f'$Version="1"; {pairs}; $Path="/"' if a.rfc2109_cookies else pairs
        if a.chunked:
            payload = iter([body[i:i + 700] for i in range(0, len(body), 700)]) if body else iter([])
            headers["Transfer-Encoding"] = "chunked"
            send = dict(body=payload, encode_chunked=True)
        else:
            headers["Content-Length"] = str(len(body or b""))
            send = dict(body=body or b"")
        try:
            self.conn.request("POST", self.path, headers=headers, **send)
            response = self.conn.getresponse()
            data = response.read()
        except (ConnectionError, http.client.HTTPException, TimeoutError, OSError) as e:
            self.close()
            raise ProtocolError(f"HTTP exchange for {what or 'empty POST'} failed: {type(e).__name__}: {e}")
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        if response.getheader("Connection", "").lower() == "close" or response.will_close:
            if a.ignore_cookies and response.status not in (204, 401) and data:
                raise ProtocolError("the ACS closed the connection mid-session; this CPE ignores cookies and cannot continue")
            self.close()
        log(f"POST {what or '(empty)'} -> HTTP {response.status} ({len(data)} bytes)")
        return response.status, response.headers, data


# ---------------------------------------------------------------------------------------------
# The CPE: sessions and RPC handling (A.3)
# ---------------------------------------------------------------------------------------------

class Cpe:
    def __init__(self, args):
        self.args = args
        self.soap = Soap(args)
        self.cr_queue = queue.Queue()
        self.cr_server = None
        cr_url = ""
        if args.connection_requests > 0 or args.cr_refuse_all:
            self.cr_server = ConnectionRequestServer(self)
            cr_url = self.cr_server.url
        self.cr_url = cr_url
        self.model = DataModel(args, cr_url)
        # --keep-old-credential: the credential it was shipped with, kept whatever SetParameterValues wrote.
        self.kept_credential = (args.username, args.password) if args.keep_old_credential else None
        self.sessions = []
        self.pending_after_reboot = {}
        self.applied_after_reboot = args.apply_after_reboot
        self.reboot_command_key = None
        self.busy = threading.Event()
        self.next_id = 1
        self.digest_state = None
        self.download = None
        self.pending_transfer = None
        self.reset_requested = False

    # --- session ------------------------------------------------------------------------------

    def run_session(self, events):
        """One CWMP session: Inform, our own requests, empty POST, then the ACS's requests until it ends the session."""
        a = self.args
        record = {"events": [e for e, _ in events], "acs_methods": [], "hold_requests": False, "acs_faults": []}
        self.sessions.append(record)
        self.busy.set()
        self.reboot_command_key = None
        acs = AcsConnection(a, self.model, self.kept_credential)
        if a.reuse_nonce and self.digest_state:
            # Like many CPEs: the last session's challenge, answered pre-emptively with the next nonce count.
            acs.digest, acs.nc = self.digest_state
        try:
            status, headers, data = acs.post(self.inform(events), "Inform")
            if status != 200:
                raise ProtocolError(f"Inform answered HTTP {status}: {data[:300]!r}")
            method, header, body = self.parse_acs(headers, data, "InformResponse")
            if method != "InformResponse":
                raise ProtocolError(f"expected InformResponse, got {method}")
            if text(body, "MaxEnvelopes") is None:
                raise ProtocolError("InformResponse lacks MaxEnvelopes")
            self.check_id_echo(header)
            hold = header.get("HoldRequests", "").strip().lower() in ("1", "true")
            record["hold_requests"] = hold
            if a.get_rpc_methods and not hold:
                status, headers, data = acs.post(self.request("GetRPCMethods", ""), "GetRPCMethods")
                method, header, body = self.parse_acs(headers, data, "GetRPCMethodsResponse")
                if method != "GetRPCMethodsResponse":
                    raise ProtocolError(f"expected GetRPCMethodsResponse, got {method}")
                self.check_id_echo(header)
                record["acs_rpc_methods"] = [m.text for m in child(body, "MethodList") or []]
            if self.pending_transfer and not hold:
                t = self.pending_transfer
                inner = (f"<CommandKey>{escape(t['command_key'])}</CommandKey><FaultStruct><FaultCode>{t['fault_code']}</FaultCode>"
                         f"<FaultString>{escape(t['fault_string'])}</FaultString></FaultStruct>"
                         f"<StartTime>{t['start']}</StartTime><CompleteTime>{t['complete']}</CompleteTime>")
                status, headers, data = acs.post(self.request("TransferComplete", inner), "TransferComplete")
                method, header, body = self.parse_acs(headers, data, "TransferCompleteResponse")
                if method != "TransferCompleteResponse":
                    raise ProtocolError(f"expected TransferCompleteResponse, got {method}")
                self.check_id_echo(header)
                record["transfer_complete"] = t
                self.pending_transfer = None  # kept until acknowledged (3.7.1.5)
            if a.transfer_complete and not hold:
                inner = ("<CommandKey>dl-1</CommandKey><FaultStruct><FaultCode>0</FaultCode><FaultString></FaultString></FaultStruct>"
                         "<StartTime>2026-01-01T00:00:00Z</StartTime><CompleteTime>2026-01-01T00:01:00Z</CompleteTime>")
                status, headers, data = acs.post(self.request("TransferComplete", inner), "TransferComplete")
                method, header, body = self.parse_acs(headers, data, "TransferCompleteResponse")
                if method != "TransferCompleteResponse":
                    raise ProtocolError(f"expected TransferCompleteResponse, got {method}")
                self.check_id_echo(header)
                record["transfer_complete_acknowledged"] = True
            reply, what = a.empty_post_body.encode(), ""
            while True:
                status, headers, data = acs.post(reply, what)
                if status == 204 or (status == 200 and not data.strip()):
                    log(f"session ended by the ACS (HTTP {status})")
                    break
                if status != 200:
                    raise ProtocolError(f"HTTP {status} during the session: {data[:300]!r}")
                method, header, body = self.parse_acs(headers, data, None)
                if method == "Fault":
                    raise ProtocolError(f"the ACS sent a SOAP Fault where a request was expected: {data[:300]!r}")
                record["acs_methods"].append(method)
                what = method + "Response"
                reply = self.answer(method, header, body, record)
        finally:
            acs.close()
            self.busy.clear()
            if acs.digest is not None:
                self.digest_state = (acs.digest, acs.nc)
            if a.report_authorization and acs.inform_authorization:
                record["inform_authorization"] = acs.inform_authorization
        if self.reset_requested:
            return [("0 BOOTSTRAP", ""), ("1 BOOT", "")]
        if self.download is not None:
            download, self.download = self.download, None
            return self.transfer(download)
        if self.reboot_command_key is not None:
            return [("1 BOOT", ""), ("M Reboot", self.reboot_command_key)]
        return None

    # --- file transfer ---------------------------------------------------------------------------

    def transfer(self, d):
        """The Download's transfer, after its session: fetch, check, install; the events of the session reporting it."""
        start = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        code, detail, image = self.fetch(d)
        if code == 0 and self.args.download_fault:
            code, detail, image = self.args.download_fault, "injected", None
        self.pending_transfer = {"command_key": d["command_key"], "fault_code": code,
                                 "fault_string": (TRANSFER_FAULTS.get(code, "File transfer failure") + (f": {detail}" if detail else "")) if code else "",
                                 "start": start, "complete": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
        log(f"download of {d['url']} ended with fault code {code} {detail}")
        reported = [("7 TRANSFER COMPLETE", ""), ("M Download", d["command_key"])]
        if code != 0 or not d["file_type"].startswith("1 "):
            return reported
        if not self.args.keep_old_firmware:
            self.model.params[self.model.root + "DeviceInfo.SoftwareVersion"].value = firmware_version(image, d["target"], d["url"])
        return [("1 BOOT", "")] + reported

    @staticmethod
    def fetch(d):
        """GET the file for real; (fault code, detail, bytes) with the A.5.1 transfer fault codes."""
        url = d["url"]
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            return 9013, url.split(":", 1)[0], None
        handlers = []
        if d["username"]:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, url, d["username"], d["password"])
            handlers = [urllib.request.HTTPBasicAuthHandler(passwords), urllib.request.HTTPDigestAuthHandler(passwords)]
        opener = urllib.request.build_opener(*handlers)
        try:
            with opener.open(url, timeout=30) as response:
                image = response.read()
        except urllib.error.HTTPError as e:
            return (9012 if e.code in (401, 403) else 9016), f"HTTP {e.code}", None
        except urllib.error.URLError as e:
            return 9015, str(e.reason), None
        except (OSError, http.client.HTTPException) as e:
            return 9017, str(e), None
        if d["file_size"] and len(image) != d["file_size"]:
            return 9018, f"{len(image)} bytes, FileSize {d['file_size']}", None
        return 0, "", image

    def inform(self, events):
        a, s = self.args, self.soap
        if a.data_model == "tr098":
            # What a TR-098 gateway informs (TR-098 Amendment 2, Inform requirements): the summary, versions, keys, WAN address.
            parameters = [
                IGD + "DeviceSummary", IGD + "DeviceInfo.HardwareVersion", IGD + "DeviceInfo.SoftwareVersion",
                IGD + "DeviceInfo.SpecVersion", IGD + "DeviceInfo.ProvisioningCode", IGD + "ManagementServer.ConnectionRequestURL",
                IGD + "ManagementServer.ParameterKey", IGD + "WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.ExternalIPAddress",
            ]
        else:
            parameters = [
                "Device.RootDataModelVersion", "Device.DeviceInfo.HardwareVersion", "Device.DeviceInfo.SoftwareVersion",
                "Device.DeviceInfo.ProvisioningCode", "Device.ManagementServer.ParameterKey",
                "Device.ManagementServer.ConnectionRequestURL",
            ]
        parameters += [n for n in a.value_changed if n in self.model.params and n not in parameters]
        event_items = [f"<EventStruct><EventCode>{escape(code)}</EventCode><CommandKey>{escape(key)}</CommandKey></EventStruct>"
                       for code, key in events]
        param_items = [f"<ParameterValueStruct><Name>{n}</Name>{s.value(self.model.params[n], self.model.params[n].value)}</ParameterValueStruct>"
                       for n in parameters]
        param_items += [f"<ParameterValueStruct><Name>{self.model.root}X_A1B2C3_Padding.{i}.Note</Name><Value>{'x' * 200}</Value></ParameterValueStruct>"
                        for i in range(a.inform_padding)]
        body = (
            f"<DeviceId><Manufacturer>{escape(a.manufacturer)}</Manufacturer><OUI>{a.oui}</OUI>"
            f"<ProductClass>{escape(a.product_class)}</ProductClass><SerialNumber>{escape(a.serial)}</SerialNumber></DeviceId>"
            f"{s.array('Event', 'cwmp:EventStruct', event_items)}<MaxEnvelopes>1</MaxEnvelopes>"
            f"<CurrentTime>{a.current_time or datetime.now(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')}</CurrentTime>"
            f"<RetryCount>{a.retry_count}</RetryCount>"
            f"{s.array('ParameterList', 'cwmp:ParameterValueStruct', param_items)}"
        )
        body = s.method("Inform", s.empty(body))
        headers = []
        if a.header:
            headers.append(s.id_header(self.new_id()))
            if a.no_more_requests:
                headers.append(f"<{s.cwmp}:NoMoreRequests>1</{s.cwmp}:NoMoreRequests>")
            if a.session_timeout:
                headers.append(f'<{s.cwmp}:SessionTimeout {s.env}:mustUnderstand="0">{a.session_timeout}</{s.cwmp}:SessionTimeout>')
            if a.vendor_header:
                headers.append(f'<x:Trace xmlns:x="urn:example-vendor:cwmp-ext" {s.env}:mustUnderstand="0">boot-7</x:Trace>')
            if a.supported_versions:
                headers.append(f'<{s.cwmp}:SupportedCWMPVersions {s.env}:mustUnderstand="0">{a.supported_versions}</{s.cwmp}:SupportedCWMPVersions>')
        return s.envelope(body, headers)

    def new_id(self):
        self.sent_id = f"cpe-{self.next_id}"
        self.next_id += 1
        return self.sent_id

    def request(self, method, inner):
        s = self.soap
        headers = [s.id_header(self.new_id())] if self.args.header else []
        return s.envelope(s.method(method, s.empty(inner)), headers)

    def check_id_echo(self, header):
        # A.2.1.1: the response to a request carrying cwmp:ID carries the same ID.
        if self.args.header and header.get("ID") != self.sent_id:
            raise ProtocolError(f"the ACS did not echo cwmp:ID {self.sent_id!r} (got {header.get('ID')!r})")

    def parse_acs(self, headers, data, expected):
        """Parses an ACS envelope strictly where a fragile CPE would be strict. Returns (method, header dict, element)."""
        content_type = (headers.get("Content-Type") or "").lower()
        if self.args.refuse_xml_declaration and data.lstrip().startswith(b"<?xml"):
            # Some field SOAP stacks take only an envelope as the first thing in a message (the declaration is optional in XML 1.0).
            raise ProtocolError(f"ACS message starts with an XML declaration, which this CPE's SOAP stack refuses: {data[:60]!r}")
        if not content_type.startswith("text/xml"):
            raise ProtocolError(f"ACS envelope has Content-Type {content_type!r}, SOAP 1.1 requires text/xml")
        try:
            root = ET.fromstring(data)
        except ET.ParseError as e:
            raise ProtocolError(f"ACS sent XML that does not parse ({e}): {data[:200]!r}")
        if root.tag != f"{{{SOAP_ENV}}}Envelope":
            raise ProtocolError(f"ACS root element is {root.tag}, not a SOAP 1.1 Envelope")
        header, body = {}, None
        for c in root:
            if c.tag == f"{{{SOAP_ENV}}}Header":
                for h in c:
                    name = local(h.tag)
                    must = h.get(f"{{{SOAP_ENV}}}mustUnderstand", "0").strip() in ("1", "true")
                    if namespace(h.tag) != self.soap.ns and namespace(h.tag) in CWMP_NAMESPACES.values():
                        raise ProtocolError(f"ACS header {name} in {namespace(h.tag)}, but this session uses {self.soap.ns}")
                    if must and name not in ("ID", "HoldRequests", "UseCWMPVersion"):
                        raise ProtocolError(f"ACS header {h.tag} has mustUnderstand=1 and this CPE does not know it")
                    header[name] = (h.text or "").strip()
            elif c.tag == f"{{{SOAP_ENV}}}Body":
                body = c
        if body is None or len(body) != 1:
            raise ProtocolError("ACS envelope must have a Body with exactly one element")
        element = body[0]
        method = local(element.tag)
        if element.tag == f"{{{SOAP_ENV}}}Fault":
            if expected is None:
                return "Fault", header, element
            raise ProtocolError(f"the ACS answered with a SOAP Fault instead of {expected}: {data[:400]!r}")
        if namespace(element.tag) != self.soap.ns:
            raise ProtocolError(f"ACS method {method} is in namespace {namespace(element.tag)!r}; this CPE used {self.soap.ns}")
        log(f"received {method}" + (f" (header {header})" if header else ""))
        if self.args.verbose:
            log(data.decode("utf-8", "replace"))
        return method, header, element

    def answer(self, method, header, body, record):
        s = self.soap
        handler = getattr(self, "rpc_" + method, None)
        headers = [s.id_header(header["ID"])] if "ID" in header else []
        try:
            if handler is None:
                raise CpeFault(9000)
            inner = handler(body, record)
            envelope = s.envelope(s.method(method + "Response", s.empty(inner)), headers)
        except CpeFault as fault:
            log(f"answering {method} with fault {fault}")
            record["acs_faults"].append({"method": method, "code": fault.code, "parameters": fault.parameter_faults})
            envelope = s.envelope(s.fault(fault, method), headers)
        return envelope

    # --- RPC methods (A.3.2) --------------------------------------------------------------------

    def rpc_GetRPCMethods(self, body, record):
        methods = ["GetRPCMethods", "SetParameterValues", "GetParameterValues", "GetParameterNames",
                   "SetParameterAttributes", "GetParameterAttributes", "AddObject", "DeleteObject", "Reboot"]
        return self.soap.array("MethodList", "xsd:string", [f"<string>{m}</string>" for m in methods])

    def rpc_GetParameterValues(self, body, record):
        names = child(body, "ParameterNames")
        if names is None:
            raise CpeFault(9003)
        found = []
        for n in names:
            path = (n.text or "").strip()
            if self.args.gpv_object_answers and path and not path.endswith("."):
                self.model.get(path)  # 9005 for a name it lacks, as before
                path = path.rsplit(".", 1)[0] + "."
            found += [(name, p) for name, p in self.model.get(path) if (name, p) not in found]
        items = [f"<ParameterValueStruct><Name>{escape(n)}</Name>{self.soap.value(p, '' if p.hidden else p.value)}</ParameterValueStruct>"
                 for n, p in found]
        return self.soap.array("ParameterList", "cwmp:ParameterValueStruct", items)

    def rpc_SetParameterValues(self, body, record):
        plist, key = child(body, "ParameterList"), text(body, "ParameterKey")
        if plist is None or key is None or len(key) > 32:
            raise CpeFault(9003)  # ParameterKey is a required string(32) argument (A.3.2.1)
        changes, faults = {}, []
        for pvs in plist:
            name, value_el = (text(pvs, "Name") or "").strip(), child(pvs, "Value")
            value = "" if value_el is None else (value_el.text or "")
            declared = (value_el.get(f"{{{XSI}}}type") or "").split(":")[-1] if value_el is not None else ""
            if name in changes:
                raise CpeFault(9003)  # the same parameter twice is invalid (A.3.2.1)
            existing = self.model.params.get(name)
            if existing is None:
                if (not name.startswith(self.model.root) or name.endswith(".") or self.model.fixed_schema
                        or (self.model.strict_instances and self.model.instance_missing(name))):
                    faults.append((name, 9005))
                    continue
                existing = Parameter("", declared or "string")
            if not existing.writable:
                faults.append((name, 9008))
                continue
            if declared and declared != existing.type and declared in TYPE_CHECKS:
                faults.append((name, 9006))
                continue
            if not TYPE_CHECKS.get(existing.type, lambda v: True)(value.strip()) or not existing.accepts(value.strip()):
                faults.append((name, 9007))
                continue
            changes[name] = (existing, value.strip() if existing.type != "string" else value)
        if faults:
            raise CpeFault(9003, faults)  # all or nothing
        record.setdefault("set_parameter_keys", []).append(key)
        if self.applied_after_reboot:
            # This firmware applies configuration at boot: keep it until then and say so (Status 1).
            self.applied_after_reboot = False
            self.pending_after_reboot.update({n: (p, v) for n, (p, v) in changes.items()})
            status = 1
        else:
            self.apply(changes)
            status = 0
        self.model.params[self.model.ms + "ParameterKey"].value = key
        return f"<Status>{status}</Status>"

    def apply(self, changes):
        for name, (param, value) in changes.items():
            if name not in self.model.params:
                self.model.params[name] = param
                self.model._note_instances(name)
            param.value = value

    def rpc_GetParameterNames(self, body, record):
        path = (text(body, "ParameterPath") or "").strip()
        next_level = (text(body, "NextLevel") or "").strip().lower() in ("1", "true")
        items = [f"<ParameterInfoStruct><Name>{escape(n)}</Name><Writable>{'1' if w else '0'}</Writable></ParameterInfoStruct>"
                 for n, w in self.model.names(path, next_level)]
        return self.soap.array("ParameterList", "cwmp:ParameterInfoStruct", items)

    def rpc_GetParameterAttributes(self, body, record):
        names = child(body, "ParameterNames")
        items = []
        for n in names if names is not None else []:
            for name, p in self.model.get((n.text or "").strip()):
                items.append(f"<ParameterAttributeStruct><Name>{escape(name)}</Name><Notification>{p.notification}</Notification>"
                             f"{self.soap.array('AccessList', 'xsd:string', [])}</ParameterAttributeStruct>")
        return self.soap.array("ParameterList", "cwmp:ParameterAttributeStruct", items)

    def rpc_SetParameterAttributes(self, body, record):
        for s in child(body, "ParameterList") or []:
            if (text(s, "NotificationChange") or "").strip() in ("1", "true"):
                for _, p in self.model.get((text(s, "Name") or "").strip()):
                    p.notification = int((text(s, "Notification") or "0").strip() or 0)
        return ""

    def rpc_AddObject(self, body, record):
        table, key = (text(body, "ObjectName") or "").strip(), text(body, "ParameterKey")
        if key is None or len(key) > 32:
            raise CpeFault(9003)
        number = self.model.add_object(table)
        self.model.params[self.model.ms + "ParameterKey"].value = key
        return f"<InstanceNumber>{number}</InstanceNumber><Status>0</Status>"

    def rpc_DeleteObject(self, body, record):
        instance, key = (text(body, "ObjectName") or "").strip(), text(body, "ParameterKey")
        if key is None or len(key) > 32:
            raise CpeFault(9003)
        self.model.delete_object(instance)
        self.model.params[self.model.ms + "ParameterKey"].value = key
        return "<Status>0</Status>"

    def rpc_Download(self, body, record):
        key, url = text(body, "CommandKey"), text(body, "URL")
        if key is None or not url or text(body, "FileType") is None:
            raise CpeFault(9003)
        try:
            size = int(text(body, "FileSize") or "0")
        except ValueError:
            raise CpeFault(9003)
        self.download = {"command_key": key, "file_type": text(body, "FileType"), "url": url.strip(),
                         "username": text(body, "Username") or "", "password": text(body, "Password") or "",
                         "file_size": size, "target": text(body, "TargetFileName") or ""}
        # Status 1: not done yet; the unknown-time value for both times (A.3.2.8).
        return "<Status>1</Status><StartTime>0001-01-01T00:00:00Z</StartTime><CompleteTime>0001-01-01T00:00:00Z</CompleteTime>"

    def rpc_FactoryReset(self, body, record):
        self.reset_requested = True
        return ""

    def rpc_Reboot(self, body, record):
        key = text(body, "CommandKey")
        if key is None or len(key) > 32:
            raise CpeFault(9003)  # CommandKey is a required string(32) argument (A.3.2.7)
        self.reboot_command_key = key
        return ""

    # --- lifecycle ------------------------------------------------------------------------------

    def run_sessions(self, events):
        """A session and the ones it leads to (after a Reboot)."""
        while events:
            events = self.run_session(events)
            if self.reset_requested:
                self.reset_requested = False
                firmware = self.model.params[self.model.root + "DeviceInfo.SoftwareVersion"].value
                self.factory_reset()
                self.model.params[self.model.root + "DeviceInfo.SoftwareVersion"].value = firmware  # a reset keeps the image
            elif events and ("1 BOOT", "") in events:
                self.reboot()

    def factory_reset(self):
        """What a customer's reset button does (TR-069 3.7.1.5: the next Inform carries 0 BOOTSTRAP): the data model
        back to factory values, the factory ACS credential and Connection Request credential included, and no
        memory of the ACS's challenge."""
        log("factory reset")
        self.model = DataModel(self.args, self.cr_url)
        self.digest_state = None
        self.pending_after_reboot = {}
        self.applied_after_reboot = False

    def reboot(self):
        log("rebooting")
        time.sleep(self.args.reboot_delay)
        self.apply(self.pending_after_reboot)
        self.pending_after_reboot = {}

    def run(self):
        self.run_sessions([(e, "") for e in self.args.event])
        if self.args.factory_reset:
            self.factory_reset()
            self.run_sessions([("0 BOOTSTRAP", ""), ("1 BOOT", "")])
        for _ in range(self.args.periodic_sessions):
            self.run_sessions([("2 PERIODIC", "")])
        if self.args.ready_file:
            with open(self.args.ready_file, "w") as f:
                f.write(self.model.params[self.model.ms + "ConnectionRequestURL"].value + "\n")
        if self.args.periodic_inform_after:
            # Its PeriodicInformInterval elapses: it comes on its own, whatever Connection Requests it refused meanwhile.
            time.sleep(self.args.periodic_inform_after)
            self.run_sessions([("2 PERIODIC", "")])
        served = 0
        while served < self.args.connection_requests:
            try:
                self.cr_queue.get(timeout=self.args.connection_request_wait)
            except queue.Empty:
                raise ProtocolError(f"waited {self.args.connection_request_wait}s for Connection Request {served + 1}; none came")
            served += 1
            self.run_sessions([("6 CONNECTION REQUEST", "")])
        if self.pending_after_reboot:
            raise ProtocolError("this CPE answered Status 1 (applied after reboot) and the ACS never rebooted it")

    def report(self, ok, error=None):
        result = {"ok": ok, "sessions": self.sessions, "parameters": self.model.dump(),
                  "parameter_key": self.model.params[self.model.ms + "ParameterKey"].value}
        if self.cr_server:
            result["connection_requests_refused"] = self.cr_server.refused
        if error:
            result["error"] = error
        return result


# ---------------------------------------------------------------------------------------------
# Connection Request server (3.2.2): HTTP GET, Digest-authenticated by the CPE
# ---------------------------------------------------------------------------------------------

class ConnectionRequestServer:
    REALM = "IndependentCPE"

    def __init__(self, cpe):
        self.cpe = cpe
        self.nonces = set()
        self.path = "/cr/" + os.urandom(6).hex()
        self.style = cpe.args.cr_challenge
        self.refused = 0
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *args):
                log("connection request server: " + fmt % args)

            def do_GET(self):
                self.server_cpe_args = server.cpe.args
                server.handle(self)

            def do_POST(self):
                self.server_cpe_args = server.cpe.args
                self.send_response(405)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", cpe.args.connection_request_port), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}{self.path}"
        if cpe.args.cr_query:
            self.url += "?token=" + os.urandom(4).hex()
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def handle(self, h):
        if urllib.parse.urlsplit(h.path).path != self.path:
            return self.reply(h, 404)
        if self.cpe.args.cr_refuse_all or not self.authorised(h):
            self.refused += 1
            nonce = os.urandom(12).hex()
            self.nonces.add(nonce)
            challenge = {
                "standard": f'Digest realm="{self.REALM}", nonce="{nonce}", qop="auth", algorithm=MD5',
                "opaque": f'Digest realm="{self.REALM}", qop="auth,auth-int", nonce="{nonce}", opaque="{os.urandom(8).hex()}"',
                "rfc2069": f'Digest realm="{self.REALM}", nonce="{nonce}"',
            }[self.style]
            return self.reply(h, 401, {"WWW-Authenticate": challenge})
        if self.cpe.busy.is_set() or not self.cpe.cr_queue.empty():
            return self.reply(h, 503)  # in a session already (3.2.2)
        self.cpe.cr_queue.put(True)
        log("connection request accepted")
        self.reply(h, 200)

    def authorised(self, h):
        value = h.headers.get("Authorization") or ""
        scheme, p = parse_challenge(value)
        if scheme != "digest" or p.get("nonce") not in self.nonces:
            return False
        params = self.cpe.model.params
        user = params[self.cpe.model.ms + "ConnectionRequestUsername"].value
        password = params[self.cpe.model.ms + "ConnectionRequestPassword"].value
        if p.get("username") != user or p.get("realm") != self.REALM:
            log(f"connection request with username {p.get('username')!r} refused")
            return False
        ha1 = md5(f"{user}:{self.REALM}:{password}")
        if urllib.parse.urlsplit(p.get("uri", "")).path != self.path:
            log(f"connection request Digest uri {p.get('uri')!r} is not the requested one")
            return False
        ha2 = md5(f"GET:{p.get('uri', '')}")
        if self.style == "opaque" and not p.get("opaque"):
            log("connection request without the opaque value of the challenge refused")
            return False
        if p.get("qop") == "auth":
            expected = md5(f"{ha1}:{p['nonce']}:{p.get('nc', '')}:{p.get('cnonce', '')}:auth:{ha2}")
        else:
            expected = md5(f"{ha1}:{p['nonce']}:{ha2}")
        if expected != p.get("response"):
            log("connection request with a wrong Digest response refused")
            return False
        self.nonces.discard(p["nonce"])  # one use per nonce: a replayed request gets a new challenge
        return True

    @staticmethod
    def reply(h, status, headers=None):
        if h.server_cpe_args.cr_broken_http:
            # An embedded server of the field: bare LF line endings, each header value folded onto a second line,
            # no blank line after the headers, and the connection closed.
            lines = [f"HTTP/1.1 {status} {h.responses.get(status, ('',))[0]}", "Server: tiny-cr/0.1"]
            for k, v in (headers or {}).items():
                first, _, rest = v.partition(", ")
                lines.append(f"{k}: {first}," + (f"\n\t{rest}" if rest else ""))
            lines.append("Content-Length: 0")
            h.wfile.write(("\n".join(lines) + "\n").encode("latin-1"))
            h.wfile.flush()
            h.close_connection = True
            return
        h.send_response(status)
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.send_header("Content-Length", "0")
        h.end_headers()


# ---------------------------------------------------------------------------------------------
# Malformed input probe
# ---------------------------------------------------------------------------------------------

def probe_malformed(args):
    """Sends one broken envelope; the ACS must answer with HTTP 400 or a SOAP Fault (and keep running)."""
    cpe = Cpe(args)
    good = cpe.inform([("0 BOOTSTRAP", "")]).decode()
    bodies = {
        "truncated": good[: len(good) // 2],
        "not-xml": "this is not XML at all <<<",
        "not-soap": '<?xml version="1.0"?><Inform xmlns="urn:example:not-soap"><Serial>1</Serial></Inform>',
        "no-device-id": re.sub(r"<DeviceId>.*?</DeviceId>", "", good),
    }
    acs = AcsConnection(args, cpe.model)
    try:
        status, headers, data = acs.post(bodies[args.malformed].encode(), "malformed " + args.malformed)
    finally:
        acs.close()
    result = {"ok": False, "malformed": args.malformed, "status": status, "body": data[:600].decode("utf-8", "replace"),
              "soap_fault": False, "cwmp_fault_code": None, "fault_namespace": None}
    try:
        fault = ET.fromstring(data).find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault") if data.strip() else None
    except ET.ParseError:
        fault = None
    if fault is not None:
        result["soap_fault"] = True
        detail = next((d for d in fault.iter() if local(d.tag) == "Fault" and namespace(d.tag) in CWMP_NAMESPACES.values()), None)
        if detail is not None:
            result["fault_namespace"] = namespace(detail.tag)
            code = text(detail, "FaultCode")
            result["cwmp_fault_code"] = int(code) if code and code.strip().isdigit() else None
    ok = status == 400 or result["soap_fault"]
    # The ACS answers in the namespace the CPE used, where the CPE's envelope names one (PROTOCOLS, A.2).
    sent_namespace = cpe.soap.ns if cpe.soap.ns.encode() in bodies[args.malformed].encode() else None
    if ok and sent_namespace and result["fault_namespace"] not in (None, sent_namespace):
        result["error"] = f"the fault is in {result['fault_namespace']}, the envelope was in {sent_namespace}"
        ok = False
    result["ok"] = ok
    return result


# ---------------------------------------------------------------------------------------------

def arguments(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--acs-url", required=True)
    p.add_argument("--serial", required=True)
    p.add_argument("--oui", default="A1B2C3")
    p.add_argument("--product-class", default="IndieGateway")
    p.add_argument("--manufacturer", default="Independent Networks")
    p.add_argument("--model-name", default="IG-098")
    p.add_argument("--data-model", choices=["tr181", "tr098"], default="tr181",
                   help="tr098: an InternetGatewayDevice: root (TR-098 Amendment 2, TR-104 voice), a fixed schema, bridges added with AddObject")
    p.add_argument("--wlan-instances", type=int, default=2, help="WLANConfiguration instances of a tr098 CPE (its radios)")
    p.add_argument("--vendor-tr098", action="store_true",
                   help="tr098 vendor model: WPA passphrase only at PreSharedKey.{k}.PreSharedKey, no Layer2Bridging")
    p.add_argument("--gpv-object-answers", action="store_true",
                   help="answer GetParameterValues of a parameter with every parameter of its object, as for a partial path name")
    p.add_argument("--software-version", default="3.1.4")
    p.add_argument("--username", default="bootstrap")
    p.add_argument("--password", default="bootstrap")
    p.add_argument("--cr-username", default="cr")
    p.add_argument("--cr-password", default="cr")
    p.add_argument("--auth", choices=["digest", "basic"], default="digest")
    p.add_argument("--basic-preemptive", action="store_true", help="send Basic with the first request instead of after a 401")
    p.add_argument("--auth-once", action="store_true", help="authenticate the first request only, then rely on the session")
    p.add_argument("--event", action="append", help="Inform event code (repeatable); default 0 BOOTSTRAP + 1 BOOT")
    p.add_argument("--value-changed", action="append", default=[], help="parameter reported with 4 VALUE CHANGE")
    p.add_argument("--current-time", default="", help="CurrentTime as sent (e.g. 0001-01-01T00:00:00Z: no time source yet)")
    p.add_argument("--retry-count", type=int, default=0, help="RetryCount in the Inform (sessions that failed before)")
    p.add_argument("--soap-prefix", default="soap-env")
    p.add_argument("--cwmp-prefix", default="cwmp")
    p.add_argument("--cwmp-version", choices=sorted(CWMP_NAMESPACES), default="1.2")
    p.add_argument("--content-type", default='text/xml; charset="utf-8"')
    p.add_argument("--soap-action", choices=["none", "empty", "method"], default="empty")
    p.add_argument("--ignore-cookies", action="store_true", help="never return cookies: the kept-alive connection is the session")
    p.add_argument("--new-connection-per-request", action="store_true", help="a new TCP connection for every POST (cookies carry the session)")
    p.add_argument("--http10", action="store_true", help="HTTP/1.0 requests with Connection: keep-alive")
    p.add_argument("--expect-continue", action="store_true", help="Expect: 100-continue on requests with a body")
    p.add_argument("--chunked", action="store_true", help="send request bodies with Transfer-Encoding: chunked")
    p.add_argument("--xml-declaration", action="store_true")
    p.add_argument("--bom", action="store_true", help="a UTF-8 byte order mark before the envelope")
    p.add_argument("--leading-newline", action="store_true", help="a CRLF before the envelope (and its XML declaration)")
    p.add_argument("--vendor-header", action="store_true", help="an unknown vendor SOAP header with mustUnderstand=0")
    p.add_argument("--pretty", action="store_true", help="newlines and indentation between elements")
    p.add_argument("--must-understand-true", action="store_true", help='mustUnderstand="true" instead of "1"')
    p.add_argument("--rfc2109-cookies", action="store_true", help="return cookies with $Version and $Path attributes")
    p.add_argument("--content-type-on-empty-post", action="store_true")
    p.add_argument("--empty-post-body", default="", help="what the 'empty' POST carries (e.g. a CRLF, as some stacks send)")
    p.add_argument("--digest-compact", action="store_true", help="Authorization without blanks and without algorithm")
    p.add_argument("--digest-fixed-nc", action="store_true", help="nc=00000001 on every request (no nonce count)")
    p.add_argument("--reuse-nonce", action="store_true", help="answer the previous session's challenge pre-emptively")
    p.add_argument("--digest-absolute-uri", action="store_true", help="the absolute ACS URL as the Digest uri")
    p.add_argument("--inform-padding", type=int, default=0, help="extra vendor parameters in the Inform (about 260 bytes each)")
    p.add_argument("--transfer-complete", action="store_true", help="send TransferComplete before the empty POST")
    p.add_argument("--no-header", dest="header", action="store_false", help="send no SOAP Header (no cwmp:ID)")
    p.add_argument("--no-more-requests", action="store_true", help="NoMoreRequests header on the Inform (CWMP 1.0)")
    p.add_argument("--session-timeout", type=int, default=0, help="SessionTimeout header on the Inform (CWMP 1.2+)")
    p.add_argument("--supported-versions", default="", help="SupportedCWMPVersions header on the Inform (CWMP 1.4)")
    p.add_argument("--no-array-type", dest="array_type", action="store_false")
    p.add_argument("--array-size-mismatch", action="store_true", help="soap-enc:arrayType sizes one more than the items")
    p.add_argument("--self-closing", action="store_true", help="empty elements as <X/> (CommandKey, empty values, ...)")
    p.add_argument("--cdata-values", action="store_true", help="values in CDATA sections")
    p.add_argument("--no-xsi-type", dest="xsi_type", action="store_false")
    p.add_argument("--get-rpc-methods", action="store_true", help="send GetRPCMethods to the ACS before the empty POST")
    p.add_argument("--apply-after-reboot", action="store_true", help="answer the first SetParameterValues with Status 1")
    p.add_argument("--reboot-delay", type=float, default=0.3)
    p.add_argument("--download-fault", type=int, choices=[9010, 9012, 9013, 9014, 9015, 9016, 9017, 9018, 9019],
                   help="every Download ends with this TransferComplete FaultCode (default: what the real fetch gives)")
    p.add_argument("--keep-old-firmware", action="store_true",
                   help="a firmware Download reports FaultCode 0 and reboots, but the CPE keeps its old SoftwareVersion")
    p.add_argument("--strict-instances", action="store_true", help="9005 for parameters of object instances that do not exist")
    p.add_argument("--lacks-instance", action="append", default=[], help="an object instance this CPE does not have")
    p.add_argument("--connection-requests", type=int, default=0, help="listen and serve this many Connection Requests")
    p.add_argument("--cr-challenge", choices=["standard", "opaque", "rfc2069"], default="standard",
                   help="the Digest challenge the Connection Request server sends")
    p.add_argument("--cr-query", action="store_true", help="a query string in the ConnectionRequestURL")
    p.add_argument("--cr-broken-http", action="store_true",
                   help="the Connection Request server answers with bare LF line endings, folded headers and no blank line after them")
    p.add_argument("--cr-refuse-all", action="store_true",
                   help="refuse every Connection Request with 401 (its Connection Request credential is not the inventory's)")
    p.add_argument("--periodic-inform-after", type=float, default=0,
                   help="after the first sessions (and the ready file), wait this many seconds and inform with 2 PERIODIC")
    p.add_argument("--refuse-xml-declaration", action="store_true",
                   help="refuse any ACS message that starts with an XML declaration (a fragile SOAP stack)")
    p.add_argument("--connection-request-port", type=int, default=0)
    p.add_argument("--connection-request-wait", type=float, default=30)
    p.add_argument("--ready-file", help="written once the first session ended (a test waits on it)")
    p.add_argument("--http-timeout", type=float, default=40)
    p.add_argument("--malformed", choices=["truncated", "not-xml", "not-soap", "no-device-id"])
    p.add_argument("--factory-reset", action="store_true",
                   help="after the first sessions, reset to factory values (ACS and Connection Request credentials too) and bootstrap again")
    p.add_argument("--keep-old-credential", action="store_true",
                   help="acknowledge SetParameterValues of ManagementServer.Username/Password but keep authenticating with the old credential")
    p.add_argument("--periodic-sessions", type=int, default=0,
                   help="this many 2 PERIODIC sessions after the others (with --reuse-nonce: one nonce, nc 1, 2, 3, ... across them)")
    p.add_argument("--report-authorization", action="store_true",
                   help="put each session's Inform Authorization header in the report (what an eavesdropper captures)")
    p.add_argument("--replay-authorization",
                   help="an attacker replaying a captured header: send it with the Inform, never answer a challenge (exit 3 when refused)")
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args(argv)
    args.event = args.event or ["0 BOOTSTRAP", "1 BOOT"]
    return args


def main(argv):
    args = arguments(argv)
    if args.malformed:
        try:
            result = probe_malformed(args)
        except ProtocolError as e:
            result = {"ok": False, "malformed": args.malformed, "error": str(e)}
        print(json.dumps(result))
        if not result["ok"]:
            log(f"FAILED: the malformed envelope did not get a clear error: {result}")
        return 0 if result["ok"] else 1
    cpe = Cpe(args)
    try:
        cpe.run()
    except AuthRefused as e:
        log(f"FAILED: {e}")
        print(json.dumps(cpe.report(False, str(e))))
        return 3
    except ProtocolError as e:
        log(f"FAILED: {e}")
        print(json.dumps(cpe.report(False, str(e))))
        return 1
    finally:
        if cpe.cr_server:
            cpe.cr_server.httpd.shutdown()
    print(json.dumps(cpe.report(True)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
