"""SEARCH and UID SEARCH (RFC 3501 6.4.4) against a running server, on
Maildir and mbox: messages appended over IMAP with flags, dates, RFC 2047
encoded headers; exact "* SEARCH" results for every key family, OR / NOT /
parentheses, UID SEARCH, CHARSET literals, BADCHARSET and BAD replies."""
import pytest
from rawclient import ok_reply, create, select as raw_select
from test_append_copy import APPENDUID_RE, LOCATIONS, append
from filled_inbox import server_conn, dovecot_session

MSGS = [
    # (flags, internaldate, message)
    ("\\Seen \\Answered", "01-Jan-2020 12:00:00 +0000",
     b"From: Alice <alice@example.org>\r\nTo: bob@example.com\r\n"
     b"Cc: carol@example.net\r\n"
     b"Subject: =?ISO-8859-1?Q?caf=E9_menu?=\r\n"
     b"Date: Wed, 01 Jan 2020 09:00:00 +0000\r\n\r\nHello world\r\n"),
    ("\\Flagged \\Deleted", "15-Jun-2021 12:00:00 +0000",
     b"From: dave@example.org\r\nTo: alice@example.org\r\n"
     b"Bcc: eve@example.com\r\nSubject: Quarterly\r\n report\r\n"
     b"X-Custom: special\r\n"
     b"Date: Tue, 15 Jun 2021 23:30:00 -0500\r\n\r\n"
     b"The budget NUMBERS are in.\r\n"),
    ("\\Draft $Work", "20-Dec-2022 12:00:00 +0000",
     b"From: frank@example.org\r\nTo: bob@example.com\r\nSubject: plain\r\n"
     b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
     b"Content-Transfer-Encoding: base64\r\n\r\n"
     b"c2VjcmV0d29yZAo=\r\n" + b"filler line of the body\r\n" * 400),
]


@pytest.fixture(scope="module", params=sorted(LOCATIONS))
def conn(request):
    yield from server_conn(request.param, MSGS)


def search(c, keys):
    untagged, tagged = c.command("SEARCH " + keys)
    assert tagged == "OK Search completed.", (keys, untagged, tagged)
    assert len(untagged) == 1 and untagged[0].startswith("* SEARCH"), untagged
    return [int(x) for x in untagged[0].split()[2:]]


@pytest.mark.parametrize("keys,want", [
    ("ALL", [1, 2, 3]),
    ("all", [1, 2, 3]),
    ("SEEN", [1]), ("UNSEEN", [2, 3]), ("ANSWERED", [1]),
    ("UNANSWERED", [2, 3]), ("FLAGGED", [2]), ("UNFLAGGED", [1, 3]),
    ("DELETED", [2]), ("UNDELETED", [1, 3]), ("DRAFT", [3]),
    ("UNDRAFT", [1, 2]), ("KEYWORD $work", [3]), ("UNKEYWORD $Work", [1, 2]),
    ("KEYWORD nosuch", []),
    ("1", [1]), ("2:*", [2, 3]), ("*", [3]), ("1,3", [1, 3]),
    ("UID 1:2", [1, 2]), ("UID *", [3]),
    ("LARGER 1000", [3]), ("SMALLER 300", [1, 2]),
    ("BEFORE 15-Jun-2021", [1]), ("ON 15-Jun-2021", [2]),
    ("SINCE 15-Jun-2021", [2, 3]), ("SINCE 1-Jan-2030", []),
    ("SENTBEFORE 2-Jan-2020", [1]), ("SENTON 15-Jun-2021", [2]),
    ("SENTSINCE 16-Jun-2021", []),
    ("FROM alice", [1]), ("TO ALICE", [2]), ("CC carol", [1]),
    ("BCC eve", [2]), ("SUBJECT \"quarterly report\"", [2]),
    ("SUBJECT caf", [1]), ("HEADER X-Custom spec", [2]),
    ("HEADER x-custom \"\"", [2]), ("HEADER Date \"\"", [1, 2]),
    ("BODY numbers", [2]), ("BODY alice", []), ("TEXT alice", [1, 2]),
    ("TEXT filler", []), ("BODY secretword", [3]),
    ("OR SEEN FLAGGED", [1, 2]), ("NOT SEEN", [2, 3]),
    ("(SEEN) (ANSWERED)", [1]), ("OR (SEEN FLAGGED) DRAFT", [3]),
    ("NOT (OR 1 2)", [3]), ("NOT NOT 2", [2]), ("SEEN FLAGGED", []),
])
def test_search_keys(conn, keys, want):
    assert search(conn, keys) == want


def test_recent_new_old(conn):
    """APPEND may or may not make messages \\Recent for this session:
    the keys must agree with what SELECT reported."""
    recent = search(conn, "RECENT")
    assert len(recent) == conn.recent
    assert search(conn, "NEW") == [s for s in recent if s != 1]
    assert search(conn, "OLD") == [s for s in [1, 2, 3] if s not in recent]
    assert search(conn, "NOT RECENT") == search(conn, "OLD")


def test_uid_search(conn):
    # INBOX's UIDs are 1..3 here; test_uid_search_gap tells them apart
    assert conn.command("UID SEARCH 2:3") == \
        (["* SEARCH 2 3"], "OK Search completed.")
    assert conn.command("UID SEARCH UID 3") == \
        (["* SEARCH 3"], "OK Search completed.")
    assert conn.command("UID SEARCH UID 2:*") == \
        (["* SEARCH 2 3"], "OK Search completed.")


def _literal_search(c, charset, text):
    c.n += 1
    tag = "t%d" % c.n
    c.send(("%s SEARCH CHARSET %s SUBJECT {%d}\r\n"
            % (tag, charset, len(text))).encode())
    assert c.readline() == "+ OK"
    c.send(text + b"\r\n")
    return c.read_response(tag)


def test_charset_literals(conn):
    assert _literal_search(conn, "UTF-8", "café".encode("utf-8")) == \
        (["* SEARCH 1"], "OK Search completed.")
    assert _literal_search(conn, "ISO-8859-1", "CAFé".encode("latin-1")) == \
        (["* SEARCH 1"], "OK Search completed.")


def test_badcharset(conn):
    assert conn.command("SEARCH CHARSET X-NOSUCH-CS ALL") == \
        ([], "NO [BADCHARSET (UTF-8 US-ASCII)] Unknown charset")


@pytest.mark.parametrize("keys,why", [
    ("", "Missing search key"),
    ("FOO", "Unknown search key"),
    ("BEFORE", "Missing parameter for BEFORE"),
    ("BEFORE 32-Jan-2020", "Invalid date for BEFORE"),
    ("LARGER 99999999999", "Invalid number for LARGER"),
    ("OR SEEN", "Missing search key"),
    ("()", "Missing search key"),
    ("1:x", "Invalid message sequence set"),
    # the IMAP parser's own list depth bound comes first
    ("(" * 150 + "ALL" + ")" * 150, "Too deep list nesting"),
    ("NOT " * 150 + "ALL", "Search keys nested too deeply"),
])
def test_search_bad(conn, keys, why):
    untagged, tagged = conn.command("SEARCH " + keys)
    assert untagged == []
    assert tagged == "BAD Error in IMAP command SEARCH: " + why


def test_uid_search_gap(conn):
    """UIDs that differ from sequence numbers: the first of three messages
    expunged leaves seqs 1, 2 = UIDs 2, 3."""
    box = "SearchGap"
    create(conn, box)
    for _, _, data in MSGS:
        _, tagged = append(conn, box, data)
        assert APPENDUID_RE.match(tagged), tagged
    got = raw_select(conn, box)
    assert got["EXISTS"] == 3 and got["RECENT"] == 3, got
    assert conn.command("STORE 1 +FLAGS.SILENT (\\Deleted)") == \
        ([], "OK Store completed.")
    assert conn.command("EXPUNGE") == (["* 1 EXPUNGE", "* 2 RECENT"],
                                       ok_reply("EXPUNGE"))
    got = raw_select(conn, box)
    assert got["EXISTS"] == 2, got
    assert conn.command("UID SEARCH 1:*") == \
        (["* SEARCH 2 3"], "OK Search completed.")
    # a plain set is sequence numbers even in UID SEARCH: seq 2 = UID 3
    assert conn.command("UID SEARCH 2") == \
        (["* SEARCH 3"], "OK Search completed.")
    assert conn.command("SEARCH UID 3") == \
        (["* SEARCH 2"], "OK Search completed.")
    assert conn.command("SEARCH UID 1") == \
        (["* SEARCH"], "OK Search completed.")
    assert conn.command("UID SEARCH UID 2:3 NOT 1") == \
        (["* SEARCH 3"], "OK Search completed.")
    # back to INBOX for the module's other tests
    assert raw_select(conn)["EXISTS"] == 3


# SEARCH BODY/TEXT over decoded MIME (RFC 3501 6.4.4, RFC 9051 6.4.4):
# transfer encodings undone, charsets converted to UTF-8, compared with the
# i;unicode-casemap collation (RFC 5051: titlecase, decomposed); as in Dovecot, bodies of non-text parts are not searched and
# sub-part headers (message/rfc822 ones too) match TEXT but not BODY.
MIME_MSGS = [
    b"From: a@example.org\r\nSubject: b64\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n"
    + __import__("base64").encodebytes(
        "Hello B64World, Grüße aus Köln\r\n".encode("utf-8")).replace(
            b"\n", b"\r\n"),
    b"From: b@example.org\r\nSubject: latin\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=iso-8859-1\r\n"
    b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    b"Messung: =C5NGSTR=D6M und caf=E9 sehr lan=\r\nges Wort\r\n",
    b"From: c@example.org\r\nSubject: attached\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: multipart/mixed; boundary=\"zz\"\r\n\r\n"
    b"--zz\r\nContent-Type: text/plain\r\n\r\nsee the picture\r\n"
    b"--zz\r\nContent-Type: image/png; name=p.png\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n"
    + __import__("base64").encodebytes(
        b"\x89PNG\r\n\x1a\n hidden pixelword inside").replace(b"\n", b"\r\n")
    + b"--zz\r\nContent-Type: message/rfc822\r\n\r\n"
    b"Subject: innersubject\r\nFrom: inner@example.org\r\n\r\n"
    b"inner body text\r\n--zz--\r\n",
]

MIME_SEARCHES = [
    ("BODY b64world", [1]), ("BODY \"hello b64\"", [1]),
    ("BODY SGVsbG8", []), ("BODY koln", []),
    ("BODY sehr", [2]), ("BODY langes", [2]), ("BODY =C5", []),
    # i;unicode-casemap decomposes: "café" holds "cafe", "ÅNGSTRÖM" "ngstro"
    ("BODY cafe", [2]), ("BODY ngstro", [2]), ("BODY ngstrom", []),
    ("BODY picture", [3]), ("BODY pixelword", []), ("TEXT pixelword", []),
    ("BODY innersubject", []), ("BODY \"inner body\"", [3]),
    ("BODY inner@example.org", []), ("TEXT inner@example.org", [3]),
    ("BODY p.png", []), ("TEXT p.png", [3]),
    ("SUBJECT innersubject", []), ("TEXT innersubject", [3]),
    ("OR BODY b64world BODY picture", [1, 3]),
]

# (charset, key bytes, result)
MIME_LITERALS = [
    ("UTF-8", "grüsse".encode("utf-8"), []),
    ("UTF-8", "GRÜßE".encode("utf-8"), [1]),
    ("UTF-8", "KÖLN".encode("utf-8"), [1]),
    ("UTF-8", "Ångström".encode("utf-8"), [2]),
    ("UTF-8", "ångström".encode("utf-8"), [2]),
    ("UTF-8", "CAFÉ".encode("utf-8"), [2]),
    ("ISO-8859-1", "ångström".encode("latin-1"), [2]),
    ("ISO-8859-1", "CAFÉ".encode("latin-1"), [2]),
]


@pytest.fixture(scope="module", params=sorted(LOCATIONS))
def mime_conn(request):
    yield from server_conn(request.param, MIME_MSGS)


def _body_literal(c, charset, key, text):
    c.n += 1
    tag = "t%d" % c.n
    c.send(("%s SEARCH CHARSET %s %s {%d}\r\n"
            % (tag, charset, key, len(text))).encode())
    assert c.readline() == "+ OK"
    c.send(text + b"\r\n")
    return c.read_response(tag)


def _want(nums):
    return (["* SEARCH" + "".join(" %d" % n for n in nums)],
            "OK Search completed.")


@pytest.mark.parametrize("keys,want", MIME_SEARCHES)
def test_search_mime(mime_conn, keys, want):
    assert mime_conn.command("SEARCH " + keys) == _want(want)


@pytest.mark.parametrize("charset,text,want", MIME_LITERALS)
def test_search_mime_charset(mime_conn, charset, text, want):
    assert _body_literal(mime_conn, charset, "BODY", text) == _want(want)


def test_search_mime_as_dovecot():
    """The same messages and searches on Debian's Dovecot 2.3 give the
    same replies (where it runs)."""
    with dovecot_session(MIME_MSGS) as c:
        # Dovecot appends timing to the tagged reply: compare the results
        got = [(k, c.command("SEARCH " + k)[0]) for k, _ in MIME_SEARCHES]
        assert got == [(k, _want(w)[0]) for k, w in MIME_SEARCHES]
        got = [(t, _body_literal(c, cs, "BODY", t)[0])
               for cs, t, _ in MIME_LITERALS]
        assert got == [(t, _want(w)[0]) for _, t, w in MIME_LITERALS]
        # base64 followed by text that isn't: decoded as base64 garbage
        _, tagged = append(c, "INBOX", MSGS[2][2])
        assert tagged.startswith("OK "), tagged
        c.command("NOOP")
        assert c.command("SEARCH TEXT filler")[0] == ["* SEARCH"]
        assert c.command("SEARCH BODY secretword")[0] == ["* SEARCH 4"]

