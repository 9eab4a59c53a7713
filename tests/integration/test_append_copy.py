"""APPEND (RFC 3501 6.3.11, MULTIAPPEND RFC 3502, LITERAL+ RFC 7888,
APPENDUID RFC 4315), COPY and MOVE (RFC 6851, COPYUID) against a running
server, on Maildir and mbox: exact tagged replies and response codes, the
saved bytes fetched back byte-exactly, a second session seeing the new
messages and a MOVE's expunges; a worker killed with SIGKILL in the middle
of APPEND/COPY/MOVE leaves every committed message intact with unique UIDs;
a full file system gives NO [OVERQUOTA] and an intact mailbox.

Nothing here is timed; kills happen at points chosen by the bytes sent."""
import os, re, signal, subprocess, tempfile, time
import pytest
from dlserver import Server, MODE
from rawclient import ok_reply, login, fetch_bodies, server_date, select as raw_select

APPENDUID_RE = re.compile(r"^OK \[APPENDUID (\d+) ([0-9:,]+)\] Append completed\.$")
COPYUID_RE = re.compile(r"^OK \[COPYUID (\d+) ([0-9:,]+) ([0-9:,]+)\] Copy completed\.$")
MOVED_RE = re.compile(r"^\* OK \[COPYUID (\d+) ([0-9:,]+) ([0-9:,]+)\] Moved UIDs\.$")
LOCATIONS = {
    "maildir": "maildir:~/Maildir",
    "mbox": "mbox:~/mail:INBOX=~/mail/inbox",
}


def msg(i, size=0):
    body = b"".join(b"line %d of message %d\r\n" % (n, i) for n in range(max(1, size // 24)))
    return (b"From: a%d@example.org\r\nTo: demo@example.com\r\nSubject: append %d\r\n"
            b"Message-ID: <ap%d@example.org>\r\n\r\n" % (i, i, i)) + body


def uid_set(s):
    """An RFC 4315 uid-set as a list in its order."""
    out = []
    for part in s.split(","):
        a, _, b = part.partition(":")
        out.extend(range(int(a), int(b or a) + 1))
    return out


def prepare_mbox_home(srv):
    """The mbox layout: ~/mail/inbox (empty) and ~/mail/Archive."""
    for user in srv.users:
        home = srv.home(user)
        os.makedirs(os.path.join(home, "mail"), exist_ok=True)
        for name in ("inbox", "Archive"):
            open(os.path.join(home, "mail", name), "ab").close()
        uid, gid = srv.uids[user]
        subprocess.run(["chown", "-R", f"{uid}:{gid}", os.path.join(home, "mail")],
                       check=True)


def prepare_maildir_folder(srv, user, name):
    """A Maildir++ folder .<name> (as another client's CREATE leaves it)."""
    base = os.path.join(srv.maildir(user), "." + name)
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(base, sub), exist_ok=True)
    open(os.path.join(base, "maildirfolder"), "ab").close()
    uid, gid = srv.uids[user]
    subprocess.run(["chown", "-R", f"{uid}:{gid}", base], check=True)


@pytest.fixture(params=sorted(LOCATIONS))
def srv(request):
    kind = request.param
    s = Server(users={"demo": "demo"}, messages=0 if kind == "mbox" else 3,
               mail_location=LOCATIONS[kind])
    s.start()
    # files are read when a mailbox is opened, so they may come after start
    if kind == "mbox":
        prepare_mbox_home(s)
    else:
        prepare_maildir_folder(s, "demo", "Archive")
    s.kind = kind
    yield s
    s.stop()


def append(c, box, data, flags=None, date=None, nonsync=False):
    """One APPEND; returns (untagged lines, tagged reply)."""
    c.n += 1
    tag = "t%d" % c.n
    args = box
    if flags is not None:
        args += " (%s)" % flags
    if date is not None:
        args += ' "%s"' % date
    c.send(("%s APPEND %s {%d%s}\r\n" % (tag, args, len(data), "+" if nonsync else "")).encode())
    if not nonsync:
        line = c.readline()
        if not line.startswith("+ "):
            assert line.startswith(tag + " "), line
            return [], line[len(tag) + 1:]
        assert line == "+ OK", line
    c.send(data + b"\r\n")
    return c.read_response(tag)


def select(c, box, exists):
    """SELECT box (exact replies, EXISTS == exists); returns UIDVALIDITY."""
    got = raw_select(c, box)
    assert got["EXISTS"] == exists, got
    return got["UIDVALIDITY"]


def existing_count(srv):
    return 0 if srv.kind == "mbox" else 3


# -- APPEND -------------------------------------------------------------------
def test_append_flags_date_and_fetch_back(srv):
    c = login(srv)
    data = msg(1, 4000)
    untagged, tagged = append(c, "INBOX", data, flags="\\Seen \\Flagged",
                              date="17-Jul-1996 02:44:25 -0700")
    m = APPENDUID_RE.match(tagged)
    assert m and untagged == [], (untagged, tagged)
    uid = int(m.group(2))
    uidv = select(c, "INBOX", existing_count(srv) + 1)
    assert int(m.group(1)) == uidv
    got = fetch_bodies(c)
    flags, date, body = got[uid]
    # the first SELECT after the APPEND takes \Recent (RFC 3501 2.3.2)
    assert set(flags.split()) == {"\\Seen", "\\Flagged", "\\Recent"}
    # 17-Jul-1996 02:44:25 -0700 is epoch 837596665
    assert date == server_date(837596665), date
    assert body == data
    untagged, tagged = c.command("UID FETCH %d (RFC822.SIZE)" % uid)
    assert untagged == ["* %d FETCH (UID %d RFC822.SIZE %d)"
                        % (existing_count(srv) + 1, uid, len(data))], untagged


def test_multiappend_literal_plus_and_second_session(srv):
    c, other = login(srv), login(srv)
    before = existing_count(srv)
    select(other, "INBOX", before)
    datas = [msg(i, 300 * i) for i in range(2, 5)]
    c.n += 1
    tag = "t%d" % c.n
    wire = ("%s APPEND INBOX" % tag).encode()
    for i, d in enumerate(datas):
        wire += b" (\\Draft) {%d+}\r\n" % len(d) if i == 1 else b" {%d+}\r\n" % len(d)
        wire += d
    c.send(wire + b"\r\n")
    untagged, tagged = c.read_response(tag)
    m = APPENDUID_RE.match(tagged)
    assert m and untagged == [], (untagged, tagged)
    uids = uid_set(m.group(2))
    assert len(uids) == 3 and uids == list(range(uids[0], uids[0] + 3)), uids
    # the other session learns of them at its next sync point
    untagged, tagged = other.command("NOOP")
    assert tagged == ok_reply("NOOP")
    assert "* %d EXISTS" % (before + 3) in untagged, untagged
    got = fetch_bodies(other)
    assert [got[u][2] for u in uids] == datas
    # \Recent for the session that has INBOX selected (as Dovecot)
    assert got[uids[1]][0] == "\\Draft \\Recent"


def test_append_to_selected_mailbox_reports_exists(srv):
    c = login(srv)
    before = existing_count(srv)
    select(c, "INBOX", before)
    untagged, tagged = append(c, "inbox", msg(9))
    assert APPENDUID_RE.match(tagged), tagged
    assert untagged[0] == "* %d EXISTS" % (before + 1), untagged


def test_append_errors(srv):
    c = login(srv)
    # a synchronizing literal to a missing mailbox: NO before "+ OK", and
    # the connection goes on with the next command
    untagged, tagged = append(c, "Nope", msg(1))
    assert tagged == "NO [TRYCREATE] Mailbox doesn't exist: Nope", tagged
    untagged, tagged = c.command("NOOP")
    assert tagged == ok_reply("NOOP"), tagged
    # LITERAL+: the data is read past, then the reply
    untagged, tagged = append(c, "Nope", msg(2, 5000), nonsync=True)
    assert tagged == "NO [TRYCREATE] Mailbox doesn't exist: Nope", tagged
    untagged, tagged = c.command("NOOP")
    assert tagged == ok_reply("NOOP"), tagged
    untagged, tagged = append(c, "INBOX", msg(3), flags="\\Bogus")
    assert tagged == "BAD Error in IMAP command APPEND: Invalid system flag \\Bogus", tagged
    untagged, tagged = append(c, "INBOX", msg(3), date="31-Feb-2020 00:00:00 +0000")
    assert tagged == "BAD Error in IMAP command APPEND: Invalid internal date.", tagged
    untagged, tagged = c.command("APPEND INBOX")
    assert tagged == "BAD Error in IMAP command APPEND: Invalid arguments.", tagged
    untagged, tagged = append(c, "INBOX", b"")
    assert tagged == "NO Can't save a zero byte message.", tagged
    # none of these saved anything
    select(c, "INBOX", existing_count(srv))


def test_append_large_message_streams(srv):
    c = login(srv)
    data = msg(7, 6 * 1024 * 1024)
    untagged, tagged = append(c, "INBOX", data, nonsync=True)
    m = APPENDUID_RE.match(tagged)
    assert m, tagged
    select(c, "INBOX", existing_count(srv) + 1)
    untagged, tagged = c.command_bytes("UID FETCH %s (RFC822.SIZE BODY.PEEK[])" % m.group(2))
    assert tagged == ok_reply("FETCH"), tagged
    head = b"* %d FETCH (UID %s RFC822.SIZE %d BODY[] {%d}\r\n" % (
        existing_count(srv) + 1, m.group(2).encode(), len(data), len(data))
    assert untagged == head + data + b")\r\n"


# -- COPY / MOVE ----------------------------------------------------------------
def fill(c, srv, n):
    """Appends n messages to INBOX so both backends start alike."""
    for i in range(n):
        _, tagged = append(c, "INBOX", msg(100 + i, 500))
        assert APPENDUID_RE.match(tagged), tagged
    return existing_count(srv) + n


def test_copy_and_copyuid(srv):
    c = login(srv)
    total = fill(c, srv, 2)
    select(c, "INBOX", total)
    src = fetch_bodies(c)
    untagged, tagged = c.command("COPY 1:2 Archive")
    m = COPYUID_RE.match(tagged)
    assert m and untagged == [], (untagged, tagged)
    src_uids, dest_uids = uid_set(m.group(2)), uid_set(m.group(3))
    assert src_uids == sorted(src)[:2] and len(dest_uids) == 2
    untagged, tagged = c.command("UID COPY 999999 Archive")
    assert tagged == "OK No messages found.", tagged
    untagged, tagged = c.command("COPY 1 Nope")
    assert tagged == "NO [TRYCREATE] Mailbox doesn't exist: Nope", tagged
    untagged, tagged = c.command("COPY 1:%d Archive" % (total + 1))
    assert tagged == "BAD Error in IMAP command COPY: Invalid messageset", tagged
    select(c, "Archive", 2)
    got = fetch_bodies(c)
    for s, d in zip(src_uids, dest_uids):
        # the copies are new in Archive: \Recent to this first session
        assert got[d][2] == src[s][2]
        assert "\\Recent" in got[d][0].split(), got[d][0]
        assert (set(got[d][0].split()) - {"\\Recent"} ==
                set(src[s][0].split()) - {"\\Recent"})
    if srv.kind == "maildir":
        # a hard link, not a copy of the bytes
        cur = os.path.join(srv.maildir("demo"), ".Archive", "cur")
        new = os.path.join(srv.maildir("demo"), ".Archive", "new")
        names = [os.path.join(d, f) for d in (cur, new) for f in os.listdir(d)]
        assert len(names) == 2 and all(os.stat(p).st_nlink == 2 for p in names), names


def test_move_expunges_and_other_session_sees_it(srv):
    c, other = login(srv), login(srv)
    total = fill(c, srv, 3)
    got = raw_select(c, "INBOX")
    assert got["EXISTS"] == total, got
    recent = got["RECENT"]
    select(other, "INBOX", total)
    src = fetch_bodies(c)
    untagged, tagged = c.command("UID MOVE %d:%d Archive" % (sorted(src)[1], sorted(src)[2]))
    assert tagged == "OK Move completed.", tagged
    m = MOVED_RE.match(untagged[0])
    assert m, untagged
    assert uid_set(m.group(2)) == sorted(src)[1:3]
    # RFC 6851 / 3501 7.4.1: each EXPUNGE relative to the previous state;
    # then, as Dovecot, the \Recent count the moved (recent) messages
    # lowered
    assert untagged[1:] == ["* 3 EXPUNGE", "* 2 EXPUNGE",
                            "* %d RECENT" % (recent - 2)], untagged
    untagged, tagged = other.command("NOOP")
    assert tagged == ok_reply("NOOP")
    assert [l for l in untagged if l.endswith("EXPUNGE")] == ["* 3 EXPUNGE", "* 2 EXPUNGE"], untagged
    select(other, "Archive", 2)
    got = fetch_bodies(other)
    assert sorted(b for _, _, b in got.values()) == \
        sorted(src[u][2] for u in sorted(src)[1:3])
    untagged, tagged = c.command("EXAMINE INBOX")
    untagged, tagged = c.command("MOVE 1 Archive")
    assert tagged == "NO [READ-ONLY] Mailbox is read-only.", tagged


# -- crash safety -------------------------------------------------------------------
def kill_worker(srv):
    """SIGKILL to the one imap worker of the test user."""
    pid = worker_pid(srv)
    srv.expected_log_errors.append("service(imap): child %d killed with signal 9" % pid)
    os.kill(pid, signal.SIGKILL)


def worker_pid(srv):
    """The one imap worker of the test user."""
    deadline = time.time() + 10
    while time.time() < deadline:
        pids = srv.worker_pids("dovecot-like/imap [demo")
        if len(pids) == 1:
            return pids[0]
        time.sleep(0.05)
    raise AssertionError("no single imap worker: %r" % pids)


def check_mailbox(srv, box, min_count, max_count, bodies=None):
    """A fresh session: count within bounds, unique UIDs, every message
    whole (one of the known bodies when given)."""
    c = login(srv)
    n = raw_select(c, box)["EXISTS"]
    assert min_count <= n <= max_count, (n, min_count, max_count)
    if n:
        got = fetch_bodies(c)
        assert len(got) == n, "duplicate UIDs"
        if bodies is not None:
            for flags, date, body in got.values():
                assert body in bodies, body[:200]
    c.command("LOGOUT")
    return n


def test_kill_during_append_keeps_mailbox_intact(srv):
    c = login(srv)
    before = fill(c, srv, 2)
    bodies = set(fetch_all_bodies(srv, "INBOX"))
    big = msg(55, 2 * 1024 * 1024)
    c.send(b"k1 APPEND INBOX {%d+}\r\n" % len(big))
    c.send(big[:len(big) // 2])
    kill_worker(srv)
    assert c.is_closed()
    check_mailbox(srv, "INBOX", before, before, bodies)
    # a MULTIAPPEND killed between its messages commits nothing
    c = login(srv)
    c.send(b"k2 APPEND INBOX {%d+}\r\n%s {%d+}\r\n" % (len(big), big, len(big)))
    c.send(big[:1000])
    kill_worker(srv)
    assert c.is_closed()
    check_mailbox(srv, "INBOX", before, before, bodies)


def fetch_all_bodies(srv, box):
    c = login(srv)
    n = raw_select(c, box, examine=True)["EXISTS"]
    out = [b for _, _, b in fetch_bodies(c).values()] if n else []
    c.command("LOGOUT")
    return out


@pytest.mark.parametrize("verb", ["COPY", "MOVE"])
def test_kill_during_copy_or_move_loses_nothing(srv, verb):
    c = login(srv)
    total = fill(c, srv, 40)
    bodies = set(fetch_all_bodies(srv, "INBOX"))
    archived = 0
    for delay in (0.0, 0.002, 0.01, 0.03):
        c = login(srv)
        select(c, "INBOX", check_mailbox(srv, "INBOX", 0, total) if verb == "MOVE" else total)
        c.send(("k %s 1:* Archive\r\n" % verb).encode())
        time.sleep(delay)        # the kill lands somewhere in the command
        kill_worker(srv)
        assert c.is_closed()
        try:
            in_inbox = fetch_all_bodies(srv, "INBOX")
            in_archive = fetch_all_bodies(srv, "Archive")
        except (TimeoutError, OSError) as e:
            # what the server was waiting for is in its log
            raise AssertionError("after a kill: %r\n%s" % (e, srv.log_text())) from e
        assert set(in_inbox) <= bodies and set(in_archive) <= bodies
        # no message lost: a MOVE's original goes only after its copy exists
        assert set(in_inbox) | set(in_archive) == bodies
        assert len(in_archive) >= archived
        archived = len(in_archive)
        try:
            check_mailbox(srv, "Archive", archived, archived, bodies)
        except (TimeoutError, OSError) as e:
            raise AssertionError("after a kill: %r\n%s" % (e, srv.log_text())) from e


# -- full disk ----------------------------------------------------------------------
def test_full_disk_gives_overquota_and_intact_mailbox():
    if MODE != "privileged" or os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mnt = tempfile.mkdtemp(prefix="dl-full-")
    os.chmod(mnt, 0o755)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs", mnt]).returncode:
        pytest.skip("cannot mount tmpfs here")
    try:
        srv = Server(users={"demo": "demo"}, messages=3,
                     mail_location="maildir:%s/%%u" % mnt)
        srv.start()
        try:
            md = os.path.join(mnt, "demo")
            subprocess.run(["cp", "-a", srv.maildir("demo"), md], check=True)
            uid, gid = srv.uids["demo"]
            subprocess.run(["chown", "-R", f"{uid}:{gid}", md], check=True)
            c = login(srv)
            untagged, tagged = append(c, "INBOX", msg(1, 2 * 1024 * 1024), nonsync=True)
            assert tagged == "NO [OVERQUOTA] Not enough disk space", tagged
            assert os.listdir(os.path.join(md, "tmp")) == []
            untagged, tagged = append(c, "INBOX", msg(2))
            assert APPENDUID_RE.match(tagged), tagged
            select(c, "INBOX", 4)
            # the worker logs the cause; the log process writes it a
            # moment later
            assert srv.wait_log("failed: No space left on device"), srv.log_text()
        finally:
            srv.stop(check_log=False)
    finally:
        subprocess.run(["umount", mnt])
        os.rmdir(mnt)


def test_quota_mail_size_appendlimit_and_toobig():
    srv = Server(users={"demo": "demo"}, messages=1, extra_conf="quota_mail_size = 10k\n")
    srv.start()
    try:
        c = login(srv)
        untagged, tagged = c.command("CAPABILITY")
        caps = untagged[0].split()
        assert caps[:2] == ["*", "CAPABILITY"] and "APPENDLIMIT=10240" in caps, untagged
        toobig = ("NO [TOOBIG] Mail size is larger than the maximum size allowed "
                  "by server configuration")
        # synchronizing: refused before "+ OK"; the session goes on
        untagged, tagged = append(c, "INBOX", msg(1, 11000))
        assert tagged == toobig, tagged
        untagged, tagged = append(c, "INBOX", msg(2, 9000))
        assert APPENDUID_RE.match(tagged), tagged
        # LITERAL+: its data can't be told from commands: NO, BYE, closed
        data = msg(3, 11000)
        c.send(b"x APPEND INBOX {%d+}\r\n" % len(data))
        assert c.readline() == "x " + toobig
        assert c.readline() == "* BYE Too big literal."
        assert c.is_closed()
        select(login(srv), "INBOX", 2)
    finally:
        srv.stop()
