#!/usr/bin/env python3
"""Storage speed and memory on a large Maildir, dovecot-like vs Debian's
Dovecot (issue 4's targets): first SELECT with no index, warm SELECT,
FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE), and the imap worker's peak
memory (VmHWM).

A deterministic --messages-message Maildir (default 100,000; 2-20 KiB
each, log-uniform, every 5th multipart, a third \\Seen, some flagged, all
in cur/ with ,S= in the name as Dovecot's LDA writes them, no
dovecot-uidlist and no index) is written once with plain file writes, then
copied (cp -a) into each server's home for user `small`, so each server
starts from the same bytes with no index of its own.

Per server, each step in a fresh session (a fresh imap worker):
  first   LOGIN, SELECT INBOX (no index: full scan, uidlist/index built),
          FETCH 1:* (...) once
  warm    --rounds new sessions: SELECT INBOX, FETCH 1:* (...) each; the
          median is reported
Times are wall clock from sending the command to its tagged OK, seen by a
client that only counts lines (no per-message parsing). Peak memory is
VmHWM of the session's imap worker, read from /proc after SELECT and just
before LOGOUT.
The page cache is warm for both (the generator or the copy just wrote the
files; a stat pass over the copy runs before each server's first SELECT).

Targets (issue 4): warm SELECT < 50 ms, FETCH 1:* < 1 s, first SELECT
< 10 s, worker < 64 MiB. Reported as PASS/FAIL lines, never a test.

usage: storage.py [--messages N] [--rounds R] [--servers dovecot,dl]
                  [--keep-template DIR]
"""
import argparse, os, random, shutil, socket, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl                                                # noqa: E402
from dovecot_ref import (DovecotRef, DLBench, USERS, dovecot_version,  # noqa: E402
                         bad_log_lines, LOG_DIR)

USER = "small"
FETCH_ITEMS = "(UID FLAGS RFC822.SIZE INTERNALDATE)"
CMD_TIMEOUT = 300          # seconds any one command may take
TARGETS = {"select_first": 10.0, "select_warm": 0.050, "fetch": 1.0,
           "hwm_kib": 64 * 1024}
WORDS = ("storage index maildir message header body client server mailbox "
         "session flags keyword expunge append fetch search select").split()


# -- the Maildir ------------------------------------------------------------------
def message(rng, i, now, size, multipart):
    """One message of about `size` bytes with LF line ends (as on disk)."""
    date = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(now - 600 * i))
    head = (f"Return-Path: <sender{i % 97}@example.org>\n"
            f"Received: from mx{i % 7}.example.org by mail.example.com; {date}\n"
            f"From: Sender {i % 97} <sender{i % 97}@example.org>\n"
            "To: Small User <small@example.com>\n"
            f"Subject: storage bench message {i} about {rng.choice(WORDS)}\n"
            f"Date: {date}\nMessage-ID: <store{i}.{now}@example.org>\nMIME-Version: 1.0\n")
    line_words = [rng.choice(WORDS) for _ in range(12)]
    line = " ".join(line_words) + "\n"
    if multipart:
        b = f"=_bench_{i}"
        text = line * max(1, (size // 2 - len(head)) // len(line))
        blob = ("QmVuY2ggYXR0YWNobWVudCBkYXRhIDAxMjM0NTY3ODkgYWJjZGVmZ2hpams"
                "gbG1ub3BxcnN0dXZ3eHl6\n") * max(1, (size // 2) // 77)
        body = (f'Content-Type: multipart/mixed; boundary="{b}"\n\n'
                f"--{b}\nContent-Type: text/plain; charset=us-ascii\n\n{text}"
                f"--{b}\nContent-Type: application/octet-stream; name=\"a{i}.bin\"\n"
                f"Content-Transfer-Encoding: base64\n\n{blob}--{b}--\n")
    else:
        body = ("Content-Type: text/plain; charset=us-ascii\n\n" +
                line * max(1, (size - len(head)) // len(line)))
    return (head + body).encode()


def make_maildir(path, count, seed=4):
    """Write the bench Maildir; returns (files, bytes)."""
    rng = random.Random(seed)
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(path, sub), mode=0o700, exist_ok=True)
    now = 1790000000
    total = 0
    cur = os.path.join(path, "cur")
    for i in range(1, count + 1):
        size = int(2048 * (10 ** rng.random()))          # 2-20 KiB, log-uniform
        data = message(rng, i, now, size, i % 5 == 0)
        r = rng.random()
        flags = "S" if r < 0.33 else ("FS" if r < 0.36 else ("RS" if r < 0.40 else ""))
        t = now - 600 * (count - i)
        name = f"{t}.M{i}P{4242}.bench,S={len(data)}:2,{flags}"
        fp = os.path.join(cur, name)
        with open(fp, "wb") as f:
            f.write(data)
        os.utime(fp, (t, t))
        total += len(data)
    return count, total


def stat_pass(path):
    """Bring the copy's inodes into the cache, the same for both servers."""
    n = 0
    for sub in ("cur", "new"):
        d = os.path.join(path, sub)
        for name in os.listdir(d):
            os.stat(os.path.join(d, name))
            n += 1
    return n


# -- a line-counting client --------------------------------------------------------
class CountingIMAP:
    """Plain IMAP on loopback; command() returns (seconds, untagged lines)
    without building per-line objects: it only counts CRLFs until the
    tagged reply. Fails on a NO/BAD or on literals (none expected)."""

    def __init__(self, port):
        self.sock = socket.create_connection((bl.HOST, port), timeout=CMD_TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.n = 0
        buf = b""
        while b"\r\n" not in buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError("no greeting")
            buf += chunk
        assert buf.startswith(b"* OK"), buf

    def command(self, text):
        self.n += 1
        tag = b"s%d " % self.n
        t0 = time.perf_counter()
        self.sock.sendall(tag + text.encode() + b"\r\n")
        lines, pending = 0, b""        # pending: the incomplete last line
        while True:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise RuntimeError(f"{text}: connection closed")
            data = pending + chunk             # starts at a line start
            if text.startswith("FETCH") and b"}\r\n" in data:
                raise RuntimeError("unexpected literal in FETCH reply")
            end = data.rfind(b"\r\n")
            if end < 0:
                pending = data
                continue
            lines += data.count(b"\r\n")
            pending = data[end + 2:]
            if pending:
                continue
            prev = data.rfind(b"\r\n", 0, end)
            start = 0 if prev < 0 else prev + 2
            if data.startswith(tag, start):
                secs = time.perf_counter() - t0
                status = data[start + len(tag):end]
                if not status.startswith(b"OK"):
                    raise RuntimeError(f"{text}: {status!r}")
                return secs, lines - 1

    def close(self):
        try:
            self.sock.sendall(b"z LOGOUT\r\n")
        except OSError:
            pass
        self.sock.close()


def imap_workers(master_pid):
    return {p for p in bl.process_tree(master_pid) if bl.is_kind(p, "imap")}


def vm_status(pid):
    """{'VmHWM': kB, 'VmRSS': kB} of pid."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmHWM", "VmRSS"):
                out[k] = int(v.split()[0])
    return out


def session_worker(server, before):
    """The imap worker serving our one session: the process titled with the
    user (dovecot-like: "dovecot-like/imap [small 127.0.0.1]"; a spare
    worker it forks ahead has a bare title), else the one imap process that
    appeared since `before` (Dovecot: one per session, title "dovecot/imap")."""
    procs = imap_workers(server.master_pid())
    titled = [p for p in procs if f"[{USER} " in bl.proc_title(p)[0]]
    if len(titled) == 1:
        return titled[0]
    new = procs - before
    return new.pop() if len(new) == 1 and not titled else None


def session(server):
    """LOGIN in a fresh connection; returns (client, worker pid)."""
    before = imap_workers(server.master_pid())
    c = CountingIMAP(server.imap_port)
    c.command(f'LOGIN "{USER}" "{USERS[USER]}"')
    return c, wait_session_worker(server, before)


def wait_session_worker(server, before):
    """The pid of the imap worker a login just started (bounded wait)."""
    deadline = time.monotonic() + 10
    while True:
        pid = session_worker(server, before)
        if pid is not None:
            return pid
        if time.monotonic() > deadline:
            raise RuntimeError("cannot tell the session's imap worker")
        time.sleep(0.02)


def end_session(c, pid):
    """LOGOUT, then wait (bounded) for the worker to go, so the next
    session's worker is told apart from it."""
    c.close()
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return
        except OSError:
            return
        time.sleep(0.02)


def measure(server, messages, rounds):
    res = {}
    c, pid = session(server)
    res["select_first"], _ = c.command("SELECT INBOX")
    res["fetch_first"], n = c.command(f"FETCH 1:* {FETCH_ITEMS}")
    if n != messages:
        raise RuntimeError(f"FETCH 1:* returned {n} lines, expected {messages}")
    res["hwm_first_kib"] = vm_status(pid)["VmHWM"]
    end_session(c, pid)
    warm_sel, warm_fetch, hwm, rss, sel_hwm = [], [], [], [], []
    for _ in range(rounds):
        c, pid = session(server)
        s, _ = c.command("SELECT INBOX")
        sel_hwm.append(vm_status(pid)["VmHWM"])
        f, n = c.command(f"FETCH 1:* {FETCH_ITEMS}")
        if n != messages:
            raise RuntimeError(f"FETCH 1:* returned {n} lines, expected {messages}")
        st = vm_status(pid)
        warm_sel.append(s)
        warm_fetch.append(f)
        hwm.append(st["VmHWM"])
        rss.append(st["VmRSS"])
        end_session(c, pid)
    res["select_warm"] = statistics.median(warm_sel)
    res["fetch"] = statistics.median(warm_fetch)
    res["hwm_kib"] = max(hwm + [res["hwm_first_kib"]])
    res["rss_kib"] = max(rss)
    res["select_hwm_kib"] = max(sel_hwm)
    return res


def run_server(cls, template, messages, rounds):
    server = cls(conns=20)
    orig_prepare = server.prepare

    def prepare():
        orig_prepare()
        md = os.path.join(server.home(USER), "Maildir")
        shutil.rmtree(md)
        subprocess.run(["cp", "-a", template, md], check=True)
        uid, gid = server.uids[USER]
        subprocess.run(["chown", "-R", f"{uid}:{gid}", server.home(USER)], check=True)
        stat_pass(md)
    server.prepare = prepare
    server.start()
    try:
        return measure(server, messages, rounds)
    finally:
        bad = bad_log_lines(server, "storage")
        if bad:
            print(f"# {server.name}: {len(bad)} error lines in its log (copy in {LOG_DIR}), "
                  "first ones:\n#   " + "\n#   ".join(bad[:5]))
        server.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--messages", type=int, default=100000, help="max 200000")
    ap.add_argument("--rounds", type=int, default=5, help="warm sessions (max 20)")
    ap.add_argument("--servers", default="dovecot,dl")
    ap.add_argument("--keep-template", metavar="DIR",
                    help="generate the Maildir here once and reuse it on later runs")
    args = ap.parse_args()
    args.messages = max(1, min(args.messages, 200000))
    args.rounds = max(1, min(args.rounds, 20))
    print(f"# storage: {args.messages} messages, {args.rounds} warm sessions, "
          f"{dovecot_version()}")
    tmp = None
    template = args.keep_template
    if template and os.path.isdir(os.path.join(template, "cur")) and \
            len(os.listdir(os.path.join(template, "cur"))) == args.messages:
        print(f"# reusing {template}")
    else:
        if not template:
            tmp = tempfile.mkdtemp(prefix="bench-storage-")
            template = os.path.join(tmp, "Maildir")
        elif os.path.exists(template):
            shutil.rmtree(template)
        t0 = time.time()
        n, size = make_maildir(template, args.messages)
        print(f"# generated {n} messages, {size / 1e6:.0f} MB in {time.time() - t0:.1f} s")
    res = {}
    try:
        for which in args.servers.split(","):
            cls = DovecotRef if which == "dovecot" else DLBench
            try:
                res[cls.name] = run_server(cls, template, args.messages, args.rounds)
            except (OSError, RuntimeError) as e:
                print(f"# {cls.name}: error: {e}")
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    rows = []
    for name, r in res.items():
        rows.append([name, f"{r['select_first'] * 1000:.0f}", f"{r['fetch_first'] * 1000:.0f}",
                     f"{r['select_warm'] * 1000:.1f}", f"{r['fetch'] * 1000:.0f}",
                     f"{r['select_hwm_kib'] / 1024:.1f}", f"{r['hwm_kib'] / 1024:.1f}",
                     f"{r['rss_kib'] / 1024:.1f}"])
    print(bl.table(rows, ["server", "first SELECT ms", "first FETCH ms", "warm SELECT ms",
                          "warm FETCH ms", "HWM after SELECT MiB", "worker VmHWM MiB",
                          "worker VmRSS MiB"]))
    ours, ref = res.get("dovecot-like"), res.get("Dovecot")
    for key, label in (("select_first", "first_select"), ("fetch_first", "first_fetch_1:*"),
                       ("select_warm", "warm_select"), ("fetch", "fetch_1:*"),
                       ("hwm_kib", "worker_hwm")):
        r = bl.ratio(ours and ours[key], ref and ref[key])
        print(f"RATIO storage {label} {bl.fmt_ratio(r)} (lower is better)")
    if ours:
        for key, label in (("select_first", "first SELECT < 10 s"),
                           ("select_warm", "warm SELECT < 50 ms"),
                           ("fetch", "FETCH 1:* < 1 s"),
                           ("hwm_kib", "worker VmHWM < 64 MiB")):
            ok = ours[key] < TARGETS[key]
            print(f"TARGET storage {label}: {'PASS' if ok else 'FAIL'}")
    return 0 if ours else 1


if __name__ == "__main__":
    sys.exit(main())
