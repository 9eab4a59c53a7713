"""Authentication paths end to end: password schemes through the auth-worker,
SASL mechanisms over IMAP and POP3, and auth/login processes restarting."""
import base64, imaplib, os, signal, time
import pytest
from dlserver import Server
from rawclient import Imap, Pop3, LOGGED_IN_RE
from test_processes import ps_tree, find

USERS = {"demo": "demo", "alice": "alicepw", "carol": "c4rol-argon", "dave": "d4ve plain"}
SCHEMES = {"carol": "ARGON2ID", "dave": "PLAIN"}


@pytest.fixture(scope="module")
def auth_server():
    srv = Server(users=USERS, schemes=SCHEMES).start()
    yield srv
    srv.stop()


@pytest.mark.parametrize("user", ["demo", "carol", "dave"])
def test_schemes_login(auth_server, user):
    """SHA512-CRYPT, ARGON2ID and PLAIN: right password in, wrong one out."""
    m = imaplib.IMAP4("127.0.0.1", auth_server.imap_port, timeout=15)
    assert m.login(user, USERS[user])[0] == "OK"
    m.logout()
    c = Imap(auth_server.imap_port)
    _, tagged = c.command(f'LOGIN {user} "{USERS[user]}x"')
    assert tagged == "NO [AUTHENTICATIONFAILED] Authentication failed.", tagged
    c.close()


def test_login_with_literal_password(auth_server):
    c = Imap(auth_server.imap_port)
    pw = USERS["dave"].encode()
    c.send(b"a LOGIN dave {%d}\r\n" % len(pw))
    assert c.readline().startswith("+ ")
    c.send(pw + b"\r\n")
    line = c.readline()
    while line.startswith("* "):
        line = c.readline()
    assert line.startswith("a OK"), line
    c.close()


def test_authenticate_login_mechanism(auth_server):
    c = Imap(auth_server.imap_port)
    c.send("a AUTHENTICATE LOGIN\r\n")
    prompt = c.readline()
    assert prompt.startswith("+ "), prompt
    assert base64.b64decode(prompt[2:]).lower().startswith(b"username"), prompt
    c.send(base64.b64encode(b"alice") + b"\r\n")
    prompt = c.readline()
    assert base64.b64decode(prompt[2:]).lower().startswith(b"password"), prompt
    c.send(base64.b64encode(USERS["alice"].encode()) + b"\r\n")
    assert c.readline().startswith("a OK"), "AUTHENTICATE LOGIN failed"
    c.close()


def test_authenticate_cancel(auth_server):
    c = Imap(auth_server.imap_port)
    c.send("a AUTHENTICATE PLAIN\r\n")
    assert c.readline() == "+ "
    c.send("*\r\n")
    assert c.readline().startswith("a BAD"), "cancelled AUTHENTICATE must be BAD"
    _, tagged = c.command("NOOP")
    assert tagged.startswith("OK")
    c.close()


def test_pop3_auth_plain_initial_response(auth_server):
    c = Pop3(auth_server.pop3_port)
    ir = base64.b64encode(b"\0carol\0" + USERS["carol"].encode()).decode()
    assert c.command(f"AUTH PLAIN {ir}").startswith("+OK"), "AUTH PLAIN failed"
    assert c.command("STAT").startswith("+OK 3 ")
    c.command("QUIT")
    c = Pop3(auth_server.pop3_port)
    ir = base64.b64encode(b"\0carol\0wrong").decode()
    assert c.command(f"AUTH PLAIN {ir}").startswith("-ERR [AUTH]")
    c.close()


@pytest.mark.parametrize("service", ["dovecot-like/auth", "dovecot-like/imap-login"])
def test_crashed_service_restarts(fresh_server, service):
    server = fresh_server
    victims = [p for p in find(ps_tree(server.master_pid()), service)
               if not p[2].startswith(service + "-")]
    assert victims, service
    os.kill(victims[0][0], signal.SIGKILL)
    assert server.wait_log("killed with signal 9"), server.log_text()
    deadline = time.time() + 15
    while True:
        try:
            m = imaplib.IMAP4("127.0.0.1", server.imap_port, timeout=5)
            assert m.login("demo", server.users["demo"])[0] == "OK"
            m.logout()
            break
        except (imaplib.IMAP4.error, OSError, EOFError):
            assert time.time() < deadline, server.log_text()
            time.sleep(0.2)
    after = [p for p in find(ps_tree(server.master_pid()), service)
             if not p[2].startswith(service + "-")]
    assert after and after[0][0] != victims[0][0]
    server.stop(check_log=False)


def test_request_in_flight_when_auth_dies_is_retried(fresh_server):
    """A LOGIN sent to an auth process that dies before answering (as on a
    reload, which restarts auth) is sent again to the next auth process:
    the client gets its normal reply, not a temporary failure."""
    server = fresh_server
    auth = [p for p in find(ps_tree(server.master_pid()), "dovecot-like/auth")
            if not p[2].startswith("dovecot-like/auth-")]
    assert auth
    c = Imap(server.imap_port)
    os.kill(auth[0][0], signal.SIGSTOP)     # the request waits unanswered
    try:
        c.send(f"a LOGIN demo {server.users['demo']}\r\n")
        assert not c.is_closed(timeout=0.5)   # nothing answered yet
    finally:
        os.kill(auth[0][0], signal.SIGKILL)
    _, tagged = c.read_response("a")
    assert LOGGED_IN_RE.match(tagged), (tagged, server.log_text())
    assert server.wait_log("Authentication server went away, retrying the request")
    assert "Authentication server unavailable" not in server.log_text()
    untagged, tagged = c.command("LOGOUT")
    assert untagged == ["* BYE Logging out"] and tagged == "OK Logout completed.", \
        (untagged, tagged)
    server.stop(check_log=False)
