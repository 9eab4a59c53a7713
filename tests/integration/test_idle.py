"""IDLE woken by file-change notification (inotify), not by polling: the
poll timer (mailbox_idle_check_interval) and the keepalive are set to a
minute, so a change reported within a few seconds can only have come from
the watch. Maildir: an MTA's tmp/ -> new/ delivery, another session's STORE
and EXPUNGE; mbox: an external append under the dotlock, another session's
STORE and EXPUNGE. Each change must give exactly the expected untagged
lines and nothing else. The keepalive still comes every
imap_idle_notify_interval, and DONE ends IDLE with the exact tagged OK.

Waiting is bounded (NOTIFY_DEADLINE), never a sleep; the bound only says
"well before the 60 s poll", it is not a performance assertion."""
import fcntl, os, socket, subprocess, time
import pytest
from dlserver import Server
from rawclient import login as raw_login, ok_reply, select

NOTIFY_DEADLINE = 5     # seconds; the poll timer is 60 s
SLOW_CONF = ("mailbox_idle_check_interval = 60 secs\n"
             "imap_idle_notify_interval = 60 secs\n")
KEEPALIVE = "* OK Still here"
MBOX_MSGS = ["Subject: m%d\n\nbody %d\n" % (i, i) for i in range(1, 4)]


def mbox_text(msgs, start=0):
    return "".join("From sender@example.org  Thu Nov  9 22:33:5%d 2001\n%s\n" % (start + i, m)
                   for i, m in enumerate(msgs))


def login(srv):
    return raw_login(srv, timeout=NOTIFY_DEADLINE)


def idle_start(c):
    c.n += 1
    tag = "t%d" % c.n
    c.send(f"{tag} IDLE\r\n")
    assert c.readline() == "+ idling"
    return tag


def idle_expect(c, expected):
    """The next untagged lines during IDLE are exactly `expected`, all
    within NOTIFY_DEADLINE seconds of the call."""
    start = time.monotonic()
    got = []
    while len(got) < len(expected):
        left = start + NOTIFY_DEADLINE - time.monotonic()
        if left <= 0:
            break
        c.sock.settimeout(left)
        try:
            got.append(c.readline())
        except socket.timeout:
            break
    c.sock.settimeout(NOTIFY_DEADLINE)
    assert got == expected, "IDLE: got %r within %ds, expected %r" % (
        got, NOTIFY_DEADLINE, expected)


def idle_done(c, tag):
    """DONE: the tagged OK comes next, with nothing before it (a change
    reported twice, or a spurious sync reply, would show here)."""
    c.send("DONE\r\n")
    assert c.readline() == tag + " OK Idle completed."


def run(c, cmd, untagged_expected):
    untagged, tagged = c.command(cmd)
    assert (untagged, tagged) == (untagged_expected, ok_reply(cmd)), (cmd, untagged, tagged)


@pytest.fixture
def maildir_srv():
    s = Server(users={"demo": "demo"}, messages=3, extra_conf=SLOW_CONF).start()
    yield s
    s.stop()


@pytest.fixture
def mbox_srv():
    srv = Server(users={"demo": "demo"}, mail_location="mbox:~/mail:INBOX=~/inbox",
                 extra_conf=SLOW_CONF)
    srv.start()
    uid, gid = srv.uids["demo"]
    os.makedirs(os.path.join(srv.home("demo"), "mail"), exist_ok=True)
    with open(os.path.join(srv.home("demo"), "inbox"), "w") as f:
        f.write(mbox_text(MBOX_MSGS))
    subprocess.run(["chown", "-R", f"{uid}:{gid}", srv.home("demo")], check=True)
    yield srv
    srv.stop()


def test_maildir_idle_wakes_on_changes(maildir_srv):
    a, b = login(maildir_srv), login(maildir_srv)
    got = select(a, "INBOX")
    assert (got["EXISTS"], got["RECENT"]) == (3, 2), got
    assert select(b, "INBOX")["EXISTS"] == 3
    run(b, "FETCH 1 (FLAGS)", ["* 1 FETCH (FLAGS (\\Seen))"])
    tag = idle_start(a)

    # (1) a delivery: tmp/ then rename into new/, as an MTA does
    maildir_srv.deliver("demo", b"Subject: new\r\n\r\nnew mail\r\n", "1700000000.M1P1.test")
    idle_expect(a, ["* 4 EXISTS", "* 3 RECENT"])

    # (2) another session's flag change
    run(b, "NOOP", ["* 4 EXISTS", "* 0 RECENT"])
    run(b, "STORE 1 +FLAGS.SILENT (\\Flagged)", [])
    idle_expect(a, ["* 1 FETCH (UID 1 FLAGS (\\Flagged \\Seen))"])

    # (3) another session's expunge (flagged \Deleted first: one change
    # per step, so each step's lines are exact)
    run(b, "STORE 1 +FLAGS.SILENT (\\Deleted)", [])
    idle_expect(a, ["* 1 FETCH (UID 1 FLAGS (\\Flagged \\Deleted \\Seen))"])
    run(b, "EXPUNGE", ["* 1 EXPUNGE"])
    idle_expect(a, ["* 1 EXPUNGE"])

    # (5) DONE: nothing pending, the exact tagged OK
    idle_done(a, tag)
    run(a, "NOOP", [])
    run(a, "FETCH 3 (UID FLAGS)", ["* 3 FETCH (UID 4 FLAGS (\\Recent))"])


def test_maildir_idle_twice_and_close(maildir_srv):
    # a second IDLE on the same mailbox watches afresh; CLOSE after DONE
    # drops the watch cleanly (no leak warning in the log at stop)
    a = login(maildir_srv)
    assert select(a, "INBOX")["EXISTS"] == 3
    tag = idle_start(a)
    idle_done(a, tag)
    tag = idle_start(a)
    maildir_srv.deliver("demo", b"Subject: x\r\n\r\nx\r\n", "1700000001.M2P2.test")
    idle_expect(a, ["* 4 EXISTS", "* 3 RECENT"])
    idle_done(a, tag)
    run(a, "CLOSE", [])
    run(a, "LOGOUT", ["* BYE Logging out"])
    assert "leak" not in maildir_srv.log_text()


def mta_append(path, msgs, start):
    """Append under the dotlock and an fcntl lock, as an MTA does."""
    lock = path + ".lock"
    fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, b"%d:%s" % (os.getpid(), os.uname().nodename.encode()))
    os.close(fd)
    try:
        with open(path, "a") as f:
            fcntl.lockf(f, fcntl.LOCK_EX)
            f.write(mbox_text(msgs, start=start))
            f.flush()
            fcntl.lockf(f, fcntl.LOCK_UN)
    finally:
        os.unlink(lock)


def test_mbox_idle_wakes_on_changes(mbox_srv):
    a = login(mbox_srv)
    got = select(a, "INBOX")
    assert (got["EXISTS"], got["RECENT"]) == (3, 3), got
    b = login(mbox_srv)
    assert select(b, "INBOX")["EXISTS"] == 3
    tag = idle_start(a)

    # (4) an external append to the mbox file
    mta_append(os.path.join(mbox_srv.home("demo"), "inbox"),
               ["Subject: m4\n\nnew mail\n"], 4)
    idle_expect(a, ["* 4 EXISTS", "* 4 RECENT"])

    # \Recent went to a alone (RFC 3501 2.3.2)
    run(b, "NOOP", ["* 4 EXISTS", "* 0 RECENT"])
    run(b, "STORE 1 +FLAGS.SILENT (\\Flagged)", [])
    idle_expect(a, ["* 1 FETCH (UID 1 FLAGS (\\Flagged \\Recent))"])
    run(b, "STORE 1 +FLAGS.SILENT (\\Deleted)", [])
    idle_expect(a, ["* 1 FETCH (UID 1 FLAGS (\\Flagged \\Deleted \\Recent))"])
    run(b, "EXPUNGE", ["* 1 EXPUNGE"])
    # message 1 was \Recent in a: the count drops with it
    idle_expect(a, ["* 1 EXPUNGE", "* 3 RECENT"])
    idle_done(a, tag)
    run(a, "NOOP", [])


def test_keepalive_and_done():
    srv = Server(users={"demo": "demo"}, messages=1,
                 extra_conf="mailbox_idle_check_interval = 60 secs\n"
                            "imap_idle_notify_interval = 1 secs\n").start()
    try:
        a = login(srv)
        assert select(a, "INBOX")["EXISTS"] == 1
        tag = idle_start(a)
        # no change: only keepalives, one per interval
        idle_expect(a, [KEEPALIVE, KEEPALIVE])
        idle_done(a, tag)
        run(a, "NOOP", [])
    finally:
        srv.stop()
