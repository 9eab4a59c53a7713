"""The strict IMAP response parser (imap_grammar.py) that rawclient.Imap puts
every server response through: the RFCs' own example responses parse, each
rejection rule rejects with its exact error and offset (no server needed),
and a broad command script against our server and Debian's Dovecot 2.3
parses completely (every response is checked by rawclient)."""
import base64
import socket
import threading
import pytest

from imap_grammar import parse_response, ImapGrammarError
from fetch_structure_cases import CASES
from filled_inbox import server_conn, dovecot_session
from rawclient import Imap, LineClient

# --- positive examples: responses from RFC 3501/9051 and the extensions ----

POSITIVE = [
    (b"* OK IMAP4rev1 Service Ready\r\n", True,
     ("*", "OK", None, "IMAP4rev1 Service Ready")),
    (b"* PREAUTH IMAP4rev1 server logged in as Smith\r\n", True,
     ("*", "PREAUTH", None, "IMAP4rev1 server logged in as Smith")),
    (b"* OK [CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI] Server ready\r\n", True,
     ("*", "OK", ("CAPABILITY", ["IMAP4rev2", "STARTTLS", "AUTH=GSSAPI"]),
      "Server ready")),
    (b"* CAPABILITY IMAP4rev1 STARTTLS AUTH=GSSAPI LOGINDISABLED\r\n", False,
     ("*", "CAPABILITY", ["IMAP4rev1", "STARTTLS", "AUTH=GSSAPI",
                          "LOGINDISABLED"])),
    (b"+ idling\r\n", False, ("+", None, "idling")),
    (b"+ YGgGCSqGSIb3EgECAgIBAAD/////6jcyG4GE3KkTzBeBiVHeceP2CWY0SR0fAQAgAAQEBAQ=\r\n",
     False, ("+", None, "YGgGCSqGSIb3EgECAgIBAAD/////6jcyG4GE3KkTzBeBiVHeceP2CWY0SR0fAQAgAAQEBAQ=")),
    (b"+\r\n", False, ("+", None, "")),
    (b"a002 OK [READ-WRITE] SELECT completed\r\n", False,
     ("a002", "OK", ("READ-WRITE",), "SELECT completed")),
    (b"* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n", False,
     ("*", "OK", ("PERMANENTFLAGS", ["\\Deleted", "\\Seen", "\\*"]), "Limited")),
    (b"* OK [UIDVALIDITY 3857529045] UIDs valid\r\n", False,
     ("*", "OK", ("UIDVALIDITY", 3857529045), "UIDs valid")),
    (b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $MDNSent)\r\n",
     False, ("*", "FLAGS", ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen",
                            "\\Draft", "$MDNSent"])),
    (b"* 172 EXISTS\r\n", False, ("*", "EXISTS", 172)),
    (b"* 0 RECENT\r\n", False, ("*", "RECENT", 0)),
    (b"* 44 EXPUNGE\r\n", False, ("*", "EXPUNGE", 44)),
    (b'* LIST (\\Noselect) "/" ~/Mail/foo\r\n', False,
     ("*", "LIST", ["\\Noselect"], "/", b"~/Mail/foo", [])),
    (b'* LIST () NIL ""\r\n', False, ("*", "LIST", [], None, b"", [])),
    (b'* LIST (\\Marked \\NoInferiors) "\\\\" inbox\r\n', False,
     ("*", "LIST", ["\\Marked", "\\NoInferiors"], "\\", b"inbox", [])),
    (b'* LIST () "/" "Foo" ("CHILDINFO" ("SUBSCRIBED"))\r\n', False,
     ("*", "LIST", [], "/", b"Foo", [("CHILDINFO", [b"SUBSCRIBED"])])),
    (b'* LIST () "." "NewName" ("OLDNAME" ("OldName"))\r\n', False,
     ("*", "LIST", [], ".", b"NewName", [("OLDNAME", b"OldName")])),
    (b'* LIST (\\HasNoChildren \\Sent) "/" {4}\r\nSent\r\n', False,
     ("*", "LIST", ["\\HasNoChildren", "\\Sent"], "/", b"Sent", [])),
    (b"* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n", False,
     ("*", "STATUS", b"blurdybloop", [("MESSAGES", 231), ("UIDNEXT", 44292)])),
    (b"* STATUS INBOX (SIZE 123456789012 HIGHESTMODSEQ 0 DELETED 3 "
     b"MAILBOXID (F2212ea87-6097-4256-9d51-71338625))\r\n", False,
     ("*", "STATUS", b"INBOX", [("SIZE", 123456789012), ("HIGHESTMODSEQ", 0),
                                ("DELETED", 3), ("MAILBOXID",
                                "F2212ea87-6097-4256-9d51-71338625")])),
    (b"* STATUS x ()\r\n", False, ("*", "STATUS", b"x", [])),
    (b"* SEARCH 2 84 882\r\n", False, ("*", "SEARCH", [2, 84, 882], None)),
    (b"* SEARCH\r\n", False, ("*", "SEARCH", [], None)),
    (b"* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)\r\n", False,
     ("*", "SEARCH", [2, 5, 6, 7, 11, 12, 18, 19, 20, 23], 917162500)),
    (b'* ESEARCH (TAG "A282") MIN 2 COUNT 3\r\n', False,
     ("*", "ESEARCH", b"A282", False, [("MIN", 2), ("COUNT", 3)])),
    (b'* ESEARCH (TAG "A283") ALL 2,10:11\r\n', False,
     ("*", "ESEARCH", b"A283", False, [("ALL", [2, (10, 11)])])),
    (b"* ESEARCH (TAG \"a\") UID\r\n", False, ("*", "ESEARCH", b"a", True, [])),
    (b"* ESEARCH UID COUNT 0 MODSEQ 5\r\n", False,
     ("*", "ESEARCH", None, True, [("COUNT", 0), ("MODSEQ", 5)])),
    (b'* ESEARCH (TAG "B01") UID ADDTO (0 32768:32769) REMOVEFROM (0 3)\r\n',
     False, ("*", "ESEARCH", b"B01", True,
             [("ADDTO", [(0, [(32768, 32769)])]), ("REMOVEFROM", [(0, [3])])])),
    (b'* ESEARCH (TAG "C1") PARTIAL (1:100 200:250,252)\r\n', False,
     ("*", "ESEARCH", b"C1", False, [("PARTIAL", (1, 100), [(200, 250), 252])])),
    (b"* SORT 2 3 6\r\n", False, ("*", "SORT", [2, 3, 6], None)),
    (b"* THREAD (2)(3 6 (4 23)(44 7 96))\r\n", False,
     ("*", "THREAD", [[2], [3, 6, [[4, 23], [44, 7, 96]]]])),
    (b"* THREAD ((3)(5))\r\n", False, ("*", "THREAD", [[[3], [5]]])),
    (b"* THREAD\r\n", False, ("*", "THREAD", [])),
    (b"* VANISHED (EARLIER) 41,43:116,118,120:211,214:540\r\n", False,
     ("*", "VANISHED", True, [41, (43, 116), 118, (120, 211), (214, 540)])),
    (b"* VANISHED 405,407,410:420\r\n", False,
     ("*", "VANISHED", False, [405, 407, (410, 420)])),
    (b"* OK [HIGHESTMODSEQ 715194045007] Highest\r\n", False,
     ("*", "OK", ("HIGHESTMODSEQ", 715194045007), "Highest")),
    (b"* OK [NOMODSEQ] Sorry, this mailbox format doesn't support modsequences\r\n",
     False, ("*", "OK", ("NOMODSEQ",),
             "Sorry, this mailbox format doesn't support modsequences")),
    (b"d105 OK [MODIFIED 7,9] Conditional STORE failed\r\n", False,
     ("d105", "OK", ("MODIFIED", [7, 9]), "Conditional STORE failed")),
    (b"* OK [CLOSED] Previous mailbox closed.\r\n", False,
     ("*", "OK", ("CLOSED",), "Previous mailbox closed.")),
    (b"A003 OK [APPENDUID 38505 3955] APPEND completed\r\n", False,
     ("A003", "OK", ("APPENDUID", 38505, [3955]), "APPEND completed")),
    (b"A004 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n", False,
     ("A004", "OK", ("COPYUID", 38505, [304, (319, 320)], [(3956, 3958)]),
      "Done")),
    (b"A003 OK [UIDNOTSTICKY] Created\r\n", False,
     ("A003", "OK", ("UIDNOTSTICKY",), "Created")),
    (b"a NO [AUTHENTICATIONFAILED] Authentication failed.\r\n", False,
     ("a", "NO", ("AUTHENTICATIONFAILED",), "Authentication failed.")),
    (b"b NO [ALREADYEXISTS] Mailbox already exists\r\n", False,
     ("b", "NO", ("ALREADYEXISTS",), "Mailbox already exists")),
    (b"c NO [UNKNOWN-CTE] Can't decode\r\n", False,
     ("c", "NO", ("UNKNOWN-CTE",), "Can't decode")),
    (b"c OK [XFOO some args, here] x\r\n", False,
     ("c", "OK", ("XFOO", "some args, here"), "x")),
    (b"c BAD [BADCHARSET (UTF-8 US-ASCII)] charset\r\n", False,
     ("c", "BAD", ("BADCHARSET", [b"UTF-8", b"US-ASCII"]), "charset")),
    (b"a OK \r\n", False, ("a", "OK", None, "")),
    (b"t1 OK [MAILBOXID (F2212ea87-6097)] Created\r\n", False,
     ("t1", "OK", ("MAILBOXID", "F2212ea87-6097"), "Created")),
    (b"* ENABLED CONDSTORE QRESYNC\r\n", False,
     ("*", "ENABLED", ["CONDSTORE", "QRESYNC"])),
    (b"* ENABLED\r\n", False, ("*", "ENABLED", [])),
    (b'* ID ("name" "Cyrus" "version" "1.5" "os" NIL)\r\n', False,
     ("*", "ID", [(b"name", b"Cyrus"), (b"version", b"1.5"), (b"os", None)])),
    (b"* ID NIL\r\n", False, ("*", "ID", None)),
    (b'* NAMESPACE (("" "/")) (("~" "/")) (("#shared/" "/")("#public/" "/"))\r\n',
     False, ("*", "NAMESPACE", [(b"", b"/", [])], [(b"~", b"/", [])],
             [(b"#shared/", b"/", []), (b"#public/", b"/", [])])),
    (b'* NAMESPACE (("" "/" "X-PARAM" ("FLAG1" "FLAG2"))) NIL NIL\r\n', False,
     ("*", "NAMESPACE", [(b"", b"/", [(b"X-PARAM", [b"FLAG1", b"FLAG2"])])],
      None, None)),
    (b"a OK [COMPRESSIONACTIVE] DEFLATE active\r\n", False,
     ("a", "OK", ("COMPRESSIONACTIVE",), "DEFLATE active")),
    (b"* BYE Autologout; idle for too long\r\n", False,
     ("*", "BYE", None, "Autologout; idle for too long")),
    (b"* 23 FETCH (FLAGS (\\Seen) UID 4827313)\r\n", False,
     ("*", "FETCH", 23, [("FLAGS", ["\\Seen"]), ("UID", 4827313)])),
    (b"* 7 FETCH (MODSEQ (12121231777) FLAGS ())\r\n", False,
     ("*", "FETCH", 7, [("MODSEQ", 12121231777), ("FLAGS", [])])),
    (b"* 12 FETCH (BODY[HEADER] {12}\r\nSubject:\r\n\r\n BODY[TEXT]<0> \"\")\r\n",
     False, ("*", "FETCH", 12, [("BODY", ([], ("HEADER",)), None,
                                 b"Subject:\r\n\r\n"),
                                ("BODY", ([], ("TEXT",)), 0, b"")])),
    (b"* 1 FETCH (BODY[1.2.HEADER.FIELDS.NOT (Date \"X-A\")] NIL "
     b"BODY[4.2.MIME] NIL BODY[] NIL)\r\n", False,
     ("*", "FETCH", 1, [("BODY", ([1, 2], ("HEADER.FIELDS.NOT", ["Date", "X-A"])),
                         None, None),
                        ("BODY", ([4, 2], ("MIME",)), None, None),
                        ("BODY", ([], None), None, None)])),
    (b"* 1 FETCH (BINARY[1] ~{4}\r\n\x00\x01\r\n BINARY.SIZE[1] 4 BINARY[] {0}\r\n)\r\n",
     False, ("*", "FETCH", 1, [("BINARY", [1], None, b"\x00\x01\r\n"),
                               ("BINARY.SIZE", [1], 4),
                               ("BINARY", [], None, b"")])),
    (b'* 1 FETCH (EMAILID (M6d99ac3275bb4e) THREADID NIL SAVEDATE '
     b'" 1-Jan-2020 10:00:00 +0100")\r\n', False,
     ("*", "FETCH", 1, [("EMAILID", "M6d99ac3275bb4e"), ("THREADID", None),
                        ("SAVEDATE", " 1-Jan-2020 10:00:00 +0100")])),
    (b'* 12 FETCH (FLAGS (\\Seen) INTERNALDATE "17-Jul-1996 02:44:25 -0700" '
     b'RFC822.SIZE 4286 ENVELOPE ("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" '
     b'"IMAP4rev1 WG mtg summary and minutes" '
     b'(("Terry Gray" NIL "gray" "cac.washington.edu")) '
     b'(("Terry Gray" NIL "gray" "cac.washington.edu")) '
     b'(("Terry Gray" NIL "gray" "cac.washington.edu")) '
     b'((NIL NIL "imap" "cac.washington.edu")) '
     b'((NIL NIL "minutes" "CNRI.Reston.VA.US")'
     b'("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL '
     b'"<B27397-0100000@cac.washington.edu>") '
     b'BODY ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3028 92))\r\n',
     False, None),
    (b'* 3 FETCH (BODYSTRUCTURE (("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL '
     b'NIL "7BIT" 1152 23)("TEXT" "PLAIN" ("CHARSET" "US-ASCII" "NAME" '
     b'"cc.diff") "<960723163407.20117h@cac.washington.edu>" '
     b'"Compiler diff" "BASE64" 4554 73) "MIXED"))\r\n', False, None),
    (b'* 4 FETCH (BODYSTRUCTURE (("text" "plain" NIL NIL NIL "7bit" 3 1 '
     b'"md5" ("inline" ("a" "b")) ("en" "de") "loc" 5 ("x" (1 NIL)))'
     b'("message" "rfc822" NIL NIL NIL "7bit" 100 (NIL NIL NIL NIL NIL NIL '
     b'NIL NIL NIL NIL) ("text" "html" NIL NIL NIL "8bit" 0 0) 4) '
     b'"mixed" ("boundary" "x") NIL NIL NIL))\r\n', False, None),
    (b'* 5 FETCH (BODY ("application" "octet-stream" NIL NIL NIL "base64" 0))\r\n',
     False, None),
    (b'* 6 FETCH (RFC822.HEADER {2}\r\n\r\n RFC822.TEXT NIL RFC822 "")\r\n',
     False, None),
]


@pytest.mark.parametrize("i", range(len(POSITIVE)))
def test_positive(i):
    data, greeting, want = POSITIVE[i]
    got = parse_response(data, greeting=greeting)
    if want is not None:
        assert got == want
    else:
        assert got[1] == "FETCH"


def test_envelope_structure():
    got = parse_response(POSITIVE[[p[0][:13] for p in POSITIVE].index(
        b"* 12 FETCH (F")][0])
    env = dict(got[3])["ENVELOPE"]
    assert len(env) == 10
    assert env[6] == [[None, None, b"minutes", b"CNRI.Reston.VA.US"],
                      [b"John Klensin", None, b"KLENSIN", b"MIT.EDU"]]
    assert dict(got[3])["BODY"] == (
        b"TEXT", b"PLAIN", [[(b"CHARSET", b"US-ASCII")], None, None, b"7BIT",
                            3028], [92], None)


@pytest.mark.parametrize("name", sorted(CASES))
def test_dovecot_structure_replies_parse(name):
    """Dovecot 2.3's recorded FETCH ENVELOPE BODY BODYSTRUCTURE replies
    (the same bytes our server must send) parse without allowances."""
    got = parse_response(CASES[name][1])
    assert [a[0] for a in got[3]] == ["ENVELOPE", "BODY", "BODYSTRUCTURE"]


def test_utf8_only_when_enabled():
    data = '* LIST () "/" "Entwürfe"\r\n'.encode()
    with pytest.raises(ImapGrammarError) as e:
        parse_response(data)
    assert (e.value.msg, e.value.pos) == ("8-bit byte not allowed here", 19)
    assert parse_response(data, utf8=True)[4] == "Entwürfe".encode()
    with pytest.raises(ImapGrammarError) as e:
        parse_response(b'* LIST () "/" "a\xff"\r\n', utf8=True)
    assert (e.value.msg, e.value.pos) == ("invalid UTF-8", 16)
    # no allowance for Dovecot either (2.3 sends 8-bit strings as literals)
    with pytest.raises(ImapGrammarError) as e:
        parse_response(data, dovecot=True)
    assert (e.value.msg, e.value.pos) == ("8-bit byte not allowed here", 19)


# --- negative examples: (response, error message, offset) ------------------

NEGATIVE = [
    (b"* 1 FETCH (UID 5\r\n", "expected 'SP'", 16),             # unbalanced
    (b"* 1 FETCH (UID 5))\r\n", "expected 'CRLF'", 17),          # extra ")"
    (b"* 1 FETCH  (UID 5)\r\n", "expected '('", 10),             # extra SP
    (b"* 1 FETCH(UID 5)\r\n", "expected 'SP'", 9),               # missing SP
    (b"* 1 FETCH (UID 5  FLAGS ())\r\n", "expected msg-att name", 17),
    (b"* 1 FETCH (UID 5 FLAGS (\\Seen\\x))\r\n", "expected 'SP'", 29),
    (b"* FLAGS (\\Seen fo%o)\r\n", "expected 'SP'", 17),        # bad atom char
    (b"* FLAGS (\\Seen \"x\")\r\n", "expected atom", 15),
    (b"* FLAGS ()\r", "expected 'CRLF'", 10),
    (b"* FLAGS ()\n", "expected 'CRLF'", 10),
    (b"* FLAGS ()\r\nx", "data after the response's CRLF", 12),
    (b"* 1 FETCH (BODY[] {50}\r\nabc)\r\n", "literal shorter than its length", 18),
    (b"* 1 FETCH (BODY[] {2}\r\nabc)\r\n", "expected 'SP'", 25),
    (b"* 1 FETCH (BODY[] {2+}\r\nab)\r\n",
     "non-synchronizing literal from the server", 20),
    (b"* 1 FETCH (BODY[] {2}\r\na\x00)\r\n",
     "NUL in a literal (CHAR8 excludes it)", 24),
    (b"* 1 FETCH (BODY[] \"a\rb\")\r\n", "CR or LF inside a quoted string", 20),
    (b"* 1 FETCH (BODY[] \"a\nb\")\r\n", "CR or LF inside a quoted string", 20),
    (b"* 1 FETCH (BODY[] \"a\\b\")\r\n",
     "backslash not followed by a quoted-special", 20),
    (b"* 1 FETCH (BODY[] \"ab)\r\n", "CR or LF inside a quoted string", 22),
    (b"* 1 FETCH (BODY[] \"\x7f\x01\x00\")\r\n",
     "invalid character in a quoted string", 21),
    (b"* +1 EXISTS\r\n", "unknown response '+1'", 2),
    (b"* -1 EXPUNGE\r\n", "unknown response '-1'", 2),
    (b"* 0 EXPUNGE\r\n", "message sequence number 0 (nz-number)", 11),
    (b"* 0 FETCH (UID 1)\r\n", "message sequence number 0 (nz-number)", 9),
    (b"* 1 FETCH (UID 0)\r\n", "nz-number must not start with 0", 15),
    (b"* 1 FETCH (UID 01)\r\n", "nz-number must not start with 0", 15),
    (b"* 1 FETCH (UID 4294967296)\r\n", "uniqueid out of range", 15),
    (b"* 1 FETCH (MODSEQ (0))\r\n", "nz-number must not start with 0", 19),
    (b"* 1 FETCH (MODSEQ (9223372036854775808))\r\n",
     "mod-sequence-value out of range", 19),
    (b"* OK [UIDNEXT 0] x\r\n", "nz-number must not start with 0", 14),
    (b"* OK [UIDNEXT x] x\r\n", "expected nz-number", 14),
    (b"* OK [UIDVALIDITY 1]\r\n", "expected SP after \"]\"", 20),
    (b"* OK [READ-WRITE x\r\n", "expected ']'", 16),
    (b"* OK [COPYUID 1 2 3:*] x\r\n", "\"*\" in a uid-set", 21),
    (b"* 1 FETCH (XFOO 1)\r\n", "unknown msg-att 'XFOO'", 11),
    (b"* 1 FETCH ()\r\n", "empty list", 11),
    (b"* XFOO 1\r\n", "unknown response 'XFOO'", 2),
    (b"* 5 XFOO\r\n", "unknown message data 'XFOO'", 8),
    (b"* STATUS x (XFOO 1)\r\n", "unknown STATUS item 'XFOO'", 12),
    (b"* ESEARCH XFOO 1\r\n", "unknown ESEARCH return data 'XFOO'", 10),
    (b"* LIST () \"/\" x (\"XFOO\" 1)\r\n",
     "unknown LIST extended item b'XFOO'", 17),
    (b"* LIST (foo) \"/\" x\r\n", "mailbox list flag 'foo' is not \\atom", 7),
    (b"* LIST () \"//\" x\r\n", "expected 'DQUOTE'", 12),
    (b"* LIST (\\Marked \\Noselect) \"/\" x\r\n",
     "more than one mbx-list-sflag ['\\\\Marked', '\\\\Noselect']", 7),
    (b"* 1 FETCH (UID +5)\r\n", "expected uniqueid", 15),
    (b"* 1 FETCH (RFC822.SIZE -1)\r\n", "expected number64", 23),
    (b"* CAPABILITY IMAP4 FOO\r\n", "CAPABILITY without IMAP4rev1 or IMAP4rev2", 22),
    (b"* THREAD (1)(\r\n", "expected nz-number", 13),
    (b"* THREAD ((1))\r\n", "thread-nested needs at least two thread-lists", 10),
    (b"* THREAD (1 (2))\r\n", "thread-nested needs at least two thread-lists", 12),
    (b"* SEARCH 1 0\r\n", "nz-number must not start with 0", 11),
    (b"* VANISHED (EARLIER)\r\n", "expected 'SP'", 20),
    (b"* NAMESPACE ((\"\" \"/\")) NIL\r\n", "expected 'SP'", 26),
    (b"* NAMESPACE () NIL NIL\r\n", "empty namespace list", 13),
    (b"* 1 FETCH (INTERNALDATE \"1-Jan-2020 10:00:00 +0100\")\r\n",
     "bad date-day-fixed", 25),
    (b"* 1 FETCH (INTERNALDATE \"01-Foo-2020 10:00:00 +0100\")\r\n",
     "bad date-month", 28),
    (b"* 1 FETCH (INTERNALDATE \"01-Jan-2020 10:00:00 0100\")\r\n",
     "bad zone", 46),
    # envelopes and body structures with the wrong number of fields
    (b"* 1 FETCH (ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL))\r\n",
     "expected 'SP'", 56),
    (b"* 1 FETCH (ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL))\r\n",
     "expected ')'", 60),
    (b"* 1 FETCH (ENVELOPE (NIL NIL () NIL NIL NIL NIL NIL NIL NIL))\r\n",
     "empty address list (must be NIL)", 30),
    (b"* 1 FETCH (ENVELOPE (NIL NIL ((NIL NIL \"a\")) NIL NIL NIL NIL NIL NIL NIL))\r\n",
     "expected 'SP'", 42),
    (b"* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 3))\r\n",
     "expected 'SP'", 52),
    (b"* 1 FETCH (BODY (\"IMAGE\" \"GIF\" NIL NIL NIL \"BASE64\"))\r\n",
     "expected 'SP'", 51),
    (b"* 1 FETCH (BODY (\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 3 12))\r\n",
     "expected '('", 57),
    (b"* 1 FETCH (BODY ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 3 1)))\r\n",
     "expected 'SP'", 56),
    (b"* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" (\"A\") NIL NIL \"7BIT\" 3 1))\r\n",
     "expected 'SP'", 36),
    (b"* 1 FETCH (BODY[HEADER.FIELDS ()] NIL)\r\n", "empty list", 31),
    (b"* 1 FETCH (BODY[1.MIME.TEXT] NIL)\r\n", "bad section-text", 18),
    (b"* 1 FETCH (BODY[MIME] NIL)\r\n", "bad section-text", 16),
    (b"* 1 FETCH (BINARY[1.TEXT] NIL)\r\n", "expected ']'", 19),
    (b"t1 FOO x\r\n", "tagged response must be OK, NO or BAD", 3),
    (b"t+1 OK x\r\n", "expected 'SP'", 1),
    (b"* OK x\x00y\r\n", "invalid character in text", 6),
    (b"+x\r\n", "expected 'SP'", 1),
]


@pytest.mark.parametrize("i", range(len(NEGATIVE)))
def test_negative(i):
    data, msg, pos = NEGATIVE[i]
    with pytest.raises(ImapGrammarError) as e:
        parse_response(data)
    assert (e.value.msg, e.value.pos) == (msg, pos), data
    assert e.value.offending == data[pos:pos + 20]


def test_greeting_rules():
    with pytest.raises(ImapGrammarError) as e:
        parse_response(b"* NO go away\r\n", greeting=True)
    assert (e.value.msg, e.value.pos) == (
        "greeting must be OK, PREAUTH or BYE", 2)
    with pytest.raises(ImapGrammarError) as e:
        parse_response(b"* PREAUTH x\r\n")
    assert (e.value.msg, e.value.pos) == ("unknown response 'PREAUTH'", 2)
    assert parse_response(b"* BYE later\r\n", greeting=True) == (
        "*", "BYE", None, "later")


def test_dovecot_empty_thread():
    """Dovecot 2.3's "* THREAD " (a trailing space) is accepted only with
    dovecot=True."""
    with pytest.raises(ImapGrammarError) as e:
        parse_response(b"* THREAD \r\n")
    assert (e.value.msg, e.value.pos) == ("expected thread-list", 9)
    assert parse_response(b"* THREAD \r\n", dovecot=True) == (
        "*", "THREAD", [])


# --- rawclient.Imap checks what it reads (a scripted fake server) -----------

def fake_server(script):
    """A listening port whose one connection gets script's bytes (the
    greeting first, then one element per command line received)."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)

    def run():
        conn, _ = srv.accept()
        conn.sendall(script[0])
        f = conn.makefile("rb")
        for reply in script[1:]:
            f.readline()
            conn.sendall(reply)
        f.readline()
        conn.close()
        srv.close()
    threading.Thread(target=run, daemon=True).start()
    return srv.getsockname()[1]


def test_rawclient_multiple_literals_and_parsed():
    port = fake_server([
        b"* OK [CAPABILITY IMAP4rev1] hi\r\n",
        b"* 1 FETCH (BODY[1] {3}\r\nabc BODY[2] {0}\r\n BINARY[3] ~{2}\r\n"
        b"\x00\x01 UID 7)\r\n* 2 EXPUNGE\r\nt1 OK done\r\n",
        b"* 1 FETCH (BODY[] {2}\r\nab)\r\nt2 OK done\r\n"])
    c = Imap(port)
    assert (c.greeting, c.dovecot) == ("* OK [CAPABILITY IMAP4rev1] hi", False)
    assert c.command("FETCH 1 BODY[]") == ([
        ["* 1 FETCH (BODY[1] {3}", b"abc", " BODY[2] {0}", b"",
         " BINARY[3] ~{2}", b"\x00\x01", " UID 7)"], "* 2 EXPUNGE"], "OK done")
    assert c.parsed == ("t1", "OK", None, "done")
    assert c.command_bytes("FETCH 1 BODY[]") == (
        b"* 1 FETCH (BODY[] {2}\r\nab)\r\n", "OK done")


@pytest.mark.parametrize("bad,msg", [
    (b"* 1 FETCH (UID 0)\r\n", "nz-number must not start with 0"),
    (b"* 1 FETCH (BODY[] {3}\r\nab)\r\n", "expected 'SP'"),
    (b"+ x\r\n+ [FOO\r\n", "expected ']'"),
    (b"t1 OK [READ-WRITE]\r\n", "expected SP after \"]\""),
])
def test_rawclient_rejects(bad, msg):
    port = fake_server([b"* OK hi\r\n", bad])
    c = Imap(port)
    with pytest.raises(ImapGrammarError) as e:
        c.command("NOOP")
    assert e.value.msg == msg


def test_rawclient_rejects_greeting():
    port = fake_server([b"* NO go away\r\n"])
    with pytest.raises(ImapGrammarError) as e:
        Imap(port)
    assert e.value.msg == "greeting must be OK, PREAUTH or BYE"


def test_rawclient_utf8_after_enable():
    box = '* LIST () "/" "Entwürfe"\r\n'.encode()
    port = fake_server([b"* OK hi\r\n", box + b"t1 OK x\r\n",
                        b"* ENABLED UTF8=ACCEPT\r\nt2 OK x\r\n",
                        box + b"t3 OK x\r\n"])
    c = Imap(port)
    with pytest.raises(ImapGrammarError) as e:
        c.command("LIST")
    assert e.value.msg == "8-bit byte not allowed here"
    assert LineClient.read_line_bytes(c) == b"t1 OK x\r\n"     # unchecked
    assert c.command("ENABLE UTF8=ACCEPT") == (["* ENABLED UTF8=ACCEPT"], "OK x")
    assert c.command("LIST") == (['* LIST () "/" "Entwürfe"'], "OK x")


# --- a broad command script against our server and Dovecot ------------------

PNG = bytes(range(256)) * 4
MSGS = [
    b"From: Alice <alice@example.org>\r\nTo: bob@example.org, "
    b"\"Carl C\" <carl@example.org>\r\nSubject: plain one\r\n"
    b"Date: Mon, 7 Feb 1994 21:52:25 -0800\r\nMessage-ID: <a1@example.org>\r\n"
    b"\r\nHello world.\r\n",
    b"From: bob@example.org\r\nSubject: Re: plain one\r\n"
    b"In-Reply-To: <a1@example.org>\r\nReferences: <a1@example.org>\r\n"
    b"Date: Tue, 8 Feb 1994 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: multipart/mixed; boundary=\"BB\"\r\n\r\npreamble\r\n"
    b"--BB\r\nContent-Type: text/plain; charset=us-ascii\r\n"
    b"Content-Language: en\r\n\r\nbody text\r\n"
    b"--BB\r\nContent-Type: image/png; name=\"x.png\"\r\n"
    b"Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; "
    b"filename=\"x.png\"\r\nContent-ID: <p1@x>\r\nContent-Description: pic\r\n\r\n"
    + base64.encodebytes(PNG).replace(b"\n", b"\r\n") +
    b"--BB\r\nContent-Type: message/rfc822\r\n\r\nFrom: inner@example.org\r\n"
    b"Subject: inner\r\n\r\ninner body\r\n--BB--\r\n",
    b"From: =?utf-8?q?J=C3=BCrgen?= <j@example.org>\r\nSubject: "
    b"=?utf-8?b?w6TDtsO8?=\r\nDate: Wed, 9 Feb 1994 10:00:00 +0100\r\n"
    b"Content-Type: text/html; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: quoted-printable\r\n\r\n<p>=C3=A4</p>\r\n",
    # raw UTF-8 in headers: several literals in one FETCH response (ours)
    "From: Jürgen <j@example.org>\r\nSubject: Grüße\r\nContent-Type: "
    "text/plain; name=\"ä.txt\"\r\n\r\nx\r\n".encode(),
]

STATUS_ITEMS = "MESSAGES UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE HIGHESTMODSEQ RECENT"
FETCH_ALL = ("UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY BODYSTRUCTURE "
             "MODSEQ BODY.PEEK[HEADER] BODY.PEEK[TEXT]<0.10> "
             "BODY.PEEK[HEADER.FIELDS (From Subject)] "
             "BODY.PEEK[HEADER.FIELDS.NOT (From)] BODY.PEEK[1] BODY.PEEK[1.MIME] "
             "BINARY.PEEK[1] BINARY.SIZE[1] BINARY.PEEK[]<0.5>")


def ok(c, cmd, names=None, ignore=()):
    """cmd's parsed responses (rawclient checked each); asserts a tagged OK
    and, with names, that exactly those response names came (in order,
    duplicates collapsed; the names in ignore left out)."""
    untagged, tagged = c.command_parsed(cmd)
    assert tagged[1] == "OK", (cmd, tagged)
    if names is not None:
        got = []
        for r in untagged:
            if r[1] in ignore:
                continue
            if not got or got[-1] != r[1]:
                got.append(r[1])
        assert got == names, (cmd, untagged)
    return untagged


def append(c, box, data):
    c.n += 1
    tag = "t%d" % c.n
    c.send(("%s APPEND %s (\\Seen) {%d}\r\n" % (tag, box, len(data))).encode())
    assert c.readline().startswith("+")
    c.send(data + b"\r\n")
    _, tagged = c.read_response(tag)
    assert tagged.startswith("OK [APPENDUID "), tagged
    return c.parsed


def run_script(c, ours):
    n = len(MSGS)
    items = STATUS_ITEMS if ours else STATUS_ITEMS.replace(" DELETED", "")
    ok(c, "CAPABILITY", ["CAPABILITY"])
    ok(c, 'ID ("name" "grammar-test")', ["ID"])
    ok(c, "NAMESPACE", ["NAMESPACE"])
    ok(c, "ENABLE CONDSTORE QRESYNC", ["OK", "ENABLED"])
    ok(c, "CREATE gtest", [])
    ok(c, "CREATE gtest.sub", [])
    ok(c, "SUBSCRIBE gtest.sub", [])
    ok(c, 'LIST "" "*" RETURN (CHILDREN SUBSCRIBED SPECIAL-USE STATUS (%s))'
       % items)
    got = ok(c, 'LIST (SUBSCRIBED RECURSIVEMATCH) "" "gtest"', ["LIST"])
    assert got[0][5] == [("CHILDINFO", [b"SUBSCRIBED"])], got
    ok(c, "LSUB \"\" \"*\"", ["LSUB"])
    st = ok(c, "STATUS gtest (%s)" % items, ["STATUS"])
    assert sorted(a[0] for a in st[0][3]) == sorted(items.split())
    if ours:
        ok(c, "STATUS gtest (MAILBOXID)", ["STATUS"])
    got = ok(c, "SELECT INBOX (CONDSTORE)")
    assert ("*", "EXISTS", n) in got, got
    got = ok(c, "FETCH 1:* (%s)" % FETCH_ALL, ["FETCH"])
    assert len(got) == n
    want = ["UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY",
            "BODYSTRUCTURE", "MODSEQ"] + ["BODY"] * 6 + ["BINARY",
                                                         "BINARY.SIZE", "BINARY"]
    for r in got:
        assert sorted(a[0] for a in r[3]) == sorted(want), r
    if ours:
        got = ok(c, "FETCH 1:* (EMAILID THREADID SAVEDATE)", ["FETCH"])
        assert len(got) == n
    ok(c, "FETCH 2 (BINARY.PEEK[2])", ["FETCH"])     # the PNG: literal8
    untagged, tagged = c.command("FETCH 4 (ENVELOPE BODYSTRUCTURE)")
    assert tagged.startswith("OK Fetch completed"), tagged
    if ours:
        # rawclient hands a response with k literals out as
        # [line, literal, line, ..., literal, line]
        item, = untagged
        assert [type(x) for x in item] == [str, bytes] * 5 + [str], item
        assert item[1::2] == [x.encode() for x in (
            "Grüße", "Jürgen", "Jürgen", "Jürgen", "ä.txt")], item
        assert item[-1] == (' "charset" "us-ascii") NIL NIL "7bit" 3 1 NIL '
                            'NIL NIL NIL))'), item
    ok(c, "UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1)")
    ok(c, "SEARCH ALL", ["SEARCH"])
    ok(c, "UID SEARCH MODSEQ 1", ["SEARCH"])
    ok(c, "SEARCH RETURN (MIN MAX COUNT ALL) ALL", ["ESEARCH"])
    ok(c, "UID SEARCH RETURN (ALL) MODSEQ 1", ["ESEARCH"])
    ok(c, "SEARCH RETURN () SUBJECT nothing-matches", ["ESEARCH"])
    ok(c, "SORT (SUBJECT) UTF-8 ALL", ["SORT"])
    ok(c, "UID SORT RETURN (ALL COUNT) (REVERSE DATE) UTF-8 ALL", ["ESEARCH"])
    ok(c, "THREAD REFERENCES UTF-8 ALL", ["THREAD"])
    ok(c, "THREAD ORDEREDSUBJECT UTF-8 ALL", ["THREAD"])
    if ours:
        ok(c, "SEARCH RETURN (UPDATE COUNT) ALL", ["ESEARCH"])
    append(c, "gtest", MSGS[0])
    got = ok(c, "COPY 1:2 gtest", [])
    got = c.parsed
    assert got[2][0] == "COPYUID", got
    # ours: the CONTEXT=SEARCH update above adds ESEARCH REMOVEFROM
    ok(c, "UID MOVE %d gtest" % fetch_uid(c, 3), ["OK", "VANISHED"],
       ignore=("ESEARCH",))
    ok(c, "STORE 1 +FLAGS (\\Deleted)", ["FETCH"])
    ok(c, "EXPUNGE", ["VANISHED"], ignore=("ESEARCH",))
    ok(c, "NOOP")
    st = ok(c, "STATUS gtest (UIDVALIDITY HIGHESTMODSEQ)")
    uv = dict(st[0][3])["UIDVALIDITY"]
    got = ok(c, "SELECT INBOX (QRESYNC (%d 1 1:10))" % uidvalidity(c, "INBOX"))
    assert any(r[1] == "VANISHED" and r[2] for r in got), got
    ok(c, "UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)")
    ok(c, "EXAMINE gtest (QRESYNC (%d 1))" % uv)
    ok(c, "UNSELECT", [])
    got = ok(c, "LOGOUT", ["BYE"])


def fetch_uid(c, seq):
    got = ok(c, "FETCH %d (UID)" % seq, ["FETCH"])
    return dict(got[0][3])["UID"]


def uidvalidity(c, box):
    got = ok(c, "STATUS %s (UIDVALIDITY)" % box, ["STATUS"])
    return dict(got[0][3])["UIDVALIDITY"]


def test_script_ours():
    gen = server_conn("maildir", MSGS)
    c = next(gen)
    try:
        run_script(c, True)
    finally:
        gen.close()


def test_script_dovecot():
    with dovecot_session(MSGS) as c:
        run_script(c, False)
