"""System users: passdb pam (in the auth-worker), userdb passwd and passdb
shadow, with real accounts made by useradd/chpasswd and real PAM service
files, in Dovecot 2.3's config form and Dovecot 1.x's auth default { }.

What needs the auth-worker to run as root (pam_unix, /etc/shadow, mail
processes running as the new user) runs with DL_MODE=privileged only; the
pam_exec test only needs a root test runner (to write /etc/pam.d) and runs
in both modes."""
import imaplib, os, poplib, secrets, shutil, subprocess, tempfile
import pytest
from dlserver import Server, MODE, MAKE_MAILDIR
from rawclient import Imap, Pop3, LOGGED_IN_RE
from test_processes import ps_tree, find

PAM_DIR = "/etc/pam.d"
TOOLS = ("useradd", "userdel", "chpasswd", "chage")
FAILED = "NO [AUTHENTICATIONFAILED] Authentication failed."
POP3_FAILED = "-ERR [AUTH] Authentication failed."
PASSWORD = "s3cret pw!x"
MESSAGES = 2


def need_root_runner():
    if os.geteuid() != 0:
        pytest.skip("writes /etc/pam.d and adds system users: the test runner "
                    "must be root")


def need_privileged():
    need_root_runner()
    if MODE != "privileged":
        pytest.skip("pam_unix and /etc/shadow need the auth-worker to run as "
                    "root, and the mail process to switch to the new user: "
                    "DL_MODE=privileged only")
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        pytest.skip("missing %s (Debian package passwd)" % " ".join(missing))


def unique_name():
    return "dlpam" + secrets.token_hex(4)


class PamService:
    """/etc/pam.d/<unique name> with text; removed by remove()."""

    def __init__(self, text):
        self.name = unique_name()
        self.path = os.path.join(PAM_DIR, self.name)
        with open(self.path, "w") as f:
            f.write(text)
        os.chmod(self.path, 0o644)

    def remove(self):
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


class SystemUser:
    """A real account (useradd + chpasswd) with a Maildir of MESSAGES
    messages in a home under a private temp dir; remove() deletes both."""

    def __init__(self, password=PASSWORD):
        self.name = unique_name()
        self.password = password
        self.base = tempfile.mkdtemp(prefix="dl-pam-home-")
        os.chmod(self.base, 0o755)
        self.home = os.path.join(self.base, self.name)
        self.created = False
        subprocess.run(["useradd", "--no-create-home", "--home-dir", self.home,
                        "--shell", "/usr/sbin/nologin", self.name], check=True)
        self.created = True
        subprocess.run(["chpasswd"], input=f"{self.name}:{password}\n", text=True,
                       check=True)
        import pwd
        pw = pwd.getpwnam(self.name)
        self.uid, self.gid = pw.pw_uid, pw.pw_gid
        os.makedirs(self.home)
        subprocess.run(["python3", MAKE_MAILDIR, os.path.join(self.home, "Maildir"),
                        str(MESSAGES)], check=True)
        subprocess.run(["chown", "-R", f"{self.uid}:{self.gid}", self.home],
                       check=True)

    def expire(self, expired):
        subprocess.run(["chage", "-E", "0" if expired else "-1", self.name],
                       check=True)

    def remove(self):
        if self.created:
            subprocess.run(["userdel", self.name], capture_output=True)
        shutil.rmtree(self.base, ignore_errors=True)


class AuthServer(Server):
    """A Server whose passdb/userdb blocks are replaced by auth_conf (the
    passwd-file userdb is kept when keep_userdb)."""

    def __init__(self, auth_conf, keep_userdb=False, **kw):
        kw.setdefault("extra_conf", "auth_verbose = yes\n")
        super().__init__(**kw)
        self.auth_conf = auth_conf
        self.keep_userdb = keep_userdb

    def config_text(self):
        text = super().config_text()
        passdb = f"passdb {{\n  driver = passwd-file\n  args = {self.passwd}\n}}\n"
        userdb = f"userdb {{\n  driver = passwd-file\n  args = {self.passwd}\n}}\n"
        assert passdb in text and userdb in text, text
        text = text.replace(passdb, "")
        if not self.keep_userdb:
            text = text.replace(userdb, "")
        return text + self.auth_conf


@pytest.fixture
def cleanup():
    """Objects with remove(), removed after the test even when it fails."""
    things = []
    yield things
    for t in reversed(things):
        t.remove()


def unix_service(cleanup):
    svc = PamService("auth required pam_unix.so\naccount required pam_unix.so\n")
    cleanup.append(svc)
    return svc


def new_user(cleanup):
    user = SystemUser()
    cleanup.append(user)
    return user


def start(cleanup, auth_conf, **kw):
    srv = AuthServer(auth_conf, **kw)

    class Stopper:
        def remove(self):
            srv.stop()
    srv.start()
    cleanup.append(Stopper())
    return srv


def imap_login_fails(srv, user, password, expected=FAILED):
    c = Imap(srv.imap_port)
    _, tagged = c.command(f'LOGIN {user} "{password}"')
    c.close()
    assert tagged == expected, tagged


def check_logged_in_as(srv, user):
    """IMAP and POP3 log in as user: the mail process runs with the user's
    uid and sees the Maildir in the passwd home."""
    m = imaplib.IMAP4("127.0.0.1", srv.imap_port, timeout=15)
    typ, data = m.login(user.name, user.password)
    assert typ == "OK", data
    typ, data = m.select("INBOX")
    assert typ == "OK" and data == [str(MESSAGES).encode()], data
    children = ps_tree(srv.master_pid())
    workers = find(children, f"dovecot-like/imap [{user.name}")
    assert len(workers) == 1, children
    pid, uid, _ = workers[0]
    assert uid == user.uid, (uid, user.uid)
    with open(f"/proc/{pid}/status") as f:
        gids = [l for l in f if l.startswith("Gid:")][0].split()[1:]
    assert all(int(g) == user.gid for g in gids), gids
    m.logout()

    p = poplib.POP3("127.0.0.1", srv.pop3_port, timeout=15)
    p.user(user.name)
    assert p.pass_(user.password).startswith(b"+OK")
    assert p.stat()[0] == MESSAGES
    p.quit()


def check_no_password_in_log(srv, *passwords):
    log = srv.log_text()
    for pw in passwords:
        assert pw not in log, "password in the log"


def system_conf(passdb_driver, args):
    return (f"passdb {{\n  driver = {passdb_driver}\n  args = {args}\n}}\n"
            f"userdb {{\n  driver = passwd\n}}\n")


def test_pam_unix_system_user(cleanup):
    """passdb pam (pam_unix) + userdb passwd: right password logs in as the
    user; wrong password, unknown user and an expired account are refused
    as Dovecot refuses them; the log names PAM's error, never a password."""
    need_privileged()
    svc, user = unix_service(cleanup), new_user(cleanup)
    srv = start(cleanup, system_conf("pam", svc.name))
    check_logged_in_as(srv, user)

    wrong = PASSWORD + "x"
    imap_login_fails(srv, user.name, wrong)
    assert srv.wait_log(f"pam({user.name},127.0.0.1): pam_authenticate() failed: "
                        "Authentication failure (password mismatch?)")
    imap_login_fails(srv, "dlpamnosuchuser", PASSWORD)
    p = Pop3(srv.pop3_port)
    assert p.command(f"USER {user.name}").startswith("+OK")
    assert p.command(f"PASS {wrong}") == POP3_FAILED
    p.close()

    user.expire(True)
    imap_login_fails(srv, user.name, PASSWORD, "NO [CONTACTADMIN] Account is disabled.")
    assert srv.wait_log(f"pam({user.name},127.0.0.1): pam_acct_mgmt() failed: "
                        "User account has expired")
    user.expire(False)
    m = imaplib.IMAP4("127.0.0.1", srv.imap_port, timeout=15)
    assert m.login(user.name, user.password)[0] == "OK"
    m.logout()
    check_no_password_in_log(srv, PASSWORD, wrong)


def test_pam_dovecot1_config(cleanup):
    """Dovecot 1.x: auth default { passdb pam { args } userdb passwd { } }
    loads (with the obsolete-syntax warnings) and logs in."""
    need_privileged()
    svc, user = unix_service(cleanup), new_user(cleanup)
    conf = ("auth default {\n  mechanisms = plain login\n"
            f"  passdb pam {{\n    args = {svc.name}\n  }}\n"
            "  userdb passwd {\n  }\n}\n")
    srv = start(cleanup, conf)
    check_logged_in_as(srv, user)
    imap_login_fails(srv, user.name, "nope")
    r = subprocess.run(srv.master_cmd("-n"), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "Obsolete passdb pam { } in auth { }: using passdb { driver = pam }" \
        in r.stderr, r.stderr
    assert "Obsolete userdb passwd { } in auth { }: using userdb { driver = passwd }" \
        in r.stderr, r.stderr
    check_no_password_in_log(srv, PASSWORD)


def test_shadow_system_user(cleanup):
    """passdb shadow + userdb passwd: crypt(3) of /etc/shadow (yescrypt on
    Debian 12) in the worker; sp_expire refuses."""
    need_privileged()
    user = new_user(cleanup)
    srv = start(cleanup, system_conf("shadow", "blocking=yes"))
    check_logged_in_as(srv, user)
    imap_login_fails(srv, user.name, "wrong")
    assert srv.wait_log(f"shadow({user.name},127.0.0.1): Password mismatch")
    imap_login_fails(srv, "dlpamnosuchuser", "x")
    user.expire(True)
    imap_login_fails(srv, user.name, PASSWORD, "NO [CONTACTADMIN] Account is disabled.")
    assert srv.wait_log(f"shadow({user.name},127.0.0.1): Account expired")
    check_no_password_in_log(srv, PASSWORD)


def test_pam_exec_conversation(cleanup):
    """PAM's conversation end to end without system accounts: pam_exec
    reads the password the worker answers PAM's prompt with and checks it
    with the service %s expanded to the protocol; failure_show_msg sends
    the module's message to the client. Both modes (passwd-file userdb)."""
    need_root_runner()
    script_dir = tempfile.mkdtemp(prefix="dl-pam-exec-")

    class Dir:
        def remove(self):
            shutil.rmtree(script_dir, ignore_errors=True)
    cleanup.append(Dir())
    os.chmod(script_dir, 0o755)
    script = os.path.join(script_dir, "check.sh")
    with open(script, "w") as f:
        f.write("#!/bin/sh\npw=$(tr -d '\\000')\n"
                "[ \"$pw\" = \"demo pw\" ] && [ \"$PAM_USER\" = demo ] && "
                "[ \"$PAM_RHOST\" = 127.0.0.1 ] && exit 0\n"
                "echo \"Go away $PAM_USER\"\nexit 1\n")
    os.chmod(script, 0o755)
    text = (f"auth [success=1 default=ignore] pam_exec.so expose_authtok quiet "
            f"stdout {script}\nauth requisite pam_deny.so\n"
            "auth required pam_permit.so\naccount required pam_permit.so\n")
    base = PamService(text)
    cleanup.append(base)
    # %s: one service file per protocol, named <base>-imap / <base>-pop3
    services = [PamService(text) for _ in range(2)]
    for s, proto in zip(services, ("imap", "pop3")):
        s.remove()
        s.path = os.path.join(PAM_DIR, f"{base.name}-{proto}")
        with open(s.path, "w") as f:
            f.write(text)
        cleanup.append(s)
    # max_requests=2: the worker restarts after every second PAM request
    conf = (f"passdb {{\n  driver = pam\n  args = failure_show_msg=yes "
            f"session=no max_requests=2 {base.name}-%s\n}}\n")
    srv = start(cleanup, conf, keep_userdb=True,
                users={"demo": "demo pw", "alice": "alicepw"})
    def worker_pid():
        pids = [pid for pid, _, _ in
                find(ps_tree(srv.master_pid()), "dovecot-like/auth-worker")]
        assert len(pids) == 1, pids
        return pids[0]

    def imap_ok():
        c = Imap(srv.imap_port)
        _, tagged = c.command('LOGIN demo "demo pw"')
        assert LOGGED_IN_RE.match(tagged), tagged
        c.close()

    imap_ok()                                   # worker 1: request 1
    pids = [worker_pid()]
    imap_login_fails(srv, "demo", "demo px", "NO [AUTHENTICATIONFAILED] Go away demo")
    imap_login_fails(srv, "alice", "alicepw", "NO [AUTHENTICATIONFAILED] Go away alice")
    pids.append(worker_pid())                   # worker 2: request 1
    p = Pop3(srv.pop3_port)
    assert p.command("USER demo").startswith("+OK")
    assert p.command("PASS demo pw").startswith("+OK")
    p.close()
    imap_ok()                                   # worker 3: request 1
    pids.append(worker_pid())
    assert len(set(pids)) == 3, pids
    assert "auth-worker" not in "".join(
        l for l in srv.log_text().splitlines(True) if "Error" in l), srv.log_text()
    check_no_password_in_log(srv, "demo pw", "demo px", "alicepw")


def test_pam_bad_args_refused_at_start(cleanup):
    """An unknown passdb pam arg stops auth at start-up with the arg named
    (file:line of the passdb)."""
    need_root_runner()
    srv = AuthServer("passdb {\n  driver = pam\n  args = session=yes bogus=1\n}\n",
                     keep_userdb=True)
    srv.prepare()
    srv.proc = subprocess.Popen(srv.master_cmd("-F"), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    try:
        assert srv.wait_log("auth: Fatal: %s:" % srv.conf, timeout=20), srv.log_text()
        line = [l for l in srv.log_text().splitlines() if "auth: Fatal:" in l][0]
        assert line.endswith(": passdb pam: Unknown arg 'bogus=1'"), line
    finally:
        srv.stop(check_log=False)
