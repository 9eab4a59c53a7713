"""Helpers of the tests that run one list of commands over a fixed set of
messages (SEARCH, SORT, THREAD): a server per mail backend with the
messages appended to INBOX, and the same messages on Debian's Dovecot 2.3
for a side-by-side comparison."""
import contextlib
import re

from dlserver import Server
from rawclient import Imap, LOGGED_IN_RE, login, ok_reply, select as raw_select
from test_append_copy import APPENDUID_RE, LOCATIONS, prepare_mbox_home, append

# what Dovecot appends to a tagged reply's text
DOVECOT_TIMING_RE = re.compile(r" \([0-9.]+( \+ [0-9.]+)* secs\)\.$")


def append_all(c, msgs):
    """APPENDs msgs to INBOX: each a message, (internaldate, message) or
    (flags, internaldate, message)."""
    for m in msgs:
        m = m if isinstance(m, tuple) else (None, m)
        flags, date, data = m if len(m) == 3 else (None,) + m
        _, tagged = append(c, "INBOX", data, flags=flags, date=date)
        # ours, or Dovecot's with its timing instead of the final "."
        assert APPENDUID_RE.match(tagged) or \
            APPENDUID_RE.match(without_timing(tagged) + "."), tagged


def uid_gap(c):
    """One message appended and expunged: the messages after it have
    UIDs one above their sequence numbers (so UID commands show it when
    they answer sequence numbers)."""
    append_all(c, [b"Subject: gap\r\n\r\nexpunged\r\n"])
    got = raw_select(c)
    assert got["EXISTS"] == 1 and got["RECENT"] == 1, got
    assert c.command("STORE 1 +FLAGS.SILENT (\\Deleted)") == (
        [], ok_reply("STORE"))
    # the \Recent count changed: RECENT after the EXPUNGE, as Dovecot
    assert c.command("EXPUNGE") == (["* 1 EXPUNGE", "* 0 RECENT"],
                                    ok_reply("EXPUNGE"))


def server_conn(kind, msgs, gap=False):
    """Generator for a module fixture: a server with the kind's mail
    location, msgs in INBOX (after uid_gap() with gap), a logged-in
    connection with INBOX selected (its RECENT count in c.recent)."""
    s = Server(users={"demo": "demo"}, messages=0,
               mail_location=LOCATIONS[kind])
    s.start()
    if kind == "mbox":
        prepare_mbox_home(s)
    c = login(s)
    if gap:
        uid_gap(c)
    append_all(c, msgs)
    got = raw_select(c)
    assert got["EXISTS"] == len(msgs), got
    c.recent = got["RECENT"]
    try:
        yield c
    finally:
        c.close()
        s.stop()


@contextlib.contextmanager
def dovecot_session(msgs):
    """A connection to Debian's Dovecot (skips where it can't run) with
    msgs in INBOX and INBOX selected."""
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
        append_all(c, msgs)
        untagged, tagged = c.command("SELECT INBOX")
        assert without_timing(tagged) == \
            "OK [READ-WRITE] Select completed", tagged
        assert "* %d EXISTS" % len(msgs) in untagged, untagged
        yield c
        c.close()
    finally:
        dc.cleanup()


def without_timing(tagged):
    return DOVECOT_TIMING_RE.sub("", tagged)


def fetch_uids(c):
    """The UIDs of the selected mailbox in sequence order."""
    untagged, tagged = c.command("FETCH 1:* (UID)")
    assert tagged == ok_reply("FETCH"), tagged
    assert all(line == "* %d FETCH (UID %s)" % (n + 1, line.split()[-1][:-1])
               for n, line in enumerate(untagged)), untagged
    return [int(line.split()[-1][:-1]) for line in untagged]
