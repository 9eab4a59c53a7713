"""The process split and its privileges, as `ps` sees them, and crash
isolation: a worker crash never takes down master, auth or other sessions."""
import imaplib, os, signal, subprocess, time
import pytest
import re
from dlserver import MODE, sanitizer_build
from rawclient import Imap


def ps_tree(root_pid):
    out = subprocess.run(["ps", "-eo", "pid=,ppid=,uid=,args="], capture_output=True,
                         text=True, check=True).stdout
    procs = {}
    for line in out.splitlines():
        pid, ppid, uid, args = line.split(None, 3)
        procs[int(pid)] = (int(ppid), int(uid), args)
    children = {pid: v for pid, v in procs.items() if v[0] == root_pid}
    return children


def find(children, title):
    return [(pid, uid, args) for pid, (ppid, uid, args) in children.items()
            if args.startswith(title)]


def test_process_titles_and_privileges(server):
    m = imaplib.IMAP4("127.0.0.1", server.imap_port, timeout=15)
    m.login("demo", server.users["demo"])
    m.select("INBOX")
    children = ps_tree(server.master_pid())
    titles = sorted(args for _, _, args in children.values())
    login = find(children, "dovecot-like/imap-login")
    auth = find(children, "dovecot-like/auth")
    log = find(children, "dovecot-like/log")
    workers = [p for p in find(children, "dovecot-like/imap [demo")]
    assert login and auth and log and workers, titles
    assert "127.0.0.1" in workers[0][2]
    uid, gid = server.uids["demo"]
    assert workers[0][1] == uid, (workers, uid)
    if MODE == "privileged":
        assert all(u != 0 for _, u, _ in login), login
        # the login process is chrooted
        root = os.readlink(f"/proc/{login[0][0]}/root")
        assert root == os.path.join(server.dir, "run", "login"), root
    m.logout()


def test_worker_crash_is_isolated(fresh_server):
    server = fresh_server
    a = imaplib.IMAP4("127.0.0.1", server.imap_port, timeout=15)
    a.login("alice", server.users["alice"])
    a.select("INBOX")
    d = imaplib.IMAP4("127.0.0.1", server.imap_port, timeout=15)
    d.login("demo", server.users["demo"])
    d.select("INBOX")
    children = ps_tree(server.master_pid())
    victim = find(children, "dovecot-like/imap [demo")
    assert victim
    # what a panic (failed assertion) does; sanitizer builds intercept SIGSEGV
    os.kill(victim[0][0], signal.SIGABRT)
    assert server.wait_log("killed with signal 6"), server.log_text()
    with pytest.raises((imaplib.IMAP4.abort, OSError, EOFError)):
        d.noop()
        d.noop()
    # alice's session and new logins are unaffected
    assert a.noop()[0] == "OK"
    n = imaplib.IMAP4("127.0.0.1", server.imap_port, timeout=15)
    assert n.login("demo", server.users["demo"])[0] == "OK"
    n.logout()
    a.logout()
    # the crash is expected here: don't let the log check fail the test
    server.stop(check_log=False)


def test_sighup_reload_keeps_serving(fresh_server):
    server = fresh_server
    waiting = Imap(server.imap_port)     # pre-login, across the reload
    session = imaplib.IMAP4("127.0.0.1", server.imap_port, timeout=15)
    session.login("alice", server.users["alice"])
    session.select("INBOX")
    old_login = find(ps_tree(server.master_pid()), "dovecot-like/imap-login")
    os.kill(server.master_pid(), signal.SIGHUP)
    assert server.wait_log("Configuration reloaded"), server.log_text()
    # the old login process finishes its clients; a new one takes new ones
    untagged, tagged = waiting.command(f"LOGIN demo {server.users['demo']}")
    assert tagged.startswith("OK"), tagged
    assert session.noop()[0] == "OK"
    session.logout()
    waiting.command("LOGOUT")
    deadline = time.time() + 10
    while any(pid == old_login[0][0] for pid, _, _ in
              find(ps_tree(server.master_pid()), "dovecot-like/imap-login")):
        assert time.time() < deadline, "old login process did not exit"
        time.sleep(0.1)
    deadline = time.time() + 10
    while True:
        try:
            m = imaplib.IMAP4("127.0.0.1", server.imap_port, timeout=15)
            assert m.login("demo", server.users["demo"])[0] == "OK"
            m.logout()
            break
        except (imaplib.IMAP4.error, OSError):
            if time.time() > deadline:
                raise
            time.sleep(0.2)


# In a sanitizer build run as root, LeakSanitizer cannot read /proc from
# inside the chroot of login and anvil at their exit: it says so and the
# process exits 1. That is the test build, not the server.
LSAN_CHROOT_RE = re.compile(
    r" log: Error: ==\d+==(Can't open /proc/\d+/task for reading\.|"
    r"LeakSanitizer has encountered a fatal error\.|HINT: )|"
    r" master: Error: service\((imap-login|pop3-login|anvil)\): child \d+ "
    r"returned error 1$")


def lsan_cannot_run(line):
    return sanitizer_build() and MODE == "privileged" and \
        LSAN_CHROOT_RE.search(line) is not None


def test_clean_shutdown_log(fresh_server):
    """SIGTERM with a session open, idle pre-started workers and logins done
    over IMAP and POP3: every process stops without an Error or Warning
    line (no "Disconnected from auth server" from login's own deinit, no
    "I/O leak" from an idle worker's listener), and the open session gets
    Dovecot's BYE."""
    import poplib
    server = fresh_server
    m = imaplib.IMAP4("127.0.0.1", server.imap_port, timeout=15)
    m.login("demo", server.users["demo"])
    m.select("INBOX")
    m.logout()
    p = poplib.POP3("127.0.0.1", server.pop3_port, timeout=15)
    p.user("demo")
    p.pass_(server.users["demo"])
    p.stat()
    p.quit()
    open_session = Imap(server.imap_port)
    _, tagged = open_session.command(f"LOGIN alice {server.users['alice']}")
    assert tagged.startswith("OK"), tagged
    server.stop(keep_dir=True)
    try:
        log = server.log_text()
        bad = [l for l in log.splitlines() if (" Error: " in l or " Warning: " in l)
               and not lsan_cannot_run(l)]
        assert bad == [], "\n".join(bad)
        assert "Shutting down (signal 15)" in log
        assert "All processes stopped, exiting" in log
        assert "Disconnected: Server shutting down." in log
        assert open_session.is_closed()
        assert open_session.buf == b"* BYE Server shutting down.\r\n", \
            repr(open_session.buf)
    finally:
        import shutil
        shutil.rmtree(server.dir, ignore_errors=True)
