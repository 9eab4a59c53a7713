"""The mbox backend's index (issue 4): RFC 7162 modseqs on an mbox INBOX
(SELECT (CONDSTORE) with [HIGHESTMODSEQ n], STORE's FETCH with MODSEQ,
another session's STATUS HIGHESTMODSEQ, FETCH (CHANGEDSINCE n)) and a flag
change that survives a kill -9 of the worker right after STORE's tagged
OK (it is in the index, marked dirty, before the OK; the next session
shows it and writes it into the file).

Every reply is matched exactly."""
import os
import re

from rawclient import ok_reply, login
from test_append_copy import kill_worker
from test_condstore import mbox, select_condstore, fetch_modseqs  # noqa: F401

STORE_RE = re.compile(r"^\* (\d+) FETCH \(FLAGS \(([^)]*)\) MODSEQ \((\d+)\)\)$")


def store(c, cmd):
    """One STORE: (seq, flags, modseq) of its single untagged FETCH."""
    untagged, tagged = c.command(cmd)
    assert tagged == ok_reply("STORE"), (untagged, tagged)
    assert len(untagged) == 1, untagged
    m = STORE_RE.match(untagged[0])
    assert m, untagged
    return int(m.group(1)), m.group(2), int(m.group(3))


def status_hms(c):
    untagged, tagged = c.command("STATUS INBOX (HIGHESTMODSEQ)")
    assert tagged == ok_reply("STATUS"), (untagged, tagged)
    assert len(untagged) == 1, untagged
    m = re.match(r"^\* STATUS INBOX \(HIGHESTMODSEQ (\d+)\)$", untagged[0])
    assert m, untagged
    return int(m.group(1))


def test_select_highestmodseq(mbox):
    c = login(mbox)
    hms = select_condstore(c)
    mods = fetch_modseqs(c)
    assert sorted(mods) == [1, 2]
    assert all(0 < m <= hms for m in mods.values()), (mods, hms)
    # a second session sees the same value, without changes
    c2 = login(mbox)
    assert status_hms(c2) == hms
    c.command("LOGOUT")
    c2.command("LOGOUT")


def test_store_modseq_other_session(mbox):
    c = login(mbox)
    hms = select_condstore(c)
    c2 = login(mbox)
    seq, flags, m1 = store(c, "STORE 1 +FLAGS (\\Flagged)")
    assert (seq, flags) == (1, "\\Flagged \\Recent")
    assert m1 > hms
    assert status_hms(c2) == m1
    seq, flags, m2 = store(c, "STORE 2 +FLAGS (\\Seen)")
    assert (seq, flags) == (2, "\\Seen \\Recent")
    assert m2 > m1
    assert status_hms(c2) == m2
    # CHANGEDSINCE: exactly the changed messages
    untagged, tagged = c.command("FETCH 1:* (FLAGS) (CHANGEDSINCE %d)" % hms)
    assert tagged == ok_reply("FETCH"), tagged
    assert untagged == ["* 1 FETCH (FLAGS (\\Flagged \\Recent) MODSEQ (%d))" % m1,
                        "* 2 FETCH (FLAGS (\\Seen \\Recent) MODSEQ (%d))" % m2]
    untagged, tagged = c.command("FETCH 1:* (FLAGS) (CHANGEDSINCE %d)" % m1)
    assert untagged == ["* 2 FETCH (FLAGS (\\Seen \\Recent) MODSEQ (%d))" % m2]
    untagged, tagged = c.command("FETCH 1:* (FLAGS) (CHANGEDSINCE %d)" % m2)
    assert (untagged, tagged) == ([], ok_reply("FETCH"))
    c.command("LOGOUT")
    # persisted across sessions: the same modseqs after a reopen
    c2.command("LOGOUT")
    c3 = login(mbox)
    assert select_condstore(c3) == m2
    assert fetch_modseqs(c3, "FETCH 1:2 (MODSEQ)") == {1: m1, 2: m2}
    c3.command("LOGOUT")


def x_status(srv, subject):
    """The X-Status value of the message with this subject in the file."""
    with open(os.path.join(srv.home("demo"), "mail", "inbox"), "rb") as f:
        data = f.read().decode()
    msg = data[data.index("Subject: %s\n" % subject):]
    hdr = msg[:msg.index("\n\n")]
    m = re.search(r"^X-Status: (\S*)", hdr, re.M)
    return m.group(1) if m else ""


def test_store_survives_kill(mbox):
    c = login(mbox)
    select_condstore(c)
    untagged, tagged = c.command("STORE 2 +FLAGS (\\Answered $Later)")
    assert tagged == ok_reply("STORE"), tagged
    # the new keyword is announced first
    assert untagged[:2] == [
        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Later)",
        "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen "
        "\\Draft $Later \\*)] Flags permitted."], untagged
    assert len(untagged) == 3, untagged
    m = STORE_RE.match(untagged[2])
    assert m and m.group(1, 2) == ("2", "\\Answered \\Recent $Later"), untagged
    modseq = int(m.group(3))
    kill_worker(mbox)
    assert c.is_closed()
    # not in the file (lazy writes): only in the index
    assert x_status(mbox, "m1") == ""
    c = login(mbox)
    assert select_condstore(c) == modseq
    untagged, tagged = c.command("FETCH 2 (FLAGS MODSEQ)")
    assert tagged == ok_reply("FETCH"), tagged
    # no longer \\Recent: the killed session claimed it in the index (as
    # in Dovecot, \\Recent goes to one session only)
    assert untagged == ["* 2 FETCH (FLAGS (\\Answered $Later) "
                        "MODSEQ (%d))" % modseq], untagged
    c.command("LOGOUT")
    # this session wrote it into the file
    assert x_status(mbox, "m1") == "A"
