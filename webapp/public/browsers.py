"""Which browser a visitor uses, so that its guidance comes first.

Only the ``User-Agent`` header of the current request is read; nothing is
stored or logged. The order of the checks matters: Samsung Internet and Edge
also say "Chrome", and every iPhone browser says "Safari".
"""

from __future__ import annotations

BROWSERS = ("chrome", "safari-iphone", "samsung", "firefox", "edge")


def detect(user_agent: str | None) -> str | None:
    ua = user_agent or ""
    if "SamsungBrowser/" in ua:
        return "samsung"
    if "Edg/" in ua or "EdgA/" in ua or "EdgiOS/" in ua:
        return "edge"
    if "Firefox/" in ua or "FxiOS/" in ua:
        return "firefox"
    if "CriOS/" in ua or ("Chrome/" in ua and "Chromium/" not in ua):
        return "chrome"
    if ("iPhone" in ua or "iPad" in ua) and "Safari/" in ua:
        return "safari-iphone"
    return None


def in_order(mine: str | None) -> list[str]:
    """Every browser we give steps for, the visitor's own (``detect``) first."""
    return sorted(BROWSERS, key=lambda name: name != mine)
