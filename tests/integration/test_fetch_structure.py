"""FETCH ENVELOPE, BODY, BODYSTRUCTURE and the FULL macro end to end: MIME
messages are put in the Maildir and the replies must equal, byte for byte,
what Dovecot 2.3 sends for the same messages (fetch_structure_cases.py)."""
import os, re, socket
import pytest
from dlserver import Server
from fetch_structure_cases import CASES

NAMES = sorted(CASES)


@pytest.fixture(scope="module")
def structure_server():
    srv = Server(messages=0)
    srv.prepare_orig = srv.prepare

    def prepare():
        srv.prepare_orig()
        cur = os.path.join(srv.maildir("demo"), "cur")
        uid, gid = srv.uids["demo"]
        for i, name in enumerate(NAMES):
            path = os.path.join(cur, "17000000%02d.M%dP1.test:2," % (i, i))
            with open(path, "wb") as f:
                f.write(CASES[name][0])
            os.chown(path, uid, gid)
    srv.prepare = prepare
    srv.start()
    yield srv
    srv.stop()


class Conn:
    """Raw IMAP: replies are compared as bytes, literals included."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=15)
        self.buf = b""
        self.tag = 0
        self.read_until(b"\r\n")

    def read_until(self, needle):
        while needle not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError(self.buf)
            self.buf += chunk
        i = self.buf.index(needle) + len(needle)
        data, self.buf = self.buf[:i], self.buf[i:]
        return data

    def read_bytes(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError(self.buf)
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def command(self, cmd):
        """Returns (untagged bytes with literals, tagged line)."""
        self.tag += 1
        tag = b"t%d " % self.tag
        self.sock.sendall(tag + cmd.encode() + b"\r\n")
        untagged = b""
        while True:
            line = self.read_until(b"\r\n")
            if line.startswith(tag):
                return untagged, line.decode()
            untagged += line
            # a literal: its bytes, then the rest of the same line
            while True:
                m = re.search(rb"\{(\d+)\}\r\n$", line)
                if not m:
                    break
                untagged += self.read_bytes(int(m.group(1)))
                line = self.read_until(b"\r\n")
                untagged += line


def connect(server):
    c = Conn(server.imap_port)
    untagged, tagged = c.command("LOGIN demo %s" % server.users["demo"])
    assert " OK" in tagged, tagged
    untagged, tagged = c.command("SELECT INBOX")
    assert " OK" in tagged, tagged
    assert b"* %d EXISTS" % len(NAMES) in untagged
    return c


@pytest.mark.parametrize("idx", range(len(NAMES)), ids=NAMES)
def test_fetch_structure_matches_dovecot(structure_server, idx):
    c = connect(structure_server)
    untagged, tagged = c.command("FETCH %d (ENVELOPE BODY BODYSTRUCTURE)" % (idx + 1))
    assert tagged.endswith("OK Fetch completed.\r\n") or " OK" in tagged, tagged
    expected = CASES[NAMES[idx]][1].replace(b"* 1 FETCH", b"* %d FETCH" % (idx + 1), 1)
    assert untagged == expected


def test_fetch_full_macro(structure_server):
    c = connect(structure_server)
    idx = NAMES.index("m1")
    untagged, tagged = c.command("FETCH %d FULL" % (idx + 1))
    assert " OK" in tagged, tagged
    m = re.match(rb"^\* %d FETCH \((.*)\)\r\n$" % (idx + 1), untagged, re.S)
    assert m, untagged
    items = m.group(1)
    # RFC 3501 6.4.5: FULL = (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY)
    assert re.search(rb"FLAGS \([^)]*\)", items)
    assert re.search(rb'INTERNALDATE "[^"]+"', items)
    assert b"RFC822.SIZE %d" % len(CASES["m1"][0]) in items
    exp = CASES["m1"][1]
    env = exp[exp.index(b"ENVELOPE "):exp.index(b" BODY (")]
    body = exp[exp.index(b"BODY ("):exp.index(b" BODYSTRUCTURE ")]
    assert env in items and body in items
    assert b"BODYSTRUCTURE" not in items


def test_fetch_body_errors(structure_server):
    c = connect(structure_server)
    untagged, tagged = c.command("FETCH 1 (BODYSTRUCTURE.PEEK)")
    assert " BAD" in tagged, tagged
    # BODY without a section does not set \Seen
    untagged, tagged = c.command("STORE 1 -FLAGS (\\Seen)")
    untagged, tagged = c.command("FETCH 1 (BODY)")
    assert " OK" in tagged and b"FLAGS" not in untagged, untagged
    untagged, tagged = c.command("FETCH 1 (FLAGS)")
    assert b"\\Seen" not in untagged
