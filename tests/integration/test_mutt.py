"""mutt 2.2 against a running server, driven without a human: a private
muttrc (folder and spoolfile on the server's plain IMAP port on loopback,
no header cache, no prompts) and the keys pushed with -e 'push ...', under
a pseudo-terminal (mutt insists on one). Each scenario runs mutt once on a
fresh server and asserts mutt's exit status, the server's mailboxes
afterwards (exact UIDs, flags and bodies through a raw connection) and a
server log without errors or warnings: reading a message (\\Seen), flagging
one (\\Flagged), tagging by a server-side body search (=b, which mutt sends
as UID SEARCH) and deleting the tagged messages with a sync (EXPUNGE), and
saving a message to another folder (COPY, then the original expunged)."""
import fcntl, os, re, select as select_mod, shutil, socket, struct, subprocess, tempfile
import termios, threading, time, zlib
import pytest
from dlserver import Server, free_port
from rawclient import login, select, fetch_bodies, ok_reply, create_ok

MUTT = shutil.which("mutt")
pytestmark = pytest.mark.skipif(MUTT is None, reason="mutt not installed")

MSGS = [
    b"From: a@example.com\r\nTo: demo@example.com\r\nSubject: first apple\r\n"
    b"Date: Mon, 01 Jan 2024 10:00:00 +0000\r\nMessage-ID: <m1@example.com>\r\n"
    b"\r\nI like banana bread.\r\n",
    b"From: b@example.com\r\nTo: demo@example.com\r\nSubject: second pear\r\n"
    b"Date: Mon, 01 Jan 2024 11:00:00 +0000\r\nMessage-ID: <m2@example.com>\r\n"
    b"\r\nnothing yellow here\r\n",
    b"From: c@example.com\r\nTo: demo@example.com\r\nSubject: third plum\r\n"
    b"Date: Mon, 01 Jan 2024 12:00:00 +0000\r\nMessage-ID: <m3@example.com>\r\n"
    b"\r\nsome text\r\nBANANA split\r\n",
    b"From: d@example.com\r\nTo: demo@example.com\r\nSubject: fourth banana\r\n"
    b"Date: Mon, 01 Jan 2024 13:00:00 +0000\r\nMessage-ID: <m4@example.com>\r\n"
    b"\r\nonly the subject has the fruit\r\n",
]


class RecordingProxy:
    """A loopback TCP relay in front of the server's IMAP port that keeps
    what each side sent (client commands, server replies), so a test can
    assert which commands a client program used and that none of them got
    a NO or BAD."""

    def __init__(self, target_port):
        self.target = target_port
        self.port = free_port()
        self.lsock = socket.socket()
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", self.port))
        self.lsock.listen(8)
        self.sessions = []        # [client bytes, server bytes] per connection
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                c, _ = self.lsock.accept()
            except OSError:
                return
            s = socket.create_connection(("127.0.0.1", self.target))
            rec = [bytearray(), bytearray()]
            with self.lock:
                self.sessions.append(rec)
            for a, b, buf in ((c, s, rec[0]), (s, c, rec[1])):
                threading.Thread(target=self._pump, args=(a, b, buf), daemon=True).start()

    def _pump(self, src, dst, buf):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                with self.lock:
                    buf += data
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.lsock.close()

    @staticmethod
    def lines(data):
        """The protocol lines of one direction, each literal's bytes left
        out (so message text never passes for a command or a reply)."""
        out, pos = [], 0
        data = bytes(data)
        cur = b""
        while pos < len(data):
            end = data.find(b"\r\n", pos)
            if end < 0:
                break
            line = data[pos:end]
            pos = end + 2
            m = re.search(rb"\{(\d+)\+?\}$", line)
            if m:
                cur += line[:m.start()] + b"{...}"
                pos += int(m.group(1))
                continue
            out.append((cur + line).decode("utf-8", "replace"))
            cur = b""
        return out

    @staticmethod
    def decoded(rec):
        """(client bytes, server bytes) of a session, inflated after a
        COMPRESS DEFLATE (RFC 4978: raw deflate both ways once the
        server's tagged OK has been sent)."""
        cli, srv = bytes(rec[0]), bytes(rec[1])
        m = re.search(rb"(?:^|\r\n)(\S+) COMPRESS DEFLATE\r\n", cli)
        if not m:
            return cli, srv
        ok = re.search(rb"\r\n" + re.escape(m.group(1)) + rb" OK[^\r]*\r\n", srv)
        assert ok, srv[-500:]
        inflate = lambda b: zlib.decompressobj(-15).decompress(b)
        return (cli[:m.end()] + inflate(cli[m.end():]),
                srv[:ok.end()] + inflate(srv[ok.end():]))

    def _all(self, side):
        with self.lock:
            recs = [self.decoded(rec) for rec in self.sessions]
        return [l for rec in recs for l in self.lines(rec[side])]

    def commands(self):
        return self._all(0)

    def last_commands(self):
        """The commands of the newest connection, tags left out."""
        with self.lock:
            rec = self.decoded(self.sessions[-1])
        return [l.split(" ", 1)[1] for l in self.lines(rec[0])]

    def replies(self):
        return self._all(1)

    def failures(self):
        """Tagged NO/BAD replies, and untagged BAD."""
        return [l for l in self.replies()
                if re.match(r"^(\* BAD|[^*+ ]\S* (NO|BAD))( |$)", l)]


class Env:
    """A server with MSGS in INBOX (UIDs 1-4, no flags) and an empty
    folder Other; a muttrc for it in a private directory."""

    def __init__(self):
        self.srv = Server(users={"demo": "demo"}, messages=MSGS).start()
        c = login(self.srv)
        untagged, tagged = c.command("CREATE Other")
        assert untagged == [], untagged
        create_ok(c, "Other", tagged)
        assert c.command("LOGOUT")[1] == ok_reply("LOGOUT")
        c.close()
        self.dir = tempfile.mkdtemp(prefix="h-mutt-")
        self.rc = os.path.join(self.dir, "muttrc")
        self.proxy = RecordingProxy(self.srv.imap_port)
        url = "imap://demo@127.0.0.1:%d/" % self.proxy.port
        with open(self.rc, "w") as f:
            f.write(f"""set imap_user=demo
set imap_pass=demo
set folder="{url}"
set spoolfile="=INBOX"
set record=""
set postponed=""
set imap_check_subscribed=no
set imap_passive=yes
set ssl_starttls=no
set ssl_force_tls=no
set header_cache=""
set message_cachedir=""
set confirmappend=no
set confirmcreate=no
set delete=yes
set move=no
set quit=yes
set wait_key=no
set beep=no
set mark_old=no
set sort=mailbox-order
set mail_check=0
set timeout=0
set tmpdir="{self.dir}"
""")

    def mutt(self, keys):
        """Runs mutt with keys pushed (ending in <quit>) under a pty;
        returns (exit status, the screen bytes it wrote)."""
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        env = dict(os.environ, TERM="vt100", HOME=self.dir, LANG="C.UTF-8",
                   MAIL="", MAILCHECK="")
        p = subprocess.Popen([MUTT, "-n", "-F", self.rc, "-e", 'push "%s"' % keys],
                             stdin=slave, stdout=slave, stderr=slave, env=env,
                             close_fds=True, start_new_session=True, cwd=self.dir)
        os.close(slave)
        out = b""
        deadline = time.time() + 60
        try:
            while time.time() < deadline:
                r, _, _ = select_mod.select([master], [], [], 0.2)
                if r:
                    try:
                        chunk = os.read(master, 65536)
                    except OSError:      # EIO: the slave side is closed
                        chunk = b""
                    if not chunk and p.poll() is not None:
                        break
                    out += chunk
                elif p.poll() is not None:
                    break
            else:
                p.kill()
                p.wait()
                raise AssertionError("mutt did not finish:\n%r" % out[-3000:])
        finally:
            os.close(master)
        return p.wait(), out

    def box(self, box):
        """{uid: (flags, body)} of box on the server (EXAMINE; \\Recent
        left out)."""
        c = login(self.srv)
        got = select(c, box, examine=True)
        out = {}
        if got["EXISTS"]:
            out = {uid: (frozenset(f.split()) - {"\\Recent"}, body)
                   for uid, (f, _, body) in fetch_bodies(c).items()}
        assert c.command("LOGOUT")[1] == ok_reply("LOGOUT")
        c.close()
        return out

    def check_log(self):
        bad = [l for l in self.srv.log_text().splitlines()
               if re.search(r": (Error|Fatal|Panic|Warning): ", l)]
        assert not bad, "\n".join(bad)

    def close(self):
        self.proxy.close()
        self.srv.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def env():
    e = Env()
    yield e
    e.close()


def run_ok(env, keys):
    rc, screen = env.mutt(keys)
    assert rc == 0, (rc, screen[-3000:])
    # mutt's own error messages appear on the status line
    assert b"rror" not in screen and b"failed" not in screen, screen[-3000:]
    env.check_log()
    assert env.proxy.failures() == [], env.proxy.replies()
    return screen


def uid_commands(env, verb):
    """mutt's "UID <verb> ..." commands, tag left out."""
    return [l.split(" ", 1)[1] for l in env.proxy.commands()
            if l.split(" ")[1:3] == ["UID", verb]]


def test_recording_proxy_reads_replies_strictly():
    """The relay's parser: literal bytes never count as lines, tagged NO
    and BAD and untagged BAD do, and COMPRESS DEFLATE streams are
    inflated."""
    srv = (b"* OK ready\r\n* 1 FETCH (BODY[] {12}\r\na1 NO fake\r\n)\r\n"
           b"a1 OK done\r\n* BAD [PARSE] x\r\n1 BAD Error\r\n")
    assert RecordingProxy.lines(srv) == [
        "* OK ready", "* 1 FETCH (BODY[] {...})", "a1 OK done", "* BAD [PARSE] x",
        "1 BAD Error"]
    rec = [bytearray(b"1 LOGIN a b\r\n2 COMPRESS DEFLATE\r\n"),
           bytearray(b"* OK hi\r\n1 OK in\r\n2 OK DEFLATE active\r\n")]
    c = zlib.compressobj(wbits=-15)
    rec[0] += c.compress(b"3 NOOP\r\n") + c.flush(zlib.Z_SYNC_FLUSH)
    c = zlib.compressobj(wbits=-15)
    rec[1] += c.compress(b"3 NO [x] y\r\n") + c.flush(zlib.Z_SYNC_FLUSH)
    cli, srv2 = RecordingProxy.decoded(rec)
    assert RecordingProxy.lines(cli) == ["1 LOGIN a b", "2 COMPRESS DEFLATE", "3 NOOP"]
    assert RecordingProxy.lines(srv2)[-1] == "3 NO [x] y"
    p = RecordingProxy.__new__(RecordingProxy)
    p.lock, p.sessions = threading.Lock(), [rec, [bytearray(), bytearray(srv)]]
    assert p.failures() == ["3 NO [x] y", "* BAD [PARSE] x", "1 BAD Error"]
    assert p.last_commands() == []


def inbox_untouched(flags=None):
    flags = flags or {}
    return {n + 1: (frozenset(flags.get(n + 1, ())), m) for n, m in enumerate(MSGS)}


def test_open_and_quit_changes_nothing(env):
    run_ok(env, "<quit>")
    assert env.box("INBOX") == inbox_untouched()
    assert env.box("Other") == {}


def test_read_and_flag(env):
    # read "second" in the pager (-> \Seen), flag "fourth" (-> \Flagged)
    run_ok(env, "<search>~s second<enter><display-message><exit>"
                "<search>~s fourth<enter><flag-message><quit>")
    assert env.box("INBOX") == inbox_untouched({2: {"\\Seen"}, 4: {"\\Flagged"}})
    # the body fetched with PEEK, the flags set by mutt when it closes
    assert uid_commands(env, "FETCH") == ["UID FETCH 2 BODY.PEEK[]"], env.proxy.commands()
    assert sorted(uid_commands(env, "STORE")) == [
        "UID STORE 2 +FLAGS.SILENT (\\Seen)", "UID STORE 4 +FLAGS.SILENT (\\Flagged)"], \
        env.proxy.commands()


def test_tag_by_body_search_delete_and_sync(env):
    # =b: a server-side body search (UID SEARCH BODY banana); the case-
    # insensitive substring matches 1 and 3, not 4 (only its subject)
    run_ok(env, "<tag-pattern>=b banana<enter><tag-prefix><delete-message>"
                "<sync-mailbox><quit>")
    want = inbox_untouched()
    del want[1], want[3]
    assert env.box("INBOX") == want
    # the search ran on the server, the deletion as one STORE
    assert uid_commands(env, "SEARCH") == ['UID SEARCH BODY "banana"'], env.proxy.commands()
    assert uid_commands(env, "STORE") == ["UID STORE 1,3 +FLAGS.SILENT (\\Deleted)"], \
        env.proxy.commands()
    # <sync-mailbox>: EXPUNGE right after the STORE
    cmds = env.proxy.last_commands()
    assert cmds[cmds.index("UID STORE 1,3 +FLAGS.SILENT (\\Deleted)") + 1] == "EXPUNGE", cmds


def test_save_to_other_folder(env):
    run_ok(env, "<search>~s third<enter><save-message>=Other<enter><quit>")
    want = inbox_untouched()
    del want[3]
    assert env.box("INBOX") == want
    assert env.box("Other") == {1: (frozenset(), MSGS[2])}
    assert uid_commands(env, "COPY") + uid_commands(env, "MOVE") == \
        ['UID COPY 3 "Other"'], env.proxy.commands()
    # the original marked \Deleted, expunged by the CLOSE when mutt quits
    assert uid_commands(env, "STORE") == ["UID STORE 3 +FLAGS.SILENT (\\Deleted)"]
    assert env.proxy.last_commands()[-2:] == ["CLOSE", "LOGOUT"]
