"""CONDSTORE (RFC 7162 section 3.1) against a running server: ENABLE, SELECT
(CONDSTORE) with HIGHESTMODSEQ, FETCH MODSEQ, STORE's untagged FETCH with
the new MODSEQ, FETCH (CHANGEDSINCE n), STORE (UNCHANGEDSINCE n) with
[MODIFIED set], another session's change seen with MODSEQ at NOOP, STATUS
HIGHESTMODSEQ, SEARCH MODSEQ with its (MODSEQ n) reply. Two sessions:
UNCHANGEDSINCE against the other's change made after our last sync
([MODIFIED], its change survives), [MODIFIED] on a NO when messages were
also expunged; the implicit \\Seen of FETCH BODY[] committed once, its
FLAGS with the new MODSEQ after the bodies. Maildir and mbox keep modseqs in
their index.

Every reply is matched exactly."""
import os, re
import pytest
from dlserver import Server
from rawclient import ok_reply, login

HMS_RE = re.compile(r"^\* OK \[HIGHESTMODSEQ (\d+)\] Highest$")
FETCH_MODSEQ_RE = re.compile(r"^\* (\d+) FETCH \((?:UID (\d+) )?(?:FLAGS (\([^)]*\)) )?"
                             r"MODSEQ \((\d+)\)\)$")


# the default post-login capabilities (src/imap/imap-common.h + LITERAL+)
CAPS = ("IMAP4rev1 IMAP4rev2 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY "
        "THREAD=REFERENCES THREAD=ORDEREDSUBJECT MULTIAPPEND UNSELECT "
        "CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC "
        "ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE STATUS=SIZE "
        "SAVEDATE COMPRESS=DEFLATE OBJECTID UTF8=ACCEPT LITERAL+")
# advertised by default: no setting needed
CONF = ""
# an administrator's capability list without CONDSTORE
NO_CONDSTORE = "IMAP4rev1 ENABLE IDLE UIDPLUS"


@pytest.fixture
def maildir():
    s = Server(users={"demo": "demo"}, messages=3, mail_location="maildir:~/Maildir",
               extra_conf=CONF)
    s.start()
    # one session takes \Recent and clears the generated flags
    c = login(s)
    c.command("SELECT INBOX")
    untagged, tagged = c.command("STORE 1:* FLAGS.SILENT ()")
    assert tagged == ok_reply("STORE"), (untagged, tagged)
    c.command("LOGOUT")
    yield s
    s.stop()


@pytest.fixture
def mbox():
    s = Server(users={"demo": "demo"}, messages=0,
               mail_location="mbox:~/mail:INBOX=~/mail/inbox", extra_conf=CONF)
    s.start()
    from test_append_copy import prepare_mbox_home
    prepare_mbox_home(s)
    with open(os.path.join(s.home("demo"), "mail", "inbox"), "wb") as f:
        for i in range(2):
            f.write(b"From a@example.org Mon Nov 23 10:00:0%d 2026\n"
                    b"From: a@example.org\nSubject: m%d\n\nbody %d\n\n" % (i, i, i))
    yield s
    s.stop()


def select_condstore(c, box="INBOX"):
    """SELECT box (CONDSTORE): the HIGHESTMODSEQ value (exactly one)."""
    untagged, tagged = c.command("SELECT %s (CONDSTORE)" % box)
    assert tagged == ok_reply("SELECT"), (untagged, tagged)
    hms = [int(m.group(1)) for m in map(HMS_RE.match, untagged) if m]
    assert len(hms) == 1 and hms[0] > 0, untagged
    return hms[0]


def fetch_modseqs(c, cmd="FETCH 1:* (MODSEQ)"):
    """{seq: modseq} of every untagged FETCH, each exactly '* n FETCH
    (MODSEQ (m))' (UID first for UID FETCH)."""
    untagged, tagged = c.command(cmd)
    assert tagged == ok_reply("FETCH"), (untagged, tagged)
    out = {}
    for line in untagged:
        m = FETCH_MODSEQ_RE.match(line)
        assert m and m.group(3) is None, line
        out[int(m.group(1))] = int(m.group(4))
    return out


def test_capability(maildir):
    c = login(maildir)
    untagged, tagged = c.command("CAPABILITY")
    assert tagged == "OK Capability completed."
    assert untagged == ["* CAPABILITY " + CAPS], untagged


def test_not_advertised_not_enabled():
    """Left out of imap_capability it is neither advertised nor enabled."""
    s = Server(users={"demo": "demo"}, messages=1,
               extra_conf="imap_capability = %s\n" % NO_CONDSTORE).start()
    try:
        c = login(s)
        untagged, tagged = c.command("CAPABILITY")
        assert tagged == "OK Capability completed."
        assert untagged == ["* CAPABILITY " + NO_CONDSTORE], untagged
        untagged, tagged = c.command("ENABLE CONDSTORE QRESYNC")
        assert (untagged, tagged) == (["* ENABLED"], "OK Enabled.")
        untagged, tagged = c.command("SELECT INBOX")
        assert tagged == ok_reply("SELECT")
        assert not [l for l in untagged if "MODSEQ" in l], untagged
        c.command("LOGOUT")
    finally:
        s.stop()


def test_enable(maildir):
    c = login(maildir)
    untagged, tagged = c.command("ENABLE CONDSTORE X-UNKNOWN")
    assert (untagged, tagged) == (["* ENABLED CONDSTORE"], "OK Enabled."), untagged
    # already enabled: listed again (as Dovecot); unknown names stay silent
    untagged, tagged = c.command("ENABLE CONDSTORE")
    assert (untagged, tagged) == (["* ENABLED CONDSTORE"], "OK Enabled.")
    untagged, tagged = c.command("ENABLE X-FOO")
    assert (untagged, tagged) == (["* ENABLED"], "OK Enabled.")
    # enabled: a plain SELECT announces HIGHESTMODSEQ
    untagged, tagged = c.command("SELECT INBOX")
    assert tagged == ok_reply("SELECT")
    assert len([l for l in untagged if HMS_RE.match(l)]) == 1, untagged


def test_select_without_condstore_has_no_modseq(maildir):
    c = login(maildir)
    untagged, tagged = c.command("SELECT INBOX")
    assert tagged == ok_reply("SELECT")
    assert not [l for l in untagged if "MODSEQ" in l], untagged
    untagged, tagged = c.command("STORE 1 +FLAGS (\\Seen)")
    assert untagged == ["* 1 FETCH (FLAGS (\\Seen))"], untagged
    # a CONDSTORE enabling command while selected: HIGHESTMODSEQ once
    untagged, tagged = c.command("FETCH 1 (MODSEQ)")
    assert tagged == ok_reply("FETCH")
    assert len(untagged) == 2 and HMS_RE.match(untagged[0]), untagged
    assert re.match(r"^\* 1 FETCH \(MODSEQ \(\d+\)\)$", untagged[1]), untagged


def test_store_raises_modseq(maildir):
    c = login(maildir)
    hms = select_condstore(c)
    before = fetch_modseqs(c)
    assert sorted(before) == [1, 2, 3]
    assert all(0 < v <= hms for v in before.values()), (before, hms)
    last = hms
    for flag in ("\\Seen", "\\Flagged", "\\Answered"):
        untagged, tagged = c.command("STORE 2 +FLAGS (%s)" % flag)
        assert tagged == ok_reply("STORE"), tagged
        assert len(untagged) == 1, untagged
        m = FETCH_MODSEQ_RE.match(untagged[0])
        assert m and m.group(1) == "2" and m.group(3) is not None, untagged
        new = int(m.group(4))
        assert new > last, (new, last)
        last = new
        # FETCH MODSEQ agrees, the others did not move
        now = fetch_modseqs(c)
        assert now == {1: before[1], 2: new, 3: before[3]}, now
        untagged, tagged = c.command("STATUS INBOX (HIGHESTMODSEQ MESSAGES)")
        assert untagged == ["* STATUS INBOX (MESSAGES 3 HIGHESTMODSEQ %d)" % new], untagged
    # UID STORE: UID first
    untagged, tagged = c.command("UID STORE 1 FLAGS (\\Draft)")
    assert tagged == ok_reply("STORE")
    m = FETCH_MODSEQ_RE.match(untagged[0])
    assert m and m.group(2) == "1" and m.group(3) == "(\\Draft)" and int(m.group(4)) > last, untagged


def test_implicit_seen_has_new_modseq(maildir):
    c = login(maildir)
    hms = select_condstore(c)
    untagged, tagged = c.command("FETCH 2 (BODY[])")
    assert tagged == ok_reply("FETCH"), tagged
    # the body first; the \Seen it set is committed once for the command,
    # then its FLAGS go out with the change's new MODSEQ (never a MODSEQ
    # newer than the FLAGS it comes with)
    assert len(untagged) == 2 and isinstance(untagged[0], list), untagged
    assert re.match(r"^\* 2 FETCH \(BODY\[\] \{\d+\}$", untagged[0][0]), untagged[0][0]
    m = re.match(r"^\* 2 FETCH \(FLAGS \(\\Seen\) MODSEQ \((\d+)\)\)$", untagged[1])
    assert m and int(m.group(1)) > hms, untagged[1]
    assert fetch_modseqs(c, "FETCH 2 (MODSEQ)") == {2: int(m.group(1))}


def test_implicit_seen_one_commit(maildir):
    """FETCH 1:* BODY[] sets \\Seen on every message with one commit for
    the command: each message's FLAGS and new MODSEQ follow the bodies."""
    c = login(maildir)
    hms = select_condstore(c)
    untagged, tagged = c.command("UID FETCH 1:* (BODY[])")
    assert tagged == ok_reply("FETCH"), tagged
    assert len(untagged) == 6, untagged
    for i in range(3):
        assert isinstance(untagged[i], list), untagged
        assert re.match(r"^\* %d FETCH \(UID %d BODY\[\] \{\d+\}$" % (i + 1, i + 1),
                        untagged[i][0]), untagged[i]
    mods = []
    for i in range(3):
        m = FETCH_MODSEQ_RE.match(untagged[3 + i])
        assert m and m.group(1) == str(i + 1) and m.group(2) == str(i + 1), untagged[3 + i]
        assert m.group(3) == "(\\Seen)", untagged[3 + i]
        mods.append(int(m.group(4)))
    assert hms < mods[0] < mods[1] < mods[2], (hms, mods)
    assert fetch_modseqs(c) == {1: mods[0], 2: mods[1], 3: mods[2]}
    untagged, tagged = c.command("STATUS INBOX (HIGHESTMODSEQ)")
    assert untagged == ["* STATUS INBOX (HIGHESTMODSEQ %d)" % mods[2]], untagged
    # nothing left to set: no second round
    untagged, tagged = c.command("FETCH 1 (BODY[])")
    assert len(untagged) == 1 and isinstance(untagged[0], list), untagged


def test_unchangedsince_other_session(maildir):
    """Two sessions: b changes a flag after a's last sync; a's STORE
    (UNCHANGEDSINCE <a's modseq>) must not overwrite it (RFC 7162's lost
    update): [MODIFIED], and b's change survives."""
    a = login(maildir)
    select_condstore(a)
    mods = fetch_modseqs(a)
    b = login(maildir)
    b.command("SELECT INBOX")
    untagged, tagged = b.command("STORE 1 FLAGS.SILENT (\\Flagged)")
    assert (untagged, tagged) == ([], ok_reply("STORE")), (untagged, tagged)
    # a has not synced: its view still says message 1 is at mods[1]
    untagged, tagged = a.command("STORE 1:2 (UNCHANGEDSINCE %d) FLAGS.SILENT (\\Seen)"
                                 % max(mods[1], mods[2]))
    assert tagged == "OK [MODIFIED 1] Conditional store failed.", (untagged, tagged)
    assert len(untagged) == 1 and re.match(r"^\* 2 FETCH \(MODSEQ \(\d+\)\)$",
                                           untagged[0]), untagged
    untagged, tagged = b.command("NOOP")
    assert untagged == ["* 2 FETCH (UID 2 FLAGS (\\Seen))"], untagged
    untagged, tagged = b.command("FETCH 1:2 (FLAGS)")
    assert untagged == ["* 1 FETCH (FLAGS (\\Flagged))", "* 2 FETCH (FLAGS (\\Seen))"], untagged
    untagged, tagged = a.command("NOOP")
    assert len(untagged) == 1, untagged
    m = FETCH_MODSEQ_RE.match(untagged[0])
    assert m and m.group(1) == "1" and m.group(3) == "(\\Flagged)", untagged
    assert int(m.group(4)) > mods[1]


def test_unchangedsince_modified_and_expunged(maildir):
    """RFC 7162 3.1.3: [MODIFIED] is reported even when some messages were
    expunged meanwhile (a NO, carrying the MODIFIED code)."""
    a = login(maildir)
    select_condstore(a)
    mods = fetch_modseqs(a)
    b = login(maildir)
    b.command("SELECT INBOX")
    b.command("STORE 1 +FLAGS.SILENT (\\Flagged)")
    b.command("STORE 2 +FLAGS.SILENT (\\Deleted)")
    untagged, tagged = b.command("EXPUNGE")
    assert untagged == ["* 2 EXPUNGE"], untagged
    untagged, tagged = a.command("STORE 1:3 (UNCHANGEDSINCE %d) +FLAGS.SILENT (\\Answered)"
                                 % max(mods.values()))
    assert tagged == ("NO [MODIFIED 1] Conditional store failed, and some of the "
                      "requested messages no longer exist."), (untagged, tagged)
    assert len(untagged) == 1 and re.match(r"^\* 3 FETCH \(MODSEQ \(\d+\)\)$",
                                           untagged[0]), untagged


def test_changedsince(maildir):
    c = login(maildir)
    hms = select_condstore(c)
    assert fetch_modseqs(c, "FETCH 1:* (FLAGS) (CHANGEDSINCE %d)" % hms) == {}
    c.command("STORE 1,3 +FLAGS.SILENT (\\Seen)")
    untagged, tagged = c.command("FETCH 1:* (FLAGS) (CHANGEDSINCE %d)" % hms)
    assert tagged == ok_reply("FETCH")
    assert [re.sub(r"MODSEQ \(\d+\)", "MODSEQ (n)", l) for l in untagged] == [
        "* 1 FETCH (FLAGS (\\Seen) MODSEQ (n))",
        "* 3 FETCH (FLAGS (\\Seen) MODSEQ (n))"], untagged
    untagged, tagged = c.command("UID FETCH 1:* (FLAGS) (CHANGEDSINCE %d)" % hms)
    assert [re.sub(r"MODSEQ \(\d+\)", "MODSEQ (n)", l) for l in untagged] == [
        "* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (n))",
        "* 3 FETCH (UID 3 FLAGS (\\Seen) MODSEQ (n))"], untagged
    # malformed modifiers
    for bad, why in (("(CHANGEDSINCE)", "Invalid arguments."),
                     ("(CHANGEDSINCE x)", "Invalid CHANGEDSINCE modseq"),
                     ("(FOO 1)", "Invalid FETCH modifiers."),
                     ("(CHANGEDSINCE 1 CHANGEDSINCE 2)", "Invalid FETCH modifiers."),
                     ("(CHANGEDSINCE 9223372036854775808)",
                      "Invalid CHANGEDSINCE modseq")):
        assert c.command("FETCH 1 (FLAGS) %s" % bad) == (
            [], "BAD Error in IMAP command FETCH: " + why), bad


def test_unchangedsince(maildir):
    c = login(maildir)
    select_condstore(c)
    mods = fetch_modseqs(c)
    c.command("STORE 2 +FLAGS.SILENT (\\Flagged)")
    mod2 = fetch_modseqs(c, "FETCH 2 (MODSEQ)")[2]
    assert mod2 > mods[2]
    # message 2 changed after mods[2]: not stored, reported in MODIFIED
    untagged, tagged = c.command("STORE 1:3 (UNCHANGEDSINCE %d) +FLAGS.SILENT (\\Deleted)"
                                 % max(mods[1], mods[3]))
    assert tagged == "OK [MODIFIED 2] Conditional store failed.", (untagged, tagged)
    # .SILENT still reports the MODSEQ of the stored ones (RFC 7162 3.1.3)
    assert [re.sub(r"\d+\)\)$", "n))", l) for l in untagged] == [
        "* 1 FETCH (MODSEQ (n))", "* 3 FETCH (MODSEQ (n))"], untagged
    untagged, tagged = c.command("FETCH 2 (FLAGS MODSEQ)")
    assert untagged == ["* 2 FETCH (FLAGS (\\Flagged) MODSEQ (%d))" % mod2], untagged
    # UNCHANGEDSINCE 0 never passes; UID STORE reports UIDs
    untagged, tagged = c.command("UID STORE 1:3 (UNCHANGEDSINCE 0) -FLAGS (\\Deleted)")
    assert (untagged, tagged) == ([], "OK [MODIFIED 1:3] Conditional store failed.")
    untagged, tagged = c.command("FETCH 1:3 (FLAGS)")
    assert [re.sub(r" MODSEQ \(\d+\)", "", l) for l in untagged] == [
        "* 1 FETCH (FLAGS (\\Deleted))", "* 2 FETCH (FLAGS (\\Flagged))",
        "* 3 FETCH (FLAGS (\\Deleted))"], untagged
    # a passing one, not silent
    hms = max(fetch_modseqs(c).values())
    untagged, tagged = c.command("STORE 2 (UNCHANGEDSINCE %d) FLAGS (\\Seen)" % hms)
    assert tagged == ok_reply("STORE"), tagged
    m = FETCH_MODSEQ_RE.match(untagged[0])
    assert len(untagged) == 1 and m.group(3) == "(\\Seen)" and int(m.group(4)) > hms, untagged
    for bad, why in (("(UNCHANGEDSINCE)", "Invalid STORE modifiers."),
                     ("(UNCHANGEDSINCE -1)", "Invalid modseq"),
                     ("(UNCHANGEDSINCE x)", "Invalid modseq"),
                     ("(UNCHANGEDSINCE 1 X 2)", "Invalid STORE modifiers.")):
        assert c.command("STORE 1 %s +FLAGS (\\Seen)" % bad) == (
            [], "BAD Error in IMAP command STORE: " + why), bad


def test_other_session_change_at_noop(maildir):
    a = login(maildir)
    hms = select_condstore(a)
    b = login(maildir)
    b.command("SELECT INBOX")
    untagged, tagged = b.command("STORE 3 +FLAGS (\\Flagged)")
    assert tagged == ok_reply("STORE")
    untagged, tagged = a.command("NOOP")
    assert tagged == ok_reply("NOOP")
    assert len(untagged) == 1, untagged
    m = FETCH_MODSEQ_RE.match(untagged[0])
    assert m and m.group(1) == "3" and m.group(2) == "3" and m.group(3) == "(\\Flagged)", untagged
    assert int(m.group(4)) > hms
    assert fetch_modseqs(a, "FETCH 3 (MODSEQ)") == {3: int(m.group(4))}
    # a new session sees the same (persistent in the index)
    c = login(maildir)
    assert select_condstore(c) == int(m.group(4))
    untagged, tagged = c.command("STATUS INBOX (HIGHESTMODSEQ)")
    assert untagged == ["* STATUS INBOX (HIGHESTMODSEQ %s)" % m.group(4)], untagged


def test_search_modseq(maildir):
    c = login(maildir)
    hms = select_condstore(c)
    untagged, tagged = c.command("SEARCH MODSEQ %d" % (hms + 1))
    assert (untagged, tagged) == (["* SEARCH"], "OK Search completed."), untagged
    c.command("STORE 2 +FLAGS.SILENT (\\Seen)")
    c.command("STORE 3 +FLAGS.SILENT (\\Flagged)")
    mods = fetch_modseqs(c)
    assert mods[3] > mods[2] > hms, mods
    untagged, tagged = c.command("SEARCH MODSEQ %d" % (hms + 1))
    assert untagged == ["* SEARCH 2 3 (MODSEQ %d)" % mods[3]], untagged
    untagged, tagged = c.command("UID SEARCH MODSEQ %d" % mods[3])
    assert untagged == ["* SEARCH 3 (MODSEQ %d)" % mods[3]], untagged
    # entry name and type are accepted; combined with other keys
    untagged, tagged = c.command('SEARCH MODSEQ "/flags/\\\\Seen" all %d SEEN' % (hms + 1))
    assert untagged == ["* SEARCH 2 (MODSEQ %d)" % mods[2]], untagged
    untagged, tagged = c.command("SEARCH NOT MODSEQ %d" % (hms + 1))
    assert untagged == ["* SEARCH 1 (MODSEQ %d)" % mods[1]], untagged
    # no MODSEQ key: no suffix
    untagged, tagged = c.command("SEARCH SEEN")
    assert untagged == ["* SEARCH 2"], untagged
    for bad, why in (("MODSEQ", "Invalid MODSEQ value"),
                     ("MODSEQ x", "Invalid MODSEQ value"),
                     ('MODSEQ "/flags/x" bogus 5', "Invalid MODSEQ entry type"),
                     ('MODSEQ "/other" all 5', "Invalid MODSEQ entry name"),
                     ("MODSEQ 9223372036854775808", "Invalid MODSEQ value")):
        assert c.command("SEARCH %s" % bad) == (
            [], "BAD Error in IMAP command SEARCH: " + why), bad


def test_mbox_modseq(mbox):
    """mbox keeps modseqs in its index (more in test_mbox_index.py)."""
    c = login(mbox)
    untagged, tagged = c.command("STATUS INBOX (HIGHESTMODSEQ)")
    m = re.match(r"^\* STATUS INBOX \(HIGHESTMODSEQ (\d+)\)$", untagged[0])
    assert len(untagged) == 1 and m, untagged
    status_hms = int(m.group(1))
    hms = select_condstore(c)
    assert hms == status_hms > 0
    seq_mods = fetch_modseqs(c)
    untagged, tagged = c.command("STORE 1 +FLAGS (\\Seen)")
    assert (untagged, tagged) == (
        ["* 1 FETCH (FLAGS (\\Seen \\Recent) MODSEQ (%d))" % (hms + 1)],
        ok_reply("STORE")), untagged
    assert fetch_modseqs(c) == {1: hms + 1, 2: seq_mods[2]}
