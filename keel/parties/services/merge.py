"""Merge duplicate parties into one survivor, moving every reference onto it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from keel.core.errors import Conflict, InvalidInput, NotFound, PermissionRefused
from keel.core.events import publish
from keel.core.transactions import atomic_service

from ..events import PartiesMerged
from ..models import Address, Party
from ..references import Reference, all_references
from .parties import refresh_normal_forms

# Fields a merge never copies from a duplicate: identity, bookkeeping and state.
NOT_COPIED = {
    "id",
    "company",
    "kind",
    "name",
    "normalized_name",
    "normalized_phone",
    "domain",
    "version",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
    "merged_into",
    "erased_at",
    "active",
}
ROLE_FLAGS = ("is_customer", "is_prospect", "is_supplier", "is_partner")


@dataclass
class MergeResult:
    survivor: Party
    merged_ids: tuple[int, ...]
    moved: dict[str, int] = field(default_factory=dict)


def _locked(ids: list[int]) -> dict[int, Party]:
    """Lock every party involved, always in id order so two merges cannot deadlock."""
    rows = Party.objects.select_for_update().filter(pk__in=sorted(ids)).order_by("pk")
    return {party.pk: party for party in rows}


def _check(survivor: Party, duplicates: list[Party], allow_kind_change: bool) -> None:
    for duplicate in duplicates:
        if duplicate.company_id != survivor.company_id:
            raise InvalidInput(
                f"{duplicate} belongs to another company than {survivor}; "
                "only parties of the same company can be merged.",
                code="other_company",
            )
        for party in (survivor, duplicate):
            if party.erased_at:
                raise Conflict(
                    f"Party #{party.pk} was erased (GDPR) and cannot be merged.", code="erased"
                )
            if party.merged_into_id:
                raise Conflict(
                    f"{party} was already merged into party #{party.merged_into_id}.",
                    code="already_merged",
                )
        if duplicate.kind != survivor.kind:
            person_into_org = (
                duplicate.kind == Party.Kind.PERSON and survivor.kind == Party.Kind.ORGANISATION
            )
            if not (person_into_org and allow_kind_change):
                raise InvalidInput(
                    f"{duplicate} is {duplicate.get_kind_display().lower()} and {survivor} "
                    f"is {survivor.get_kind_display().lower()}; parties of different kinds "
                    "are not merged (a person may go into an organisation only when allowed).",
                    code="kind_mismatch",
                )


def _fill_blanks(survivor: Party, duplicate: Party) -> None:
    """The survivor keeps its values; blanks are filled from the duplicate, roles add up."""
    for model_field in Party._meta.concrete_fields:
        name = model_field.attname
        if model_field.name in NOT_COPIED or model_field.name in ROLE_FLAGS:
            continue
        if model_field.name == "organisation" and survivor.kind == Party.Kind.ORGANISATION:
            continue
        if getattr(survivor, name) in (None, "") and getattr(duplicate, name) not in (None, ""):
            setattr(survivor, name, getattr(duplicate, name))
    for flag in ROLE_FLAGS:
        setattr(survivor, flag, getattr(survivor, flag) or getattr(duplicate, flag))


def _merge_addresses(survivor: Party, duplicate_ids: list[int]) -> None:
    """Drop the duplicates' addresses the survivor already has; the survivor's defaults win."""

    def key(address):
        return tuple(
            getattr(address, f).strip().lower()
            for f in ("kind", "street", "street2", "postal_code", "city", "state", "country")
        )

    known = {key(a) for a in Address.objects.filter(party=survivor)}
    defaults = set(
        Address.objects.filter(party=survivor, is_default=True).values_list("kind", flat=True)
    )
    for address in Address.objects.filter(party_id__in=duplicate_ids).order_by("id"):
        if key(address) in known:
            address.delete()
            continue
        known.add(key(address))
        if address.is_default and address.kind in defaults:
            Address.objects.filter(pk=address.pk).update(is_default=False)
        elif address.is_default:
            defaults.add(address.kind)


def _move(reference: Reference, duplicate_ids: list[int], survivor_id: int) -> int:
    rows = reference.rows_pointing_at(duplicate_ids)
    if reference.through_m2m:
        # A ManyToMany row the survivor already has would break the table's unique key.
        others = [
            f.attname
            for f in reference.model._meta.fields
            if f.is_relation and f.name != reference.field
        ]
        have = set(reference.rows_pointing_at([survivor_id]).values_list(*others))
        moved = 0
        for row in rows.values("pk", *others):
            values = tuple(row[name] for name in others)
            if values in have:
                reference.model._default_manager.filter(pk=row["pk"]).delete()
            else:
                have.add(values)
                moved += reference.model._default_manager.filter(pk=row["pk"]).update(
                    **{reference.field: survivor_id}
                )
        return moved
    try:
        with transaction.atomic():
            return reference.point_at(rows, survivor_id)
    except IntegrityError as error:
        raise Conflict(
            f"{reference.model._meta.verbose_name} records cannot be moved onto party "
            f"#{survivor_id}: {error}",
            code="merge_conflict",
        ) from error


@atomic_service
def merge_parties(
    survivor_id: int, duplicate_ids, *, by, allow_kind_change: bool = False
) -> MergeResult:
    """Fold `duplicate_ids` into `survivor_id`: every reference to them now points at the
    survivor, blanks are filled from them, and they stay as inactive `merged_into` stubs."""
    duplicate_ids = sorted({int(pk) for pk in duplicate_ids})
    if not duplicate_ids:
        raise InvalidInput("Choose at least one duplicate to merge.", field="duplicate_ids")
    if survivor_id in duplicate_ids:
        raise InvalidInput("A party cannot be merged into itself.", field="duplicate_ids")
    if by is not None and not by.has_perm("parties.merge_party"):
        raise PermissionRefused("Your role cannot merge parties.")
    parties = _locked([survivor_id, *duplicate_ids])
    missing = sorted({survivor_id, *duplicate_ids} - parties.keys())
    if missing:
        raise NotFound(f"No party with id {', '.join(map(str, missing))}.")
    survivor = parties[survivor_id]
    duplicates = [parties[pk] for pk in duplicate_ids]
    _check(survivor, duplicates, allow_kind_change)

    # When: blanks first (reading the duplicates as they were), then the references.
    for duplicate in duplicates:
        _fill_blanks(survivor, duplicate)
    _merge_addresses(survivor, duplicate_ids)
    moved: dict[str, int] = {}
    for reference in all_references():
        count = _move(reference, duplicate_ids, survivor_id)
        if count:
            moved[reference.label] = count

    for duplicate in duplicates:
        duplicate.merged_into = survivor
        duplicate.active = False
        duplicate.version += 1
        duplicate.updated_by = by
        duplicate._change_reason = f"Merged into #{survivor.pk}"
        duplicate.save()
    refresh_normal_forms(survivor)
    survivor.version += 1
    survivor.updated_by = by
    survivor._change_reason = "Merged " + ", ".join(f"#{pk}" for pk in duplicate_ids)
    survivor.save()
    publish(
        PartiesMerged(
            survivor_id=survivor.pk,
            merged_ids=tuple(duplicate_ids),
            moved=moved,
            merged_by=getattr(by, "username", ""),
        ),
        company=survivor.company,
    )
    return MergeResult(survivor, tuple(duplicate_ids), moved)
