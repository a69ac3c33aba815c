"""An instance's history for auditors: the path on its diagram, a timeline, data at any step."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sote_flow.domain.clock import Clock
from sote_flow.domain.errors import NotFound, PermissionDenied
from sote_flow.domain.forms import describe_data, describe_value, properties_of
from sote_flow.domain.replay import NO_RULES, ReplayRules, apply_entry
from sote_flow.domain.text import t
from sote_flow.engine.layout import with_layout
from sote_flow.engine.paths import (
    END_OF_ROUND,
    ProcessPath,
    derive_path,
    diagram_graph,
    result_variables,
    workflow_visits,
)
from sote_flow.engine.runtime import RunContext
from sote_flow.persistence.models import HistoryEntry, ProcessInstance
from sote_flow.persistence.unit_of_work import UnitOfWork
from sote_flow.services.actors import Actor
from sote_flow.services.instances import log_read, may_read_instance
from sote_flow.services.platform import Platform

# History actions whose task_name is an element the instance reached.
REACHED_ACTIONS = frozenset({"task_opened", "task_completed", "service_task", "engine_error"})
# The history action that begins the first round; a process's replay rules name the others.
START_ACTION = "instance_started"
EMPTY = "–"
# Entries on one page of the timeline and of the API's history; the API may ask for up to MAX.
HISTORY_PAGE_SIZE = 100
MAX_HISTORY_PAGE_SIZE = 500


@dataclass(frozen=True)
class Change:
    """One field's value before and after a step, labelled and readable."""

    label: str
    before: str
    after: str


@dataclass(frozen=True)
class TimelineRow:
    """One history entry with its task title and the fields it changed."""

    entry: HistoryEntry
    title: str
    changes: Sequence[Change]


@dataclass(frozen=True)
class PathElement:
    """A diagram element on the path or waiting now, with its name for the text list."""

    element_id: str
    name: str
    kind: str = ""
    due_at: datetime | None = None


@dataclass(frozen=True)
class HistoryView:
    """Everything the instance history page shows."""

    instance: ProcessInstance
    diagram_xml: str
    path: ProcessPath
    passed: Sequence[PathElement]
    waiting: Sequence[PathElement]
    timeline: Sequence[TimelineRow]
    selected: HistoryEntry
    selected_title: str
    data_at: Sequence[tuple[str, str]]
    page: int = 1
    pages: int = 1
    total: int = 0


@dataclass(frozen=True)
class HistoryPage:
    """One page of an instance's history, oldest first, and where it sits in the whole."""

    instance: ProcessInstance
    entries: Sequence[HistoryEntry]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        """How many pages the history has (at least one, maybe empty)."""
        return page_count(self.total, self.page_size)


def page_count(total: int, page_size: int) -> int:
    """Return how many pages of `page_size` hold `total` rows: at least one."""
    return max(1, -(-total // page_size))


def _check_page(page: int, pages: int) -> None:
    if page > pages:
        raise NotFound(
            t("Sivua {page} ei ole: historiassa on {pages} sivua.", page=page, pages=pages)
        )


def history_page(
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    instance_id: int,
    page: int = 1,
    page_size: int = HISTORY_PAGE_SIZE,
) -> HistoryPage:
    """Return one page of an instance's history, oldest first; logged. A page beyond the last
    one (page 1 always exists) is not found."""
    instance = uow.instances.get(instance_id)
    if instance is None:
        raise NotFound(t("Prosessia ei löydy."))
    case = uow.cases.get(instance_id)
    if not (
        (case is not None and case.group_name in actor.groups)
        or may_read_instance(actor, instance, uow.tasks.for_instance(instance_id), ())
        or uow.history.actor_took_part(instance_id, actor.username)
    ):
        raise PermissionDenied(t("Sinulla ei ole oikeutta tähän prosessiin."))
    total = uow.history.count_for_instance(instance_id)
    _check_page(page, page_count(total, page_size))
    entries = uow.history.page_for_instance(instance_id, page_size, (page - 1) * page_size)
    log_read(uow, clock, actor, "instance_history", str(instance.id), instance.id, actor.purpose)
    uow.commit()
    return HistoryPage(instance, entries, total, page, page_size)


def instance_history(
    platform: Platform,
    actor: Actor,
    uow: UnitOfWork,
    clock: Clock,
    instance_id: int,
    entry_id: int | None = None,
    page: int | None = None,
    page_size: int = HISTORY_PAGE_SIZE,
) -> HistoryView:
    """Return an instance's path, one page of its timeline and data at one entry (the newest by
    default); logged. The page defaults to the one holding that entry."""
    instance = uow.instances.get(instance_id)
    if instance is None:
        raise NotFound(t("Prosessia ei löydy."))
    history = uow.history.for_instance(instance_id)
    if not may_read_instance(actor, instance, uow.tasks.for_instance(instance_id), history):
        raise PermissionDenied(t("Sinulla ei ole oikeutta tähän prosessiin."))
    selected = _selected(history, entry_id)
    pages = page_count(len(history), page_size)
    if page is None:
        page = history.index(selected) // page_size + 1
    _check_page(page, pages)
    shown = range((page - 1) * page_size, page * page_size)
    version = instance.process_version
    parsed = platform.parsed(version)
    xml = parsed.bundle.files[version.main_file]
    graph = diagram_graph(xml, parsed.key)
    ctx = RunContext(instance.id, instance.process_key, actor.username, clock)
    workflow, _ = platform.load_workflow(instance, ctx)
    package = platform.package(instance.process_key)
    rules = package.replay if package is not None else NO_RULES
    done = {e.task_name for e in history if e.action == "task_completed" and e.task_name}
    path = derive_path(workflow_visits(workflow), graph, history_rounds(history, rules), done)
    log_read(uow, clock, actor, "instance_history", str(instance.id), instance.id, actor.purpose)
    uow.commit()
    schemas = platform.form_schemas(version)
    variables = result_variables(parsed.spec)
    timeline, data_at, selected_title = _timeline(
        history, shown, schemas, variables, rules, graph.names, selected.id
    )
    order = {element_id: n for n, element_id in enumerate(graph.kinds)}
    return HistoryView(
        instance=instance,
        diagram_xml=with_layout(xml, parsed.key),
        path=path,
        passed=[
            PathElement(e, graph.names.get(e) or e)
            for e in sorted(path.elements, key=lambda e: order.get(e, len(order)))
        ],
        waiting=[
            PathElement(
                p.element_id, graph.names.get(p.element_id) or p.element_id, p.kind, p.due_at
            )
            for p in path.waiting
        ],
        timeline=timeline,
        selected=selected,
        selected_title=selected_title,
        data_at=data_at,
        page=page,
        pages=pages,
        total=len(history),
    )


def history_rounds(
    history: Sequence[HistoryEntry], rules: ReplayRules = NO_RULES
) -> list[list[str]]:
    """Split the history into rounds of reached element ids, in the order they were reached."""
    rounds: list[list[str]] = []
    for entry in history:
        if entry.action == START_ACTION or entry.action in rules.round_actions or not rounds:
            rounds.append([])
        if entry.action in REACHED_ACTIONS and entry.task_name:
            rounds[-1].append(entry.task_name)
        elif entry.action == "instance_completed":
            rounds[-1].append(END_OF_ROUND)
    return rounds


def _selected(history: Sequence[HistoryEntry], entry_id: int | None) -> HistoryEntry:
    if not history:
        raise NotFound(t("Prosessilla ei ole historiaa."))
    if entry_id is None:
        return history[-1]
    for entry in history:
        if entry.id == entry_id:
            return entry
    raise NotFound(t("Historiamerkintää ei löydy tästä prosessista."))


def _timeline(
    history: Sequence[HistoryEntry],
    shown: range,
    schemas: Sequence[Mapping[str, Any]],
    variables: Mapping[str, str],
    rules: ReplayRules,
    names: Mapping[str, str],
    selected_id: int,
) -> tuple[list[TimelineRow], list[tuple[str, str]], str]:
    """Return the rows of the entries at `shown`, the data at the selected entry and its title.

    Titles and data are carried over the whole history; only shown rows get their changes.
    """
    labels = field_labels(schemas)
    titles = {element_id: name for element_id, name in names.items() if name}
    rows = []
    data: dict[str, Any] = {}
    data_at: list[tuple[str, str]] = []
    selected_title = ""
    for index, entry in enumerate(history):
        recorded = entry.data or {}
        if entry.task_name and recorded.get("title"):
            titles[entry.task_name] = str(recorded["title"])
        title = titles.get(entry.task_name or "") or entry.task_name or ""
        if index in shown:
            rows.append(TimelineRow(entry, title, _changes(entry, schemas, labels)))
        apply_entry(data, entry, variables, rules)
        if entry.id == selected_id:
            data_at = describe_data(schemas, data)
            selected_title = title
    return rows, data_at, selected_title


def field_labels(schemas: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Return field name -> its title in the first form that has the field."""
    labels: dict[str, str] = {"started_by": "Aloittaja"}
    for schema in schemas:
        for name, prop in properties_of(schema).items():
            labels.setdefault(name, str(prop.get("title") or name))
    return labels


def _changes(
    entry: HistoryEntry, schemas: Sequence[Mapping[str, Any]], labels: Mapping[str, str]
) -> list[Change]:
    recorded = entry.data or {}
    if entry.action == "instance_started":
        pairs = {name: [None, value] for name, value in (recorded.get("submitted") or {}).items()}
    elif entry.action == "task_completed":
        pairs = dict(recorded.get("changed") or {})
    else:
        return []
    return [
        Change(
            labels.get(name, name),
            _readable(schemas, name, pair[0]),
            _readable(schemas, name, pair[1]),
        )
        for name, pair in pairs.items()
        # Only what the forms declare: the engine's and handlers' own fields are not for people.
        if name in labels and isinstance(pair, list | tuple) and len(pair) == 2
    ]


def _readable(schemas: Sequence[Mapping[str, Any]], name: str, value: Any) -> str:
    if value in (None, "", []):
        return EMPTY
    prop = next((p[name] for p in map(properties_of, schemas) if name in p), {})
    return describe_value(prop, value)
