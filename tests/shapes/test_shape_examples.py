"""Every shape, tested both ways on example files, by both validators.

``examples/violating/<Shape>.ttl`` must give at least one result of camsh:<Shape>
(with its severity); ``examples/conforming/<Shape>.ttl`` must give none, and no
violation at all. One test per file, found by folder; pyshacl and the compiled
validator must give the same (focus, shape, severity) on every file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from pyoxigraph import Store
from rdflib import Graph, URIRef

from cams_graph import shacl
from cams_graph.namespaces import SH
from cams_graph.shacl import SHAPES, ShapeResult, Validator

EXAMPLES = Path(__file__).parent / "examples"
KINDS = ("conforming", "violating")
FILES = sorted(EXAMPLES.glob("*/*.ttl"))
SEVERITIES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}

Describe = Callable[[Iterable[ShapeResult]], str]
Keys = Callable[[Iterable[ShapeResult]], set[tuple[str, str, str]]]


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def result_shapes(shapes: Graph) -> dict[str, str]:
    """Local name → severity of every shape that can produce results (it has a target)."""
    found = {}
    for predicate in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf):
        for shape in shapes.subjects(predicate, None):
            assert isinstance(shape, URIRef) and shape.startswith(str(SHAPES)), shape
            severity = shapes.value(shape, SH.severity, default=SH.Violation)
            found[shape[len(str(SHAPES)) :]] = SEVERITIES[severity]  # type: ignore[index]
    return found


def test_examples_were_found() -> None:
    for kind in KINDS:
        assert list((EXAMPLES / kind).glob("*.ttl")), f"no example files in {EXAMPLES / kind}"
    assert len(FILES) >= 2 * len(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_every_shape_has_an_example(shapes: Graph, kind: str) -> None:
    names = set(result_shapes(shapes))
    files = {p.stem for p in (EXAMPLES / kind).glob("*.ttl")}
    assert sorted(names - files) == [], f"shapes without a {kind} example"
    assert sorted(files - names) == [], f"{kind} examples of no shape"


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_example(
    path: Path,
    shapes: Graph,
    validator: Validator,
    store_with: Callable[[Path], Store],
    batch: str,
    describe: Describe,
) -> None:
    severity = result_shapes(shapes)[path.stem]
    shape = str(SHAPES[path.stem])
    results = validator.validate(store_with(path), focus_graph=batch)
    own = [r for r in results if r.shape == shape]
    report = describe(results)
    if path.parent.name == "violating":
        assert own, f"camsh:{path.stem} did not fire on {_id(path)}; the report:\n{report}"
        assert {r.severity for r in own} == {severity}, report
    else:
        assert not own, f"camsh:{path.stem} fired on {_id(path)}; the report:\n{report}"
        violations = [r for r in results if r.severity == "violation"]
        assert not violations, f"{_id(path)} is meant to conform; the report:\n{report}"


@pytest.mark.filterwarnings("ignore:Parsing weird boolean:UserWarning")  # rdflib on "yes"
@pytest.mark.parametrize("path", FILES, ids=_id)
def test_pyshacl_agrees(
    path: Path,
    validator: Validator,
    store_with: Callable[[Path], Store],
    run_pyshacl: Callable[[Path], tuple[set[tuple[str, str, str]], str]],
    batch: str,
    describe: Describe,
    keys: Keys,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = store_with(path)
    in_batch = validator.validate(store, focus_graph=batch)
    everywhere = validator.validate(store)
    assert keys(in_batch) == keys(everywhere), (
        "the ontology graph gives results of its own:\n" + describe(everywhere)
    )
    for ratio in (0, 10**9):  # start from the batch always, never
        monkeypatch.setattr(shacl, "LATERAL_RATIO", ratio)
        assert validator.validate(store, focus_graph=batch) == in_batch, f"ratio {ratio}"
    compiled = keys(in_batch)
    reference, text = run_pyshacl(path)
    assert compiled == reference, (
        f"only compiled: {sorted(compiled - reference)}\n"
        f"only pyshacl: {sorted(reference - compiled)}\n"
        f"compiled report:\n{describe(in_batch)}\npyshacl report:\n{text}"
    )
