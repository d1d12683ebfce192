"""Resources' contract: its RPC request and response schemas and the vocabulary they use.

The gateway imports resources only through this module; it imports nothing but marshmallow, the
kit and the standard library.
"""
import copy
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import Schema, ValidationError, fields, missing, validate, validates_schema

from shared.schemas import PageQuerySchema, UtcDateTime, page_schema

# ---- vocabulary ----------------------------------------------------------------------------------

TRAINER, ROOM, EQUIPMENT = "trainer", "room", "equipment"
RESOURCE_KINDS = (TRAINER, ROOM, EQUIPMENT)

# Content tiers of the department's courses (the `tier` of plan items and sessions).
TIERS = ("basic_operation", "advanced_features", "industry_application", "customised")

DRAFT, IN_REVIEW, APPROVED, PUBLISHED, RETIRED = "draft", "in_review", "approved", "published", "retired"
MATERIAL_STATUSES = (DRAFT, IN_REVIEW, APPROVED, PUBLISHED, RETIRED)
MATERIAL_FORMATS = ("slides", "handout", "video", "exercise", "courseware", "manual", "case_study")
APPROVE, REJECT = "approve", "reject"
# Why a material is due for revision: its age, an evaluation naming its topics, a product release.
FLAG_AGE, FLAG_EVALUATION, FLAG_PRODUCT_RELEASE = "age", "evaluation", "product_release"

# File types a material may have, by MIME type. Binary types are checked against the file's own
# signature; text types must be UTF-8.
BINARY_FILE_TYPES = (
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/zip",
    "image/png",
    "image/jpeg",
    "video/mp4",
)
TEXT_FILE_TYPES = ("text/plain", "text/markdown", "text/csv")
FILE_TYPES = BINARY_FILE_TYPES + TEXT_FILE_TYPES

AVAILABLE, IN_USE, MAINTENANCE = "available", "in_use", "maintenance"
EQUIPMENT_STATUSES = (AVAILABLE, IN_USE, MAINTENANCE, RETIRED)
MAINTENANCE_KINDS = ("scheduled", "fault", "repair", "inspection")
DISPOSAL_METHODS = ("sold", "recycled", "donated", "destroyed", "returned_to_vendor")

OPEN, CLOSED = "open", "closed"
ROOM_STATUSES = (OPEN, CLOSED)

ACTIVE, REMOVED = "active", "removed"
TRAINER_STATUSES = (ACTIVE, REMOVED)
EVALUATION_OUTCOMES = ("reward", "keep", "development_plan", "remove")

PENDING, RESERVED, CONFLICT, CANCELLED = "pending", "reserved", "conflict", "cancelled"
BOOKING_STATUSES = (PENDING, RESERVED, CONFLICT, CANCELLED)
CONFLICT_REASONS = ("double_booked", "on_leave", "outside_working_hours", "not_qualified", "too_small",
                    "in_maintenance", "retired", "unknown", "missing")

HOUR_MINUTE = validate.Regexp(r"^([01][0-9]|2[0-3]):[0-5][0-9]$", error="expected HH:MM")
# An evaluation period: a year, a half or a quarter (2026, 2026-H1, 2026-Q3).
PERIOD = re.compile(r"^(?P<year>[0-9]{4})(-(?P<part>H[12]|Q[1-4]))?$")
PERIOD_FORMAT = "expected YYYY, YYYY-Hn or YYYY-Qn"


class Day(fields.Date):
    """A calendar day, loaded as its ISO text (YYYY-MM-DD): BSON has no date type, and ISO days
    compare in order as text."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).isoformat()

    def _serialize(self, value, attr, obj, **kwargs):
        return value if isinstance(value, str) or value is None else super()._serialize(value, attr, obj, **kwargs)


def known_timezone(name):
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError("unknown time zone; use an IANA name such as Europe/Berlin") from None


def labels(max_items, required=False, min_length=1, max_length=100):
    """A list of short strings (topics, languages, fittings)."""
    options = {"required": True} if required else {"load_default": list}
    return fields.List(fields.String(validate=validate.Length(min_length, max_length)),
                       validate=validate.Length(1 if required else 0, max_items), **options)


def text(max_length=2000, required=True):
    options = {"required": True} if required else {"load_default": ""}
    return fields.String(validate=validate.Length(1 if required else 0, max_length), **options)


class Money(fields.Decimal):
    """An amount of money as a decimal string with at most two places, e.g. "1250.00": never a
    binary float, and documented as what it is on the wire."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not MONEY.fullmatch(value):
            raise ValidationError('an amount as a string such as "1250.00"')
        return super()._deserialize(value, attr, data, **kwargs)


MONEY = re.compile(r"[0-9]{1,12}(\.[0-9]{1,2})?")


def amount():
    return Money(load_default=None, allow_none=True, places=2, as_string=True,
                 metadata={"description": "In the department's currency.", "type": "string",
                           "pattern": f"^{MONEY.pattern}$", "example": "1250.00"})


def update_schema(schema, name, versioned=False):
    """The same fields, none required and none defaulted: an update names only what it changes.
    `versioned`: it may name the version it was made to, and is refused (409) if that is not current."""
    optional = {}
    for field_name, field in schema._declared_fields.items():
        optional[field_name] = copy.deepcopy(field)
        optional[field_name].required, optional[field_name].load_default = False, missing
    if versioned:
        optional["version"] = fields.Integer(validate=validate.Range(min=0), metadata={
            "description": "The version you edited (from the last read): 409 if someone changed it since. "
                           "Without it the change applies to whatever is current."})
    return Schema.from_dict(optional, name=name)


def ends_after_start(data, start="starts_on", end="ends_on"):
    if data.get(start) and data.get(end) and data[end] < data[start]:
        raise ValidationError(f"must not be before {start}", end)


# ---- trainers ------------------------------------------------------------------------------------

class WorkingHoursSchema(Schema):
    """When a trainer works, in their own time zone."""
    timezone = fields.String(load_default="UTC", validate=known_timezone)
    weekdays = fields.List(fields.Integer(validate=validate.Range(1, 7)), load_default=lambda: [1, 2, 3, 4, 5],
                           validate=validate.Length(1, 7), metadata={"description": "ISO weekdays, 1 = Monday."})
    start = fields.String(load_default="09:00", validate=HOUR_MINUTE)
    end = fields.String(load_default="17:00", validate=HOUR_MINUTE)

    @validates_schema
    def start_before_end(self, data, **kwargs):
        if data["end"] <= data["start"]:
            raise ValidationError("must be after start", "end")


class TrainerProfileSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 200))
    email = fields.Email(required=True)
    topics = labels(max_items=50, required=True)
    products = labels(max_items=50)
    tiers = fields.List(fields.String(validate=validate.OneOf(TIERS)), load_default=lambda: [TIERS[0]],
                        metadata={"description": "Content tiers the trainer is qualified to teach."})
    # Language tags such as "en" or "pt-BR".
    languages = labels(max_items=20, required=True, min_length=2, max_length=35)
    working_hours = fields.Nested(WorkingHoursSchema, load_default=lambda: WorkingHoursSchema().load({}))


class TrainerCreateSchema(TrainerProfileSchema):
    trainer_id = fields.String(required=True, validate=validate.Length(1, 200),
                               metadata={"description": "The trainer's sign-in subject: sessions name trainers by it."})


TrainerUpdateSchema = update_schema(TrainerProfileSchema, "TrainerUpdateSchema", versioned=True)


class TrainerLeaveCreateSchema(Schema):
    starts_on = Day(required=True)
    ends_on = Day(required=True, metadata={"description": "Last day of leave (inclusive)."})
    reason = text(200, required=False)

    @validates_schema
    def ordered(self, data, **kwargs):
        ends_after_start(data)


class TrainerLeaveSchema(Schema):
    id = fields.String()
    starts_on = Day()
    ends_on = Day()
    reason = fields.String()
    recorded_by = fields.String()


class TrainerTrainingCreateSchema(Schema):
    title = text(200)
    provider = text(200, required=False)
    completed_on = Day(required=True)
    hours = fields.Float(load_default=None, allow_none=True, validate=validate.Range(0, 1000))


class TrainerTrainingSchema(TrainerTrainingCreateSchema):
    id = fields.String()
    recorded_by = fields.String()


class TrainerCertificationCreateSchema(Schema):
    name = text(200)
    issuer = text(200)
    issued_on = Day(required=True)
    expires_on = Day(load_default=None, allow_none=True)

    @validates_schema
    def ordered(self, data, **kwargs):
        ends_after_start(data, "issued_on", "expires_on")


class TrainerCertificationSchema(TrainerCertificationCreateSchema):
    id = fields.String()
    recorded_by = fields.String()


class ScorecardSchema(Schema):
    trainer_id = fields.String()
    period = fields.String()
    sessions_delivered = fields.Integer()
    hours_delivered = fields.Float()
    sessions_as_planned = fields.Integer(metadata={"description": "Held at the booked time by the booked trainer, "
                                                                  "never rescheduled."})
    on_time_rate = fields.Float(allow_none=True, metadata={"description": "0-1; sessions delivered as planned."})
    ratings = fields.Integer()
    average_rating = fields.Float(allow_none=True, metadata={"description": "1-5, the feedback's trainer section."})
    learners_graded = fields.Integer()
    pass_rate = fields.Float(allow_none=True, metadata={"description": "0-1, learners whose latest result passed."})
    suggested_outcome = fields.String(metadata={"description": "What the figures suggest; a person decides."})


class TrainerEvaluationCreateSchema(Schema):
    period = fields.String(required=True, validate=validate.Regexp(PERIOD, error=PERIOD_FORMAT))
    outcome = fields.String(required=True, validate=validate.OneOf(EVALUATION_OUTCOMES))
    reason = text(2000)


class TrainerEvaluationSchema(Schema):
    period = fields.String()
    outcome = fields.String()
    reason = fields.String()
    scorecard = fields.Nested(ScorecardSchema)
    evaluated_by = fields.String()
    evaluated_at = fields.DateTime()


class TrainerSchema(Schema):
    id = fields.String(attribute="_id")
    name = fields.String()
    email = fields.String()
    topics = fields.List(fields.String())
    products = fields.List(fields.String())
    tiers = fields.List(fields.String())
    languages = fields.List(fields.String())
    working_hours = fields.Nested(WorkingHoursSchema)
    leave = fields.List(fields.Nested(TrainerLeaveSchema))
    trainings = fields.List(fields.Nested(TrainerTrainingSchema))
    certifications = fields.List(fields.Nested(TrainerCertificationSchema))
    evaluations = fields.List(fields.Nested(TrainerEvaluationSchema))
    status = fields.String()
    registered_by = fields.String()
    registered_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer(dump_default=0, metadata={"description": "Rises with every change; name it in an update."})


class TrainerQuerySchema(PageQuerySchema):
    topic = fields.String(load_default=None)
    product = fields.String(load_default=None)
    tier = fields.String(load_default=None, validate=validate.OneOf(TIERS))
    language = fields.String(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(TRAINER_STATUSES))


class ScorecardQuerySchema(Schema):
    period = fields.String(load_default=None, validate=validate.Regexp(PERIOD, error=PERIOD_FORMAT),
                           metadata={"description": "Default: the current year."})


TrainerPageSchema = page_schema(TrainerSchema)

# ---- rooms ---------------------------------------------------------------------------------------


class RoomCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 200))
    site = fields.String(required=True, validate=validate.Length(1, 200),
                         metadata={"description": "Building or venue."})
    capacity = fields.Integer(required=True, validate=validate.Range(1, 10000))
    fittings = labels(max_items=50)


class RoomChangesSchema(Schema):
    capacity = fields.Integer(required=True, validate=validate.Range(1, 10000))
    fittings = labels(max_items=50)
    status = fields.String(required=True, validate=validate.OneOf(ROOM_STATUSES),
                           metadata={"description": "A closed room is not booked."})


RoomUpdateSchema = update_schema(RoomChangesSchema, "RoomUpdateSchema", versioned=True)


class RoomSchema(Schema):
    id = fields.String(attribute="_id")
    name = fields.String()
    site = fields.String()
    capacity = fields.Integer()
    fittings = fields.List(fields.String())
    status = fields.String()
    created_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer(dump_default=0, metadata={"description": "Rises with every change; name it in an update."})


class RoomQuerySchema(PageQuerySchema):
    site = fields.String(load_default=None)
    min_capacity = fields.Integer(load_default=None, validate=validate.Range(min=1))
    fitting = fields.String(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(ROOM_STATUSES))


RoomPageSchema = page_schema(RoomSchema)

# ---- equipment -----------------------------------------------------------------------------------


class EquipmentCreateSchema(Schema):
    asset_tag = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$",
                                                                       error="letters, digits and . _ / -"))
    type = fields.String(required=True, validate=validate.Length(1, 100),
                         metadata={"description": "e.g. projector, laptop set, demo kit"})
    model = fields.String(required=True, validate=validate.Length(1, 200))
    quantity = fields.Integer(load_default=1, validate=validate.Range(1, 10000))
    purchase_date = Day(required=True)
    location = fields.String(required=True, validate=validate.Length(1, 200))
    notes = text(2000, required=False)


class EquipmentMaintenanceOpenSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(MAINTENANCE_KINDS))
    description = text(2000)


class EquipmentMaintenanceCloseSchema(Schema):
    repaired_by = fields.String(required=True, validate=validate.Length(1, 200),
                                metadata={"description": "Who did the work (a person or a vendor)."})
    cost = amount()
    notes = text(2000, required=False)


class EquipmentMaintenanceRecordSchema(Schema):
    id = fields.String()
    kind = fields.String()
    description = fields.String()
    reported_by = fields.String()
    opened_at = fields.DateTime()
    repaired_by = fields.String(allow_none=True)
    cost = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    closed_by = fields.String(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)


class EquipmentUpgradeCreateSchema(Schema):
    description = text(2000)
    new_model = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 200))
    cost = amount()


class EquipmentUpgradeSchema(Schema):
    id = fields.String()
    description = fields.String()
    previous_model = fields.String()
    new_model = fields.String(allow_none=True)
    cost = fields.String(allow_none=True)
    by = fields.String()
    at = fields.DateTime()


class EquipmentRetirementSchema(Schema):
    reason = text(2000)
    method = fields.String(required=True, validate=validate.OneOf(DISPOSAL_METHODS))
    disposed_on = Day(required=True)
    proceeds = amount()
    reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 200),
                              metadata={"description": "e.g. the recycler's certificate number"})


class EquipmentDisposalSchema(EquipmentRetirementSchema):
    by = fields.String()
    at = fields.DateTime()


class EquipmentUsageSchema(Schema):
    session_id = fields.String()
    title = fields.String()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    hours = fields.Float()


class EquipmentSchema(Schema):
    id = fields.String(attribute="_id")
    asset_tag = fields.String()
    name = fields.String()
    type = fields.String()
    model = fields.String()
    quantity = fields.Integer()
    purchase_date = Day()
    location = fields.String()
    notes = fields.String()
    status = fields.String()
    maintenance = fields.List(fields.Nested(EquipmentMaintenanceRecordSchema))
    upgrades = fields.List(fields.Nested(EquipmentUpgradeSchema))
    usage = fields.List(fields.Nested(EquipmentUsageSchema))
    hours_used = fields.Float()
    disposal = fields.Nested(EquipmentDisposalSchema, allow_none=True)
    created_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class EquipmentQuerySchema(PageQuerySchema):
    status = fields.String(load_default=None, validate=validate.OneOf(EQUIPMENT_STATUSES))
    type = fields.String(load_default=None)
    location = fields.String(load_default=None)


EquipmentPageSchema = page_schema(EquipmentSchema)

# ---- materials -----------------------------------------------------------------------------------


class MaterialContentSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(1, 200))
    summary = text(4000, required=False)
    topics = labels(max_items=50, required=True)
    products = labels(max_items=50)
    format = fields.String(required=True, validate=validate.OneOf(MATERIAL_FORMATS))
    language = fields.String(load_default="en", validate=validate.Length(2, 35))


class MaterialCreateSchema(MaterialContentSchema):
    category = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 100),
                             metadata={"description": "May be left for the publisher to set."})


MaterialUpdateSchema = update_schema(MaterialCreateSchema, "MaterialUpdateSchema")


class MaterialRevisionCreateSchema(MaterialContentSchema):
    change_summary = text(2000)


class MaterialReviewRequestSchema(Schema):
    reviewers = fields.List(fields.String(validate=validate.Length(1, 200)), required=True,
                            validate=validate.Length(1, 10),
                            metadata={"description": "Sign-in subjects of the experts who must approve."})
    note = text(2000, required=False)


class MaterialReviewDecisionSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf((APPROVE, REJECT)))
    comment = text(2000, required=False)

    @validates_schema
    def rejection_says_why(self, data, **kwargs):
        if data["decision"] == REJECT and not data["comment"].strip():
            raise ValidationError("a rejection says what to change", "comment")


class MaterialCommentCreateSchema(Schema):
    text = text(4000)


class MaterialPublicationSchema(Schema):
    category = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 100),
                             metadata={"description": "Required unless the material has one."})


class MaterialRetirementSchema(Schema):
    reason = text(2000)


class ProductReleaseSchema(Schema):
    product = fields.String(required=True, validate=validate.Length(1, 100))
    release = fields.String(required=True, validate=validate.Length(1, 100), metadata={"description": "e.g. 5.2"})
    note = text(2000, required=False)


class MaterialFileUploadSchema(Schema):
    """A file as the gateway passes it on: base64, since RPC carries JSON."""
    filename = fields.String(required=True, validate=[validate.Length(1, 200),
                                                      validate.Regexp(r"^[^/\\\x00]+$", error="a plain file name")])
    content_type = fields.String(required=True, validate=validate.OneOf(FILE_TYPES))
    content_base64 = fields.String(required=True)


class MaterialFileSchema(Schema):
    file_id = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_by = fields.String()
    uploaded_at = fields.DateTime()


class MaterialFileDownloadSchema(MaterialFileSchema):
    content_base64 = fields.String()


class MaterialReviewerSchema(Schema):
    id = fields.String()
    decision = fields.String(allow_none=True)
    comment = fields.String(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)


class MaterialReviewSchema(Schema):
    round = fields.Integer()
    version = fields.Integer()
    requested_by = fields.String()
    requested_at = fields.DateTime()
    note = fields.String()
    outcome = fields.String(allow_none=True)


class MaterialCommentSchema(Schema):
    by = fields.String()
    text = fields.String()
    version = fields.Integer()
    at = fields.DateTime()


class MaterialReviewFlagSchema(Schema):
    reason = fields.String()
    reference = fields.String()
    detail = fields.String()
    flagged_at = fields.DateTime()


class MaterialRevisionLogEntrySchema(Schema):
    version = fields.Integer()
    change_summary = fields.String()
    by = fields.String()
    at = fields.DateTime()


class MaterialVersionSchema(Schema):
    version = fields.Integer()
    title = fields.String()
    summary = fields.String()
    topics = fields.List(fields.String())
    products = fields.List(fields.String())
    format = fields.String()
    language = fields.String()
    category = fields.String()
    file = fields.Nested(MaterialFileSchema, allow_none=True)
    change_summary = fields.String(allow_none=True)
    published_by = fields.String()
    published_at = fields.DateTime()


class MaterialHistoryEntrySchema(Schema):
    action = fields.String()
    by = fields.String()
    at = fields.DateTime()
    version = fields.Integer()
    comment = fields.String(allow_none=True)


class MaterialSchema(Schema):
    id = fields.String(attribute="_id")
    number = fields.String(allow_none=True, dump_default=None,
                           metadata={"description": "MAT-<year>-<nnnn>, given at first publishing."})
    title = fields.String()
    summary = fields.String()
    category = fields.String(allow_none=True)
    topics = fields.List(fields.String())
    products = fields.List(fields.String())
    format = fields.String()
    language = fields.String()
    version = fields.Integer(metadata={"description": "The version being worked on (or the published one)."})
    published_version = fields.Integer(allow_none=True, metadata={"description": "The version in use, if any."})
    status = fields.String()
    file = fields.Nested(MaterialFileSchema, allow_none=True)
    author = fields.String()
    review = fields.Nested(MaterialReviewSchema, allow_none=True)
    reviewers = fields.List(fields.Nested(MaterialReviewerSchema),
                            metadata={"description": "The current review's experts."})
    comments = fields.List(fields.Nested(MaterialCommentSchema))
    versions = fields.List(fields.Nested(MaterialVersionSchema), metadata={"description": "Every published version."})
    revision_log = fields.List(fields.Nested(MaterialRevisionLogEntrySchema))
    review_flags = fields.List(fields.Nested(MaterialReviewFlagSchema))
    review_due = fields.Boolean()
    retirement = fields.Dict(allow_none=True)
    history = fields.List(fields.Nested(MaterialHistoryEntrySchema))
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class MaterialQuerySchema(PageQuerySchema):
    status = fields.String(load_default=None, validate=validate.OneOf(MATERIAL_STATUSES))
    category = fields.String(load_default=None)
    topic = fields.String(load_default=None)
    product = fields.String(load_default=None)
    review_due = fields.Boolean(load_default=None, allow_none=True)
    reviewer = fields.String(load_default=None, metadata={"description": "Materials awaiting this reviewer."})


MaterialPageSchema = page_schema(MaterialSchema)

# ---- copies and loans ----------------------------------------------------------------------------


class CopyCreateSchema(Schema):
    label = fields.String(required=True, validate=validate.Length(1, 100),
                          metadata={"description": "What is written on the copy, e.g. its shelf mark."})
    location = fields.String(required=True, validate=validate.Length(1, 200))


class LoanCreateSchema(Schema):
    borrower_id = fields.String(required=True, validate=validate.Length(1, 200),
                                metadata={"description": "The borrower's sign-in subject."})
    borrower_name = fields.String(required=True, validate=validate.Length(1, 200))
    due_on = Day(required=True)
    note = text(2000, required=False)


class LoanReturnSchema(Schema):
    condition = text(2000, required=False)


class LoanSchema(Schema):
    loan_id = fields.String()
    copy_id = fields.String()
    material_id = fields.String()
    borrower_id = fields.String()
    borrower_name = fields.String(allow_none=True)
    due_on = Day()
    note = fields.String()
    lent_by = fields.String()
    lent_at = fields.DateTime()
    returned_at = fields.DateTime(allow_none=True)
    returned_to = fields.String(allow_none=True)
    condition = fields.String(allow_none=True)
    overdue = fields.Boolean()
    reminders_sent = fields.Integer(metadata={"description": "Overdue reminders the borrower was sent."})


class CopySchema(Schema):
    id = fields.String(attribute="_id")
    material_id = fields.String()
    label = fields.String()
    location = fields.String()
    status = fields.String(metadata={"description": "available or lent"})
    loan = fields.Nested(LoanSchema, allow_none=True)
    history = fields.List(fields.Nested(LoanSchema), metadata={"description": "Earlier loans, oldest first."})
    created_at = fields.DateTime()


class LoanQuerySchema(PageQuerySchema):
    state = fields.String(load_default="active", validate=validate.OneOf(("active", "overdue", "returned", "all")))
    borrower_id = fields.String(load_default=None)
    material_id = fields.String(load_default=None)


CopyPageSchema = page_schema(CopySchema)
LoanPageSchema = page_schema(LoanSchema)

# ---- bookings ------------------------------------------------------------------------------------


class BookedResourceSchema(Schema):
    kind = fields.String()
    resource_id = fields.String()
    name = fields.String()


class BookingConflictSchema(Schema):
    kind = fields.String()
    resource_id = fields.String(allow_none=True)
    reason = fields.String(metadata={"description": ", ".join(CONFLICT_REASONS)})
    detail = fields.String()


class BookingHistorySchema(Schema):
    action = fields.String()
    status = fields.String()
    at = fields.DateTime()
    by = fields.String()


class BookingSchema(Schema):
    session_id = fields.String(attribute="_id")
    title = fields.String()
    format = fields.String(allow_none=True)
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    capacity = fields.Integer(allow_none=True)
    tier = fields.String(allow_none=True)
    topics = fields.List(fields.String())
    trainer_ids = fields.List(fields.String())
    room_id = fields.String(allow_none=True)
    venue = fields.String(allow_none=True)
    equipment_ids = fields.List(fields.String())
    sequence = fields.Integer(metadata={"description": "The session's change number this booking answers."})
    status = fields.String(metadata={"description": ", ".join(BOOKING_STATUSES)})
    reserved = fields.List(fields.Nested(BookedResourceSchema))
    conflicts = fields.List(fields.Nested(BookingConflictSchema))
    alternatives = fields.List(fields.Nested(BookedResourceSchema))
    history = fields.List(fields.Nested(BookingHistorySchema))
    decided_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)


class BookingQuerySchema(PageQuerySchema):
    status = fields.String(load_default=None, validate=validate.OneOf(BOOKING_STATUSES))
    trainer_id = fields.String(load_default=None)
    room_id = fields.String(load_default=None)
    equipment_id = fields.String(load_default=None)
    starts_from = UtcDateTime(load_default=None, allow_none=True)
    starts_before = UtcDateTime(load_default=None, allow_none=True)


BookingPageSchema = page_schema(BookingSchema)
