#!/usr/bin/python3
"""Drives a vCenter (our simulator) through the frozen-source instant-clone workflow with VMware's pyVmomi.

Input: env SIM_CONTRACT = the simulator's contract JSON (url, username, password, sources, guest).
Output: a JSON summary as the last stdout line; exit code 0 when every check passed.
"""
import json
import os
import re
import ssl
import sys
import time
import urllib.request
from urllib.parse import urlparse

from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim, vmodl

CONTRACT = json.loads(os.environ["SIM_CONTRACT"])
URL = urlparse(CONTRACT["url"])
CTX = ssl._create_unverified_context()  # the simulator's certificate is self-signed
RUN = os.environ.get("RUN_ID", "pyvmomi-%d" % os.getpid())
checks = []


def check(cond, what):
    checks.append({"check": what, "ok": bool(cond)})
    if not cond:
        raise AssertionError(what)


def connect():
    try:
        return SmartConnect(host=URL.hostname, port=URL.port, user=CONTRACT["username"],
                            pwd=CONTRACT["password"], disableSslCertValidation=True)
    except TypeError:  # pyVmomi < 7.0.3 has no disableSslCertValidation
        return SmartConnect(host=URL.hostname, port=URL.port, user=CONTRACT["username"],
                            pwd=CONTRACT["password"], sslContext=CTX)


def wait_for(si, obj, paths, done, timeout=60):
    """Waits with CreateFilter + WaitForUpdatesEx (push, no sleeps) until done(props) is truthy."""
    pc = si.content.propertyCollector
    spec = vmodl.query.PropertyCollector.FilterSpec(
        objectSet=[vmodl.query.PropertyCollector.ObjectSpec(obj=obj, skip=False)],
        propSet=[vmodl.query.PropertyCollector.PropertySpec(type=type(obj), pathSet=paths, all=False)])
    flt = pc.CreateFilter(spec, partialUpdates=False)
    props, version, deadline = {}, "", time.time() + timeout
    try:
        while time.time() < deadline:
            res = pc.WaitForUpdatesEx(version, vmodl.query.PropertyCollector.WaitOptions(maxWaitSeconds=5))
            if res is None:
                continue
            version = res.version
            for fs in res.filterSet:
                for ou in fs.objectSet:
                    for ch in ou.changeSet:
                        props[ch.name] = ch.val
            result = done(props)
            if result:
                return result
        raise AssertionError("timed out waiting for %s on %s: %r" % (paths, obj, props))
    finally:
        flt.DestroyPropertyFilter()


def wait_task(si, task):
    info = wait_for(si, task, ["info"], lambda p: p.get("info") if p.get("info") and p["info"].state in ("success", "error") else None)
    if info.state == "error":
        raise info.error
    return info.result


def first_nic(vm):
    return next(d for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualEthernetCard))


def nic_edit(nic, connected, migrate):
    nic.connectable = vim.vm.device.VirtualDevice.ConnectInfo(
        migrateConnect=migrate, startConnected=True, allowGuestControl=True, connected=connected)
    return vim.vm.device.VirtualDeviceSpec(operation="edit", device=nic)


def refresh_program(os_name, out_file):
    # Tools report guest.net on their 30 s guest-info poll. The Linux script asks them to send it now
    # (vmware-toolbox-cmd info update network); the Windows one does not, so its guest.net wait below
    # covers a client that waits for the poll.
    if os_name == "linux":
        script = ("exec > %s 2>&1; modprobe -r vmxnet3; modprobe vmxnet3; "
                  "dhclient -1 ens192 || nmcli device reapply ens192; ip -4 -o addr show dev ens192; "
                  "vmware-toolbox-cmd info update network" % out_file)
        return vim.vm.guest.ProcessManager.ProgramSpec(programPath="/bin/sh", arguments="-c '%s'" % script)
    script = ('netsh interface set interface "Ethernet0" disable & netsh interface set interface "Ethernet0" enable'
              ' & ipconfig /renew > NUL & ipconfig > %s' % out_file)
    return vim.vm.guest.ProcessManager.WindowsProgramSpec(
        programPath=r"C:\Windows\System32\cmd.exe", arguments='/c "%s"' % script, startMinimized=True)


def start_with_retry(pm, vm, auth, spec, attempts=40):
    for i in range(attempts):
        try:
            return pm.StartProgramInGuest(vm, auth, spec), i
        except (vim.fault.GuestOperationsUnavailable, vim.fault.InvalidState):
            time.sleep(0.05 * (i + 1))
    raise AssertionError("guest operations never became available")


def good_ip(addr, source_ip):
    return (addr.ipAddress.count(".") == 3 and not addr.ipAddress.startswith("169.254.")
            and addr.origin != "linklayer" and addr.state == "preferred" and addr.ipAddress != source_ip)


def workflow(si, os_name, source_path, extra_checks):
    t0 = time.time()
    content = si.RetrieveContent()
    src = content.searchIndex.FindByInventoryPath(source_path)
    check(src is not None, "%s: source found at %s" % (os_name, source_path))
    check(src.runtime.instantCloneFrozen is True, "%s: source is frozen" % os_name)
    check(src.runtime.powerState == "poweredOn", "%s: source powered on" % os_name)
    source_ip, src_nic = src.guest.ipAddress, first_nic(src)
    name = "%s-%s" % (RUN, os_name)
    spec = vim.vm.InstantCloneSpec(
        name=name,
        location=vim.vm.RelocateSpec(deviceChange=[nic_edit(src_nic, False, "disconnect")]),
        config=[vim.option.OptionValue(key="guestinfo.ic.run", value=RUN),
                vim.option.OptionValue(key="guestinfo.ic.hostname", value=name)])
    clone = wait_task(si, src.InstantClone_Task(spec))
    t_clone = time.time()
    check(isinstance(clone, vim.VirtualMachine), "%s: task result is a VirtualMachine" % os_name)
    nic = first_nic(clone)
    check(clone.runtime.host == src.runtime.host, "%s: clone on the source's host" % os_name)
    check(clone.runtime.powerState == "poweredOn", "%s: clone powered on" % os_name)
    check(nic.macAddress != src_nic.macAddress, "%s: clone has a new MAC" % os_name)
    check(nic.connectable.connected is False, "%s: clone NIC disconnected" % os_name)
    extra = {o.key: o.value for o in clone.config.extraConfig}
    check(extra.get("guestinfo.ic.run") == RUN, "%s: guestinfo stored in extraConfig" % os_name)
    check(clone.guest.ipAddress == source_ip, "%s: clone first shows the source's stale IP" % os_name)

    if extra_checks:
        try:
            wait_task(si, src.InstantClone_Task(spec))
            check(False, "duplicate name rejected")
        except vim.fault.DuplicateName:
            check(True, "duplicate name rejected with DuplicateName")

    wait_task(si, clone.ReconfigVM_Task(vim.vm.ConfigSpec(deviceChange=[nic_edit(nic, True, "connect")])))
    check(first_nic(clone).connectable.connected is True, "%s: NIC reconnected" % os_name)
    t_reconnect = time.time()

    creds = CONTRACT["guest"][os_name]
    auth = vim.vm.guest.NamePasswordAuthentication(username=creds["username"], password=creds["password"])
    gom = content.guestOperationsManager
    pm, fm = gom.processManager, gom.fileManager
    out_file = "/tmp/ic-refresh.log" if os_name == "linux" else r"C:\Windows\Temp\ic-refresh.txt"
    if extra_checks:
        bad = vim.vm.guest.NamePasswordAuthentication(username=creds["username"], password="wrong")
        for _ in range(40):
            try:
                pm.ListProcessesInGuest(clone, bad, [])
                check(False, "wrong guest password rejected")
            except vim.fault.GuestOperationsUnavailable:
                time.sleep(0.05)
            except vim.fault.InvalidGuestLogin:
                check(True, "wrong guest password rejected with InvalidGuestLogin")
                break
    pid, retries = start_with_retry(pm, clone, auth, refresh_program(os_name, out_file))
    deadline = time.time() + 60
    while True:
        proc = pm.ListProcessesInGuest(clone, auth, [pid])[0]
        if proc.endTime is not None:
            break
        check(time.time() < deadline, "%s: refresh process ends" % os_name)
        time.sleep(0.05)
    check(proc.exitCode == 0, "%s: refresh exit code 0 (got %s)" % (os_name, proc.exitCode))

    transfer = fm.InitiateFileTransferFromGuest(clone, auth, out_file)
    url = transfer.url.replace("://*", "://%s" % URL.hostname, 1)
    output = urllib.request.urlopen(url, context=CTX, timeout=30).read().decode()
    reported = [ip for ip in re.findall(r"\b(\d+\.\d+\.\d+\.\d+)\b", output)
                if not ip.startswith(("127.", "255.")) and not ip.endswith((".255", ".0")) and ip != source_ip
                and not re.match(r"^\d+\.\d+\.\d+\.1$", ip)]
    check(reported, "%s: refresh output reports a new IP: %r" % (os_name, output))
    t_refresh = time.time()

    mac = nic.macAddress

    def ip_on_mac(props):
        for gn in props.get("guest.net") or []:
            if gn.macAddress == mac and gn.ipConfig:
                for a in gn.ipConfig.ipAddress:
                    if good_ip(a, source_ip):
                        return a.ipAddress
        return None
    ip = wait_for(si, clone, ["guest.net"], ip_on_mac)
    check(ip == reported[0], "%s: guest.net IP %s matches the reported %s" % (os_name, ip, reported[0]))
    t_ip = time.time()

    wait_task(si, clone.PowerOffVM_Task())
    wait_task(si, clone.Destroy_Task())
    folder_path = source_path.rsplit("/", 1)[0]
    check(content.searchIndex.FindByInventoryPath("%s/%s" % (folder_path, name)) is None, "%s: clone gone from inventory" % os_name)
    try:
        clone.name
        check(False, "%s: destroyed clone raises ManagedObjectNotFound" % os_name)
    except vmodl.fault.ManagedObjectNotFound:
        check(True, "%s: destroyed clone raises ManagedObjectNotFound" % os_name)
    ms = lambda a, b: int((b - a) * 1000)
    return {"os": os_name, "name": name, "mac": mac, "ip": ip, "sourceIp": source_ip, "startRetries": retries,
            "ms": {"clone": ms(t0, t_clone), "reconnect": ms(t_clone, t_reconnect),
                   "refresh": ms(t_reconnect, t_refresh), "ip": ms(t_refresh, t_ip)}}


def main():
    summary = {"ok": False, "clones": [], "checks": checks}
    si = None
    try:
        si = connect()
        about = si.content.about
        check(about.apiType == "VirtualCenter", "connected to a vCenter")
        summary["apiVersion"] = about.apiVersion
        summary["negotiated"] = si._stub.versionId
        for i, os_name in enumerate(["linux", "windows"]):
            summary["clones"].append(workflow(si, os_name, CONTRACT["sources"][os_name], i == 0))
        summary["ok"] = True
    except Exception as e:  # report, then fail
        summary["error"] = "%s: %s" % (type(e).__name__, getattr(e, "msg", None) or e)
    finally:
        if si is not None:
            try:
                Disconnect(si)
            except Exception:
                pass
    print(json.dumps(summary))
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
