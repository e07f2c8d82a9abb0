"""Corporate groups as of a date: ownership links, parents, ultimate parents, cycles.

The links are the companies' undated ``parent`` shorthands plus the dated ``ownership``
records. On a given day, a company's parent is the owner of its controlling link in force
(share unknown or at least 50 %); when several are in force, the dated link with the largest
share wins, then the most recent start, then the parent id (a stable order). Walking up from
parent to parent gives the ultimate parent; a cycle stops the walk at the last company not
yet seen. See docs/knowledge-base.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from vigie.kb.dates import end_of, in_force, start_of
from vigie.kb.model import Company, Ownership

EARLIEST = "1000-01-01"
"""A day before any recorded link (the start of links without a start date)."""


@dataclass(frozen=True, slots=True)
class Link:
    """An ownership link with where it was declared (``parent`` shorthand or ``ownership``)."""

    ownership: Ownership
    shorthand: bool


def links_from(companies: Iterable[Company], ownership: Iterable[Ownership]) -> list[Link]:
    """Every ownership link: the ``parent`` shorthands, then the dated records."""
    links = [
        Link(Ownership(child=c.id, parent=c.parent), shorthand=True)
        for c in companies
        if c.parent is not None
    ]
    links += [Link(o, shorthand=False) for o in ownership]
    return links


def today() -> str:
    """Today's date (ISO), the default day of group resolution."""
    return date.today().isoformat()


class GroupIndex:
    """Parents and children by company, for resolution at any date."""

    def __init__(self, links: Sequence[Link]) -> None:
        self.links = tuple(links)
        self._up: dict[str, list[Link]] = defaultdict(list)
        self._down: dict[str, list[Link]] = defaultdict(list)
        for link in self.links:
            self._up[link.ownership.child].append(link)
            self._down[link.ownership.parent].append(link)

    def parent_of(self, company_id: str, at: str | None = None) -> str | None:
        """The controlling parent of a company on day ``at`` (default: today), or None."""
        day = at or today()
        candidates = [
            link.ownership
            for link in self._up.get(company_id, ())
            if link.ownership.controlling
            and in_force(link.ownership.start, link.ownership.end, day)
        ]
        if not candidates:
            return None
        best = max(
            candidates,
            key=lambda o: (
                o.share if o.share is not None else -1.0,
                start_of(o.start) if o.start else "",
                o.parent,
            ),
        )
        return best.parent

    def chain(self, company_id: str, at: str | None = None) -> list[str]:
        """The company and its parents up to the ultimate parent, stopping before a cycle."""
        day = at or today()
        chain = [company_id]
        current = self.parent_of(company_id, day)
        while current is not None and current not in chain:
            chain.append(current)
            current = self.parent_of(current, day)
        return chain

    def has_cycle(self, company_id: str, at: str | None = None) -> bool:
        """Whether walking up from the company on day ``at`` comes back to a company seen."""
        day = at or today()
        chain = self.chain(company_id, day)
        return self.parent_of(chain[-1], day) is not None

    def children_of(self, company_id: str, at: str | None = None) -> list[str]:
        """Companies whose controlling parent on day ``at`` is ``company_id``."""
        day = at or today()
        kids = {link.ownership.child for link in self._down.get(company_id, ())}
        return sorted(k for k in kids if self.parent_of(k, day) == company_id)

    def members(self, group_id: str, at: str | None = None) -> list[str]:
        """The group's parent first, then every company below it on day ``at``."""
        day = at or today()
        members: list[str] = []
        stack = [group_id]
        while stack:
            current = stack.pop()
            if current in members:
                continue
            members.append(current)
            stack.extend(reversed(self.children_of(current, day)))
        return members

    def change_days(self) -> list[str]:
        """Every day on which some link starts or ends (for checks at each period)."""
        days = set()
        for link in self.links:
            if link.ownership.start:
                days.add(start_of(link.ownership.start))
            if link.ownership.end:
                days.add(end_of(link.ownership.end))
        return sorted(days)

    def cycle_members(self) -> set[str]:
        """Companies that are part of an ownership cycle on some day.

        Only the strongly connected components of the undated link graph can hold a cycle,
        and a member's parent changes only on a day one of its own links starts or ends; so
        each component is checked on those days (and on the earliest day): linear in the
        number of links when there is no cycle.
        """
        found: set[str] = set()
        for component in _strong_components(self._up):
            own = [link.ownership for m in component for link in self._up.get(m, ())]
            days = {EARLIEST}
            days |= {start_of(o.start) for o in own if o.start}
            days |= {end_of(o.end) for o in own if o.end}
            for day in sorted(days):
                found |= {m for m in component if m not in found and self._loops(m, day)}
        return found

    def _loops(self, company_id: str, day: str) -> bool:
        """Whether walking up from the company on ``day`` comes back to the company."""
        seen = {company_id}
        current = self.parent_of(company_id, day)
        while current is not None:
            if current == company_id:
                return True
            if current in seen:
                return False
            seen.add(current)
            current = self.parent_of(current, day)
        return False


def unknown_companies(links: Sequence[Link], companies: Mapping[str, Company]) -> list[Link]:
    """Links naming a company that is not in the knowledge base."""
    return [
        link
        for link in links
        if link.ownership.child not in companies or link.ownership.parent not in companies
    ]


def _strong_components(up: Mapping[str, Sequence[Link]]) -> list[set[str]]:
    """Strongly connected components with a cycle (size > 1 or a self-link)."""
    graph = {child: [link.ownership.parent for link in links] for child, links in up.items()}
    tarjan = _Tarjan(graph)
    for root in list(graph):
        if root not in tarjan.index:
            tarjan.visit(root)
    return [c for c in tarjan.components if len(c) > 1 or any(m in graph.get(m, []) for m in c)]


class _Tarjan:
    """Tarjan's algorithm, iterative (no recursion limit on long ownership chains)."""

    def __init__(self, graph: Mapping[str, Sequence[str]]) -> None:
        self.graph = graph
        self.index: dict[str, int] = {}
        self.low: dict[str, int] = {}
        self.stack: list[str] = []
        self.on_stack: set[str] = set()
        self.components: list[set[str]] = []

    def _enter(self, node: str) -> None:
        self.index[node] = self.low[node] = len(self.index)
        self.stack.append(node)
        self.on_stack.add(node)

    def visit(self, root: str) -> None:
        """Visit every node reachable from ``root``."""
        self._enter(root)
        work = [(root, 0)]
        while work:
            node, edge = work.pop()
            successors = self.graph.get(node, [])
            if edge < len(successors):
                work.append((node, edge + 1))
                nxt = successors[edge]
                if nxt not in self.index:
                    self._enter(nxt)
                    work.append((nxt, 0))
                elif nxt in self.on_stack:
                    self.low[node] = min(self.low[node], self.index[nxt])
                continue
            if work:
                parent = work[-1][0]
                self.low[parent] = min(self.low[parent], self.low[node])
            if self.low[node] == self.index[node]:
                self._pop_component(node)

    def _pop_component(self, node: str) -> None:
        component = set()
        while True:
            member = self.stack.pop()
            self.on_stack.discard(member)
            component.add(member)
            if member == node:
                break
        self.components.append(component)
