"""The cache file behind FETCH ENVELOPE, BODY and BODYSTRUCTURE on Maildir,
end to end: the replies a later session gets from dovecot-like.index.cache
are byte for byte the ones Debian's Dovecot 2.3 sends for the same messages
(fetch_structure_cases.py), and they really come from the cache (the
message files are changed behind the server's back afterwards, which a
Maildir never does, and the cached replies stay); only the fields clients
fetched are kept; a damaged cache file is dropped with a warning, the
replies are parsed again and the file is written anew."""
import os
import pytest
from dlserver import Server
from rawclient import login_select
from fetch_structure_cases import CASES

NAMES = sorted(CASES)
ITEMS = "(ENVELOPE BODY BODYSTRUCTURE)"
CHANGED = b"Subject: changed\r\n\r\nx\r\n"


@pytest.fixture
def srv():
    s = Server(messages=[CASES[name][0] for name in NAMES]).start()
    yield s
    s.stop()


def expected(select=None):
    """Dovecot's replies to FETCH 1:* ITEMS, or only the given item."""
    out = []
    for i, name in enumerate(NAMES):
        line = CASES[name][1].replace(b"* 1 FETCH", b"* %d FETCH" % (i + 1), 1)
        if select == "BODYSTRUCTURE":
            line = b"* %d FETCH (" % (i + 1) + line[line.index(b"BODYSTRUCTURE ("):]
        out.append(line)
    return b"".join(out)


def session_fetch(srv, items=ITEMS):
    """A new session's FETCH 1:* items (exact tagged replies); the mailbox
    is closed with UNSELECT before LOGOUT, so the session's cache additions
    are on disk when this returns."""
    c = login_select(srv, len(NAMES))
    untagged, tagged = c.command_bytes("FETCH 1:* %s" % items)
    assert tagged == "OK Fetch completed.", tagged
    _, tagged = c.command("UNSELECT")
    assert tagged == "OK Unselect completed.", tagged
    c.command("LOGOUT")
    return untagged


def cache_path(srv):
    return os.path.join(srv.maildir("demo"), "dovecot-like.index.cache")


def cache_bytes(srv):
    with open(cache_path(srv), "rb") as f:
        return f.read()


def change_message_files(srv):
    cur = os.path.join(srv.maildir("demo"), "cur")
    names = sorted(os.listdir(cur))
    assert len(names) == len(NAMES)
    for name in names:
        with open(os.path.join(cur, name), "r+b") as f:
            f.truncate(0)
            f.write(CHANGED)


def test_cached_replies_equal_dovecot(srv):
    assert session_fetch(srv) == expected()
    data = cache_bytes(srv)
    assert data[:4] == b"CMCH"
    for name in ("outlook", "apple", "x3"):
        reply = CASES[name][1]
        structure = reply[reply.index(b"BODYSTRUCTURE (") + 14:-3]
        assert structure in data, name

    # the files now say something else: the replies still come whole from
    # the cache, and so does the Subject field the ENVELOPE parse cached,
    # while the whole header section reads the changed file
    change_message_files(srv)
    assert session_fetch(srv) == expected()
    c = login_select(srv, len(NAMES))
    untagged, tagged = c.command_bytes("FETCH 1 BODY.PEEK[HEADER]")
    assert tagged == "OK Fetch completed.", tagged
    assert untagged == (b"* 1 FETCH (BODY[HEADER] {20}\r\n"
                        b"Subject: changed\r\n\r\n)\r\n"), untagged
    untagged, tagged = c.command_bytes("FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT)]")
    assert tagged == "OK Fetch completed.", tagged
    assert untagged.startswith(b"* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {")
    assert b"Subject: changed" not in untagged, untagged
    c.command("LOGOUT")


def test_only_fetched_fields_kept(srv):
    assert session_fetch(srv, "BODYSTRUCTURE") == expected("BODYSTRUCTURE")
    data = cache_bytes(srv)
    assert b'"Apple-Mail=_1234"' in data
    # ENVELOPE-only text (a Message-ID, a Date) was never fetched
    assert b"5f1e2b3c-1111@example.com" not in data
    assert b"Tue, 3 Mar 2026 10:00:00 +0000" not in data

    # BODY is then derived from the cached BODYSTRUCTURE, ENVELOPE parsed
    change_message_files(srv)
    untagged = session_fetch(srv, "(ENVELOPE BODY)")
    want = b""
    for i, name in enumerate(NAMES):
        exp = CASES[name][1]
        body = exp[exp.index(b"BODY ("):exp.index(b" BODYSTRUCTURE (")]
        want += (b'* %d FETCH (ENVELOPE (NIL "changed" NIL NIL NIL '
                 b'NIL NIL NIL NIL NIL) ' % (i + 1)) + body + b")\r\n"
    # the whole reply: no response more or less
    assert untagged == want


def test_damaged_cache_file_rebuilt(srv):
    assert session_fetch(srv) == expected()
    with open(cache_path(srv), "r+b") as f:
        f.write(b"this is not a cache file at all")
    offset = len(srv.log_text())
    assert session_fetch(srv) == expected()
    assert srv.wait_log("Corrupt cache file", offset=offset), srv.log_text()[offset:]
    assert cache_bytes(srv)[:4] == b"CMCH"
    # and it serves again
    change_message_files(srv)
    assert session_fetch(srv) == expected()


TB_FIELDS = ("From To Cc Bcc Subject Date Message-ID Priority X-Priority "
             "References Newsgroups In-Reply-To Content-Type Reply-To")


def header_fields_reply(seq, msg):
    """The exact reply to BODY.PEEK[HEADER.FIELDS (TB_FIELDS)]: the listed
    fields' lines (continuations included) in header order, then CRLF."""
    wanted = {f.lower() for f in TB_FIELDS.split()}
    out, keep = [], False
    for line in msg.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        if line[:1] not in (b" ", b"\t"):
            keep = b":" in line and line.split(b":", 1)[0].decode().lower() in wanted
        if keep:
            out.append(line + b"\r\n")
    data = b"".join(out) + b"\r\n"
    return b"* %d FETCH (BODY[HEADER.FIELDS (%s)] {%d}\r\n%s)\r\n" % (
        seq, TB_FIELDS.upper().encode(), len(data), data)


def test_header_fields_cached(srv):
    """Thunderbird's header fetch: the second session's answers come from
    the cached hdr.* fields, byte for byte the first session's; a field
    list with one more name is read from the (changed) message."""
    cmd = "(BODY.PEEK[HEADER.FIELDS (%s)])" % TB_FIELDS
    first = session_fetch(srv, cmd)
    # every message's listed fields, in header order with their folding
    assert first == b"".join(header_fields_reply(i + 1, CASES[name][0])
                             for i, name in enumerate(NAMES))
    change_message_files(srv)
    assert session_fetch(srv, cmd) == first
    untagged = session_fetch(srv, "(BODY.PEEK[HEADER.FIELDS (Subject X-New)])")
    assert untagged == b"".join(
        b"* %d FETCH (BODY[HEADER.FIELDS (SUBJECT X-NEW)] {20}\r\n"
        b"Subject: changed\r\n\r\n)\r\n" % (i + 1) for i in range(len(NAMES)))
