"""The cache of the public pages for visitors who are not signed in (ADR 0023).

A public page (the partnership's Reviews page and its documents, the archive, a published
review, the library, the digests) is the same for every anonymous visitor on a given day until
the partnership's public content changes. This middleware sits before sessions, authentication
and CSRF: for a GET (or HEAD) without a session cookie it looks up the partnership's content
version (one query) and answers from the cache when the page was rendered for that version,
host, address and day; otherwise the view renders it and the response is kept. Every such
response carries an ETag
(of the body), Last-Modified (the last change of the content, or midnight: the 12-month window
moves then) and ``Cache-Control: public, max-age=...``, and a conditional GET that matches
answers 304.

A request with a session cookie (staff, or anyone with a message waiting) is neither answered
from nor stored in the cache, and its response is marked private, so a shared cache never holds
a page rendered for someone signed in. A response that sets a cookie, or whose CSP carries a
nonce, is never stored (a cached page must be valid for everyone: base.html allows its one
inline script by hash, docs/security.md).
"""

from __future__ import annotations

import functools
import hashlib
from datetime import datetime, time

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from .content_version import version_for_slug

# The pages kept (URL names); every one takes the partnership's slug.
CACHED_PAGES = frozenset(
    {
        "public_site:reviews",
        "public_site:documents",
        "published:archive",
        "published:detail",
        "published:feed",
        "library_public:search",
        "library_public:record",
        "library_public:json",
        "digests_public:list",
        "digests_public:issue",
    }
)
# Response headers not kept with a cached page (set again for each response, or per request).
NOT_KEPT = frozenset({"set-cookie", "date", "x-request-id"})
CACHE_ALIAS = "public_pages"


@functools.lru_cache(maxsize=4096)
def _cached_page(path: str) -> str | None:
    """The slug of the partnership whose cached page ``path`` is, or None (resolving is the
    same for a path every time: remembered)."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.view_name not in CACHED_PAGES:
        return None
    return match.kwargs["slug"]


def _cache_key(partnership_id: int, counter: int, today, request: HttpRequest) -> str:
    where = f"{request.scheme}://{request.get_host()}\n{request.get_full_path()}".encode()
    return (
        f"public-page:{partnership_id}:{counter}:{today.isoformat()}:"
        f"{hashlib.sha256(where).hexdigest()}"
    )


def _last_modified(changed_at: datetime, today) -> int:
    midnight = timezone.make_aware(datetime.combine(today, time.min))
    return int(max(changed_at, midnight).timestamp())


def _rebuild(entry: dict) -> HttpResponse:
    response = HttpResponse(entry["content"], headers=entry["headers"])
    return response


def _keepable(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not response.has_header("Cache-Control")
        and "nonce-" not in response.get("Content-Security-Policy", "")
    )


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.cookie_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):  # HEAD: the same page and headers, no body
            return self.get_response(request)
        slug = _cached_page(request.path_info)
        if slug is None:
            return self.get_response(request)
        if self.cookie_name in request.COOKIES:
            # Perhaps signed in: rendered for this visitor, never kept, never shared.
            response = self.get_response(request)
            if not response.has_header("Cache-Control"):
                patch_cache_control(response, private=True, no_cache=True)
            return response
        version = version_for_slug(slug)
        if version is None:  # no such partnership: the view answers 404
            return self.get_response(request)
        partnership_id, counter, changed_at = version
        today = timezone.localdate()
        key = _cache_key(partnership_id, counter, today, request)
        cache = caches[CACHE_ALIAS]
        entry = cache.get(key)
        if entry is None:
            response = self.get_response(request)
            if not _keepable(response):
                return response
            content = response.content
            response["ETag"] = f'"{hashlib.sha256(content).hexdigest()[:32]}"'
            response["Last-Modified"] = http_date(_last_modified(changed_at, today))
            patch_cache_control(response, public=True, max_age=settings.PUBLIC_PAGE_MAX_AGE)
            entry = {
                "content": content,
                "headers": {
                    name: value for name, value in response.items() if name.lower() not in NOT_KEPT
                },
                "etag": response["ETag"],
                "last_modified": _last_modified(changed_at, today),
            }
            cache.set(key, entry, settings.PUBLIC_PAGE_CACHE_SECONDS)
        else:
            response = _rebuild(entry)
        return get_conditional_response(
            request, etag=entry["etag"], last_modified=entry["last_modified"], response=response
        )
