"""The test client checks every page it fetches (tests/pages.py), unless told
not to: a real page made wrong in each way the checks cover fails the test
that fetches it, GET or POST, error page or page reached by a redirect."""

import pytest
from flask import Response, jsonify, redirect

BROKEN = {
    "two-h1": ("</main>", "<h1>Another heading</h1></main>", "2 <h1> elements"),
    "no-exit": ('id="quick-exit" ', "", "the first link is not the quick exit"),
    "no-999": ("999", "111", "999 and 55"),
    "form-without-csrf": ("</main>", '<form method="post" action="/ask"><button>Go</button>'
                          "</form></main>", "has no CSRF token"),
    "script-elsewhere": ("/static/js/site.js", "https://cdn.example.com/site.js",
                         "loads from another origin"),
    "unclosed": ("</main>", "<div></main>", "</main> on line"),
}


@pytest.fixture
def broken_site(make_app):
    """The real home page, broken in each way, served at /broken/<how>."""
    home = make_app().test_client().get("/").get_data(as_text=True)
    app = make_app(WTF_CSRF_CHECK_DEFAULT=False)  # POST without a token

    @app.route("/broken/<how>", methods=["GET", "POST"])
    def broken(how):
        old, new, _ = BROKEN[how]
        assert old in home
        return home.replace(old, new)

    @app.route("/missing/<how>")
    def missing(how):
        return broken(how), 404

    @app.route("/staff/broken/<how>")
    def staff_broken(how):
        return broken(how)

    @app.route("/to/<how>")
    def to_broken(how):
        return redirect(f"/broken/{how}")

    @app.route("/data")
    def data():
        return jsonify({"h1": 2})

    @app.route("/plain")
    def plain():
        return Response("not a page", mimetype="text/plain")

    return app


@pytest.mark.parametrize("how", sorted(BROKEN))
def test_a_broken_page_fails_the_test_that_fetches_it(broken_site, how):
    client = broken_site.test_client()
    expected = BROKEN[how][2]
    for fetch in (lambda: client.get(f"/broken/{how}"),
                  lambda: client.post(f"/broken/{how}"),
                  lambda: client.get(f"/missing/{how}"),  # an error page is a page too
                  lambda: client.get(f"/to/{how}", follow_redirects=True)):
        with pytest.raises(AssertionError, match=expected):
            fetch()


def test_the_sound_home_page_passes_and_the_redirect_itself_is_not_a_page(broken_site):
    client = broken_site.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/to/two-h1").status_code == 302


def test_staff_pages_need_no_quick_exit_or_999_but_get_the_rest(broken_site):
    client = broken_site.test_client()
    assert client.get("/staff/broken/no-exit").status_code == 200
    assert client.get("/staff/broken/no-999").status_code == 200
    with pytest.raises(AssertionError, match="2 <h1> elements"):
        client.get("/staff/broken/two-h1")


def test_what_is_not_a_page_is_not_checked(broken_site):
    client = broken_site.test_client()
    assert client.get("/data").json == {"h1": 2}
    assert client.get("/plain").status_code == 200


def test_one_request_can_opt_out(broken_site):
    response = broken_site.test_client().get("/broken/two-h1", check=False)
    assert response.status_code == 200


@pytest.mark.unchecked
def test_a_whole_test_can_opt_out(broken_site):
    assert broken_site.test_client().get("/broken/two-h1").status_code == 200
