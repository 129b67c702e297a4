"""Tuning data in one place: the phrases that mark boilerplate, bylines and metadata labels.

Site-specific patterns belong in ``source.toml`` hints; these tables hold what many Chinese news
sites share.
"""

from __future__ import annotations

import re

# A line starting with one of these ends the article body: what follows is page furniture.
FOOTER_STARTS = (
    "版权声明", "免责声明", "版权所有", "留言与评论", "发表评论", "网友评论", "验证码", "发布者:", "发布者：",
    "Copyright", "copyright", "声明：", "声明:", "相关阅读", "相关新闻", "责任编辑", "扫一扫", "分享到",
)  # fmt: skip

# Phrases that should never survive into an article's text (checked as a warning).
BOILERPLATE = re.compile(
    r"版权声明|免责声明|未经许可[，,]?不得转载|验证码|留言与评论|ICP备|ICP证|Copyright\s*©|copyright protection"
    r"|客服电话|增值电信业务经营许可证|下载APP|撩园用户APP|返回首页"
)

# Labelled metadata in headers and footers: "发布时间:2019-04-30 11:43:36", "本文地址:http://…".
DATETIME = r"\d{4}[-/年.]\d{1,2}[-/月.]\d{1,2}日?(?:[ T]+\d{1,2}:\d{2}(?::\d{2})?)?(?:\s*(?:Z|[+-]\d{2}:?\d{2}))?"
LABELS: dict[str, re.Pattern[str]] = {
    "published_at": re.compile(r"(?:发布时间|发表时间|发布日期)[:：]\s*(" + DATETIME + ")"),
    "modified_at": re.compile(r"(?:更新时间|修改时间|最后更新)[:：]\s*(" + DATETIME + ")"),
    "url": re.compile(r"(?:本文地址|原文地址|原文链接|本文链接)[:：]\s*(\S+)"),
    "original_publisher": re.compile(r"^[（(]?(?:文章)?来源[:：]\s*([^）)\s]+)[）)]?\s*$"),
}

# Roles that precede names in a byline: "全媒体记者王大鹏", "通讯员许祥波唐娜", "記者林悅" (Traditional).
BYLINE_ROLES = (
    "全媒体记者", "融媒体记者", "本报记者", "特约记者", "见习记者", "首席记者", "记者", "通讯员", "实习生",
    "特约评论员", "评论员", "撰文", "摄影", "文/", "图/", "文图/",
    "全媒體記者", "融媒體記者", "本報記者", "特約記者", "見習記者", "首席記者", "記者", "通訊員", "實習生",
    "特約評論員", "評論員", "攝影",
)  # fmt: skip

# Common Chinese surnames, to split names written together ("许祥波唐娜" → 许祥波, 唐娜).
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)

# Image captions in text dumps start with a triangle.
CAPTION_STARTS = ("△", "▲", "▽", "图为")
# A short line crediting an image ("图片来源：霍尼韦尔官网") is a caption, not body text.
IMAGE_CREDIT = re.compile(r"^(?:图片来源|图片|图源|摄影|供图)[:：]\s*\S.{0,40}$")

# "…。（证券时报）": a parenthesised publisher name closing the last paragraph, after sentence-final
# punctuation. The name must end like a publisher's name, so "…哪些股？（附名单）" is left alone.
TRAILING_SOURCE = re.compile(
    r"^(?P<body>.*[。！？!?”’」』…])\s*[（(](?P<name>[^（）()\s]{1,12}(?:报|社|网|新闻|财经|客户端|公司|电视台|杂志))[）)]$",
    re.S,
)

# -- saved article pages (adapter html): what the body's edges hold besides the article ----------

EDITOR_LINE = re.compile(r"^[\[【（(]?\s*(?:责任编辑|责编|编辑|校对|审核|监制)\s*[:：/]")
SOURCE_LINE = re.compile(r"^[\[【（(]?\s*(?:本文|文章)?来源\s*[:：]\s*([^\s）)】\]]{2,24})[）)】\]]?\s*$")
# Page furniture trafilatura sometimes keeps at the end of a body.
FURNITURE = re.compile(
    r"^(?:举报邮箱|违法和不良信息|返回.{0,8}首页|Copyright|©|版权所有|【?免责声明|特别声明"
    r"|Notice: The content|[（(]本文来自|本文仅代表)"
)
# Furniture wherever it stands in a short paragraph: a QR code to scan, a request to credit the source.
FURNITURE_ANYWHERE = re.compile(r"二维码|扫码|公众号|转载请注明|转发请注明")
MAX_FURNITURE_PARAGRAPH = 80
# "…举行。（张巨峰）": the reporter, in brackets after the last sentence.
TRAILING_NAME = re.compile(r"^(?P<body>.*[。！？”])\s*[（(](?P<name>[\u4e00-\u9fff]{2,3})[）)]$", re.S)
# "（本文来源：经济日报 作者：…研究员徐占忱）": where the text came from and who wrote it, closing it.
CLOSING_CREDIT = re.compile(
    r"^[（(]\s*(?:本文|文章)?来源\s*[:：]\s*(?P<source>[^\s）)]{2,24})\s+作者\s*[:：].*?(?P<name>[\u4e00-\u9fff]{2,3})\s*[）)]$"
)
LEAD_AUTHOR = re.compile(r"^【文\s*[/／](?:[^】]*?作者)?\s*(?P<name>[\u4e00-\u9fff·]{2,4})】\s*")
# The reporters in brackets, in the lead or closing the text: "新华社巴黎12月9日电（记者唐霁）",
# "〔記者巫其倫／台北報導〕", "（总台记者 张倩）", "（评论员 罗博 萧海川）".
BRACKETED_BYLINE = re.compile(
    r"[（(〔【\[]\s*[\u4e00-\u9fff]{0,4}?(?:记者|記者|评论员|評論員|通讯员|通訊員)\s*"
    r"([\u4e00-\u9fff·]{2,4}(?:[ 、,，][\u4e00-\u9fff·]{2,4})*)\s*"
    r"(?:[／/][^）)〕】\]]{0,10}|[^）)〕】\]]{0,6})[）)〕】\]]"
)
# "…釐清死因。（王煌忠／台中報導）": the reporter and where the story was filed from, no role needed.
FILED_BYLINE = re.compile(
    r"[（(〔【\[]\s*(?:記者|记者)?\s*([\u4e00-\u9fff·]{2,4}(?:[、,，][\u4e00-\u9fff·]{2,4})*)"
    r"\s*[／/]\s*[\u4e00-\u9fff]{1,8}(?:報導|报道)\s*[）)〕】\]]"
)
NOT_NAMES = frozenset({"整合", "综合", "报道", "编译", "摄影", "摄", "实习生", "通讯员"})  # roles, not names
TRAILING_LINK = re.compile(r"\s*返回[^。！？]{0,8}首页\s*>*\s*$")
