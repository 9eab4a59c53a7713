"""Config handling as an administrator meets it: errors stop start-up before
anything is bound, naming file:line and key; -n prints what differs; a
Dovecot 1.x config loads with warnings."""
import os, re, socket, subprocess, tempfile
from dlserver import MASTER, Server


def run_master(conf_text, *args):
    d = tempfile.mkdtemp(prefix="dl-conf-")
    path = os.path.join(d, "dovecot-like.conf")
    with open(path, "w") as f:
        f.write(conf_text)
    r = subprocess.run([MASTER, "-c", path, *args], capture_output=True, text=True,
                       timeout=30)
    return path, r


def port_is_free(port):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def test_errors_name_file_line_key_and_bind_nothing():
    srv = Server()
    srv.prepare()
    with open(srv.conf) as f:
        text = f.read()
    text += "\nno_such_setting = 1\nservice imap-login {\n  bogus_key = 2\n}\n"
    with open(srv.conf, "w") as f:
        f.write(text)
    nlines = text.count("\n")
    r = subprocess.run([MASTER, "-F", "-c", srv.conf], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode != 0
    err = r.stderr + r.stdout
    assert re.search(re.escape(srv.conf) + r":%d: .*no_such_setting" % (nlines - 3), err), err
    assert re.search(re.escape(srv.conf) + r":%d: .*bogus_key" % (nlines - 1), err), err
    assert port_is_free(srv.imap_port) and port_is_free(srv.pop3_port)


def test_syntax_error():
    path, r = run_master("protocols = imap\nservice imap-login {\n", "-n")
    assert r.returncode != 0
    assert path in r.stderr, r.stderr


def test_dump_changed_settings():
    path, r = run_master("protocols = imap\nauth_failure_delay = 5 secs\n", "-n")
    assert r.returncode == 0, r.stderr
    assert re.search(r"^protocols = imap$", r.stdout, re.M), r.stdout
    assert re.search(r"^auth_failure_delay = 5 secs$", r.stdout, re.M), r.stdout
    assert "base_dir" not in r.stdout


def test_dovecot_1x_config_loads_with_warnings():
    conf = """protocols = imap pop3 imaps pop3s
ssl_cert_file = /etc/ssl/certs/ssl-cert-snakeoil.pem
ssl_key_file = /etc/ssl/private/ssl-cert-snakeoil.key
pop3_uidl_format = %08Xu%08Xv
auth default {
  mechanisms = login plain
  passdb pam {
  }
  userdb passwd {
  }
}
"""
    path, r = run_master(conf, "-n")
    assert r.returncode == 0, r.stderr
    assert "ssl_cert_file" in r.stderr and "Warning" in r.stderr, r.stderr
    assert re.search(r"^ssl_cert = </etc/ssl/certs/ssl-cert-snakeoil.pem$", r.stdout, re.M), r.stdout
    assert re.search(r"^auth_mechanisms = login plain$", r.stdout, re.M), r.stdout
    assert re.search(r"^passdb \{\n\s+driver = pam\n", r.stdout, re.M), r.stdout


def test_second_master_refused(server):
    r = subprocess.run(server.master_cmd("-F"), capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    assert "already running" in r.stderr + r.stdout
