"""The translation catalogues are complete: every message translated, none fuzzy.

Simplified Chinese is the default interface language and English the second one, so an
untranslated or fuzzy entry would show English (or a wrong guess) to a Chinese user.
`make makemessages` refreshes the .po files; `make messages` compiles them (`make test`
does that first, which the gettext test below relies on). No database needed.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
CATALOGUES = {
    "zh_Hans": ("zh_Hans", "nplurals=1; plural=0;"),
    "en": ("en", "nplurals=2; plural=(n != 1);"),
}


def po_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / "django.po"


@dataclass
class Entry:
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # msgstr is index 0


def parse_po(path: Path) -> list[Entry]:
    """A small .po reader for gettext-written files: entries are separated by blank lines.

    Reads flags, msgctxt, msgid, msgid_plural and msgstr / msgstr[n]; skips obsolete (#~).
    """
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry, target = Entry(), None
        for raw in block.splitlines():
            line = raw.strip()
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
                continue
            if not line or line.startswith("#"):
                continue
            match = re.match(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$",
                             line)
            if match:
                keyword, index, literal = match.groups()
                target = (keyword, int(index or 0))
            elif line.startswith('"') and target is not None:
                literal = line
            else:
                raise AssertionError(f"{path}: cannot read line {raw!r}")
            text = ast.literal_eval(literal)
            keyword, index = target
            if keyword == "msgstr":
                entry.msgstr[index] = entry.msgstr.get(index, "") + text
            elif keyword == "msgid_plural":
                entry.msgid_plural = (entry.msgid_plural or "") + text
            elif keyword == "msgctxt":
                entry.msgctxt = (entry.msgctxt or "") + text
            else:
                entry.msgid += text
        if target is not None:  # a block of comments only (or obsolete entries) is no entry
            entries.append(entry)
    return entries


def header(entries: list[Entry]) -> dict[str, str]:
    head = next(e for e in entries if e.msgid == "" and e.msgctxt is None)
    pairs = (line.split(":", 1) for line in head.msgstr[0].splitlines() if ":" in line)
    return {key.strip(): value.strip() for key, value in pairs}


@pytest.mark.parametrize("locale", sorted(CATALOGUES))
def test_catalogue_header(locale):
    language, plural_forms = CATALOGUES[locale]
    entries = parse_po(po_path(locale))
    fields = header(entries)
    assert fields["Language"] == language
    assert fields["Plural-Forms"] == plural_forms
    assert "charset=UTF-8" in fields["Content-Type"]
    head = next(e for e in entries if e.msgid == "")
    assert "fuzzy" not in head.flags, f"{locale}: the header is still marked fuzzy"


@pytest.mark.parametrize("locale", sorted(CATALOGUES))
def test_catalogue_has_no_fuzzy_or_untranslated_entry(locale):
    messages = [e for e in parse_po(po_path(locale)) if e.msgid]
    assert len(messages) > 100, f"{locale}: suspiciously few messages ({len(messages)})"
    nplurals = 1 if locale == "zh_Hans" else 2
    fuzzy = [e.msgid for e in messages if "fuzzy" in e.flags]
    untranslated = [
        e.msgid for e in messages
        if not all(e.msgstr.get(i) for i in range(nplurals if e.msgid_plural else 1))
    ]
    assert not fuzzy, f"{locale}: fuzzy entries: {fuzzy}"
    assert not untranslated, f"{locale}: untranslated entries: {untranslated}"


@pytest.mark.parametrize("locale", sorted(CATALOGUES))
def test_msgfmt_check_passes(locale):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt not found: install GNU gettext (apt-get install gettext)")
    result = subprocess.run(
        [msgfmt, "--statistics", "-c", "-o", "/dev/null", str(po_path(locale))],
        capture_output=True, text=True, check=False,
    )
    report = result.stderr.strip()
    assert result.returncode == 0, f"{locale}: msgfmt -c failed:\n{report}"
    assert re.search(r"\d+ translated messages?\.", report), report
    assert "fuzzy" not in report, f"{locale}: {report}"
    assert "untranslated" not in report, f"{locale}: {report}"
    assert "warning" not in report, f"{locale}: {report}"


def test_compiled_catalogues_are_used():
    for locale in CATALOGUES:
        mo = po_path(locale).with_suffix(".mo")
        assert mo.exists(), f"{mo} is missing: run `make messages` (compilemessages) first"
    with translation.override("zh-hans"):
        assert translation.gettext("My day") == "我的一天"
        assert translation.gettext("Log out") == "退出登录"
    with translation.override("en"):
        assert translation.gettext("My day") == "My day"
        assert translation.gettext("Log out") == "Log out"


# Where `make makemessages` does not look (its --ignore list, Django's defaults, and what
# only a run leaves behind).
NOT_SOURCES = {".venv", "staticfiles", "var", "build", "node_modules", "test-results",
               "locale"}


def source_messages(root: Path, scratch: Path) -> set[tuple[str | None, str]]:
    """(msgctxt, msgid) of every message the sources mark, read as `makemessages` reads
    them: templates run through Django's `templatize`, then GNU xgettext with Django's
    keywords."""
    from django.utils.translation import templatize

    files = []
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        if (not path.is_file() or path.suffix not in {".py", ".html", ".txt"}
                or any(part in NOT_SOURCES or part.startswith(".") for part in parts)):
            continue
        if path.suffix == ".py":
            files.append(path)
            continue
        copy = scratch.joinpath(*parts).with_name(path.name + ".py")
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(templatize(path.read_text(encoding="utf-8"), origin=str(path)),
                        encoding="utf-8")
        files.append(copy)
    listing = scratch / "files.txt"
    listing.write_text("\n".join(str(path) for path in files), encoding="utf-8")
    pot = scratch / "sources.pot"
    subprocess.run(
        [shutil.which("xgettext") or "xgettext", "-d", "django", "--language=Python",
         "--from-code=UTF-8",
         "--keyword=gettext_noop", "--keyword=gettext_lazy", "--keyword=ngettext_lazy:1,2",
         "--keyword=pgettext:1c,2", "--keyword=npgettext:1c,2,3",
         "--keyword=pgettext_lazy:1c,2", "--keyword=npgettext_lazy:1c,2,3",
         f"--output={pot}", "--files-from", str(listing)],
        check=True, capture_output=True, text=True)
    return {(entry.msgctxt, entry.msgid) for entry in parse_po(pot) if entry.msgid}


@pytest.fixture(scope="module")
def marked_messages(tmp_path_factory):
    if shutil.which("xgettext") is None:
        pytest.skip("xgettext not found: install GNU gettext (apt-get install gettext)")
    return source_messages(Path(settings.BASE_DIR), tmp_path_factory.mktemp("xgettext"))


@pytest.mark.parametrize("locale", sorted(CATALOGUES))
def test_every_marked_message_is_in_the_catalogue(locale, marked_messages):
    """A string marked for translation after the last `make makemessages` would show in
    English to a Chinese user, and the two tests above cannot see it."""
    catalogue = {(entry.msgctxt, entry.msgid) for entry in parse_po(po_path(locale))
                 if "fuzzy" not in entry.flags}
    missing = sorted(marked_messages - catalogue, key=lambda pair: (pair[0] or "", pair[1]))
    assert len(marked_messages) > 100, marked_messages
    assert not missing, (f"{locale}: run `make makemessages` and translate: "
                         f"{[msgid for _ctxt, msgid in missing][:20]}")


def test_source_messages_finds_python_and_template_strings(tmp_path):
    """The reader sees what makemessages sees: each kind of marking, and nothing else."""
    if shutil.which("xgettext") is None:
        pytest.skip("xgettext not found: install GNU gettext (apt-get install gettext)")
    root = tmp_path / "project"
    (root / "app" / "templates").mkdir(parents=True)
    (root / ".venv").mkdir()
    (root / "app" / "views.py").write_text(
        "from django.utils.translation import gettext as _, pgettext_lazy\n"
        "A = _('Plain')\nB = pgettext_lazy('car', 'Trim')\n", encoding="utf-8")
    (root / "app" / "templates" / "page.html").write_text(
        "{% load i18n %}{% translate 'From a tag' %}"
        "{% blocktranslate %}Block {{ n }}{% endblocktranslate %}", encoding="utf-8")
    (root / ".venv" / "lib.py").write_text("_('Not ours')\n", encoding="utf-8")
    scratch = tmp_path / "scratch"
    scratch.mkdir()

    assert source_messages(root, scratch) == {
        (None, "Plain"), ("car", "Trim"), (None, "From a tag"), (None, "Block %(n)s")}
