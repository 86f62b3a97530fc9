"""Per-language words DW prints on its pages, in one place.

The parser finds facts-box items by their bold label ("Datum", "Date", "Autor", "Auteur", …),
strips image-credit prefixes ("Image:", "Bild:", "Imagen:", "Фото:", …) and recognises
boilerplate by its text (skip links, "Read more", ad labels, feedback buttons). DW publishes in
some 30 languages; the tables below cover the labels seen on real pages plus DW's published
translations as far as known. A missing label degrades one field to null plus a warning — it
never breaks a parse — so extending a table is always safe.

Keys are compared after `label_key` (case-folded, trailing colon and whitespace removed).
"""

from __future__ import annotations

import re

from scraper.normalize.textscan import folded_contains_ascii, is_printable_single_spaced

#: Facts-box label (classic layout) -> field.
FACT_LABELS: dict[str, str] = {}


def _add(field: str, *labels: str) -> None:
    for label in labels:
        FACT_LABELS[label_key(label)] = field


def label_key(label: str) -> str:
    """Normalise a label for lookup: case-folded, no trailing colon, single spaces."""
    return _label_core(label).casefold()


def _label_core(label: str, clean: bool = False) -> str:
    """`label_key` before case folding (``clean``: see `is_boilerplate_text`)."""
    if clean or is_printable_single_spaced(label):
        # The common case of cleaned text, spared the split and join (which give it back).
        return label.rstrip(":：").strip()
    return " ".join(label.replace("\xa0", " ").split()).rstrip(":：").strip()


_add(
    "date",
    "Datum",
    "Date",
    "Fecha",
    "Data",
    "Дата",
    "التاريخ",
    "日期",
    "Tarih",
    "Tarehe",
    "Ngày",
    "Tanggal",
    "Datë",
    "Dátum",
    "Datum objave",
    "Дата публікації",
    "Дата на публикуване",
    "Датум",
    "Dată",
    "Dátum",
    "Időpont",
    "تاریخ",
    "تاريخ",
    "তারিখ",
    "तारीख",
    "तिथि",
    "ቀን",
    "Rana",
    "Kwanan wata",
    "Ημερομηνία",
)
_add(
    "author",
    "Autorin/Autor",
    "Autor/Autorin",
    "Autorinnen/Autoren",
    "Autoren",
    "Autor",
    "Autorin",
    "Author",
    "Authors",
    "Auteur",
    "Auteurs",
    "Autora",
    "Autores",
    "Autor/a",
    "Autori",
    "Autore",
    "Автор",
    "Авторы",
    "Автори",
    "Аутор",
    "الكاتب",
    "الكاتبة",
    "كاتب",
    "作者",
    "Yazar",
    "Yazarlar",
    "Mwandishi",
    "Waandishi",
    "Tác giả",
    "Penulis",
    "Szerző",
    "Autorzy",
    "نویسنده",
    "নিবন্ধকার",
    "প্রতিবেদক",
    "लेखक",
    "ደራሲ",
    "Marubuci",
    "Συντάκτης",
)
_add(
    "topics",
    "Themenseiten",
    "Themenseite",
    "Related Subjects",
    "Related Subject",
    "Related Topics",
    "Sujets associés",
    "Sujets",
    "Temas relacionados",
    "Temas",
    "Temi correlati",
    "Tematy",
    "Связанные темы",
    "Темы",
    "Теми",
    "Пов'язані теми",
    "مواضيع ذات صلة",
    "相关主题",
    "İlgili konular",
    "Mada zinazohusiana",
    "Chủ đề liên quan",
    "Topik terkait",
    "Kapcsolódó témák",
    "موضوعات مرتبط",
    "সংশ্লিষ্ট বিষয়",
    "संबंधित विषय",
)
_add(
    "keywords",
    "Schlagwörter",
    "Schlagworte",
    "Keywords",
    "Mots-clés",
    "Mots clés",
    "Palabras clave",
    "Palavras-chave",
    "Parole chiave",
    "Słowa kluczowe",
    "Ключевые слова",
    "Ключові слова",
    "Ключови думи",
    "Кључне речи",
    "الكلمات المفتاحية",
    "كلمات مفتاحية",
    "关键词",
    "關鍵詞",
    "Anahtar kelimeler",
    "Maneno muhimu",
    "Từ khóa",
    "Kata kunci",
    "Kulcsszavak",
    "کلیدواژه‌ها",
    "واژه‌های کلیدی",
    "কি-ওয়ার্ড",
    "मुख्य शब्द",
    "Λέξεις-κλειδιά",
)
_add(
    "permalink",
    "Permalink",
    "Permalien",
    "Enlace permanente",
    "Link permanente",
    "Постоянная ссылка",
    "Пермалинк",
    "رابط دائم",
    "永久链接",
    "Kalıcı bağlantı",
)
_add("duration", "Dauer", "Duration", "Durée", "Duración", "Duração", "Продолжительность", "المدة")

#: Image-credit prefixes in front of a credit ("Image: AP", "Bild: dpa", "Фото: Reuters").
CREDIT_PREFIXES: tuple[str, ...] = (
    "Image",
    "Images",
    "Bild",
    "Bilder",
    "Foto",
    "Fotos",
    "Photo",
    "Photos",
    "Imagen",
    "Imagem",
    "Immagine",
    "Zdjęcie",
    "Fotografija",
    "Fotografia",
    "Fotoğraf",
    "Görsel",
    "Picha",
    "Hình",
    "Ảnh",
    "Gambar",
    "Kép",
    "Фото",
    "Фотографія",
    "Снимка",
    "Слика",
    "صورة",
    "الصورة",
    "عکس",
    "تصویر",
    "图像",
    "图片",
    "圖像",
    "圖片",
    "ছবি",
    "तस्वीर",
    "चित्र",
    "ምስል",
    "Hoto",
    "Φωτογραφία",
    "Credit",
    "Copyright",
)
_PREFIX_RE = re.compile(
    r"^\s*(?:©\s*)?(?:"
    + "|".join(re.escape(p) for p in sorted(CREDIT_PREFIXES, key=len, reverse=True))
    + r")\s*[:：]\s*",
    re.IGNORECASE,
)


def strip_credit_prefix(credit: str) -> str:
    """``"Image: Lee Jin-man/AP"`` -> ``"Lee Jin-man/AP"`` (any language's prefix, or ©)."""
    stripped = _PREFIX_RE.sub("", credit, count=1)
    return stripped.lstrip("© ").strip()


#: Skip-link and quick-jump texts (boilerplate on every page).
SKIP_LINK_TEXTS: frozenset[str] = frozenset(
    label_key(t)
    for t in (
        "Skip to content",
        "Skip to main menu",
        "Skip to more DW sites",
        "Zum Inhalt springen",
        "Zur Hauptnavigation springen",
        "Zu weiteren Angeboten der DW springen",
        "Inhalt",
        "Navigation",
        "Weitere Inhalte",
        "Metanavigation",
        "Suche",
        "Aller au contenu",
        "Ir al contenido",
        "Ir para o conteúdo",
        "Перейти к содержанию",
    )
)

#: "Read more" lead-ins of classic related-link paragraphs ("Read more: …", "Mehr dazu: …").
READ_MORE_PREFIXES: tuple[str, ...] = (
    "Read more",
    "Also read",
    "Read also",
    "Lesen Sie auch",
    "Lesen Sie mehr",
    "Mehr zum Thema",
    "Mehr dazu",
    "Auch interessant",
    "Lire aussi",
    "À lire aussi",
    "A lire aussi",
    "Lea también",
    "Lee también",
    "Leia também",
    "Leia mais",
    "Читайте также",
    "Читайте також",
    "Прочетете още",
    "Pročitajte i",
    "Czytaj także",
    "Czytaj też",
    "Citiți și",
    "Olvassa el",
    "Ayrıca okuyun",
    "Soma pia",
    "Baca juga",
    "Đọc thêm",
    "اقرأ أيضا",
    "اقرأ أيضاً",
    "اقرأ المزيد",
    "بیشتر بخوانید",
    "مزید پڑھیے",
    "阅读更多",
    "延伸阅读",
    "आगे पढ़ें",
    "এটাও পড়ুন",
)
_READ_MORE_RE = re.compile(
    r"^\s*(?:" + "|".join(re.escape(p) for p in READ_MORE_PREFIXES) + r")\s*[:：]",
    re.IGNORECASE,
)


def is_read_more(text: str) -> bool:
    # The pattern ends in a colon: without one (most paragraphs) it cannot match.
    return (":" in text or "：" in text) and bool(_READ_MORE_RE.match(text))


#: Texts of ad labels, feedback buttons, newsletter plugs and no-JavaScript notices.
BOILERPLATE_TEXTS: frozenset[str] = frozenset(
    label_key(t)
    for t in (
        "Anzeige",
        "Advertisement",
        "Werbung",
        "Publicité",
        "Publicidad",
        "Реклама",
        "إعلان",
        "广告",
        "Send us your feedback!",
        "Send us your feedback.",
        "Schicken Sie uns Ihr Feedback!",
        "Envoyez-nous vos commentaires !",
        "Envíenos sus comentarios",
    )
)

#: Substrings that mark a paragraph as boilerplate wherever it stands.
BOILERPLATE_SUBSTRINGS: tuple[str, ...] = (
    "please enable javascript",
    "bitte aktivieren sie javascript",
    "web browser that supports html5 video",
    "sign up for the newsletter",
    "newsletter-registration",
    "abonnieren sie den newsletter",
    "hier können sie den newsletter",
)


_BOILERPLATE_KEYS = BOILERPLATE_TEXTS | SKIP_LINK_TEXTS
_LONGEST_KEY = max(map(len, _BOILERPLATE_KEYS))
#: Every boilerplate substring contains one of these (`tests/test_parser_textscan.py`):
#: a text whose folding holds none of them holds none of the substrings either.
BOILERPLATE_ANCHORS: tuple[str, ...] = ("newsletter", "javascript", "html5")


def is_boilerplate_text(text: str, *, clean: bool = False) -> bool:
    """Whether ``label_key(text)`` is a boilerplate or skip-link text or contains one of
    `BOILERPLATE_SUBSTRINGS` (plain substring tests: a regex alternation is about five times
    slower). ``clean``: ``text`` is `scraper.normalize.text.clean_text` output, so its
    whitespace needs no second look."""
    core = _label_core(text, clean)
    # Case folding never shortens a string, so a text longer than every key is none of them;
    # and a long paragraph is only folded whole (costly when it is not ASCII) when it holds
    # an anchor of the substrings.
    short = len(core) <= _LONGEST_KEY
    if not short and not folded_contains_ascii(core, BOILERPLATE_ANCHORS):
        return False
    key = core.casefold()
    if short and key in _BOILERPLATE_KEYS:
        return True
    return any(s in key for s in BOILERPLATE_SUBSTRINGS)


#: Apollo `language` enum -> language code as used in DW URLs.
APOLLO_LANGUAGES: dict[str, str] = {
    "ALBANIAN": "sq",
    "AMHARIC": "am",
    "ARABIC": "ar",
    "BENGALI": "bn",
    "BOSNIAN": "bs",
    "BULGARIAN": "bg",
    "CHINESE": "zh",
    "CHINESE_TRADITIONAL": "zh-hant",
    "CROATIAN": "hr",
    "DARI": "fa-af",
    "ENGLISH": "en",
    "FRENCH": "fr",
    "GERMAN": "de",
    "GREEK": "el",
    "HAUSA": "ha",
    "HINDI": "hi",
    "INDONESIAN": "id",
    "KISWAHILI": "sw",
    "MACEDONIAN": "mk",
    "PASHTO": "ps",
    "PERSIAN": "fa-ir",
    "POLISH": "pl",
    "PORTUGUESE": "pt-br",
    "PORTUGUESE_AFRICA": "pt-002",
    "ROMANIAN": "ro",
    "RUSSIAN": "ru",
    "SERBIAN": "sr",
    "SPANISH": "es",
    "TURKISH": "tr",
    "UKRAINIAN": "uk",
    "URDU": "ur",
    "VIETNAMESE": "vi",
}

#: Month names for visible dates when no embedded date exists (DOM fallback only).
MONTHS: dict[str, int] = {}
for _names in (
    "january february march april may june july august september october november december",
    "januar februar märz april mai juni juli august september oktober november dezember",
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
):
    for _i, _name in enumerate(_names.split(), start=1):
        MONTHS[_name] = _i
        MONTHS.setdefault(_name[:3], _i)
MONTHS["jänner"] = 1
MONTHS["sept"] = 9

#: Relative-date units ("2 hours ago", "vor 3 Stunden", "il y a 5 minutes") -> seconds.
RELATIVE_UNITS: dict[str, int] = {}
for _seconds, _words in (
    (60, "minute minutes min mins minute minuten minuto minutos minuti минуту минуты минут"),
    (3600, "hour hours hr hrs stunde stunden heure heures hora horas ora ore час часа часов"),
    (86400, "day days tag tagen tage jour jours día días dia dias giorno giorni день дня дней"),
    (604800, "week weeks woche wochen semaine semaines semana semanas неделю недели недель"),
):
    for _w in _words.split():
        RELATIVE_UNITS[_w] = _seconds
RELATIVE_NOW_WORDS = frozenset({"just now", "gerade eben", "soeben", "à l'instant", "ahora"})
RELATIVE_YESTERDAY_WORDS = frozenset({"yesterday", "gestern", "hier", "ayer", "ontem", "вчера"})
