"""FETCH BODY[section]<partial> end to end (RFC 3501 6.4.5): every section
form on multipart, forwarded (message/rfc822) and LF-only stored messages,
compared byte for byte with what Python's email package sees in the same
message (converted to CRLF, as IMAP sends it)."""
import email
import email.policy
import re

import pytest
from dlserver import Server
from rawclient import login_select

MESSAGES = [
    # 0: multipart/alternative inside multipart/mixed with an attachment
    b"From: Alice <a@example.com>\r\nTo: b@example.com\r\nSubject: report\r\n"
    b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n"
    b"preamble\r\n--outer\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n"
    b"--inner\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlain text.\r\nline 2\r\n"
    b"--inner\r\nContent-Type: text/html\r\n\r\n<p>HTML</p>\r\n--inner--\r\n\r\n"
    b"--outer\r\nContent-Type: application/pdf; name=\"r.pdf\"\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcfs\r\n--outer--\r\nepilogue\r\n",
    # 1: forwarded message with its own multipart
    b"From: c@example.com\r\nSubject: Fwd: report\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: multipart/mixed; boundary=fwd\r\n\r\n--fwd\r\n"
    b"Content-Type: text/plain\r\n\r\nSee below.\r\n--fwd\r\n"
    b"Content-Type: message/rfc822\r\n\r\nFrom: a@example.com\r\nTo: x@example.com\r\n"
    b"Subject: original\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: multipart/mixed; boundary=orig\r\n\r\n--orig\r\n"
    b"Content-Type: text/plain\r\n\r\nOriginal.\r\n--orig\r\n"
    b"Content-Type: application/octet-stream\r\n\r\nAAAA\r\n--orig--\r\n--fwd--\r\n",
    # 2: stored with LF line endings only
    b"From: lf@example.com\nSubject: lf only\nMIME-Version: 1.0\n"
    b"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n"
    b"one\ntwo\n\n--b\nContent-Type: message/rfc822\n\nSubject: in\nFrom: x@y\n\n"
    b"inner body\nend\n--b--\n",
    # 3: not multipart
    b"From: p@example.com\nSubject: plain\n\nJust text,\nno parts.\n",
]


def crlf(data):
    return re.sub(rb"(?<!\r)\n", b"\r\n", data)


@pytest.fixture(scope="module")
def sections_server():
    srv = Server(messages=MESSAGES).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def conn(sections_server):
    return login_select(sections_server, len(MESSAGES))


def fetch_item(c, seq, item, reply_name=None):
    """The literal (or empty quoted string) of one FETCH item: the reply
    must be exactly one FETCH response with only that item (every item
    asked here leaves \\Seen alone, so no FLAGS) and our tagged OK."""
    untagged, tagged = c.command_bytes("FETCH %d (%s)" % (seq, item))
    assert tagged == "OK Fetch completed.", (item, tagged)
    name = (reply_name or item.replace(".PEEK", "")).encode()
    prefix = b"* %d FETCH (%s " % (seq, name)
    assert untagged.startswith(prefix), (item, untagged)
    rest = untagged[len(prefix):]
    m = re.match(rb"\{(\d+)\}\r\n", rest)
    if m:
        value = rest[m.end():m.end() + int(m.group(1))]
        assert rest[m.end() + len(value):] == b")\r\n", (item, untagged)
        return value
    assert rest == b'"")\r\n', (item, untagged)
    return b""


def raw_header(part):
    """The part's header as the email package keeps it (compat32 keeps the
    folded values), with CRLFs and the empty line."""
    out = b""
    for k, v in part._headers:
        out += k.encode() + b": " + v.encode("utf-8", "surrogateescape") + b"\r\n"
    return crlf(out) + b"\r\n"


def leaf_sections(msg, prefix=""):
    """(section number, email part) of every part, RFC 3501 numbering."""
    out = []
    if msg.is_multipart() and msg.get_content_maintype() == "multipart":
        for i, sub in enumerate(msg.get_payload(), 1):
            num = prefix + str(i)
            out.append((num, sub))
            if sub.get_content_type() == "message/rfc822":
                inner = sub.get_payload(0)
                out += leaf_sections(inner, num + ".")
            elif sub.get_content_maintype() == "multipart":
                out += leaf_sections(sub, num + ".")
    return out


def parse(data):
    return email.message_from_bytes(data, policy=email.policy.compat32)


@pytest.mark.parametrize("idx", range(len(MESSAGES)))
def test_whole_header_text(conn, idx):
    data = crlf(MESSAGES[idx])
    seq = idx + 1
    assert fetch_item(conn, seq, "BODY.PEEK[]") == data
    hdr = fetch_item(conn, seq, "BODY.PEEK[HEADER]")
    text = fetch_item(conn, seq, "BODY.PEEK[TEXT]")
    assert hdr + text == data
    assert hdr == raw_header(parse(data))
    assert text == data[data.index(b"\r\n\r\n") + 4:]
    assert fetch_item(conn, seq, "RFC822.HEADER") == hdr
    # RFC 3501 6.4.5: the partial origin is echoed, the size not
    assert fetch_item(conn, seq, "BODY.PEEK[]<3.10>", "BODY[]<3>") == data[3:13]
    assert fetch_item(conn, seq, "BODY.PEEK[TEXT]<5.100000>", "BODY[TEXT]<5>") == text[5:]
    assert fetch_item(conn, seq, "BODY.PEEK[]<99999.5>", "BODY[]<99999>") == b""


@pytest.mark.parametrize("idx", range(len(MESSAGES)))
def test_numbered_parts(conn, idx):
    data = crlf(MESSAGES[idx])
    msg = parse(data)
    seq = idx + 1
    sections = leaf_sections(msg)
    if not sections:
        # a non-multipart message: part 1 is its body
        assert fetch_item(conn, seq, "BODY.PEEK[1]") == msg.get_payload().encode()
        assert fetch_item(conn, seq, "BODY.PEEK[2]") == b""
        return
    for num, part in sections:
        mime = fetch_item(conn, seq, "BODY.PEEK[%s.MIME]" % num)
        assert mime == raw_header(part), num
        body = fetch_item(conn, seq, "BODY.PEEK[%s]" % num)
        if not part.is_multipart():
            assert body == part.get_payload().encode("utf-8", "surrogateescape"), num
            assert fetch_item(conn, seq, "BODY.PEEK[%s]<2.3>" % num,
                              "BODY[%s]<2>" % num) == body[2:5]
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload(0)
            hdr = fetch_item(conn, seq, "BODY.PEEK[%s.HEADER]" % num)
            text = fetch_item(conn, seq, "BODY.PEEK[%s.TEXT]" % num)
            assert hdr == raw_header(inner)
            assert hdr + text == body
            got = fetch_item(conn, seq, "BODY.PEEK[%s.HEADER.FIELDS (SUBJECT from)]" % num,
                             "BODY[%s.HEADER.FIELDS (SUBJECT FROM)]" % num)
            want = b"".join(k.encode() + b": " + v.encode() + b"\r\n"
                            for k, v in inner._headers
                            if k.lower() in ("subject", "from")) + b"\r\n"
            assert got == want
        else:
            # HEADER/TEXT only exist for message/rfc822 parts
            assert fetch_item(conn, seq, "BODY.PEEK[%s.HEADER]" % num) == b""
    n = len([s for s in sections if "." not in s[0]])
    assert fetch_item(conn, seq, "BODY.PEEK[%d]" % (n + 1)) == b""
    assert fetch_item(conn, seq, "BODY.PEEK[%d.MIME]" % (n + 1)) == b""


def test_header_fields(conn):
    got = fetch_item(conn, 1, "BODY.PEEK[HEADER.FIELDS (subject TO)]",
                     "BODY[HEADER.FIELDS (SUBJECT TO)]")
    assert got == b"To: b@example.com\r\nSubject: report\r\n\r\n"
    got = fetch_item(conn, 1, "BODY.PEEK[HEADER.FIELDS.NOT (subject TO mime-version)]",
                     "BODY[HEADER.FIELDS.NOT (SUBJECT TO MIME-VERSION)]")
    assert got == (b"From: Alice <a@example.com>\r\n"
                   b"Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n")
    assert fetch_item(conn, 1, "BODY.PEEK[HEADER.FIELDS (X-NONE)]",
                      "BODY[HEADER.FIELDS (X-NONE)]") == b"\r\n"


BAD_SECTION = "BAD Error in IMAP command FETCH: Invalid BODY[..] parameter: "
BAD_SECTIONS = [
    ("BODY[0]", "Invalid part number"), ("BODY[1.]", "Invalid part number"),
    ("BODY[MIME]", "Unknown section"), ("BODY[1.FOO]", "Unknown section"),
    ("BODY[01]", "Invalid part number"), ("BODY[HEADER.FIELDS]", "Invalid header fields"),
    ("BODY[TEXT (A)]", "Invalid header fields"), ("BODY[1]<1.0>", "Invalid partial"),
]


@pytest.mark.parametrize("item,why", BAD_SECTIONS)
def test_bad_sections(conn, item, why):
    untagged, tagged = conn.command_bytes("FETCH 1 (%s)" % item)
    assert (untagged, tagged) == (b"", BAD_SECTION + why), (item, untagged, tagged)


def test_seen_only_without_peek(conn):
    _, tagged = conn.command_bytes("STORE 2 -FLAGS.SILENT (\\Seen)")
    assert tagged == "OK Store completed."
    # exactly the BODY[1] item (no FLAGS: \\Seen not set)
    assert fetch_item(conn, 2, "BODY.PEEK[1]") != b""
    untagged, tagged = conn.command_bytes("FETCH 2 (BODY[2.1])")
    assert tagged == "OK Fetch completed.", tagged
    assert untagged == b"* 2 FETCH (FLAGS (\\Seen) BODY[2.1] {9}\r\nOriginal.)\r\n", untagged
