"""The chain of title as a picture: an SVG timeline drawn in Python.

One lane per owner with a bar for each period it held the cell (labelled with
the agreement that gave it), one lane per licence and per pledge in force at
some time, a row of markers for the conflicts, a time axis with years, and
lines for the day asked about, the creation and the end of protection. It
reads well on screen and on paper (no script, no external resource) and says
in its ``<desc>`` what it shows, for screen readers.

>>> from datetime import date
>>> svg = timeline_svg(Timeline(
...     title="W1 · reproduction · CN", at=date(2020, 1, 1), created=date(2001, 3, 1),
...     expires=None,
...     bars=[Bar("owner", "P1", "Lin Wen", date(2001, 3, 1), date(2009, 12, 31), "created"),
...           Bar("owner", "P2", "Spring River Press", date(2010, 1, 1), None, "A1")],
...     markers=[]))
>>> svg.startswith("<svg") and "Spring River Press" in svg and "A1" in svg
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape
from typing import Any

from cams_graph.engine import CellHistory
from cams_graph.facts import Catalogue

__all__ = ["Bar", "Marker", "Timeline", "build_timeline", "timeline_svg"]

WIDTH = 980
LABEL = 210
RIGHT = 40
LANE = 28
BAR = 18
AXIS = 46

_COLOURS = {
    "owner": ("#2f6690", "#ffffff"),
    "exclusive_licence": ("#c8702a", "#ffffff"),
    "sole_licence": ("#b5582b", "#ffffff"),
    "non_exclusive_licence": ("#5c8a3a", "#ffffff"),
    "pledge": ("#6d4f9c", "#ffffff"),
}
_SECTIONS = {"owner": "Owners", "licence": "Licences in force", "pledge": "Pledges"}


@dataclass(frozen=True)
class Bar:
    """One period on one lane: ``lane`` is owner, licence or pledge; ``key`` names the lane."""

    kind: str
    key: str
    name: str
    start: date
    end: date | None
    label: str
    type: str = ""
    tooltip: str = ""


@dataclass(frozen=True)
class Marker:
    """A conflict, drawn at the start of the agreement it is reported on."""

    day: date
    code: str
    severity: str
    agreement: str | None
    message: str


@dataclass
class Timeline:
    """Everything the picture shows."""

    title: str
    at: date
    created: date | None
    expires: date | None
    bars: list[Bar]
    markers: list[Marker] = field(default_factory=list)
    description: str = ""


def _parse(day: str | None) -> date | None:
    return date.fromisoformat(day) if day else None


def _name(catalogue: Catalogue | None, key: str) -> str:
    party = catalogue.parties.get(key) if catalogue else None
    return party.name if party and party.name else key


def build_timeline(
    answer: dict[str, Any], history: CellHistory | None, catalogue: Catalogue | None
) -> Timeline:
    """The timeline of a ``title()`` answer, with the cell's whole history when known."""
    at = date.fromisoformat(answer["at"])
    agreements = catalogue.agreements if catalogue else {}
    bars: list[Bar] = []
    chain_by_day = {e["date"]: e for e in answer["chain"] if e["date"]}
    if history is not None:
        created = history.work.created
        for number, (first, last, owners) in enumerate(history.titles):
            start = first or created or at
            event = chain_by_day.get(start.isoformat())
            label = "created" if number == 0 else ""
            if event is not None and event["agreement"]:
                label = event["agreement"]
            elif number > 0:
                moved = [
                    a.key
                    for a in agreements.values()
                    if a.is_transfer and a.start == start and set(a.grantees) & set(owners)
                ]
                label = moved[0] if moved else "reversion"
            for owner in owners:
                bars.append(
                    Bar(
                        "owner",
                        owner,
                        _name(catalogue, owner),
                        start,
                        last,
                        label,
                        tooltip=f"{_name(catalogue, owner)} ({owner}) holds the cell from {start}"
                        + (f" to {last}" if last else "")
                        + (f" — {label}" if label else ""),
                    )
                )
        for kind, spans in (("licence", history.licences), ("pledge", history.pledges)):
            for key, first, last in spans:
                agreement = agreements.get(key)
                kind_name = agreement.type if agreement else kind
                grantees = (
                    ", ".join(_name(catalogue, g) for g in agreement.grantees) if agreement else ""
                )
                words = kind_name.replace("_", " ")
                bars.append(
                    Bar(
                        kind,
                        key,
                        f"{key} → {grantees}" if grantees else key,
                        first,
                        last,
                        key,
                        type=kind_name,
                        tooltip=f"{key}: {words} to {grantees or '?'}, in force {first} to "
                        f"{last or 'open'}",
                    )
                )
    else:
        created = None
        for event in answer["chain"]:
            start = _parse(event["date"]) or at
            created = created or start
            for owner in event["to"]:
                bars.append(
                    Bar(
                        "owner",
                        owner,
                        _name(catalogue, owner),
                        start,
                        None,
                        "created",
                        tooltip=f"{owner} holds this moral right",
                    )
                )
    markers: list[Marker] = []
    for conflict in answer["conflicts"]:
        day = _parse(conflict["start"]) or created or at
        markers.append(
            Marker(
                day,
                conflict["code"],
                conflict["severity"],
                conflict["agreement"],
                conflict["message"],
            )
        )
    steps = " then ".join(
        f"{e['event']} {e['agreement'] or ''} to {', '.join(e['to']) or 'nobody'} on {e['date']}"
        for e in answer["chain"]
    )
    description = (
        f"Chain of title of {answer['work']}, right {answer['right']}, territory "
        f"{answer['territory']}, on {answer['at']}: {steps or 'no chain'}. "
        f"Owners that day: {', '.join(answer['owners']) or 'none'}. "
        f"{len([b for b in bars if b.kind == 'licence'])} licences and "
        f"{len(markers)} conflicts shown."
    )
    return Timeline(
        title=f"{answer['work']} · {answer['right']} · {answer['territory']}",
        at=at,
        created=created,
        expires=_parse(answer["expires"]),
        bars=bars,
        markers=markers,
        description=description,
    )


def _step(years: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100):
        if years / step <= 12:
            return step
    return 200


def timeline_svg(timeline: Timeline, *, element_id: str = "chain") -> str:
    """The timeline as an accessible, self-contained SVG element."""
    days = [b.start for b in timeline.bars] + [b.end for b in timeline.bars if b.end]
    days += [m.day for m in timeline.markers] + [timeline.at]
    if timeline.created:
        days.append(timeline.created)
    first = min(days) if days else timeline.at
    last = max(days) if days else timeline.at
    if timeline.expires and timeline.expires <= last + timedelta(days=365 * 3):
        last = max(last, timeline.expires)
    first = date(first.year, 1, 1)
    last = date(last.year + 1, 12, 31)
    span = max((last - first).days, 1)
    plot = WIDTH - LABEL - RIGHT

    def x(day: date) -> float:
        return LABEL + plot * max(0, min(span, (day - first).days)) / span

    lanes: list[tuple[str, str, str]] = []  # (kind, key, name)
    for kind in ("owner", "licence", "pledge"):
        for bar in timeline.bars:
            if bar.kind == kind and (kind, bar.key, bar.name) not in lanes:
                lanes.append((kind, bar.key, bar.name))
    sections = [k for k in ("owner", "licence", "pledge") if any(lane[0] == k for lane in lanes)]
    y = AXIS + 8
    lane_y: dict[tuple[str, str], float] = {}
    heads: list[tuple[str, float]] = []
    for kind in sections:
        heads.append((_SECTIONS[kind], y + 12))
        y += 20
        for lane in lanes:
            if lane[0] == kind:
                lane_y[(lane[0], lane[1])] = y
                y += LANE
        y += 6
    marker_y = y + 16
    height = int(marker_y + (34 if timeline.markers else 4) + 8)

    out: list[str] = []
    add = out.append
    title_id, desc_id = f"{element_id}-title", f"{element_id}-desc"
    add(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" id="{element_id}" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" font-family="system-ui, sans-serif" '
        f'font-size="12">'
    )
    add(f'<title id="{title_id}">Chain of title: {escape(timeline.title)}</title>')
    add(f'<desc id="{desc_id}">{escape(timeline.description)}</desc>')
    add(
        '<defs><linearGradient id="open-end" x1="0" x2="1"><stop offset="0" stop-color="#fff" '
        'stop-opacity="0"/><stop offset="1" stop-color="#fff" stop-opacity="0.85"/>'
        "</linearGradient></defs>"
    )
    add(f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>')
    # axis and years
    step = _step(last.year - first.year + 1)
    add(
        f'<line x1="{LABEL}" y1="{AXIS}" x2="{WIDTH - RIGHT}" y2="{AXIS}" stroke="#444" '
        'stroke-width="1"/>'
    )
    year = first.year + (-first.year % step)
    while year <= last.year:
        tick = x(date(year, 1, 1))
        add(
            f'<line x1="{tick:.1f}" y1="{AXIS - 5}" x2="{tick:.1f}" y2="{height - 6}" '
            'stroke="#e3e6ea" stroke-width="1"/>'
        )
        add(f'<text x="{tick:.1f}" y="{AXIS - 9}" text-anchor="middle" fill="#333">{year}</text>')
        year += step
    # section heads and lane labels
    for text, head_y in heads:
        add(
            f'<text x="8" y="{head_y:.0f}" font-weight="600" fill="#111" '
            f'class="section">{escape(text)}</text>'
        )
    for kind, key, name in lanes:
        lane_top = lane_y[(kind, key)]
        label = name if len(name) <= 30 else name[:29] + "…"
        add(
            f'<text x="16" y="{lane_top + BAR / 2 + 4:.0f}" fill="#222" class="lane">'
            f"{escape(label)}</text>"
        )
    # special days
    marks = [(timeline.created, "created", "#555")]
    if timeline.expires and timeline.expires <= last:
        marks.append((timeline.expires, "public domain", "#8a1c1c"))
    for day, text, colour in marks:
        if day is None:
            continue
        px = x(day)
        add(
            f'<line x1="{px:.1f}" y1="{AXIS}" x2="{px:.1f}" y2="{marker_y - 10:.0f}" '
            f'stroke="{colour}" stroke-width="1" stroke-dasharray="2 3"/>'
        )
        add(
            f'<text x="{px + 3:.1f}" y="{AXIS + 12}" fill="{colour}" font-size="10">'
            f"{escape(text)}</text>"
        )
    # bars
    for bar in timeline.bars:
        top = lane_y[(bar.kind, bar.key)]
        x0 = x(bar.start)
        x1 = x(bar.end + timedelta(days=1)) if bar.end else WIDTH - RIGHT + 12
        width = max(x1 - x0, 3)
        fill, ink = _COLOURS.get(bar.type or bar.kind, _COLOURS["owner"])
        add(f'<g class="bar {escape(bar.kind)}" data-agreement="{escape(bar.label)}">')
        add(f"<title>{escape(bar.tooltip or bar.name)}</title>")
        add(
            f'<rect x="{x0:.1f}" y="{top:.0f}" width="{width:.1f}" height="{BAR}" rx="3" '
            f'fill="{fill}" stroke="#1b1b1b" stroke-width="0.6"/>'
        )
        if bar.end is None:
            add(
                f'<rect x="{max(x1 - 36, x0):.1f}" y="{top:.0f}" width="{min(36, width):.1f}" '
                f'height="{BAR}" fill="url(#open-end)"/>'
            )
        if bar.label and width > 8 * len(bar.label) * 0.75:
            add(
                f'<text x="{x0 + 5:.1f}" y="{top + BAR / 2 + 4:.0f}" fill="{ink}" '
                f'font-size="11" font-weight="600">{escape(bar.label)}</text>'
            )
        elif bar.label:
            add(
                f'<text x="{x0:.1f}" y="{top - 2:.0f}" fill="#222" font-size="10">'
                f"{escape(bar.label)}</text>"
            )
        add("</g>")
    # the day asked about
    px = x(timeline.at)
    add(
        f'<line x1="{px:.1f}" y1="{AXIS - 4}" x2="{px:.1f}" y2="{marker_y - 10:.0f}" '
        'stroke="#c0392b" stroke-width="2"/>'
    )
    anchor = "end" if px > WIDTH - RIGHT - 90 else "start"
    shift = -4 if anchor == "end" else 4
    add(
        f'<text x="{px + shift:.1f}" y="{AXIS + 24}" fill="#c0392b" font-weight="600" '
        f'text-anchor="{anchor}" class="at">on {timeline.at.isoformat()}</text>'
    )
    # conflicts
    if timeline.markers:
        add(
            f'<text x="8" y="{marker_y + 4:.0f}" font-weight="600" fill="#111" '
            'class="section">Conflicts</text>'
        )
        for n, marker in enumerate(sorted(timeline.markers, key=lambda m: (m.day, m.code))):
            mx = x(marker.day)
            colour = "#b3261e" if marker.severity == "error" else "#b7791f"
            lift = (n % 2) * 12
            add(f'<g class="marker {escape(marker.severity)}" data-code="{escape(marker.code)}">')
            add(f"<title>{escape(marker.code)}: {escape(marker.message)}</title>")
            add(
                f'<path d="M {mx:.1f} {marker_y - 7 + lift:.0f} l 7 12 l -14 0 z" '
                f'fill="{colour}" stroke="#222" stroke-width="0.5"/>'
            )
            add(
                f'<text x="{mx + 9:.1f}" y="{marker_y + 4 + lift:.0f}" font-size="10" '
                f'fill="{colour}">{escape(marker.agreement or marker.code)}</text>'
            )
            add("</g>")
    add("</svg>")
    return "".join(out)
