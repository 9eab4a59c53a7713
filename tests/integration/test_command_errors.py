"""Unusable tags and command names after login, answered as Debian's
Dovecot 2.3 answers them: "* BAD Error in IMAP tag: Invalid tag." for a
tag that is empty or holds "+", "%", "*" or another atom-special, "x BAD
Error in IMAP command: Invalid command name." for an empty or non-atom
command name, and "x BAD Error in IMAP command NAME: Unknown command." (with
"UID " before the name for UID commands) for a name we don't know. Every
case leaves the connection usable: a following "y NOOP" is answered."""
import pytest
from dlserver import Server
from rawclient import LineClient
from filled_inbox import without_timing

INVALID_TAG = "* BAD Error in IMAP tag: Invalid tag."
INVALID_NAME = "x BAD Error in IMAP command: Invalid command name."

# name -> (line sent, the one reply line)
CASES = {
    "empty_line": (b"\r\n", INVALID_TAG),
    "leading_space": (b" NOOP\r\n", INVALID_TAG),
    "tag_plus": (b"+ NOOP\r\n", INVALID_TAG),
    "tag_star": (b"x* NOOP\r\n", INVALID_TAG),
    "tag_percent": (b"x% NOOP\r\n", INVALID_TAG),
    "tag_quote": (b'x" NOOP\r\n', INVALID_TAG),
    "tag_quoted": (b'"x" NOOP\r\n', INVALID_TAG),
    "tag_literal": (b"x{1} NOOP\r\n", INVALID_TAG),
    "tag_paren": (b"x( NOOP\r\n", INVALID_TAG),
    "tag_only": (b"x\r\n", INVALID_NAME),
    "tag_space": (b"x \r\n", INVALID_NAME),
    "uid_only": (b"x UID\r\n", INVALID_NAME),
    "name_quoted": (b'x "NOOP"\r\n', INVALID_NAME),
    "name_literal": (b"x {4}\r\n", INVALID_NAME),
    "name_paren": (b"x NOOP(\r\n", INVALID_NAME),
    "name_quote_inside": (b'x NO"OP\r\n', INVALID_NAME),
    "name_ctl": (b"x NO\x01OP\r\n", INVALID_NAME),
    "unknown": (b"x FOOBAR\r\n",
                "x BAD Error in IMAP command FOOBAR: Unknown command."),
    "unknown_args": (b"x FOOBAR a (b {3}\r\n",
                     "x BAD Error in IMAP command FOOBAR: Unknown command."),
    "unknown_lowercase": (b"x foobar\r\n",
                          "x BAD Error in IMAP command FOOBAR: Unknown command."),
    "unknown_digit": (b"x 9NOOP\r\n",
                      "x BAD Error in IMAP command 9NOOP: Unknown command."),
    "uid_unknown": (b"x UID FETCH2 1 FLAGS\r\n",
                    "x BAD Error in IMAP command UID FETCH2: Unknown command."),
    "uid_no_uid_form": (b"x UID NOOP\r\n",
                        "x BAD Error in IMAP command UID NOOP: Unknown command."),
    "uid_uid": (b"x UID UID FETCH 1 FLAGS\r\n",
                "x BAD Error in IMAP command UID UID: Unknown command."),
    "bad_arguments": (b"x SELECT\r\n",
                      "x BAD Error in IMAP command SELECT: Invalid arguments."),
    "not_selected": (b"x FETCH 1 FLAGS\r\n", "x BAD No mailbox selected."),
}


def connect(port):
    return LineClient.logged_in(port)


def run_case(port, name):
    """The reply to the case's line and the reply to a NOOP after it."""
    c = connect(port)
    try:
        c.send(CASES[name][0])
        c.send(b"y NOOP\r\n")
        lines = []
        while True:
            line = c.readline()
            if line.startswith("y "):
                return lines, line
            lines.append(line)
    finally:
        c.close()


@pytest.fixture(scope="module")
def dl():
    srv = Server(users={"demo": "demo"})
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def dc():
    import dovecot
    with dovecot.serving_demo() as inst:
        yield inst


@pytest.mark.parametrize("name", sorted(CASES))
def test_command_error(dl, name):
    lines, after = run_case(dl.imap_port, name)
    assert lines == [CASES[name][1]]
    assert after == "y OK NOOP completed."


@pytest.mark.parametrize("name", sorted(CASES))
def test_command_error_like_dovecot(dc, name):
    lines, after = run_case(dc.imap_port, name)
    want = CASES[name][1]
    # Dovecot puts its timing before the final "." of its BAD replies
    assert [without_timing(l) + "." for l in lines] == [want], lines
    assert without_timing(after) + "." == "y OK NOOP completed."


def test_rfc_tag_with_bracket_accepted(dl):
    """RFC 3501's tag may hold "]" (ASTRING-CHAR); Dovecot refuses it."""
    c = connect(dl.imap_port)
    try:
        c.send(b"x] NOOP\r\n")
        assert c.readline() == "x] OK NOOP completed."
    finally:
        c.close()
