"""Helpers of the tests that run one list of commands over a fixed set of
messages (SEARCH, SORT, THREAD): a server per mail backend with the
messages appended to INBOX, and the same messages on Debian's Dovecot 2.3
for a side-by-side comparison."""
import contextlib
import re

from dlserver import Server
from rawclient import Imap, login, select as raw_select
from test_append_copy import LOCATIONS, prepare_mbox_home, append

# what Dovecot appends to a tagged reply's text
DOVECOT_TIMING_RE = re.compile(r" \([0-9.]+ \+ [0-9.]+ secs\)\.$")


def append_all(c, msgs):
    """APPENDs msgs to INBOX: each a message, (internaldate, message) or
    (flags, internaldate, message)."""
    for m in msgs:
        m = m if isinstance(m, tuple) else (None, m)
        flags, date, data = m if len(m) == 3 else (None,) + m
        _, tagged = append(c, "INBOX", data, flags=flags, date=date)
        assert tagged.startswith("OK "), tagged


def server_conn(kind, msgs):
    """Generator for a module fixture: a server with the kind's mail
    location, msgs in INBOX, a logged-in connection with INBOX selected
    (its RECENT count in c.recent)."""
    s = Server(users={"demo": "demo"}, messages=0,
               mail_location=LOCATIONS[kind])
    s.start()
    if kind == "mbox":
        prepare_mbox_home(s)
    c = login(s)
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
        assert tagged.startswith("OK "), tagged
        append_all(c, msgs)
        untagged, tagged = c.command("SELECT INBOX")
        assert tagged.startswith("OK "), tagged
        assert "* %d EXISTS" % len(msgs) in untagged, untagged
        yield c
        c.close()
    finally:
        dc.cleanup()


def without_timing(tagged):
    return DOVECOT_TIMING_RE.sub("", tagged)
