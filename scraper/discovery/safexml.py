"""XML from the network, parsed so that it cannot hurt us.

defusedxml refuses a document that declares entities (billion laughs) or external references
(XXE), instead of expanding or fetching them. Gzipped documents (sitemaps ``*.xml.gz``) are
inflated under a size cap.
"""

from __future__ import annotations

import zlib
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
import structlog
from defusedxml import DefusedXmlException

log = structlog.get_logger(__name__)


def local_name(tag: object) -> str:
    """An element's tag without its namespace (``{ns}item`` -> ``item``)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def child_text(el: Element, name: str) -> str | None:
    """The stripped text of the first child called ``name`` (any namespace) that has some."""
    for child in el:
        if local_name(child.tag) == name and child.text and child.text.strip():
            return child.text.strip()
    return None


def _inflate(data: bytes, source: str, max_bytes: int) -> bytes | None:
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    try:
        data = inflater.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        log.warning("discover.bad_xml", source=source, error=f"gzip: {exc}")
        return None
    if len(data) > max_bytes or inflater.unconsumed_tail:
        log.warning("discover.bad_xml", source=source, error="gzip body over the cap")
        return None
    return data


def parse_xml(
    data: bytes, *, source: str = "", max_bytes: int = 50 * 1024 * 1024
) -> Element | None:
    """The document's root element, or None (logged) for unsafe, malformed or oversized XML.
    Gzipped input (sitemaps ``*.xml.gz``) is inflated to at most ``max_bytes``."""
    if data[:2] == b"\x1f\x8b":
        inflated = _inflate(data, source, max_bytes)
        if inflated is None:
            return None
        data = inflated
    try:
        root: Element = SafeET.fromstring(
            data, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        log.warning("discover.unsafe_xml", source=source, error=repr(exc))
        return None
    except (ParseError, ValueError) as exc:
        log.warning("discover.bad_xml", source=source, error=str(exc))
        return None
    return root
