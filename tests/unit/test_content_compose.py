"""The editor writes a document's text as the shipped files are written, so
that saving a page unchanged shows no change to its approver."""

from pathlib import Path

from webapp.content.library import compose, parse_text, split_front_matter

SHIPPED = Path(__file__).resolve().parents[2] / "content"


def test_a_shipped_page_written_back_unchanged_is_the_same_text():
    path = SHIPPED / "pages" / "clares-law.en.md"
    text = path.read_text(encoding="utf-8")
    matter, body, _line = split_front_matter(text)
    assert compose(matter, body) == text


def test_what_the_editor_writes_reads_back_the_same():
    text = compose({"title": "Winter: #1 'help'", "summary": "Cold nights.", "order": None,
                    "banner": ""}, "## Heading\r\n\r\nText.\r\n")
    doc = parse_text("winter.en.md", text, "pages")
    assert (doc.title, doc.summary, doc.order) == ("Winter: #1 'help'", "Cold nights.", None)
    assert text.endswith("---\n## Heading\n\nText.\n")
