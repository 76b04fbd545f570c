#!/usr/bin/python3
"""One warm LibreOffice, driven over UNO.

Started by the Node pool (worker-process.ts) with Debian's /usr/bin/python3 (the only Python that has
python3-uno). It starts its own soffice.bin with its own profile, then serves jobs as JSON lines:

  stdin:  {"id": "7", "input": "/in.docx", "output": "/out.pdf", "format": "pdf",
           "inputExtension": "docx", "password": null, "outputPassword": null, "pages": "1-3"}
          ("pages": PDF only, the export filter's PageRange: 1-based, "1-3" or "1,4-6")
          {"op": "quit"}
  stdout: {"event": "ready", "sofficePid": 123, "startMs": 900}       once, when warm
          {"event": "died", "code": -9}                                soffice exited on its own
          {"id": "7", "ok": true, "ms": 70}
          {"id": "7", "ok": false, "error": "password" | "load" | "export" | "crashed" | "request",
           "message": "..."}

Everything else (LibreOffice's own chatter, tracebacks) goes to stderr, which the pool keeps as the
`cause` of errors for the log.
"""

import argparse
import ctypes
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

import uno
import unohelper
from com.sun.star.beans import PropertyValue
from com.sun.star.awt import XCallback
from com.sun.star.task import XInteractionHandler

# Python 3.11 cannot build UNO exceptions (pyuno sets `args`, which its struct wrapper refuses), so
# reading an interaction request such as "password needed" raises SystemError. Route `args` to the
# exception base class instead.
_struct_setattr = uno._uno_struct__setattr__


def _struct_setattr_allowing_args(self, name, value):
    if name == "args":
        return object.__setattr__(self, name, value)
    return _struct_setattr(self, name, value)


uno._uno_struct__setattr__ = _struct_setattr_allowing_args

PR_SET_PDEATHSIG = 1
SOFFICE_RESTART_CODE = 81  # soffice.bin asks to be started again after creating a fresh profile

# Load filters for inputs whose bytes do not say what they are.
LOAD_FILTERS = {
    "txt": ("Text (encoded)", "UTF8"),
    "csv": ("Text - txt - csv (StarCalc)", "44,34,76,1"),  # comma, double quote, UTF-8, from line 1
    "tsv": ("Text - txt - csv (StarCalc)", "9,34,76,1"),
    "html": ("HTML (StarWriter)", None),
    "htm": ("HTML (StarWriter)", None),
    "xhtml": ("HTML (StarWriter)", None),
}
TEXT_INPUTS = set(LOAD_FILTERS)
# Filters LibreOffice falls back to when it cannot make sense of a file: for a binary format they mean
# "damaged", not "a plain text document".
FALLBACK_TEXT_FILTERS = {"Text", "Text (encoded)", "Text - txt - csv (StarCalc)", "Text (StarWriter/Web)"}

PDF_FILTERS = {
    "web": "writer_web_pdf_Export",
    "writer": "writer_pdf_Export",
    "calc": "calc_pdf_Export",
    "impress": "impress_pdf_Export",
    "draw": "draw_pdf_Export",
}
PAGE_RANGE = re.compile(r"^[1-9][0-9]{0,6}(-[1-9][0-9]{0,6})?(,[1-9][0-9]{0,6}(-[1-9][0-9]{0,6})?)*$")
# Other outputs are word-processing formats; (filter, options) by document type.
OTHER_FILTERS = {
    "docx": {"writer": ("MS Word 2007 XML", None), "web": ("MS Word 2007 XML", None)},
    "odt": {"writer": ("writer8", None), "web": ("writer8", None)},
    "rtf": {"writer": ("Rich Text Format", None), "web": ("Rich Text Format", None)},
    "html": {"writer": ("HTML (StarWriter)", None), "web": ("HTML", None), "calc": ("HTML (StarCalc)", None)},
    "txt": {"writer": ("Text (encoded)", "UTF8"), "web": ("Text (encoded)", "UTF8")},
}


class JobError(Exception):
    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


def die_with_parent():
    """The kernel kills this process when its parent dies, so nothing outlives the Node server."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass


def soffice_setup():
    die_with_parent()
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})  # the mask survives exec


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


class Out:
    """JSON lines on a private copy of stdout; fd 1 itself is pointed at stderr so stray prints
    (ours or a library's) cannot corrupt the protocol."""

    def __init__(self):
        self._stream = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
        os.dup2(2, 1)
        self._lock = threading.Lock()

    def send(self, message):
        with self._lock:
            self._stream.write(json.dumps(message) + "\n")
            self._stream.flush()


# A binary Word/Excel/PowerPoint file given a wrong password is not asked for another: LibreOffice
# reports an error code instead (ERRCODE_SVX_WRONGPASS; ERRCODE_SFX_WRONGPASSWORD elsewhere).
WRONG_PASSWORD_CODES = {0x1000F, 0x4B1B}


def error_code(request):
    try:
        return request.getRequest().ErrCode
    except Exception:
        return None


class Interactions(unohelper.Base, XInteractionHandler):
    """Answers every question LibreOffice asks while loading with "no", remembering whether one of
    them was for a password (needed, or the given one was wrong)."""

    def __init__(self):
        self.asked_password = False
        self.requests = []

    def handle(self, request):
        try:
            name = getattr(request.getRequest(), "typeName", "unknown")
        except Exception:  # an unreadable request must not stop us from refusing it
            name = "unreadable"
        self.requests.append(name)
        if "PasswordRequest" in name or (name == "com.sun.star.task.ErrorCodeRequest" and error_code(request) in WRONG_PASSWORD_CODES):
            self.asked_password = True
        for wanted in ("com.sun.star.task.XInteractionAbort", "com.sun.star.task.XInteractionDisapprove"):
            for continuation in request.getContinuations():
                if wanted in [t.typeName for t in continuation.getTypes()]:
                    continuation.select()
                    return


class Office:
    def __init__(self, soffice, profile, pipe, start_timeout):
        self.soffice = soffice
        self.profile = profile
        self.pipe = pipe
        self.start_timeout = start_timeout
        self.proc = None
        self.desktop = None
        self.stopping = False

    def _launch(self):
        # A profile left behind by a killed soffice keeps its lock; we own the directory, so drop it.
        try:
            os.unlink(os.path.join(self.profile, "user", ".lock"))
        except FileNotFoundError:
            pass
        return subprocess.Popen(
            [
                self.soffice,
                "--headless", "--invisible", "--nologo", "--norestore", "--nodefault", "--nolockcheck",
                "-env:UserInstallation=" + uno.systemPathToFileUrl(self.profile),
                "--accept=pipe,name=%s;urp;StarOffice.ComponentContext" % self.pipe,
            ],
            stdin=subprocess.DEVNULL,
            stdout=2,
            stderr=2,
            preexec_fn=soffice_setup,
        )

    def start(self):
        started = time.monotonic()
        deadline = started + self.start_timeout
        os.makedirs(self.profile, exist_ok=True)
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        self.proc = self._launch()
        while True:
            code = self.proc.poll()
            if code == SOFFICE_RESTART_CODE:
                self.proc = self._launch()
            elif code is not None:
                raise RuntimeError("soffice exited with %s while starting" % code)
            try:
                ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % self.pipe)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise RuntimeError("soffice did not accept connections within %ss" % self.start_timeout)
                time.sleep(0.05)
        self.ctx = ctx
        self.desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        self.async_callback = ctx.ServiceManager.createInstanceWithContext("com.sun.star.awt.AsyncCallback", ctx)
        self._harden()
        return int((time.monotonic() - started) * 1000)

    def _set_config(self, path, values):
        provider = self.ctx.ServiceManager.createInstanceWithContext(
            "com.sun.star.configuration.ConfigurationProvider", self.ctx)
        access = provider.createInstanceWithArguments(
            "com.sun.star.configuration.ConfigurationUpdateAccess", (prop("nodepath", path),))
        for name, value in values.items():
            access.setPropertyValue(name, value)
        access.commitChanges()

    def _harden(self):
        # Documents are untrusted: no macros, no links followed out of the document (images, frames,
        # style sheets from file:// or http://), and any network fetch that slips through goes to a
        # proxy that does not exist. No autosave either: documents are opened read-only and discarded.
        self._set_config("/org.openoffice.Office.Common/Security/Scripting", {
            "BlockUntrustedRefererLinks": True,
            "DisableMacrosExecution": True,
            "MacroSecurityLevel": 3,
        })
        self._set_config("/org.openoffice.Inet/Settings", {
            "ooInetProxyType": 2,
            "ooInetHTTPProxyName": "127.0.0.1",
            "ooInetHTTPProxyPort": 9,
            "ooInetHTTPSProxyName": "127.0.0.1",
            "ooInetHTTPSProxyPort": 9,
            "ooInetFTPProxyName": "127.0.0.1",
            "ooInetFTPProxyPort": 9,
            "ooInetNoProxy": "",
        })
        # Comments are not drawn on pages, and building their margin windows aborts a UI-less
        # (-nogui) LibreOffice: any DOCX with comments would crash it.
        self._set_config("/org.openoffice.Office.Writer/Content/Display", {"Note": False})
        self._set_config("/org.openoffice.Office.WriterWeb/Content/Display", {"Note": False})
        self._set_config("/org.openoffice.Office.Recovery/AutoSave", {"Enabled": False})
        self._set_config("/org.openoffice.Office.Recovery/RecoveryInfo", {"Enabled": False})

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def gone(self, message):
        """Whether soffice died: it has exited, or the UNO bridge to it is torn down (then it is
        exiting, or unusable)."""
        if not self.alive():
            return True
        if "disposed" not in message.lower():
            return False
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass
        return True

    def stop(self):
        self.stopping = True
        if not self.alive():
            return
        try:
            self.desktop.terminate()
            self.proc.wait(timeout=3)
        except Exception:
            pass
        if self.alive():
            self.proc.kill()
            self.proc.wait()


def doc_type(doc):
    if doc.supportsService("com.sun.star.text.WebDocument"):
        return "web"
    if doc.supportsService("com.sun.star.text.GenericTextDocument"):
        return "writer"
    if doc.supportsService("com.sun.star.sheet.SpreadsheetDocument"):
        return "calc"
    if doc.supportsService("com.sun.star.presentation.PresentationDocument"):
        return "impress"
    if doc.supportsService("com.sun.star.drawing.DrawingDocument"):
        return "draw"
    return "unknown"


def load(office, job):
    ext = (job.get("inputExtension") or "").lower()
    interactions = Interactions()
    args = [
        prop("Hidden", True),
        prop("ReadOnly", True),
        prop("MacroExecutionMode", 0),  # com.sun.star.document.MacroExecMode.NEVER_EXECUTE
        prop("UpdateDocMode", 0),  # com.sun.star.document.UpdateDocMode.NO_UPDATE
        prop("InteractionHandler", interactions),
    ]
    if job.get("password") is not None:
        args.append(prop("Password", job["password"]))
    if ext in LOAD_FILTERS:
        name, options = LOAD_FILTERS[ext]
        args.append(prop("FilterName", name))
        if options is not None:
            args.append(prop("FilterOptions", options))
    url = uno.systemPathToFileUrl(os.path.abspath(job["input"]))
    try:
        doc = office.desktop.loadComponentFromURL(url, "_blank", 0, tuple(args))
    except Exception as e:
        doc = None
        failure = "%s: %s" % (type(e).__name__, e)
    else:
        failure = "LibreOffice could not load the document"
    if interactions.asked_password:
        if doc is not None:
            close(doc)
        raise JobError("password", "password required or wrong (%s)" % ", ".join(interactions.requests))
    if doc is None:
        raise JobError("load", "%s (%s)" % (failure, ", ".join(interactions.requests) or "no questions asked"))
    if ext and ext not in TEXT_INPUTS:
        used = next((a.Value for a in doc.getArgs() if a.Name == "FilterName"), "")
        if used in FALLBACK_TEXT_FILTERS:
            close(doc)
            raise JobError("load", "a .%s file that LibreOffice could only read as plain text (%s)" % (ext, used))
    return doc


def close(doc):
    try:
        doc.close(True)
    except Exception:
        try:
            doc.dispose()
        except Exception:
            pass


def export(doc, job):
    kind = doc_type(doc)
    fmt = job["format"]
    if fmt == "pdf":
        if kind not in PDF_FILTERS:
            raise JobError("export", "no PDF export for a %s document" % kind)
        name, options = PDF_FILTERS[kind], None
    else:
        choice = OTHER_FILTERS.get(fmt, {}).get(kind)
        if choice is None:
            raise JobError("export", "cannot export a %s document as %s" % (kind, fmt))
        name, options = choice
    args = [prop("FilterName", name), prop("Overwrite", True)]
    pages = job.get("pages")
    if pages is not None:
        # The whole document is still laid out (page fields count every page); only the chosen pages are written.
        if fmt != "pdf" or not isinstance(pages, str) or not PAGE_RANGE.fullmatch(pages):
            raise JobError("request", "pages must be a PDF page range such as 1-3, got %r" % (pages,))
        args.append(prop("FilterData", uno.Any("[]com.sun.star.beans.PropertyValue", (prop("PageRange", pages),))))
    if options is not None:
        args.append(prop("FilterOptions", options))
    if job.get("outputPassword") is not None:
        args.append(prop("Password", job["outputPassword"]))
    try:
        doc.storeToURL(uno.systemPathToFileUrl(os.path.abspath(job["output"])), tuple(args))
    except Exception as e:
        raise JobError("export", "%s: %s" % (type(e).__name__, e))


def convert(office, job):
    if job.get("format") not in ("pdf",) and job.get("format") not in OTHER_FILTERS:
        raise JobError("request", "unknown output format %r" % job.get("format"))

    def work():
        doc = load(office, job)
        try:
            export(doc, job)
        finally:
            close(doc)

    on_main_thread(office, work)


class _Call(unohelper.Base, XCallback):
    def __init__(self, fn):
        self.fn = fn
        self.done = threading.Event()
        self.error = None

    def notify(self, data):
        try:
            self.fn()
        except BaseException as e:  # noqa: B036 - handed to the waiting thread
            self.error = e
        finally:
            self.done.set()


def on_main_thread(office, fn):
    """Runs fn with every UNO call it makes executed on soffice's main thread, in one go.

    Called from outside, each UNO call runs on a bridge thread, and between two calls soffice's main
    loop runs whatever the load queued: for a Writer document with comments that is building their
    margin windows, which aborts a LibreOffice without UI files (Debian's -nogui packages). soffice
    calls fn through AsyncCallback on its main thread, and URP runs our nested calls on that same,
    now busy, thread: load, export and close happen with no main-loop turn in between, as with
    `soffice --convert-to`."""
    call = _Call(fn)
    office.async_callback.addCallback(call, None)
    call.done.wait()
    if call.error is not None:
        raise call.error


def reap_on_terminate(office):
    """SIGTERM (the pool's kill) is handled on this thread, since the main one may be stuck inside a
    UNO call: kill soffice and reap it ourselves, so no zombie is left for an init that may not reap."""
    signal.sigwait({signal.SIGTERM})
    office.stopping = True
    if office.proc is not None and office.proc.poll() is None:
        office.proc.kill()
        office.proc.wait()
    os._exit(143)


def watch(office, out):
    """Reports soffice dying on its own (crash, OOM kill) and exits, so the pool restarts us."""
    code = office.proc.wait()
    if not office.stopping:
        out.send({"event": "died", "code": code})
        os._exit(3)


def main():
    die_with_parent()
    # Blocked in every thread (soffice and UNO's threads inherit the mask) and taken by one that waits.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    parser = argparse.ArgumentParser()
    parser.add_argument("--soffice", required=True)
    parser.add_argument("--profile", required=True)
    parser.add_argument("--pipe", required=True)
    parser.add_argument("--start-timeout", type=float, default=60)
    opts = parser.parse_args()
    out = Out()
    office = Office(opts.soffice, opts.profile, opts.pipe, opts.start_timeout)
    threading.Thread(target=reap_on_terminate, args=(office,), daemon=True).start()
    try:
        start_ms = office.start()
    except Exception as e:
        out.send({"event": "failed", "message": str(e)})
        office.stop()
        return 2
    out.send({"event": "ready", "sofficePid": office.proc.pid, "startMs": start_ms})
    threading.Thread(target=watch, args=(office, out), daemon=True).start()

    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            job = json.loads(line)
        except ValueError:
            out.send({"id": None, "ok": False, "error": "request", "message": "not JSON"})
            continue
        if job.get("op") == "quit":
            break
        started = time.monotonic()
        try:
            convert(office, job)
            out.send({"id": job.get("id"), "ok": True, "ms": int((time.monotonic() - started) * 1000)})
        except Exception as e:
            message = str(e) if isinstance(e, JobError) else "%s: %s" % (type(e).__name__, e)
            # A call failing because soffice is gone is a crash, whatever step it interrupted.
            if office.gone(message):
                out.send({"id": job.get("id"), "ok": False, "error": "crashed", "message": message})
                office.stop()
                os._exit(3)
            kind = e.kind if isinstance(e, JobError) else "export"
            out.send({"id": job.get("id"), "ok": False, "error": kind, "message": message})
    # stdin closed (the pool is gone) or asked to quit.
    office.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
