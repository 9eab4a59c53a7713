"""Debian's real Dovecot (dovecot-imapd, dovecot-pop3d) for the interop tests
and the benchmarks: installing it, the config text (one layout, also the one
dlserver.Server writes for dovecot-like, whose settings are Dovecot's), and
a private instance's process (`dovecot -F -c <conf>`: own base_dir,
state_dir, loopback ports and log file).

Used by tests/integration (test_dovecot_interop, test_mailbox_mgmt) and by
bench/dovecot_ref.py (which puts this directory on sys.path)."""
import contextlib, os, shutil, signal, subprocess, tempfile, time
import dlserver

DOVECOT = "/usr/sbin/dovecot"
LDA = "/usr/lib/dovecot/dovecot-lda"      # in dovecot-core, which -imapd needs
NEEDED = (DOVECOT, LDA, "/usr/lib/dovecot/imap", "/usr/lib/dovecot/imap-login",
          "/usr/lib/dovecot/pop3", "/usr/lib/dovecot/pop3-login")
UIDL_FORMAT = "%08Xu%08Xv"


class StartError(RuntimeError):
    """Dovecot exited or did not answer while starting."""


def installed():
    return all(os.path.exists(p) for p in NEEDED)


def install():
    """apt-get install dovecot-imapd dovecot-pop3d if any binary is missing.
    Returns None when installed, else why it is not (not root, no apt-get,
    apt-get failed). The package may start a system Dovecot; instances here
    do not depend on it (other ports, own base_dir)."""
    if installed():
        return None
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return "Debian's Dovecot is not installed and cannot be (not root / no apt-get)"
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    r = subprocess.run("apt-get update -qq && apt-get install -y -qq "
                       "dovecot-imapd dovecot-pop3d", shell=True, env=env,
                       capture_output=True, text=True)
    if r.returncode != 0 or not installed():
        return "installing dovecot-imapd failed: " + r.stderr[-500:]
    return None


def ensure_or_skip():
    """install(), skipping the calling pytest test when that fails."""
    why = install()
    if why is not None:
        import pytest
        pytest.skip(why)


def version():
    try:
        return subprocess.run([DOVECOT, "--version"], capture_output=True,
                              text=True).stdout.strip()
    except OSError:
        return "not installed"


def config_text(comment, base_dir, log_path, passwd, ports, settings=(),
                listen="127.0.0.1", mail_location="maildir:~/Maildir",
                login_settings=None, extra=""):
    """A config for Dovecot or dovecot-like: IMAP and POP3 on listen,
    passwd-file passdb and userdb, plain and login mechanisms. ports maps
    imap/imaps/pop3/pop3s to a port (0 or missing: no listener); settings
    are more top-level lines; login_settings maps "imap"/"pop3" to lines
    inside that login service; extra is appended as is."""
    login_settings = login_settings or {}

    def service(proto, tls_name):
        inner = "".join(f"  {line}\n" for line in login_settings.get(proto, ()))
        return (f"service {proto}-login {{\n"
                f"  inet_listener {proto} {{\n    port = {ports.get(proto, 0)}\n  }}\n"
                f"  inet_listener {tls_name} {{\n    port = {ports.get(tls_name, 0)}\n  }}\n"
                f"{inner}}}\n")
    lines = [f"# {comment}", f"base_dir = {base_dir}", f"listen = {listen}",
             "protocols = imap pop3", *settings, f"log_path = {log_path}",
             'log_timestamp = "%Y-%m-%d %H:%M:%S "', "auth_mechanisms = plain login",
             f"passdb {{\n  driver = passwd-file\n  args = {passwd}\n}}",
             f"userdb {{\n  driver = passwd-file\n  args = {passwd}\n}}",
             f"mail_location = {mail_location}"]
    return "\n".join(lines) + "\n" + service("imap", "imaps") + service("pop3", "pop3s") \
        + extra + "\n"


class Instance:
    """A private Dovecot master on conf (logging to log) answering on
    imap_port and pop3_port; ready() may add a check (e.g. IMAPS)."""

    def __init__(self, conf, log, imap_port, pop3_port, ready=None):
        self.conf, self.log = conf, log
        self.imap_port, self.pop3_port = imap_port, pop3_port
        self.ready = ready or (lambda: True)
        self.proc = None

    def start(self, timeout=30):
        """Starts the master and waits until it greets; StartError if it
        exits or does not greet within timeout s."""
        dlserver.ensure_system_users()
        self.proc = subprocess.Popen([DOVECOT, "-F", "-c", self.conf],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                rc, out = self.proc.returncode, self.proc.stdout.read().decode(errors="replace")
                self.proc = None
                raise StartError("dovecot exited %d: %s\n%s" % (rc, out[-500:],
                                                                 self.log_text()[-500:]))
            if dlserver.Server.greets(self.imap_port, b"* OK") and \
                    dlserver.Server.greets(self.pop3_port, b"+OK") and self.ready():
                return self
            time.sleep(0.1)
        self.stop()
        raise StartError("dovecot did not answer within %d s: %s"
                         % (timeout, self.log_text()[-500:]))

    def stop(self):
        """SIGTERM (SIGKILL after 30 s) and wait."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def log_text(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def master_pid(self):
        return self.proc.pid


class ForServer(Instance):
    """Dovecot serving the users (passwd-file, homes, Maildirs) of a
    prepared dlserver.Server, from a private directory of its own."""

    def __init__(self, srv):
        self.srv = srv
        self.dir = tempfile.mkdtemp(prefix="dl-dovecot-")
        os.chmod(self.dir, 0o755)
        super().__init__(os.path.join(self.dir, "dovecot.conf"),
                         os.path.join(self.dir, "dovecot.log"),
                         dlserver.free_port(), dlserver.free_port())
        with open(self.conf, "w") as f:
            f.write(config_text(
                "tests/integration/dovecot.py: private instance", f"{self.dir}/run",
                self.log, srv.passwd, {"imap": self.imap_port, "pop3": self.pop3_port},
                settings=(f"instance_name = dl-interop-{os.getpid()}",
                          f"state_dir = {self.dir}/state", "ssl = no",
                          "disable_plaintext_auth = no"),
                extra=f"pop3_uidl_format = {UIDL_FORMAT}\n"))

    def start_or_skip(self):
        """start(), skipping the calling pytest test when Dovecot does not
        start on this machine."""
        try:
            return self.start()
        except StartError as e:
            import pytest
            pytest.skip("Dovecot does not start here: %s" % e)

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


# -- several live sessions of one user, without any listener ------------------
IMAP = "/usr/lib/dovecot/imap"


class PreauthSession:
    """Dovecot's imap binary in PREAUTH mode as the mail user, on its
    stdin/stdout: a call sends one command and returns its untagged lines;
    the tagged reply (without the tag and CRLF) is kept in self.tagged."""

    def __init__(self, argv):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE)
        greeting = self.proc.stdout.readline()
        assert greeting.startswith(b"* PREAUTH"), greeting
        self.n = 0
        self.tagged = None

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
                self.tagged = line[len(tag):-2].decode()
                return untagged
            untagged.append(line[:-2].decode())

    def close(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class PreauthUser:
    """A private Dovecot config for srv's user "demo" with a home of its own
    under srv.dir/<name> and the given mail_location; session() starts one
    more imap process (PreauthSession) as that user, so a test can hold
    several sessions of one mailbox at once. Skips when Dovecot is not
    installed. session_class: what session() makes (a PreauthSession
    subclass may post-process replies)."""
    session_class = PreauthSession

    def __init__(self, srv, name, mail_location):
        import pytest
        if not os.path.exists(IMAP):
            pytest.skip("Dovecot not installed")
        self.uid, self.gid = srv.uids["demo"]
        self.dir = os.path.join(srv.dir, name)
        self.home = os.path.join(self.dir, "home")
        for sub in ("run", "state", "home"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        self.conf = os.path.join(self.dir, "dovecot.conf")
        with open(self.conf, "w") as f:
            f.write(f"""base_dir = {self.dir}/run
state_dir = {self.dir}/state
log_path = {self.dir}/dovecot.log
mail_location = {mail_location}
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
        self.sessions = []

    def chown(self):
        subprocess.run(["chown", "-R", f"{self.uid}:{self.gid}", self.dir],
                       check=True)

    def session(self):
        s = self.session_class(["setpriv", f"--reuid={self.uid}",
                                f"--regid={self.gid}", "--clear-groups",
                                "env", "-i", "USER=demo",
                                "HOME=" + self.home, IMAP, "-c", self.conf])
        self.sessions.append(s)
        return s

    def close(self):
        for s in self.sessions:
            s.close()


@contextlib.contextmanager
def serving_demo(extra_conf=""):
    """A started Dovecot for one user demo/demo with extra_conf appended to
    its config (skips the calling test where Dovecot can't run here)."""
    ensure_or_skip()
    srv = dlserver.Server(users={"demo": "demo"})
    srv.prepare()
    inst = ForServer(srv)
    if extra_conf:
        with open(inst.conf, "a") as f:
            f.write(extra_conf)
    try:
        inst.start_or_skip()
        yield inst
    finally:
        inst.cleanup()
