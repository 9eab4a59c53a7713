"""Start and stop a real dovecot-like instance for integration tests.

The instance lives in a fresh directory with a generated config, a passwd-file
and Maildirs, listens on free loopback ports and logs to a file the tests read.
DL_PREFIX names the installed tree; DL_MODE is "privileged" (run as root, with
privilege separation) or "unprivileged" (master runs as nobody)."""
import atexit, os, pwd, grp, random, re, shutil, signal, socket, ssl, subprocess, tempfile, time
import crypt_compat
import dovecot      # the config layout: dovecot-like reads Dovecot settings

PREFIX = os.environ.get("DL_PREFIX", "")
MODE = os.environ.get("DL_MODE", "privileged")
MASTER = os.path.join(PREFIX, "sbin", "dovecot-like")
MAKE_MAILDIR = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "make-maildir.py")
def sanitizer_build():
    """True when the installed tree was built with --enable-sanitizers (the
    master binary calls the ASan runtime: __asan_init, with gcc's shared
    libasan and clang's static one alike)."""
    try:
        with open(MASTER, "rb") as f:
            return b"__asan_init" in f.read()
    except OSError:
        return False


BAD_LOG_WORDS = ("Panic:", "Fatal:", "AddressSanitizer", "runtime error:",
                 "killed with signal")


def _ephemeral_range():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low, high = (int(x) for x in f.read().split())
        return low, high
    except (OSError, ValueError):
        return 32768, 60999


_handed_out = set()


def free_port():
    """A loopback port that is free now and outside the kernel's ephemeral
    range: a port the kernel handed out for bind(0) can be taken as the
    local end of any client connection before the server binds it (seen in
    CI as "Address already in use"). Never the same port twice per run."""
    low, high = _ephemeral_range()
    candidates = [p for p in range(10240, 32768) if not low <= p <= high]
    rnd = random.Random(os.getpid() ^ int(time.time() * 1000))
    for _ in range(1000):
        port = rnd.choice(candidates)
        if port in _handed_out:
            continue
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            s.close()
        _handed_out.add(port)
        return port
    raise RuntimeError("no free loopback port found")


def ensure_system_users():
    for user in ("dovenull", "dovecot"):
        try:
            pwd.getpwnam(user)
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", "--home-dir",
                            "/nonexistent", "--shell", "/usr/sbin/nologin", user],
                           check=True)


def _openssl(*args, san="DNS:localhost"):
    env = dict(os.environ, DL_SAN=san)
    r = subprocess.run(["openssl", *args], capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise RuntimeError("openssl %s failed:\n%s%s" % (" ".join(args), r.stdout, r.stderr))
    return r.stdout


class _TestCA:
    """A CA made with the openssl CLI; signs through `openssl ca` so a cert
    can get any validity window (-startdate/-enddate: OpenSSL 3.0's
    `x509 -req` cannot set a past notAfter)."""

    def __init__(self, d, name):
        self.dir = os.path.join(d, name)
        os.makedirs(os.path.join(self.dir, "newcerts"))
        self.cert = os.path.join(self.dir, "ca.pem")
        self.key = os.path.join(self.dir, "ca.key")
        open(os.path.join(self.dir, "index.txt"), "w").close()
        with open(os.path.join(self.dir, "serial"), "w") as f:
            f.write("%016X\n" % (int.from_bytes(os.urandom(7), "big") | 1 << 55))
        with open(os.path.join(self.dir, "crlnumber"), "w") as f:
            f.write("01\n")
        self.cnf = os.path.join(self.dir, "ca.cnf")
        with open(self.cnf, "w") as f:
            f.write(f"""[ ca ]
default_ca = testca
[ testca ]
dir = {self.dir}
database = {self.dir}/index.txt
new_certs_dir = {self.dir}/newcerts
serial = {self.dir}/serial
crlnumber = {self.dir}/crlnumber
default_crl_days = 3650
default_md = sha256
policy = anything
unique_subject = no
email_in_dn = no
copy_extensions = none
[ anything ]
commonName = supplied
[ server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = $ENV::DL_SAN
[ client ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
""")
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", self.key,
                 "-out", self.cert, "-days", "3650", "-subj", f"/CN=dovecot-like {name}",
                 "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        self.crl = os.path.join(self.dir, "crl.pem")

    def gencrl(self):
        _openssl("ca", "-gencrl", "-config", self.cnf, "-cert", self.cert,
                 "-keyfile", self.key, "-out", self.crl)

    def issue(self, out, cn, kind="server", san=None, days=365, startdate=None,
              enddate=None):
        """Key out.key and cert out.pem for CN; returns (cert, key)."""
        key, cert, csr = out + ".key", out + ".pem", out + ".csr"
        _openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                 "-out", csr, "-subj", f"/CN={cn}")
        args = ["ca", "-batch", "-notext", "-config", self.cnf, "-cert", self.cert,
                "-keyfile", self.key, "-in", csr, "-out", cert, "-extensions", kind]
        if startdate:
            args += ["-startdate", startdate, "-enddate", enddate]
        else:
            args += ["-days", str(days)]
        _openssl(*args, san=san or f"DNS:{cn}")
        os.unlink(csr)
        return cert, key


class TLSMaterial:
    """Certificates for the TLS tests, made once per test session in a
    world-readable temp dir (the unprivileged master reads them as nobody)."""
    KEY_PASSWORD = "s3cret-key-pw"

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="dl-tls-")
        atexit.register(shutil.rmtree, self.dir, True)
        self.ca = _TestCA(self.dir, "ca")
        self.other_ca = _TestCA(self.dir, "other-ca")
        j = lambda n: os.path.join(self.dir, n)
        self.ca_cert = self.ca.cert
        self.server_cert, self.server_key = self.ca.issue(
            j("server"), "localhost", san="DNS:localhost,IP:127.0.0.1,IP:::1")
        # a second server cert (same names, other key) for the reload test
        self.server2_cert, self.server2_key = self.ca.issue(
            j("server2"), "localhost", san="DNS:localhost,IP:127.0.0.1,IP:::1")
        self.sni_name = "mail.example.com"
        self.sni_cert, self.sni_key = self.ca.issue(j("sni"), self.sni_name)
        # client certs: CN is the user name (ssl_cert_username_field = commonName)
        self.client_cert, self.client_key = self.ca.issue(j("client-demo"), "demo",
                                                          kind="client")
        self.expired_cert, self.expired_key = self.ca.issue(
            j("client-expired"), "demo", kind="client",
            startdate="20200101000000Z", enddate="20200201000000Z")
        self.wrongca_cert, self.wrongca_key = self.other_ca.issue(
            j("client-wrongca"), "demo", kind="client")
        # ssl_ca for client certs: the CA and its (empty) CRL, as Dovecot
        # wants with ssl_require_crl = yes (the default)
        self.ca.gencrl()
        self.ca_bundle = j("ssl-ca.pem")
        with open(self.ca_bundle, "w") as out:
            for f in (self.ca.cert, self.ca.crl):
                with open(f) as inp:
                    out.write(inp.read())
        self.encrypted_key = j("server-encrypted.key")
        _openssl("pkey", "-in", self.server_key, "-aes256", "-passout",
                 "pass:" + self.KEY_PASSWORD, "-out", self.encrypted_key)
        for root, dirs, files in os.walk(self.dir):
            os.chmod(root, 0o755)
            for f in files:
                os.chmod(os.path.join(root, f), 0o644)

    def client_context(self, cert=None, key=None, **kw):
        """A verifying client context trusting the test CA."""
        ctx = ssl.create_default_context(cafile=self.ca_cert)
        for k, v in kw.items():
            setattr(ctx, k, v)
        if cert:
            ctx.load_cert_chain(cert, key)
        return ctx


_tls_material = None


def tls_material():
    global _tls_material
    if _tls_material is None:
        _tls_material = TLSMaterial()
    return _tls_material


def local_nonloopback_ip():
    """An IPv4 address of this host that is not loopback (connecting to it
    from it gives the server a non-loopback remote address), or None."""
    try:
        out = subprocess.run(["ip", "-4", "-o", "addr", "show", "scope", "global"],
                             capture_output=True, text=True).stdout
    except OSError:
        return None
    for line in out.splitlines():
        parts = line.split()
        if "inet" in parts:
            return parts[parts.index("inet") + 1].split("/")[0]
    return None


class Server:
    """One running instance. users: {name: password}.
    tls=True adds imaps/pop3s listeners and ssl_cert/ssl_key (copies of the
    test certificate under the instance dir, so a test may replace them);
    ssl_conf replaces those ssl lines; listen overrides the address list."""

    def __init__(self, users=None, extra_conf="", messages=3, failure_delay="1 secs",
                 schemes=None, tls=False, ssl_conf=None, listen="127.0.0.1",
                 mail_location="maildir:~/Maildir"):
        self.users = users or {"demo": "demo", "alice": "alicepw"}
        # e.g. "mbox:~/mail:INBOX=~/mbox-inbox" (the test writes the files)
        self.mail_location = mail_location
        # password scheme per user; SHA512-CRYPT where not named
        self.schemes = schemes or {}
        self.extra_conf = extra_conf
        # a count of generated sample messages, or a list of exact messages
        # (bytes) put into cur/ in that order (UID 1, 2, ...)
        self.messages = messages
        self.failure_delay = failure_delay
        self.privileged = MODE == "privileged"
        self.proc = None
        self.tls = tls
        self.ssl_conf = ssl_conf
        self.listen = listen
        self.imaps_port = self.pop3s_port = 0
        # log lines a test causes on purpose (e.g. "killed with signal 9")
        self.expected_log_errors = []

    # -- layout ---------------------------------------------------------
    def prepare(self):
        self.dir = tempfile.mkdtemp(prefix="dl-it-")
        os.chmod(self.dir, 0o755)
        self.imap_port, self.pop3_port = free_port(), free_port()
        if self.tls:
            self.imaps_port, self.pop3s_port = free_port(), free_port()
            self.tlsm = tls_material()
            ssldir = os.path.join(self.dir, "ssl")
            os.makedirs(ssldir)
            os.chmod(ssldir, 0o755)
            self.ssl_cert = os.path.join(ssldir, "server.pem")
            self.ssl_key = os.path.join(ssldir, "server.key")
            shutil.copy(self.tlsm.server_cert, self.ssl_cert)
            shutil.copy(self.tlsm.server_key, self.ssl_key)
        self.conf = os.path.join(self.dir, "dovecot-like.conf")
        self.log = os.path.join(self.dir, "dovecot.log")
        self.passwd = os.path.join(self.dir, "passwd")
        if self.privileged:
            ensure_system_users()
            self.run_uid = 0
            self.run_gid = 0
        else:
            nobody = pwd.getpwnam("nobody")
            self.run_uid, self.run_gid = nobody.pw_uid, nobody.pw_gid
        self.uids = {}
        lines = []
        for i, (user, password) in enumerate(sorted(self.users.items())):
            uid = 5000 + i if self.privileged else self.run_uid
            gid = 5000 + i if self.privileged else self.run_gid
            self.uids[user] = (uid, gid)
            home = self.home(user)
            os.makedirs(home)
            maildir = os.path.join(home, "Maildir")
            given = not isinstance(self.messages, int)
            subprocess.run(["python3", MAKE_MAILDIR, maildir,
                            "0" if given else str(self.messages)], check=True)
            for n, data in enumerate(self.messages if given else ()):
                with open(os.path.join(maildir, "cur", "17000%05d.M%dP1.test:2,"
                                       % (n, n)), "wb") as f:
                    f.write(data)
            subprocess.run(["chown", "-R", f"{uid}:{gid}", home], check=True)
            scheme = crypt_compat.SCHEMES[self.schemes.get(user, "SHA512-CRYPT")]
            lines.append(f"{user}:{scheme(password)}:{uid}:{gid}::{home}::\n")
        with open(self.passwd, "w") as f:
            f.writelines(lines)
        os.chmod(self.passwd, 0o644)
        with open(self.conf, "w") as f:
            f.write(self.config_text())
        if not self.privileged:
            subprocess.run(["chown", "-R", f"{self.run_uid}:{self.run_gid}", self.dir],
                           check=True)

    def home(self, user):
        return os.path.join(self.dir, "home", user)

    def maildir(self, user):
        return os.path.join(self.home(user), "Maildir")

    def config_text(self):
        ssl = self.ssl_text().rstrip("\n")
        return dovecot.config_text(
            "generated by tests/integration/dlserver.py", f"{self.dir}/run", self.log,
            self.passwd, {"imap": self.imap_port, "imaps": self.imaps_port,
                          "pop3": self.pop3_port, "pop3s": self.pop3s_port},
            settings=([ssl] if ssl else []) + [f"auth_failure_delay = {self.failure_delay}"],
            listen=self.listen, mail_location=self.mail_location, extra=self.extra_conf)

    def ssl_text(self):
        if not self.tls:
            return ""
        if self.ssl_conf is not None:
            return self.ssl_conf + "\n"
        return f"ssl = yes\nssl_cert = <{self.ssl_cert}\nssl_key = <{self.ssl_key}\n"

    # -- running --------------------------------------------------------
    def master_cmd(self, *args):
        cmd = [MASTER, "-c", self.conf, *args]
        if not self.privileged:
            cmd = ["setpriv", f"--reuid={self.run_uid}", f"--regid={self.run_gid}",
                   "--clear-groups", "--"] + cmd
        return cmd

    def start(self):
        self.prepare()
        self.proc = subprocess.Popen(self.master_cmd("-F"), stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("master exited %d: %s\n%s" % (
                    self.proc.returncode, self.proc.stdout.read().decode(), self.log_text()))
            if self.greets(self.imap_port, b"* OK") and self.greets(self.pop3_port, b"+OK") \
                    and (not self.tls or (self.greets(self.imaps_port, b"* OK", True) and
                                          self.greets(self.pop3s_port, b"+OK", True))):
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("server did not answer in 30s:\n" + self.log_text())

    @staticmethod
    def greets(port, prefix, tls=False):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                if tls:
                    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                    ctx.check_hostname = False
                    ctx.verify_mode = ssl.CERT_NONE
                    with ctx.wrap_socket(s) as t:
                        return t.recv(100).startswith(prefix)
                return s.recv(100).startswith(prefix)
        except (OSError, ValueError):
            return False

    def stop(self, check_log=True, keep_dir=False):
        """SIGTERM and wait; with check_log, no unexpected error in the log
        (expected_log_errors excepted) and exit code 0. keep_dir leaves the
        instance directory (homes, log) for a later start or Dovecot."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("master did not stop within 15s of SIGTERM")
        rc = self.proc.returncode
        self.proc = None
        log = self.log_text()
        if check_log:
            bad = [l for l in log.splitlines() if any(w in l for w in BAD_LOG_WORDS)
                   and not any(a in l for a in self.expected_log_errors)]
            assert not bad, "errors in server log:\n" + "\n".join(bad)
            assert rc == 0, f"master exit code {rc}"
        if not keep_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def log_text(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def wait_log(self, needle, timeout=10, offset=0):
        """True once needle is in the log after its first offset characters
        (e.g. len(log_text()) before an action), False after timeout s."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if needle in self.log_text()[offset:]:
                return True
            time.sleep(0.05)
        return False

    def deliver(self, user, body, name):
        """Maildir delivery as an MTA does it: write and fsync into tmp/,
        chown to the user, rename into new/. Returns the path in new/."""
        md = self.maildir(user)
        tmp = os.path.join(md, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(body)
            f.flush()
            os.fsync(f.fileno())
        os.chown(tmp, *self.uids[user])
        dest = os.path.join(md, "new", name)
        os.rename(tmp, dest)
        return dest

    def worker_pids(self, title):
        """Pids of the master's children whose process title starts with
        title (e.g. "dovecot-like/imap [demo")."""
        pids = []
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open(f"/proc/{d}/cmdline", "rb") as f:
                    args = f.read().replace(b"\0", b" ").decode(errors="replace")
                with open(f"/proc/{d}/status") as f:
                    ppid = int(re.search(r"^PPid:\s+(\d+)", f.read(), re.M).group(1))
            except (OSError, AttributeError):
                continue
            if ppid == self.master_pid() and args.startswith(title):
                pids.append(int(d))
        return pids

    def master_pid(self):
        return self.proc.pid
