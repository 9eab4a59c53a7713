"""The per-IP authentication failure penalty (Dovecot's auth penalty through
anvil): failed logins raise the client IP's penalty, repeating the same
wrong password does not, a successful login resets it, the next request
from a penalized IP waits 4, 8, 15 s before it starts, and
login_trusted_networks are exempt. `doveadm-like penalty` shows anvil's
table in Dovecot's layout.

No timing is measured: the tests assert the penalty table and auth's debug
lines saying which delay it decided. The scenarios that must sit out a
penalty run at the same time, each from its own loopback address (every
127/8 address is its own client IP to the server), so the module waits
about one 4 s penalty in all."""
import os, re, signal, subprocess, threading
import pytest
from dlserver import Server, PREFIX
from rawclient import Imap, Pop3, LOGGED_IN_RE
from test_processes import ps_tree, find

DOVEADM = os.path.join(PREFIX, "bin", "doveadm-like")
USERS = {"demo": "demo"}
CONF = "auth_debug = yes\n"
IMAP_FAILED = "NO [AUTHENTICATIONFAILED] Authentication failed."
POP3_FAILED = "-ERR [AUTH] Authentication failed."
DELAY_RE = re.compile(r"^\S+ \S+ auth: Debug: penalty\(\?,([0-9.]+)\): "
                      r"Delaying the request by (\d+) secs \(penalty (\d+)\)$")
ROW_RE = re.compile(r"^(\S+) +(\d+) +(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) "
                    r"(\d\d:\d\d:\d\d) *$")
TITLES = ("IP", "penalty", "last_penalty", "last_update")


def render(rows):
    """Dovecot 2.3's doveadm table layout off a terminal: columns as wide
    as their widest cell, one space apart, every cell padded, the last
    column widened by half of what is left of 80."""
    cells = [TITLES] + [tuple(r) for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(4)]
    total = sum(widths) + 3
    if total < 80:
        widths[3] += (80 - total) // 2
    return "".join(" ".join(c.ljust(w) for c, w in zip(r, widths)) + "\n"
                   for r in cells)


def penalty_table(srv, *args):
    """{ip: (penalty, last_penalty, last_update)} from doveadm-like penalty,
    whose output must be exactly Dovecot's layout of those rows."""
    r = subprocess.run([DOVEADM, "-c", srv.conf, "penalty", *args],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and r.stderr == "", (r.returncode, r.stderr)
    lines = r.stdout.split("\n")
    assert lines[-1] == "" and len(lines) >= 2, r.stdout
    rows = []
    for line in lines[1:-1]:
        m = ROW_RE.match(line)
        assert m, line
        rows.append(m.groups())
    assert r.stdout == render(rows), r.stdout
    table = {row[0]: (int(row[1]), row[2], row[3]) for row in rows}
    assert len(table) == len(rows), rows
    return table


def delays(srv):
    """[(ip, secs, penalty)] of auth's "Delaying the request" lines."""
    return [(m.group(1), int(m.group(2)), int(m.group(3)))
            for m in map(DELAY_RE.match, srv.log_text().splitlines()) if m]


def imap_login(srv, source, password, user="demo"):
    c = Imap(srv.imap_port, timeout=60, source=source)
    _, tagged = c.command("LOGIN %s %s" % (user, password))
    c.close()
    return tagged


def login_decided(srv, source, password, expect):
    """Send a LOGIN and wait until auth logged the delay it decided for it
    (expect = (secs, penalty)). The request still runs when the delay is
    over (the login process notices the hang-up only then, as Dovecot's
    does), so only the module's last test may do this."""
    offset = len(srv.log_text())
    c = Imap(srv.imap_port, timeout=60, source=source)
    c.send("a LOGIN demo %s\r\n" % password)
    needle = "penalty(?,%s): Delaying the request by %d secs (penalty %d)" % (
        source, *expect)
    found = srv.wait_log(needle, timeout=30, offset=offset)
    c.close()
    return found


def pop3_login(srv, source, password):
    c = Pop3(srv.pop3_port, timeout=60, source=source)
    assert c.command("USER demo") == "+OK"
    reply = c.command("PASS " + password)
    c.close()
    return reply


def scenario_distinct_passwords(srv):
    ip = "127.0.0.2"
    return [imap_login(srv, ip, "wrong1"), imap_login(srv, ip, "wrong2")]


def scenario_same_password(srv):
    ip = "127.0.0.3"
    return [imap_login(srv, ip, "same-wrong"), imap_login(srv, ip, "same-wrong")]


def scenario_reset(srv):
    ip = "127.0.0.4"
    return [imap_login(srv, ip, "wrong"), imap_login(srv, ip, USERS["demo"])]


def scenario_pop3(srv):
    ip = "127.0.0.5"
    return [pop3_login(srv, ip, "wrong1"), pop3_login(srv, ip, "wrong2")]


SCENARIOS = {"distinct": scenario_distinct_passwords, "same": scenario_same_password,
             "reset": scenario_reset, "pop3": scenario_pop3}


@pytest.fixture(scope="module")
def srv():
    s = Server(users=USERS, extra_conf=CONF, failure_delay="0").start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def results(srv):
    """Every scenario's replies, run side by side, plus the table after."""
    empty = penalty_table(srv)
    out, errors = {}, []

    def run(name):
        try:
            out[name] = SCENARIOS[name](srv)
        except Exception as e:      # reported by the tests below
            errors.append("%s: %r" % (name, e))
    threads = [threading.Thread(target=run, args=(n,)) for n in SCENARIOS]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert set(out) == set(SCENARIOS), out
    return {"before": empty, "replies": out, "table": penalty_table(srv),
            "delays": delays(srv)}


def test_empty_table_is_dovecots(results):
    # byte for byte what Dovecot 2.3.19's doveadm penalty prints for an
    # empty table (not on a terminal)
    assert results["before"] == {}
    assert render([]) == "IP penalty last_penalty last_update" + " " * 22 + "\n"


def test_distinct_passwords_raise_penalty(results):
    assert results["replies"]["distinct"] == [IMAP_FAILED, IMAP_FAILED]
    penalty, last_penalty, last_update = results["table"]["127.0.0.2"]
    assert penalty == 2
    assert last_penalty.endswith(" " + last_update), (last_penalty, last_update)
    # the first attempt did not wait, the second waited 4 s (penalty 1)
    assert [d for d in results["delays"] if d[0] == "127.0.0.2"] == \
        [("127.0.0.2", 4, 1)]


def test_same_password_does_not_raise(results):
    assert results["replies"]["same"] == [IMAP_FAILED, IMAP_FAILED]
    penalty, last_penalty, last_update = results["table"]["127.0.0.3"]
    assert penalty == 1
    # the repeat was seen (it moved last_update) but raised nothing
    assert not last_penalty.endswith(" " + last_update), (last_penalty, last_update)
    assert [d for d in results["delays"] if d[0] == "127.0.0.3"] == \
        [("127.0.0.3", 4, 1)]


def test_success_resets(results):
    wrong, right = results["replies"]["reset"]
    assert wrong == IMAP_FAILED
    assert LOGGED_IN_RE.match(right), right
    assert "127.0.0.4" not in results["table"]
    assert [d for d in results["delays"] if d[0] == "127.0.0.4"] == \
        [("127.0.0.4", 4, 1)]


def test_pop3(results):
    assert results["replies"]["pop3"] == [POP3_FAILED, POP3_FAILED]
    assert results["table"]["127.0.0.5"][0] == 2
    assert [d for d in results["delays"] if d[0] == "127.0.0.5"] == \
        [("127.0.0.5", 4, 1)]


def test_table_has_only_the_failing_ips(results):
    assert sorted(results["table"]) == ["127.0.0.2", "127.0.0.3", "127.0.0.5"]


def test_filter(srv, results):
    full = penalty_table(srv)
    assert sorted(penalty_table(srv, "127.0.0.0/8")) == sorted(full)
    assert sorted(penalty_table(srv, "0.0.0.0/0")) == sorted(full)
    assert sorted(penalty_table(srv, "127.0.0.2")) == ["127.0.0.2"]
    assert sorted(penalty_table(srv, "127.0.0.2/31")) == ["127.0.0.2", "127.0.0.3"]
    assert penalty_table(srv, "127.0.0.9") == {}
    assert penalty_table(srv, "::/0") == {}
    for bad in ("bogus", "1.2.3.4/33", "1.2.3.4/", "::1/129", "*"):
        r = subprocess.run([DOVEADM, "-c", srv.conf, "penalty", bad],
                           capture_output=True, text=True, timeout=30)
        assert (r.returncode, r.stdout, r.stderr) == \
            (64, "", "Error: Invalid netmask '%s' given\n" % bad), bad


def test_penalty_2_waits_8_secs(srv, results):
    """Last test on srv (see login_decided): the third attempt from the
    IP with penalty 2 waits 8 s."""
    assert login_decided(srv, "127.0.0.2", "wrong3", (8, 2))


def test_trusted_networks_exempt(fresh_server_factory):
    srv = fresh_server_factory("login_trusted_networks = 127.0.0.0/8\n")
    assert imap_login(srv, "127.0.0.1", "wrong1") == IMAP_FAILED
    assert imap_login(srv, "127.0.0.1", "wrong2") == IMAP_FAILED
    assert pop3_login(srv, "127.0.0.1", "wrong3") == POP3_FAILED
    assert penalty_table(srv) == {}
    assert delays(srv) == []


def test_ipv6_penalized_by_48(fresh_server_factory):
    """An IPv6 client is counted by its /48 (Dovecot's
    PENALTY_IPV6_MASK_BITS): ::1 shows up as ::."""
    srv = fresh_server_factory("", listen="127.0.0.1, ::1")
    c = Imap(srv.imap_port, timeout=60, host="::1")
    _, tagged = c.command("LOGIN demo wrong")
    c.close()
    assert tagged == IMAP_FAILED
    assert {ip: v[0] for ip, v in penalty_table(srv).items()} == {"::": 1}
    assert list(penalty_table(srv, "::/48")) == ["::"]
    assert penalty_table(srv, "::1") == {}
    assert penalty_table(srv, "127.0.0.0/8") == {}


def test_disabled_with_listener_mode_0(fresh_server_factory):
    """Dovecot's way to turn the penalty off: no anvil-auth-penalty socket.
    auth then neither asks nor complains."""
    srv = fresh_server_factory("service anvil {\n  unix_listener anvil-auth-penalty {\n"
                               "    mode = 0\n  }\n}\n")
    assert not os.path.exists(os.path.join(srv.dir, "run", "anvil-auth-penalty"))
    assert imap_login(srv, "127.0.0.1", "wrong1") == IMAP_FAILED
    assert imap_login(srv, "127.0.0.1", "wrong2") == IMAP_FAILED
    assert penalty_table(srv) == {}
    assert delays(srv) == []
    assert "no authentication penalty" in srv.log_text()
    assert "authenticating without penalty" not in srv.log_text()


def test_anvil_gone_logins_go_on(fresh_server_factory):
    """anvil dies while auth waits for its PENALTY-GET reply: the request
    goes on without a penalty, auth logs that once, and logins keep
    working while anvil is away (or back, as a new empty process)."""
    srv = fresh_server_factory("")
    srv.expected_log_errors = ["killed with signal 9",
                               "/anvil-auth-penalty: EOF: authenticating without penalty"]
    anvil = find(ps_tree(srv.master_pid()), "dovecot-like/anvil")
    assert len(anvil) == 1, anvil
    os.kill(anvil[0][0], signal.SIGSTOP)    # the GET stays unanswered
    try:
        c = Imap(srv.imap_port, timeout=60)
        c.send("a LOGIN demo %s\r\n" % USERS["demo"])
        assert not c.is_closed(timeout=0.5)
    finally:
        os.kill(anvil[0][0], signal.SIGKILL)
    _, tagged = c.read_response("a")
    assert LOGGED_IN_RE.match(tagged), tagged
    c.close()
    assert srv.wait_log("killed with signal 9")
    assert imap_login(srv, "127.0.0.1", "wrong") == IMAP_FAILED
    assert LOGGED_IN_RE.match(imap_login(srv, "127.0.0.1", USERS["demo"]))
    assert srv.wait_log("authenticating without penalty")
    outage = [l for l in srv.log_text().splitlines()
              if "authenticating without penalty" in l]
    assert len(outage) == 1 and " auth: Error: anvil " in outage[0], outage
    assert delays(srv) == []


@pytest.fixture
def fresh_server_factory():
    started = []

    def make(extra, **kw):
        s = Server(users=USERS, extra_conf=CONF + extra, failure_delay="0",
                   **kw).start()
        started.append(s)
        return s
    yield make
    for s in started:
        s.stop()
