"""Markdown is rendered for reading and made inert for anything executable."""

from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from failwell.web.markdown import render_markdown


class _Elements(HTMLParser):
    """The real elements and attributes in rendered HTML (escaped text does not count)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend((name, value or "") for name, value in attrs)


def _executable(html: str) -> list[str]:
    found = _Elements(html)
    bad = [t for t in found.tags if t in ("script", "iframe", "object", "embed", "style")]
    bad += [n for n, _ in found.attrs if n.startswith("on")]
    bad += [
        v
        for n, v in found.attrs
        if n in ("href", "src") and v.strip().lower().startswith(("javascript:", "data:"))
    ]
    return bad


def test_ordinary_markdown_renders() -> None:
    html = render_markdown("# Title\n\n*slow* **deploy**, see [runbook](https://example.com/rb)\n\n- a\n- b")
    assert "<h1>Title</h1>" in html
    assert "<em>slow</em>" in html
    assert 'href="https://example.com/rb"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert "<li>a</li>" in html


def test_scripts_handlers_and_javascript_links_are_inert() -> None:
    nasty = (
        "<script>alert(1)</script>\n\n"
        '<img src=x onerror="alert(2)">\n\n'
        "[click](javascript:alert(3))\n\n"
        '<a href="javascript:alert(4)">x</a>\n\n'
        "![i](javascript:alert(5))\n\n"
        '<iframe src="https://evil.example"></iframe>'
    )
    html = str(render_markdown(nasty))
    assert _executable(html) == []
    assert "alert(1)" not in _Elements(html).tags


@given(
    st.lists(
        st.sampled_from(
            [
                "<script>",
                "</script>",
                "<img src=x onerror=alert(1)>",
                "[a](javascript:x)",
                "![b](data:x)",
                "<a href='javascript:y'>",
                "*",
                "`",
                "\n\n",
                "text",
                "<iframe>",
                "](",
                "<",
                ">",
                '"',
                "javascript:",
            ]
        )
        | st.text(max_size=20),
        max_size=30,
    ).map("".join)
)
def test_no_input_produces_executable_markup(text: str) -> None:
    assert _executable(str(render_markdown(text))) == []


def test_empty_is_empty() -> None:
    assert render_markdown("") == ""
    assert render_markdown(None) == ""
