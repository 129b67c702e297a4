"""What the html adapter needs to judge an extracted body: the notices that close a page's text
(kept as one table of phrases by language) and how much main text the page holds, so that an
extraction that found only a notice or a small part of it gives way to one that finds more.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

# Phrases of the copyright, reprint, disclaimer, comment-policy, paywall and share notices that
# sites put after an article, by language. Matched without regard to case, anywhere in a short
# paragraph at the end of a body.
CLOSING_NOTICES: dict[str, tuple[str, ...]] = {
    "zh": (
        "版权所有", "版权归", "版权声明", "免责声明", "未经授权", "未经书面授权", "未经许可", "请勿转载",
        "禁止转载", "不得转载", "转载请注明", "转载须注明", "仅代表作者", "不代表本站", "不代表本网",
        "并不表明", "不构成投资建议", "分享到", "朋友在看",
    ),
    "en": (
        "all rights reserved", "©", "copyright", "may not be published, broadcast", "may not be reproduced",
        "the views expressed", "do not necessarily reflect", "share this article", "share on facebook",
        "sign up for", "subscribe to", "follow us", "continue reading",
    ),
    "de": ("alle rechte vorbehalten", "nachdruck nur mit", "weiterverbreitung", "artikel teilen"),
    "fr": ("tous droits réservés", "reproduction interdite", "partager cet article", "article réservé aux abonnés"),
    "es": (
        "todos los derechos reservados", "prohibida su reproducción", "prohibida la reproducción",
        "se reserva el derecho", "la opinión de los usuarios", "verter comentarios",
    ),
    "pt": ("todos os direitos reservados", "proibida a reprodução"),
    "it": ("riproduzione riservata", "tutti i diritti riservati"),
    "nl": ("alle rechten voorbehouden",),
    "pl": ("wszelkie prawa zastrzeżone",),
    "cs": ("všechna práva vyhrazena",),
    "ru": ("все права защищены",),
    "tr": ("tüm hakları saklıdır",),
    "ja": ("無断転載", "無断複製", "会員限定", "続きをお読み", "著作権"),
    "ko": ("무단 전재", "무단전재", "재배포 금지", "저작권자"),
    "ar": ("جميع الحقوق محفوظة", "لا تعبر عن رأي", "إرشادات الاستخدام", "سياسة الخصوصية"),
    "th": ("สงวนลิขสิทธิ์",),
}  # fmt: skip
NOTICE = re.compile("|".join(re.escape(phrase) for phrases in CLOSING_NOTICES.values() for phrase in phrases), re.I)
MAX_NOTICE_CHARS = 400  # a longer paragraph is the article's, whatever it mentions
MAX_FURNITURE_CHARS = 12  # a short line without a sentence's end, before or after the body: a menu, a button
SENTENCE_END = re.compile(r"[。！？!?”」』…)）]$")
ENDS_SENTENCE = re.compile(r"[.!?。！？”’\"」』…)）]$")  # in any script: a sentence of the article, not a headline
# The page's running text: paragraphs, and the cells of tables that hold no other block (a data table).
MAIN_TEXT = etree.XPath("//p | //table[not(.//table | .//p | .//div)]//*[self::td or self::th]")
SMALL_SHARE = 0.2  # an extraction holding less of the page's running text than this missed the article


def is_furniture(line: str) -> bool:
    """A short line without a sentence's end: a menu item, a button, a counter."""
    return len(line) <= MAX_FURNITURE_CHARS and SENTENCE_END.search(line) is None


def is_notice(paragraph: str) -> bool:
    return len(paragraph) <= MAX_NOTICE_CHARS and NOTICE.search(paragraph) is not None


def without_closing_notices(paragraphs: list[str]) -> list[str]:
    """The paragraphs without a closing notice and what follows it, when nothing that follows is the
    article's (a sentence, a long paragraph): furniture, lists of headlines, other notices. A short
    line before the notice is kept: it may be a byline."""
    end = len(paragraphs)
    for index in range(len(paragraphs) - 1, -1, -1):
        if is_notice(paragraphs[index]):
            end = index
        elif ENDS_SENTENCE.search(paragraphs[index]) or len(paragraphs[index]) > MAX_NOTICE_CHARS:
            break
    return paragraphs[:end]


def before_closing_notice(paragraphs: list[str]) -> list[str]:
    """The paragraphs before the first notice in the second half of their text: what a greedy
    extraction finds after a notice that closes an article (comments, lists of links) is the page's."""
    total, seen = sum(map(len, paragraphs)), 0
    for index, paragraph in enumerate(paragraphs):
        if seen > total / 2 and is_notice(paragraph):
            return paragraphs[:index]
        seen += len(paragraph)
    return paragraphs


def running_text(tree: lxml_html.HtmlElement) -> tuple[int, bool]:
    """How many characters of running text the page holds, wherever it stands, and whether a data
    table holds some of them."""
    chars, in_tables = 0, False
    for element in MAIN_TEXT(tree):
        chars += len(" ".join(element.text_content().split()))
        in_tables = in_tables or element.tag != "p"
    return chars, in_tables


def misses_the_article(paragraphs: list[str], running_chars: int, min_chars: int) -> bool:
    """Too little text for an article, or a small part of the page's running text."""
    chars = sum(map(len, paragraphs))
    return chars < min_chars or chars < SMALL_SHARE * running_chars
