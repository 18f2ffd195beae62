"""Step-by-step private browsing and history guidance for each common browser."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STEPS = {
    "chrome": {
        "name": _l("Chrome"),
        "private": [
            _l("On a phone, tap the three dots at the top."),
            _l("Tap “New Incognito tab”."),
            _l("On a computer, press Ctrl, Shift and N together (on a Mac, Command, Shift and N)."),
        ],
        "history": [
            _l("Tap or click the three dots, then “History”."),
            _l("Find the pages of this site and remove each one (tap the cross beside it)."),
            _l("If you are signed in to Chrome, your history may also show on your other devices."),
        ],
    },
    "safari-iphone": {
        "name": _l("Safari on iPhone"),
        "private": [
            _l("Tap the tabs button (two squares) at the bottom."),
            _l("Swipe to “Private”, then tap the plus sign."),
        ],
        "history": [
            _l("Tap the book button, then the clock for your history."),
            _l("Swipe left on each page of this site and tap “Delete”."),
            _l("History is shared with other Apple devices signed in to the same Apple Account."),
        ],
    },
    "samsung": {
        "name": _l("Samsung Internet"),
        "private": [
            _l("Tap the tabs button at the bottom."),
            _l("Tap “Turn on Secret mode”."),
        ],
        "history": [
            _l("Tap the menu (three lines), then “History”."),
            _l("Press and hold a page of this site, select the others, then tap “Delete”."),
        ],
    },
    "firefox": {
        "name": _l("Firefox"),
        "private": [
            _l("On a phone, tap the mask button on the home page to open a private tab."),
            _l("On a computer, press Ctrl, Shift and P together (on a Mac, Command, Shift and P)."),
        ],
        "history": [
            _l("Open the menu, then “History”."),
            _l("Press and hold (or right-click) each page of this site and choose “Delete”."),
        ],
    },
    "edge": {
        "name": _l("Microsoft Edge"),
        "private": [
            _l("Tap or click the three dots."),
            _l("Choose “New InPrivate tab” (on a computer, Ctrl, Shift and N)."),
        ],
        "history": [
            _l("Tap or click the three dots, then “History”."),
            _l("Remove each page of this site (the bin or cross beside it)."),
        ],
    },
}
