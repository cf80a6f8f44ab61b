"""The precision audit's verdicts as regression tests (bench/audit.py, bench/audit/judgements.jsonl).

Every fact and quotation a person judged (as a news editor would: bench/audit.py's docstring) is a
case: the judged articles are built once, and

- a unit judged ``right`` that kg stated when the verdicts were recorded (bench/audit/regression.json,
  ``python bench/audit.py regress``) must still be stated;
- a unit judged ``wrong`` must not be stated; those kg still states are ``xfail`` with the judge's note
  as the reason, so fixing one shows as XPASS and a new wrong one fails.

The articles are Wikinews articles of ../shared/news/wikinews (CC BY 2.5, see its PROVENANCE.md).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
AUDIT_PY = ROOT / "bench" / "audit.py"
REGRESSION = ROOT / "bench" / "audit" / "regression.json"

pytestmark = [pytest.mark.model, pytest.mark.subprocess]


def _audit():
    spec = importlib.util.spec_from_file_location("kg_bench_audit", AUDIT_PY)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


audit = _audit()
UNITS = audit.judged_units()
RECORDED = json.loads(REGRESSION.read_text(encoding="utf-8"))
RIGHT = sorted(set(RECORDED["right_present"]) & {u["key"] for u in UNITS if u["verdict"] == "right"})
WRONG = sorted((u for u in UNITS if u["verdict"] == "wrong"), key=lambda u: u["key"])


def _case(u: dict):
    known = RECORDED["wrong_present"].get(u["key"])
    marks = [pytest.mark.xfail(reason=f"still stated: {known or u.get('note', '')}", strict=False)] if (
        u["key"] in RECORDED["wrong_present"]) else []
    return pytest.param(u["key"], marks=marks, id=u["key"][:90])


@pytest.fixture(scope="module")
def present(tmp_path_factory) -> set[str]:
    if not audit.CORPUS.is_dir():
        pytest.skip(f"{audit.CORPUS} is missing (../shared beside the checkout)")
    store = tmp_path_factory.mktemp("audit") / "store"
    audit.build(sorted({u["doc"] for u in UNITS}), store, workers=2)
    return audit.present_keys(store)


def test_the_verdicts_cover_both_kinds_and_every_verdict():
    kinds = {(u["kind"], u["verdict"]) for u in UNITS}
    assert {("relations", "right"), ("relations", "wrong"), ("quotes", "right"), ("quotes", "wrong")} <= kinds
    assert len(RIGHT) >= 100 and len(WRONG) >= 50


def test_right_units_are_still_stated(present):
    lost = [k for k in RIGHT if k not in present]
    assert not lost, f"{len(lost)} facts judged right are no longer stated:\n" + "\n".join(lost[:30])


@pytest.mark.parametrize("key", [_case(u) for u in WRONG])
def test_wrong_unit_is_not_stated(present, key):
    assert key not in present
