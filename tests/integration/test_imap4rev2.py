"""IMAP4rev2 (RFC 9051) beside IMAP4rev1: CAPABILITY lists both, and after
ENABLE IMAP4rev2 a session gets no "* n RECENT" and no \\Recent flag,
SELECT/EXAMINE without [UNSEEN n] but with "* LIST" for the mailbox
(6.3.2), SEARCH answered with "* ESEARCH" (6.4.4, RETURN (ALL) by default),
and quoted strings checked as UTF-8 (9). STATUS DELETED (6.3.11) and
"* OK [CLOSED]" hold in both modes. Every reply is asserted exactly, the
ESEARCH lines also with test_esearch's strict RFC 4731 parser, and each
behaviour also on a session without ENABLE, which keeps IMAP4rev1's
replies. Dovecot 2.3 has no IMAP4rev2 to compare with."""
import re

import pytest
from dlserver import Server
from rawclient import login, ok_reply, create_ok
from test_esearch import parse_esearch

NEW_MAIL = b"Subject: late\r\nFrom: x@example.org\r\n\r\nlate\r\n"
# RFC 9051 incorporates these extensions (Appendix E); LITERAL- may be
# LITERAL+ (a superset, RFC 7888 5)
REV2_REQUIRED = ["IMAP4rev1", "IMAP4rev2", "ENABLE", "IDLE", "NAMESPACE",
                 "UIDPLUS", "UNSELECT", "ESEARCH", "SEARCHRES", "SASL-IR",
                 "LIST-EXTENDED", "LIST-STATUS", "MOVE", "BINARY",
                 "STATUS=SIZE"]

_UIDVALIDITY_RE = re.compile(r"^\* OK \[UIDVALIDITY ([1-9][0-9]*)\] "
                             r"UIDs valid$")


@pytest.fixture
def srv():
    """Three Maildir messages: 1 \\Seen in cur/, 2 and 3 new (recent for
    the first session that selects INBOX)."""
    s = Server(users={"demo": "demo"}, messages=3)
    s.start()
    try:
        yield s
    finally:
        s.stop()


def session(s, rev2):
    """A logged-in connection; with rev2, IMAP4rev2 enabled (exact
    reply asserted)."""
    c = login(s)
    if rev2:
        assert c.command("ENABLE IMAP4rev2") == (
            ["* ENABLED IMAP4rev2"], "OK Enabled.")
    return c


def uidvalidity(untagged):
    found = [m.group(1) for m in map(_UIDVALIDITY_RE.match, untagged) if m]
    assert len(found) == 1, untagged
    return found[0]


_MAILBOXID_RE = re.compile(r"^\* OK \[MAILBOXID \(F[0-9a-f]+\)\] Ok$")


def without_mailboxid(untagged):
    """untagged without OBJECTID's (RFC 8474 4.2) last line, which is
    not this test's business (asserted to be last and well-formed)."""
    ids = [i for i, l in enumerate(untagged) if "MAILBOXID" in l]
    assert ids in ([], [len(untagged) - 1]), untagged
    if ids:
        assert _MAILBOXID_RE.match(untagged[-1]), untagged
        return untagged[:-1]
    return untagged


def want_select(rev2, uv, exists=3, recent=2, unseen=2, readonly=False,
                closed=False):
    """Our exact untagged SELECT/EXAMINE reply for INBOX."""
    lines = ["* OK [CLOSED] Previous mailbox closed."] if closed else []
    lines.append("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)")
    lines.append("* OK [PERMANENTFLAGS ()] Read-only mailbox." if readonly
                 else "* OK [PERMANENTFLAGS (\\Answered \\Flagged "
                 "\\Deleted \\Seen \\Draft \\*)] Flags permitted.")
    lines.append("* %d EXISTS" % exists)
    if not rev2:
        lines.append("* %d RECENT" % recent)
        if unseen:
            lines.append("* OK [UNSEEN %d] First unseen." % unseen)
    lines.append("* OK [UIDVALIDITY %s] UIDs valid" % uv)
    lines.append("* OK [UIDNEXT %d] Predicted next UID" % (exists + 1))
    if rev2:
        lines.append('* LIST () "." INBOX')
    return lines


def test_capability_lists_rev2(srv):
    c = login(srv)
    untagged, tagged = c.command("CAPABILITY")
    assert tagged == "OK Capability completed."
    assert len(untagged) == 1 and untagged[0].startswith(
        "* CAPABILITY IMAP4rev1 IMAP4rev2 "), untagged
    caps = untagged[0].split()[2:]
    assert len(caps) == len(set(caps)), caps
    for cap in REV2_REQUIRED:
        assert cap in caps, cap
    assert "LITERAL+" in caps or "LITERAL-" in caps
    # nothing of STATUS DELETED is advertised
    assert not [x for x in caps if "DELETED" in x]
    # ENABLE is idempotent and lists it again (RFC 5161 3.1)
    assert c.command("ENABLE IMAP4rev2 imap4REV2") == (
        ["* ENABLED IMAP4rev2"], "OK Enabled.")
    assert c.command("CAPABILITY")[0] == untagged
    c.close()


@pytest.mark.parametrize("rev2", [False, True], ids=["rev1", "rev2"])
def test_select_fetch_store(srv, rev2):
    c = session(srv, rev2)
    untagged, tagged = c.command("SELECT INBOX")
    assert tagged == ok_reply("SELECT")
    uv = uidvalidity(untagged)
    assert without_mailboxid(untagged) == want_select(rev2, uv)
    recent = "" if rev2 else "\\Recent"
    assert c.command("FETCH 1:* FLAGS") == ([
        "* 1 FETCH (FLAGS (\\Seen))",
        "* 2 FETCH (FLAGS (%s))" % recent,
        "* 3 FETCH (FLAGS (%s))" % recent], ok_reply("FETCH"))
    assert c.command("STORE 2 +FLAGS (\\Deleted)") == (
        ["* 2 FETCH (FLAGS (\\Deleted%s))" % (" \\Recent" if not rev2
                                               else "")],
        ok_reply("STORE"))
    assert c.command("UID FETCH 3 (UID FLAGS)") == (
        ["* 3 FETCH (UID 3 FLAGS (%s))" % recent], ok_reply("FETCH"))
    # a second SELECT closes the first (RFC 9051 7.1 CLOSED), EXAMINE too
    untagged, tagged = c.command("EXAMINE INBOX")
    assert tagged == ok_reply("EXAMINE")
    assert without_mailboxid(untagged) == want_select(
        rev2, uv, recent=0, readonly=True, closed=True)
    untagged, tagged = c.command("SELECT inbox")
    assert tagged == ok_reply("SELECT")
    assert without_mailboxid(untagged) == want_select(rev2, uv, recent=0,
                                                      closed=True)
    c.close()


@pytest.mark.parametrize("rev2", [False, True], ids=["rev1", "rev2"])
def test_new_mail_no_recent(srv, rev2):
    c = session(srv, rev2)
    assert c.command("SELECT INBOX")[1] == ok_reply("SELECT")
    srv.deliver("demo", NEW_MAIL, "1700000000.M1P1.test")
    want = ["* 4 EXISTS"] + ([] if rev2 else ["* 3 RECENT"])
    assert c.command("NOOP") == (want, "OK NOOP completed.")
    # the FETCH of the new message: \Recent only for IMAP4rev1
    assert c.command("FETCH 4 FLAGS") == (
        ["* 4 FETCH (FLAGS (%s))" % ("" if rev2 else "\\Recent")],
        ok_reply("FETCH"))
    c.close()


def esearch_reply(c, cmd):
    """cmd's single untagged reply, checked as a strict ESEARCH line with
    this command's tag; returns the line and the parsed items."""
    untagged, tagged = c.command(cmd)
    assert tagged == "OK Search completed.", (cmd, untagged, tagged)
    assert len(untagged) == 1, untagged
    tag, uid, items = parse_esearch(untagged[0])
    assert tag == "t%d" % c.n
    assert uid == cmd.startswith("UID "), untagged
    return untagged[0], items


def test_search_rev2_esearch(srv):
    c = session(srv, True)
    assert c.command("SELECT INBOX")[1] == ok_reply("SELECT")
    # RFC 9051 6.4.4: always ESEARCH; no RETURN is RETURN (ALL)
    line, items = esearch_reply(c, "SEARCH ALL")
    assert line == '* ESEARCH (TAG "t%d") ALL 1:3' % c.n
    assert items == [("ALL", "1:3")]
    line, _ = esearch_reply(c, "SEARCH 1,3")
    assert line == '* ESEARCH (TAG "t%d") ALL 1,3' % c.n
    line, _ = esearch_reply(c, "UID SEARCH 2:*")
    assert line == '* ESEARCH (TAG "t%d") UID ALL 2:3' % c.n
    line, _ = esearch_reply(c, "SEARCH CHARSET UTF-8 SUBJECT nomatch")
    assert line == '* ESEARCH (TAG "t%d")' % c.n
    line, _ = esearch_reply(c, "UID SEARCH SUBJECT nomatch")
    assert line == '* ESEARCH (TAG "t%d") UID' % c.n
    # an explicit RETURN is kept as it is
    line, _ = esearch_reply(c, "SEARCH RETURN (COUNT MIN) ALL")
    assert line == '* ESEARCH (TAG "t%d") MIN 1 COUNT 3' % c.n
    assert c.command("SEARCH RETURN (SAVE) 2") == (
        [], "OK Search completed.")
    line, _ = esearch_reply(c, "SEARCH $")
    assert line == '* ESEARCH (TAG "t%d") ALL 2' % c.n
    # RECENT/NEW/OLD are gone from RFC 9051's grammar but still accepted
    # (\Recent itself is not shown any more); this session saw 2 and 3 first
    line, _ = esearch_reply(c, "SEARCH RECENT")
    assert line == '* ESEARCH (TAG "t%d") ALL 2:3' % c.n
    line, _ = esearch_reply(c, "SEARCH NEW")
    assert line == '* ESEARCH (TAG "t%d") ALL 2:3' % c.n
    line, _ = esearch_reply(c, "SEARCH OLD")
    assert line == '* ESEARCH (TAG "t%d") ALL 1' % c.n
    # SORT is an extension RFC 9051 leaves alone (make-maildir.py dates
    # message n an hour before message n-1)
    assert c.command("SORT (ARRIVAL) UTF-8 ALL") == (
        ["* SORT 3 2 1"], "OK Sort completed.")
    c.close()


def test_search_rev1_unchanged(srv):
    c = session(srv, False)
    assert c.command("SELECT INBOX")[1] == ok_reply("SELECT")
    assert c.command("SEARCH ALL") == (["* SEARCH 1 2 3"],
                                       "OK Search completed.")
    assert c.command("UID SEARCH 2:*") == (["* SEARCH 2 3"],
                                           "OK Search completed.")
    assert c.command("SEARCH SUBJECT nomatch") == (["* SEARCH"],
                                                   "OK Search completed.")
    assert c.command("SEARCH RECENT") == (["* SEARCH 2 3"],
                                          "OK Search completed.")
    assert c.command("SEARCH NEW") == (["* SEARCH 2 3"],
                                       "OK Search completed.")
    assert c.command("SEARCH OLD") == (["* SEARCH 1"],
                                       "OK Search completed.")
    line, _ = esearch_reply(c, "SEARCH RETURN () ALL")
    assert line == '* ESEARCH (TAG "t%d") ALL 1:3' % c.n
    c.close()


@pytest.mark.parametrize("rev2", [False, True], ids=["rev1", "rev2"])
def test_status_deleted(srv, rev2):
    c = session(srv, rev2)
    assert c.command('STATUS INBOX (DELETED)') == (
        ["* STATUS INBOX (DELETED 0)"], ok_reply("STATUS"))
    assert c.command("SELECT INBOX")[1] == ok_reply("SELECT")
    assert c.command("STORE 1:2 +FLAGS.SILENT (\\Deleted)") == (
        [], ok_reply("STORE"))
    assert c.command("UNSELECT") == ([], "OK Unselect completed.")
    size = status_size(c)
    assert c.command("STATUS INBOX (MESSAGES DELETED UNSEEN SIZE)") == (
        ["* STATUS INBOX (MESSAGES 3 UNSEEN 2 DELETED 2 SIZE %d)" % size],
        ok_reply("STATUS"))
    assert c.command("STATUS INBOX (deleted messages)") == (
        ["* STATUS INBOX (MESSAGES 3 DELETED 2)"], ok_reply("STATUS"))
    # LIST-STATUS takes it too
    assert c.command('LIST "" INBOX RETURN (STATUS (DELETED))') == (
        ['* LIST () "." INBOX', "* STATUS INBOX (DELETED 2)"],
        "OK List completed.")
    c.close()


def status_size(c):
    untagged, tagged = c.command("STATUS INBOX (SIZE)")
    assert tagged == ok_reply("STATUS")
    m = re.match(r"^\* STATUS INBOX \(SIZE ([0-9]+)\)$", untagged[0])
    assert m and len(untagged) == 1, untagged
    return int(m.group(1))


@pytest.mark.parametrize("rev2", [False, True], ids=["rev1", "rev2"])
def test_deprecated_commands_work(srv, rev2):
    """CHECK, LSUB and RFC822* are gone from RFC 9051 (Appendix E) but a
    server speaking both keeps them."""
    c = session(srv, rev2)
    assert c.command("SELECT INBOX")[1] == ok_reply("SELECT")
    assert c.command("CHECK") == ([], ok_reply("CHECK"))
    assert c.command('SUBSCRIBE INBOX') == ([], ok_reply("SUBSCRIBE"))
    assert c.command('LSUB "" *') == (['* LSUB () "." INBOX'],
                                      ok_reply("LSUB"))
    untagged, tagged = c.command("FETCH 1 (RFC822.SIZE)")
    assert tagged == ok_reply("FETCH")
    assert re.match(r"^\* 1 FETCH \(RFC822\.SIZE [1-9][0-9]*\)$",
                    untagged[0]) and len(untagged) == 1, untagged
    c.close()


@pytest.mark.parametrize("rev2", [False, True], ids=["rev1", "rev2"])
def test_quoted_utf8(srv, rev2):
    """RFC 9051 9: quoted strings may hold UTF-8 (and must be valid then);
    IMAP4rev1 sessions pass 8-bit bytes on as before (as Dovecot 2.3)."""
    c = session(srv, rev2)
    assert c.command("SELECT INBOX")[1] == ok_reply("SELECT")

    def search(raw):
        c.n += 1
        c.send(b"t%d SEARCH CHARSET UTF-8 SUBJECT \"%s\"\r\n" % (c.n, raw))
        return c.read_response("t%d" % c.n)

    empty = ['* ESEARCH (TAG "t%d")' % (c.n + 1)] if rev2 else ["* SEARCH"]
    assert search("caf\u00e9".encode()) == (empty, "OK Search completed.")
    for bad in (b"caf\xe9", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"):
        got = search(bad)
        if rev2:
            assert got == ([], "BAD Error in IMAP command SEARCH: "
                           "Invalid UTF-8 in quoted string"), bad
        else:
            assert got == (["* SEARCH"], "OK Search completed."), bad
    # the connection goes on normally after the BADs
    assert c.command("NOOP") == ([], "OK NOOP completed.")
    c.close()


def test_select_other_mailbox_list(srv):
    """RFC 9051 6.3.2: the LIST line names the selected mailbox as LIST
    would (the client's spelling, INBOX upper-cased above)."""
    c = session(srv, True)
    for box in ("Work", "Work.Drafts", '"Entw\u00fcrfe"'):
        untagged, tagged = c.command("CREATE " + box)
        assert untagged == [], (box, untagged)
        create_ok(c, box, tagged)
    # a UTF-8 name (RFC 9051 5.1) is listed as LIST lists it: quoted
    for name, listed in (("Work.Drafts", "Work.Drafts"),
                         ('"Work"', "Work"),
                         ('"Entw\u00fcrfe"', '"Entw\u00fcrfe"')):
        untagged, tagged = c.command("EXAMINE " + name)
        assert tagged == ok_reply("EXAMINE"), (name, untagged, tagged)
        lines = without_mailboxid(untagged)
        assert [l for l in lines if l.startswith("* LIST ")] == [
            '* LIST () "." %s' % listed], lines
        assert lines[-1] == '* LIST () "." %s' % listed
        assert not [l for l in lines if "RECENT" in l or "UNSEEN" in l]
    # without ENABLE: no LIST line
    c2 = session(srv, False)
    untagged, tagged = c2.command("EXAMINE Work")
    assert tagged == ok_reply("EXAMINE")
    assert not [l for l in untagged if l.startswith("* LIST")], untagged
    assert "* 0 RECENT" in untagged
    c.close()
    c2.close()
