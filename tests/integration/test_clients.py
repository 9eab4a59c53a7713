"""Real client programs: curl over IMAP and POP3."""
import re, subprocess


def curl(*args):
    return subprocess.run(["curl", "-sS", "--max-time", "20", *args],
                          capture_output=True, text=True)


def test_curl_imap_inbox(server):
    r = curl(f"imap://demo:{server.users['demo']}@127.0.0.1:{server.imap_port}/INBOX")
    assert r.returncode == 0, r.stderr
    # for a mailbox URL curl sends LIST "INBOX" * and prints the answer
    assert r.stdout.splitlines() == ['* LIST (\\HasNoChildren) "." INBOX'], r.stdout


def test_curl_imap_list_all(server):
    r = curl(f"imap://demo:{server.users['demo']}@127.0.0.1:{server.imap_port}/")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ['* LIST (\\HasNoChildren) "." INBOX'], r.stdout


def test_curl_imap_fetch_message(server):
    r = curl(f"imap://demo:{server.users['demo']}@127.0.0.1:{server.imap_port}/INBOX;UID=1")
    assert r.returncode == 0, r.stderr
    assert "Subject: Sample message" in r.stdout


def test_curl_pop3_list_and_retr(server):
    base = f"pop3://demo:{server.users['demo']}@127.0.0.1:{server.pop3_port}/"
    r = curl(base)
    assert r.returncode == 0, r.stderr
    assert [l.split()[0] for l in r.stdout.splitlines()] == \
        [str(i) for i in range(1, server.messages + 1)]
    r = curl(base + "1")
    assert r.returncode == 0 and "Subject: Sample message" in r.stdout, r.stdout


def test_curl_wrong_password(server):
    r = curl(f"imap://demo:nope@127.0.0.1:{server.imap_port}/INBOX")
    assert r.returncode == 67, (r.returncode, r.stderr)  # CURLE_LOGIN_DENIED
