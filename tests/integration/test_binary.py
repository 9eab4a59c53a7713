"""IMAP BINARY (RFC 3516) against a running server on Maildir and mbox:
FETCH BINARY[part]<partial>, BINARY.PEEK and BINARY.SIZE with base64,
quoted-printable, 7bit and 8bit parts, nested multipart and message/rfc822
sections, literal8 (~{n}) replies, \\Seen, UNKNOWN-CTE and the BADs for
malformed items, and APPEND ~{n} with NULs; replies are parsed strictly
and the same commands on Debian's Dovecot 2.3 give the same bytes."""
import re
import pytest
from filled_inbox import server_conn, dovecot_session, without_timing
from test_condstore import CAPS
from test_append_copy import APPENDUID_RE, LOCATIONS

MP = (b"From: a@b\r\nSubject: mp\r\nMIME-Version: 1.0\r\n"
      b"Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\npre\r\n--XX\r\n"
      b"Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n"
      b"aGVsbG8gd29ybGQ=\r\n--XX\r\n"
      b"Content-Type: text/plain\r\n"
      b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
      b"caf=C3=A9 soft=\r\nbreak=00end\r\n--XX\r\n"
      b"Content-Type: application/octet-stream\r\n"
      b"Content-Transfer-Encoding: x-foo\r\n\r\nzzz\r\n--XX\r\n"
      b"Content-Type: message/rfc822\r\n\r\n"
      b"Subject: inner\r\n\r\ninner body\r\n--XX\r\n"
      b"Content-Type: multipart/alternative; boundary=YY\r\n\r\n--YY\r\n"
      b"Content-Type: text/plain\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
      b"\xc3\xa9t\xc3\xa9\r\n--YY\r\n"
      b"Content-Transfer-Encoding: base64\r\n\r\nAAEC\r\n--YY--\r\n--XX--\r\n")
PLAIN = b"Subject: x\r\nContent-Transfer-Encoding: 7bit\r\n\r\nplain\r\n"
MSGS = [MP, PLAIN]

LITERAL_RE = re.compile(rb"(~?)\{(\d+)\}\r\n")
ITEM_NAME_RE = re.compile(rb"[A-Z0-9.]+(\[[^\]]*\](<\d+>)?)?")


def parse_fetch(data):
    """Strict parse of untagged bytes made of "* n FETCH (...)" lines:
    [(n, [(name, value)])], value an int, a string for a parenthesized
    list, or ("L"/"L8", bytes) for a literal / literal8."""
    out, pos = [], 0
    while pos < len(data):
        m = re.compile(rb"\* (\d+) FETCH \(").match(data, pos)
        assert m, data[pos:]
        pos, items = m.end(), []
        while True:
            m = ITEM_NAME_RE.match(data, pos)
            assert m and m.end() > pos and data[m.end():m.end() + 1] == b" ", \
                data[pos:]
            name, pos = m.group(0).decode(), m.end() + 1
            lit = LITERAL_RE.match(data, pos)
            if lit:
                n = int(lit.group(2))
                val = ("L8" if lit.group(1) else "L",
                       data[lit.end():lit.end() + n])
                assert len(val[1]) == n
                pos = lit.end() + n
            elif data[pos:pos + 1] == b"(":
                end = data.index(b")", pos)
                val, pos = data[pos:end + 1].decode(), end + 1
            else:
                m = re.compile(rb"\d+").match(data, pos)
                assert m, data[pos:]
                val, pos = int(m.group(0)), m.end()
            items.append((name, val))
            if data[pos:pos + 3] == b")\r\n":
                pos += 3
                break
            assert data[pos:pos + 1] == b" ", data[pos:]
            pos += 1
        out.append((int(m.group(0)) if False else None, items))
    return out


def fetch(c, cmd):
    untagged, tagged = c.command_bytes(cmd)
    return parse_fetch(untagged), without_timing(tagged)


OK = "OK Fetch completed."
NO_CTE = "NO [UNKNOWN-CTE] Unknown Content-Transfer-Encoding."
# (command, expected items of the one response or None, tagged reply)
CASES = [
    ("FETCH 1 (BINARY.PEEK[1])", [("BINARY[1]", ("L8", b"hello world"))], OK),
    ("FETCH 1 (BINARY.PEEK[2])",
     [("BINARY[2]", ("L8", b"caf\xc3\xa9 softbreak\x00end"))], OK),
    ("FETCH 1 (BINARY.PEEK[4])",
     [("BINARY[4]", ("L", b"Subject: inner\r\n\r\ninner body"))], OK),
    ("FETCH 1 (BINARY.PEEK[5.2])", [("BINARY[5.2]", ("L8", b"\x00\x01\x02"))],
     OK),
    ("FETCH 1 (BINARY.PEEK[5.1]<1.3>)", [("BINARY[5.1]<1>", ("L", b"\xa9t\xc3"))],
     OK),
    ("FETCH 1 (BINARY.PEEK[1]<6.100>)", [("BINARY[1]<6>", ("L8", b"world"))],
     OK),
    ("FETCH 1 (BINARY.PEEK[1]<0.10>)", [("BINARY[1]<0>", ("L8", b"hello worl"))],
     OK),
    ("FETCH 1 (BINARY.PEEK[9])", [("BINARY[9]", ("L", b""))], OK),
    ("FETCH 1 (BINARY.PEEK[3])", [("UID", 1)], NO_CTE),
    ("FETCH 2 (BINARY.PEEK[1] BINARY.SIZE[1])",
     [("BINARY[1]", ("L", b"plain\r\n")), ("BINARY.SIZE[1]", 7)], OK),
    ("FETCH 1 (BINARY.PEEK[x])", None,
     "BAD Error in IMAP command FETCH: Invalid BINARY[..] section"),
    ("FETCH 1 (BINARY.PEEK)", None,
     "BAD Error in IMAP command FETCH: Invalid BINARY[..] parameter: "
     "Missing '['"),
    ("FETCH 1 (BINARY)", None,
     "BAD Error in IMAP command FETCH: Invalid BINARY[..] parameter: "
     "Missing '['"),
]


@pytest.fixture(scope="module", params=sorted(LOCATIONS))
def conn(request):
    yield from server_conn(request.param, MSGS)


def _check(c, cmd, items, tagged, dovecot=False):
    got, got_tagged = fetch(c, cmd)
    if dovecot:
        # Dovecot puts its timing in place of a final "."
        got_tagged, tagged = got_tagged.rstrip("."), tagged.rstrip(".")
    assert got_tagged == tagged, (cmd, got_tagged)
    assert got == ([] if items is None else [(None, items)]), (cmd, got)


@pytest.mark.parametrize("cmd,items,tagged", CASES)
def test_binary_fetch(conn, cmd, items, tagged):
    _check(conn, cmd, items, tagged)


# RFC 3516 4.2: BINARY.SIZE is the decoded size (Dovecot 2.3 fails these
# with UNKNOWN-CTE once the message has a part it can't decode)
@pytest.mark.parametrize("part,size", [("1", 11), ("2", 19), ("4", 28),
                                       ("5.1", 5), ("5.2", 3), ("9", 0)])
def test_binary_size(conn, part, size):
    _check(conn, "FETCH 1 (BINARY.SIZE[%s])" % part,
           [("BINARY.SIZE[%s]" % part, size)], OK)


def test_binary_size_partial_bad(conn):
    _check(conn, "FETCH 1 (BINARY.SIZE[1]<0.3>)", None,
           "BAD Error in IMAP command FETCH: Invalid BINARY[..] parameter: "
           "Invalid partial")


def test_binary_dovecot_same():
    with dovecot_session(MSGS) as c:
        for cmd, items, tagged in CASES:
            _check(c, cmd, items, tagged, dovecot=True)


def _seen_flags(c):
    untagged, tagged = c.command("FETCH 2 (FLAGS)")
    assert tagged == OK
    return untagged


def test_binary_seen():
    for loc in sorted(LOCATIONS):
        for c in server_conn(loc, MSGS):
            recent = " \\Recent" if c.recent else ""
            # PEEK and SIZE leave \Seen alone
            _check(c, "FETCH 2 (BINARY.PEEK[1] BINARY.SIZE[1])",
                   [("BINARY[1]", ("L", b"plain\r\n")),
                    ("BINARY.SIZE[1]", 7)], OK)
            assert _seen_flags(c) == ["* 2 FETCH (FLAGS (%s))" % recent.strip()]
            _check(c, "FETCH 2 (BINARY[1]<0.3>)",
                   [("FLAGS", "(\\Seen%s)" % recent),
                    ("BINARY[1]<0>", ("L", b"pla"))], OK)
            assert _seen_flags(c) == ["* 2 FETCH (FLAGS (\\Seen%s))" % recent]


def _append8(c, data, nonsync):
    c.n += 1
    tag = "t%d" % c.n
    c.send(("%s APPEND INBOX ~{%d%s}\r\n" % (tag, len(data),
                                             "+" if nonsync else "")).encode())
    if not nonsync:
        assert c.readline() == "+ OK"
    c.send(data + b"\r\n")
    return c.read_response(tag)


NUL_MSG = b"Subject: nul\r\n\r\na\x00b\r\n"


# RFC 3516 4.4: the NUL is stored; BODY[] (a normal literal) shows it as
# 0x80 as Dovecot does, BINARY[] as it is in a literal8
APPEND8_WANT = [("RFC822.SIZE", 21), ("BINARY[1]", ("L8", b"a\x00b\r\n")),
                ("BINARY.SIZE[1]", 5),
                ("BODY[]", ("L", b"Subject: nul\r\n\r\na\x80b\r\n"))]
APPEND8_FETCH = "FETCH %d:%d (BINARY.PEEK[1] BINARY.SIZE[1] BODY.PEEK[] RFC822.SIZE)"


def _check_append8(c, seq):
    for nonsync in (False, True):
        untagged, tagged = _append8(c, NUL_MSG, nonsync)
        # ours, or Dovecot's with its timing in place of the final "."
        assert APPENDUID_RE.match(tagged) or \
            APPENDUID_RE.match(without_timing(tagged) + "."), tagged
    got, tagged = fetch(c, APPEND8_FETCH % (seq, seq + 1))
    assert tagged.rstrip(".") == OK.rstrip("."), tagged
    assert got == [(None, APPEND8_WANT)] * 2, got


def test_append_literal8():
    for loc in sorted(LOCATIONS):
        for c in server_conn(loc, MSGS):
            _check_append8(c, 3)


def test_append_literal8_dovecot_same():
    with dovecot_session(MSGS) as c:
        _check_append8(c, 3)


def test_capability_binary(conn):
    untagged, tagged = conn.command("CAPABILITY")
    assert tagged == "OK Capability completed."
    assert untagged == ["* CAPABILITY " + CAPS], untagged


def _literal8_elsewhere(c):
    """RFC 3516 4.4: literal8 only for APPEND's message. Returns the
    reply to a SELECT with one (refused before the data: no "+ OK", the
    data line is a command of its own) and then NOOP's."""
    c.send(b"a SELECT ~{5}\r\n")
    first = without_timing(c.readline())
    c.send(b"INBOX\r\n")
    c.readline()    # the data line's own BAD
    return first, without_timing(c.command("NOOP")[1])


def test_literal8_not_allowed(conn):
    assert _literal8_elsewhere(conn) == (
        "a BAD Error in IMAP command SELECT: literal8 not allowed here",
        "OK NOOP completed.")


def test_literal8_not_allowed_dovecot_same():
    with dovecot_session(MSGS) as c:
        assert _literal8_elsewhere(c) == (
            "a BAD Error in IMAP command SELECT: literal8 not allowed here",
            "OK NOOP completed")
