"""Firmware, reboot and factory reset for the independent USP agent (usp_agent.py), written from TR-181 and TR-369.

Device.DeviceInfo.FirmwareImage.{i}.Download() is an asynchronous command: the OperateResp names a request object,
then the agent fetches the URL for real (urllib, Basic or Digest with Username/Password when the server asks, FileSize
and CheckSum checked) and sends Notify OperationComplete on the controller's OperationComplete subscription for the
command (an empty subscription_id when it has none): req_output_args, or cmd_failure 7022 (command failure) with what
went wrong; the image's Status becomes Available, DownloadFailed or ValidationFailed. Activate() (or AutoActivate)
reboots into the image: Boot! with Cause RemoteReboot and FirmwareUpdated true, SoftwareVersion the image's version.
Device.Reboot() reboots (Cause RemoteReboot), Device.FactoryReset() restores the factory data model, keeping the
installed firmware (Cause RemoteFactoryReset). Version convention: the image starts with "CPE-FIRMWARE <version>\\n";
else the URL's last path segment without its extension. Python 3 standard library only.
"""

import hashlib
import urllib.error
import urllib.parse
import urllib.request

from usp_wire import Writer

E_COMMAND_FAILURE, E_INVALID_COMMAND_ARGS = 7022, 7027
IMAGE = "Device.DeviceInfo.FirmwareImage."
HASHES = {"SHA-1": hashlib.sha1, "SHA-224": hashlib.sha224, "SHA-256": hashlib.sha256, "SHA-384": hashlib.sha384,
          "SHA-512": hashlib.sha512}


def firmware_version(image, url):
    if image and image.startswith(b"CPE-FIRMWARE "):
        version = image[len(b"CPE-FIRMWARE "):].split(b"\n", 1)[0].decode("utf-8", "replace").strip()
        if version:
            return version
    name = urllib.parse.unquote(urllib.parse.urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])
    return name.rsplit(".", 1)[0] if "." in name[1:] else name


def fetch(args):
    """GET the image; (error code or 0, message, version, corrupted)."""
    url = args.get("URL", "")
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        return E_INVALID_COMMAND_ARGS, "unsupported URL %r" % url, None, False
    handlers = []
    if args.get("Username"):
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, url, args["Username"], args.get("Password", ""))
        handlers = [urllib.request.HTTPBasicAuthHandler(passwords), urllib.request.HTTPDigestAuthHandler(passwords)]
    try:
        with urllib.request.build_opener(*handlers).open(url, timeout=30) as response:
            image = response.read()
    except urllib.error.HTTPError as e:
        return E_COMMAND_FAILURE, ("file server authentication failure" if e.code in (401, 403) else "file server answered HTTP %d" % e.code), None, False
    except (urllib.error.URLError, OSError) as e:
        return E_COMMAND_FAILURE, "unable to contact file server: %s" % getattr(e, "reason", e), None, False
    size = args.get("FileSize", "")
    if size.isdigit() and int(size) and len(image) != int(size):
        return E_COMMAND_FAILURE, "file corrupted: %d bytes, FileSize %s" % (len(image), size), None, True
    if args.get("CheckSum"):
        algorithm = HASHES.get(args.get("CheckSumAlgorithm") or "SHA-256")
        if algorithm is None:
            return E_INVALID_COMMAND_ARGS, "unsupported CheckSumAlgorithm", None, False
        if algorithm(image).hexdigest().lower() != args["CheckSum"].lower():
            return E_COMMAND_FAILURE, "file corrupted: checksum mismatch", None, True
    return 0, "", firmware_version(image, url), False


def operation_complete(subscription_id, obj_path, command_name, command_key, code=0, message=""):
    """A Notify (send_resp false) carrying OperationComplete."""
    complete = Writer().string(1, obj_path).string(2, command_name).string(3, command_key)
    if code:
        complete.message(5, Writer().fixed32(1, code).string(2, message))
    else:
        complete.message(4, Writer())
    return Writer().string(1, subscription_id).message(7, complete)
