"""Questionnaire answers (CSV) into the needs backlog, all or nothing.

Columns (header row required, names case-insensitive, order free): `topic` (required), `product`,
`user_type`, `industry`, `level`, `tier`, `flags` (separated by `;`), `urgency`, `expected_quarter`,
`comment` (becomes the evidence), `respondent`. Rows are numbered as in a spreadsheet (the header is
row 1). Every row is validated before anything is written; one bad row refuses the whole file with
each bad row's field messages.

The rows are then recorded one by one: a batch of several needs cannot be one atomic write. Each
row's reference is the file's digest plus its row number, so importing the same file again (say,
after a crash halfway) completes the missing rows and counts none twice.
"""
import csv
import hashlib
import io

from marshmallow import EXCLUDE, ValidationError, fields, validate

from shared.errors import InvalidInput

from services.planning.needs import record_need
from services.planning.contract import NeedContentSchema

MAX_ROWS = 5000
AUDIENCE_COLUMNS = ("user_type", "industry", "level")


class QuestionnaireRowSchema(NeedContentSchema):
    comment = fields.String(load_default="", validate=validate.Length(max=2000))
    respondent = fields.String(load_default="", validate=validate.Length(max=200))


def parse(csv_text):
    """The valid rows as (row number, need, evidence); InvalidInput listing every bad row."""
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    header = [normalised_column(name) for name in reader.fieldnames or []]
    if "topic" not in header:
        raise InvalidInput("the CSV needs a header row with at least a `topic` column", {"header": header})
    reader.fieldnames = header
    rows, errors = [], {}
    for raw in reader:
        number = reader.line_num  # as a spreadsheet numbers it (DictReader skips blank lines)
        if len(rows) + len(errors) >= MAX_ROWS:
            raise InvalidInput(f"the CSV has more than {MAX_ROWS} rows; split it", {"max_rows": MAX_ROWS})
        if not any((value or "").strip() for key, value in raw.items() if key):
            continue  # a row of empty cells
        try:
            rows.append((number, *row_to_need(raw)))
        except ValidationError as exc:
            errors[str(number)] = exc.messages
    if errors:
        raise InvalidInput(f"{len(errors)} row(s) are invalid; nothing was imported", {"rows": errors})
    if not rows:
        raise InvalidInput("the CSV has no answers", {"rows": {}})
    return rows


def normalised_column(name):
    return (name or "").strip().lower().replace(" ", "_")


def row_to_need(raw):
    if None in raw:
        raise ValidationError({"_row": ["more values than columns"]})
    values = {key: value.strip() for key, value in raw.items() if value and value.strip()}
    values["audience"] = {column: values.pop(column) for column in AUDIENCE_COLUMNS if column in values}
    if "flags" in values:
        values["flags"] = [flag.strip().lower() for flag in values["flags"].split(";") if flag.strip()]
    row = QuestionnaireRowSchema(unknown=EXCLUDE).load(values)
    respondent, comment = row.pop("respondent"), row.pop("comment")
    evidence = "questionnaire answer" + (f" from {respondent}" if respondent else "") + f": {comment or row['topic']}"
    return row, evidence


def import_questionnaire(db, csv_text, actor_id, new_event):
    """Validate the whole file, then record each row; returns the import summary."""
    rows = parse(csv_text)
    import_id = "questionnaire-" + hashlib.sha256(csv_text.encode()).hexdigest()[:16]
    need_ids = []
    for number, need, evidence in rows:
        doc, _ = record_need(db, need, "questionnaire", evidence, actor_id, new_event,
                             reference=f"{import_id}:{number}")
        need_ids.append(doc["_id"])
    return {"import_id": import_id, "rows": len(rows), "need_ids": list(dict.fromkeys(need_ids))}
