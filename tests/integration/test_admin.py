"""What an administrator does: read the log, reload and stop with
doveadm-like, look users up, run the master as a daemon."""
import imaplib, os, re, signal, subprocess, time
import pytest
from dlserver import PREFIX, Server, MODE

DOVEADM = os.path.join(PREFIX, "bin", "doveadm-like")


def doveadm(server, *args):
    cmd = [DOVEADM, "-c", server.conf, *args]
    if MODE != "privileged":
        cmd = ["setpriv", f"--reuid={server.run_uid}", f"--regid={server.run_gid}",
               "--clear-groups", "--"] + cmd
    return subprocess.run(cmd, capture_output=True, text=True, timeout=30)


def test_log_lines_have_timestamp_prefix_and_level(server):
    m = imaplib.IMAP4("127.0.0.1", server.imap_port, timeout=15)
    m.login("demo", server.users["demo"])
    m.logout()
    # the login and the worker log independently: wait for both lines
    assert server.wait_log("Logged out"), server.log_text()
    assert server.wait_log("Login: user=<demo>"), server.log_text()
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d "
    log = server.log_text()
    assert re.search(r"^%smaster: Info: dovecot-like v\S+ starting up" % stamp, log, re.M), log
    assert re.search(r"^%simap-login: Info: Login: user=<demo>, method=\w+, "
                     r"rip=127\.0\.0\.1, lip=127\.0\.0\.1, mpid=\d+" % stamp, log, re.M), log
    assert re.search(r"^%simap\(demo\)<\d+><[^>]+>: Info: Logged out" % stamp, log, re.M), log
    a = imaplib.IMAP4("127.0.0.1", server.imap_port, timeout=15)
    a.login("alice", server.users["alice"])
    a.logout()
    assert server.wait_log("user=<alice>")
    assert server.users["alice"] not in server.log_text()


def test_failed_login_logged_without_password(server):
    m = imaplib.IMAP4("127.0.0.1", server.imap_port, timeout=15)
    with pytest.raises(imaplib.IMAP4.error):
        m.login("demo", "Sup3rS3cretWrong")
    m.shutdown()
    assert server.wait_log("auth failed") or server.wait_log("Disconnected")
    assert "Sup3rS3cretWrong" not in server.log_text()


def test_doveadm_user_lookup(server):
    r = doveadm(server, "user", "demo")
    assert r.returncode == 0, r.stderr
    fields = dict(l.split("\t", 1) for l in r.stdout.splitlines()[1:])
    uid, gid = server.uids["demo"]
    assert fields["user"] == "demo"
    assert fields["uid"] == str(uid) and fields["gid"] == str(gid)
    assert fields["home"] == server.home("demo")
    r = doveadm(server, "user", "nosuchuser")
    assert r.returncode == 67, (r.returncode, r.stdout, r.stderr)


def test_doveadm_reload_and_stop(fresh_server):
    server = fresh_server
    assert doveadm(server, "reload").returncode == 0
    assert server.wait_log("Configuration reloaded"), server.log_text()
    assert doveadm(server, "stop").returncode == 0
    server.proc.wait(timeout=15)
    assert server.proc.returncode == 0
    assert not os.path.exists(os.path.join(server.dir, "run", "master.pid"))
    assert server.wait_log("All processes stopped")


def alive(pid):
    """Running (a zombie waiting for its new parent to reap it is not)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_daemon_mode_and_pidfile():
    srv = Server()
    srv.prepare()
    r = subprocess.run(srv.master_cmd(), capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    pidfile = os.path.join(srv.dir, "run", "master.pid")
    deadline = time.time() + 20
    while not (os.path.exists(pidfile) and srv.greets(srv.imap_port, b"* OK")):
        assert time.time() < deadline, srv.log_text()
        time.sleep(0.1)
    with open(pidfile) as f:
        pid = int(f.read())
    m = imaplib.IMAP4("127.0.0.1", srv.imap_port, timeout=15)
    assert m.login("demo", srv.users["demo"])[0] == "OK"
    m.logout()
    os.kill(pid, signal.SIGTERM)
    deadline = time.time() + 15
    while alive(pid):
        assert time.time() < deadline, "daemon did not stop"
        time.sleep(0.1)
    assert not os.path.exists(pidfile)
    log = srv.log_text()
    assert "Fatal" not in log and "Panic" not in log, log
