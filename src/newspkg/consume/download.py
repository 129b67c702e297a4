"""Fetch a published package over HTTP(S) into a folder, so that ``newspkg verify`` can prove it intact.

``download(url, folder)`` gets the descriptor (``url``, or ``url`` + ``datapackage.json`` when it
ends with ``/``), then every local resource path and every ``newspkg:schemas`` file, relative to the
descriptor's URL. Only the standard library is used (``urllib.request``); only ``http`` and
``https`` are spoken, redirects included (and never from https down to http).

Safety, before anything is fetched or written:

- a path is fetched only when :func:`newspkg.consume.descriptor.path_problem` finds nothing wrong with it
  (the rules ``verify`` applies: relative, no ``..``, ``~``, hidden component, backslash, colon, no
  link in the folder leading out). Anything else, full URLs included, is skipped: ``verify``, run
  afterwards on the same descriptor, reports it (``package:path``, ``package:remote``). So a
  hostile descriptor costs no request for the paths it smuggles in;
- each file is streamed to ``<folder>/<path>.partial`` and renamed into place only when complete;
- a file may not be larger than its declared ``bytes`` (``newspkg:bytes`` for Parquet); the package
  as a whole may not be larger than ``max_bytes``; schema files and the descriptor not larger than
  :data:`~newspkg.consume.descriptor.MAX_JSON_BYTES`. A server sending more is cut off, the partial file
  deleted and the file reported (``download:size``). These count bytes as received, as stored: a
  Parquet file's compressed bytes. What a Parquet file decodes to is bounded by ``verify``, which
  reads no row group over :data:`~newspkg.consume.rows.MAX_GROUP_BYTES` (``parquet:too-large``);
- every request has a timeout (seconds without progress, :data:`TIMEOUT_SECONDS`).

Resuming: when a ``.partial`` file is there from an interrupted run, the request asks for the rest
with ``Range: bytes=N-``; a server that ignores it (200) or answers for another range is read from
the start again. A file already in place with the declared size and sha256 is kept, not fetched.

Exit codes, as the CLI maps them: :class:`~newspkg.errors.PackageError` (exit 2) when there is no
package to speak of: a URL that is not http(s), a folder that cannot be written, a descriptor that
cannot be fetched or is not a descriptor (not JSON, larger than the limit). Everything about the
files it lists (refused paths, HTTP errors, an oversized or truncated file, a network failure) is an
:class:`~newspkg.issues.Issue` in the returned report (exit 1 with verify's own findings), since the
package was found and is not intact: a hostile server ends as "problems found", not "usage error".
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import ssl
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from newspkg import __version__, package, rules
from newspkg.consume.descriptor import MAX_JSON_BYTES, parse_descriptor, path_problem
from newspkg.errors import PackageError
from newspkg.issues import Issue
from newspkg.rules import Rule

DESCRIPTOR = "datapackage.json"
MAX_BYTES = 2 * 1024**3  # the whole package, by default
TIMEOUT_SECONDS = 60.0
CHUNK = 1 << 20
SCHEMES = ("http", "https")
CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")
NETWORK_ERRORS = (urllib.error.URLError, http.client.HTTPException, TimeoutError, ConnectionError, ssl.SSLError)


@dataclass
class DownloadReport:
    descriptor: Path  # <folder>/datapackage.json, to verify
    issues: list[Issue] = field(default_factory=list)
    fetched: int = 0  # files fetched (in whole or in part) by this run
    kept: int = 0  # files already in place and intact
    resumed: int = 0  # files continued from a .partial with a Range request
    bytes: int = 0  # bytes received by this run

    def add(self, file: str, rule: Rule, message: str) -> None:
        self.issues.append(rule.issue(file, message))


@dataclass(frozen=True)
class _Target:
    path: str  # relative to the package
    declared: int | None  # bytes the descriptor declares, when it does
    sha256: str | None  # hex digest the descriptor declares, when it does
    cap: int | None = None  # a limit of its own when nothing is declared (schema files)


class _Refused(Exception):
    """The transfer had to stop: the message says why (file-level, becomes an issue)."""

    def __init__(self, rule: Rule, message: str, *, keep_partial: bool = True) -> None:
        super().__init__(message)
        self.rule = rule
        self.keep_partial = keep_partial


class _RedirectHandler(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http(s) only, and never from https down to http."""

    def http_error_302(self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any) -> Any:
        location = headers.get("Location") or headers.get("URI")
        if location:
            target = urljoin(req.full_url, location)
            scheme = urlsplit(target).scheme.lower()
            if scheme not in SCHEMES or (urlsplit(req.full_url).scheme.lower() == "https" and scheme == "http"):
                fp.close()
                raise urllib.error.URLError(f"refusing a redirect from {req.full_url} to {target}")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _opener() -> urllib.request.OpenerDirector:
    """An opener that speaks http and https only (no file:, ftp: or data: handlers)."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        _RedirectHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def descriptor_url(url: str) -> str:
    """The descriptor's URL: ``url`` itself, or ``url`` + ``datapackage.json`` for a folder URL."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise PackageError(f"{url!r} is not an http(s) URL: newspkg download speaks http and https only")
    if parts.path == "" or parts.path.endswith("/"):
        parts = parts._replace(path=(parts.path or "/") + DESCRIPTOR)
    return urlunsplit(parts)


def download(url: str, folder: Path, *, max_bytes: int = MAX_BYTES, timeout: float | None = None) -> DownloadReport:
    """Fetch the package at ``url`` into ``folder``; see the module docstring for what is refused.

    ``timeout``: seconds a request may go without progress (default :data:`TIMEOUT_SECONDS`)."""
    timeout = timeout or TIMEOUT_SECONDS
    location = descriptor_url(url)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PackageError(f"cannot create {folder}: {error}") from None
    opener = _opener()
    report = DownloadReport(folder / DESCRIPTOR)
    problem = path_problem(folder, DESCRIPTOR, what="descriptor path")
    if problem:
        raise PackageError(problem[1] + f" in {folder}")
    try:
        data, location = _fetch_descriptor(opener, location, timeout)
    except urllib.error.HTTPError as error:
        error.close()
        raise PackageError(f"cannot fetch the descriptor {location}: {_reason(error)}") from None
    except (_Refused, *NETWORK_ERRORS) as error:
        raise PackageError(f"cannot fetch the descriptor {location}: {_reason(error)}") from None
    except OSError as error:
        raise PackageError(f"cannot fetch the descriptor {location}: {error}") from None
    descriptor = parse_descriptor(data, location)
    try:
        _write_whole(folder / DESCRIPTOR, data)
    except OSError as error:
        raise PackageError(f"cannot write {folder / DESCRIPTOR}: {error}") from None
    report.bytes += len(data)
    budget = max_bytes - len(data)
    for target in _targets(descriptor):
        if path_problem(folder, target.path) is not None:
            continue  # verify reports it, from the same descriptor and the same rules
        try:
            budget -= _fetch_file(
                opener, urljoin(location, quote(target.path)), folder, target, budget, timeout, report
            )
        except _Refused as refused:
            report.add(target.path, refused.rule, str(refused))
    return report


def _fetch_descriptor(opener: urllib.request.OpenerDirector, url: str, timeout: float) -> tuple[bytes, str]:
    """The descriptor's bytes (at most the limit) and its final URL, after redirects."""
    request = _request(url)
    with opener.open(request, timeout=timeout) as response:
        data = response.read(MAX_JSON_BYTES + 1)
        if len(data) > MAX_JSON_BYTES:
            raise _Refused(rules.DOWNLOAD_SIZE, f"larger than {MAX_JSON_BYTES} bytes")
        return data, str(response.geturl())


def _targets(descriptor: dict[str, Any]) -> Iterator[_Target]:
    """Every file the descriptor lists, once: resource paths (each part of a multi-part one), schemas."""
    seen = {DESCRIPTOR}
    listed = descriptor.get("resources")
    for resource in listed if isinstance(listed, list) else []:
        if not isinstance(resource, dict):
            continue
        value = resource.get("path")
        declared = resource.get("bytes", resource.get(package.PARQUET_BYTES))
        digest = resource.get("hash")
        single = isinstance(value, str)
        for path in [value] if single else value if isinstance(value, list) else []:
            if isinstance(path, str) and path not in seen:
                seen.add(path)
                yield _Target(
                    path,
                    declared if single and _is_size(declared) else None,
                    digest.removeprefix("sha256:") if single and isinstance(digest, str) else None,
                )
    shipped = descriptor.get(package.SCHEMAS)
    if isinstance(shipped, dict):
        sources = shipped.get("sources")
        for path in [shipped.get("record"), *(sources.values() if isinstance(sources, dict) else [])]:
            if isinstance(path, str) and path not in seen:
                seen.add(path)
                yield _Target(path, None, None, MAX_JSON_BYTES)


def _is_size(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _fetch_file(
    opener: urllib.request.OpenerDirector,
    url: str,
    folder: Path,
    target: _Target,
    budget: int,
    timeout: float,
    report: DownloadReport,
) -> int:
    """Fetch one file into place; its size, which counts against the package's ``budget``."""
    final = folder / target.path
    partial = final.with_name(final.name + ".partial")
    if path_problem(folder, target.path + ".partial") is not None:
        raise _Refused(rules.DOWNLOAD_PATH, f"{target.path}.partial leads out of {folder} through a link: not written")
    if _intact(final, target):
        report.kept += 1
        return final.stat().st_size
    if target.declared is not None and target.declared > budget:
        raise _Refused(
            rules.DOWNLOAD_SIZE,
            f"{target.path} declares {target.declared} bytes: more than the {budget} left of --max-bytes; not fetched",
        )
    limit = target.declared if target.declared is not None else min(budget, target.cap or budget)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        offset = partial.stat().st_size if partial.is_file() and not partial.is_symlink() else 0
        if offset > limit:
            partial.unlink()
            offset = 0
        size = _transfer(opener, url, partial, offset, limit, target, timeout, report)
        if target.declared is not None and size != target.declared:
            raise _Refused(
                rules.DOWNLOAD_SIZE,
                f"{target.path}: the transfer ended after {size} of the {target.declared} bytes the descriptor "
                "declares; run again to resume",
            )
        partial.replace(final)
    except _Refused as refused:
        if not refused.keep_partial:
            partial.unlink(missing_ok=True)
        raise
    except NETWORK_ERRORS as error:
        raise _Refused(rules.DOWNLOAD_NETWORK, f"{target.path}: {_reason(error)}; run again to resume") from None
    except OSError as error:
        raise _Refused(rules.DOWNLOAD_IO, f"{target.path}: cannot be written in {folder}: {error}") from None
    return size


def _intact(final: Path, target: _Target) -> bool:
    if target.declared is None or target.sha256 is None or not final.is_file() or final.is_symlink():
        return False
    if final.stat().st_size != target.declared:
        return False
    return package.file_facts(final).sha256 == target.sha256


def _transfer(
    opener: urllib.request.OpenerDirector,
    url: str,
    partial: Path,
    offset: int,
    limit: int,
    target: _Target,
    timeout: float,
    report: DownloadReport,
) -> int:
    """Stream ``url`` to ``partial`` (continuing from ``offset`` when the server honours Range); the
    partial file's final size. More than ``limit`` bytes: :class:`_Refused`, partial file deleted."""
    request = _request(url)
    if offset:
        request.add_header("Range", f"bytes={offset}-")
    try:
        response = opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        error.close()
        if error.code == 416 and offset:  # the range is past the end: the partial file is no good
            partial.unlink()
            return _transfer(opener, url, partial, 0, limit, target, timeout, report)
        raise _Refused(rules.DOWNLOAD_HTTP, f"{target.path}: HTTP {error.code} {error.reason} from {url}") from None
    with response:
        start = _start_of(response, offset)
        if start == offset and offset:
            report.resumed += 1
        announced = response.headers.get("Content-Length")
        if announced and announced.isdigit() and start + int(announced) > limit:
            raise _Refused(
                rules.DOWNLOAD_SIZE, _too_large(target, limit, start + int(announced)), keep_partial=start > 0
            )
        report.fetched += 1
        with _open_partial(partial, start) as file:
            size = start
            while chunk := response.read(CHUNK):
                size += len(chunk)
                report.bytes += len(chunk)
                if size > limit:
                    raise _Refused(rules.DOWNLOAD_SIZE, _too_large(target, limit, None), keep_partial=False)
                file.write(chunk)
    return size


def _start_of(response: Any, offset: int) -> int:
    """Where the response's body starts in the file: ``offset`` for a 206 answering our range, else 0."""
    if response.status != http.client.PARTIAL_CONTENT:
        return 0
    match = CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", "").strip())
    if match is None or int(match[1]) != offset:
        raise _Refused(rules.DOWNLOAD_HTTP, f"{response.geturl()}: a 206 answer for a range that was not asked for")
    return offset


@contextlib.contextmanager
def _open_partial(partial: Path, start: int) -> Iterator[BinaryIO]:
    """The partial file, truncated to ``start`` bytes, open for appending; never through a link."""
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(partial, flags, 0o644)
    with os.fdopen(descriptor, "wb") as file:
        file.truncate(start)
        file.seek(start)
        yield file


def _write_whole(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    with _open_partial(partial, 0) as file:
        file.write(data)
    partial.replace(path)


def _too_large(target: _Target, limit: int, announced: int | None) -> str:
    what = (
        f"the {limit} bytes the descriptor declares"
        if target.declared is not None
        else f"the {limit} bytes allowed (--max-bytes, or the schema file limit)"
    )
    sent = f"announced {announced} bytes" if announced is not None else "sent more"
    return f"{target.path}: the server {sent}, more than {what}; not kept"


def _request(url: str) -> urllib.request.Request:
    return urllib.request.Request(  # noqa: S310 - the scheme is checked: http and https only
        url, headers={"User-Agent": f"newspkg/{__version__}", "Accept-Encoding": "identity"}
    )


def _reason(error: BaseException) -> str:
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    if isinstance(error, urllib.error.URLError):
        return str(error.reason)
    return str(error) or type(error).__name__


__all__ = ["MAX_BYTES", "TIMEOUT_SECONDS", "DownloadReport", "descriptor_url", "download"]
