"""Issue 11 for the portal: no page that renders a list lazy-loads a relationship (Jinja templates that
touch `row.relation` are the classic N+1).

Every GET rule of the portal (the URL map, so a new page is covered without touching this file) is
asked, in the world of tests/api/test_read_statements_every.py grown to N rows per patient table,
first as the patient and, when she may not see it, as her practice's staff; each page that answers 200
must run no lazy relationship load. Pages that still do are listed in LAZY_KNOWN (a ratchet: the test
fails when one of them no longer needs its entry).
"""

from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter

from hearth import db
from tests import authz_world
from tests.api.test_read_statements_every import add_templates, grow, lazy_loads, shape
from tests.test_authorization_matrix import _sign_in, fill_url

N = 12

# Pages that still lazy-load (one object's relationship on a detail or form page, not per row), each a fix
# to make: a grant's caregiver, a visit type's or location's practice (hearth.texts reads its default
# language), a staff result's patient, a membership's practice on the correction form.
LAZY_KNOWN: set[str] = {
    "/caregivers/patients/<int:patient_id>/grants/<int:grant_id>/edit",
    "/settings/fees/<int:practice_id>/visit-types/<int:visit_type_id>",
    "/settings/practice/<int:practice_id>/locations/<int:location_id>",
    "/staff/patients/<int:patient_id>/results/<int:report_id>",
    "/staff/patients/<int:patient_id>/results/<int:report_id>/correct",
}


def portal_rules(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.rule.startswith("/api/") or rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        if "GET" in (rule.methods or ()) and all(isinstance(c, IntegerConverter) for c in rule._converters.values()):
            yield rule


@pytest.fixture
def grown_world():
    w = authz_world.build(without_scope=None)
    add_templates(w, 1)
    shape(w)
    grow(w, N)
    return w


def test_portal_pages_run_no_lazy_load(app, grown_world):
    w = grown_world
    clients = {role: _sign_in(app, w.users[role], "portal")[0] for role in ("victim", "own_practice_staff")}
    lazy, answered = {}, 0
    for rule in portal_rules(app):
        url, _ = fill_url(app, rule, w)
        if url is None:
            continue
        for role, client in clients.items():
            db.session.expunge_all()
            with lazy_loads() as seen:
                response = client.get(url)
            if response.status_code == 200:
                answered += 1
                if seen:
                    lazy[rule.rule] = (role, sorted({" ".join(s.split())[:120] for s in seen}))
                break
    print(f"{answered} portal pages answered 200")
    for path, (role, seen) in sorted(lazy.items()):
        print(path, role, *seen, sep="\n    ")
    unexpected = {p: v for p, v in lazy.items() if p not in LAZY_KNOWN}
    stale = LAZY_KNOWN - set(lazy)
    assert not unexpected, "\n".join(f"{p} ({role}):\n    " + "\n    ".join(s) for p, (role, s) in unexpected.items())
    assert not stale, f"no lazy load any more, remove from LAZY_KNOWN: {sorted(stale)}"
    assert answered > 20, "too few portal pages answered: the sign-in or the world is broken"
