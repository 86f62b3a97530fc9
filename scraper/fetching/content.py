"""What a response body is: its media type, its encoding, and whether it is a block page.

Blocked pages (challenge, captcha, consent wall, "Access Denied") are recognised by their
markup, not only by status, because such walls are often served with 200.
"""

from __future__ import annotations

import re

from scraper import charset

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
XML_TYPES = frozenset(
    {
        "text/xml",
        "application/xml",
        "application/rss+xml",
        "application/rdf+xml",
        "application/atom+xml",
        "application/x-gzip",
        "application/gzip",
        "application/octet-stream",
        "text/plain",
    }
)

#: Markers of pages that stand between us and the content. Real DW pages mention reCAPTCHA
#: and consent in scripts, so a marker only counts on a page without DW content markup.
BLOCK_MARKERS: dict[str, re.Pattern[bytes]] = {
    "challenge": re.compile(
        rb"cf-browser-verification|cf_chl_opt|/cdn-cgi/challenge-platform|"
        rb"<title>\s*just a moment\.\.\.\s*</title>|attention required! \| cloudflare|"
        rb"checking your browser before accessing"
    ),
    "captcha": re.compile(
        rb"g-recaptcha|h-captcha|captcha-delivery\.com|px-captcha|<title>[^<]{0,80}captcha"
    ),
    "access-denied": re.compile(
        rb"<title>\s*access denied\s*</title>|you don't have permission to access|"
        rb"request unsuccessful\. incapsula"
    ),
    "consent": re.compile(
        rb"<title>[^<]{0,80}(?:before you continue|cookie consent|consent required|"
        rb"privacy settings|bevor sie fortfahren|zustimmung erforderlich)[^<]{0,80}</title>"
    ),
}
#: Markup only DW's own pages carry (searched in the lowered page). The JSON-LD type comes
#: first: it sits in the <head> of most pages, and a pattern with a literal start is a fast
#: scan, where one alternation of all five markers costs more than ten times as much per page.
_DW_ARTICLE_TYPE = re.compile(rb"\"@type\"\s*:\s*\"newsarticle\"")
_DW_CONTENT_MARKERS = (b'id="bodycontent"', b'class="longtext', b"rich-text", b"__apollo_state__")


def block_reason(body: bytes) -> str | None:
    """Why an HTML body is a block/consent/challenge page, or None for a normal page."""
    head = body[:262144].lower()
    if _DW_ARTICLE_TYPE.search(head) or any(m in head for m in _DW_CONTENT_MARKERS):
        return None
    for name, pattern in BLOCK_MARKERS.items():
        if pattern.search(head):
            return name
    return None


def media_type(content_type: str | None) -> str | None:
    """``text/html`` for ``text/html; charset=utf-8``; None when absent."""
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def looks_like_html(body: bytes) -> bool:
    """Whether a body served without a Content-Type starts like an HTML document."""
    head = body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head


#: How far from its end a complete HTML document has its ``</html>`` (trailing comments and
#: scripts after it included): DW pages close it in the last few bytes.
HTML_END_WINDOW = 65536


def is_html(body: bytes, content_type: str | None) -> bool:
    """Whether a body is an HTML page: served as HTML, or unlabelled and looking like it."""
    media = media_type(content_type)
    return media in HTML_TYPES or (media is None and looks_like_html(body))


def cut_html(body: bytes, content_type: str | None) -> bool:
    """Whether an HTML page stops before its end: it opens ``<html`` but no ``</html>``
    closes it (a server or proxy that cut the response, whatever its Content-Length said).
    A fragment without ``<html`` is judged by nothing and passes."""
    if not is_html(body, content_type):
        return False
    head = body[:4096].lower()
    if b"<html" not in head:
        return False
    tail = body[-HTML_END_WINDOW:]
    # the closing tag is looked for from the end, as it is first: lowering the tail copies it
    return tail.rfind(b"</html") < 0 and b"</html" not in tail.lower()


def is_xml_type(media: str) -> bool:
    return media in XML_TYPES or media.endswith("+xml")


def _decodes(body: bytes, codec: str) -> bool:
    try:
        body.decode(codec)
    except (UnicodeError, LookupError):
        return False
    return True


def body_encoding(body: bytes, content_type: str | None) -> str:
    """The encoding to read ``body`` with: what it declares (`scraper.charset.detect`) unless
    the bytes contradict it. Servers often label UTF-8 pages latin-1 and the reverse, so a
    non-ASCII body that is valid UTF-8 is UTF-8 (other text almost never is valid UTF-8), and
    one its declared codec cannot decode is windows-1252 (which decodes nearly any byte)."""
    declared = charset.detect(body, content_type)
    if body.isascii() or body.startswith(charset.BOMS):
        return declared
    if _decodes(body, "utf-8"):
        return "utf-8"
    if declared != "utf-8" and _decodes(body, declared):
        return declared
    return "cp1252"
