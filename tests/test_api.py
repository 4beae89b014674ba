"""The public API surface."""

from __future__ import annotations

import subprocess
import sys

import peermatch


def test_every_public_name_imports() -> None:
    for name in peermatch.__all__:
        assert hasattr(peermatch, name), name
    namespace: dict[str, object] = {}
    exec("from peermatch import *", namespace)
    assert set(peermatch.__all__) <= set(namespace)


def test_import_has_no_side_effects() -> None:
    code = (
        "import logging, warnings, sys;"
        "import numpy, scipy.optimize, scipy.sparse.csgraph, pydantic, networkx;"
        "before = list(logging.root.handlers);"
        "f = list(warnings.filters); import peermatch;"
        "assert logging.root.handlers == before; assert warnings.filters == f;"
        "assert 'matplotlib' not in sys.modules and 'pandas' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_solvers_registry_has_guarantees() -> None:
    assert "hungarian" in peermatch.SOLVERS
    for spec in peermatch.SOLVERS.values():
        assert spec.guarantee and callable(spec.function)


# -- one house: every public name has exactly one public module ------------------------------

import copy  # noqa: E402
import inspect  # noqa: E402
import pickle  # noqa: E402
import pkgutil  # noqa: E402
import re  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def test_every_public_name_lives_in_exactly_one_public_module() -> None:
    homes: dict[str, list[str]] = {}
    for module in peermatch.PUBLIC_MODULES:
        for name in module.__all__:
            homes.setdefault(name, []).append(module.__name__)
            assert getattr(module, name) is getattr(peermatch, name), (module.__name__, name)
    assert {n: m for n, m in homes.items() if len(m) != 1} == {}
    assert set(peermatch.__all__) == set(homes) | {"__version__"}


def test_implementation_modules_are_private() -> None:
    public = {m.__name__ for m in peermatch.PUBLIC_MODULES} | {"peermatch.cli"}
    for info in pkgutil.walk_packages(peermatch.__path__, "peermatch."):
        last = info.name.rsplit(".", 1)[-1]
        if last.startswith("_"):
            continue
        inside_private = any(part.startswith("_") for part in info.name.split(".")[1:-1])
        assert info.name in public or inside_private, f"{info.name} should be private"


def test_no_public_function_hides_a_module_of_the_same_name() -> None:
    for module in (peermatch, *peermatch.PUBLIC_MODULES):
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            assert not inspect.ismodule(obj) or name in {
                m.__name__.rsplit(".", 1)[-1] for m in peermatch.PUBLIC_MODULES
            }


def _named_paths() -> list[tuple[str, str]]:
    found = []
    files = [
        *sorted((ROOT / "docs").glob("*.md")),
        ROOT / "README.md",
        ROOT / "examples" / "README.md",
    ]
    for path in files:
        text = path.read_text(encoding="utf-8")
        for dotted in re.findall(r"\bpeermatch(?:\.[A-Za-z_][A-Za-z0-9_]*)+", text):
            if dotted.endswith((".md", ".py", ".toml", ".csv", ".json")):
                continue
            found.append((path.name, dotted))
    return sorted(set(found))


@pytest.mark.parametrize(("page", "dotted"), _named_paths())
def test_every_path_named_in_the_docs_resolves(page: str, dotted: str) -> None:
    import importlib

    parts = dotted.split(".")
    obj: object = None
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)  # AttributeError fails the test with the path
        break
    assert obj is not None, f"{page}: {dotted}"
    assert not any(p.startswith("_") and not p.startswith("__") for p in parts), (
        f"{page} names the private path {dotted}"
    )


def test_the_docs_name_paths_at_all() -> None:
    assert len(_named_paths()) > 20


# -- signatures checked at the door ------------------------------------------------------------


@pytest.fixture(scope="module")
def small() -> tuple[list[peermatch.Participant], list[peermatch.PeerLeader]]:
    return peermatch.generate_cohort(20, 4, seed=3)


def _one_line(err: BaseException) -> str:
    text = str(err)
    assert "\n" not in text and len(text) < 200, text
    return text


def test_a_solver_name_in_the_config_slot_gets_a_hint(small) -> None:  # type: ignore[no-untyped-def]
    ps, ls = small
    for call in (peermatch.match, peermatch.score, peermatch.shortlist):
        slot = {"shortlist": {"k": 3}}.get(call.__name__, {})
        with pytest.raises(peermatch.InputError) as exc:
            call(ps, ls, config="stable", **slot)  # type: ignore[operator]
        assert "did you mean solver='stable'?" in _one_line(exc.value)
    with pytest.raises(peermatch.InputError) as exc:
        peermatch.match(ps, ls, "stable")  # type: ignore[arg-type]
    assert _one_line(exc.value) == (
        "config: expected a MatchConfig, got 'stable' — did you mean solver='stable'?"
    )


def test_a_config_in_the_k_slot_of_shortlist_is_one_short_line(small) -> None:  # type: ignore[no-untyped-def]
    ps, ls = small
    with pytest.raises(peermatch.InputError) as exc:
        peermatch.shortlist(ps, ls, peermatch.MatchConfig())  # type: ignore[arg-type]
    assert "did you mean config=" in _one_line(exc.value)


def test_a_mapping_or_toml_path_is_accepted_as_config(small, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ps, ls = small
    cfg = peermatch.MatchConfig(min_score=0.4)
    expected = peermatch.match(ps, ls, cfg).pairs
    assert peermatch.match(ps, ls, config={"min_score": 0.4}).pairs == expected
    path = tmp_path / "c.toml"
    path.write_text("min_score = 0.4\n")
    assert peermatch.match(ps, ls, config=str(path)).pairs == expected


@pytest.mark.parametrize(
    "kwargs",
    [{"solver": "bogus"}, {"min_score": 2}, {"criteria": {"age": {"kind": "nope"}}}],
)
def test_config_errors_are_always_input_errors(kwargs: dict[str, object]) -> None:
    with pytest.raises(peermatch.InputError):
        peermatch.MatchConfig(**kwargs)  # type: ignore[arg-type]
    with pytest.raises(peermatch.InputError):
        peermatch.MatchConfig.model_validate(kwargs)


def test_criterion_errors_are_input_errors() -> None:
    with pytest.raises(peermatch.InputError, match="weight"):
        peermatch.Criterion(kind="exact", weight=-1)


def test_result_metrics_and_mappings_cannot_be_changed(small) -> None:  # type: ignore[no-untyped-def]
    ps, ls = small
    result = peermatch.match(ps, ls)
    before = dict(result.metrics)
    with pytest.raises(TypeError):
        result.metrics["n_matched"] = 99  # type: ignore[index]
    with pytest.raises(TypeError):
        result.peer_load.clear()  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        result.matches[0].contributions["age"] = 1.0  # type: ignore[index]
    assert dict(result.metrics) == before
    again = pickle.loads(pickle.dumps(result))
    assert again.metrics == result.metrics and again.pairs == result.pairs
    assert copy.deepcopy(result).metrics == result.metrics


def test_copies_of_shortlists_keep_their_attributes(small) -> None:  # type: ignore[no-untyped-def]
    ps, ls = small
    lists = peermatch.shortlist(ps, ls, k=2, exposure=1.5)
    for other in (lists.copy(), copy.copy(lists), pickle.loads(pickle.dumps(lists))):
        assert dict(other) == dict(lists)
        assert (other.k, other.exposure, other.spare, other.limits) == (
            lists.k,
            lists.exposure,
            lists.spare,
            lists.limits,
        )
        assert other.input_hash == lists.input_hash


def test_a_huge_k_does_not_allocate_a_huge_table(small) -> None:  # type: ignore[no-untyped-def]
    ps, ls = small
    assert dict(peermatch.shortlist(ps, ls, k=10**9)) == dict(
        peermatch.shortlist(ps, ls, k=len(ls))
    )


def test_a_huge_exposure_means_no_cap(small) -> None:  # type: ignore[no-untyped-def]
    ps, ls = small
    huge = peermatch.shortlist(ps, ls, k=2, exposure=1e300)
    none = peermatch.shortlist(ps, ls, k=2, exposure=None)
    assert dict(huge) == dict(none) and huge.relaxed == ()
    # with a huge k too: once inf * 0 for a leader without spare places (a numpy warning)
    paused = [x.model_copy(update={"active": False}) if k == 0 else x for k, x in enumerate(ls)]
    both = peermatch.shortlist(ps, paused, k=10**9, exposure=1e300)
    assert dict(both) == dict(peermatch.shortlist(ps, paused, k=len(ls), exposure=None))


def test_warnings_have_one_base() -> None:
    assert issubclass(peermatch.OptimalityWarning, peermatch.PeermatchWarning)
    assert issubclass(peermatch.PeermatchWarning, UserWarning)
    with pytest.warns(peermatch.PeermatchWarning):
        warnings.warn("x", peermatch.OptimalityWarning, stacklevel=1)
