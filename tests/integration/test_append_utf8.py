"""APPEND's UTF8 data extension (RFC 6855 4: utf8-literal = "UTF8" SP "("
literal8 ")") against a running server: after ENABLE UTF8=ACCEPT a message
with raw UTF-8 header bytes saved from UTF8 (~{n}...) and ~{n+}, with flags
and date, in MULTIAPPEND, fetched back byte-identical; without ENABLE the
form is refused as any other misplaced literal8; malformed forms get exact
BAD replies and the connection goes on (a NOOP answers)."""
import re

import pytest

from dlserver import Server
from rawclient import login, fetch_bodies, server_date, select

APPENDUID_RE = re.compile(r"^OK \[APPENDUID (\d+) ([0-9:,]+)\] Append completed\.$")
BAD = "BAD Error in IMAP command APPEND: "
TOOBIG = ("NO [TOOBIG] Mail size is larger than the maximum size allowed "
          "by server configuration")

MSG1 = (b"From: =?utf-8?q?x?= <a@example.org>\r\n"
        b"To: \xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90.\xe5\x85\xac\xe5\x8f\xb8\r\n"
        b"Subject: Gr\xc3\xbc\xc3\x9fe \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\r\n"
        b"Message-ID: <u1@example.org>\r\n\r\n"
        b"K\xc3\xb6rper (with a \")\" and a CRLF)\r\n")
MSG2 = (b"From: b@example.org\r\nSubject: \xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82\r\n"
        b"Message-ID: <u2@example.org>\r\n\r\nbody two\r\n")


@pytest.fixture
def srv():
    s = Server(users={"demo": "demo"}, messages=0,
               extra_conf="quota_mail_size = 10k\n")
    s.start()
    try:
        yield s
    finally:
        s.stop()


def enable(c):
    assert c.command("ENABLE UTF8=ACCEPT") == (
        ["* ENABLED UTF8=ACCEPT"], "OK Enabled.")


def tag(c):
    c.n += 1
    return "t%d" % c.n


def noop(c):
    assert c.command("NOOP") == ([], "OK NOOP completed.")


def exists(c, n):
    assert select(c, "INBOX")["EXISTS"] == n


def test_utf8_append_sync_flags_and_fetch(srv):
    c = login(srv)
    enable(c)
    t = tag(c)
    c.send(("%s APPEND INBOX (\\Seen) UTF8 (~{%d}\r\n" % (t, len(MSG1))).encode())
    assert c.readline() == "+ OK"
    c.send(MSG1 + b")\r\n")
    untagged, tagged = c.read_response(t)
    m = APPENDUID_RE.match(tagged)
    assert untagged == [] and m and m.group(2) == "1", (untagged, tagged)
    noop(c)
    exists(c, 1)
    got = fetch_bodies(c)
    assert list(got) == [1]
    flags, _, body = got[1]
    assert set(flags.split()) == {"\\Seen", "\\Recent"}
    assert body == MSG1
    untagged, tagged = c.command_bytes("UID FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    want = b"Subject: Gr\xc3\xbc\xc3\x9fe \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\r\n\r\n"
    assert tagged == "OK Fetch completed."
    assert untagged == (b"* 1 FETCH (UID 1 BODY[HEADER.FIELDS (SUBJECT)] {%d}\r\n"
                        % len(want)) + want + b")\r\n"
    c.close()


def test_utf8_multiappend_nonsync_date(srv):
    c = login(srv)
    enable(c)
    t = tag(c)
    c.send(("%s APPEND INBOX UTF8 (~{%d+}\r\n" % (t, len(MSG1))).encode() + MSG1 +
           b") (\\Flagged) \"17-Jul-1996 02:44:25 -0700\" utf8 (~{%d+}\r\n"
           % len(MSG2) + MSG2 + b")\r\n")
    untagged, tagged = c.read_response(t)
    m = APPENDUID_RE.match(tagged)
    assert untagged == [] and m and m.group(2) == "1:2", (untagged, tagged)
    noop(c)
    exists(c, 2)
    got = fetch_bodies(c)
    assert got[1][2] == MSG1 and got[2][2] == MSG2
    assert set(got[2][0].split()) == {"\\Flagged", "\\Recent"}
    assert got[2][1] == server_date(837596665)
    c.close()


def test_utf8_mixed_with_plain_literal(srv):
    c = login(srv)
    enable(c)
    t = tag(c)
    c.send(("%s APPEND INBOX {%d+}\r\n" % (t, len(MSG2))).encode() + MSG2 +
           b" UTF8 (~{%d+}\r\n" % len(MSG1) + MSG1 + b")\r\n")
    untagged, tagged = c.read_response(t)
    m = APPENDUID_RE.match(tagged)
    assert untagged == [] and m and m.group(2) == "1:2", (untagged, tagged)
    exists(c, 2)
    got = fetch_bodies(c)
    assert got[1][2] == MSG2 and got[2][2] == MSG1
    c.close()


def test_utf8_without_enable_refused(srv):
    c = login(srv)
    # synchronizing: refused at once, no "+ OK", the data never comes
    t = tag(c)
    c.send(("%s APPEND INBOX UTF8 (~{%d}\r\n" % (t, len(MSG1))).encode())
    assert c.read_response(t) == ([], BAD + "literal8 not allowed here")
    noop(c)
    # non-synchronizing: its data is read past, then refused
    t = tag(c)
    c.send(("%s APPEND INBOX (\\Seen) UTF8 (~{%d+}\r\n" % (t, len(MSG1))).encode()
           + MSG1 + b")\r\n")
    assert c.read_response(t) == ([], BAD + "literal8 not allowed here")
    noop(c)
    exists(c, 0)
    c.close()


@pytest.mark.parametrize("wire,reply", [
    # no ")" after the data
    (b"UTF8 (~{3+}\r\nabc\r\n", BAD + "Missing ')' after UTF8 literal8"),
    (b"UTF8 (~{3+}\r\nabc extra)\r\n", BAD + "Missing ')' after UTF8 literal8"),
    (b"UTF8 (~{3+}\r\nabc))\r\n", BAD + "Unexpected ')'"),
    (b"UTF8 (~{3+}\r\nabc)x\r\n", BAD + "Missing space after argument"),
    # two literals: the second (synchronizing) is never asked for
    (b"UTF8 (~{1+}\r\na ~{1}\r\n", BAD + "Missing ')' after UTF8 literal8"),
    # RFC 6855 4: a literal8, not a plain literal
    (b"UTF8 ({3+}\r\nabc)\r\n", BAD + "Invalid arguments."),
    (b"UTF8 ()\r\n", BAD + "Invalid arguments."),
    (b"UTF8 ~{3+}\r\nabc\r\n", BAD + "Invalid arguments."),
    (b"UTF8 (x ~{1}\r\n", BAD + "literal8 not allowed here"),
    (b"UTF8 ((~{1}\r\n", BAD + "literal8 not allowed here"),
    (b"UTF9 (~{1}\r\n", BAD + "literal8 not allowed here"),
    # the existing size check (quota_mail_size = 10k)
    (b"UTF8 (~{20000}\r\n", TOOBIG),
    (b"UTF8 (~{99999999999999999999}\r\n", TOOBIG),
    (b"UTF8 (~{0}\r\n", "NO Can't save a zero byte message."),
])
def test_utf8_malformed(srv, wire, reply):
    c = login(srv)
    enable(c)
    t = tag(c)
    c.send(("%s APPEND INBOX " % t).encode() + wire)
    assert c.read_response(t) == ([], reply)
    noop(c)
    exists(c, 0)
    c.close()


def test_utf8_nonsync_too_big_disconnects(srv):
    c = login(srv)
    enable(c)
    t = tag(c)
    c.send(("%s APPEND INBOX UTF8 (~{20000+}\r\n" % t).encode())
    assert c.readline() == "%s %s" % (t, TOOBIG)
    assert c.readline() == "* BYE Too big literal."
    assert c.is_closed()


def test_utf8_nul_bytes(srv):
    c = login(srv)
    enable(c)
    data = b"Subject: nul\r\n\r\na\x00b\x00\r\n"
    t = tag(c)
    c.send(("%s APPEND INBOX UTF8 (~{%d+}\r\n" % (t, len(data))).encode() + data + b")\r\n")
    untagged, tagged = c.read_response(t)
    assert untagged == [] and APPENDUID_RE.match(tagged), (untagged, tagged)
    noop(c)
    exists(c, 1)
    assert c.command("UID FETCH 1 (RFC822.SIZE)") == (
        ["* 1 FETCH (UID 1 RFC822.SIZE %d)" % len(data)], "OK Fetch completed.")
    untagged, tagged = c.command_bytes("UID FETCH 1 (BINARY.PEEK[])")
    assert tagged == "OK Fetch completed."
    assert untagged == b"* 1 FETCH (UID 1 BINARY[] ~{%d}\r\n" % len(data) + data + b")\r\n"
    c.close()


def test_utf8_after_imap4rev2_only_refused(srv):
    # RFC 9051's grammar has no utf8-literal: ENABLE IMAP4rev2 alone
    # doesn't allow it
    c = login(srv)
    assert c.command("ENABLE IMAP4rev2") == (["* ENABLED IMAP4rev2"], "OK Enabled.")
    t = tag(c)
    c.send(("%s APPEND INBOX UTF8 (~{%d}\r\n" % (t, len(MSG1))).encode())
    assert c.read_response(t) == ([], BAD + "literal8 not allowed here")
    noop(c)
    c.close()
