"""Postfix (smtpd_sasl_type = dovecot) authenticates SMTP users through our
auth-client socket, unchanged, driven by swaks: the MTA side of the auth
protocol (shared/reference/auth-protocol.md s.4)."""
import os, shutil, subprocess, tempfile, time
import pytest
from dlserver import Server, free_port

pytestmark = pytest.mark.skipif(shutil.which("postfix") is None or
                                shutil.which("swaks") is None,
                                reason="postfix and swaks are installed by scripts/install-deps.sh")


def start_postfix(auth_socket):
    d = tempfile.mkdtemp(prefix="dl-postfix-")
    os.chmod(d, 0o755)
    conf, queue, data = (os.path.join(d, x) for x in ("conf", "queue", "data"))
    for p in (conf, queue, data):
        os.makedirs(p)
    shutil.chown(data, "postfix")
    port = free_port()
    with open(os.path.join(conf, "main.cf"), "w") as f:
        f.write(f"""compatibility_level = 3.6
queue_directory = {queue}
data_directory = {data}
mail_owner = postfix
myhostname = localhost
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
maillog_file = {d}/postfix.log
maillog_file_prefixes = {d}
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = {auth_socket}
smtpd_relay_restrictions = permit_sasl_authenticated, reject
smtpd_tls_security_level = none
""")
    # Debian's master.cf with smtpd on our port, not chrooted (the socket
    # path is outside the queue directory)
    with open("/etc/postfix/master.cf") as f:
        services = [l for l in f if not l.startswith("smtp ")]
    services.append(f"{port} inet n - n - - smtpd\n")
    with open(os.path.join(conf, "master.cf"), "w") as f:
        f.writelines(services)
    r = subprocess.run(["postfix", "-c", conf, "start"], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    deadline = time.time() + 20
    while not Server.greets(port, b"220"):
        assert time.time() < deadline, "postfix did not start"
        time.sleep(0.1)
    return d, conf, port


@pytest.fixture(scope="module")
def mta():
    srv = Server()
    srv.prepare()
    socket_path = os.path.join(srv.dir, "run", "postfix-auth")
    with open(srv.conf, "a") as f:
        f.write(f"service auth {{\n  unix_listener {socket_path} {{\n"
                f"    mode = 0666\n  }}\n}}\n")
    srv.prepare = lambda: None
    srv.start()
    d, conf, port = start_postfix(socket_path)
    yield srv, port
    subprocess.run(["postfix", "-c", conf, "stop"], capture_output=True)
    shutil.rmtree(d, ignore_errors=True)
    srv.stop()


def swaks(port, *args, quit_after="AUTH"):
    return subprocess.run(["swaks", "--server", f"127.0.0.1:{port}", "--quit-after", quit_after,
                           "--timeout", "20", *args], capture_output=True, text=True, timeout=60)


def test_ehlo_offers_our_mechanisms(mta):
    srv, port = mta
    r = swaks(port, quit_after="EHLO")
    assert "<-  250-AUTH PLAIN LOGIN" in r.stdout or "<-  250 AUTH PLAIN LOGIN" in r.stdout, r.stdout


@pytest.mark.parametrize("mech", ["PLAIN", "LOGIN"])
def test_smtp_auth_success(mta, mech):
    srv, port = mta
    r = swaks(port, "--auth", mech, "--auth-user", "alice",
              "--auth-password", srv.users["alice"])
    assert "<-  235 2.7.0 Authentication successful" in r.stdout, r.stdout


def test_smtp_auth_failure(mta):
    srv, port = mta
    r = swaks(port, "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "wrong")
    assert "<** 535 5.7.8 Error: authentication failed" in r.stdout, r.stdout
    assert r.returncode != 0
