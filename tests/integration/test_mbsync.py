"""mbsync (isync 1.4) against a running server: a private mbsyncrc with a
Channel between the server (far side, plain IMAP on loopback, and once over
IMAPS with the test CA) and a local Maildir tree (near side), Patterns *,
Create Both, Expunge Both, SyncState *. Scenarios: the initial full sync of
INBOX and subfolders (bodies byte-identical apart from CRLF -> LF), flag
changes both ways, a message moved locally between folders, deletions both
ways, a new local message uploaded, and a second sync that changes nothing.
Each asserts the server side (EXAMINE + FETCH over a raw connection) and the
local side (the Maildir file names and their :2,flags and contents), mbsync's
exit status and stderr, and a server log without errors or warnings. The
plain-IMAP runs go through a relay that records the protocol
(test_mutt.RecordingProxy, inflating COMPRESS=DEFLATE, which mbsync uses):
no NO/BAD reply, and exactly the expected changing commands per sync. The
same sync against Debian's Dovecot 2.3 gives the same local tree."""
import imaplib, os, re, shutil, subprocess, tempfile
import pytest
from dlserver import Server
from rawclient import login, select, fetch_bodies, ok_reply
from test_mutt import RecordingProxy

MBSYNC = shutil.which("mbsync")
pytestmark = pytest.mark.skipif(MBSYNC is None, reason="isync (mbsync) not installed")

INBOX = [
    b"From: a@example.com\r\nSubject: first\r\n\r\nbody one\r\n",
    b"From: b@example.com\r\nSubject: second\r\n\r\nbody two\r\nmore lines\r\n",
    b"From: c@example.com\r\nSubject: third\r\n\r\nbody three\r\n",
    b"From: d@example.com\r\nSubject: fourth\r\nX-Long: " + b"x" * 300 +
    b"\r\n\r\n" + b"line of body four\r\n" * 200,
]
# folder -> [(flags, message)] appended after the server starts
SUBFOLDERS = {
    "Other": [("(\\Flagged)", b"Subject: other one\r\n\r\nin other\r\n")],
    "Arch.2024": [("(\\Seen \\Answered)", b"Subject: archived\r\n\r\nold mail\r\n"),
                  ("(\\Seen)", b"Subject: archived 2\r\n\r\nolder mail\r\n")],
    "Empty": [],
}
# server folder -> local directory (SubFolders Verbatim; "." is the separator)
LOCAL_DIR = {"INBOX": "INBOX", "Other": "Other", "Arch.2024": "Arch/2024",
             "Empty": "Empty"}
MAILDIR_FLAGS = {"D": "\\Draft", "F": "\\Flagged", "R": "\\Answered", "S": "\\Seen",
                 "T": "\\Deleted"}
LOCAL_NAME_RE = re.compile(r"^[^,:/]+,U=(\d+)(?::2,([A-Z]*))?$")
# the one warning mbsync always prints for LOGIN without TLS
CLEARTEXT_WARNING = "*** IMAP Warning *** Password is being sent in the clear"


def lf(data):
    return data.replace(b"\r\n", b"\n")


TUID_RE = re.compile(rb"\nX-TUID: [A-Za-z0-9+/]{12}\n\n")


def without_tuid(data, optional=False):
    """A copy mbsync wrote (downloaded to a Maildir or uploaded with APPEND)
    has one X-TUID header (its transaction id) as the last header line:
    the message (LF line ends) without it. optional: None there is fine."""
    data = lf(data)
    head = data.split(b"\n\n", 1)[0] + b"\n\n"
    m = TUID_RE.search(head)
    if optional and b"\nX-TUID: " not in head:
        return data
    assert m and m.end() == len(head), data[:200]
    return data[:m.start()] + b"\n\n" + data[m.end():]


class Env:
    """A server with the messages above, a local Maildir root and an
    mbsyncrc for it."""

    def __init__(self, tls=False, dovecot=False):
        """dovecot: the same users and messages served by Debian's Dovecot
        instead (for a comparison; no server_box() then)."""
        self.tls = tls
        self.srv = Server(users={"demo": "demo"}, messages=INBOX, tls=tls)
        self.dc = None
        if dovecot:
            import dovecot as dovecot_mod
            dovecot_mod.ensure_or_skip()
            self.srv.prepare()
            self.dc = dovecot_mod.ForServer(self.srv)
            self.dc.start_or_skip()
            self.port = self.dc.imap_port
        else:
            self.srv.start()
            self.port = self.srv.imap_port
        c = imaplib.IMAP4("127.0.0.1", self.port)
        c.login("demo", "demo")
        for box, msgs in SUBFOLDERS.items():
            typ, _ = c.create(box)
            assert typ == "OK"
            for flags, data in msgs:
                typ, _ = c.append(box, flags, None, data)
                assert typ == "OK"
        c.logout()
        self.dir = tempfile.mkdtemp(prefix="h-mbsync-")
        self.mail = os.path.join(self.dir, "mail")
        os.makedirs(self.mail)
        self.rc = os.path.join(self.dir, "mbsyncrc")
        if tls:
            account = (f"Host localhost\nPort {self.srv.imaps_port}\nSSLType IMAPS\n"
                       f"SystemCertificates no\n"
                       f"CertificateFile {self.srv.tlsm.ca_cert}\n")
            self.proxy = None
        else:
            # through a relay that records the commands and replies
            self.proxy = RecordingProxy(self.port)
            account = f"Host 127.0.0.1\nPort {self.proxy.port}\nSSLType None\n"
        with open(self.rc, "w") as f:
            f.write(f"""IMAPAccount srv
{account}User demo
Pass demo
AuthMechs LOGIN

IMAPStore remote
Account srv

MaildirStore local
Path {self.mail}/
Inbox {self.mail}/INBOX
SubFolders Verbatim

Channel ch
Far :remote:
Near :local:
Patterns *
Create Both
Expunge Both
SyncState *
""")

    def sync(self):
        """Runs mbsync -a; asserts exit 0 and no error or warning (but the
        clear-text password one without TLS); returns stdout."""
        r = subprocess.run([MBSYNC, "-c", self.rc, "-a"], capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
        lines = r.stderr.splitlines()
        allowed = [] if self.tls else [CLEARTEXT_WARNING]
        bad = [l for l in lines if ("Error" in l or "Warning" in l or "error" in l)
               and l not in allowed]
        assert not bad, r.stderr
        # anything else mbsync says is a Maildir notice
        assert all(l in allowed or l.startswith("Maildir notice: ") or l == ""
                   for l in lines), r.stderr
        self.check_log()
        if self.proxy:
            assert self.proxy.failures() == [], self.proxy.replies()
        return r.stdout

    def check_log(self):
        log = (self.dc or self.srv).log_text()
        bad = [l for l in log.splitlines()
               if re.search(r": (Error|Fatal|Panic|Warning): ", l)]
        assert not bad, "\n".join(bad)

    def server_box(self, box):
        """{body: (uid, flags)} of box on the server (EXAMINE: read-only;
        \\Recent left out), and the EXAMINE counters."""
        c = login(self.srv)
        got = select(c, box, examine=True)
        out = {}
        if got["EXISTS"]:
            for uid, (flags, _, body) in fetch_bodies(c).items():
                assert body not in out, "duplicate message %r" % body
                out[body] = (uid, frozenset(flags.split()) - {"\\Recent"})
        assert c.command("LOGOUT")[1] == ok_reply("LOGOUT")
        c.close()
        return out, got

    def local_box(self, box):
        """{body: (near uid, flags, path)} of a local folder: every file in
        new/ and cur/ named <unique>,U=<uid>:2,<flags>."""
        d = os.path.join(self.mail, LOCAL_DIR.get(box, box))
        out = {}
        for sub in ("new", "cur"):
            for name in sorted(os.listdir(os.path.join(d, sub))):
                m = LOCAL_NAME_RE.match(name)
                assert m, "unexpected local file %s/%s" % (sub, name)
                path = os.path.join(d, sub, name)
                with open(path, "rb") as f:
                    body = f.read()
                assert body not in out, "duplicate local message %r" % body
                # no :2, info only in new/ (a file delivered there)
                assert m.group(2) is not None or sub == "new", name
                out[body] = (int(m.group(1)),
                             frozenset(MAILDIR_FLAGS[c] for c in m.group(2) or ""),
                             path)
        assert os.listdir(os.path.join(d, "tmp")) == []
        return out

    def assert_in_sync(self, box, written_here=()):
        """The local folder holds exactly the server's messages (LF line
        ends; X-TUID in those mbsync wrote, not in written_here) with the
        same flags; returns the server's view and the local one."""
        server, _ = self.server_box(box)
        local = self.local_box(box)
        assert {without_tuid(b, True): f for b, (_, f) in server.items()} == \
            {(b if b in written_here else without_tuid(b)): f
             for b, (_, f, _) in local.items()}
        return server, local

    def find_local(self, box, needle):
        hits = [(b, v) for b, v in self.local_box(box).items() if needle in b]
        assert len(hits) == 1, hits
        return hits[0]

    def imap(self):
        c = imaplib.IMAP4("127.0.0.1", self.port)
        c.login("demo", "demo")
        return c

    def changes_sent(self):
        """The commands of the last sync that change the server."""
        return [l for l in self.proxy.last_commands()
                if l.split(" ")[0] in ("APPEND", "STORE", "EXPUNGE", "COPY", "MOVE",
                                      "CREATE", "DELETE", "RENAME")
                or l.startswith(("UID STORE", "UID EXPUNGE", "UID COPY", "UID MOVE"))]

    def close(self):
        if self.proxy:
            self.proxy.close()
        if self.dc:
            self.dc.cleanup()
            shutil.rmtree(self.srv.dir, ignore_errors=True)
        self.srv.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def env():
    """An Env after its first sync (asserted in test_initial_sync)."""
    e = Env()
    e.sync()
    yield e
    e.close()


def expected_initial():
    """{folder: {body: flags}} as the server starts."""
    want = {"INBOX": {m: frozenset() for m in INBOX}}
    for box, msgs in SUBFOLDERS.items():
        want[box] = {m: frozenset(flags.strip("()").split()) for flags, m in msgs}
    return want


def check_initial(e):
    for box, want in expected_initial().items():
        server, local = e.assert_in_sync(box)
        # the server unchanged (mbsync fetched with BODY.PEEK)
        assert {b: f for b, (_, f) in server.items()} == want, box
        assert sorted(uid for uid, _ in server.values()) == list(range(1, len(want) + 1))
        # near UIDs 1..n too, and nothing else in the local tree
        assert sorted(u for u, _, _ in local.values()) == list(range(1, len(want) + 1))
    dirs = sorted(os.path.relpath(root, e.mail) for root, sub, files in os.walk(e.mail)
                  if "cur" in sub)
    assert dirs == ["Arch/2024", "Empty", "INBOX", "Other"], dirs


def test_initial_sync(env):
    check_initial(env)


def test_initial_sync_imaps():
    e = Env(tls=True)
    try:
        e.sync()
        check_initial(e)
        # mbsync's one login, over TLS (the others are this test's own)
        assert len(re.findall(r"imap-login: Info: Login: user=<demo>, method=PLAIN, "
                              r"rip=127\.0\.0\.1, lip=127\.0\.0\.1, mpid=\d+, TLS, ",
                              e.srv.log_text())) == 1, e.srv.log_text()
    finally:
        e.close()


def test_flags_both_ways(env):
    # locally: message one gets F (and S), moved to cur/ as a MUA does
    body, (nuid, flags, path) = env.find_local("INBOX", b"body one")
    assert flags == frozenset()
    name = os.path.basename(path).rsplit(":2,", 1)[0]
    os.rename(path, os.path.join(env.mail, "INBOX", "cur", name + ":2,FS"))
    # on the server: message two gets \Answered
    c = env.imap()
    c.select("INBOX")
    typ, data = c.uid("STORE", "2", "+FLAGS", "(\\Answered)")
    assert (typ, data) == ("OK", [b"2 (UID 2 FLAGS (\\Answered))"]), data
    c.logout()
    env.sync()
    server, local = env.assert_in_sync("INBOX")
    assert {uid: f for uid, f in server.values()} == {
        1: frozenset({"\\Flagged", "\\Seen"}), 2: frozenset({"\\Answered"}),
        3: frozenset(), 4: frozenset()}
    # the local file names carry the flags, message one kept its near UID
    _, (nuid2, flags2, path2) = env.find_local("INBOX", b"body one")
    assert nuid2 == nuid and path2.endswith(":2,FS") and "/cur/" in path2
    _, (_, _, path3) = env.find_local("INBOX", b"body two")
    assert path3.endswith(",U=%d:2,R" % 2), path3
    assert env.changes_sent() == ["UID STORE 1 +FLAGS.SILENT (\\Flagged \\Seen)"]


def test_move_local(env):
    body, (nuid, flags, path) = env.find_local("INBOX", b"body three")
    # a MUA's move: a new file in the other folder (no ,U=), the old one gone
    base = os.path.basename(path).split(",U=")[0]
    os.rename(path, os.path.join(env.mail, "Other", "cur", base + "-moved:2,S"))
    env.sync()
    server, _ = env.assert_in_sync("INBOX")
    # expunged from the server's INBOX (not only \Deleted)
    assert sorted(uid for uid, _ in server.values()) == [1, 2, 4]
    assert all(f == frozenset() for _, f in server.values())
    other, local = env.assert_in_sync("Other")
    # appended to Other with the same body (CRLF) and its flag
    up = [(b, v) for b, v in other.items() if b"body three" in b]
    assert len(up) == 1 and up[0][1] == (2, frozenset({"\\Seen"})), other
    # uploaded with CRLF and a fresh X-TUID, else the same bytes
    assert up[0][0].count(b"\n") == up[0][0].count(b"\r\n") == INBOX[2].count(b"\n") + 1
    assert without_tuid(up[0][0]) == lf(INBOX[2])
    want = INBOX[2]
    # the local file now has its UID
    assert [u for b, (u, _, _) in local.items() if without_tuid(b) == lf(want)] == [2]
    # \Deleted, expunged by the CLOSE after it (Expunge Both), then APPEND
    assert env.changes_sent() == ["UID STORE 3 +FLAGS.SILENT (\\Deleted)",
                                  'APPEND "Other" (\\Seen) {...}']
    cmds = env.proxy.last_commands()
    assert cmds[cmds.index("UID STORE 3 +FLAGS.SILENT (\\Deleted)") + 1:][:2] == \
        ["CHECK", "CLOSE"], cmds


def test_delete_both_ways(env):
    _, (_, _, path) = env.find_local("INBOX", b"body one")
    os.unlink(path)
    c = env.imap()
    c.select("INBOX")
    typ, data = c.uid("STORE", "4", "+FLAGS.SILENT", "(\\Deleted)")
    assert typ == "OK" and data == [None], data
    typ, data = c.expunge()
    assert typ == "OK" and data == [b"4"], data
    c.logout()
    env.sync()
    server, local = env.assert_in_sync("INBOX")
    assert {uid: f for uid, f in server.values()} == {2: frozenset(), 3: frozenset()}
    assert sorted(without_tuid(b) for b in local) == sorted(lf(m) for m in INBOX[1:3])
    assert env.changes_sent() == ["UID STORE 1 +FLAGS.SILENT (\\Deleted)"]


def test_upload_new_local(env):
    d = os.path.join(env.mail, "INBOX")
    data = b"From: local@example.com\nSubject: written locally\n\nnew local body\n"
    with open(os.path.join(d, "tmp", "1700000000.local1.host"), "wb") as f:
        f.write(data)
    os.rename(os.path.join(d, "tmp", "1700000000.local1.host"),
              os.path.join(d, "new", "1700000000.local1.host"))
    env.sync()
    server, local = env.assert_in_sync("INBOX", written_here=(data,))
    # APPENDed with CRLF line ends as UID 5, no flags
    up = [(b, v) for b, v in server.items() if b"new local body" in b]
    assert len(up) == 1 and up[0][1] == (5, frozenset()), server
    # CRLF line ends and mbsync's X-TUID as the last header line
    assert up[0][0].count(b"\n") == up[0][0].count(b"\r\n") == data.count(b"\n") + 1
    assert without_tuid(up[0][0]) == data
    assert local[data][0] == 5
    # the file stays in new/, renamed to carry its UID
    assert local[data][2] == os.path.join(d, "new", "1700000000.local1.host,U=5")
    assert env.changes_sent() == ['APPEND "INBOX" {...}']


def test_second_sync_changes_nothing(env):
    before = {box: env.server_box(box) for box in LOCAL_DIR}
    files = sorted(os.path.join(r, f) for r, _, fs in os.walk(env.mail) for f in fs)
    states = {p: open(p, "rb").read() for p in files if p.endswith(".mbsyncstate")}
    out = env.sync()
    assert all(l.startswith("Maildir notice: ") for l in out.splitlines()), out
    # only looked: no change sent, no body fetched
    assert env.changes_sent() == []
    assert [l for l in env.proxy.last_commands() if "BODY" in l] == []
    after = {box: env.server_box(box) for box in LOCAL_DIR}
    assert after == before
    assert sorted(os.path.join(r, f) for r, _, fs in os.walk(env.mail) for f in fs) == files
    assert {p: open(p, "rb").read() for p in states} == states
    check_initial(env)


def local_tree(e):
    """{folder: {message without X-TUID: flags}} of the local side."""
    return {box: {without_tuid(b): f for b, (_, f, _) in e.local_box(box).items()}
            for box in LOCAL_DIR}


def test_same_result_as_with_dovecot(env):
    """The same sync and the same local changes against Debian's Dovecot
    2.3 leave the same local tree and send the same changes."""
    d = Env(dovecot=True)
    try:
        d.sync()
        assert local_tree(d) == local_tree(env)
        for e in (env, d):
            _, (_, _, path) = e.find_local("INBOX", b"body one")
            name = os.path.basename(path).rsplit(":2,", 1)[0]
            os.rename(path, os.path.join(e.mail, "INBOX", "cur", name + ":2,FS"))
            _, (_, _, path) = e.find_local("INBOX", b"body two")
            os.unlink(path)
            e.sync()
        assert local_tree(d) == local_tree(env)
        assert d.changes_sent() == env.changes_sent() == [
            "UID STORE 1 +FLAGS.SILENT (\\Flagged \\Seen)",
            "UID STORE 2 +FLAGS.SILENT (\\Deleted)"]
    finally:
        d.close()
