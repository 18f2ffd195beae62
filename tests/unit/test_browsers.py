import pytest

from webapp.public.browsers import BROWSERS, detect, in_order

AGENTS = {
    "chrome": "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/131.0.0.0 Mobile Safari/537.36",
    "chrome-ios": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
                  "(KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
    "safari-iphone": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
                     "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "samsung": "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
               "SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
    "firefox": "Mozilla/5.0 (Android 14; Mobile; rv:132.0) Gecko/132.0 Firefox/132.0",
    "firefox-ios": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
                   "(KHTML, like Gecko) FxiOS/132.0 Mobile/15E148 Safari/605.1.15",
    "edge": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
}


@pytest.mark.parametrize(("agent", "expected"), [
    ("chrome", "chrome"), ("chrome-ios", "chrome"), ("safari-iphone", "safari-iphone"),
    ("samsung", "samsung"), ("firefox", "firefox"), ("firefox-ios", "firefox"), ("edge", "edge"),
])
def test_detect(agent, expected):
    assert detect(AGENTS[agent]) == expected


def test_unknown_keeps_the_usual_order():
    assert detect(None) is None
    assert detect("curl/8.0") is None
    assert in_order(detect("curl/8.0")) == list(BROWSERS)


def test_visitors_browser_first_and_every_browser_kept():
    order = in_order(detect(AGENTS["edge"]))
    assert order[0] == "edge"
    assert sorted(order) == sorted(BROWSERS)
