"""Whole-session behaviour of the IMAP worker: imap_logout_format's
variables counted exactly (the bytes each way as the client saw them, the
FETCH/STORE/EXPUNGE/COPY counters), many pipelined commands answered in
order with the same replies as Debian's Dovecot 2.3, the RFC 3501 5.5
rule that EXPUNGE waits for a command that allows it, and a client that
stops reading in the middle of a large FETCH: the worker stops reading
the messages instead of buffering the reply."""
import re, socket, time
import imap_grammar
from dlserver import Server
from filled_inbox import without_timing
from rawclient import LOGGED_IN_RE, login, ok_reply

LOGOUT_FORMAT = ("bytes=%i/%o del=%{deleted} exp=%{expunged} "
                 "trash=%{trashed} hdr=%{fetch_hdr_count}/%{fetch_hdr_bytes} "
                 "body=%{fetch_body_count}/%{fetch_body_bytes}")
TRASH_NS = """namespace inbox {
  inbox = yes
  mailbox Trash {
    special_use = \\Trash
    auto = create
  }
}
"""
LOGOUT_CONF = "protocol imap {\n  imap_logout_format = %s\n}\n" % LOGOUT_FORMAT + TRASH_NS

# the counted FETCH items: header-only sections and body sections
HDR_ITEM = re.compile(rb"BODY\[HEADER(?:\.FIELDS[^\]]*)?\] \{(\d+)\}\r\n$")
BODY_ITEM = re.compile(rb"BODY\[(?:TEXT)?\] \{(\d+)\}\r\n$")


def plain(tagged):
    """A tagged reply without Dovecot's timing, ending in "." as ours."""
    stripped = without_timing(tagged)
    return stripped + "." if stripped != tagged else tagged


def normal(untagged):
    """What differs between two servers' mailboxes by nature: the
    UIDVALIDITY and RFC 8474's MAILBOXID (Dovecot 2.3 has no OBJECTID)."""
    out = []
    for line in untagged:
        if isinstance(line, str) and line.startswith("* OK [MAILBOXID ("):
            continue
        out.append(re.sub(r"\[UIDVALIDITY \d+\]", "[UIDVALIDITY n]", line)
                   if isinstance(line, str) else line)
    return out


class CountingSession:
    """A raw IMAP session that counts every byte sent after the LOGIN
    command and every byte received from then on, and the literals of
    FETCH header and body sections."""

    def __init__(self, port, dovecot=False):
        self.dovecot = dovecot
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buf = b""
        self.sent = self.received = 0
        self.hdr = [0, 0]
        self.body = [0, 0]
        greeting = self._line()
        imap_grammar.parse_response(greeting, dovecot=dovecot, greeting=True)
        self.received = 0
        self.sock.sendall(b"a LOGIN demo demo\r\n")
        _, tagged = self.command_reply(b"a")
        assert LOGGED_IN_RE.match(tagged), tagged

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            assert chunk, "connection closed; pending %r" % self.buf
            self.buf += chunk
            self.received += len(chunk)
        i = self.buf.index(b"\r\n") + 2
        line, self.buf = self.buf[:i], self.buf[i:]
        return line

    def _bytes(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            assert chunk, "connection closed"
            self.buf += chunk
            self.received += len(chunk)
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def command_reply(self, tag):
        """Reads up to tag's reply: (untagged lines, tagged text), counting
        the FETCH literals."""
        untagged = []
        while True:
            line = raw = self._line()
            while True:
                m = re.search(rb"\{(\d+)\}\r\n$", line)
                if not m:
                    break
                for item, counter in ((HDR_ITEM, self.hdr), (BODY_ITEM, self.body)):
                    if item.search(line):
                        counter[0] += 1
                        counter[1] += int(m.group(1))
                literal = self._bytes(int(m.group(1)))
                line = self._line()
                raw += literal + line
            imap_grammar.parse_response(raw, dovecot=self.dovecot)
            if line.startswith(tag + b" "):
                return untagged, line[len(tag) + 1:-2].decode()
            untagged.append(line[:-2].decode())

    def command(self, tag, cmd):
        data = b"%s %s\r\n" % (tag, cmd.encode())
        self.sock.sendall(data)
        self.sent += len(data)
        return self.command_reply(tag)

    def logout(self):
        untagged, tagged = self.command(b"z", "LOGOUT")
        assert untagged[0].startswith("* BYE "), untagged
        assert plain(tagged) == "OK Logout completed.", tagged
        # everything up to the close
        while True:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            self.received += len(chunk)
        self.sock.close()


def run_logout_script(port, trash, dovecot=False):
    s = CountingSession(port, dovecot)
    untagged, tagged = s.command(b"b", "SELECT INBOX")
    assert "* 3 EXISTS" in untagged, untagged
    recent, = [int(u.split()[1]) for u in untagged if u.endswith(" RECENT")]
    assert s.command(b"c", "FETCH 1 (BODY.PEEK[HEADER])")[1].startswith("OK ")
    assert s.command(b"d", "FETCH 1:2 (BODY.PEEK[])")[1].startswith("OK ")
    assert s.command(b"e", "FETCH 3 (BODY.PEEK[TEXT] "
                     "BODY.PEEK[HEADER.FIELDS (SUBJECT)])")[1].startswith("OK ")
    if trash:
        assert s.command(b"f", "COPY 2:3 Trash")[1].startswith("OK [COPYUID ")
    untagged, tagged = s.command(b"g", "STORE 3 +FLAGS.SILENT (\\Deleted)")
    assert (untagged, plain(tagged)) == ([], ok_reply("STORE")), tagged
    untagged, tagged = s.command(b"h", "EXPUNGE")
    # message 3 (in new/) was \Recent in this session: one fewer now
    assert untagged == ["* 3 EXPUNGE", "* %d RECENT" % (recent - 1)], untagged
    assert plain(tagged) == ok_reply("EXPUNGE"), tagged
    s.logout()
    assert s.hdr[0] == 2 and s.body[0] == 3, (s.hdr, s.body)
    return s


def expected_logout_text(s, trash):
    return "bytes=%d/%d del=1 exp=1 trash=%d hdr=%d/%d body=%d/%d" % (
        s.sent, s.received, trash, s.hdr[0], s.hdr[1], s.body[0], s.body[1])


def test_logout_format_counts_exactly():
    srv = Server(users={"demo": "demo"}, extra_conf=LOGOUT_CONF).start()
    try:
        s = run_logout_script(srv.imap_port, trash=True)
        want = "Logged out " + expected_logout_text(s, 2)
        assert srv.wait_log(want), (want, srv.log_text())
    finally:
        srv.stop()


def test_logout_format_counts_like_dovecot():
    """Dovecot counts the same things the same way (minus trash: its
    private config has no \\Trash mailbox)."""
    import dovecot
    dovecot.ensure_or_skip()
    srv = Server(users={"demo": "demo"})
    srv.prepare()
    dc = dovecot.ForServer(srv)
    with open(dc.conf, "a") as f:
        f.write("protocol imap {\n  imap_logout_format = %s\n}\n" % LOGOUT_FORMAT)
    try:
        dc.start_or_skip()
        s = run_logout_script(dc.imap_port, trash=False, dovecot=True)
        # Dovecot's count of input stops before LOGOUT's CRLF
        s.sent -= 2
        want = "Logged out " + expected_logout_text(s, 0)
        deadline = time.time() + 10
        while want not in dc.log_text() and time.time() < deadline:
            time.sleep(0.05)
        assert want in dc.log_text(), (want, dc.log_text()[-2000:])
    finally:
        dc.cleanup()


# -- pipelining -----------------------------------------------------------
# (Dovecot runs some pipelined commands in parallel and may answer them
# out of order, which RFC 3501 5.5 allows; we answer in order, so the
# reference here is the same script sent one command at a time.)
PIPELINE = (["NOOP", "FETCH 1 (FLAGS)", "STORE 2 +FLAGS (\\Flagged)",
             "UID FETCH 1:* (FLAGS)", "SEARCH FLAGGED", "STATUS INBOX (MESSAGES)",
             "CHECK", "STORE 2 -FLAGS.SILENT (\\Flagged)",
             "FETCH 1:3 (UID RFC822.SIZE)", "UID SEARCH ALL",
             "EXAMINE INBOX", "FETCH 3 (FLAGS)", "SELECT INBOX",
             "STORE 3 +FLAGS ($Pipelined)", "FETCH 3 (FLAGS)"] * 4)


def selected(srv):
    c = login(srv)
    assert c.command("SELECT INBOX")[1] == "OK [READ-WRITE] Select completed."
    return c


def send_script(c, cmds, pipelined):
    """cmds in one write or one at a time; the replies as (command,
    untagged, tagged), each command's tagged reply before the next one's."""
    tags = ["p%d" % i for i in range(len(cmds))]
    if pipelined:
        c.send("".join("%s %s\r\n" % tc for tc in zip(tags, cmds)))
    replies = []
    for tag, cmd in zip(tags, cmds):
        if not pipelined:
            c.send("%s %s\r\n" % (tag, cmd))
        untagged, tagged = c.read_response(tag)
        assert not any(isinstance(u, str) and re.match(r"p\d+ ", u)
                       for u in untagged), (cmd, untagged)
        replies.append((cmd, normal(untagged), tagged))
    return replies


def test_pipelined_commands_in_order():
    replies = []
    for pipelined in (True, False):
        srv = Server(users={"demo": "demo"}).start()
        try:
            c = selected(srv)
            replies.append(send_script(c, PIPELINE, pipelined))
            c.close()
        finally:
            srv.stop()
    assert [r[0] for r in replies[0]] == PIPELINE
    for cmd, untagged, tagged in replies[0]:
        assert tagged.startswith("OK "), (cmd, tagged)
    assert replies[0] == replies[1]


EXPUNGE_SCRIPT = ["FETCH 1:* (FLAGS)", "STORE 3 +FLAGS (\\Seen)", "SEARCH ALL",
                  "UID FETCH 1:* (UID)", "NOOP"]


def test_pipelined_expunge_waits():
    """A second session expunges message 2; FETCH, STORE and SEARCH
    (RFC 3501 5.5, 7.4.1) must not report it, UID FETCH does, and the
    replies are those of the same commands sent one at a time."""
    replies = []
    for pipelined in (True, False):
        srv = Server(users={"demo": "demo"}).start()
        try:
            a, b = selected(srv), selected(srv)
            assert b.command("STORE 2 +FLAGS.SILENT (\\Deleted)") == \
                ([], ok_reply("STORE"))
            assert b.command("EXPUNGE") == (["* 2 EXPUNGE"], ok_reply("EXPUNGE"))
            b.close()
            replies.append(send_script(a, EXPUNGE_SCRIPT, pipelined))
            a.close()
        finally:
            srv.stop()
    ours = replies[0]
    for cmd, untagged, _ in ours[:3]:
        assert not any(u.endswith(" EXPUNGE") for u in untagged), (cmd, untagged)
    assert "* 2 EXPUNGE" in ours[3][1], ours[3]
    assert replies[0] == replies[1]


# -- a client that stops reading ------------------------------------------
BIG = 8 * 1024 * 1024
BIG_COUNT = 6


def vm_rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"^VmRSS:\s+(\d+) kB", f.read(), re.M).group(1))


def is_sanitized(pid):
    with open("/proc/%d/maps" % pid) as f:
        return "libasan" in f.read()


def big_message(i):
    line = (b"%07d " % i) + b"x" * 70 + b"\r\n"
    head = b"Subject: big %d\r\nFrom: a@example.org\r\n\r\n" % i
    return head + line * ((BIG - len(head)) // len(line))


def test_stalled_reader_does_not_grow_worker():
    srv = Server(users={"demo": "demo"}, messages=0).start()
    try:
        sizes = []
        for i in range(BIG_COUNT):
            msg = big_message(i)
            sizes.append(len(msg))
            srv.deliver("demo", msg, "%d.big%d.host" % (1700000000 + i, i))
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # a small fixed receive window: the kernel doesn't absorb the reply
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        sock.settimeout(60)
        sock.connect(("127.0.0.1", srv.imap_port))
        f = sock.makefile("rb")
        assert f.readline().startswith(b"* OK ")
        sock.sendall(b"a LOGIN demo demo\r\nb SELECT INBOX\r\n")
        while not f.readline().startswith(b"b OK "):
            pass
        pid, = srv.worker_pids("dovecot-like/imap [demo")
        before = vm_rss_kib(pid)
        sock.sendall(b"c FETCH 1:* (BODY.PEEK[])\r\n")
        # the worker fills the socket buffers, then must wait for us
        time.sleep(2)
        stalled = vm_rss_kib(pid)
        limit = 16 * 1024 * (3 if is_sanitized(pid) else 1)
        assert stalled - before < limit, (before, stalled)
        # and everything arrives intact once we read
        got = []
        while True:
            line = f.readline()
            if line.startswith(b"c "):
                assert line == b"c OK Fetch completed.\r\n", line
                break
            m = re.match(rb"\* (\d+) FETCH \(BODY\[\] \{(\d+)\}\r\n$", line)
            assert m, line
            data = f.read(int(m.group(2)))
            assert data == big_message(int(m.group(1)) - 1)
            assert f.readline() == b")\r\n"
            got.append(int(m.group(1)))
        assert got == list(range(1, BIG_COUNT + 1))
        sock.close()
    finally:
        srv.stop()
