"""Unit tests of the material rules: catalogue numbers, input validation, publishing state."""
import pytest

from shared.errors import Conflict, InvalidInput, validated

from services.resources.materials import MATERIAL_STATES, catalogue_number
from services.resources.contract import MaterialCreateSchema

VALID = {"title": "Reporting basics", "category": "reporting", "topics": ["reports", "dashboards"],
         "format": "slides"}


@pytest.mark.parametrize("year, sequence, number", [
    (2026, 1, "MAT-2026-0001"),
    (2026, 42, "MAT-2026-0042"),
    (2027, 9999, "MAT-2027-9999"),
    (2027, 12345, "MAT-2027-12345"),  # a busy year widens the number instead of wrapping round
])
def test_catalogue_number_is_year_and_four_digit_sequence(year, sequence, number):
    assert catalogue_number(year, sequence) == number


def test_valid_material_loads_unchanged():
    assert validated(MaterialCreateSchema(), VALID) == VALID


@pytest.mark.parametrize("change, field", [
    ({"title": ""}, "title"),
    ({"category": None}, "category"),
    ({"format": "hologram"}, "format"),
    ({"topics": []}, "topics"),
    ({"topics": [["nested"]]}, "topics"),  # topics are strings
    ({"version": 7}, "version"),  # the service numbers versions, not the caller
    ({"$where": "1"}, "$where"),  # unknown keys never reach the store
])
def test_invalid_material_is_refused_with_field_messages(change, field):
    with pytest.raises(InvalidInput) as refused:
        validated(MaterialCreateSchema(), dict(VALID, **change))
    assert field in refused.value.details["fields"]


def test_missing_fields_are_all_reported():
    with pytest.raises(InvalidInput) as refused:
        validated(MaterialCreateSchema(), {})
    assert set(refused.value.details["fields"]) == {"title", "category", "topics", "format"}


def test_publishing_a_non_draft_is_a_conflict_naming_its_status():
    with pytest.raises(Conflict) as refused:
        MATERIAL_STATES.require({"_id": "material-1", "number": "MAT-2026-0001", "status": "published"}, "publish")
    assert refused.value.http_status == 409
    assert refused.value.details == {"status": "published", "material_id": "material-1"}
    assert refused.value.message == "cannot publish a material that is published"
