"""RFC 3501 2.3.2 \\Recent when a mailbox is opened only to save into it or
to count it: session B has INBOX selected, session A APPENDs into it,
COPYs and MOVEs into it and asks STATUS (MESSAGES RECENT) about it; none of
that takes \\Recent, so B's next NOOP reports every new message as \\Recent
(`* n EXISTS`, `* n RECENT`, FETCH FLAGS). An APPEND into the mailbox the
session itself has selected is \\Recent for that session. On Maildir and
on mbox; the same script against Debian's Dovecot 2.3 (its imap binary in
PREAUTH mode, as the mail user) gives the same untagged lines.

Every untagged line is matched exactly, and every tagged one (APPENDUID
and COPYUID with the UIDVALIDITY SELECT gave; Dovecot's " (<timing>
secs)." and our final "." are stripped before comparing)."""
import os, re, subprocess
import pytest
from dlserver import Server
import dovecot
from rawclient import login as raw_login, create_ok

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


TIMING_RE = re.compile(r" \(\d+\.\d+ \+ \d+\.\d+( \+ \d+\.\d+)? secs\)\.$")


def no_timing(tagged):
    """A tagged reply without Dovecot's timing or our final '.'."""
    tagged = TIMING_RE.sub("", tagged)
    return tagged[:-1] if tagged.endswith(".") else tagged


class OursSession:
    """A session on our server: returns a command's untagged lines and
    keeps its tagged reply (no_timing()) in self.tagged."""

    def __init__(self, srv):
        self.c = raw_login(srv, timeout=15)
        self.tagged = None

    def __call__(self, cmd):
        untagged, self.raw_tagged = self.c.command(cmd)
        self.tagged = no_timing(self.raw_tagged)
        return untagged

    def close(self):
        self.c.close()


class DovecotSession(dovecot.PreauthSession):
    """Dovecot's session with its tagged replies through no_timing()."""

    def __call__(self, cmd):
        untagged = super().__call__(cmd)
        self.tagged = no_timing(self.tagged)
        return untagged


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
        self.fmt = fmt
        prepare_home(srv, srv.home("demo"), fmt)
        self.sessions = []

    def session(self):
        s = OursSession(self.srv)
        self.sessions.append(s)
        return s

    def close(self):
        for s in self.sessions:
            s.close()


class Dovecot(dovecot.PreauthUser):
    """The same layout in a home of its own, served by Dovecot."""
    dovecot = True
    session_class = DovecotSession

    def __init__(self, srv, fmt):
        super().__init__(srv, "dovecot-targets", LOCATIONS[fmt])
        self.fmt = fmt
        prepare_home(srv, self.home, fmt)
        self.chown()


@pytest.fixture(params=sorted(LOCATIONS))
def srv(request):
    s = Server(users={"demo": "demo"}, messages=0,
               mail_location=LOCATIONS[request.param])
    s.start()
    s.fmt = request.param
    yield s
    s.stop()


def run(s, cmd, tagged):
    """cmd's untagged lines; asserts its exact tagged reply (no_timing())."""
    untagged = s(cmd)
    assert s.tagged == tagged, (cmd, untagged, s.tagged)
    return untagged


def uidvalidity(untagged):
    """The UIDVALIDITY of a SELECT's untagged lines (exactly one)."""
    found = [int(m.group(1)) for m in
             (re.match(r"^\* OK \[UIDVALIDITY (\d+)\] UIDs valid$", l)
              for l in untagged) if m]
    assert len(found) == 1, untagged
    return found[0]


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


def list_inbox(b):
    """LIST "" INBOX's line (no CHILDREN asked for: no attributes). The
    hierarchy separator: ours is "." on both backends; Dovecot's, with no
    namespace configured, is its storage's (mbox "/", Maildir ".")."""
    sep = "/" if b.dovecot and b.fmt == "mbox" else "."
    return '* LIST () "%s" INBOX' % sep


def list_status(b, a):
    """The STATUS lines of LIST "" INBOX RETURN (STATUS (MESSAGES RECENT)),
    after the exact LIST line."""
    untagged = run(a, 'LIST "" INBOX RETURN (STATUS (MESSAGES RECENT))',
                   "OK List completed")
    assert len(untagged) == 2 and untagged[0] == list_inbox(b), (
        b.dovecot, untagged)
    return untagged[1:]


def append(s, box, i, uidvalidity, uid, flags=""):
    """APPEND; asserts no untagged lines and the exact APPENDUID (when
    uidvalidity is None, returns the tagged reply to check later)."""
    untagged = s(append_cmd(box, i, flags))
    if uidvalidity is None:
        return untagged
    assert s.tagged == "OK [APPENDUID %d %d] Append completed" % (
        uidvalidity, uid), (box, untagged, s.tagged)
    return untagged


def script(b):
    a = b.session()
    untagged = a("CREATE Src")
    assert untagged == [], untagged
    if b.dovecot:
        assert a.tagged == "OK Create completed", a.tagged
    else:
        create_ok(a.c, "Src", a.raw_tagged)
    src_appends = []
    for i in (1, 2, 3):
        assert append(a, "Src", i, None, i) == []
        src_appends.append(a.tagged)
    sb = b.session()
    untagged = run(sb, "SELECT INBOX", "OK [READ-WRITE] Select completed")
    assert counts(untagged) == ["* 0 EXISTS", "* 0 RECENT"]
    v_inbox = uidvalidity(untagged)

    # APPEND by another session: \Recent stays for the selecting one
    assert append(a, "INBOX", 10, v_inbox, 1) == []
    assert run(a, "STATUS INBOX (MESSAGES RECENT)",
               "OK Status completed") == status(1, 1)
    assert run(sb, "NOOP", "OK NOOP completed") == new_mail(b, 1, 1, 0)
    assert run(sb, "FETCH 1 (FLAGS)", "OK Fetch completed") == flags(
        [(1, "\\Recent")])
    assert run(a, "STATUS INBOX (MESSAGES RECENT)",
               "OK Status completed") == status(1, 0)

    # COPY and MOVE into B's mailbox
    untagged = run(a, "SELECT Src", "OK [READ-WRITE] Select completed")
    assert counts(untagged) == ["* 3 EXISTS", "* 3 RECENT"]
    v_src = uidvalidity(untagged)
    assert src_appends == ["OK [APPENDUID %d %d] Append completed"
                           % (v_src, uid) for uid in (1, 2, 3)]
    assert run(a, "COPY 1 INBOX", "OK [COPYUID %d 1 2] Copy completed"
               % v_inbox) == []
    assert run(a, "STATUS INBOX (MESSAGES RECENT)",
               "OK Status completed") == status(2, 1)
    assert run(sb, "NOOP", "OK NOOP completed") == new_mail(b, 2, 2, 1)
    # the changed RECENT count follows the EXPUNGE, as Dovecot sends it
    # (RFC 3501 7.3.2 asks for it only when the mailbox grows)
    assert run(a, "MOVE 2 INBOX", "OK Move completed") == [
        "* OK [COPYUID %d 2 3] Moved UIDs." % v_inbox, "* 2 EXPUNGE",
        "* 2 RECENT"]
    assert run(a, "STATUS INBOX (MESSAGES RECENT)",
               "OK Status completed") == status(3, 1)
    assert run(sb, "NOOP", "OK NOOP completed") == new_mail(b, 3, 3, 2)
    assert run(sb, "FETCH 1:* (FLAGS)", "OK Fetch completed") == flags(
        [(1, "\\Recent"), (2, "\\Recent"), (3, "\\Recent")])
    # taking \Recent (new/ -> cur/ on Maildir) changes no modseq
    # (RFC 7162), also not at later syncs; seen from an EXAMINE session
    # (its first MODSEQ fetch enables CONDSTORE: HIGHESTMODSEQ first)
    sd = b.session()
    assert counts(run(sd, "EXAMINE INBOX",
                      "OK [READ-ONLY] Examine completed")) == [
        "* 3 EXISTS", "* 0 RECENT"]
    modseqs = run(sd, "FETCH 1:* (MODSEQ)", "OK Fetch completed")
    assert len(modseqs) == 4 and modseqs[0].startswith(
        "* OK [HIGHESTMODSEQ "), modseqs
    assert run(sb, "NOOP", "OK NOOP completed") == []
    assert run(sb, "NOOP", "OK NOOP completed") == []
    assert run(sd, "NOOP", "OK NOOP completed") == []
    assert run(sd, "FETCH 1:* (MODSEQ)", "OK Fetch completed") == \
        modseqs[1:]

    # with flags, and LIST-STATUS (RFC 5819) counts without taking
    assert append(a, "INBOX", 12, v_inbox, 4, "\\Seen \\Flagged") == []
    assert list_status(b, a) == status(4, 1)
    assert run(sb, "NOOP", "OK NOOP completed") == new_mail(b, 4, 4, 3)
    assert run(sb, "FETCH 4 (FLAGS)", "OK Fetch completed") == flags(
        [(4, "\\Flagged \\Seen \\Recent")])

    # a second selecting session sees them without \Recent
    sc = b.session()
    assert counts(run(sc, "SELECT INBOX",
                      "OK [READ-WRITE] Select completed")) == [
        "* 4 EXISTS", "* 0 RECENT"]
    assert run(sc, "FETCH 1:3 (FLAGS)", "OK Fetch completed") == flags(
        [(1, ""), (2, ""), (3, "")])

    # APPEND into the mailbox the session itself has selected
    assert append(sb, "INBOX", 11, v_inbox, 5) == new_mail(b, 5, 5, 4)
    assert run(sb, "FETCH 5 (FLAGS)", "OK Fetch completed") == flags(
        [(5, "\\Recent")])
    assert run(sc, "NOOP", "OK NOOP completed") == new_mail(b, 5, 0, 0)
    assert run(sc, "FETCH 5 (FLAGS)", "OK Fetch completed") == flags(
        [(5, "")])
    assert run(a, "STATUS INBOX (MESSAGES RECENT)",
               "OK Status completed") == status(5, 0)


@pytest.mark.parametrize("kind", ["ours", "dovecot"])
def test_save_targets_leave_recent(srv, kind):
    b = (Ours if kind == "ours" else Dovecot)(srv, srv.fmt)
    try:
        script(b)
    finally:
        b.close()
