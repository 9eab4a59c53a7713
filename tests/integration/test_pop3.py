"""POP3 end to end with poplib and a raw client: STAT, LIST, UIDL, RETR,
TOP, DELE (only on QUIT), RSET, and the errors."""
import imaplib, os, poplib, re
from rawclient import Pop3


def pop_login(server, user="demo"):
    p = poplib.POP3("127.0.0.1", server.pop3_port, timeout=15)
    assert p.user(user).startswith(b"+OK")
    assert p.pass_(server.users[user]).startswith(b"+OK")
    return p


def imap_uids(server, user="demo"):
    m = imaplib.IMAP4("127.0.0.1", server.imap_port, timeout=15)
    m.login(user, server.users[user])
    m.select("INBOX", readonly=True)
    uidvalidity = int(m.untagged_responses["UIDVALIDITY"][0])
    typ, data = m.fetch("1:*", "(UID RFC822.SIZE)")
    rows = [tuple(map(int, re.match(rb"^\d+ \(UID (\d+) RFC822\.SIZE (\d+)\)$", d).groups()))
            for d in data]
    m.logout()
    return uidvalidity, rows


def test_greeting_capa(server):
    c = Pop3(server.pop3_port)
    assert c.greeting.startswith("+OK"), c.greeting
    first, lines = c.multiline("CAPA")
    assert first.startswith("+OK")
    assert "USER" in lines and "UIDL" in lines and "TOP" in lines
    assert any(l.startswith("SASL ") and "PLAIN" in l.split() for l in lines), lines
    assert c.command("QUIT").startswith("+OK")


def test_stat_list_uidl_match_imap(server):
    uidvalidity, rows = imap_uids(server)
    p = pop_login(server)
    count, total = p.stat()
    assert count == len(rows) == server.messages
    assert total == sum(size for _, size in rows)
    resp, listing, _ = p.list()
    assert [tuple(map(int, l.split())) for l in listing] == \
        [(i + 1, size) for i, (_, size) in enumerate(rows)]
    resp, uidls, _ = p.uidl()
    # default pop3_uidl_format = %08Xu%08Xv: lowercase hex, as Dovecot prints it
    assert [l.decode() for l in uidls] == \
        ["%d %08x%08x" % (i + 1, uid, uidvalidity) for i, (uid, _) in enumerate(rows)]
    assert p.uidl(2).decode() == "+OK 2 %08x%08x" % (rows[1][0], uidvalidity)
    p.quit()


def test_retr_byte_stuffing_and_top(server):
    p = pop_login(server)
    resp, lines, octets = p.retr(2)
    assert resp.startswith(b"+OK")
    # poplib undoes the dot-stuffing: the line is back to one leading dot
    assert b".A line starting with a dot, for POP3 byte-stuffing." in lines
    assert any(l.startswith(b"Subject: Sample message") for l in lines)
    resp, lines, octets = p.top(2, 1)
    body_start = lines.index(b"")
    assert len(lines) - body_start - 1 == 1, lines
    p.quit()


def test_raw_retr_is_dot_stuffed(server):
    c = Pop3(server.pop3_port)
    c.command("USER demo")
    assert c.command(f"PASS {server.users['demo']}").startswith("+OK")
    first, lines = c.multiline("RETR 2")
    assert first.startswith("+OK")
    assert "..A line starting with a dot, for POP3 byte-stuffing." in lines
    assert c.command("RETR 99").startswith("-ERR")
    assert c.command("FOO").startswith("-ERR")
    c.command("QUIT")


def test_dele_only_on_quit_and_rset(fresh_server):
    server = fresh_server
    p = pop_login(server)
    assert p.dele(1).startswith(b"+OK")
    assert p.stat()[0] == server.messages - 1
    assert p.rset().startswith(b"+OK")
    assert p.stat()[0] == server.messages
    assert p.dele(1).startswith(b"+OK")
    # connection dropped without QUIT: nothing is deleted
    p.sock.close()
    p = pop_login(server)
    assert p.stat()[0] == server.messages
    assert p.dele(1).startswith(b"+OK")
    p.quit()
    p = pop_login(server)
    assert p.stat()[0] == server.messages - 1
    p.quit()


def test_wrong_password(server):
    c = Pop3(server.pop3_port)
    assert c.command("USER demo").startswith("+OK")
    resp = c.command("PASS wrong")
    assert resp.startswith("-ERR [AUTH]"), resp
    assert c.command("USER demo").startswith("+OK")
    assert c.command(f"PASS {server.users['demo']}").startswith("+OK")
    c.command("QUIT")
