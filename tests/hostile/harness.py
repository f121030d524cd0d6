"""The battery's machinery: which URLs take a POST, the fields of a page's form, sending a
mutated request, and the three checks (no 5xx, no partial write, no unescaped reflection)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver

from tests.hostile.payloads import RAW_MARKERS, Mutation

# --- Which URLs take a POST ---------------------------------------------------------------


def _allowed_methods(callback) -> set[str] | None:
    """The methods a view accepts, read off Django's method decorators (their closure
    holds the list) or a class-based view's handlers; None when nothing restricts it."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return {m.upper() for m in view_class.http_method_names if hasattr(view_class, m)}
    func = callback
    while func is not None:
        for cell in getattr(func, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if (isinstance(value, list | tuple) and value
                    and all(isinstance(m, str) and m.isupper() for m in value)):
                return set(value)
        func = getattr(func, "__wrapped__", None)
    return None


def post_endpoints() -> dict[str, str]:
    """{namespaced URL name: route} of every URL pattern that may take a POST (a view with
    no method restriction counts as one)."""
    found: dict[str, str] = {}

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                methods = _allowed_methods(pattern.callback)
                if methods is not None and "POST" not in methods:
                    continue
                name = pattern.name or f"<unnamed {prefix}{pattern.pattern}>"
                found[f"{namespace}:{name}" if namespace else name] = prefix + str(pattern.pattern)

    walk(get_resolver(), "/", "")
    return found


# --- A page's forms ---------------------------------------------------------------------


class _Forms(HTMLParser):
    """Every <form> of a page: its action (or hx-post) and the fields a browser would send."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "hx_post": a.get("hx-post"),
                          "method": a.get("method", "get").lower(), "fields": {},
                          "files": [], "buttons": {}, "checked": set()}
            self.forms.append(self._form)
            return
        form, name = self._form, a.get("name")
        if form is None:
            # hx-post buttons outside a form carry their own action.
            if a.get("hx-post"):
                self.forms.append({"action": None, "hx_post": a["hx-post"], "method": "post",
                                   "fields": {}, "files": [], "buttons": {}})
            return
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind == "file":
                form["files"].append(name)
            elif kind in ("submit", "image", "button"):
                form["buttons"].setdefault(name, a.get("value", ""))
            elif kind == "checkbox":
                if "checked" in a:
                    form["fields"].setdefault(name, []).append(a.get("value", "on"))
            elif kind == "radio":
                # The checked button, else the first one (a valid choice to start from).
                if "checked" in a:
                    form["fields"][name] = [a.get("value", "on")]
                    form["checked"].add(name)
                elif name not in form["checked"] and not form["fields"].get(name):
                    form["fields"][name] = [a.get("value", "on")]
            elif kind != "reset":
                form["fields"].setdefault(name, []).append(a.get("value", ""))
        elif tag == "button" and name and a.get("type", "submit") == "submit":
            form["buttons"].setdefault(name, a.get("value", ""))
        elif tag == "select" and name:
            self._select, self._select_first = name, None
            form["fields"].setdefault(name, [])
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None and value:
                self._select_first = value
            if "selected" in a:
                form["fields"][self._select] = [value]
        elif tag == "textarea" and name:
            self._textarea = name
            form["fields"][name] = [""]

    def handle_data(self, data: str) -> None:
        if self._textarea and self._form is not None:
            self._form["fields"][self._textarea][0] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select and self._form is not None:
            if not self._form["fields"][self._select] and self._select_first:
                self._form["fields"][self._select] = [self._select_first]
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_for(html: str, page_url: str, target: str) -> dict | None:
    """The form of `html` that posts to `target`; its submit buttons' first values count
    as fields (a decision button is what the form means)."""
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        for action in (form["action"], form["hx_post"]):
            if action is None:
                continue
            if urlsplit(urljoin(page_url, action)).path == target:
                buttons = {name: [value] for name, value in form["buttons"].items()}
                form["fields"] = {**buttons, **form["fields"]}
                form["fields"].pop("csrfmiddlewaretoken", None)
                return form
    return None


# --- Sending one mutated request ------------------------------------------------------------


def send(client, url: str, mutation: Mutation):
    """POST the mutation in its encoding; htmx requests carry HX-Request."""
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "main"} if mutation.htmx else {}
    if mutation.encoding == "multipart":
        data: dict = {name: values for name, values in mutation.values.items()}
        for name, (filename, content) in mutation.files.items():
            data[name] = SimpleUploadedFile(filename, content)
        return client.post(url, data, **headers)
    if mutation.encoding == "urlencoded":
        body = urlencode([(n, v) for n, vs in mutation.values.items() for v in vs])
        return client.post(url, body, content_type="application/x-www-form-urlencoded",
                           **headers)
    if mutation.encoding == "json":
        body = json.dumps({n: vs[0] if len(vs) == 1 else vs
                           for n, vs in mutation.values.items()})
        return client.post(url, body, content_type="application/json", **headers)
    body = "\n".join(f"{n}={v}" for n, vs in mutation.values.items() for v in vs)
    return client.post(url, body.encode("utf-8", "surrogatepass"),
                       content_type="text/plain; charset=utf-8", **headers)


# --- The checks --------------------------------------------------------------------------


def _counted_tables() -> list[str]:
    # Sessions are the test client's own (a sign-in cycles the key); every other table,
    # the audit trail included, must keep its row count through a refused request.
    skip = {Session._meta.db_table}
    return sorted({m._meta.db_table for m in apps.get_models()
                   if m._meta.managed and not m._meta.proxy and m._meta.db_table not in skip})


def row_counts() -> dict[str, int]:
    """The row count of every table, in one query."""
    tables = _counted_tables()
    quote = connection.ops.quote_name
    # Table names come from the models, not from input.
    sql = " UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM {quote(t)}"  # noqa: S608
                             for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def row_state(instance) -> list[dict] | None:
    if instance is None or not hasattr(instance, "_meta"):
        return None
    return list(type(instance)._default_manager.filter(pk=instance.pk).values())


def assert_no_raw_payload(response, where: str) -> None:
    """No script or event-handler payload comes back unescaped in an HTML answer."""
    content_type = response.get("Content-Type", "")
    if "html" not in content_type and "text/plain" not in content_type:
        return
    if getattr(response, "streaming", False):
        return
    text = response.content.decode("utf-8", "replace")
    for marker in RAW_MARKERS:
        assert marker not in text, f"unescaped {marker!r} in the answer of {where}"


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run one example in a savepoint that is always rolled back: examples don't see each
    other's writes, and a database error inside one doesn't poison the next."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
