"""Events on archive.events. They carry ids and non-personal attributes only."""
from marshmallow import Schema, fields, validate

from shared.catalogue.vocabulary import USER_TYPES
from shared.events import define


class LearnerRegisteredData(Schema):
    learner_id = fields.String(required=True)  # the learner's sign-in subject
    organisation = fields.String(required=True)  # the customer company
    registered_at = fields.DateTime(required=True)
    # Added compatibly:
    user_type = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(USER_TYPES))
    industry = fields.String(load_default=None, allow_none=True)
    department = fields.String(load_default=None, allow_none=True)


class LearnerErasedData(Schema):
    learner_id = fields.String(required=True)
    erased_at = fields.DateTime(required=True)


LEARNER_REGISTERED = define("archive", "LearnerRegistered", 1, LearnerRegisteredData,
                            "A learner's training archive was opened. Carries no personal data.")
LEARNER_ERASED = define("archive", "LearnerErased", 1, LearnerErasedData,
                        "A learner's personal data was erased on request; every service removes or "
                        "pseudonymises what it holds on that learner id.")
