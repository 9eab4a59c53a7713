#!/usr/bin/env python3
"""The two servers the benchmarks compare, started the same way.

DovecotRef: Debian's Dovecot (dovecot-imapd, dovecot-pop3d) run with
`dovecot -F -c <private conf>`: own base_dir/state_dir, own loopback ports,
passwd-file users with Maildirs made by scripts/make-maildir.py, a generated
self-signed cert, a log file. Login services keep Dovecot's defaults (one
imap-login process per connection, service_count = 1) except the limits that
must be raised so N connections fit (see README.md).

DLBench: dovecot-like through tests/integration/dlserver.py's Server, with
an imaps listener and the same cert and users.

Both get the same users:
  bench  3 messages (make-maildir.py)            LOGIN / idle benchmarks
  small  `small` messages (make-maildir.py)       FETCH of many small messages
  big    `big` messages of `big_size` bytes       FETCH throughput in bytes

usage: dovecot_ref.py install              install Dovecot if missing
       dovecot_ref.py run [dovecot|dl]     start one, print its ports, wait for ^C
"""
import os, re, shutil, signal, socket, ssl, subprocess, sys, tempfile, time

BENCH = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(BENCH)
DEFAULT_PREFIX = "/work/build-bench/root"
os.environ.setdefault("DL_PREFIX", os.environ.get("BENCH_DL_PREFIX", DEFAULT_PREFIX))
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
import dlserver, crypt_compat, dovecot  # noqa: E402  (the integration harness)
from benchlib import client_tls_context  # noqa: E402

MAKE_MAILDIR = os.path.join(TOP, "scripts", "make-maildir.py")
USERS = {"bench": "benchpw", "small": "smallpw", "big": "bigpw"}


# -- Dovecot installation -----------------------------------------------------
def install_dovecot():
    """dovecot.install() (apt-get install dovecot-imapd dovecot-pop3d if
    missing; an error if that fails), then make sure no system Dovecot
    daemon (started by the package scripts) keeps running."""
    why = dovecot.install()
    if why is not None:
        raise RuntimeError(why)
    stop_system_dovecot()


def stop_system_dovecot():
    """Stop a Dovecot master that is not one of ours (the system service the
    package may have started). Ours run with -c <bench dir>/dovecot.conf."""
    subprocess.run(["service", "dovecot", "stop"], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    out = subprocess.run(["pgrep", "-x", "dovecot"], capture_output=True, text=True).stdout
    for pid in (int(p) for p in out.split()):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().split(b"\0")
        except OSError:
            continue
        if b"dovecot-bench.conf" not in b" ".join(cmd):
            print(f"stopping system dovecot pid {pid}", file=sys.stderr)
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass


dovecot_version = dovecot.version


# -- shared pieces ------------------------------------------------------------
def make_cert(directory):
    """Self-signed RSA-2048 cert for CN=localhost; the same kind for both."""
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-keyout", key, "-out", cert],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.chmod(key, 0o600)
    return cert, key


def fill_maildirs(home_of, uids, small, big, big_size):
    """Replace small's and big's 3-message Maildirs by the benchmark ones."""
    from benchlib import make_large_maildir
    if small:
        md = os.path.join(home_of("small"), "Maildir")
        shutil.rmtree(md)
        subprocess.run(["python3", MAKE_MAILDIR, md, str(small)], check=True)
    if big:
        md = os.path.join(home_of("big"), "Maildir")
        shutil.rmtree(md)
        make_large_maildir(md, big, big_size)
    for user in ("small", "big"):
        uid, gid = uids[user]
        subprocess.run(["chown", "-R", f"{uid}:{gid}", home_of(user)], check=True)


def tls_greets(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=3) as s:
            with client_tls_context().wrap_socket(s) as t:
                return t.recv(100).startswith(b"* OK")
    except (OSError, ssl.SSLError):
        return False


def descendants_count(pid, kind):
    from benchlib import process_tree, is_kind
    return sum(1 for p in process_tree(pid) if is_kind(p, kind))


# -- Dovecot ------------------------------------------------------------------
class DovecotRef:
    name = "Dovecot"

    def __init__(self, conns=500, small=0, big=0, big_size=65536, extra_conf=""):
        self.conns, self.small, self.big, self.big_size = conns, small, big, big_size
        self.extra_conf = extra_conf
        self.proc = None
        self.imaps_ok = True

    def home(self, user):
        return os.path.join(self.dir, "home", user)

    def prepare(self):
        self.dir = tempfile.mkdtemp(prefix="dcref-")
        os.chmod(self.dir, 0o755)
        self.conf = os.path.join(self.dir, "dovecot-bench.conf")
        self.log = os.path.join(self.dir, "dovecot.log")
        self.passwd = os.path.join(self.dir, "passwd")
        self.imap_port, self.imaps_port, self.pop3_port = (dlserver.free_port() for _ in range(3))
        self.cert, self.key = make_cert(self.dir)
        dlserver.ensure_system_users()
        self.uids, lines = {}, []
        for i, (user, password) in enumerate(sorted(USERS.items())):
            uid = gid = 5000 + i
            self.uids[user] = (uid, gid)
            os.makedirs(self.home(user))
            subprocess.run(["python3", MAKE_MAILDIR, os.path.join(self.home(user), "Maildir"),
                            "3"], check=True)
            subprocess.run(["chown", "-R", f"{uid}:{gid}", self.home(user)], check=True)
            lines.append(f"{user}:{crypt_compat.sha512_crypt(password)}:{uid}:{gid}::"
                         f"{self.home(user)}::\n")
        fill_maildirs(self.home, self.uids, self.small, self.big, self.big_size)
        with open(self.passwd, "w") as f:
            f.writelines(lines)
        os.chmod(self.passwd, 0o644)
        with open(self.conf, "w") as f:
            f.write(self.config_text())

    def config_text(self):
        n = self.conns
        dh = ["ssl_dh = </usr/share/dovecot/dh.pem"] if os.path.exists(
            "/usr/share/dovecot/dh.pem") else []
        return dovecot.config_text(
            "generated by bench/dovecot_ref.py: Debian's Dovecot, private instance",
            f"{self.dir}/run", self.log, self.passwd,
            {"imap": self.imap_port, "imaps": self.imaps_port, "pop3": self.pop3_port},
            settings=["instance_name = dovecot-bench", f"state_dir = {self.dir}/state",
                      "ssl = yes", f"ssl_cert = <{self.cert}", f"ssl_key = <{self.key}",
                      *dh, "disable_plaintext_auth = no",
                      # Limits raised so n connections / sessions fit;
                      # everything else in the login services is Dovecot's
                      # default (service_count = 1: one imap-login process
                      # per connection, which also proxies TLS after login).
                      f"default_client_limit = {4 * n + 1000}"],
            login_settings={"imap": [f"process_limit = {n + 100}"]},
            extra=f"""service imap {{
  process_limit = {n + 100}
}}
protocol imap {{
  mail_max_userip_connections = {n + 100}
}}
{self.extra_conf}""")

    def start(self):
        """prepare(), then dovecot.Instance until IMAP, POP3 and IMAPS
        greet (RuntimeError, i.e. dovecot.StartError, if they do not)."""
        self.prepare()
        self.instance = dovecot.Instance(self.conf, self.log, self.imap_port,
                                         self.pop3_port,
                                         ready=lambda: tls_greets(self.imaps_port))
        try:
            self.instance.start()
        except dovecot.StartError:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise
        self.proc = self.instance.proc
        return self

    def stop(self, keep=False):
        if self.proc is None:
            return
        self.instance.stop()
        self.proc = None
        if not keep:
            shutil.rmtree(self.dir, ignore_errors=True)

    def log_text(self):
        return self.instance.log_text()

    def master_pid(self):
        return self.proc.pid


# -- dovecot-like ---------------------------------------------------------------
class DLBench(dlserver.Server):
    """dlserver.Server plus an imaps listener (ssl_cert/ssl_key), the bench
    users and Maildirs. imaps_ok is False when TLS does not answer (yet)."""
    name = "dovecot-like"

    def __init__(self, conns=500, small=0, big=0, big_size=65536, extra_conf="",
                 require_tls=False):
        # every session is one user from 127.0.0.1: raise the default 10
        # as for Dovecot (a caller's own setting in extra_conf comes later
        # and wins)
        extra_conf = f"mail_max_userip_connections = {conns + 100}\n" + extra_conf
        super().__init__(users=dict(USERS), extra_conf=extra_conf, messages=3,
                         failure_delay="2 secs")
        self.conns, self.small, self.big, self.big_size = conns, small, big, big_size
        self.require_tls = require_tls
        self.imaps_ok = False

    def prepare(self):
        self.imaps_port = dlserver.free_port()
        super().prepare()
        fill_maildirs(self.home, self.uids, self.small, self.big, self.big_size)

    def config_text(self):
        text = super().config_text()
        # works whether or not dlserver.Server already writes an imaps port
        text, n = re.subn(r"(inet_listener imaps \{\s*port = )\d+",
                          lambda m: m.group(1) + str(self.imaps_port), text)
        assert n == 1, "dlserver.Server config layout changed: no imaps listener"
        self.cert, self.key = make_cert(self.dir)
        return text + f"""
# bench/dovecot_ref.py
ssl = yes
ssl_cert = <{self.cert}
ssl_key = <{self.key}
"""

    def start(self):
        super().start()
        deadline = time.time() + 10
        while time.time() < deadline and not self.imaps_ok:
            self.imaps_ok = tls_greets(self.imaps_port)
            if not self.imaps_ok:
                time.sleep(0.2)
        if self.require_tls and not self.imaps_ok:
            self.stop(check_log=False)
            raise RuntimeError("dovecot-like does not answer IMAPS")
        return self

    def stop(self, check_log=False):
        super().stop(check_log=check_log)


LOG_DIR = os.environ.get("BENCH_LOG_DIR", "/tmp/bench-logs")


def bad_log_lines(server, tag=None):
    """Error-level lines of the server's log (and, with tag, keep a copy of
    the log as $BENCH_LOG_DIR/<tag>-<server>.log: the run dir is removed)."""
    text = server.log_text()
    if tag:
        os.makedirs(LOG_DIR, exist_ok=True)
        path = os.path.join(LOG_DIR, f"{tag}-{server.name}.log")
        with open(path, "w") as f:
            f.write(text)
    words = ("Panic:", "Fatal:", "Error:", "AddressSanitizer", "runtime error:",
             "killed with signal")
    return [l for l in text.splitlines() if any(w in l for w in words)]


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("install", "run"):
        print(__doc__)
        return 2
    if sys.argv[1] == "install":
        install_dovecot()
        print(dovecot_version())
        return 0
    which = sys.argv[2] if len(sys.argv) > 2 else "dovecot"
    srv = DovecotRef() if which == "dovecot" else DLBench()
    srv.start()
    print(f"{srv.name}: imap {srv.imap_port} imaps {srv.imaps_port} "
          f"(imaps answers: {srv.imaps_ok}) dir {srv.dir}; users {USERS}; ^C stops")
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
