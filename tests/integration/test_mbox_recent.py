"""RFC 3501 2.3.2 \\Recent on an mbox INBOX with two sessions open at once:
exactly one session (the first to SELECT) shows a message as \\Recent, in
`* n RECENT` and in FETCH FLAGS, also before anything has been written back
into the file; mail an MTA appends while both are selected goes to the
session that syncs first; EXAMINE shows \\Recent without taking it. The
same scripts run against Debian's Dovecot 2.3 on an mbox location (its imap
binary in PREAUTH mode) give the same untagged lines.

Every untagged line is matched exactly."""
import fcntl, os, subprocess
import pytest
from dlserver import Server
import dovecot
from rawclient import login as raw_login, ok_reply

FROM = "From sender@example.org  Thu Nov  9 22:33:5%d 2001\n"
# m1 is old (Status: O), m2..m4 are as an MTA delivers them
MSGS = ["Subject: m1\nStatus: O\n\nbody 1\n",
        "Subject: m2\n\nbody 2\n", "Subject: m3\n\nbody 3\n",
        "Subject: m4\n\nbody 4\n"]


def mbox_text(msgs, start=0):
    return "".join(FROM % (start + i) + m + "\n" for i, m in enumerate(msgs))


def mta_append(path, msg, n):
    """Append one message under the dotlock and an fcntl lock, as an MTA."""
    lock = path + ".lock"
    fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, b"%d:%s" % (os.getpid(), os.uname().nodename.encode()))
    os.close(fd)
    try:
        with open(path, "a") as f:
            fcntl.lockf(f, fcntl.LOCK_EX)
            f.write(mbox_text([msg], start=n))
            f.flush()
            fcntl.lockf(f, fcntl.LOCK_UN)
    finally:
        os.unlink(lock)


class Ours:
    """Sessions on our server; untagged lines of each command, tagged
    reply asserted to be our exact OK."""

    def __init__(self, srv):
        self.srv = srv
        self.inbox = os.path.join(srv.home("demo"), "inbox")

    def session(self):
        c = raw_login(self.srv, timeout=15)

        def command(cmd):
            untagged, tagged = c.command(cmd)
            assert tagged == ok_reply(cmd), (cmd, untagged, tagged)
            return untagged
        return command


class Dovecot(dovecot.PreauthUser):
    """The same mbox layout in a home of its own, served by Dovecot; its
    sessions assert an OK tagged reply, like Ours'."""

    def __init__(self, srv):
        super().__init__(srv, "dovecot-recent", "mbox:~/mail:INBOX=~/inbox")
        os.makedirs(os.path.join(self.home, "mail"), exist_ok=True)
        self.inbox = os.path.join(self.home, "inbox")

    def session(self):
        s = super().session()

        def command(cmd):
            untagged = s(cmd)
            assert s.tagged.startswith("OK"), (cmd, untagged, s.tagged)
            return untagged
        return command


@pytest.fixture
def srv():
    s = Server(users={"demo": "demo"}, mail_location="mbox:~/mail:INBOX=~/inbox")
    s.start()
    os.makedirs(os.path.join(s.home("demo"), "mail"), exist_ok=True)
    yield s
    s.stop()


def backend(kind, srv):
    """(backend, cleanup) with the INBOX file written (MSGS)."""
    if kind == "ours":
        b = Ours(srv)
        home = srv.home("demo")
    else:
        b = Dovecot(srv)
        home = b.dir
    with open(b.inbox, "w") as f:
        f.write(mbox_text(MSGS))
    uid, gid = srv.uids["demo"]
    subprocess.run(["chown", "-R", f"{uid}:{gid}", home], check=True)
    return b


def counts(untagged):
    """The EXISTS and RECENT lines of a SELECT/EXAMINE, in order."""
    return [l for l in untagged if l.endswith((" EXISTS", " RECENT"))]


def flags(seq_flags):
    """Expected FETCH 1:* (FLAGS) lines for [(seq, "flags"), ...]."""
    return ["* %d FETCH (FLAGS (%s))" % sf for sf in seq_flags]


def new_mail(b, exists, recent, old_recent):
    """The untagged lines of a NOOP that brings new mail: EXISTS, then
    RECENT. Dovecot sends RECENT only when the count changed; our
    imap-sync sends it with every EXISTS (both valid, RFC 3501 7.3.2)."""
    if isinstance(b, Dovecot) and recent == old_recent:
        return ["* %d EXISTS" % exists]
    return ["* %d EXISTS" % exists, "* %d RECENT" % recent]


def script_two_selects(b):
    a = b.session()
    assert counts(a("SELECT INBOX")) == ["* 4 EXISTS", "* 3 RECENT"]
    s2 = b.session()
    # before anything is written back: none for the second session
    assert counts(s2("SELECT INBOX")) == ["* 4 EXISTS", "* 0 RECENT"]
    assert a("FETCH 1:* (FLAGS)") == flags(
        [(1, ""), (2, "\\Recent"), (3, "\\Recent"), (4, "\\Recent")])
    assert s2("FETCH 1:* (FLAGS)") == flags([(1, ""), (2, ""), (3, ""), (4, "")])

    # a delivery while both are selected: the first to sync takes it
    mta_append(b.inbox, "Subject: m5\n\nbody 5\n", 5)
    assert s2("NOOP") == new_mail(b, 5, 1, 0)
    assert a("NOOP") == new_mail(b, 5, 3, 3)
    assert s2("FETCH 5 (FLAGS)") == flags([(5, "\\Recent")])
    assert a("FETCH 5 (FLAGS)") == flags([(5, "")])

    # and the other way round
    mta_append(b.inbox, "Subject: m6\n\nbody 6\n", 6)
    assert a("NOOP") == new_mail(b, 6, 4, 3)
    assert s2("NOOP") == new_mail(b, 6, 1, 1)
    assert a("FETCH 6 (FLAGS)") == flags([(6, "\\Recent")])
    assert s2("FETCH 6 (FLAGS)") == flags([(6, "")])
    assert a("NOOP") == [] and s2("NOOP") == []

    # a later session: everything taken
    s3 = b.session()
    assert counts(s3("SELECT INBOX")) == ["* 6 EXISTS", "* 0 RECENT"]


def script_examine(b):
    e = b.session()
    assert counts(e("EXAMINE INBOX")) == ["* 4 EXISTS", "* 3 RECENT"]
    assert e("FETCH 1:* (FLAGS)") == flags(
        [(1, ""), (2, "\\Recent"), (3, "\\Recent"), (4, "\\Recent")])
    # EXAMINE took nothing: the first SELECT still gets them
    a = b.session()
    assert counts(a("SELECT INBOX")) == ["* 4 EXISTS", "* 3 RECENT"]
    s2 = b.session()
    assert counts(s2("SELECT INBOX")) == ["* 4 EXISTS", "* 0 RECENT"]
    # a delivery that the EXAMINE session syncs first: shown, not taken
    mta_append(b.inbox, "Subject: m5\n\nbody 5\n", 5)
    assert e("NOOP") == new_mail(b, 5, 4, 3)
    assert s2("NOOP") == new_mail(b, 5, 1, 0)
    assert a("NOOP") == new_mail(b, 5, 3, 3)
    assert e("FETCH 5 (FLAGS)") == flags([(5, "\\Recent")])
    assert s2("FETCH 5 (FLAGS)") == flags([(5, "\\Recent")])
    assert a("FETCH 5 (FLAGS)") == flags([(5, "")])


SCRIPTS = {"two_selects": script_two_selects, "examine": script_examine}


@pytest.mark.parametrize("kind", ["ours", "dovecot"])
@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_recent_one_session(srv, kind, script):
    b = backend(kind, srv)
    try:
        SCRIPTS[script](b)
    finally:
        if kind == "dovecot":
            b.close()


def test_idle_delivery_recent_once(srv):
    """An IDLE session takes a delivery; the other one's NOOP has it
    without \\Recent."""
    b = backend("ours", srv)
    a, s2 = b.session(), b.session()
    assert counts(a("SELECT INBOX")) == ["* 4 EXISTS", "* 3 RECENT"]
    assert counts(s2("SELECT INBOX")) == ["* 4 EXISTS", "* 0 RECENT"]
    c = raw_login(srv, timeout=15)
    assert counts(c.command("SELECT INBOX")[0]) == ["* 4 EXISTS", "* 0 RECENT"]
    c.send("i1 IDLE\r\n")
    assert c.readline() == "+ idling"
    mta_append(b.inbox, "Subject: m5\n\nbody 5\n", 5)
    assert [c.readline(), c.readline()] == ["* 5 EXISTS", "* 1 RECENT"]
    c.send("DONE\r\n")
    assert c.readline() == "i1 OK Idle completed."
    assert c.command("FETCH 5 (FLAGS)") == (flags([(5, "\\Recent")]),
                                            ok_reply("FETCH"))
    assert a("NOOP") == ["* 5 EXISTS", "* 3 RECENT"]
    assert s2("NOOP") == ["* 5 EXISTS", "* 0 RECENT"]
    assert a("FETCH 5 (FLAGS)") == flags([(5, "")])
