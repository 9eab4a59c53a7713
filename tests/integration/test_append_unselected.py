"""APPEND into a Maildir that no session of ours has synced since: the
target is opened for saving only (no scan of new/ and cur/), so its UIDs
come from dovecot-uidlist alone. What must hold: the messages already in a
never-synced Maildir get their UIDs before the appended one; a delivery an
MTA dropped into new/ meanwhile keeps its place and gets the next UID at
the next sync; APPENDUID names exactly the appended message; keywords
already in dovecot-keywords keep their letters next to new ones; and a
session with the mailbox selected sees the append at its next NOOP."""
import os, re
from rawclient import login, select

APPENDUID_RE = re.compile(r"^OK \[APPENDUID (\d+) (\d+)\] Append completed\.$")
FETCH_RE = re.compile(r"^\* (\d+) FETCH \(UID (\d+) FLAGS \(([^)]*)\) "
                      r"BODY\[HEADER\.FIELDS \(SUBJECT\)\] \{(\d+)\}$")


def append(c, box, subject, flags=""):
    msg = b"Subject: %s\r\n\r\nbody of %s\r\n" % (subject.encode(), subject.encode())
    flag_part = "(%s) " % flags if flags else ""
    _, tagged = c.command("APPEND %s %s{%d+}\r\n%s" % (
        box, flag_part, len(msg), msg.decode()))
    m = APPENDUID_RE.match(tagged)
    assert m, tagged
    return int(m.group(1)), int(m.group(2))


def uids_subjects(c):
    """[(uid, flags set, subject)] in sequence order of the selected box."""
    untagged, tagged = c.command(
        "FETCH 1:* (UID FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert tagged == "OK Fetch completed.", tagged
    out = []
    for n, item in enumerate(untagged):
        assert isinstance(item, list), item
        head, data, rest = item
        m = FETCH_RE.match(head)
        assert m and int(m.group(1)) == n + 1 and rest == ")", item
        subj = data.decode().strip().split("Subject: ", 1)[1]
        out.append((int(m.group(2)), set(m.group(3).split()), subj))
    return out


def test_append_before_first_sync_comes_after_existing():
    from dlserver import Server
    srv = Server(users={"demo": "demo"}, messages=3)
    srv.start()
    try:
        c = login(srv)
        validity, uid = append(c, "INBOX", "appended first")
        # the three messages already in cur/ were given UIDs 1..3 first
        assert uid == 4
        info = select(c)
        assert info["UIDVALIDITY"] == validity and info["EXISTS"] == 4
        rows = uids_subjects(c)
        assert [r[0] for r in rows] == [1, 2, 3, 4]
        assert rows[3][2] == "appended first"
        c.command("LOGOUT")
    finally:
        srv.stop()


def test_append_unselected_with_mta_delivery_and_keywords():
    from dlserver import Server
    srv = Server(users={"demo": "demo"}, messages=2)
    srv.start()
    try:
        watcher = login(srv)
        select(watcher)                      # syncs: uidlist exists, UIDs 1, 2
        _, tagged = watcher.command("STORE 1 +FLAGS (OldKeyword)")
        assert tagged == "OK Store completed.", tagged
        kw_file = os.path.join(srv.maildir("demo"), "dovecot-keywords")
        with open(kw_file) as f:
            old_keywords = f.read()
        assert "OldKeyword" in old_keywords

        srv.deliver("demo", b"Subject: from the MTA\r\n\r\nmta\r\n",
                    "1700000000.M1P1.mta")
        saver = login(srv)                   # INBOX not selected here
        validity, uid = append(saver, "INBOX", "appended", r"\Flagged NewKeyword")
        assert validity == select(login(srv), examine=True)["UIDVALIDITY"]
        # the delivery nobody synced yet does not shift the appended UID
        assert uid == 3
        with open(kw_file) as f:
            keywords = f.read()
        assert keywords.startswith(old_keywords.rstrip("\n")), keywords
        assert "NewKeyword" in keywords

        untagged, tagged = watcher.command("NOOP")
        assert tagged == "OK NOOP completed.", tagged
        assert "* 4 EXISTS" in untagged, untagged
        rows = uids_subjects(watcher)
        assert [r[0] for r in rows] == [1, 2, 3, 4], rows
        by_uid = {r[0]: r for r in rows}
        assert by_uid[3][2] == "appended"
        assert {"\\Flagged", "NewKeyword"} <= by_uid[3][1], by_uid[3]
        assert by_uid[4][2] == "from the MTA"
        assert "OldKeyword" in by_uid[1][1]
        saver.command("LOGOUT")
        watcher.command("LOGOUT")
    finally:
        srv.stop()
