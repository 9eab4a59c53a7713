#!/usr/bin/env python3
"""IMAP operation speed (issue 5), dovecot-like vs Debian's Dovecot, on the
same realistic Maildir with the same Python client.

A deterministic --messages-message Maildir (default 10,000; 2-20 KiB each,
log-uniform) is written once into a template and copied (cp -a) into each
server's home for user `small`: varied From/To/Cc/Subject (some RFC 2047
encoded words), Date with varied zones, Message-ID, In-Reply-To/References
chains (threads), text/plain, multipart/alternative (text + html) and
multipart/mixed with a base64 attachment. No index, no dovecot-uidlist.

Rows (one connection each step, time.perf_counter from sending a command
to its tagged reply; "cold" = the first run on a server just started on
fresh data, "warm" = the median of --rounds later runs, each in a new
session, i.e. a new imap worker):
  SELECT INBOX, FETCH 1:* (ENVELOPE), FETCH 1:* (BODYSTRUCTURE),
  SEARCH SUBJECT/BODY/TEXT <word>, SORT (DATE), SORT (SUBJECT),
  THREAD REFERENCES (a BAD/NO reply -> "n/a (not implemented)"),
  APPEND of 1000 ~4 KiB messages into a fresh mailbox (LITERAL+ if
  advertised), the same with synchronizing literals sent as Python's
  imaplib sends them (wait for "+", the literal, then its CRLF in a write
  of its own: a server that delays its ACK makes the client's Nagle hold
  that CRLF), and 50 concurrent clients running a mixed loop (ops/s).
Memory: VmHWM of the session's imap worker after the FETCH rows.

Output: a table, `RATIO imap_ops <row>: <ratio>` lines (dovecot-like /
Dovecot; times: lower is better; the concurrent ops/s row: higher is
better, said on its line).
"""
import argparse, base64, os, random, shutil, statistics, subprocess, sys, tempfile, \
    threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl                                                 # noqa: E402
from dovecot_ref import (DovecotRef, DLBench, USERS, dovecot_version,   # noqa: E402
                         bad_log_lines, LOG_DIR)
from storage import imap_workers, vm_status, wait_session_worker, end_session, \
    stat_pass                                                         # noqa: E402

USER = "small"            # the big Maildir (storage.session_worker looks for it)
CONC_USER = "bench"       # the concurrent clients' user (own mailboxes c1..cN)
CONC_CLIENTS = 50
CONC_SEED_MSGS = 20       # messages APPENDed into each client's mailbox first
APPEND_COUNT = 1000
CMD_TIMEOUT = 300
STAMP = "imap_ops-template-v1"   # marks a reusable template (not copied)

# words for SEARCH: each occurs only where the generator puts it
SUBJECT_WORD = "zanzibar"        # in ~4 % of the subjects
BODY_WORD = "xylophone"          # in ~3 % of the text bodies
TEXT_WORD = "kumquat"            # in some Cc display names and some bodies

VOCAB = ("meeting report release server client storage schedule review draft "
         "invoice project update network quota backup mailbox archive planning "
         "question answer customer support ticket summary migration hardware "
         "kernel patch budget travel office agenda minutes proposal contract "
         "deadline launch testing feedback survey").split()
FIRST = ("Alice Bob Carol David Erin Frank Grace Heidi Ivan Judy Mallory Niaj "
         "Olivia Peggy Rupert Sybil Trent Victor Walter Yolanda").split()
LAST = ("Smith Jones Brown Taylor Wilson Evans Thomas Roberts Walker Wright "
        "Green Hall Wood Clarke Hughes Turner").split()
# (display name, encoded form): non-ASCII names as RFC 2047 encoded words
ENCODED_NAMES = [
    ("J\u00fcrgen M\u00fcller", "=?ISO-8859-1?Q?J=FCrgen_M=FCller?="),
    ("Fran\u00e7ois Dupr\u00e9", None), ("\u5c71\u7530 \u592a\u90ce", None),
    ("\u00c5sa Lindstr\u00f6m", None), ("Zo\u00eb \u0141ukasz", None)]
ZONES = ["+0000", "+0100", "-0500", "+0530", "-0800", "+0900", "+0200"]


def enc_b(text):
    return "=?UTF-8?B?" + base64.b64encode(text.encode()).decode() + "?="


def person(rng, extra_word=None):
    """'Name <addr>', about 1 in 8 with an RFC 2047 encoded display name."""
    if rng.random() < 0.125:
        plain, enc = rng.choice(ENCODED_NAMES)
        return f"{enc or enc_b(plain)} <u{rng.randrange(1000)}@example.net>"
    f, l = rng.choice(FIRST), rng.choice(LAST)
    name = f"{f} {l}" + (f" ({extra_word})" if extra_word else "")
    return f'"{name}" <{f.lower()}.{l.lower()}@example.{rng.choice(["com", "org", "net"])}>'


def text_lines(rng, nbytes, special=None):
    """LF-terminated lines of vocabulary words, ~nbytes; `special` once."""
    out, size = [], 0
    while size < nbytes:
        line = " ".join(rng.choice(VOCAB) for _ in range(rng.randrange(6, 13))) + "\n"
        out.append(line)
        size += len(line)
    if special and out:
        k = rng.randrange(len(out))
        out[k] = f"see the {special} notes\n" + out[k]
    return "".join(out)


def make_message(rng, i, date_t, threads, size):
    """One message (str, LF line ends) of about `size` bytes. `threads` is a
    list of (message-id, references, subject) of recent messages to reply to."""
    msgid = f"<imapops.{i}.{rng.randrange(10 ** 6)}@example.org>"
    hdr = [f"Return-Path: <list{i % 13}@example.org>",
           f"Received: from mx{i % 5}.example.org by mail.example.com; "
           f"{time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime(date_t))}"]
    cc_word = TEXT_WORD if rng.random() < 0.02 else None
    hdr.append(f"From: {person(rng)}")
    hdr.append("To: " + ", ".join(person(rng) for _ in range(rng.randrange(1, 4))))
    if cc_word or rng.random() < 0.3:
        hdr.append(f"Cc: {person(rng, cc_word)}")
    refs = ""
    if threads and rng.random() < 0.45:
        pid, prefs, psubj = rng.choice(threads)
        refs = (prefs.split() + [pid])[-10:]
        subject = psubj if psubj.startswith("Re: ") else "Re: " + psubj
        hdr.append(f"In-Reply-To: {pid}")
        hdr.append("References: " + "\n ".join(refs))
        refs = " ".join(refs)
    else:
        words = [rng.choice(VOCAB) for _ in range(rng.randrange(2, 6))]
        if rng.random() < 0.04:
            words.insert(rng.randrange(len(words) + 1), SUBJECT_WORD)
        subject = " ".join(words).capitalize() + f" #{i}"
    subj_hdr = subject
    if rng.random() < 0.1:          # an encoded word in the subject
        subj_hdr = subject.replace("#", enc_b("\u00e9t\u00e9") + " #", 1) \
            if "#" in subject else subject + " " + enc_b("r\u00e9sum\u00e9")
    hdr.append(f"Subject: {subj_hdr}")
    zone = rng.choice(ZONES)
    off = (1 if zone[0] == "+" else -1) * (int(zone[1:3]) * 3600 + int(zone[3:]) * 60)
    hdr.append("Date: " + time.strftime("%a, %d %b %Y %H:%M:%S ",
                                        time.gmtime(date_t + off)) + zone)
    hdr.append(f"Message-ID: {msgid}")
    hdr.append("MIME-Version: 1.0")
    special = None
    r = rng.random()
    if r < 0.03:
        special = BODY_WORD
    elif r < 0.05:
        special = TEXT_WORD
    kind = i % 10
    head_len = sum(len(h) + 1 for h in hdr)
    room = max(200, size - head_len)
    if kind < 6:
        hdr.append("Content-Type: text/plain; charset=us-ascii")
        body = text_lines(rng, room, special)
    elif kind < 8:
        b = f"=_alt_{i}"
        text = text_lines(rng, room // 2, special)
        html = "<html><body><p>" + text.replace("\n", "</p>\n<p>") + "</p></body></html>\n"
        hdr.append(f'Content-Type: multipart/alternative; boundary="{b}"')
        body = (f"This is a MIME message.\n\n--{b}\nContent-Type: text/plain; charset=us-ascii\n"
                f"\n{text}\n--{b}\nContent-Type: text/html; charset=us-ascii\n\n{html}\n--{b}--\n")
    else:
        b = f"=_mix_{i}"
        text = text_lines(rng, room // 3, special)
        blob = base64.encodebytes(rng.randbytes(max(64, (room * 2 // 3) * 3 // 4))).decode()
        name = rng.choice(["report.pdf", "photo.jpg", "data.bin", "slides.odp"])
        hdr.append(f'Content-Type: multipart/mixed; boundary="{b}"')
        body = (f"This is a MIME message.\n\n--{b}\nContent-Type: text/plain; charset=us-ascii\n"
                f"\n{text}\n--{b}\nContent-Type: application/octet-stream; name=\"{name}\"\n"
                f"Content-Disposition: attachment; filename=\"{name}\"\n"
                f"Content-Transfer-Encoding: base64\n\n{blob}\n--{b}--\n")
    return "\n".join(hdr) + "\n\n" + body, (msgid, refs, subject)


def make_maildir(path, count, seed=5):
    """Write the template Maildir (all in cur/, ,S= names); returns bytes."""
    rng = random.Random(seed)
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(path, sub), mode=0o700, exist_ok=True)
    now, total, recent = 1790000000, 0, []
    for i in range(1, count + 1):
        size = int(2048 * (10 ** rng.random()))          # 2-20 KiB, log-uniform
        t = now - 600 * (count - i) + rng.randrange(-300, 300)
        text, info = make_message(rng, i, t, recent, size)
        recent = (recent + [info])[-50:]
        data = text.encode()
        r = rng.random()
        flags = "S" if r < 0.5 else ("FS" if r < 0.53 else ("RS" if r < 0.6 else ""))
        fp = os.path.join(path, "cur", f"{t}.M{i}P4243.imapops,S={len(data)}:2,{flags}")
        with open(fp, "wb") as f:
            f.write(data)
        os.utime(fp, (t, t))
        total += len(data)
    with open(os.path.join(path, STAMP), "w") as f:
        f.write(f"{count}\n")
    return total


def small_message(rng, n, size):
    """A CRLF message of about `size` bytes for APPEND."""
    head = (f"From: {person(rng)}\r\nTo: Small User <small@example.com>\r\n"
            f"Subject: appended {n} {rng.choice(VOCAB)}\r\n"
            "Date: Tue, 24 Nov 2026 06:00:00 +0000\r\n"
            f"Message-ID: <append.{n}.{rng.randrange(10 ** 9)}@example.org>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n")
    body = text_lines(rng, max(10, size - len(head))).replace("\n", "\r\n")
    return (head + body).encode()


# -- client --------------------------------------------------------------------
class Client(bl.IMAPConn):
    """benchlib's IMAPConn plus: commands that may fail (status returned, not
    raised), timing, keeping selected untagged lines, and APPEND literals."""

    def run(self, text, keep=None):
        """Send `text`; returns (seconds, ok, status, untagged count, kept)
        where kept are the untagged lines starting with `keep` (bytes)."""
        self.tagn += 1
        tag = b"b%d " % self.tagn
        t0 = time.perf_counter()
        self.sock.sendall(tag + text.encode() + b"\r\n")
        return self._finish(tag, t0, keep)

    def _finish(self, tag, t0, keep=None):
        n, kept = 0, []
        while True:
            line = self.readline()
            while line.endswith(b"}") and b"{" in line:
                self.skip(int(line[line.rindex(b"{") + 1:-1].rstrip(b"+")))
                line = self.readline()
            if line.startswith(tag):
                secs = time.perf_counter() - t0
                status = line[len(tag):]
                return secs, status.startswith(b"OK"), status, n, kept
            n += 1
            if keep and line.startswith(keep):
                kept.append(line)

    def capabilities(self):
        _, ok, _, _, kept = self.run("CAPABILITY", keep=b"* CAPABILITY")
        return set(kept[0].decode().upper().split()[2:]) if ok and kept else set()

    def append(self, mailbox, data, nonsync, split_crlf=False):
        """APPEND one message; returns (seconds, ok, status). split_crlf:
        a synchronizing literal's CRLF goes in a send of its own."""
        self.tagn += 1
        tag = b"b%d " % self.tagn
        t0 = time.perf_counter()
        head = tag + b"APPEND " + mailbox.encode() + b" {%d" % len(data)
        if nonsync:
            self.sock.sendall(head + b"+}\r\n" + data + b"\r\n")
        else:
            self.sock.sendall(head + b"}\r\n")
            while True:
                line = self.readline()
                if line.startswith(b"+"):
                    break
                if line.startswith(tag):
                    return time.perf_counter() - t0, False, line[len(tag):]
            if split_crlf:
                self.sock.sendall(data)
                self.sock.sendall(b"\r\n")
            else:
                self.sock.sendall(data + b"\r\n")
        secs, ok, status, _, _ = self._finish(tag, t0)
        return secs, ok, status


def literal_mode(caps, size):
    """True for a non-synchronizing literal of `size` bytes."""
    return "LITERAL+" in caps or ("LITERAL-" in caps and size <= 4096)


def check(res, what):
    secs, ok, status = res[0], res[1], res[2]
    if not ok:
        raise RuntimeError(f"{what}: {status!r}")
    return secs


# -- single-connection rows ------------------------------------------------------
def row_commands():
    """(row name, command, untagged prefix whose lines give a count or None)."""
    return [("FETCH 1:* (ENVELOPE)", "FETCH 1:* (ENVELOPE)", None),
            ("FETCH 1:* (BODYSTRUCTURE)", "FETCH 1:* (BODYSTRUCTURE)", None),
            (f"SEARCH SUBJECT {SUBJECT_WORD}", f"SEARCH SUBJECT {SUBJECT_WORD}", b"* SEARCH"),
            (f"SEARCH BODY {BODY_WORD}", f"SEARCH BODY {BODY_WORD}", b"* SEARCH"),
            (f"SEARCH TEXT {TEXT_WORD}", f"SEARCH TEXT {TEXT_WORD}", b"* SEARCH"),
            ("SORT (DATE)", "SORT (DATE) US-ASCII ALL", b"* SORT"),
            ("SORT (SUBJECT)", "SORT (SUBJECT) US-ASCII ALL", b"* SORT"),
            ("THREAD REFERENCES", "THREAD REFERENCES US-ASCII ALL", b"* THREAD")]


def session(server, user=USER):
    before = imap_workers(server.master_pid())
    c = Client(server.imap_port, timeout=CMD_TIMEOUT)
    c.login(user, USERS[user])
    return c, wait_session_worker(server, before)


def one_pass(server, messages):
    """One session: SELECT and every row once. Returns ({row: secs or None
    (not implemented)}, {row: result count}, worker VmHWM kB after FETCH)."""
    c, pid = session(server)
    times, counts = {}, {}
    times["SELECT INBOX"] = check(c.run("SELECT INBOX"), "SELECT")
    hwm = None
    for name, cmd, keep in row_commands():
        secs, ok, status, n, kept = c.run(cmd, keep=keep)
        if name.startswith("FETCH"):
            if not ok or n != messages:
                raise RuntimeError(f"{cmd}: {status!r}, {n} untagged, expected {messages}")
            hwm = vm_status(pid)["VmHWM"] if name.endswith("(BODYSTRUCTURE)") else hwm
        elif not ok:
            if name.startswith("SEARCH"):
                raise RuntimeError(f"{cmd}: {status!r}")
            times[name] = None              # BAD/NO: SORT/THREAD not implemented
            continue
        times[name] = secs
        if keep == b"* SEARCH" or keep == b"* SORT":
            counts[name] = sum(len(k.split()) - 2 for k in kept)
        elif keep == b"* THREAD":
            counts[name] = sum(k.count(b"(") for k in kept)   # rough: thread nodes
    end_session(c, pid)
    return times, counts, hwm


def append_run(server, mailbox, rng, count, imaplib_style=False):
    """CREATE mailbox, APPEND `count` ~4 KiB messages in one connection
    (imaplib_style: synchronizing literals, CRLF sent apart)."""
    c = Client(server.imap_port, timeout=CMD_TIMEOUT)
    c.login(USER, USERS[USER])
    caps = c.capabilities()
    check(c.run(f"CREATE {mailbox}"), "CREATE")
    msgs = [small_message(rng, n, 4096) for n in range(count)]
    nonsync = not imaplib_style and all(literal_mode(caps, len(m)) for m in msgs)
    t0 = time.perf_counter()
    for m in msgs:
        check(c.append(mailbox, m, nonsync, split_crlf=imaplib_style), "APPEND")
    secs = time.perf_counter() - t0
    _, ok, _, _, kept = c.run(f"STATUS {mailbox} (MESSAGES)", keep=b"* STATUS")
    c.close()
    if ok and kept and b"MESSAGES %d)" % count not in kept[0]:
        raise RuntimeError(f"APPEND: STATUS says {kept[0]!r}, expected {count}")
    mode = "LITERAL+" if nonsync else "sync literals"
    return secs, mode + (", CRLF apart" if imaplib_style else "")


# -- concurrent clients ------------------------------------------------------------
class ConcClient(threading.Thread):
    """One client of the mixed loop on its own mailbox c<k> of user bench:
    SELECT, FETCH 1:20 (FLAGS ENVELOPE), STORE +FLAGS (\\Seen) on a random
    message, APPEND a ~1 KiB message, UID STORE +FLAGS.SILENT (\\Deleted) on
    it (UID from APPENDUID), EXPUNGE. Each command is one operation."""

    def __init__(self, server, k, start_evt, ready, deadline_box):
        super().__init__(daemon=True)
        self.server, self.k = server, k
        self.start_evt, self.ready, self.deadline_box = start_evt, ready, deadline_box
        self.ops = self.errors = 0
        self.failure = None
        self.rng = random.Random(1000 + k)

    def setup(self):
        self.c = c = Client(self.server.imap_port, timeout=60)
        c.login(CONC_USER, USERS[CONC_USER])
        self.caps = c.capabilities()
        self.box = f"c{self.k}"
        res = c.run(f"CREATE {self.box}")
        if not res[1] and b"[ALREADYEXISTS]" not in res[2]:
            # Dovecot 2.3 sometimes answers a CREATE racing with other
            # sessions' CREATEs with ALREADYEXISTS although the name is new
            check(res, "CREATE")
        for n in range(CONC_SEED_MSGS):
            m = small_message(self.rng, n, 1024)
            check(c.append(self.box, m, literal_mode(self.caps, len(m))), "APPEND")

    def op(self, res):
        if res[1]:
            self.ops += 1
        else:
            self.errors += 1
        return res

    def loop_once(self):
        c, box = self.c, self.box
        _, ok, _, _, kept = self.op(c.run(f"SELECT {box}", keep=b"* "))
        exists = [int(k.split()[1]) for k in kept if k.endswith(b" EXISTS")]
        n = exists[-1] if exists else CONC_SEED_MSGS
        self.op(c.run(f"FETCH 1:{min(20, n)} (FLAGS ENVELOPE)"))
        self.op(c.run(f"STORE {self.rng.randrange(1, min(20, n) + 1)} +FLAGS (\\Seen)"))
        m = small_message(self.rng, n, 1024)
        _, ok, status = self.op(c.append(box, m, literal_mode(self.caps, len(m))))
        if ok and b"[APPENDUID " in status:
            uid = status.split(b"[APPENDUID ", 1)[1].split(b"]")[0].split()[1].decode()
            self.op(c.run(f"UID STORE {uid} +FLAGS.SILENT (\\Deleted)"))
        else:       # no APPENDUID: the new message is the last one
            self.op(c.run("NOOP"))
            self.op(c.run("STORE * +FLAGS.SILENT (\\Deleted)"))
        self.op(c.run("EXPUNGE"))

    def run(self):
        try:
            self.setup()
        except (OSError, RuntimeError) as e:
            self.failure = f"setup: {e}"
        self.ready.release()
        self.start_evt.wait()
        if self.failure:
            return
        try:
            while time.perf_counter() < self.deadline_box[0]:
                self.loop_once()
        except (OSError, RuntimeError) as e:
            self.failure = str(e)
        try:
            self.c.close()
        except (OSError, RuntimeError):
            pass


def concurrent_run(server, clients, duration):
    """Returns (ops/s, ops, errors, failed clients, seconds)."""
    start_evt, ready, box = threading.Event(), threading.Semaphore(0), [0.0]
    threads = [ConcClient(server, k, start_evt, ready, box) for k in range(1, clients + 1)]
    for t in threads:
        t.start()
    for _ in threads:
        if not ready.acquire(timeout=120):
            break
    t0 = time.perf_counter()
    box[0] = t0 + duration
    start_evt.set()
    for t in threads:
        t.join(timeout=duration + CMD_TIMEOUT)
    secs = time.perf_counter() - t0
    ops = sum(t.ops for t in threads)
    errors = sum(t.errors for t in threads)
    failed = [f"c{t.k}: {t.failure}" for t in threads if t.failure]
    return ops / secs, ops, errors, failed, secs


# -- per server --------------------------------------------------------------------
def run_server(cls, template, args):
    server = cls(conns=CONC_CLIENTS + 50)
    orig_prepare = server.prepare

    def prepare():
        orig_prepare()
        md = os.path.join(server.home(USER), "Maildir")
        shutil.rmtree(md)
        subprocess.run(["cp", "-a", template, md], check=True)
        os.unlink(os.path.join(md, STAMP))
        uid, gid = server.uids[USER]
        subprocess.run(["chown", "-R", f"{uid}:{gid}", server.home(USER)], check=True)
        stat_pass(md)
    server.prepare = prepare
    server.start()
    res = {}
    try:
        times, counts, hwm = one_pass(server, args.messages)
        res["cold"], res["counts"], res["hwm_cold"] = times, counts, hwm
        warm, hwms = [], []
        for _ in range(args.rounds):
            t, cnt, h = one_pass(server, args.messages)
            if cnt != counts:
                print(f"# {server.name}: result counts changed between sessions: "
                      f"{counts} -> {cnt}")
            warm.append(t)
            hwms.append(h)
        res["warm"] = {k: (None if warm[0][k] is None else
                           statistics.median(w[k] for w in warm)) for k in warm[0]}
        res["hwm_warm"] = max(hwms)
        rng = random.Random(77)
        apps = [append_run(server, f"AppendBench{r}", rng, APPEND_COUNT)
                for r in range(args.rounds + 1)]
        res["append_cold"], res["append_mode"] = apps[0]
        res["append_warm"] = statistics.median(a[0] for a in apps[1:])
        res["append_imaplib"], res["append_imaplib_mode"] = append_run(
            server, "AppendImaplib", rng, APPEND_COUNT, imaplib_style=True)
        res["conc"] = concurrent_run(server, CONC_CLIENTS, args.duration)
        return res
    finally:
        bad = bad_log_lines(server, "imap_ops")
        if bad:
            print(f"# {server.name}: {len(bad)} error lines in its log (copy in {LOG_DIR}), "
                  "first ones:\n#   " + "\n#   ".join(bad[:5]))
        server.stop()


# -- report --------------------------------------------------------------------------
def fmt_t(v):
    if v is None:
        return "n/a (not implemented)"
    return f"{v * 1000:.1f} ms" if v < 10 else f"{v:.2f} s"


def report(res, args):
    names = ["dovecot-like", "Dovecot"]
    present = [n for n in names if n in res]
    rows, ratios = [], []
    rowdefs = [("SELECT INBOX", "SELECT INBOX")] + [(n, n) for n, _, _ in row_commands()]
    for phase in ("cold", "warm"):
        for label, key in rowdefs:
            vals = [res[n][phase][key] for n in present]
            r = bl.ratio(res.get("dovecot-like", {}).get(phase, {}).get(key),
                         res.get("Dovecot", {}).get(phase, {}).get(key))
            cnt = " / ".join(str(res[n]["counts"].get(key, "")) for n in present)
            rows.append([f"{label} {phase}"] + [fmt_t(v) for v in vals] +
                        [bl.fmt_ratio(r), cnt.strip(" /")])
            ratios.append((f"{label} {phase}", r, "lower is better"))
    for phase in ("cold", "warm"):
        key = f"append_{phase}"
        vals = [res[n][key] for n in present]
        r = bl.ratio(*(res.get(n, {}).get(key) for n in names))
        rows.append([f"APPEND {APPEND_COUNT} x 4 KiB {phase}"] + [fmt_t(v) for v in vals] +
                    [bl.fmt_ratio(r), " / ".join(res[n]["append_mode"] for n in present)])
        ratios.append((f"APPEND {APPEND_COUNT} {phase}", r, "lower is better"))
    vals = [res[n]["append_imaplib"] for n in present]
    r = bl.ratio(*(res.get(n, {}).get("append_imaplib") for n in names))
    rows.append([f"APPEND {APPEND_COUNT} x 4 KiB as imaplib"] + [fmt_t(v) for v in vals] +
                [bl.fmt_ratio(r), " / ".join(res[n]["append_imaplib_mode"] for n in present)])
    ratios.append((f"APPEND {APPEND_COUNT} as imaplib", r, "lower is better"))
    for phase in ("cold", "warm"):
        key = f"hwm_{phase}"
        vals = [res[n][key] for n in present]
        r = bl.ratio(*(res.get(n, {}).get(key) for n in names))
        rows.append([f"worker VmHWM after FETCH, {phase}"] +
                     [f"{v / 1024:.1f} MiB" for v in vals] + [bl.fmt_ratio(r), ""])
        ratios.append((f"worker_hwm {phase}", r, "lower is better"))
    vals = [res[n]["conc"] for n in present]
    r = bl.ratio(*(res.get(n, {}).get("conc", (None,))[0] for n in names))
    rows.append([f"{CONC_CLIENTS} clients mixed loop, ops/s"] +
                [f"{v[0]:.0f}" for v in vals] + [bl.fmt_ratio(r),
                " / ".join(f"{v[1]} ops {v[2]} err {len(v[3])} failed" for v in vals)])
    ratios.append((f"concurrent_{CONC_CLIENTS} ops/s", r, "HIGHER is better"))
    print(bl.table(rows, ["row"] + present + ["ratio", "results / notes"]))
    for n in present:
        for f in res[n]["conc"][3][:5]:
            print(f"# {n}: concurrent client failed: {f}")
    for label, r, how in ratios:
        if r is None and any(w in label for w in ("SORT", "THREAD")):
            continue                       # n/a (not implemented): no ratio line
        print(f"RATIO imap_ops {label}: {bl.fmt_ratio(r)} (dovecot-like / Dovecot, {how})")
    if "dovecot-like" in res and "Dovecot" in res:
        a, b = res["dovecot-like"]["counts"], res["Dovecot"]["counts"]
        for k in a:
            if k in b and a[k] != b[k] and k.startswith("SEARCH"):
                print(f"# result count differs for {k}: dovecot-like {a[k]}, Dovecot {b[k]}")


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0].replace("\n", " "),
        epilog="Ratios are dovecot-like / Dovecot: lower is better for times and "
               "memory, higher is better for the concurrent ops/s row.")
    ap.add_argument("--messages", type=int, default=10000,
                    help="messages in the Maildir (default 10000, max 50000)")
    ap.add_argument("--rounds", type=int, default=3,
                    help="warm runs, each in a new session; median reported (max 20)")
    ap.add_argument("--duration", type=float, default=20,
                    help="seconds of the 50-client mixed loop (default 20, max 60)")
    ap.add_argument("--servers", choices=("dl", "dovecot", "both"), default="both")
    ap.add_argument("--keep-template", metavar="DIR",
                    help="generate the Maildir here once and reuse it on later runs")
    args = ap.parse_args()
    args.messages = max(1, min(args.messages, 50000))
    args.rounds = max(1, min(args.rounds, 20))
    args.duration = max(1.0, min(args.duration, 60.0))
    print(f"# imap_ops: {args.messages} messages, {args.rounds} warm rounds, "
          f"{CONC_CLIENTS} clients x {args.duration:.0f} s, {dovecot_version()}")
    tmp, template = None, args.keep_template
    stamp = template and os.path.join(template, STAMP)
    if stamp and os.path.exists(stamp) and open(stamp).read().strip() == str(args.messages):
        print(f"# reusing {template}")
    else:
        if not template:
            tmp = tempfile.mkdtemp(prefix="bench-imapops-")
            template = os.path.join(tmp, "Maildir")
        elif os.path.exists(template):
            shutil.rmtree(template)
        t0 = time.time()
        size = make_maildir(template, args.messages)
        print(f"# generated {args.messages} messages, {size / 1e6:.1f} MB "
              f"in {time.time() - t0:.1f} s")
    which = {"dl": [DLBench], "dovecot": [DovecotRef], "both": [DLBench, DovecotRef]}
    res = {}
    try:
        for cls in which[args.servers]:
            try:
                res[cls.name] = run_server(cls, template, args)
            except (OSError, RuntimeError) as e:
                print(f"# {cls.name}: error: {e}")
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    if res:
        report(res, args)
    return 0 if res else 1


if __name__ == "__main__":
    sys.exit(main())
