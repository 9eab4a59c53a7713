"""RFC 8514 SAVEDATE and RFC 8474 OBJECTID on both mail backends: FETCH
SAVEDATE of APPENDed, COPYed, MOVEd and delivered messages, SEARCH
SAVEDBEFORE/SAVEDON/SAVEDSINCE/SAVEDATESUPPORTED, MAILBOXID in CREATE,
SELECT, STATUS and LIST-STATUS (stable across reconnect and RENAME),
EMAILID, THREADID. Maildir save dates are compared with Debian's Dovecot
2.3 (which has no OBJECTID)."""
import calendar
import contextlib
import os
import re
import time

import pytest

from dlserver import Server
from filled_inbox import without_timing
from rawclient import Imap, LOGGED_IN_RE, login, ok_reply, create
from test_append_copy import LOCATIONS, prepare_mbox_home, append, APPENDUID_RE

MSG = b"Subject: s\r\n\r\nbody\r\n"
DATE_RE = re.compile(r'^ ?(\d{1,2})-([A-Z][a-z]{2})-(\d{4}) '
                     r'(\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$')
MBOXID_RE = re.compile(r"^F[0-9a-f]{32}$")
EMAILID_RE = re.compile(r"^M[0-9a-f]{24}$")
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
          "Oct", "Nov", "Dec"]


def parse_datetime(s):
    """An IMAP date-time as epoch seconds (strict)."""
    m = DATE_RE.match(s)
    assert m, s
    day, mon, year, hh, mm, ss, sign, zh, zm = m.groups()
    t = calendar.timegm((int(year), MONTHS.index(mon) + 1, int(day),
                         int(hh), int(mm), int(ss)))
    off = (int(zh) * 60 + int(zm)) * 60
    return t - off if sign == "+" else t + off


def imap_day(epoch):
    """epoch's day in the server's local zone as an IMAP date."""
    t = time.localtime(epoch)
    return "%d-%s-%d" % (t.tm_mday, MONTHS[t.tm_mon - 1], t.tm_year)


def fetch_one(c, seq, items, pattern):
    """FETCH seq (items): the one response must match pattern exactly;
    returns its groups."""
    untagged, tagged = c.command("FETCH %d (%s)" % (seq, items))
    assert without_timing(tagged).rstrip(".") == "OK Fetch completed", tagged
    assert len(untagged) == 1, untagged
    m = re.match(r"^\* %d FETCH \(%s\)$" % (seq, pattern), untagged[0])
    assert m, untagged
    return m.groups()


def savedate(c, seq):
    (value,) = fetch_one(c, seq, "SAVEDATE", r'SAVEDATE (NIL|"[^"]+")')
    return None if value == "NIL" else parse_datetime(value[1:-1])


def emailid(c, seq):
    (value,) = fetch_one(c, seq, "EMAILID", r"EMAILID \(([^)]+)\)")
    assert EMAILID_RE.match(value), value
    return value


def search(c, args):
    untagged, tagged = c.command("SEARCH " + args)
    assert without_timing(tagged).rstrip(".") == "OK Search completed", \
        (args, tagged)
    assert len(untagged) == 1 and untagged[0].startswith("* SEARCH"), untagged
    return [int(x) for x in untagged[0].split()[2:]]


def select_id(c, box):
    untagged, tagged = c.command("SELECT " + box)
    assert tagged == "OK [READ-WRITE] Select completed.", tagged
    ids = [m.group(1) for m in (re.match(r"^\* OK \[MAILBOXID \(([^)]+)\)\] Ok$", l)
                                for l in untagged) if m]
    assert len(ids) == 1, untagged
    assert MBOXID_RE.match(ids[0]), ids
    return ids[0]


def status_id(c, box):
    untagged, tagged = c.command("STATUS %s (MAILBOXID)" % box)
    assert tagged == ok_reply("STATUS"), tagged
    m = re.match(r"^\* STATUS %s \(MAILBOXID \((F[0-9a-f]{32})\)\)$" % box,
                 untagged[0])
    assert len(untagged) == 1 and m, untagged
    return m.group(1)


def create_id(c, box):
    """CREATE box: rawclient.create()'s exact reply; the new MAILBOXID."""
    return create(c, box)


def deliver(srv, user, name):
    """A message written straight into ~/Maildir/new as an MDA would."""
    new = os.path.join(srv.home(user), "Maildir", "new")
    path = os.path.join(new, name)
    with open(path, "wb") as f:
        f.write(MSG)
    os.chown(path, *srv.uids[user])


# mbox with INDEX=MEMORY keeps its MAILBOXID where the index would be
# (~/mail/.imap/<name>), so it is as stable as with an index
SERVER_LOCATIONS = dict(LOCATIONS, **{
    "mbox-memory": LOCATIONS["mbox"] + ":INDEX=MEMORY"})


@pytest.fixture(params=sorted(SERVER_LOCATIONS))
def server(request):
    s = Server(users={"demo": "demo"}, messages=0,
               mail_location=SERVER_LOCATIONS[request.param])
    s.start()
    s.kind = request.param.split("-")[0]
    if s.kind == "mbox":
        prepare_mbox_home(s)
    try:
        yield s
    finally:
        s.stop()


def test_savedate(server):
    c = login(server)
    t0 = time.time()
    _, tagged = append(c, "INBOX", MSG, date="01-Jan-2001 00:00:00 +0000")
    assert APPENDUID_RE.match(tagged), tagged
    assert create_id(c, "Other")
    c.command("SELECT INBOX")
    if server.kind == "mbox":
        # RFC 8514 4: NIL where the backend keeps no save date
        assert savedate(c, 1) is None
        assert search(c, "SAVEDATESUPPORTED") == []
        # as Dovecot 2.3 (test_mbox_savedate_like_dovecot): no save
        # date compares as saved now
        assert search(c, "SAVEDSINCE 1-Jan-2000") == [1]
        assert search(c, "NOT SAVEDSINCE 1-Jan-2000") == []
        assert search(c, "SAVEDON " + imap_day(time.time())) == [1]
        assert search(c, "SAVEDBEFORE 1-Jan-2001") == []
        return
    saved = savedate(c, 1)
    assert t0 - 2 <= saved <= time.time() + 1, (t0, saved)
    # not the INTERNALDATE
    assert search(c, "SAVEDATESUPPORTED") == [1]
    assert search(c, "SAVEDON " + imap_day(saved)) == [1]
    assert search(c, "SAVEDSINCE " + imap_day(saved)) == [1]
    assert search(c, "SAVEDBEFORE " + imap_day(saved)) == []
    assert search(c, "SAVEDBEFORE " + imap_day(saved + 86400)) == [1]
    assert search(c, "SAVEDSINCE " + imap_day(saved + 86400)) == []
    assert search(c, "ON 1-Jan-2001") == [1]
    # a flag change keeps it
    time.sleep(1.1)
    c.command("STORE 1 +FLAGS.SILENT (\\Seen)")
    assert savedate(c, 1) == saved
    # COPY and MOVE: the time of the copy
    time.sleep(1.1)
    t1 = time.time()
    untagged, tagged = c.command("COPY 1 Other")
    m = re.match(r"^OK \[COPYUID (\d+) 1 1\] Copy completed\.$", tagged)
    assert untagged == [] and m, (untagged, tagged)
    other_validity = int(m.group(1))
    untagged, tagged = c.command("MOVE 1 Other")
    assert tagged == "OK Move completed.", tagged
    # the moved message was \Recent here: RECENT follows (as Dovecot)
    assert untagged == ["* OK [COPYUID %d 1 2] Moved UIDs." % other_validity,
                        "* 1 EXPUNGE", "* 0 RECENT"], untagged
    select_id(c, "Other")
    for seq in (1, 2):
        d = savedate(c, seq)
        assert int(t1) <= d <= time.time() + 1, (t1, d)
    # delivered into new/: the delivery time
    t2 = int(time.time())
    deliver(server, "demo", "%d.M1P2.deliverhost" % t2)
    untagged, tagged = c.command("SELECT INBOX")
    assert "* 1 EXISTS" in untagged, untagged
    assert savedate(c, 1) == t2
    # a reconnect keeps it
    c.close()
    c = login(server)
    c.command("SELECT INBOX")
    assert savedate(c, 1) == t2
    c.close()


def test_savedate_like_dovecot():
    """Dovecot's SAVEDATE of an APPENDed Maildir message: the same
    moment, in the same format."""
    import dovecot
    dovecot.ensure_or_skip()
    srv = Server(users={"demo": "demo"}, messages=0)
    srv.prepare()
    dc = dovecot.ForServer(srv)
    try:
        dc.start_or_skip()
        c = Imap(dc.imap_port, timeout=30)
        _, tagged = c.command("LOGIN demo demo")
        assert LOGGED_IN_RE.match(tagged), tagged
        t0 = time.time()
        append(c, "INBOX", MSG, date="01-Jan-2001 00:00:00 +0000")
        c.command("SELECT INBOX")
        theirs = savedate(c, 1)
        assert search(c, "SAVEDATESUPPORTED") == [1]
        c.close()
    finally:
        dc.cleanup()
    s = Server(users={"demo": "demo"}, messages=0)
    s.start()
    try:
        c = login(s)
        append(c, "INBOX", MSG, date="01-Jan-2001 00:00:00 +0000")
        c.command("SELECT INBOX")
        ours = savedate(c, 1)
        c.close()
    finally:
        s.stop()
    assert t0 - 2 <= theirs <= ours <= time.time() + 1, (t0, theirs, ours)


def test_mailboxid(server):
    c = login(server)
    a = create_id(c, "Alpha")
    b = create_id(c, "Beta")
    assert a != b
    inbox = select_id(c, "INBOX")
    assert len({a, b, inbox}) == 3
    assert status_id(c, "Alpha") == a
    assert select_id(c, "Alpha") == a
    untagged, tagged = c.command("EXAMINE Beta")
    assert "* OK [MAILBOXID (%s)] Ok" % b in untagged, untagged
    untagged, tagged = c.command('LIST "" "*" RETURN (STATUS (MAILBOXID))')
    assert tagged == ok_reply("LIST"), tagged
    for name, box_id in (("INBOX", inbox), ("Alpha", a), ("Beta", b)):
        assert "* STATUS %s (MAILBOXID (%s))" % (name, box_id) in untagged, \
            untagged
    c.command("SELECT INBOX")
    assert c.command("RENAME Alpha Gamma") == ([], ok_reply("RENAME"))
    assert status_id(c, "Gamma") == a
    c.close()
    c = login(server)
    assert status_id(c, "Gamma") == a
    assert select_id(c, "INBOX") == inbox
    # a new mailbox of an old name is another mailbox
    c.command("UNSELECT")
    assert c.command("DELETE Beta") == ([], ok_reply("DELETE"))
    assert create_id(c, "Beta") not in (a, b, inbox)
    # STATUS of a missing mailbox, a bad item
    assert c.command("STATUS Nope (MAILBOXID)") == (
        [], "NO [NONEXISTENT] Mailbox doesn't exist: Nope")
    assert c.command("STATUS Gamma (MAILBOXID") == (
        [], "BAD Error in IMAP command STATUS: Missing ')'")
    c.close()


def test_emailid_threadid(server):
    c = login(server)
    for i in range(3):
        append(c, "INBOX", MSG)
    c.command("SELECT INBOX")
    ids = [emailid(c, seq) for seq in (1, 2, 3)]
    assert len(set(ids)) == 3, ids
    for seq, e in enumerate(ids, 1):
        assert search(c, "EMAILID " + e) == [seq]
    assert search(c, "EMAILID Mnothere") == []
    assert search(c, "NOT EMAILID " + ids[1]) == [1, 3]
    # RFC 8474 5.2: no threads computed, THREADID NIL; nothing matches
    untagged, tagged = c.command("FETCH 1:3 (UID EMAILID THREADID)")
    assert tagged == ok_reply("FETCH"), tagged
    assert untagged == ["* %d FETCH (UID %d EMAILID (%s) THREADID NIL)"
                        % (n, n, ids[n - 1]) for n in (1, 2, 3)], untagged
    assert search(c, "THREADID T1") == []
    # stable across a reconnect
    c.close()
    c = login(server)
    c.command("SELECT INBOX")
    assert [emailid(c, seq) for seq in (1, 2, 3)] == ids
    # malformed ids: the search parser's errors (test-mailbox-objectid.c)
    got, want = [], []
    for bad, error in (("a.b", "Invalid %s"), ('"a b"', "Invalid %s"),
                       ('""', "Invalid %s"), ("x" * 256, "Invalid %s"),
                       ("(a)", "Missing parameter for %s")):
        for key in ("EMAILID", "THREADID"):
            got.append(c.command("SEARCH %s %s" % (key, bad)))
            want.append(([], "BAD Error in IMAP command SEARCH: " +
                         error % key))
    got.append(c.command("SEARCH EMAILID"))
    want.append(([], "BAD Error in IMAP command SEARCH: "
                 "Missing parameter for EMAILID"))
    assert got == want
    assert search(c, "EMAILID " + "x" * 255) == []
    c.close()


# mbox save dates against Debian's Dovecot 2.3 on the same session: FETCH
# SAVEDATE is NIL (APPENDed, COPYed, after a reconnect) and
# SAVEDATESUPPORTED matches nothing, with an index or INDEX=MEMORY
MBOX_SAVEDATE_SCRIPT = [
    ["CREATE Foo",
     'APPEND Foo "01-Jan-2001 00:00:00 +0000" {%d+}\r\n%s' % (
         len(MSG) - 2, MSG[:-2].decode()),
     "SELECT Foo", "FETCH 1 (SAVEDATE)", "COPY 1 Foo",
     "NOOP", "FETCH 1:* (SAVEDATE)", "SEARCH SAVEDATESUPPORTED",
     "SEARCH NOT SAVEDATESUPPORTED"],
    ["SELECT Foo", "FETCH 1:* (SAVEDATE)", "UID FETCH 2 (SAVEDATE)",
     # no save date: compared as saved now
     "SEARCH SAVEDSINCE 1-Jan-2000", "SEARCH SAVEDBEFORE 1-Jan-2000",
     "SEARCH SAVEDON 1-Jan-2000", "SEARCH SAVEDON " + imap_day(time.time())],
]
# only these commands' replies are compared (SELECT's and COPY's carry
# UIDVALIDITYs, MAILBOXID and modseqs that differ; Dovecot may announce
# the copy in COPY's or in NOOP's reply)
MBOX_SAVEDATE_COMPARED = ("FETCH", "SEARCH", "UID")


def _mbox_savedate_replies(send_sessions):
    out = []
    for n, script in enumerate(MBOX_SAVEDATE_SCRIPT):
        for cmd, untagged, tagged in send_sessions(n, script):
            if cmd.split()[0] in MBOX_SAVEDATE_COMPARED:
                out.append((cmd, untagged,
                            without_timing(tagged).rstrip(".")))
    return out


@pytest.mark.parametrize("index", ["", ":INDEX=MEMORY"])
def test_mbox_savedate_like_dovecot(index):
    import dovecot
    location = "mbox:~/mail:INBOX=~/mail/inbox" + index
    s = Server(users={"demo": "demo"}, messages=0, mail_location=location)
    s.start()
    try:
        prepare_mbox_home(s)

        def ours(n, script):
            c = login(s)
            res = []
            for cmd in script:
                untagged, tagged = c.command(cmd)
                res.append((cmd, untagged, tagged))
            c.close()
            return res
        mine = _mbox_savedate_replies(ours)
        dc = dovecot.PreauthUser(s, "dovecot-savedate", location)
        os.makedirs(os.path.join(dc.home, "mail"), exist_ok=True)
        open(os.path.join(dc.home, "mail", "inbox"), "ab").close()
        dc.chown()

        def theirs(n, script):
            sess = dc.session()
            res = []
            for cmd in script:
                untagged = sess(cmd)
                res.append((cmd, untagged, sess.tagged))
            return res
        try:
            other = _mbox_savedate_replies(theirs)
        finally:
            dc.close()
    finally:
        s.stop()
    assert mine == other
    assert mine == [
        ("FETCH 1 (SAVEDATE)", ["* 1 FETCH (SAVEDATE NIL)"],
         "OK Fetch completed"),
        ("FETCH 1:* (SAVEDATE)",
         ["* 1 FETCH (SAVEDATE NIL)", "* 2 FETCH (SAVEDATE NIL)"],
         "OK Fetch completed"),
        ("SEARCH SAVEDATESUPPORTED", ["* SEARCH"], "OK Search completed"),
        ("SEARCH NOT SAVEDATESUPPORTED", ["* SEARCH 1 2"],
         "OK Search completed"),
        ("FETCH 1:* (SAVEDATE)",
         ["* 1 FETCH (SAVEDATE NIL)", "* 2 FETCH (SAVEDATE NIL)"],
         "OK Fetch completed"),
        ("UID FETCH 2 (SAVEDATE)", ["* 2 FETCH (UID 2 SAVEDATE NIL)"],
         "OK Fetch completed"),
        ("SEARCH SAVEDSINCE 1-Jan-2000", ["* SEARCH 1 2"],
         "OK Search completed"),
        ("SEARCH SAVEDBEFORE 1-Jan-2000", ["* SEARCH"],
         "OK Search completed"),
        ("SEARCH SAVEDON 1-Jan-2000", ["* SEARCH"], "OK Search completed"),
        ("SEARCH SAVEDON " + imap_day(time.time()), ["* SEARCH 1 2"],
         "OK Search completed"),
    ]
