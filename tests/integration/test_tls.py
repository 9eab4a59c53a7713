"""TLS in the login processes (issue 3): implicit TLS on imaps/pop3s,
STARTTLS/STLS with the capability lists of RFC 3501/2595 and Dovecot 2.3
(../shared/reference/imap-capabilities.md), the STARTTLS command-injection
defence, disable_plaintext_auth before/after STARTTLS, client certificates
and EXTERNAL, SNI, session resumption, protocol floor (TLS 1.2), key and
config errors at start-up, certificates reloaded on SIGHUP, and clients that
misbehave during the handshake or trickle bytes (slowloris).

Certificates come from dlserver.tls_material() (a test CA made with the
openssl CLI once per session). Loopback counts as secured (as in Dovecot), so
the plaintext-refusal tests connect through a non-loopback address of this
host, from that address."""
import base64, imaplib, os, poplib, re, shutil, signal, socket, ssl, subprocess, time
import pytest
from dlserver import MASTER, Server, tls_material, local_nonloopback_ip, free_port
from rawclient import Imap, Pop3, LOGGED_IN_RE

BANNER = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+"
CAPS_STARTTLS = BANNER + " STARTTLS AUTH=PLAIN AUTH=LOGIN"
CAPS_TLS = BANNER + " AUTH=PLAIN AUTH=LOGIN"
CAPS_REFUSED = BANNER + " STARTTLS LOGINDISABLED"
CAPA_TAG = "OK Pre-login capabilities listed, post-login capabilities have more."
POP3_CAPA = ["CAPA", "TOP", "UIDL", "RESP-CODES", "PIPELINING", "AUTH-RESP-CODE"]
PLAINTEXT_ALERT = ("* BAD [ALERT] Plaintext authentication not allowed without SSL/TLS, "
                   "but your client did it anyway. If anyone was listening, the "
                   "password was exposed.")
PLAINTEXT_NO = ("NO [PRIVACYREQUIRED] Plaintext authentication disallowed on "
                "non-secure (SSL/TLS) connections.")
POP3_PLAINTEXT_ERR = ("-ERR [AUTH] Plaintext authentication disallowed on non-secure "
                      "(SSL/TLS) connections.")


@pytest.fixture(scope="module")
def tlsm():
    return tls_material()


@pytest.fixture(scope="module")
def tls_server():
    srv = Server(tls=True).start()
    yield srv
    srv.stop()


@pytest.fixture
def fresh_tls_server():
    srv = Server(tls=True).start()
    yield srv
    srv.stop()


def ctx(tlsm, **kw):
    return tlsm.client_context(**kw)


def imap_caps(c):
    """CAPABILITY command; the words and the tagged line."""
    untagged, tagged = c.command("CAPABILITY")
    caps = [u for u in untagged if isinstance(u, str) and u.startswith("* CAPABILITY ")]
    assert len(caps) == 1 and len(untagged) == 1, untagged
    return caps[0][len("* CAPABILITY "):], tagged


def greeting_caps(c):
    m = re.match(r"^\* OK \[CAPABILITY ([^\]]*)\] Dovecot ready\.$", c.greeting)
    assert m, c.greeting
    return m.group(1)


def pop3_capa(c):
    first, lines = c.multiline("CAPA")
    assert first == "+OK", first
    return lines


def log_since(server, offset):
    return server.log_text()[offset:]


# --- implicit TLS and STARTTLS/STLS: exact responses ---------------------

def test_imaps_greeting_capability_login(tls_server, tlsm):
    c = Imap(tls_server.imaps_port, ssl_context=ctx(tlsm))
    assert c.sock.version() in ("TLSv1.2", "TLSv1.3"), c.sock.version()
    # on TLS: no STARTTLS, no LOGINDISABLED, every mechanism
    assert greeting_caps(c) == CAPS_TLS
    assert imap_caps(c) == (CAPS_TLS, CAPA_TAG)
    _, tagged = c.command("STARTTLS")
    assert tagged == "BAD TLS is already active.", tagged
    _, tagged = c.command(f"LOGIN demo {tls_server.users['demo']}")
    assert LOGGED_IN_RE.match(tagged), tagged
    untagged, tagged = c.command("SELECT INBOX")
    assert "* 3 EXISTS" in untagged and tagged.startswith("OK [READ-WRITE]"), (untagged, tagged)
    untagged, tagged = c.command("LOGOUT")
    assert untagged == ["* BYE Logging out"] and tagged == "OK Logout completed.", \
        (untagged, tagged)
    assert c.is_closed()
    assert tls_server.wait_log("Login: user=<demo>"), tls_server.log_text()
    # Dovecot's %c: "TLS" for a TLS connection
    assert re.search(r"imap-login: Info: Login: user=<demo>, method=PLAIN, rip=127\.0\.0\.1, "
                     r"lip=127\.0\.0\.1, mpid=\d+, TLS, ", tls_server.log_text()), \
        tls_server.log_text()


def test_imap_starttls_capabilities(tls_server, tlsm):
    c = Imap(tls_server.imap_port)
    # loopback is secured: plaintext auth allowed, STARTTLS offered
    assert greeting_caps(c) == CAPS_STARTTLS
    assert imap_caps(c) == (CAPS_STARTTLS, CAPA_TAG)
    untagged, tagged = c.command("STARTTLS")
    assert (untagged, tagged) == ([], "OK Begin TLS negotiation now."), (untagged, tagged)
    c.starttls(ctx(tlsm))
    # RFC 3501 6.2.1: the server sends no greeting after the handshake, and
    # STARTTLS is gone from the list
    assert imap_caps(c) == (CAPS_TLS, CAPA_TAG)
    _, tagged = c.command("STARTTLS")
    assert tagged == "BAD TLS is already active.", tagged
    _, tagged = c.command(f"LOGIN demo {tls_server.users['demo']}")
    assert LOGGED_IN_RE.match(tagged), tagged
    untagged, tagged = c.command("SELECT INBOX")
    assert tagged.startswith("OK [READ-WRITE]"), tagged
    untagged, tagged = c.command("FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert tagged == "OK Fetch completed.", tagged
    c.command("LOGOUT")


def test_pop3s_and_stls_capa(tls_server, tlsm):
    c = Pop3(tls_server.pop3s_port, ssl_context=ctx(tlsm))
    assert re.match(r"^\+OK Dovecot ready\.", c.greeting), c.greeting
    assert pop3_capa(c) == POP3_CAPA + ["USER", "SASL PLAIN LOGIN"]
    assert c.command("STLS") == "-ERR TLS is already active."
    assert c.command("USER demo") == "+OK"
    assert c.command("PASS " + tls_server.users["demo"]) == "+OK Logged in."
    assert re.match(r"^\+OK 3 \d+$", c.command("STAT"))
    assert c.command("QUIT").startswith("+OK")

    c = Pop3(tls_server.pop3_port)
    assert pop3_capa(c) == POP3_CAPA + ["STLS", "USER", "SASL PLAIN LOGIN"]
    assert c.command("STLS") == "+OK Begin TLS negotiation now."
    c.starttls(ctx(tlsm))
    assert pop3_capa(c) == POP3_CAPA + ["USER", "SASL PLAIN LOGIN"]
    assert c.command("STLS") == "-ERR TLS is already active."
    assert c.command("USER demo") == "+OK"
    assert c.command("PASS " + tls_server.users["demo"]) == "+OK Logged in."
    first, lines = c.multiline("RETR 1")
    assert first.startswith("+OK") and any(l.startswith("Subject: ") for l in lines)
    assert c.command("QUIT").startswith("+OK")


@pytest.fixture(scope="module")
def remote_server():
    ip = local_nonloopback_ip()
    if ip is None:
        pytest.skip("this host has no non-loopback IPv4 address to connect through")
    srv = Server(tls=True, listen=f"127.0.0.1, {ip}",
                 extra_conf="disable_plaintext_auth = yes\n").start()
    srv.remote_ip = ip
    yield srv
    srv.stop()


def test_imap_plaintext_refused_before_starttls(remote_server, tlsm):
    ip = remote_server.remote_ip
    c = Imap(remote_server.imap_port, host=ip, source=ip)
    # not secured: STARTTLS + LOGINDISABLED, no plaintext mechanism offered
    assert greeting_caps(c) == CAPS_REFUSED
    assert imap_caps(c) == (CAPS_REFUSED, CAPA_TAG)
    untagged, tagged = c.command(f"LOGIN demo {remote_server.users['demo']}")
    assert (untagged, tagged) == ([PLAINTEXT_ALERT], PLAINTEXT_NO), (untagged, tagged)
    untagged, tagged = c.command("AUTHENTICATE PLAIN AGRlbW8AZGVtbw==")
    assert tagged.startswith("NO "), tagged
    _, tagged = c.command("STARTTLS")
    assert tagged == "OK Begin TLS negotiation now.", tagged
    c.starttls(ctx(tlsm))
    assert imap_caps(c) == (CAPS_TLS, CAPA_TAG)
    _, tagged = c.command(f"LOGIN demo {remote_server.users['demo']}")
    assert LOGGED_IN_RE.match(tagged), tagged
    c.command("LOGOUT")
    # the log service writes asynchronously
    assert remote_server.wait_log("Login: user=<demo>"), remote_server.log_text()
    assert re.search(r"Login: user=<demo>, method=PLAIN, rip=%s, lip=%s, mpid=\d+, TLS, "
                     % (re.escape(ip), re.escape(ip)), remote_server.log_text())


def test_pop3_plaintext_refused_before_stls(remote_server, tlsm):
    ip = remote_server.remote_ip
    c = Pop3(remote_server.pop3_port, host=ip, source=ip)
    assert pop3_capa(c) == POP3_CAPA + ["STLS", "SASL"]
    assert c.command("USER demo") == POP3_PLAINTEXT_ERR
    assert c.command("STLS") == "+OK Begin TLS negotiation now."
    c.starttls(ctx(tlsm))
    assert pop3_capa(c) == POP3_CAPA + ["USER", "SASL PLAIN LOGIN"]
    assert c.command("USER demo") == "+OK"
    assert c.command("PASS " + remote_server.users["demo"]) == "+OK Logged in."
    assert c.command("QUIT").startswith("+OK")


def test_imaplib_and_poplib(tls_server, tlsm):
    m = imaplib.IMAP4_SSL("127.0.0.1", tls_server.imaps_port, ssl_context=ctx(tlsm),
                          timeout=15)
    # the login process proxies TLS <-> worker: a 1 MB message comes back
    # byte for byte, and 500 pipelined commands in one write all get answered
    body = (b"Subject: big\r\n\r\n" + b"".join(b"line %07d xxxxxxxxxxxxxxxxxxxxxxxx\r\n" % i
                                               for i in range(26000)))
    new = os.path.join(tls_server.maildir("alice"), "new", "1700000000.big.test")
    with open(new, "wb") as f:
        f.write(body)
    os.chown(new, *tls_server.uids["alice"])
    assert m.login("alice", tls_server.users["alice"])[0] == "OK"
    typ, data = m.select("INBOX")
    assert (typ, data) == ("OK", [b"4"]), (typ, data)
    typ, data = m.fetch("1:4", "(BODY.PEEK[])")
    assert typ == "OK" and [d[1] for d in data if isinstance(d, tuple)].count(body) == 1, typ
    m.logout()
    c = Imap(tls_server.imaps_port, ssl_context=ctx(tlsm))
    _, tagged = c.command(f"LOGIN alice {tls_server.users['alice']}")
    assert LOGGED_IN_RE.match(tagged), tagged
    c.send(b"".join(b"n%d NOOP\r\n" % i for i in range(500)))
    for i in range(500):
        assert c.readline() == "n%d OK NOOP completed." % i
    c.command("LOGOUT")

    m = imaplib.IMAP4("127.0.0.1", tls_server.imap_port, timeout=15)
    assert m.starttls(ssl_context=ctx(tlsm))[0] == "OK"
    assert "STARTTLS" not in m.capabilities and "AUTH=PLAIN" in m.capabilities
    assert m.login("demo", tls_server.users["demo"])[0] == "OK"
    assert m.select("INBOX") == ("OK", [b"3"])
    m.logout()

    p = poplib.POP3_SSL("127.0.0.1", tls_server.pop3s_port, context=ctx(tlsm), timeout=15)
    assert p.user("demo").startswith(b"+OK")
    assert p.pass_(tls_server.users["demo"]) == b"+OK Logged in."
    assert p.stat()[0] == 3
    p.quit()

    p = poplib.POP3("127.0.0.1", tls_server.pop3_port, timeout=15)
    assert "STLS" in p.capa()
    assert p.stls(context=ctx(tlsm)) == b"+OK Begin TLS negotiation now."
    assert "STLS" not in p.capa()
    p.user("demo")
    assert p.pass_(tls_server.users["demo"]) == b"+OK Logged in."
    assert p.stat()[0] == 3
    p.quit()


@pytest.mark.parametrize("port_name", ["imap_port", "imaps_port"])
def test_commands_pipelined_after_login(tls_server, tlsm, port_name):
    """LOGIN and the next command in one packet: the login process hands
    the rest of its input on, and the answer reaches a TLS client too."""
    for i in range(10):
        kw = {"ssl_context": ctx(tlsm)} if port_name == "imaps_port" else {}
        c = Imap(getattr(tls_server, port_name), **kw)
        c.send(f"a LOGIN demo {tls_server.users['demo']}\r\nb LOGOUT\r\n")
        lines = [c.readline() for _ in range(3)]
        assert LOGGED_IN_RE.match(lines[0][2:]) and lines[1:] == \
            ["* BYE Logging out", "b OK Logout completed."], (i, lines)
        c.close()


# --- real client programs -------------------------------------------------

def s_client(tlsm, port, *args, input_text="", timeout=30):
    cmd = ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", "localhost",
           "-CAfile", tlsm.ca_cert, "-verify_return_error", "-crlf", "-ign_eof", *args]
    return subprocess.run(cmd, input=input_text, capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.parametrize("version", ["-tls1_2", "-tls1_3"])
def test_openssl_s_client_imaps(tls_server, tlsm, version):
    r = s_client(tlsm, tls_server.imaps_port, version,
                 input_text=f"a LOGIN demo {tls_server.users['demo']}\nb LOGOUT\n")
    assert r.returncode == 0, r.stdout + r.stderr
    want = "TLSv1.2" if version == "-tls1_2" else "TLSv1.3"
    assert re.search(r"^\s*Protocol\s*: %s$" % want, r.stdout, re.M), r.stdout
    assert "Verify return code: 0 (ok)" in r.stdout, r.stdout
    lines = r.stdout.splitlines()
    assert any(l.startswith("* OK [CAPABILITY " + CAPS_TLS + "]") for l in lines), r.stdout
    assert any(LOGGED_IN_RE.match(l[2:]) for l in lines if l.startswith("a ")), r.stdout
    assert "b OK Logout completed." in lines, r.stdout


def test_openssl_s_client_starttls(tls_server, tlsm):
    r = s_client(tlsm, tls_server.imap_port, "-starttls", "imap",
                 input_text=f"a LOGIN demo {tls_server.users['demo']}\nb LOGOUT\n")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Verify return code: 0 (ok)" in r.stdout, r.stdout
    lines = r.stdout.splitlines()
    assert any(LOGGED_IN_RE.match(l[2:]) for l in lines if l.startswith("a ")), r.stdout
    assert "b OK Logout completed." in lines, r.stdout

    r = s_client(tlsm, tls_server.pop3_port, "-starttls", "pop3",
                 input_text=f"USER demo\nPASS {tls_server.users['demo']}\nSTAT\nQUIT\n")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Verify return code: 0 (ok)" in r.stdout, r.stdout
    lines = r.stdout.splitlines()
    assert "+OK Logged in." in lines, r.stdout
    assert any(re.match(r"^\+OK 3 \d+$", l) for l in lines), r.stdout

    r = s_client(tlsm, tls_server.pop3s_port, input_text="CAPA\nQUIT\n")
    assert r.returncode == 0 and "Verify return code: 0 (ok)" in r.stdout, r.stdout + r.stderr
    assert "STLS" not in r.stdout.splitlines() and "USER" in r.stdout.splitlines(), r.stdout


@pytest.mark.parametrize("version", ["-tls1", "-tls1_1"])
def test_old_tls_versions_refused(tls_server, tlsm, version):
    """ssl_min_protocol defaults to TLSv1.2. The client is allowed down to
    SECLEVEL 0, and an openssl s_server accepting that version proves the
    client would have spoken it: the refusal is the server's."""
    port = free_port()
    control = subprocess.Popen(
        ["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert", tlsm.server_cert,
         "-key", tlsm.server_key, version, "-cipher", "DEFAULT@SECLEVEL=0"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 10
        while Server.greets(port, b"") is False and time.time() < deadline:
            time.sleep(0.1)
        r = s_client(tlsm, port, version, "-cipher", "DEFAULT@SECLEVEL=0", "-no_ign_eof",
                     input_text="")
        want = "TLSv1" if version == "-tls1" else "TLSv1.1"
        assert re.search(r"^\s*Protocol\s*: %s$" % re.escape(want), r.stdout, re.M) and \
            "Cipher is (NONE)" not in r.stdout, "control failed:\n" + r.stdout + r.stderr
    finally:
        control.kill()
        control.wait()
    for port in (tls_server.imaps_port, tls_server.pop3s_port):
        r = s_client(tlsm, port, version, "-cipher", "DEFAULT@SECLEVEL=0", input_text="")
        assert r.returncode != 0, r.stdout
        assert "Cipher is (NONE)" in r.stdout, r.stdout
        assert "Dovecot ready" not in r.stdout
    # and through STARTTLS
    r = s_client(tlsm, tls_server.imap_port, "-starttls", "imap", version,
                 "-cipher", "DEFAULT@SECLEVEL=0", input_text="")
    assert r.returncode != 0 and "Cipher is (NONE)" in r.stdout, r.stdout
    # the server is still fine
    c = Imap(tls_server.imaps_port, ssl_context=ctx(tlsm))
    assert greeting_caps(c) == CAPS_TLS
    c.close()


def curl(*args):
    return subprocess.run(["curl", "-sS", "--max-time", "20", *args],
                          capture_output=True, text=True)


def test_curl_ssl_reqd(tls_server, tlsm):
    pw = tls_server.users["demo"]
    for url in (f"imaps://demo:{pw}@127.0.0.1:{tls_server.imaps_port}/INBOX",
                f"imap://demo:{pw}@127.0.0.1:{tls_server.imap_port}/INBOX"):
        r = curl("--ssl-reqd", "--cacert", tlsm.ca_cert, url)
        assert r.returncode == 0, (url, r.returncode, r.stderr)
        assert r.stdout.splitlines() == ['* LIST (\\HasNoChildren) "." INBOX'], r.stdout
    r = curl("--ssl-reqd", "--cacert", tlsm.ca_cert,
             f"imaps://demo:{pw}@127.0.0.1:{tls_server.imaps_port}/INBOX;UID=1")
    assert r.returncode == 0 and "Subject: " in r.stdout, r.stderr
    for url in (f"pop3s://demo:{pw}@127.0.0.1:{tls_server.pop3s_port}/",
                f"pop3://demo:{pw}@127.0.0.1:{tls_server.pop3_port}/"):
        r = curl("--ssl-reqd", "--cacert", tlsm.ca_cert, url)
        assert r.returncode == 0, (url, r.returncode, r.stderr)
        assert [l.split()[0] for l in r.stdout.splitlines()][:3] == ["1", "2", "3"], r.stdout
    # curl checks the name: the test CA is what makes it pass
    r = curl("--ssl-reqd", f"imaps://demo:{pw}@127.0.0.1:{tls_server.imaps_port}/INBOX")
    assert r.returncode == 60, (r.returncode, r.stderr)   # CURLE_PEER_FAILED_VERIFICATION


# --- attacks and misbehaving clients ---------------------------------------

def test_starttls_injection_discarded(tls_server, tlsm):
    """CVE-2011-0411 style: commands pipelined after STARTTLS in the same
    packet were sent in plaintext and must not run after the handshake."""
    c = Imap(tls_server.imap_port)
    c.send(b"a STARTTLS\r\nb CAPABILITY\r\n")
    assert c.readline() == "a OK Begin TLS negotiation now."
    time.sleep(0.3)
    c.sock.settimeout(0.5)
    try:
        extra = c.sock.recv(4096)
    except socket.timeout:
        extra = b""
    assert extra == b"", "plaintext sent after the STARTTLS reply: %r" % extra
    c.sock.settimeout(10)
    c.starttls(ctx(tlsm))
    c.sock.settimeout(1.5)
    try:
        injected = c.sock.recv(4096)
    except socket.timeout:
        injected = b""
    assert injected == b"", "the injected command was answered: %r" % injected
    c.sock.settimeout(10)
    untagged, tagged = c.command("CAPABILITY")
    assert untagged == ["* CAPABILITY " + CAPS_TLS] and tagged == CAPA_TAG, (untagged, tagged)

    p = Pop3(tls_server.pop3_port)
    p.send(b"STLS\r\nUSER demo\r\n")
    assert p.readline() == "+OK Begin TLS negotiation now."
    p.starttls(ctx(tlsm))
    p.sock.settimeout(1.5)
    try:
        injected = p.sock.recv(4096)
    except socket.timeout:
        injected = b""
    assert injected == b"", "the injected command was answered: %r" % injected
    p.sock.settimeout(10)
    # USER never ran: PASS has no user to go with
    assert p.command("PASS " + tls_server.users["demo"]).startswith("-ERR"), "USER was run"
    assert p.command("QUIT").startswith("+OK")


def client_hello():
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    c.check_hostname = False
    c.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = c.wrap_bio(incoming, outgoing, server_hostname="localhost")
    with pytest.raises(ssl.SSLWantReadError):
        obj.do_handshake()
    return outgoing.read()


def test_client_drops_mid_handshake(fresh_tls_server, tlsm):
    server = fresh_tls_server
    offset = len(server.log_text())
    hello = client_hello()
    assert hello[0] == 0x16 and len(hello) > 100
    drops = 0
    for port in (server.imaps_port, server.pop3s_port):
        # nothing at all; half a ClientHello; a whole one then gone after the
        # ServerHello; the same with a RST; plaintext on the TLS port
        for how in ("nothing", "half", "full", "rst", "plaintext"):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            if how == "half":
                s.sendall(hello[:len(hello) // 2])
                time.sleep(0.2)
            elif how in ("full", "rst"):
                s.sendall(hello)
                assert s.recv(5)[:1] == b"\x16", how     # a handshake record back
                if how == "rst":
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
            elif how == "plaintext":
                s.sendall(b"a LOGIN demo demo\r\n")
                s.settimeout(5)
                try:
                    data = s.recv(4096)
                except (socket.timeout, ConnectionResetError):
                    data = b""
                assert b"OK" not in data, data
            s.close()
            drops += 1
    # the login processes keep serving
    c = Imap(server.imaps_port, ssl_context=ctx(tlsm))
    _, tagged = c.command(f"LOGIN demo {server.users['demo']}")
    assert LOGGED_IN_RE.match(tagged), tagged
    c.command("LOGOUT")
    p = Pop3(server.pop3s_port, ssl_context=ctx(tlsm))
    assert pop3_capa(p)[-1] == "SASL PLAIN LOGIN"
    p.command("QUIT")
    deadline = time.time() + 10
    while time.time() < deadline:
        log = log_since(server, offset)
        if len(re.findall(r"-login: Info: Disconnected", log)) >= drops:
            break
        time.sleep(0.1)
    log = log_since(server, offset)
    assert len(re.findall(r"-login: Info: Disconnected", log)) >= drops, log
    bad = [l for l in log.splitlines() if re.search(r": (Error|Fatal|Panic|Warning): ", l)]
    assert not bad, "\n".join(bad)


def login_timeout_key():
    """The setting that bounds the pre-login phase, if the build has one."""
    srv = Server()
    srv.prepare()
    try:
        r = subprocess.run([MASTER, "-a", "-c", srv.conf], capture_output=True, text=True,
                           timeout=30)
    finally:
        shutil.rmtree(srv.dir, ignore_errors=True)
    keys = re.findall(r"^(login_\w*timeout) = ", r.stdout, re.M)
    return keys[0] if keys else None


LOGIN_TIMEOUT = 3


@pytest.fixture(scope="module")
def slow_server():
    key = login_timeout_key()
    if key is None:
        pytest.skip("no login timeout setting (login_*timeout) in this build: the pre-login "
                    "limit is the fixed 3 min CLIENT_LOGIN_IDLE_TIMEOUT_MSECS, which each "
                    "received byte resets, too long for a test")
    srv = Server(tls=True, extra_conf=f"{key} = {LOGIN_TIMEOUT} secs\n").start()
    yield srv
    srv.stop()


@pytest.mark.parametrize("phase", ["plaintext", "tls-handshake", "tls-command"])
def test_slowloris_cut_at_login_timeout(slow_server, tlsm, phase):
    """A byte every 0.5 s never lets the connection idle, but the pre-login
    phase as a whole is bounded by the login timeout."""
    start = time.time()
    if phase == "plaintext":
        sock = socket.create_connection(("127.0.0.1", slow_server.imap_port), timeout=10)
        assert sock.recv(4096).startswith(b"* OK")
        drip = b"a LOGIN demo " + b"x" * 100
    elif phase == "tls-handshake":
        sock = socket.create_connection(("127.0.0.1", slow_server.imaps_port), timeout=10)
        drip = client_hello()
    else:
        sock = ctx(tlsm).wrap_socket(
            socket.create_connection(("127.0.0.1", slow_server.imaps_port), timeout=10),
            server_hostname="localhost")
        assert sock.recv(4096).startswith(b"* OK")
        drip = b"a LOGIN demo " + b"x" * 100
    closed_at, received = None, b""
    sock.setblocking(False)
    for i in range(len(drip)):
        try:
            sock.send(drip[i:i + 1])
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            closed_at = time.time()
            break
        time.sleep(0.5)
        try:
            chunk = sock.recv(4096)
            if chunk == b"":
                closed_at = time.time()
                break
            received += chunk
        except (BlockingIOError, ssl.SSLWantReadError):
            pass
        except (ConnectionResetError, ssl.SSLError, OSError):
            closed_at = time.time()
            break
        if time.time() - start > LOGIN_TIMEOUT + 10:
            break
    sock.close()
    assert closed_at is not None, "still connected after %.1f s" % (time.time() - start)
    elapsed = closed_at - start
    assert LOGIN_TIMEOUT - 0.5 <= elapsed <= LOGIN_TIMEOUT + 3, elapsed
    if phase != "tls-handshake":
        assert received.endswith(b"* BYE Disconnected for inactivity.\r\n"), received


# --- client certificates, EXTERNAL ------------------------------------------

@pytest.fixture(scope="module")
def cert_server(tlsm):
    srv = Server(tls=True, extra_conf=f"""ssl_ca = <{tlsm.ca_bundle}
ssl_verify_client_cert = yes
auth_ssl_require_client_cert = yes
auth_ssl_username_from_cert = yes
auth_mechanisms = plain login external
""").start()
    yield srv
    srv.stop()


def login_with_cert(server, tlsm, cert, key):
    """(handshake_ok, tagged reply to LOGIN or None)."""
    try:
        c = Imap(server.imaps_port, ssl_context=ctx(tlsm, cert=cert, key=key))
        _, tagged = c.command(f"LOGIN demo {server.users['demo']}")
    except (ssl.SSLError, EOFError, ConnectionResetError) as e:
        return False, str(e)
    c.close()
    return True, tagged


def test_client_cert_good(cert_server, tlsm):
    offset = len(cert_server.log_text())
    ok, tagged = login_with_cert(cert_server, tlsm, tlsm.client_cert, tlsm.client_key)
    assert ok and LOGGED_IN_RE.match(tagged), tagged
    # the log service writes asynchronously: let this session's lines land
    # so they cannot be mistaken for a later test's
    assert cert_server.wait_log("(TLS proxy, ", offset=offset), \
        log_since(cert_server, offset)


@pytest.mark.parametrize("which,reason", [
    ("expired", "(client sent an invalid cert)"),
    ("wrongca", "(client sent an invalid cert)"),
    ("none", "(client didn't send a cert)")])
def test_client_cert_refused(cert_server, tlsm, which, reason):
    """Dovecot completes the handshake and refuses the login; a refusal in
    the handshake itself is also accepted. Either way: no login, and the
    disconnect line says why."""
    cert, key = {"expired": (tlsm.expired_cert, tlsm.expired_key),
                 "wrongca": (tlsm.wrongca_cert, tlsm.wrongca_key),
                 "none": (None, None)}[which]
    offset = len(cert_server.log_text())
    ok, tagged = login_with_cert(cert_server, tlsm, cert, key)
    if ok:
        assert re.match(r"^NO \[(AUTHENTICATIONFAILED|ALERT)\] ", tagged), tagged
    assert cert_server.wait_log("Disconnected", offset=offset), \
        log_since(cert_server, offset)
    log = log_since(cert_server, offset)
    assert "Login: user=<demo>" not in log, log
    if ok:
        assert reason in log, log


@pytest.fixture(scope="module")
def external_server(tlsm):
    """EXTERNAL as Dovecot does it: the certificate names the user and the
    passdb is asked with no password, so it needs a nopassword passdb."""
    srv = Server(tls=True, extra_conf=f"""ssl_ca = <{tlsm.ca_bundle}
ssl_verify_client_cert = yes
auth_ssl_require_client_cert = yes
auth_ssl_username_from_cert = yes
auth_mechanisms = external
passdb {{
  driver = static
  args = nopassword=y
}}
""").start()
    yield srv
    srv.stop()


def test_external_with_username_from_cert(external_server, tlsm):
    server = external_server
    c = Imap(server.imaps_port,
             ssl_context=ctx(tlsm, cert=tlsm.client_cert, key=tlsm.client_key))
    # LOGINDISABLED: PLAIN is not enabled, so LOGIN can't work even on TLS
    assert greeting_caps(c) == BANNER + " LOGINDISABLED AUTH=EXTERNAL"
    _, tagged = c.command("AUTHENTICATE EXTERNAL =")
    assert LOGGED_IN_RE.match(tagged), tagged
    assert server.wait_log("Login: user=<demo>, method=EXTERNAL"), server.log_text()
    c.command("LOGOUT")
    # RFC 4422 A.1: authzid naming the cert's user is fine, another one not
    c = Imap(server.imaps_port,
             ssl_context=ctx(tlsm, cert=tlsm.client_cert, key=tlsm.client_key))
    c.send("x AUTHENTICATE EXTERNAL\r\n")
    assert c.readline() == "+ "
    c.send(base64.b64encode(b"alice") + b"\r\n")
    assert c.readline().startswith("x NO "), "EXTERNAL let demo's cert act as alice"
    c.close()
    # without a valid certificate EXTERNAL fails
    for cert, key in ((None, None), (tlsm.expired_cert, tlsm.expired_key),
                      (tlsm.wrongca_cert, tlsm.wrongca_key)):
        try:
            c = Imap(server.imaps_port, ssl_context=ctx(tlsm, cert=cert, key=key))
            _, tagged = c.command("AUTHENTICATE EXTERNAL =")
        except (ssl.SSLError, EOFError, ConnectionResetError):
            continue
        assert tagged.startswith("NO "), (cert, tagged)
        c.close()


# --- SNI, resumption ---------------------------------------------------------

def test_sni_picks_local_name_cert(tlsm):
    srv = Server(tls=True, extra_conf=f"""local_name {tlsm.sni_name} {{
  ssl_cert = <{tlsm.sni_cert}
  ssl_key = <{tlsm.sni_key}
}}
""").start()
    try:
        for port in (srv.imaps_port, srv.pop3s_port):
            c = Imap if port == srv.imaps_port else Pop3
            # ssl's hostname check: the cert must name what we asked for
            s = c(port, ssl_context=ctx(tlsm), server_hostname=tlsm.sni_name)
            subject = dict(x[0] for x in s.sock.getpeercert()["subject"])
            assert subject["commonName"] == tlsm.sni_name, subject
            s.close()
            s = c(port, ssl_context=ctx(tlsm), server_hostname="localhost")
            subject = dict(x[0] for x in s.sock.getpeercert()["subject"])
            assert subject["commonName"] == "localhost", subject
            s.close()
        # STARTTLS too
        c = Imap(srv.imap_port)
        assert c.command("STARTTLS")[1] == "OK Begin TLS negotiation now."
        c.starttls(ctx(tlsm), server_hostname=tlsm.sni_name)
        assert imap_caps(c) == (CAPS_TLS, CAPA_TAG)
        c.close()
    finally:
        srv.stop()


@pytest.mark.parametrize("version", ["TLSv1_2", "TLSv1_3"])
def test_session_resumption(tls_server, tlsm, version):
    context = ctx(tlsm)
    context.minimum_version = context.maximum_version = getattr(ssl.TLSVersion, version)
    session = None
    reused = []
    for i in range(4):
        raw = socket.create_connection(("127.0.0.1", tls_server.imaps_port), timeout=10)
        s = context.wrap_socket(raw, server_hostname="localhost", session=session)
        data = s.recv(4096)      # the greeting (and TLS 1.3 tickets before it)
        assert data.startswith(b"* OK"), data
        if i > 0:
            reused.append(s.session_reused)
        s.sendall(b"a LOGOUT\r\n")
        s.recv(4096)
        session = s.session
        s.close()
    assert session is not None
    assert reused == [True, True, True], reused


# --- start-up errors and config forms ---------------------------------------

def test_encrypted_key_without_password_fails_at_startup(tlsm):
    srv = Server(tls=True, ssl_conf=f"ssl = yes\nssl_cert = <{tlsm.server_cert}\n"
                                    f"ssl_key = <{tlsm.encrypted_key}\n")
    srv.prepare()
    proc = subprocess.Popen(srv.master_cmd("-F"), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.terminate()
        proc.communicate()
        raise AssertionError("master started with an encrypted key and no password")
    finally:
        text = srv.log_text()
        shutil.rmtree(srv.dir, ignore_errors=True)
    text = out + text
    assert proc.returncode != 0, text
    assert "ssl_key_password" in text and re.search(r"ssl_key\b", text), text
    assert re.search(r"encrypted|password", text, re.I), text
    for port in (srv.imap_port, srv.imaps_port, srv.pop3_port, srv.pop3s_port):
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
        finally:
            s.close()


def test_encrypted_key_with_password_serves(tlsm):
    srv = Server(tls=True, ssl_conf=f"ssl = yes\nssl_cert = <{tlsm.server_cert}\n"
                                    f"ssl_key = <{tlsm.encrypted_key}\n"
                                    f"ssl_key_password = {tlsm.KEY_PASSWORD}\n").start()
    try:
        c = Imap(srv.imaps_port, ssl_context=ctx(tlsm))
        assert greeting_caps(c) == CAPS_TLS
        c.close()
    finally:
        srv.stop()


class LegacyServer(Server):
    """Dovecot 1.x form: protocols with imaps/pop3s, ssl_cert_file,
    ssl_key_file, listen/ssl_listen inside protocol { }."""

    def config_text(self):
        m = tls_material()
        return f"""# 1.x style, generated by test_tls.py
base_dir = {self.dir}/run
protocols = imap pop3 imaps pop3s
listen = 127.0.0.1
log_path = {self.log}
ssl_cert_file = {m.server_cert}
ssl_key_file = {m.server_key}
mail_location = maildir:~/Maildir
auth_failure_delay = 1 secs
protocol imap {{
  listen = 127.0.0.1:{self.imap_port}
  ssl_listen = 127.0.0.1:{self.imaps_port}
}}
protocol pop3 {{
  listen = 127.0.0.1:{self.pop3_port}
  ssl_listen = 127.0.0.1:{self.pop3s_port}
}}
auth default {{
  mechanisms = plain login
  passdb passwd-file {{
    args = {self.passwd}
  }}
  userdb passwd-file {{
    args = {self.passwd}
  }}
}}
"""


def test_dovecot_1x_ssl_config_serves_tls(tlsm):
    srv = LegacyServer(tls=True).start()
    try:
        m = imaplib.IMAP4_SSL("127.0.0.1", srv.imaps_port, ssl_context=ctx(tlsm), timeout=15)
        assert m.login("demo", srv.users["demo"])[0] == "OK"
        assert m.select("INBOX") == ("OK", [b"3"])
        m.logout()
        p = poplib.POP3_SSL("127.0.0.1", srv.pop3s_port, context=ctx(tlsm), timeout=15)
        p.user("demo")
        assert p.pass_(srv.users["demo"]) == b"+OK Logged in."
        p.quit()
        c = Imap(srv.imap_port)
        assert greeting_caps(c) == CAPS_STARTTLS
        c.close()
    finally:
        srv.stop()


# --- reload ------------------------------------------------------------------

def peer_cert(port, tlsm):
    with ctx(tlsm).wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10),
                               server_hostname="localhost") as s:
        s.recv(100)
        return s.getpeercert(binary_form=True)


def der(path):
    return ssl.PEM_cert_to_DER_cert(open(path).read())


def test_sighup_reloads_certificate_keeps_sessions(fresh_tls_server, tlsm):
    server = fresh_tls_server
    assert peer_cert(server.imaps_port, tlsm) == der(tlsm.server_cert)
    session = imaplib.IMAP4_SSL("127.0.0.1", server.imaps_port, ssl_context=ctx(tlsm),
                                timeout=15)
    session.login("alice", server.users["alice"])
    session.select("INBOX")
    waiting = Imap(server.imaps_port, ssl_context=ctx(tlsm))      # pre-login, on TLS
    pop = poplib.POP3_SSL("127.0.0.1", server.pop3s_port, context=ctx(tlsm), timeout=15)
    pop.user("demo")
    pop.pass_(server.users["demo"])
    # replace the certificate and key files in place, then SIGHUP
    for src, dst in ((tlsm.server2_cert, server.ssl_cert), (tlsm.server2_key, server.ssl_key)):
        with open(src) as f:
            data = f.read()
        with open(dst + ".new", "w") as f:
            f.write(data)
        os.chmod(dst + ".new", 0o644)
        os.replace(dst + ".new", dst)
    os.kill(server.master_pid(), signal.SIGHUP)
    assert server.wait_log("Configuration reloaded"), server.log_text()
    deadline = time.time() + 10
    while peer_cert(server.imaps_port, tlsm) != der(tlsm.server2_cert):
        assert time.time() < deadline, "new connections still get the old certificate"
        time.sleep(0.2)
    assert peer_cert(server.pop3s_port, tlsm) == der(tlsm.server2_cert)
    # STARTTLS sees it as well
    c = Imap(server.imap_port)
    c.command("STARTTLS")
    c.starttls(ctx(tlsm))
    assert c.sock.getpeercert(binary_form=True) == der(tlsm.server2_cert)
    c.close()
    # established TLS sessions keep working
    assert session.noop()[0] == "OK"
    typ, data = session.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert typ == "OK" and b"Subject:" in data[0][1]
    session.logout()
    assert pop.stat()[0] == 3
    pop.quit()
    assert waiting.sock.getpeercert(binary_form=True) == der(tlsm.server_cert)
    _, tagged = waiting.command(f"LOGIN demo {server.users['demo']}")
    assert LOGGED_IN_RE.match(tagged), tagged
    waiting.command("LOGOUT")
