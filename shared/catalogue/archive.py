"""Events on archive.events."""
from marshmallow import Schema, fields

from shared.events import define


class LearnerRegisteredData(Schema):
    learner_id = fields.String(required=True)
    organisation = fields.String(required=True)
    registered_at = fields.DateTime(required=True)


LEARNER_REGISTERED = define("archive", "LearnerRegistered", 1, LearnerRegisteredData,
                            "A learner's training archive was opened. Carries no personal data.")
