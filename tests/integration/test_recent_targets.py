"""RFC 3501 2.3.2 \\Recent when a mailbox is opened only to save into it or
to count it: session B has INBOX selected, session A APPENDs into it,
COPYs and MOVEs into it and asks STATUS (MESSAGES RECENT) about it; none of
that takes \\Recent, so B's next NOOP reports every new message as \\Recent
(`* n EXISTS`, `* n RECENT`, FETCH FLAGS). An APPEND into the mailbox the
session itself has selected is \\Recent for that session. On Maildir and
on mbox; the same script against Debian's Dovecot 2.3 (its imap binary in
PREAUTH mode, as the mail user) gives the same untagged lines.

Every untagged line is matched exactly."""
import os, subprocess
import pytest
from dlserver import Server
from rawclient import login as raw_login

DOVECOT_IMAP = "/usr/lib/dovecot/imap"
LOCATIONS = {
    "maildir": "maildir:~/Maildir",
    "mbox": "mbox:~/mail:INBOX=~/mail/inbox",
}


def msg(i):
    return ("From: a%d@example.org\r\nSubject: m%d\r\n\r\nbody %d\r\n"
            % (i, i, i))


def append_cmd(box, i, flags=""):
    """APPEND with a non-synchronizing literal (RFC 7888): one line."""
    m = msg(i)
    fl = "(%s) " % flags if flags else ""
    return "APPEND %s %s{%d+}\r\n%s" % (box, fl, len(m), m)


class OursSession:
    """A session on our server; the tagged reply must be OK."""

    def __init__(self, srv):
        self.c = raw_login(srv, timeout=15)

    def __call__(self, cmd):
        untagged, tagged = self.c.command(cmd)
        assert tagged.startswith("OK "), (cmd, untagged, tagged)
        return untagged

    def close(self):
        self.c.close()


class DovecotSession:
    """Dovecot's imap binary in PREAUTH mode as the mail user."""

    def __init__(self, argv):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE)
        greeting = self.proc.stdout.readline()
        assert greeting.startswith(b"* PREAUTH"), greeting
        self.n = 0

    def __call__(self, cmd):
        self.n += 1
        tag = b"d%d " % self.n
        self.proc.stdin.write(tag + cmd.encode() + b"\r\n")
        self.proc.stdin.flush()
        untagged = []
        while True:
            line = self.proc.stdout.readline()
            assert line.endswith(b"\r\n"), (cmd, untagged, line)
            if line.startswith(tag):
                assert line[len(tag):].startswith(b"OK"), (cmd, untagged, line)
                return untagged
            untagged.append(line[:-2].decode())

    def close(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def prepare_home(srv, home, fmt):
    """The empty layout both servers start from: an empty mbox INBOX file
    under ~/mail, or nothing for Maildir (created on first use)."""
    if fmt == "mbox":
        os.makedirs(os.path.join(home, "mail"), exist_ok=True)
        open(os.path.join(home, "mail", "inbox"), "ab").close()
    uid, gid = srv.uids["demo"]
    subprocess.run(["chown", "-R", f"{uid}:{gid}", home], check=True)


class Ours:
    dovecot = False

    def __init__(self, srv, fmt):
        self.srv = srv
        prepare_home(srv, srv.home("demo"), fmt)
        self.sessions = []

    def session(self):
        s = OursSession(self.srv)
        self.sessions.append(s)
        return s

    def close(self):
        for s in self.sessions:
            s.close()


class Dovecot:
    """The same layout in a home of its own, served by Dovecot."""
    dovecot = True

    def __init__(self, srv, fmt):
        if not os.path.exists(DOVECOT_IMAP):
            pytest.skip("Dovecot not installed")
        self.uid, self.gid = srv.uids["demo"]
        self.dir = os.path.join(srv.dir, "dovecot-targets")
        self.home = os.path.join(self.dir, "home")
        for sub in ("run", "state", "home"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        self.conf = os.path.join(self.dir, "dovecot.conf")
        with open(self.conf, "w") as f:
            f.write(f"""base_dir = {self.dir}/run
state_dir = {self.dir}/state
log_path = {self.dir}/dovecot.log
mail_location = {LOCATIONS[fmt]}
first_valid_uid = 1
passdb {{
  driver = static
  args = nopassword=y
}}
userdb {{
  driver = static
  args = uid={self.uid} gid={self.gid} home={self.home}
}}
protocols =
ssl = no
""")
        prepare_home(srv, self.home, fmt)
        subprocess.run(["chown", "-R", f"{self.uid}:{self.gid}", self.dir],
                       check=True)
        self.sessions = []

    def session(self):
        s = DovecotSession(["setpriv", f"--reuid={self.uid}",
                            f"--regid={self.gid}", "--clear-groups",
                            "env", "-i", "USER=demo", "HOME=" + self.home,
                            DOVECOT_IMAP, "-c", self.conf])
        self.sessions.append(s)
        return s

    def close(self):
        for s in self.sessions:
            s.close()


@pytest.fixture(params=sorted(LOCATIONS))
def srv(request):
    s = Server(users={"demo": "demo"}, messages=0,
               mail_location=LOCATIONS[request.param])
    s.start()
    s.fmt = request.param
    yield s
    s.stop()


def counts(untagged):
    """The EXISTS and RECENT lines, in order."""
    return [l for l in untagged if l.endswith((" EXISTS", " RECENT"))]


def new_mail(b, exists, recent, old_recent):
    """The lines announcing new mail: EXISTS, then RECENT. Dovecot sends
    RECENT only when the count changed; our imap-sync sends it with every
    EXISTS (both valid, RFC 3501 7.3.2)."""
    if b.dovecot and recent == old_recent:
        return ["* %d EXISTS" % exists]
    return ["* %d EXISTS" % exists, "* %d RECENT" % recent]


def flags(seq_flags):
    return ["* %d FETCH (FLAGS (%s))" % sf for sf in seq_flags]


def status(n, recent):
    return ["* STATUS INBOX (MESSAGES %d RECENT %d)" % (n, recent)]


def list_status(a):
    """The STATUS lines of LIST "" INBOX RETURN (STATUS (MESSAGES RECENT))
    (the LIST line itself is checked elsewhere)."""
    untagged = a('LIST "" INBOX RETURN (STATUS (MESSAGES RECENT))')
    assert len(untagged) == 2 and untagged[0].startswith("* LIST ("), untagged
    return untagged[1:]


def script(b):
    a = b.session()
    a("CREATE Src")
    for i in (1, 2, 3):
        assert a(append_cmd("Src", i)) == []
    sb = b.session()
    assert counts(sb("SELECT INBOX")) == ["* 0 EXISTS", "* 0 RECENT"]

    # APPEND by another session: \Recent stays for the selecting one
    assert a(append_cmd("INBOX", 10)) == []
    assert a("STATUS INBOX (MESSAGES RECENT)") == status(1, 1)
    assert sb("NOOP") == new_mail(b, 1, 1, 0)
    assert sb("FETCH 1 (FLAGS)") == flags([(1, "\\Recent")])
    assert a("STATUS INBOX (MESSAGES RECENT)") == status(1, 0)

    # COPY and MOVE into B's mailbox
    assert counts(a("SELECT Src")) == ["* 3 EXISTS", "* 3 RECENT"]
    a("COPY 1 INBOX")
    assert a("STATUS INBOX (MESSAGES RECENT)") == status(2, 1)
    assert sb("NOOP") == new_mail(b, 2, 2, 1)
    a("MOVE 2 INBOX")
    assert a("STATUS INBOX (MESSAGES RECENT)") == status(3, 1)
    assert sb("NOOP") == new_mail(b, 3, 3, 2)
    assert sb("FETCH 1:* (FLAGS)") == flags(
        [(1, "\\Recent"), (2, "\\Recent"), (3, "\\Recent")])
    # taking \Recent (new/ -> cur/ on Maildir) changes no modseq
    # (RFC 7162), also not at later syncs; seen from an EXAMINE session
    # (its first MODSEQ fetch enables CONDSTORE: HIGHESTMODSEQ first)
    sd = b.session()
    assert counts(sd("EXAMINE INBOX")) == ["* 3 EXISTS", "* 0 RECENT"]
    modseqs = sd("FETCH 1:* (MODSEQ)")
    assert len(modseqs) == 4 and modseqs[0].startswith(
        "* OK [HIGHESTMODSEQ "), modseqs
    assert sb("NOOP") == [] and sb("NOOP") == []
    assert sd("NOOP") == []
    assert sd("FETCH 1:* (MODSEQ)") == modseqs[1:]

    # with flags, and LIST-STATUS (RFC 5819) counts without taking
    assert a(append_cmd("INBOX", 12, "\\Seen \\Flagged")) == []
    assert list_status(a) == status(4, 1)
    assert sb("NOOP") == new_mail(b, 4, 4, 3)
    assert sb("FETCH 4 (FLAGS)") == flags([(4, "\\Flagged \\Seen \\Recent")])

    # a second selecting session sees them without \Recent
    sc = b.session()
    assert counts(sc("SELECT INBOX")) == ["* 4 EXISTS", "* 0 RECENT"]
    assert sc("FETCH 1:3 (FLAGS)") == flags([(1, ""), (2, ""), (3, "")])

    # APPEND into the mailbox the session itself has selected
    assert sb(append_cmd("INBOX", 11)) == new_mail(b, 5, 5, 4)
    assert sb("FETCH 5 (FLAGS)") == flags([(5, "\\Recent")])
    assert sc("NOOP") == new_mail(b, 5, 0, 0)
    assert sc("FETCH 5 (FLAGS)") == flags([(5, "")])
    assert a("STATUS INBOX (MESSAGES RECENT)") == status(5, 0)


@pytest.mark.parametrize("kind", ["ours", "dovecot"])
def test_save_targets_leave_recent(srv, kind):
    b = (Ours if kind == "ours" else Dovecot)(srv, srv.fmt)
    try:
        script(b)
    finally:
        b.close()
