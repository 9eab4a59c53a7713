#!/usr/bin/env python3
"""Memory of N idle IMAPS connections, dovecot-like vs Debian's Dovecot.

For each server in turn: start it (bench/dovecot_ref.py), open N IMAPS
connections from one non-blocking client (selectors; at most --parallel
handshakes in flight), wait for the greeting on every one, let the server
settle, then sum Pss (/proc/<pid>/smaps_rollup) over
  - the login processes (imap-login: Dovecot's default is one per
    connection; dovecot-like serves many per process), and
  - the whole server (master and all its descendants).
With --after-login every connection then LOGINs (user bench) and the same is
measured again: the login processes are now only TLS proxies in front of one
imap worker per session. Then everything is closed and the server stopped.

Prints a table and `RATIO` lines (dovecot-like / Dovecot); the issue-3 target
is login Pss ratio < 0.5 for idle IMAPS. A benchmark report, not a test.
"""
import argparse, errno, os, selectors, socket, ssl, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl                              # noqa: E402
from dovecot_ref import DovecotRef, DLBench, USERS, dovecot_version, bad_log_lines, LOG_DIR  # noqa: E402

TARGET = 0.5


class Conn:
    """One non-blocking client connection driven by the selector loop."""

    def __init__(self, port, ctx):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setblocking(False)
        err = self.sock.connect_ex((bl.HOST, port))
        if err not in (0, errno.EINPROGRESS):
            raise OSError(err, os.strerror(err))
        self.ctx = ctx
        self.state = "connecting"
        self.inbuf = b""
        self.outbuf = b""
        self.want = selectors.EVENT_WRITE
        self.expect = None      # tag whose reply ends the current command
        self.error = None

    def fileno(self):
        return self.sock.fileno()

    def step(self):
        """Advance as far as possible; sets self.want to the event needed next."""
        try:
            if self.state == "connecting":
                err = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    raise OSError(err, os.strerror(err))
                if self.ctx is not None:
                    self.sock = self.ctx.wrap_socket(self.sock, do_handshake_on_connect=False)
                    self.state = "handshake"
                else:
                    self.state = "greeting"
            if self.state == "handshake":
                self.sock.do_handshake()
                self.state = "greeting"
            if self.outbuf:
                n = self.sock.send(self.outbuf)
                self.outbuf = self.outbuf[n:]
                if self.outbuf:
                    self.want = selectors.EVENT_WRITE
                    return
            if self.state in ("greeting", "command"):
                while True:
                    data = self.sock.recv(65536)
                    if not data:
                        raise OSError("closed by server")
                    self.inbuf += data
                    if self._complete():
                        return
                    if not (isinstance(self.sock, ssl.SSLSocket) and self.sock.pending()):
                        break
            self.want = selectors.EVENT_READ
        except ssl.SSLWantReadError:
            self.want = selectors.EVENT_READ
        except ssl.SSLWantWriteError:
            self.want = selectors.EVENT_WRITE
        except BlockingIOError:
            self.want = selectors.EVENT_READ
        except (OSError, ssl.SSLError) as e:
            self.state, self.error = "failed", str(e)

    def _complete(self):
        for line in self.inbuf.split(b"\r\n")[:-1]:
            if self.state == "greeting" and line.startswith(b"* OK"):
                self.state, self.inbuf = "idle", b""
                return True
            if self.state == "command" and line.startswith(self.expect + b" "):
                if line[len(self.expect) + 1:].startswith(b"OK"):
                    self.state = "idle"
                else:
                    self.state, self.error = "failed", line.decode(errors="replace")
                self.inbuf = b""
                return True
        return False

    def send_command(self, tag, text):
        self.expect = tag
        self.outbuf = tag + b" " + text + b"\r\n"
        self.state = "command"
        self.want = selectors.EVENT_WRITE

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def drive(conns, start_one, parallel, deadline):
    """Run the selector loop until every connection is idle or failed.
    start_one(conn_index) is called to start work on a connection; at most
    `parallel` are busy at a time."""
    sel = selectors.DefaultSelector()
    pending = list(range(len(conns)))
    pending.reverse()
    busy = {}
    try:
        while (pending or busy) and time.time() < deadline:
            while pending and len(busy) < parallel:
                i = pending.pop()
                c = start_one(i)
                busy[c.fileno()] = c
                c.step()
                if c.state in ("idle", "failed"):
                    del busy[c.fileno()]
                else:
                    sel.register(c.fileno(), c.want, c)
            for key, _ in sel.select(timeout=0.5):
                c = key.data
                c.step()
                if c.state in ("idle", "failed"):
                    sel.unregister(c.fileno())
                    del busy[c.fileno()]
                else:
                    sel.modify(c.fileno(), c.want, c)
    finally:
        sel.close()
    return sum(1 for c in conns if c is not None and c.state == "idle")


def open_connections(port, n, tls, parallel, deadline):
    ctx = bl.client_tls_context() if tls else None
    conns = [None] * n

    def start(i):
        conns[i] = Conn(port, ctx)
        return conns[i]
    ok = drive(conns, start, parallel, deadline)
    return conns, ok


def login_all(conns, parallel, deadline):
    live = [c for c in conns if c is not None and c.state == "idle"]
    user, pw = "bench", USERS["bench"]

    def start(i):
        live[i].send_command(b"L1", f'LOGIN "{user}" "{pw}"'.encode())
        return live[i]
    return drive(live, start, parallel, deadline)


def mb(kb):
    return f"{kb / 1024:.1f}"


def measure(server, args, transport):
    """Run the phases on one started server; returns a list of result dicts."""
    tls = transport == "imaps"
    port = server.imaps_port if tls else server.imap_port
    results = []
    base = bl.memory_report(server.master_pid())
    deadline = time.time() + args.timeout
    t0 = time.time()
    conns, ok = open_connections(port, args.conns, tls, args.parallel, deadline)
    t_open = time.time() - t0
    failed = [c.error for c in conns if c is not None and c.state == "failed"]
    time.sleep(args.settle)
    idle = bl.memory_report(server.master_pid())
    results.append(dict(server=server.name, transport=transport, phase="idle", ok=ok,
                        secs=t_open, mem=idle, base=base, errors=failed[:3]))
    if args.after_login:
        t0 = time.time()
        ok2 = login_all(conns, args.parallel, time.time() + args.timeout)
        t_login = time.time() - t0
        failed = [c.error for c in conns if c is not None and c.state == "failed"]
        time.sleep(args.settle)
        logged = bl.memory_report(server.master_pid())
        results.append(dict(server=server.name, transport=transport, phase="logged-in",
                            ok=ok2, secs=t_login, mem=logged, base=base, errors=failed[:3]))
    for c in conns:
        if c is not None:
            c.close()
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--conns", type=int, default=500, help="connections per server (max 2000)")
    ap.add_argument("--parallel", type=int, default=50, help="handshakes in flight")
    ap.add_argument("--timeout", type=float, default=120, help="seconds per phase")
    ap.add_argument("--settle", type=float, default=2.0, help="seconds before measuring")
    ap.add_argument("--transport", choices=("imaps", "imap", "both"), default="imaps")
    ap.add_argument("--after-login", action="store_true",
                    help="also LOGIN every connection and measure the TLS proxies")
    ap.add_argument("--servers", default="dovecot,dl", help="dovecot,dl")
    args = ap.parse_args()
    args.conns = max(1, min(args.conns, 2000))
    soft, _ = bl.raise_nofile(args.conns + 100)
    transports = ["imaps", "imap"] if args.transport == "both" else [args.transport]
    print(f"# tls_idle_memory: {args.conns} connections, {dovecot_version()}, "
          f"client ulimit -n {soft}")

    results = []
    for which in args.servers.split(","):
        server = DovecotRef(conns=args.conns) if which == "dovecot" else DLBench(conns=args.conns)
        server.start()
        try:
            for transport in transports:
                if transport == "imaps" and not server.imaps_ok:
                    print(f"# {server.name}: IMAPS does not answer; not measured")
                    results.append(dict(server=server.name, transport=transport, phase="idle",
                                        ok=None))
                    continue
                results.extend(measure(server, args, transport))
            bad = bad_log_lines(server, "tls_idle_memory")
            if bad:
                print(f"# {server.name}: {len(bad)} error lines in its log (copy in "
                      f"{LOG_DIR}), first ones:\n#   " + "\n#   ".join(bad[:5]))
        finally:
            server.stop()

    rows = []
    for r in results:
        if r.get("ok") is None:
            rows.append([r["server"], r["transport"], r["phase"], "-", "-", "-", "-", "-", "-", "-"])
            continue
        m, lg = r["mem"], r["mem"]["imap-login"]
        rows.append([r["server"], r["transport"], r["phase"], f"{r['ok']}/{args.conns}",
                     f"{r['secs']:.1f}", lg["procs"], mb(lg["Pss"]),
                     f"{lg['Pss'] / max(1, r['ok']):.1f}",
                     f"{m['imap']['procs']}/{mb(m['imap']['Pss'])}",
                     f"{m['total']['procs']}/{mb(m['total']['Pss'])}"])
        for e in r.get("errors") or []:
            print(f"# {r['server']} {r['transport']} {r['phase']} error: {e}")
    print(bl.table(rows, ["server", "transport", "phase", "conns ok", "secs", "login procs",
                          "login Pss MB", "login KB/conn", "imap procs/Pss MB",
                          "total procs/Pss MB"]))

    def find(server, transport, phase):
        for r in results:
            if (r["server"], r["transport"], r["phase"]) == (server, transport, phase):
                return r if r.get("ok") else None
        return None
    for transport in transports:
        for phase in ("idle", "logged-in") if args.after_login else ("idle",):
            ours, ref = find("dovecot-like", transport, phase), find("Dovecot", transport, phase)
            name = f"{transport}_{phase}"
            if ours is None or ref is None:
                print(f"RATIO memory {name} login_pss n/a (a server could not be measured)")
                continue
            per_conn = ours["ok"] != ref["ok"]
            if per_conn:
                print(f"# {name}: {ours['ok']} connections succeeded on dovecot-like, "
                      f"{ref['ok']} on Dovecot: ratios below are per connection")
            for part in ("imap-login", "total"):
                r = bl.ratio(ours["mem"][part]["Pss"], ref["mem"][part]["Pss"])
                if per_conn and r is not None:
                    r = r * ref["ok"] / ours["ok"]
                label = "login_pss" if part == "imap-login" else "total_pss"
                verdict = ""
                if transport == "imaps" and phase == "idle" and part == "imap-login":
                    verdict = f"  target < {TARGET}: {'PASS' if r < TARGET else 'FAIL'}"
                print(f"RATIO memory {name} {label} {bl.fmt_ratio(r)} "
                      f"(ours {mb(ours['mem'][part]['Pss'])} MB / Dovecot "
                      f"{mb(ref['mem'][part]['Pss'])} MB){verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
