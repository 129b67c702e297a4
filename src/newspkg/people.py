"""Author strings → person names, in any language: "By Jane Doe and John Roe, AP Auto Writers",
"X, Y & Z", "Max Muster (dpa)", "记者 张三 李四" → the names alone. Numeric ids, e-mail addresses,
links, domains, the site's own name, organisations and editors are no authors.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable

from newspkg.bylines import BY_WORD, LABEL_WORD, ROLE, WRITTEN, split_joined_names

# Between two names: and, und, et, y, e, en, och, og, i, и, 和, 、 and punctuation.
SEPARATORS = re.compile(
    r"\s*(?:[,;|/，；、｜&]|\s[-–—]\s|\s(?:and|und|et|y|e|en|och|og|i|и|ve|és|with|mit|avec|con)\s)\s*", re.I
)
SEPARATORS_KEPT = re.compile(f"({SEPARATORS.pattern})", re.I)  # the separators between the parts too
LEADING_CONJUNCTION = re.compile(r"^(?:and|und|et|y|e|en|och|og|и)\s+", re.I)  # "…, and Tom Watkins"
CREDIT = re.compile(
    r"^(?:(?:foto|photo|photos|bild|image|images|imagen|crédito|credit|фото|видео|video|写真|사진|图|图片|摄影|视频)\s*[:：/]"
    r"|(?:developed|designed|powered|hosted)\s+by\b)",  # a photo's credit, the site's maker
    re.I,
)
BRACKETED = re.compile(r"\s*[(\[（【][^)\]）】]{0,60}[)\]）】]")
# Co-authors in brackets after the first: "Martin Untersinger (avec Damien Leloup et Morgane Tual)".
WITH_BRACKETED = re.compile(r"\s*[(（]\s*(?:with|avec|mit|con|com|met)\s+([^)）]{3,80})[)）]", re.I)
INVISIBLE = re.compile("[\u00ad\u200b\ufeff]")  # soft hyphens ("PE\u00adTER"), zero-width spaces
# A byline's signature before a name, and the credits' words ("Photos by", "Story by", "Text:").
PREFIX = re.compile(
    rf"^(?:(?:{WRITTEN}|words|text|story|photos?|edited)\s+)?(?:{BY_WORD}|{LABEL_WORD})\b\s*[:：]?\s*", re.I
)
EDITOR = re.compile(
    r"^(?:责任编辑|责编|编辑|校对|审核|监制|主编|編集|편집|Redaktion|Redaktor|Editor|Edited|Rédaction|Редактор|Редакция"
    r"|Redakce|Redaktör|Redattore|Editado)",
    re.I,
)
# Words that make a part of a byline a role, a desk or an organisation rather than a person.
NOT_PERSON_WORDS = frozenset(
    {
        "writer", "writers", "correspondent", "correspondents", "reporter", "reporters", "editor", "editors", "staff",
        "contributor", "contributors", "columnist", "journalist", "journalists", "producer", "photographer",
        "photographers", "press", "agency", "news", "newsroom", "desk", "team", "service", "wire", "wires", "media",
        "online", "digital", "associated", "reuters", "afp", "bloomberg", "redaktion", "korrespondent",
        "korrespondentin", "agentur", "agenturen", "nachrichten", "rédaction", "correspondant", "redacción", "agencia",
        "agencias", "redação", "agência", "redazione", "newsletter", "admin", "administrator", "guest", "author",
        "updated", "published", "bureau", "times", "post", "daily", "herald", "journal", "magazine", "tribune",
        "gazette", "today", "inc", "ltd", "llc", "gmbh", "corp", "co", "company", "publicado", "publié",
        "veröffentlicht", "pubblicato", "опубликовано", "video", "videos", "vídeos", "información", "noticias",
        "notícias", "informação", "mag", "журнал", "газета", "новости", "агентство", "редакция", "نيوز", "نیوز",
        "وكالة", "خبرگزاری", "صحيفة", "جريدة", "اخبار", "أخبار", "الأخبار", "logo", "manager", "director",
        "administration", "department", "ministry", "university", "institute", "programme", "program", "foundation",
        "association", "society", "council", "committee", "articles", "posts", "stories", "email", "e-mail",
        "images", "stock", "kolumnist", "kolumnistin", "autorin", "redakteur", "redakteurin", "gastautor",
        "gastautorin", "beiträge", "artikel", "zeitung", "zeitschrift", "verlag", "magazin", "presse", "prensa",
        "dpa", "apa", "sda", "epd", "kna", "ddp", "dts", "efe", "ansa", "group", "groupe", "grupo", "gruppe",
    }
)  # fmt: skip


def _unaccented(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


UNACCENTED_NOT_PERSON_WORDS = frozenset(_unaccented(word) for word in NOT_PERSON_WORDS)
# An outlet's or an agency's initials after a name ("Kate Sullivan, CNN", "PTI"); the definite article
# that opens a paper's name ("The Local", "El Colombiano", "Der Spiegel"); "from" before it ("Do UOL").
NOT_A_PERSON_S_NAME = re.compile(r"^(?:[A-Z]{3,5}|(?:The|El|La|Le|Les|Los|Las|Il|Der|Die|Das|Het|From|Do)\s.+)$")
# A social network's name, which a share or follow link puts where a byline is expected.
SOCIAL_NETWORK = re.compile(
    r"facebook|twitter|instagram|whatsapp|youtube|telegram|linkedin|フェー?イ?スブック|ツイッター|インスタグラム", re.I
)
# A Chinese site, paper or app where a person's name belongs.
CJK_ORGANISATION = re.compile(
    r"网|报|社|新闻|客户端|频道|中心|网站|日报|晚报|电视台|财经|编辑部|本站|平台|官方|協会|新聞|放送|編集部|株式会社"
)
# Page controls whose link text lands where a byline is expected.
CJK_CONTROLS = re.compile(
    r"字体|分享|收藏|微博|微信|打印|评论|关闭|登录|注册|跟贴|跟帖|热门|返回|更多|动态|聚焦|简介|报道|专题|推荐|相关"
)
HAN = re.compile(r"[\u4e00-\u9fff]")
# A Korean byline's outlet before "=" and role after the name: "(서울=연합뉴스) 홍길동 기자", "스포츠조선=선수민 기자".
KOREAN_BYLINE = re.compile(r"^[^=]{1,20}=\s*|\s*(?:(?:인턴|수습|선임|객원)\s?)?(?:기자|특파원)$")
NOT_NAME = re.compile(r"\d|@|[!?！？]|://|\bwww\.|\w\.[a-z]{2,6}$|\.(?:com|org|net)\b|^[\W_]+$", re.I)
# Link text and template placeholders that land where a name belongs.
NOT_NAMES = frozenset(
    {"返回", "查看更多", "更多", "首页", "匿名", "佚名", "未知", "more", "home", "read more", "view all", "name",
     "author", "admin", "unknown", "anonymous", "null", "none", "undefined", "username", "user"}
)  # fmt: skip
MAX_NAME_WORDS = 5
MIN_SITE_IN_NAME = 5  # a shorter site name ("ft", "uol") may be part of a person's
# Lower-case words that belong to names: "Ludwig van Beethoven", "Ana de Armas", "Ibn al-Haytham".
PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "das", "du", "la", "le", "bin", "ibn", "al",
     "el", "ter", "ten", "zu", "af", "y", "e"}
)  # fmt: skip
# Around a name: marks a page sets beside it ("《Kt", "Natasha Daly •"), quotes, dashes.
EDGE_MARKS = " :：-–—·•|｜'\"“”‘’«»《》〈〉「」©"


def person_names(values: Iterable[str], not_names: Iterable[str] = (), *, spaced_kanji: bool = False) -> list[str]:
    """The people named in author strings, each once, in order; ``not_names`` (the site, the
    publisher) are none of them. Chinese names apart are names ("记者 张三 李四"); with
    ``spaced_kanji``, a Japanese page's, a space parts a family name from a given one ("渡部 拓也")."""
    excluded = {name.casefold() for name in not_names if name}
    sites = {site for name in excluded if len(site := folded(name)) >= MIN_SITE_IN_NAME}
    names: list[str] = []
    for value in values:
        for name in _names_in(value, spaced_kanji):
            if name.casefold() not in excluded and not _holds_a_site(name, sites) and name not in names:
                names.append(name)
    return names


def _holds_a_site(name: str, sites: set[str]) -> bool:
    """The site's name with more words ("Skrevet af DAGENS", "Polityka Insight" on polityka.pl); the
    site's name alone may be its owner's (a personal site's, "Mattias Geniar")."""
    name = folded(name)
    return any(len(name) > len(site) and site in name for site in sites)


def folded(text: str) -> str:
    """Letters and digits alone, case folded: a name as two places may write it."""
    return "".join(character for character in text.casefold() if character.isalnum())


def _names_in(value: str, spaced_kanji: bool) -> list[str]:
    text = " ".join(INVISIBLE.sub("", html.unescape(html.unescape(value))).split())
    if not text or EDITOR.match(text) or text.lower().startswith(("http://", "https://")):
        return []
    text = BRACKETED.sub("", WITH_BRACKETED.sub(r", \1", text))
    found = []
    for part in _parts(PREFIX.sub("", text)):
        if CREDIT.match(part.strip()):
            continue
        part = LEADING_CONJUNCTION.sub("", PREFIX.sub("", part.strip(EDGE_MARKS)))
        part = ROLE.sub(" ", part).strip() if HAN.search(part) else KOREAN_BYLINE.sub("", part)
        chunks = part.split() if HAN.search(part) and not spaced_kanji else [part]
        found += [name for chunk in chunks for name in split_joined_names(chunk) if _is_person(name)]
    return found


def _parts(text: str) -> list[str]:
    """A byline's parts between its separators; one word after "y" or "e" is the surname a Spanish
    or Portuguese name joins with it ("José Ortega y Gasset", "José Volta e Pinto"), not a person."""
    pieces = SEPARATORS_KEPT.split(text)
    parts = pieces[:1]
    for separator, part in zip(pieces[1::2], pieces[2::2], strict=True):
        joins = separator.strip().lower() in ("y", "e") and len(part.split()) == 1 and len(parts[-1].split()) >= 2
        if joins:
            parts[-1] = f"{parts[-1]} {separator.strip()} {part}"
        else:
            parts.append(part)
    return parts


def is_organisation(value: str) -> bool:
    """A name that is a site, a paper or an agency's rather than a person's (环球网, Reuters)."""
    if HAN.search(value):
        return CJK_ORGANISATION.search(value) is not None
    return any(_not_a_person_s(word) for word in value.split())


def _is_person(name: str) -> bool:
    if not name or name.casefold() in NOT_NAMES or NOT_NAME.search(name) or EDITOR.match(name):
        return False
    if SOCIAL_NETWORK.search(name) or NOT_A_PERSON_S_NAME.match(name):
        return False
    if HAN.search(name):
        return 2 <= len(name) <= 6 and not CJK_ORGANISATION.search(name) and not CJK_CONTROLS.search(name)
    words = name.split()
    if len(words) > MAX_NAME_WORDS or len(name) < 3:
        return False
    if len(words) > 1 and any(_lower_case(word) for word in words):  # "Show more sharing options"
        return False
    return not any(_not_a_person_s(word) for word in words)


def _not_a_person_s(word: str) -> bool:
    """A role's, a desk's or an organisation's word, written with its accents or without
    ("Redacción", "Redaccion")."""
    plain = _unaccented(word.casefold().strip(".,"))
    # "PETA-Team", not "Jean-Pierre"
    return plain in UNACCENTED_NOT_PERSON_WORDS or (
        "-" in plain and not UNACCENTED_NOT_PERSON_WORDS.isdisjoint(plain.split("-"))
    )


def _lower_case(word: str) -> bool:
    """A word of a script with cases written lower case, not a name's particle ("van", "de", "bin")."""
    return word[:1].islower() and word.casefold() not in PARTICLES
