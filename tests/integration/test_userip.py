"""mail_max_userip_connections: the anvil service counts each user's live
IMAP/POP3 sessions per remote IP; a login over the limit is refused with
Dovecot's reply (compared with Debian's Dovecot where it runs) and the
connection closed. A session's slot is freed when it ends, also when its
worker is killed."""
import os, re, signal, time
import pytest
from dlserver import Server, MODE
from rawclient import Imap, Pop3, LOGGED_IN_RE

CONF = ("protocol imap {\n  mail_max_userip_connections = 2\n}\n"
        "protocol pop3 {\n  mail_max_userip_connections = 2\n}\n")
USERS = {"demo": "demo", "alice": "alicepw"}


def imap_full(limit):
    return ("NO [LIMIT] Maximum number of connections from user+IP exceeded "
            "(mail_max_userip_connections=%d)" % limit)


def pop3_full(limit):
    return ("-ERR [IN-USE] Maximum number of connections from user+IP "
            "exceeded (mail_max_userip_connections=%d)" % limit)


@pytest.fixture(scope="module")
def srv():
    s = Server(users=USERS, extra_conf=CONF).start()
    yield s
    s.stop()


def imap_login(port, user, password):
    """(client, tagged reply) of a LOGIN on a new connection."""
    c = Imap(port, timeout=30)
    _, tagged = c.command("LOGIN %s %s" % (user, password))
    return c, tagged


def imap_ok(port, user="demo", password="demo"):
    c, tagged = imap_login(port, user, password)
    assert LOGGED_IN_RE.match(tagged), tagged
    return c


def imap_refused(port, limit, user="demo", password="demo"):
    c, tagged = imap_login(port, user, password)
    assert tagged == imap_full(limit), tagged
    assert c.is_closed(), "connection stays open after the refusal"
    assert c.buf == b"", c.buf
    c.close()


def pop3_login(port, user, password):
    c = Pop3(port, timeout=30)
    assert c.command("USER " + user) == "+OK", "USER"
    return c, c.command("PASS " + password)


def pop3_ok(port, user="demo", password="demo"):
    c, reply = pop3_login(port, user, password)
    assert reply == "+OK Logged in.", reply
    return c


def pop3_refused(port, limit, user="demo", password="demo"):
    c, reply = pop3_login(port, user, password)
    assert reply == pop3_full(limit), reply
    assert c.is_closed(), "connection stays open after the refusal"
    c.close()


REFUSAL_LOG_RE = re.compile(
    r"(imap|pop3)-login: Info: Disconnected: Maximum number of connections "
    r"from user\+IP exceeded \(mail_max_userip_connections=(\d+)\): "
    r"user=<demo>, method=PLAIN, rip=127\.0\.0\.1, lip=127\.0\.0\.1, "
    r"(secured|TLS), session=<([A-Za-z0-9+/]{12,16})>$")


def assert_refusal_logged(s, proto, offset, limit, secured="secured"):
    """The login process logs the refusal as Dovecot does (one
    Disconnected line, no Login line, no mpid); the worker logs nothing."""
    assert s.wait_log("Disconnected: Maximum number", offset=offset)
    new = s.log_text()[offset:].splitlines()
    got = [l for l in new if "Maximum number of connections" in l]
    assert len(got) == 1, got
    m = REFUSAL_LOG_RE.search(got[0])
    assert m, got[0]
    assert m.groups()[:3] == (proto, str(limit), secured), got[0]
    # (an earlier session's Login line may arrive after offset)
    session = "session=<%s>" % m.group(4)
    assert [l for l in s.log_text().splitlines() if session in l] == \
        [got[0]], session


def imap_logout(c):
    _, tagged = c.command("LOGOUT")
    assert tagged == "OK Logout completed.", tagged
    assert c.is_closed()
    c.close()


def retry_until(fn, timeout=10):
    """fn() until it returns a true value (a slot is freed when anvil sees
    the session's socket close, a moment after the client saw it)."""
    deadline = time.time() + timeout
    while True:
        got = fn()
        if got or time.time() > deadline:
            return got
        time.sleep(0.1)


def try_imap(port, user="demo", password="demo"):
    c, tagged = imap_login(port, user, password)
    if LOGGED_IN_RE.match(tagged):
        return c
    assert tagged == imap_full(2), tagged
    c.close()
    return None


def test_imap_limit(srv):
    a = imap_ok(srv.imap_port)
    b = imap_ok(srv.imap_port)
    imap_refused(srv.imap_port, 2)
    # another user has its own count
    other = [imap_ok(srv.imap_port, "alice", "alicepw") for _ in range(2)]
    imap_refused(srv.imap_port, 2, "alice", "alicepw")
    # pop3 sessions are counted apart from imap ones
    p = pop3_ok(srv.pop3_port)
    # after a LOGOUT the next login gets the slot
    imap_logout(a)
    c = retry_until(lambda: try_imap(srv.imap_port))
    assert c is not None, "the slot of a logged-out session was not freed"
    off = len(srv.log_text())
    imap_refused(srv.imap_port, 2)
    assert_refusal_logged(srv, "imap", off, 2)
    for x in [b, c] + other:
        imap_logout(x)
    assert p.command("QUIT").startswith("+OK")
    p.close()


def test_authenticate_plain(srv):
    """AUTHENTICATE gets the same refusal as LOGIN, with its own tag."""
    import base64
    held = [imap_ok(srv.imap_port) for _ in range(2)]
    c = Imap(srv.imap_port, timeout=30)
    token = base64.b64encode(b"\0demo\0demo").decode()
    _, tagged = c.command("AUTHENTICATE PLAIN " + token)
    assert tagged == imap_full(2), tagged
    assert c.is_closed()
    c.close()
    for x in held:
        imap_logout(x)


def test_pop3_limit(srv):
    a = pop3_ok(srv.pop3_port)
    b = pop3_ok(srv.pop3_port)
    pop3_refused(srv.pop3_port, 2)
    other = pop3_ok(srv.pop3_port, "alice", "alicepw")
    assert a.command("QUIT").startswith("+OK")
    a.close()

    def try_pop3():
        c, reply = pop3_login(srv.pop3_port, "demo", "demo")
        if reply == "+OK Logged in.":
            return c
        assert reply == pop3_full(2), reply
        c.close()
        return None
    c = retry_until(try_pop3)
    assert c is not None, "the slot of a QUIT session was not freed"
    pop3_refused(srv.pop3_port, 2)
    for x in (b, c, other):
        assert x.command("QUIT").startswith("+OK")
        x.close()


def test_pop3_refusal_logged(srv):
    held = [pop3_ok(srv.pop3_port) for _ in range(2)]
    off = len(srv.log_text())
    pop3_refused(srv.pop3_port, 2)
    assert_refusal_logged(srv, "pop3", off, 2)
    for x in held:
        assert x.command("QUIT").startswith("+OK")
        x.close()


def test_tls_refusals():
    """Over implicit TLS the login process (which holds the TLS layer)
    sends the refusal before closing."""
    s = Server(users=USERS, extra_conf=CONF, tls=True).start()
    try:
        ctx = s.tlsm.client_context()
        held = []
        for _ in range(2):
            c = Imap(s.imaps_port, timeout=30, ssl_context=ctx)
            _, tagged = c.command("LOGIN demo demo")
            assert LOGGED_IN_RE.match(tagged), tagged
            held.append(c)
        off = len(s.log_text())
        c = Imap(s.imaps_port, timeout=30, ssl_context=ctx)
        _, tagged = c.command("LOGIN demo demo")
        assert tagged == imap_full(2), tagged
        assert c.is_closed()
        c.close()
        assert_refusal_logged(s, "imap", off, 2, "TLS")
        for _ in range(2):
            p = Pop3(s.pop3s_port, timeout=30, ssl_context=ctx)
            assert p.command("USER demo") == "+OK"
            assert p.command("PASS demo") == "+OK Logged in."
            held.append(p)
        off = len(s.log_text())
        p = Pop3(s.pop3s_port, timeout=30, ssl_context=ctx)
        assert p.command("USER demo") == "+OK"
        assert p.command("PASS demo") == pop3_full(2)
        assert p.is_closed()
        p.close()
        assert_refusal_logged(s, "pop3", off, 2, "TLS")
        for x in held:
            x.close()
    finally:
        s.stop()


def test_killed_worker_frees_slot(srv):
    held = [imap_ok(srv.imap_port) for _ in range(2)]
    imap_refused(srv.imap_port, 2)
    pids = srv.worker_pids("dovecot-like/imap [demo")
    assert len(pids) == 2, pids
    victim = pids[0]
    srv.expected_log_errors.append(
        "service(imap): child %d killed with signal 9" % victim)
    os.kill(victim, signal.SIGKILL)
    c = retry_until(lambda: try_imap(srv.imap_port))
    assert c is not None, "a killed worker's slot was not freed"
    imap_refused(srv.imap_port, 2)
    for x in held + [c]:
        x.close()


def test_unlimited():
    s = Server(users=USERS, extra_conf=CONF.replace("= 2", "= 0")).start()
    try:
        held = [imap_ok(s.imap_port) for _ in range(12)]
        held += [pop3_ok(s.pop3_port) for _ in range(3)]
        for x in held:
            x.close()
    finally:
        s.stop()


def test_default_limit_is_10():
    s = Server(users=USERS).start()
    try:
        held = [imap_ok(s.imap_port) for _ in range(10)]
        imap_refused(s.imap_port, 10)
        for x in held:
            x.close()
    finally:
        s.stop()


def test_same_as_dovecot():
    """Debian's Dovecot answers the over-limit LOGIN and PASS exactly as
    we do, and closes the connection too."""
    import dovecot
    dovecot.ensure_or_skip()
    s = Server(users={"demo": "demo"}, messages=0)
    s.prepare()
    dc = dovecot.ForServer(s)
    with open(dc.conf, "a") as f:
        f.write(CONF)
    try:
        dc.start_or_skip()
        held = [imap_ok(dc.imap_port) for _ in range(2)]
        imap_refused(dc.imap_port, 2)
        held += [pop3_ok(dc.pop3_port) for _ in range(2)]
        pop3_refused(dc.pop3_port, 2)
        for x in held:
            x.close()
    finally:
        dc.cleanup()


def anvil_conn(s):
    import socket
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(10)
    sock.connect(os.path.join(s.dir, "run", "anvil"))
    return sock, sock.makefile("rb")


def test_anvil_protocol(srv):
    """LIST shows the live sessions; malformed and over-long requests get
    ERROR; a raw CONNECT counts against the workers' limit until closed."""
    srv.expected_log_errors += ["anvil: Error: Invalid request: ",
                                "anvil: Error: Request line too long"]
    held = [imap_ok(srv.imap_port), pop3_ok(srv.pop3_port)]
    sock, f = anvil_conn(srv)
    sock.sendall(b"LIST\n")
    lines = []
    while True:
        line = f.readline()
        assert line.endswith(b"\n"), lines
        if line == b"\n":
            break
        lines.append(line)
    assert sorted(lines) == [b"imap/127.0.0.1/demo\t1\n",
                             b"pop3/127.0.0.1/demo\t1\n"], lines
    sock.sendall(b"BOGUS\nCONNECT\tx\timap/127.0.0.1/demo\n")
    assert f.readline() == b"ERROR\tunknown command\n"
    assert f.readline() == b"ERROR\tCONNECT: invalid limit\n"
    # this connection takes demo's second imap slot
    sock.sendall(b"CONNECT\t2\timap/127.0.0.1/demo\n")
    assert f.readline() == b"OK\t2\n"
    sock.sendall(b"CONNECT\t2\timap/127.0.0.1/demo\n")
    assert f.readline() == b"ERROR\tconnection already registered\n"
    imap_refused(srv.imap_port, 2)
    f.close()
    sock.close()
    c = retry_until(lambda: try_imap(srv.imap_port))
    assert c is not None
    held.append(c)
    # over-long line: refused and disconnected
    sock, f = anvil_conn(srv)
    sock.sendall(b"CONNECT\t1\t" + b"a" * 5000 + b"\n")
    assert f.readline() == b"ERROR\tline too long\n"
    try:    # closed: a reset when our unread bytes were still queued
        assert f.readline() == b""
    except ConnectionResetError:
        pass
    f.close()
    sock.close()
    for x in held:
        x.close()


def test_anvil_chroot(srv):
    """Privileged: anvil runs chrooted in base_dir/empty (root's, empty)
    as the internal user, and still answers the workers."""
    if MODE != "privileged":
        pytest.skip("chroot only in privileged mode")
    pids = srv.worker_pids("dovecot-like/anvil")
    assert len(pids) == 1, pids
    empty = os.path.join(srv.dir, "run", "empty")
    assert os.readlink("/proc/%d/root" % pids[0]) == empty
    st = os.stat(empty)
    assert (st.st_uid, st.st_mode & 0o7777) == (0, 0o755)
    assert os.listdir(empty) == []
    c = imap_ok(srv.imap_port)
    imap_logout(c)
