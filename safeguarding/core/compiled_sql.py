"""A queryset's SQL built once per database and run again with other values (issue 16).

Every signed-in request reads its session and its user. Building those two small queries in the
ORM costs several times what running them does (about 0.2 ms each against 0.03 ms on SQLite),
so the signed-in floor was mostly query building. ``CompiledQuery`` builds the SQL once per
database alias (and vendor) from an ordinary queryset in which each value that changes is a
placeholder, then swaps the real values in by position. The SQL is Django's own, parameters
stay parameters (nothing is formatted into the SQL), and the values are prepared by their
fields as the ORM prepares them.

``objects()`` gives the model instances iterating the queryset would give (its
``select_related`` objects and annotations included), from the rows of the SQL built once, as
Django's ``ModelIterable`` makes them: the scoped reads of one record that many pages share
(a review, a case, a publication...) cost several times their query to build (issue 16).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db import connections, router
from django.db.models import Field, Model, Q, QuerySet
from django.db.models.expressions import ColPairs
from django.db.models.query import ModelIterable, get_related_populators


class CompiledQuery:
    """``build(**placeholders)`` returns the queryset; ``placeholders`` maps each changing
    value's name to (a placeholder value no real row has, the field that prepares it).

    ``page_size``: the queryset is read ``page_size`` rows at a time from an ``offset`` given
    with the values (a list's pages): Django writes a slice's bounds into the SQL as numbers,
    so the offset is made a parameter of the SQL built once."""

    def __init__(
        self,
        build: Callable[..., QuerySet],
        placeholders: Mapping[str, tuple[Any, Any]],
        *,
        page_size: int | None = None,
    ):
        if page_size is not None:
            whole = build

            def build(**values: Any) -> QuerySet:
                return whole(**values)[_OFFSET_PLACEHOLDER : _OFFSET_PLACEHOLDER + page_size]

        self.build = build
        self.placeholders = placeholders
        self.page_size = page_size
        self._compiled: dict[tuple[str, str], tuple[str, list, dict[str, list[int]]]] = {}
        self._plans: dict[tuple[str, str], _ObjectsPlan] = {}
        self._converters: dict[tuple[str, str], list] = {}
        self._model: type[Model] | None = None

    def _compile(self, alias: str) -> tuple[str, list, dict[str, list[int]]]:
        connection = connections[alias]
        key = (alias, connection.vendor)
        if key not in self._compiled:
            queryset = self.build(**{name: value for name, (value, _) in self.placeholders.items()})
            compiler = queryset.query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            params = list(params)
            positions = {}
            for name, (value, field) in self.placeholders.items():
                prepared = field.get_db_prep_value(value, connection, prepared=False)
                found = [i for i, param in enumerate(params) if param == prepared]
                # A value may stand in several places (the partnership of a record and of the
                # share that lets it see the record): every one takes the real value.
                if not found:
                    raise ValueError(f"placeholder {name} is not in the SQL")
                positions[name] = found
            if self.page_size is not None:
                tail = f" OFFSET {_OFFSET_PLACEHOLDER}"
                if not sql.endswith(tail) or sql.count(str(_OFFSET_PLACEHOLDER)) != 1:
                    raise ValueError("the page's offset is not the end of the SQL")
                sql = sql[: -len(tail)] + " OFFSET %s"
                positions["offset"] = [len(params)]
                params.append(_OFFSET_PLACEHOLDER)
            # The plan first: a thread that finds the SQL kept must find its plan too (under
            # gunicorn threads two first requests of a worker may build at once; both build
            # the same, and each assignment is one step).
            self._plans[key] = _ObjectsPlan(queryset, compiler, alias)
            columns = [column[0] for column in compiler.select[0 : compiler.col_count]]
            self._converters[key] = list(compiler.get_converters(columns).items())
            self._compiled[key] = (sql, params, positions)
        return self._compiled[key]

    def sql_and_params(self, alias: str, **values: Any) -> tuple[str, list]:
        sql, params, positions = self._compile(alias)
        connection = connections[alias]
        params = list(params)
        for name, value in values.items():
            if name == "offset":
                prepared = int(value)
            else:
                field = self.placeholders[name][1]
                prepared = field.get_db_prep_value(value, connection, prepared=False)
            for position in positions[name]:
                params[position] = prepared
        return sql, params

    def objects(self, alias: str, **values: Any) -> list[Any]:
        """The model instances of the queryset for these values, as iterating it gives them
        (``select_related`` objects and annotations set; no prefetching)."""
        connection = connections[alias]
        for name, value in values.items():
            if name != "offset" and _out_of_range(self.placeholders[name][1], value, connection):
                return []  # as the ORM: no row has such an id (a URL's <int:pk> may be any size)
        sql, params = self.sql_and_params(alias, **values)
        plan = self._plans[(alias, connection.vendor)]
        if not plan.usable:
            raise TypeError("objects() reads plain querysets of models (no prefetch, no extra)")
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return [plan.instance(row, connection) for row in rows]

    def rows(self, alias: str, **values: Any) -> list[tuple]:
        sql, params = self.sql_and_params(alias, **values)
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def value_rows(self, alias: str, **values: Any) -> list[tuple]:
        """The rows ``values_list()`` of the queryset gives for these values: ``rows()`` with
        the backend's and the expressions' converters applied (dates from SQLite's text...)."""
        connection = connections[alias]
        sql, params = self.sql_and_params(alias, **values)
        converters = self._converters[(alias, connection.vendor)]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for position, (functions, expression) in converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            converted.append(tuple(row))
        return converted

    def read_values(self, **values: Any) -> list[tuple]:
        """``value_rows()`` on the database the router reads the queryset's model from."""
        return self.value_rows(self._read_alias(), **values)

    def _read_alias(self) -> str:
        if self._model is None:
            self._model = self.build(**{n: v for n, (v, _) in self.placeholders.items()}).model
        return router.db_for_read(self._model)

    def read(self, **values: Any) -> list[Any]:
        """``objects()`` on the database the router reads the queryset's model from."""
        return self.objects(self._read_alias(), **values)

    def read_rows(self, **values: Any) -> list[tuple]:
        """``rows()`` on the database the router reads the queryset's model from."""
        return self.rows(self._read_alias(), **values)


def aggregating(queryset: QuerySet, **aggregates: Any) -> QuerySet:
    """A queryset whose SQL is ``queryset.aggregate(**aggregates)``'s (one row, the aggregates'
    columns in their order, no grouping), for ``CompiledQuery``: ``aggregate()`` runs at once and
    gives no queryset to build from. For aggregates over the rows themselves (no annotation
    that ``aggregate()`` would wrap in a subquery)."""
    query = queryset.query.chain()
    for alias, aggregate in aggregates.items():
        query.add_annotation(aggregate, alias, select=True)
    query.default_cols = False
    aggregated = queryset.all()
    aggregated.query = query
    return aggregated


def set_prefetched(instance: Model, name: str, model: type[Model], objects: list) -> None:
    """Give ``instance.<name>.all()`` these objects, as ``prefetch_related`` leaves them (read
    with a ``CompiledQuery`` of the related rows for a whole page instead)."""
    queryset = model._default_manager.all()
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset


# Ids no row has, standing for the real ones while a record's SQL is built; an offset no page
# has (made a parameter: ``page_size``).
_OFFSET_PLACEHOLDER = 7_301_946_291
PARTNERSHIP_PLACEHOLDER = -7_301_946_289
PK_PLACEHOLDER = -7_301_946_290


class ManyToManyQuery:
    """The objects of one record's many-to-many field (``model.<name>``), as
    ``prefetch_related(Prefetch(name, queryset=<target>.objects.order_by(*order_by)))`` gives
    them (``order_by`` by default the target's own ordering), with the SQL built once: the
    links of the record joined to their objects (issue 16). ``prefetch(record)`` leaves them
    where the prefetch leaves them, so ``record.<name>.all()`` reads no more."""

    def __init__(self, model: type[Model], name: str, order_by: tuple[str, ...] | None = None):
        field = model._meta.get_field(name)
        self.name = name
        self.target = field.related_model
        through = field.remote_field.through
        source, linked = field.m2m_field_name(), field.m2m_reverse_field_name()
        ordering = self.target._meta.ordering if order_by is None else order_by
        self.linked = linked
        self.query = CompiledQuery(
            lambda pk: (
                through.objects.filter(**{f"{source}_id": pk})
                .select_related(linked)
                .order_by(*(_under(linked, term) for term in ordering))
            ),
            {"pk": (PK_PLACEHOLDER, model._meta.pk)},
        )

    def prefetch(self, record: Model) -> None:
        links = self.query.read(pk=record.pk)
        set_prefetched(
            record, self.name, self.target, [getattr(link, self.linked) for link in links]
        )


_IDS_PLACEHOLDER = -7_301_946_500  # a page's ids: this, less one for each next


class CompiledByIds:
    """The rows linked to a page's records, ``build(ids, **values)`` (``ids``: the page's ids,
    at most a page of them), with the SQL built once per number of ids, each id a parameter
    (ADR 0048), and the other values placeholders as for ``CompiledQuery``: what
    ``prefetch_related`` read with an ``IN`` of the page's records (issue 16)."""

    def __init__(
        self,
        build: Callable[..., QuerySet],
        id_field: Field,
        placeholders: Mapping[str, tuple[Any, Any]] | None = None,
    ):
        self.build = build
        self.id_field = id_field
        self.placeholders = dict(placeholders or {})
        self._queries: dict[tuple[int, frozenset[str]], CompiledQuery] = {}

    def _query(self, n: int, given: frozenset[str]) -> CompiledQuery:
        key = (n, given)
        if key not in self._queries:
            names = [f"id{i}" for i in range(n)]
            self._queries[key] = CompiledQuery(
                lambda **values: self.build(
                    [values[name] for name in names], **{name: values[name] for name in given}
                ),
                {
                    **{name: self.placeholders[name] for name in given},
                    **{name: (_IDS_PLACEHOLDER - i, self.id_field) for i, name in enumerate(names)},
                },
            )
        return self._queries[key]

    def read(self, ids: list[int], **values: Any) -> list[Any]:
        """The objects for these ids and values (no query for no ids)."""
        if not ids:
            return []
        query = self._query(len(ids), frozenset(values))
        return query.read(**values, **{f"id{i}": pk for i, pk in enumerate(ids)})


def _under(relation: str, term: str) -> str:
    """An ordering term of the target model, as a term of the link that points to it."""
    if term.startswith("-"):
        return f"-{relation}__{term[1:]}"
    return f"{relation}__{term}"


class RecordQuery(CompiledQuery):
    """One record of a partnership by its id, as ``records().filter(scope(partnership),
    pk=pk)`` finds it (``records``: the model's queryset with its ``select_related``;
    ``scope``: a partnership's Q, by default the record's own ``partnership``), with the SQL
    built once. Many pages begin by reading their record this way (a review, a case, a
    publication, an action...). ``get`` returns the record or None: the caller answers 404
    and checks what the user may do, as before. A model without a ``partnership`` of its own
    names the partnership model (``partnership_model``) beside its ``scope``."""

    def __init__(
        self,
        records: Callable[[], QuerySet],
        scope: Callable[[Any], Q] | None = None,
        *,
        partnership_model: type[Model] | None = None,
    ) -> None:
        self.model = records().model
        if partnership_model is None:
            partnership_model = self.model._meta.get_field("partnership").related_model

        def build(partnership_id: int, pk: int) -> QuerySet:
            partnership = partnership_model(pk=partnership_id)
            where = scope(partnership) if scope is not None else Q(partnership=partnership)
            return records().filter(where, pk=pk).order_by()

        super().__init__(
            build,
            {
                "partnership_id": (PARTNERSHIP_PLACEHOLDER, partnership_model._meta.pk),
                "pk": (PK_PLACEHOLDER, self.model._meta.pk),
            },
        )

    def get(self, *, partnership, pk: int) -> Any:
        found = self.objects(router.db_for_read(self.model), partnership_id=partnership.pk, pk=pk)
        return found[0] if found else None


def _out_of_range(field: Field, value: Any, connection) -> bool:
    """Whether ``value`` is an integer the field's column cannot hold (the ORM answers "no
    rows" for it rather than send it to the database, which would refuse it)."""
    internal_type = field.get_internal_type()
    if internal_type not in connection.ops.integer_field_ranges:
        return False
    value = field.get_prep_value(value)  # "123" as 123, as the ORM takes it
    low, high = connection.ops.integer_field_range(internal_type)
    return (low is not None and value < low) or (high is not None and value > high)


class _ObjectsPlan:
    """What Django's ``ModelIterable`` works out from the compiler for each query, kept: the
    columns each model is made from, the related populators, the annotations and the
    converters of the values (dates from SQLite's text, booleans...)."""

    def __init__(self, queryset: QuerySet, compiler, alias: str):
        self.usable = (
            queryset._iterable_class is ModelIterable
            and not queryset._prefetch_related_lookups
            and not queryset._known_related_objects
        )
        select, klass_info = compiler.select, compiler.klass_info
        fields = [column[0] for column in select[0 : compiler.col_count]]
        self.usable = self.usable and klass_info is not None and not compiler.has_extra_select
        self.usable = self.usable and not any(isinstance(field, ColPairs) for field in fields)
        if not self.usable:
            return
        self.alias = alias
        self.model = klass_info["model"]
        select_fields = klass_info["select_fields"]
        self.start, self.end = select_fields[0], select_fields[-1] + 1
        self.init_list = [column[0].target.attname for column in select[self.start : self.end]]
        self.related_populators = get_related_populators(klass_info, select, alias)
        self.annotations = list(compiler.annotation_col_map.items())
        self.converters = list(compiler.get_converters(fields).items())

    def instance(self, row: tuple, connection) -> Model:
        if self.converters:
            row = list(row)
            for position, (converters, expression) in self.converters:
                value = row[position]
                for converter in converters:
                    value = converter(value, expression, connection)
                row[position] = value
        obj = self.model.from_db(self.alias, self.init_list, row[self.start : self.end])
        for populator in self.related_populators:
            populator.populate(row, obj)
        for name, position in self.annotations:
            setattr(obj, name, row[position])
        return obj
