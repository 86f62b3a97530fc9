"""What the fault site sends to hurt a client: block pages, an XML entity bomb, an XXE
document, gzip and brotli bombs (64 MiB of zeros in a few KiB). Payloads are bounded: each
expands to a fixed, known size, never without limit."""

from __future__ import annotations

import gzip
import threading

import brotli

OK_PAGE = (
    b'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Recovered page'
    b'</title></head><body><div id="root"><article><div class="rich-text"><p>The server '
    b"recovered.</p></div></article></div></body></html>"
)

BLOCK_PAGES = {
    "consent": (
        "<!DOCTYPE html><html><head><title>Before you continue to DW</title></head><body>"
        "<form action='/consent'><p>We use cookies. Accept all to continue.</p>"
        "<button>Accept all</button></form></body></html>"
    ),
    "challenge": (
        "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
        "<div id='cf-browser-verification'>Checking your browser before accessing dw.com."
        "</div><script src='/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1'></script>"
        "</body></html>"
    ),
    "captcha": (
        "<!DOCTYPE html><html><head><title>Security check: CAPTCHA</title></head><body>"
        "<div class='g-recaptcha' data-sitekey='x'></div></body></html>"
    ),
    "denied": (
        "<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY><H1>Access Denied</H1>"
        'You don\'t have permission to access "http://www.dw.com/" on this server.<P>'
        "Reference #18.1234</BODY></HTML>"
    ),
}

XML_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><link>https://www.dw.com/en/bomb/a-9000666</link><title>&lol9;</title></item>
</channel></rss>
"""


def xxe_document(probe_url: str) -> bytes:
    """An RSS feed whose entities point at a local file and at ``probe_url``: a safe parser
    reads neither."""
    return f"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY passwd SYSTEM "file:///etc/passwd">
 <!ENTITY probe SYSTEM "{probe_url}">
]>
<rss version="2.0"><channel><title>xxe</title>
<item><link>https://www.dw.com/en/xxe/a-9000667</link><title>&passwd;&probe;</title></item>
</channel></rss>
""".encode()


class Bombs:
    """Compressed bombs, built once per process (compressing 64 MiB takes a moment)."""

    _lock = threading.Lock()
    _cache: dict[str, bytes] = {}

    @classmethod
    def get(cls, kind: str) -> bytes:
        with cls._lock:
            if kind not in cls._cache:
                zeros = b"\0" * (64 * 1024 * 1024)
                if kind == "gzip":
                    cls._cache[kind] = gzip.compress(zeros, compresslevel=9, mtime=0)
                else:
                    cls._cache[kind] = brotli.compress(zeros, quality=5)
            return cls._cache[kind]
