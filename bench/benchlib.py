"""Helpers shared by the benchmarks: process memory (Pss from smaps_rollup),
the process tree of a server, a minimal IMAP client over plain TCP or TLS,
a deterministic large-message Maildir generator, fd limits and report
formatting. Loopback only: every address used here is 127.0.0.1."""
import os, resource, socket, ssl, time

HOST = "127.0.0.1"


# -- processes and memory ----------------------------------------------------
def _ppid(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except OSError:
        return None
    # comm may contain spaces and parentheses: split after the last ')'
    return int(data[data.rindex(")") + 2:].split()[1])


def process_tree(root_pid):
    """root_pid and all its descendants (a snapshot of /proc)."""
    children = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            ppid = _ppid(int(name))
            if ppid is not None:
                children.setdefault(ppid, []).append(int(name))
    out, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def proc_title(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            title = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        with open(f"/proc/{pid}/comm") as f:
            comm = f.read().strip()
    except OSError:
        return "", ""
    return title, comm


def smaps_rollup(pid):
    """{'Pss': kB, 'Rss': kB, 'Private': kB} of one process, or None if gone."""
    vals = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3 and parts[2] == "kB":
                    vals[parts[0].rstrip(":")] = int(parts[1])
    except OSError:
        return None
    return {"Pss": vals.get("Pss", 0), "Rss": vals.get("Rss", 0),
            "Private": vals.get("Private_Clean", 0) + vals.get("Private_Dirty", 0)}


def is_kind(pid, kind):
    """Is pid a process of this kind ("imap-login", "imap", ...)? Matches the
    executable's name (comm) or the process title's last path component
    ("dovecot/imap-login", "dovecot-like/imap-login [3 connections]")."""
    title, comm = proc_title(pid)
    if comm == kind:
        return True
    first = title.split(" ", 1)[0] if title else ""
    return first.rsplit("/", 1)[-1] == kind


def memory_report(master_pid, kinds=("imap-login", "imap")):
    """Sum Pss/Rss/Private (kB) over the server's process tree, in total and
    for each kind. Returns {"total": {...}, kind: {...}} with a process count."""
    rep = {k: {"procs": 0, "Pss": 0, "Rss": 0, "Private": 0} for k in ("total",) + tuple(kinds)}
    for pid in process_tree(master_pid):
        m = smaps_rollup(pid)
        if m is None:
            continue
        buckets = ["total"] + [k for k in kinds if is_kind(pid, k)]
        for b in buckets:
            rep[b]["procs"] += 1
            for key in ("Pss", "Rss", "Private"):
                rep[b][key] += m[key]
    return rep


# -- limits -------------------------------------------------------------------
def raise_nofile(need):
    """Make sure this process may open `need` descriptors (plus slack)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = need + 64
    if soft < want:
        if hard != resource.RLIM_INFINITY and hard < want:
            try:
                resource.setrlimit(resource.RLIMIT_NOFILE, (want, want))
            except (ValueError, OSError):
                raise SystemExit(f"ulimit -n is {soft} (hard {hard}); need {want}: "
                                 "raise it (as root: ulimit -n {want})")
        else:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


# -- IMAP client --------------------------------------------------------------
def client_tls_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE   # self-signed bench cert on loopback
    return ctx


class IMAPConn:
    """Blocking, minimal IMAP client: enough for LOGIN, SELECT, FETCH, LOGOUT,
    counting literal bytes without building Python objects per message."""

    def __init__(self, port, tls=False, ctx=None, timeout=30):
        sock = socket.create_connection((HOST, port), timeout=timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if tls:
            sock = (ctx or client_tls_context()).wrap_socket(sock)
        self.sock = sock
        self.buf = bytearray()
        self.tagn = 0
        greeting = self.readline()
        if not greeting.startswith(b"* OK"):
            raise RuntimeError(f"bad greeting: {greeting!r}")

    def _fill(self):
        data = self.sock.recv(262144)
        if not data:
            raise RuntimeError("connection closed by server")
        self.buf += data

    def readline(self):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line = bytes(self.buf[:i])
                del self.buf[:i + 2]
                return line
            self._fill()

    def skip(self, n):
        """Consume n literal bytes; return n."""
        left = n
        while left > 0:
            if not self.buf:
                self._fill()
            take = min(left, len(self.buf))
            del self.buf[:take]
            left -= take
        return n

    def command(self, text):
        """Send a command, return (status line, literal bytes seen, untagged count)."""
        self.tagn += 1
        tag = b"b%d" % self.tagn
        self.sock.sendall(tag + b" " + text.encode() + b"\r\n")
        literal_bytes = untagged = 0
        while True:
            line = self.readline()
            # a line may end in one or more literals {n}
            while line.endswith(b"}") and b"{" in line:
                n = int(line[line.rindex(b"{") + 1:-1])
                literal_bytes += self.skip(n)
                line = self.readline()
            if line.startswith(tag + b" "):
                status = line[len(tag) + 1:]
                if not status.startswith(b"OK"):
                    raise RuntimeError(f"{text.split()[0]} failed: {status!r}")
                return status, literal_bytes, untagged
            untagged += 1

    def login(self, user, password):
        return self.command(f'LOGIN "{user}" "{password}"')

    def close(self):
        try:
            self.command("LOGOUT")
        except (OSError, RuntimeError):
            pass
        self.sock.close()

    def cipher(self):
        if isinstance(self.sock, ssl.SSLSocket):
            return "%s %s" % (self.sock.version(), self.sock.cipher()[0])
        return "plain"


# -- Maildir with large messages ---------------------------------------------
def make_large_maildir(maildir, count, size):
    """count messages of about `size` bytes each in maildir/cur (seen), with
    deterministic text bodies in 76-column lines."""
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, sub), mode=0o700, exist_ok=True)
    now = int(time.time())
    line = ("The quick brown fox jumps over the lazy dog 0123456789 "
            "abcdefghijklmnopqrstu\n")
    for i in range(1, count + 1):
        head = ("From: Bench Sender <sender@example.com>\n"
                "To: Bench <bench@example.com>\n"
                f"Subject: Bench message {i}\n"
                f"Date: {time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime(now - i))}\n"
                f"Message-ID: <bench{i}.{now}@example.com>\n"
                "MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\n")
        body = line * max(1, (size - len(head)) // len(line))
        data = (head + body).encode()
        base = f"{now - count + i}.M{i}P{os.getpid()}.bench,S={len(data)}:2,S"
        path = os.path.join(maildir, "cur", base)
        with open(path, "wb") as f:
            f.write(data)
        os.utime(path, (now - i, now - i))


# -- reporting ----------------------------------------------------------------
def ratio(ours, theirs):
    if not theirs or ours is None:
        return None
    return ours / theirs


def fmt_ratio(r):
    return "n/a" if r is None else f"{r:.3f}"


def table(rows, header):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    fmt = "  ".join("%%-%ds" % w for w in widths)
    lines = [fmt % tuple(header), fmt % tuple("-" * w for w in widths)]
    lines += [fmt % tuple(str(x) for x in r) for r in rows]
    return "\n".join(lines)
