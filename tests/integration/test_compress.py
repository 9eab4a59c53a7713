"""IMAP COMPRESS=DEFLATE (RFC 4978) against a running server: a raw client
that speaks raw deflate with Python's zlib after "COMPRESS DEFLATE" (each
packet ends with Z_SYNC_FLUSH): SELECT, FETCH of a body over 1 MiB compared
byte for byte, pipelined commands in one compressed packet (also sent in the
same packet as COMPRESS itself), IDLE/DONE, APPEND with a synchronizing and a
large non-synchronizing literal, the replies to a second COMPRESS, an unknown
mechanism and missing arguments compared with Debian's Dovecot 2.3 (with its
imap_zlib plugin), garbage that is not deflate (disconnect, a clear log line,
no crash), and COMPRESS inside implicit TLS."""
import re
import zlib
import pytest
import imap_grammar
from dlserver import Server
from rawclient import Imap, LOGGED_IN_RE, login, ok_reply

BIG = b"".join(b"Line %07d of the big body: %s\r\n" % (i, bytes([65 + i % 26]) * (i % 50))
               for i in range(40000))
assert len(BIG) > 1048576
BIG_MSG = (b"From: big@example.org\r\nTo: demo@example.org\r\n"
           b"Subject: big\r\n\r\n" + BIG)
SMALL_MSG = b"From: a@example.org\r\nSubject: small\r\n\r\nhello\r\n"

BEGIN = "OK Begin compression."
# Dovecot 2.3.x imap_zlib's exact text
ACTIVE = "NO [COMPRESSIONACTIVE] COMPRESSION=DEFLATE already enabled."
UNKNOWN = "NO Unknown compression mechanism."
NOARGS = "BAD Error in IMAP command COMPRESS: Invalid arguments."


class Compressed:
    """Wraps a logged-in Imap after COMPRESS DEFLATE: every send is one
    deflate Z_SYNC_FLUSH packet, every byte read is inflated."""

    def __init__(self, c, pending=b""):
        self.c = c
        self.comp = zlib.compressobj(6, zlib.DEFLATED, -15)
        self.decomp = zlib.decompressobj(-15)
        # bytes the server sent after its OK are already compressed
        self.buf = self.decomp.decompress(c.buf + pending)
        c.buf = b""
        self.n = 0

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.c.sock.sendall(self.packet(data))

    def packet(self, data):
        return self.comp.compress(data) + self.comp.flush(zlib.Z_SYNC_FLUSH)

    def _fill(self):
        chunk = self.c.sock.recv(65536)
        if not chunk:
            raise EOFError("connection closed; pending %r" % self.buf[:200])
        self.buf += self.decomp.decompress(chunk)

    def read_line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        i = self.buf.index(b"\r\n") + 2
        line, self.buf = self.buf[:i], self.buf[i:]
        return line[:-2].decode("utf-8", "replace")

    def read_bytes(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read_response(self, tag):
        """(untagged lines, literals inline as [line, bytes, rest]; tagged).
        Each response is checked by the strict grammar (imap_grammar)."""
        untagged = []
        while True:
            line = self.read_line()
            m = re.search(r"\{(\d+)\}$", line)
            if m:
                parts = [line, self.read_bytes(int(m.group(1))), self.read_line()]
                self.check(b"%s\r\n%s%s\r\n" % (
                    parts[0].encode(), parts[1], parts[2].encode()))
                untagged.append(parts)
                continue
            self.check(line.encode() + b"\r\n")
            if line.startswith(tag + " "):
                return untagged, line[len(tag) + 1:]
            untagged.append(line)

    def check(self, raw):
        imap_grammar.parse_response(raw, dovecot=bool(self.c.dovecot))

    def command(self, cmd):
        self.n += 1
        tag = "z%d" % self.n
        self.send("%s %s\r\n" % (tag, cmd))
        return self.read_response(tag)


def start_compress(c):
    _, tagged = c.command("COMPRESS DEFLATE")
    assert tagged == BEGIN, tagged
    return Compressed(c)


@pytest.fixture(scope="module")
def server():
    srv = Server(users={"demo": "demo"}, messages=[SMALL_MSG, BIG_MSG])
    srv.start()
    yield srv
    srv.stop()


def test_capability_advertised(server):
    c = login(server)
    untagged, tagged = c.command("CAPABILITY")
    assert tagged == "OK Capability completed.", tagged
    from test_condstore import CAPS
    assert untagged == ["* CAPABILITY " + CAPS], untagged
    c.close()


def test_select_fetch_big_body(server):
    c = login(server)
    z = start_compress(c)
    untagged, tagged = z.command("SELECT INBOX")
    assert tagged == ok_reply("SELECT"), (untagged, tagged)
    assert "* 2 EXISTS" in untagged, untagged
    untagged, tagged = z.command("FETCH 2 BODY.PEEK[]")
    assert tagged == ok_reply("FETCH"), tagged
    assert len(untagged) == 1, untagged
    line, data, rest = untagged[0]
    assert line == "* 2 FETCH (BODY[] {%d}" % len(BIG_MSG), line
    assert data == BIG_MSG
    assert rest == ")"
    untagged, tagged = z.command("FETCH 1 BODY.PEEK[]")
    assert untagged == [["* 1 FETCH (BODY[] {%d}" % len(SMALL_MSG), SMALL_MSG, ")"]]
    _, tagged = z.command("LOGOUT")
    assert tagged == ok_reply("LOGOUT")
    c.close()


def test_pipelined(server):
    """Commands sent in the same packet as COMPRESS, and a packet whose
    commands inflate to far more than one read buffer."""
    c = login(server)
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    first = comp.compress(b"p2 NOOP\r\np3 SELECT INBOX\r\n") + comp.flush(zlib.Z_SYNC_FLUSH)
    c.send(b"p1 COMPRESS DEFLATE\r\n" + first)
    line = c.readline()
    assert line == "p1 " + BEGIN, line
    z = Compressed(c)
    z.comp = comp
    untagged, tagged = z.read_response("p2")
    assert tagged == "OK NOOP completed.", (untagged, tagged)
    untagged, tagged = z.read_response("p3")
    assert tagged == ok_reply("SELECT"), (untagged, tagged)
    # ~300 KiB of commands, a few KiB compressed: one packet
    n = 3000
    cmds = b"".join(b"q%d UID FETCH 1 (UID)\r\n" % i for i in range(n))
    cmds += b"qlast NOOP\r\n"
    z.send(cmds)
    for i in range(n):
        untagged, tagged = z.read_response("q%d" % i)
        assert untagged == ["* 1 FETCH (UID 1)"], (i, untagged)
        assert tagged == ok_reply("FETCH"), (i, tagged)
    _, tagged = z.read_response("qlast")
    assert tagged == "OK NOOP completed."
    c.close()


def test_idle_done(server):
    c = login(server)
    z = start_compress(c)
    _, tagged = z.command("SELECT INBOX")
    assert tagged == ok_reply("SELECT")
    z.send("i1 IDLE\r\n")
    assert z.read_line() == "+ idling"
    z.send("DONE\r\n")
    untagged, tagged = z.read_response("i1")
    assert (untagged, tagged) == ([], "OK Idle completed."), (untagged, tagged)
    # IDLE and DONE and a next command in one packet
    z.send("i2 IDLE\r\nDONE\r\ni3 NOOP\r\n")
    assert z.read_line() == "+ idling"
    assert z.read_response("i2") == ([], "OK Idle completed.")
    assert z.read_response("i3") == ([], "OK NOOP completed.")
    c.close()


def test_append(server):
    c = login(server)
    z = start_compress(c)
    msg = b"From: x@example.org\r\nSubject: appended\r\n\r\nbody\r\n"
    z.send(b"a1 APPEND INBOX {%d}\r\n" % len(msg))
    assert z.read_line() == "+ OK"
    z.send(msg + b"\r\n")
    untagged, tagged = z.read_response("a1")
    assert untagged == [], untagged
    assert re.fullmatch(r"OK \[APPENDUID \d+ \d+\] Append completed\.", tagged), tagged
    uid = int(tagged.split()[3][:-1])
    # a literal that inflates to much more than the input buffer, in one
    # packet with the command and a command after it
    big = b"From: y@example.org\r\nSubject: big append\r\n\r\n" + BIG[:400000]
    z.send(b"a2 APPEND INBOX {%d+}\r\n%s\r\na3 NOOP\r\n" % (len(big), big))
    untagged, tagged = z.read_response("a2")
    assert re.fullmatch(r"OK \[APPENDUID \d+ \d+\] Append completed\.", tagged), tagged
    uid2 = int(tagged.split()[3][:-1])
    assert z.read_response("a3") == ([], "OK NOOP completed.")
    _, tagged = z.command("SELECT INBOX")
    assert tagged == ok_reply("SELECT")
    for u, m in ((uid, msg), (uid2, big)):
        untagged, tagged = z.command("UID FETCH %d BODY.PEEK[]" % u)
        assert tagged == ok_reply("FETCH"), tagged
        assert len(untagged) == 1 and untagged[0][1] == m
    _, tagged = z.command("UID STORE %d,%d +FLAGS.SILENT (\\Deleted)" % (uid, uid2))
    assert tagged == ok_reply("STORE")
    _, tagged = z.command("EXPUNGE")
    assert tagged == ok_reply("EXPUNGE")
    c.close()


def replies(c, z):
    """The tagged replies to the error cases, before and after COMPRESS."""
    out = []
    _, tagged = c.command("COMPRESS")
    out.append(tagged)
    _, tagged = c.command("COMPRESS FOO")
    out.append(tagged)
    _, tagged = c.command("COMPRESS DEFLATE")
    out.append(tagged)
    z = Compressed(c)
    for cmd in ("COMPRESS DEFLATE", "COMPRESS FOO", "COMPRESS DEFLATE extra"):
        _, tagged = z.command(cmd)
        out.append(tagged)
    _, tagged = z.command("NOOP")
    out.append(tagged)
    return out


EXPECTED = [NOARGS, UNKNOWN, BEGIN, ACTIVE, ACTIVE, NOARGS, "OK NOOP completed."]


def test_error_replies(server):
    c = login(server)
    assert replies(c, None) == EXPECTED
    c.close()


def test_error_replies_dovecot():
    """The same sequence on Debian's Dovecot 2.3 with imap_zlib."""
    import dovecot
    dovecot.ensure_or_skip()
    srv = Server(users={"demo": "demo"}, messages=0)
    srv.prepare()
    dc = dovecot.ForServer(srv)
    with open(dc.conf, "a") as f:
        f.write("mail_plugins = $mail_plugins zlib\n"
                "protocol imap {\n  mail_plugins = $mail_plugins imap_zlib\n}\n")
    try:
        dc.start_or_skip()
        c = Imap(dc.imap_port, timeout=30)
        _, tagged = c.command("LOGIN demo demo")
        assert LOGGED_IN_RE.match(tagged), tagged
        got = replies(c, None)
        # Dovecot adds " (0.001 + 0.000 secs)." timing to some replies
        got = [re.sub(r" \(\d+\.\d+ \+ \d+\.\d+( \+ \d+\.\d+)? secs\)\.$", ".", g)
               for g in got]
        assert got == EXPECTED, got
        c.close()
    finally:
        dc.cleanup()


def test_garbage_after_compress(server):
    offset = len(server.log_text())
    c = login(server)
    _, tagged = c.command("COMPRESS DEFLATE")
    assert tagged == BEGIN
    c.send(b"\xff\xff\xff\xff this is not deflate\r\n")
    assert c.is_closed(timeout=10)
    assert server.wait_log("Disconnected: COMPRESS: Corrupt deflate data: "
                           "invalid block type", offset=offset), \
        server.log_text()[offset:]
    # the server goes on serving
    c2 = login(server)
    z = start_compress(c2)
    assert z.command("NOOP") == ([], "OK NOOP completed.")
    c2.close()


def test_client_closes_cleanly(server):
    """A peer that just closes after its last flush is a normal logout."""
    offset = len(server.log_text())
    c = login(server)
    z = start_compress(c)
    assert z.command("NOOP") == ([], "OK NOOP completed.")
    c.close()
    assert server.wait_log("Disconnected: Connection closed", offset=offset), \
        server.log_text()[offset:]
    assert "COMPRESS:" not in server.log_text()[offset:]


def test_compress_in_imaps():
    from dlserver import tls_material
    srv = Server(users={"demo": "demo"}, messages=[SMALL_MSG, BIG_MSG], tls=True)
    srv.start()
    try:
        ctx = tls_material().client_context()
        c = Imap(srv.imaps_port, timeout=30, ssl_context=ctx)
        _, tagged = c.command("LOGIN demo demo")
        assert LOGGED_IN_RE.match(tagged), tagged
        z = start_compress(c)
        _, tagged = z.command("SELECT INBOX")
        assert tagged == ok_reply("SELECT")
        untagged, tagged = z.command("FETCH 2 BODY.PEEK[]")
        assert tagged == ok_reply("FETCH")
        assert untagged[0][1] == BIG_MSG
        assert z.command("LOGOUT")[1] == ok_reply("LOGOUT")
        c.close()
    finally:
        srv.stop()
