"""mbox end to end: an mbox INBOX (mail_location = mbox:~/mail:INBOX=~/inbox)
served over IMAP and POP3: bodies byte-exact without the From_ line and the
metadata headers, flags kept in Status/X-Status, EXPUNGE, stable POP3 UIDLs,
and mail an MTA appends under the dotlock showing up at NOOP."""
import fcntl, os, re, subprocess, time
import pytest
from dlserver import MASTER, Server
from rawclient import Imap, Pop3, login as raw_login, ok_reply, pop3_uidls, select, server_date

MSGS = [
    "Subject: m%d\nMessage-ID: <m%d@example.org>\n\nbody %d\nFrom here on\n>From quoted\n" % (i, i, i)
    for i in range(1, 4)
]


def mbox_text(msgs, start=0):
    return "".join("From sender@example.org  Thu Nov  9 22:33:5%d 2001\n%s\n" % (start + i, m)
                   for i, m in enumerate(msgs))


def crlf(s):
    return s.replace("\n", "\r\n").encode()


def inbox_path(srv):
    return os.path.join(srv.home("demo"), "inbox")


def read_inbox(srv):
    with open(inbox_path(srv)) as f:
        return f.read()


@pytest.fixture
def mbox_server():
    srv = Server(users={"demo": "demo"}, mail_location="mbox:~/mail:INBOX=~/inbox")
    srv.start()
    uid, gid = srv.uids["demo"]
    os.makedirs(os.path.join(srv.home("demo"), "mail"), exist_ok=True)
    with open(inbox_path(srv), "w") as f:
        f.write(mbox_text(MSGS))
    subprocess.run(["chown", "-R", f"{uid}:{gid}", srv.home("demo")], check=True)
    yield srv
    srv.stop()


def login(srv):
    return raw_login(srv, timeout=15)


def fetch_body(c, seq):
    """BODY.PEEK[] of seq: exactly one FETCH response, exact tagged OK."""
    untagged, tagged = c.command("FETCH %d (BODY.PEEK[])" % seq)
    assert tagged == ok_reply("FETCH"), tagged
    assert len(untagged) == 1 and isinstance(untagged[0], list), untagged
    head, body, rest = untagged[0]
    assert head == "* %d FETCH (BODY[] {%d}" % (seq, len(body)) and rest == ")", untagged
    return body


def run(c, cmd, untagged_expected):
    """cmd's untagged lines must be exactly untagged_expected, its tagged
    reply our exact OK."""
    untagged, tagged = c.command(cmd)
    assert (untagged, tagged) == (untagged_expected, ok_reply(cmd)), (cmd, untagged, tagged)


def from_date(i):
    """INTERNALDATE of MSGS[i]: its From_ line's date in local time."""
    return server_date(time.mktime((2001, 11, 9, 22, 33, 50 + i, 0, 0, -1)))


def test_imap_bodies_byte_exact(mbox_server):
    c = login(mbox_server)
    assert select(c, "INBOX")["EXISTS"] == 3
    for i, msg in enumerate(MSGS):
        assert fetch_body(c, i + 1) == crlf(msg)
    run(c, "FETCH 1:* (UID RFC822.SIZE INTERNALDATE)",
        ['* %d FETCH (UID %d RFC822.SIZE %d INTERNALDATE "%s")'
         % (i + 1, i + 1, len(crlf(m)), from_date(i)) for i, m in enumerate(MSGS)])
    run(c, "LOGOUT", ["* BYE Logging out"])
    text = read_inbox(mbox_server)
    assert "X-IMAPbase: " in text and "X-UID: 3\n" in text


def test_store_flags_persist(mbox_server):
    c = login(mbox_server)
    assert select(c, "INBOX")["EXISTS"] == 3
    run(c, "STORE 1 +FLAGS (\\Seen \\Flagged)",
        ["* 1 FETCH (FLAGS (\\Flagged \\Seen \\Recent))"])
    run(c, "STORE 3 +FLAGS (\\Answered \\Draft)",
        ["* 3 FETCH (FLAGS (\\Answered \\Draft \\Recent))"])
    run(c, "LOGOUT", ["* BYE Logging out"])
    text = read_inbox(mbox_server)
    hdrs = [part.split("\n\n", 1)[0] for part in text.split("\nFrom sender@")]
    assert re.search(r"^Status: RO$", hdrs[0], re.M), hdrs[0]
    assert re.search(r"^X-Status: F$", hdrs[0], re.M), hdrs[0]
    assert re.search(r"^Status: O$", hdrs[1], re.M), hdrs[1]
    assert re.search(r"^X-Status: AT$", hdrs[2], re.M), hdrs[2]
    c = login(mbox_server)
    assert select(c, "INBOX")["EXISTS"] == 3
    run(c, "FETCH 1:3 (FLAGS)", ["* 1 FETCH (FLAGS (\\Flagged \\Seen))",
                                 "* 2 FETCH (FLAGS ())",
                                 "* 3 FETCH (FLAGS (\\Answered \\Draft))"])
    for i, msg in enumerate(MSGS):
        assert fetch_body(c, i + 1) == crlf(msg)
    run(c, "LOGOUT", ["* BYE Logging out"])


def test_expunge(mbox_server):
    c = login(mbox_server)
    assert select(c, "INBOX")["EXISTS"] == 3
    run(c, "STORE 2 +FLAGS.SILENT (\\Deleted)", [])
    # all three were \Recent in this session: one fewer now
    run(c, "EXPUNGE", ["* 2 EXPUNGE", "* 2 RECENT"])
    assert fetch_body(c, 1) == crlf(MSGS[0])
    assert fetch_body(c, 2) == crlf(MSGS[2])
    run(c, "LOGOUT", ["* BYE Logging out"])
    text = read_inbox(mbox_server)
    assert "Subject: m2" not in text and "Subject: m3" in text
    c = login(mbox_server)
    assert select(c, "INBOX")["EXISTS"] == 2
    run(c, "FETCH 1:* (UID)", ["* 1 FETCH (UID 1)", "* 2 FETCH (UID 3)"])
    run(c, "LOGOUT", ["* BYE Logging out"])


def pop3_first_body(srv):
    """RETR 1 over POP3 (exact replies), the message bytes."""
    p = Pop3(srv.pop3_port, timeout=15)
    assert p.command("USER demo") == "+OK"
    assert p.command("PASS demo") == "+OK Logged in."
    first, lines = p.multiline("RETR 1")
    assert first == "+OK %d octets" % len(crlf(MSGS[0])), first
    assert p.command("QUIT") == "+OK Logging out."
    return "".join(l + "\r\n" for l in lines).encode()


def test_pop3_uidls_stable(mbox_server):
    u1 = pop3_uidls(mbox_server.pop3_port)
    # default pop3_uidl_format %08Xu%08Xv: uid then uidvalidity
    assert len(u1) == 3 and len({l.split()[1] for l in u1}) == 3, u1
    uidvalidity = u1[0].split()[1][8:]
    assert re.match(r"^[0-9a-f]{8}$", uidvalidity), u1
    assert u1 == ["%d %08x%s" % (n, n, uidvalidity) for n in (1, 2, 3)], u1
    assert pop3_first_body(mbox_server) == crlf(MSGS[0])
    assert pop3_uidls(mbox_server.pop3_port) == u1


def test_mta_append_under_dotlock(mbox_server):
    c = login(mbox_server)
    assert select(c, "INBOX")["EXISTS"] == 3
    path = inbox_path(mbox_server)
    new = "Subject: m4\n\nnew mail\n"
    # deliver like an MTA: dotlock, then fcntl, append, release
    lock = path + ".lock"
    fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, b"%d:%s" % (os.getpid(), os.uname().nodename.encode()))
    os.close(fd)
    try:
        with open(path, "a") as f:
            fcntl.lockf(f, fcntl.LOCK_EX)
            f.write(mbox_text([new], start=4))
            f.flush()
            fcntl.lockf(f, fcntl.LOCK_UN)
    finally:
        os.unlink(lock)
    run(c, "NOOP", ["* 4 EXISTS", "* 4 RECENT"])
    assert fetch_body(c, 4) == crlf(new)
    run(c, "FETCH 4 (UID)", ["* 4 FETCH (UID 4)"])
    run(c, "LOGOUT", ["* BYE Logging out"])
    assert "X-UID: 4\n" in read_inbox(mbox_server)


DOVECOT_IMAP = "/usr/lib/dovecot/imap"


def dovecot_imap(srv, commands):
    """Runs Debian's real Dovecot imap binary in PREAUTH mode on the same
    home and mbox files (as the mail user); returns its output."""
    uid, gid = srv.uids["demo"]
    d = os.path.join(srv.dir, "dovecot")
    if not os.path.isdir(d):
        for sub in ("run", "state"):
            os.makedirs(os.path.join(d, sub))
        with open(os.path.join(d, "dovecot.conf"), "w") as f:
            f.write(f"""base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
mail_location = mbox:~/mail:INBOX=~/inbox
first_valid_uid = 1
passdb {{
  driver = static
  args = nopassword=y
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={srv.home("demo")}
}}
protocols =
ssl = no
""")
        subprocess.run(["chown", "-R", f"{uid}:{gid}", d], check=True)
    r = subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups",
                        "env", "-i", "USER=demo", "HOME=" + srv.home("demo"),
                        DOVECOT_IMAP, "-c", os.path.join(d, "dovecot.conf")],
                       input=commands, capture_output=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return r.stdout


def dovecot_messages(out):
    """{uid: (flags, body)} from `FETCH 1:* (UID FLAGS BODY.PEEK[])` output."""
    msgs = {}
    for m in re.finditer(rb"\* \d+ FETCH \(UID (\d+) FLAGS \(([^)]*)\) BODY\[\] \{(\d+)\}\r\n", out):
        n = int(m.group(3))
        body = out[m.end():m.end() + n]
        flags = set(m.group(2).split()) - {b"\\Recent"}
        msgs[int(m.group(1))] = (flags, body)
    return msgs


@pytest.mark.skipif(not os.path.exists(DOVECOT_IMAP), reason="Dovecot not installed")
def test_dovecot_reads_ours_and_we_read_dovecots(mbox_server):
    # we assign UIDs, set flags and expunge
    c = login(mbox_server)
    uidvalidity = select(c, "INBOX")["UIDVALIDITY"]
    run(c, "STORE 1 +FLAGS.SILENT (\\Seen \\Flagged)", [])
    run(c, "STORE 2 +FLAGS.SILENT (\\Deleted)", [])
    run(c, "STORE 3 +FLAGS.SILENT (\\Answered)", [])
    run(c, "EXPUNGE", ["* 2 EXPUNGE", "* 2 RECENT"])
    run(c, "LOGOUT", ["* BYE Logging out"])

    out = dovecot_imap(mbox_server, b"a select INBOX\r\n"
                       b"b fetch 1:* (uid flags body.peek[])\r\nc logout\r\n")
    assert b"[UIDVALIDITY %d]" % uidvalidity in out, out
    assert b"[UIDNEXT 4]" in out, out
    msgs = dovecot_messages(out)
    assert sorted(msgs) == [1, 3], out
    assert msgs[1] == ({b"\\Seen", b"\\Flagged"}, crlf(MSGS[0]))
    assert msgs[3] == ({b"\\Answered"}, crlf(MSGS[2]))

    # Dovecot changes flags and appends; we see the same
    new = b"Subject: dv\r\n\r\nhello from dovecot\r\n"
    out = dovecot_imap(mbox_server, b"a select INBOX\r\nb store 1 flags (\\Draft)\r\n"
                       b"c append INBOX (\\Seen) {%d+}\r\n%s\r\nd logout\r\n" % (len(new), new))
    assert b"c OK" in out, out
    c = login(mbox_server)
    sel = select(c, "INBOX")
    assert (sel["EXISTS"], sel["UIDVALIDITY"]) == (3, uidvalidity), sel
    untagged, tagged = c.command("FETCH 1:* (UID FLAGS)")
    assert tagged == ok_reply("FETCH"), tagged
    got = []
    for n, line in enumerate(untagged):
        mm = re.match(r"^\* (\d+) FETCH \(UID (\d+) FLAGS \(([^)]*)\)\)$", line)
        assert mm and int(mm.group(1)) == n + 1, untagged
        got.append((int(mm.group(2)), set(mm.group(3).split()) - {"\\Recent"}))
    assert got == [(1, {"\\Draft"}), (3, {"\\Answered"}), (4, {"\\Seen"})], got
    assert fetch_body(c, 1) == crlf(MSGS[0])
    assert fetch_body(c, 3) == new
    run(c, "LOGOUT", ["* BYE Logging out"])


@pytest.mark.skipif(not os.path.exists(DOVECOT_IMAP), reason="Dovecot not installed")
def test_dovecot_reads_our_pseudo_message(mbox_server):
    # expunging everything leaves the internal message that keeps the UIDs
    c = login(mbox_server)
    uidvalidity = select(c, "INBOX")["UIDVALIDITY"]
    run(c, "STORE 1:* +FLAGS.SILENT (\\Deleted)", [])
    run(c, "EXPUNGE", ["* 3 EXPUNGE", "* 2 EXPUNGE", "* 1 EXPUNGE",
                       "* 0 RECENT"])
    run(c, "LOGOUT", ["* BYE Logging out"])
    text = read_inbox(mbox_server)
    assert text.startswith("From MAILER_DAEMON  ")
    assert "\nX-IMAP: %d 0000000003\n" % uidvalidity in text
    out = dovecot_imap(mbox_server, b"a select INBOX\r\nb logout\r\n")
    assert b"* 0 EXISTS" in out and b"[UIDNEXT 4]" in out, out
    assert b"[UIDVALIDITY %d]" % uidvalidity in out, out


# -- mbox settings and mail_privileged_group -----------------------------
# INBOX in a /var/mail-like spool: root:<group> mode 1775, so the user can
# create INBOX.lock only through mail_privileged_group.
PRIV_GROUP = "dlmboxprivtest"


def proc_ids(pid):
    with open(f"/proc/{pid}/status") as f:
        text = f.read()
    gids = [int(x) for x in re.search(r"^Gid:\s+(.*)$", text, re.M).group(1).split()]
    groups = [int(x) for x in re.search(r"^Groups:[ \t]*(.*)$", text, re.M).group(1).split()]
    return gids, groups


@pytest.fixture
def priv_group():
    if os.environ.get("DL_MODE", "privileged") != "privileged" or os.geteuid() != 0:
        pytest.skip("mail_privileged_group needs the privileged mode")
    import grp
    created = False
    try:
        grp.getgrnam(PRIV_GROUP)
    except KeyError:
        subprocess.run(["groupadd", PRIV_GROUP], check=True)
        created = True
    yield grp.getgrnam(PRIV_GROUP).gr_gid
    if created:
        subprocess.run(["groupdel", PRIV_GROUP], check=False)


def spool_server(gid, extra_conf):
    import tempfile, shutil
    top = tempfile.mkdtemp(prefix="dl-spool-")
    os.chmod(top, 0o755)
    spool = os.path.join(top, "mail")
    os.mkdir(spool)
    os.chown(spool, 0, gid)
    os.chmod(spool, 0o1775)
    srv = Server(users={"demo": "demo"},
                 mail_location="mbox:~/mail:INBOX=%s/%%u" % spool,
                 extra_conf=extra_conf)
    srv.start()
    uid, ugid = srv.uids["demo"]
    os.makedirs(os.path.join(srv.home("demo"), "mail"), exist_ok=True)
    subprocess.run(["chown", "-R", f"{uid}:{ugid}", srv.home("demo")], check=True)
    inbox = os.path.join(spool, "demo")
    with open(inbox, "w") as f:
        f.write(mbox_text(MSGS))
    os.chown(inbox, uid, ugid)
    os.chmod(inbox, 0o600)
    return srv, top, inbox


def hold_dotlock(inbox):
    fd = os.open(inbox + ".lock", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, b"%d:%s" % (os.getpid(), os.uname().nodename.encode()))
    os.close(fd)


def test_privileged_group_dotlock_in_spool(priv_group):
    import shutil, threading
    srv, top, inbox = spool_server(priv_group, f"""mail_privileged_group = {PRIV_GROUP}
mbox_lazy_writes = no
mbox_lock_timeout = 30 secs
""")
    try:
        c = login(srv)
        # the first SELECT writes X-UIDs: under our dotlock in the spool
        assert select(c, "INBOX")["EXISTS"] == 3
        assert "X-UID: 3\n" in open(inbox).read()
        assert not os.path.exists(inbox + ".lock")

        # the worker keeps the group only as its saved gid
        uid, ugid = srv.uids["demo"]
        pids = srv.worker_pids("dovecot-like/imap [demo")
        assert len(pids) == 1, pids
        gids, groups = proc_ids(pids[0])
        assert gids[:3] == [ugid, ugid, priv_group], gids
        assert priv_group not in groups, groups

        # an MTA holds the dotlock: the STORE (written at once with
        # mbox_lazy_writes = no) waits for it, then succeeds
        hold_dotlock(inbox)
        result = {}

        def store():
            result["r"] = c.command("STORE 2 +FLAGS.SILENT (\\Flagged)")
            result["t"] = time.time()
        t = threading.Thread(target=store)
        start = time.time()
        t.start()
        time.sleep(1.5)
        assert t.is_alive(), "STORE did not wait for the dotlock"
        released = time.time()
        os.unlink(inbox + ".lock")
        t.join(15)
        assert not t.is_alive()
        assert result["r"] == ([], ok_reply("STORE")), result
        assert result["t"] >= released and result["t"] - start >= 1.5
        text = open(inbox).read()
        hdrs = [part.split("\n\n", 1)[0] for part in text.split("\nFrom sender@")]
        assert re.search(r"^X-Status: F$", hdrs[1], re.M), hdrs[1]
        # our own dotlock was created and removed through the group
        assert not os.path.exists(inbox + ".lock")
        run(c, "LOGOUT", ["* BYE Logging out"])
        log = srv.log_text()
        assert "can't create dotlock" not in log, log
        assert "setegid" not in log, log
    finally:
        srv.stop()
        shutil.rmtree(top, ignore_errors=True)


def test_without_privileged_group_no_dotlock(priv_group):
    # control: same spool, no mail_privileged_group: the dotlock can't be
    # created, which is logged, and the write still happens under fcntl
    import shutil
    srv, top, inbox = spool_server(priv_group, "mbox_lazy_writes = no\n")
    try:
        c = login(srv)
        assert select(c, "INBOX")["EXISTS"] == 3
        run(c, "STORE 1 +FLAGS.SILENT (\\Flagged)", [])
        run(c, "LOGOUT", ["* BYE Logging out"])
        assert srv.wait_log("can't create dotlock"), srv.log_text()
        assert "X-UID: 3\n" in open(inbox).read()
    finally:
        srv.stop()
        shutil.rmtree(top, ignore_errors=True)


def test_unknown_privileged_group_fails_login(priv_group):
    import shutil
    srv, top, inbox = spool_server(priv_group,
                                   "mail_privileged_group = no-such-group-dltest\n")
    try:
        c = Imap(srv.imap_port, timeout=15)
        untagged, tagged = c.command("LOGIN demo demo")
        assert (untagged, tagged) == ([], "NO [UNAVAILABLE] Internal error occurred. "
                                      "Refer to server log for more information."), tagged
        assert srv.wait_log("unknown group name: no-such-group-dltest"), srv.log_text()
    finally:
        srv.stop()
        shutil.rmtree(top, ignore_errors=True)


def test_invalid_lock_method_is_reported():
    """A lock method we don't know (or one listed twice) stops start-up
    with file:line and the key, before anything is bound."""
    for value, why in (("dotlock lockf", "Invalid value 'lockf'"),
                       ("fcntl fcntl", "'fcntl' listed twice")):
        srv = Server(users={"demo": "demo"}, mail_location="mbox:~/mail:INBOX=~/inbox",
                     extra_conf="protocol imap {\n  mbox_write_locks = %s\n}\n" % value)
        srv.prepare()
        with open(srv.conf) as f:
            lines = f.read().splitlines()
        lineno = 1 + [i for i, l in enumerate(lines) if "mbox_write_locks" in l][0]
        r = subprocess.run([MASTER, "-F", "-c", srv.conf], capture_output=True,
                           text=True, timeout=30)
        assert r.returncode != 0, r.stdout
        err = r.stderr + r.stdout
        assert re.search(re.escape(srv.conf) + r":%d: .*mbox_write_locks.*%s"
                         % (lineno, re.escape(why)), err), err


def test_privileged_group_in_both_modes():
    # privileged: kept as the saved gid only; unprivileged: ignored (the
    # server can't switch groups), and mail is served either way
    import grp
    mail_gid = grp.getgrnam("mail").gr_gid
    srv = Server(users={"demo": "demo"}, mail_location="mbox:~/mail:INBOX=~/inbox",
                 extra_conf="mail_privileged_group = mail\n")
    srv.start()
    try:
        uid, gid = srv.uids["demo"]
        os.makedirs(os.path.join(srv.home("demo"), "mail"), exist_ok=True)
        with open(inbox_path(srv), "w") as f:
            f.write(mbox_text(MSGS))
        subprocess.run(["chown", "-R", f"{uid}:{gid}", srv.home("demo")], check=True)
        c = login(srv)
        assert select(c, "INBOX")["EXISTS"] == 3
        run(c, "STORE 1 +FLAGS.SILENT (\\Seen)", [])
        pids = srv.worker_pids("dovecot-like/imap [demo")
        assert len(pids) == 1, pids
        gids, groups = proc_ids(pids[0])
        if srv.privileged:
            assert gids[:3] == [gid, gid, mail_gid], gids
            assert mail_gid not in groups, groups
        else:
            assert gids[:3] == [gid, gid, gid], gids
        run(c, "LOGOUT", ["* BYE Logging out"])
        assert "Status: RO\n" in read_inbox(srv)
    finally:
        srv.stop()
