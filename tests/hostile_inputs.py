"""What the make.py of a hostile case builds its large inputs from: a real finews post."""

from __future__ import annotations

from pathlib import Path

POST = Path(__file__).resolve().parent / "fixtures" / "hostile-post.txt"
FRONT, BODY = POST.read_text(encoding="utf-8").split("---\n", 2)[1:]


def post(front: str = FRONT, body: str = BODY) -> str:
    return f"---\n{front}---\n{body}"


def body(number: int) -> str:
    """The post's body with a URL of its own and one changed word: not a duplicate of the post."""
    url = "http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202202262290179330"
    return BODY.replace(url, f"http://finews.zning.xyz/{number}").replace("初心永固", f"初心永固{number}")


def put(folder: Path, relative: str, text: str) -> None:
    (folder / relative).write_text(text, encoding="utf-8")


def one_line(size: int) -> bytes:
    """``size`` bytes of the post's paragraphs, minified onto one line (UTF-8 cut at a character)."""
    unit = "".join(line.strip() for line in BODY.split("\n") if line.strip().startswith("<p")).encode()
    return (unit * (size // len(unit) + 1))[:size].decode("utf-8", "ignore").encode()
