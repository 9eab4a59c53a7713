"""RFC 7162 3.1.3 STORE (UNCHANGEDSINCE) on an mbox INBOX with two sessions:
the check-and-set runs against the index under its log lock, so another
session's change committed after our last sync (still only in the index:
lazy writes) makes the conditional store fail with [MODIFIED], nothing of
ours is stored and the other's change survives; an unchanged message is
stored with a new MODSEQ that the other session sees. Per-message modseqs
never go back.

Every reply is matched exactly."""
import os, re
import pytest
from dlserver import Server
from rawclient import ok_reply, login

CONF = ""       # CONDSTORE is advertised by default
HMS_RE = re.compile(r"^\* OK \[HIGHESTMODSEQ (\d+)\] Highest$")


@pytest.fixture
def mbox():
    s = Server(users={"demo": "demo"}, messages=0,
               mail_location="mbox:~/mail:INBOX=~/mail/inbox", extra_conf=CONF)
    s.start()
    from test_append_copy import prepare_mbox_home
    prepare_mbox_home(s)
    # Status: O: no message is \Recent, so FLAGS replies are exact
    with open(inbox_path(s), "wb") as f:
        for i in range(2):
            f.write(b"From a@example.org Mon Nov 23 10:00:0%d 2026\n"
                    b"From: a@example.org\nSubject: m%d\nStatus: O\n\nbody %d\n\n"
                    % (i, i, i))
    yield s
    s.stop()


def inbox_path(srv):
    return os.path.join(srv.home("demo"), "mail", "inbox")


def file_header(srv, subject, name):
    """The value of header name of the message with this Subject in the
    file ("" if it has none)."""
    with open(inbox_path(srv), "rb") as f:
        data = f.read().decode()
    start = data.index("Subject: %s\n" % subject)
    hdr = data[start:data.index("\n\n", start)]
    for line in hdr.split("\n"):
        if line.startswith(name + ": "):
            return line[len(name) + 2:]
    return ""


def select_condstore(c):
    untagged, tagged = c.command("SELECT INBOX (CONDSTORE)")
    assert tagged == ok_reply("SELECT"), (untagged, tagged)
    hms = [int(m.group(1)) for m in map(HMS_RE.match, untagged) if m]
    assert len(hms) == 1 and hms[0] > 0, untagged
    return hms[0]


def uid_fetch_modseq(c, uid):
    untagged, tagged = c.command("UID FETCH %d (MODSEQ)" % uid)
    assert tagged == ok_reply("FETCH"), (untagged, tagged)
    assert len(untagged) == 1, untagged
    m = re.match(r"^\* %d FETCH \(UID %d MODSEQ \((\d+)\)\)$" % (uid, uid), untagged[0])
    assert m, untagged
    return int(m.group(1))


def test_unchangedsince_other_session_modified(mbox):
    """The reviewer's scenario: b's \\Deleted, committed to the index after
    a's last sync, makes a's UID STORE (UNCHANGEDSINCE m) fail: [MODIFIED
    1], a is not told FLAGS (\\Seen), the message stays \\Deleted only."""
    a = login(mbox)
    hms = select_condstore(a)
    m = uid_fetch_modseq(a, 1)
    assert m <= hms
    b = login(mbox)
    untagged, tagged = b.command("SELECT INBOX")
    assert tagged == ok_reply("SELECT"), (untagged, tagged)
    untagged, tagged = b.command("UID STORE 1 +FLAGS (\\Deleted)")
    assert (untagged, tagged) == (["* 1 FETCH (UID 1 FLAGS (\\Deleted))"],
                                  ok_reply("STORE")), (untagged, tagged)
    # a has not synced (no NOOP): its view still has message 1 at m
    untagged, tagged = a.command("UID STORE 1 (UNCHANGEDSINCE %d) FLAGS (\\Seen)" % m)
    assert tagged == "OK [MODIFIED 1] Conditional store failed.", (untagged, tagged)
    # UID STORE's sync brings b's change (never a FLAGS (\Seen))
    assert len(untagged) == 1, untagged
    got = re.match(r"^\* 1 FETCH \(UID 1 FLAGS \(\\Deleted\) MODSEQ \((\d+)\)\)$",
                   untagged[0])
    assert got and int(got.group(1)) > m, untagged
    mb = int(got.group(1))
    untagged, tagged = a.command("UID FETCH 1:2 (FLAGS MODSEQ)")
    assert tagged == ok_reply("FETCH")
    assert untagged[0] == "* 1 FETCH (UID 1 FLAGS (\\Deleted) MODSEQ (%d))" % mb, untagged
    assert len(untagged) == 2 and re.match(
        r"^\* 2 FETCH \(UID 2 FLAGS \(\) MODSEQ \(\d+\)\)$", untagged[1]), untagged
    untagged, tagged = b.command("FETCH 1 (FLAGS)")
    assert (untagged, tagged) == (["* 1 FETCH (FLAGS (\\Deleted))"],
                                  ok_reply("FETCH")), untagged
    for c in (a, b):
        untagged, tagged = c.command("LOGOUT")
        assert tagged == "OK Logout completed.", (untagged, tagged)
    # written at the close: \Deleted, no \Seen
    assert file_header(mbox, "m0", "Status") == "O"
    assert file_header(mbox, "m0", "X-Status") == "D"


def test_unchangedsince_success(mbox):
    """Unchanged since m: stored with a new MODSEQ (exact FETCH), seen by the
    other session with that MODSEQ; the old m then fails for it while an
    unchanged message of the same command is stored."""
    a = login(mbox)
    hms = select_condstore(a)
    m1 = uid_fetch_modseq(a, 1)
    m2 = uid_fetch_modseq(a, 2)
    b = login(mbox)
    hms_b = select_condstore(b)
    assert hms_b == hms
    untagged, tagged = a.command("UID STORE 1 (UNCHANGEDSINCE %d) FLAGS (\\Seen)" % m1)
    assert (untagged, tagged) == (
        ["* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (%d))" % (hms + 1)],
        ok_reply("STORE")), (untagged, tagged)
    untagged, tagged = b.command("NOOP")
    assert (untagged, tagged) == (
        ["* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (%d))" % (hms + 1)],
        ok_reply("NOOP")), (untagged, tagged)
    # b: message 1 changed since m1, message 2 not since m2
    untagged, tagged = b.command("STORE 1:2 (UNCHANGEDSINCE %d) +FLAGS (\\Flagged)"
                                 % max(m1, m2))
    assert (untagged, tagged) == (
        ["* 2 FETCH (FLAGS (\\Flagged) MODSEQ (%d))" % (hms + 2)],
        "OK [MODIFIED 1] Conditional store failed."), (untagged, tagged)
    # a's view changes at its next sync, not inside a FETCH
    untagged, tagged = a.command("FETCH 1:2 (FLAGS MODSEQ)")
    assert (untagged, tagged) == (
        ["* 1 FETCH (FLAGS (\\Seen) MODSEQ (%d))" % (hms + 1),
         "* 2 FETCH (FLAGS () MODSEQ (%d))" % m2], ok_reply("FETCH")), (untagged, tagged)
    untagged, tagged = a.command("NOOP")
    assert (untagged, tagged) == (
        ["* 2 FETCH (UID 2 FLAGS (\\Flagged) MODSEQ (%d))" % (hms + 2)],
        ok_reply("NOOP")), (untagged, tagged)
    untagged, tagged = a.command("FETCH 1:2 (FLAGS MODSEQ)")
    assert (untagged, tagged) == (
        ["* 1 FETCH (FLAGS (\\Seen) MODSEQ (%d))" % (hms + 1),
         "* 2 FETCH (FLAGS (\\Flagged) MODSEQ (%d))" % (hms + 2)],
        ok_reply("FETCH")), (untagged, tagged)
    untagged, tagged = a.command("STATUS INBOX (HIGHESTMODSEQ)")
    assert (untagged, tagged) == (["* STATUS INBOX (HIGHESTMODSEQ %d)" % (hms + 2)],
                                  "OK [CLIENTBUG] Status on selected mailbox completed."), (untagged, tagged)
    for c in (a, b):
        untagged, tagged = c.command("LOGOUT")
        assert tagged == "OK Logout completed.", (untagged, tagged)
    assert file_header(mbox, "m0", "Status") == "RO"
    assert file_header(mbox, "m0", "X-Status") == ""
    assert file_header(mbox, "m1", "X-Status") == "F"
