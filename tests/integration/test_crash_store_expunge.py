"""A worker killed with SIGKILL in the middle of STORE 1:* (flags and a
keyword) or of EXPUNGE, on Maildir and mbox (issue 4, crash safety):
afterwards every message is whole and byte-identical under the same UID,
UIDs are unique, each message carries either its old flags or the old
ones plus the new keyword (nothing else), and an EXPUNGE removed
only \\Deleted messages.

The kills come after delays that double (0, 1, 2, 4 ... ms) until one
lands after the command finished, so some land in its middle; nothing is
asserted about time (a kill before or after the command checks the
same)."""
import time

from rawclient import login, ok_reply, fetch_bodies, select as raw_select
# srv is a fixture (Maildir and mbox), used by name below
from test_append_copy import APPENDUID_RE, srv, msg, kill_worker  # noqa: F401

COUNT = 1500
# seconds: 0, then 1 ms doubling up to this
MAX_DELAY = 0.256


def delays():
    yield 0.0
    delay = 0.001
    while delay <= MAX_DELAY:
        yield delay
        delay *= 2



def snapshot(srv):
    """{uid: (flag set without \\Recent, body)} from a fresh session."""
    c = login(srv)
    n = raw_select(c, "INBOX")["EXISTS"]
    got = fetch_bodies(c) if n else {}
    c.command("LOGOUT")
    assert len(got) == n
    return {uid: (set(flags.split()) - {"\\Recent"}, body)
            for uid, (flags, _date, body) in got.items()}


def fill(srv, count):
    """count messages in INBOX with one MULTIAPPEND of non-synchronizing
    literals."""
    c = login(srv)
    cmd = b"f APPEND INBOX"
    for i in range(count):
        data = msg(1000 + i, 300)
        cmd += b" {%d+}\r\n" % len(data) + data
    c.send(cmd + b"\r\n")
    untagged, tagged = c.read_response("f")
    assert untagged == [] and APPENDUID_RE.match(tagged), tagged
    c.command("LOGOUT")


def send_and_kill(srv, command, delay):
    """A session with INBOX selected sends command, and is killed after
    delay seconds."""
    c = login(srv)
    raw_select(c, "INBOX")
    c.send(command.encode() + b"\r\n")
    time.sleep(delay)
    kill_worker(srv)
    assert c.is_closed()


def test_kill_during_store(srv):
    fill(srv, COUNT)
    before = snapshot(srv)
    for i, delay in enumerate(delays()):
        # a keyword of its own per round: every message has to change
        keyword = "$Crash%d" % i
        send_and_kill(srv, "k STORE 1:* +FLAGS (%s)" % keyword, delay)
        after = snapshot(srv)
        done = 0
        assert sorted(after) == sorted(before), "UIDs changed"
        for uid, (flags, body) in after.items():
            old_flags, old_body = before[uid]
            assert body == old_body, uid
            new_flags = old_flags | {keyword}
            assert flags in (old_flags, new_flags), (uid, flags, old_flags)
            done += flags == new_flags
        before = after
        if done == len(after):
            break       # the kill came after the whole STORE
    # a complete STORE after the kills still works and sticks
    c = login(srv)
    raw_select(c, "INBOX")
    untagged, tagged = c.command("STORE 1:* +FLAGS.SILENT (\\Flagged)")
    assert tagged == ok_reply("STORE"), tagged
    assert untagged == [], untagged
    c.command("LOGOUT")
    after = snapshot(srv)
    assert sorted(after) == sorted(before)
    assert all(flags == before[uid][0] | {"\\Flagged"}
               for uid, (flags, _) in after.items())


def test_kill_during_expunge(srv):
    fill(srv, COUNT)
    for delay in delays():
        before = snapshot(srv)
        uids = sorted(before)
        # \Deleted on every third message, committed by a finished session
        c = login(srv)
        raw_select(c, "INBOX")
        # (with those a killed EXPUNGE left)
        deleted = set(uids[::3]) | {u for u in uids if "\\Deleted" in before[u][0]}
        untagged, tagged = c.command(
            "UID STORE %s +FLAGS.SILENT (\\Deleted)" %
            ",".join(str(u) for u in sorted(deleted)))
        assert tagged == ok_reply("STORE"), tagged
        c.command("LOGOUT")
        send_and_kill(srv, "k EXPUNGE", delay)
        after = snapshot(srv)
        # everything not \Deleted is there, whole, under its UID
        assert set(uids) - deleted <= set(after), "lost a message"
        assert set(after) <= set(uids), "new UIDs appeared"
        for uid, (flags, body) in after.items():
            assert body == before[uid][1], uid
            assert ("\\Deleted" in flags) == (uid in deleted), (uid, flags)
        if not deleted & set(after):
            break       # the kill came after the whole EXPUNGE
    # a finished EXPUNGE removes what is left to remove
    c = login(srv)
    raw_select(c, "INBOX")
    untagged, tagged = c.command("EXPUNGE")
    assert tagged == ok_reply("EXPUNGE"), tagged
    c.command("LOGOUT")
    assert all("\\Deleted" not in flags for flags, _ in snapshot(srv).values())
