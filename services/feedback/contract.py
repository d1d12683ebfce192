"""Feedback's RPC contract: request and response schemas and the vocabulary they use (the
gateway imports the service only through this module)."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from shared.catalogue.feedback import URGENCIES
from shared.schemas import PageQuerySchema, UtcDateTime, page_schema

ITEM_TYPES = ("likert", "rating", "single_choice", "multiple_choice", "text")
CHOICE_TYPES = ("single_choice", "multiple_choice")
PURPOSES = ("reaction", "follow_up")
SURVEY_KINDS = ("reaction", "follow_up")
SURVEY_STATES = ("scheduled", "open", "closed")
RESPONDENTS = ("learner", "supervisor", "peer", "staff")
RECORDING_CHANNELS = ("face_to_face", "online_rating")
RELATIONS = ("supervisor", "peer")
SCOPES = ("session", "course", "plan")
EVALUATION_STATES = ("draft", "completed")
ACTION_STATES = ("open", "in_progress", "done", "cancelled")
BETTER = ("higher", "lower")

KEY = validate.Regexp(r"^[a-z][a-z0-9_]{0,39}$", error="lower-case letters, digits and _, starting with a letter")


def text(max_length, required=True):
    if required:
        return fields.String(required=True, validate=validate.Length(min=1, max=max_length))
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(max=max_length))


def ids(max_count=1000):
    return fields.List(fields.String(validate=validate.Length(min=1, max=200)), load_default=list,
                       validate=validate.Length(max=max_count))


# ---- questionnaires (templates) ----

class ItemSchema(Schema):
    key = fields.String(required=True, validate=KEY)
    text = text(500)
    type = fields.String(required=True, validate=validate.OneOf(ITEM_TYPES), metadata={"description": (
        "likert: 1-5 agreement; rating: 0-10 (the first one is the net promoter question); "
        "single_choice / multiple_choice: from `options`; text: an open answer")})
    options = fields.List(fields.String(validate=validate.Length(min=1, max=200)), load_default=list,
                          validate=validate.Length(max=20))
    required = fields.Boolean(load_default=None, allow_none=True,
                              metadata={"description": "default: scored items yes, choices and text no"})

    @validates_schema
    def options_fit_the_type(self, item, **kwargs):
        options = item.get("options") or []
        if item.get("type") in CHOICE_TYPES:
            if len(options) < 2 or len(set(options)) != len(options):
                raise ValidationError("a choice needs two or more different options", "options")
        elif options:
            raise ValidationError("only choice items have options", "options")


class SectionSchema(Schema):
    key = fields.String(required=True, validate=KEY, metadata={
        "description": "content, format, trainer and effect are the standard sections that FeedbackSubmitted.v1 "
                       "reports; any other key is a section of your own"})
    title = text(200)
    items = fields.List(fields.Nested(ItemSchema), required=True, validate=validate.Length(min=1, max=50))


class QuestionnaireCreateSchema(Schema):
    title = text(200)
    description = fields.String(load_default="", validate=validate.Length(max=2000))
    purpose = fields.String(load_default="reaction", validate=validate.OneOf(PURPOSES), metadata={
        "description": "reaction: level-1 feedback after a session; follow_up: level-3 questions weeks later"})
    sections = fields.List(fields.Nested(SectionSchema), required=True, validate=validate.Length(min=1, max=20))

    @validates_schema
    def keys_are_unique(self, questionnaire, **kwargs):
        sections = questionnaire.get("sections") or []
        section_keys = [section["key"] for section in sections]
        item_keys = [item["key"] for section in sections for item in section["items"]]
        if len(set(section_keys)) != len(section_keys):
            raise ValidationError("section keys must be different", "sections")
        if len(set(item_keys)) != len(item_keys):
            raise ValidationError("item keys must be different across the questionnaire", "sections")


class QuestionnaireSchema(Schema):
    id = fields.String(attribute="_id")
    title = fields.String()
    description = fields.String()
    purpose = fields.String()
    standard = fields.Boolean(metadata={"description": "ships with the platform"})
    sections = fields.List(fields.Nested(SectionSchema))
    created_by = fields.String(allow_none=True)
    created_at = fields.DateTime(allow_none=True)


class QuestionnaireQuerySchema(PageQuerySchema):
    purpose = fields.String(load_default=None, validate=validate.OneOf(PURPOSES))


QuestionnairePageSchema = page_schema(QuestionnaireSchema)


# ---- surveys ----

class SurveyOpenSchema(Schema):
    """A survey opened by staff, e.g. for a session held outside the platform."""
    questionnaire_id = fields.String(load_default="standard-reaction")
    title = text(200)
    session_id = text(200, required=False)
    course = text(200, required=False)
    plan_id = text(200, required=False)
    trainer_ids = ids(20)
    learner_ids = fields.List(fields.String(validate=validate.Length(min=1, max=200)), required=True,
                              validate=validate.Length(min=1, max=1000),
                              metadata={"description": "who may answer (their sign-in subjects)"})
    anonymous = fields.Boolean(load_default=False)
    closes_at = UtcDateTime(load_default=None, allow_none=True,
                            metadata={"description": "default: FEEDBACK_SURVEY_OPEN_DAYS from now"})


class QuestionnaireSnapshotSchema(Schema):
    id = fields.String()
    title = fields.String()
    sections = fields.List(fields.Nested(SectionSchema))


class DeliverySchema(Schema):
    status = fields.String()
    detail = fields.String(allow_none=True)
    at = fields.DateTime(allow_none=True)


class SurveySchema(Schema):
    id = fields.String(attribute="_id")
    kind = fields.String(metadata={"description": "reaction (level 1) or follow_up (level 3)"})
    title = fields.String()
    questionnaire = fields.Nested(QuestionnaireSnapshotSchema)
    session_id = fields.String(allow_none=True)
    course = fields.String(allow_none=True, metadata={"description": "the plan item the session teaches, "
                                                                     "or the session itself"})
    plan_id = fields.String(allow_none=True)
    trainer_ids = fields.List(fields.String())
    anonymous = fields.Boolean()
    status = fields.String(metadata={"description": "scheduled (a follow-up not yet due), open, closed"})
    opens_at = fields.DateTime()
    closes_at = fields.DateTime()
    invited = fields.Integer(metadata={"description": "how many learners may answer"})
    responses = fields.Integer(allow_none=True, metadata={"description": "staff only"})
    answered = fields.Boolean(allow_none=True, metadata={"description": "for a learner: whether they have"})
    messages = fields.Dict(keys=fields.String(), values=fields.Dict(), metadata={
        "description": "invitation and reminder per channel: sent, failed or skipped (staff only)"})
    created_by = fields.String()
    created_at = fields.DateTime()


class SurveyQuerySchema(PageQuerySchema):
    status = fields.String(load_default=None, validate=validate.OneOf(SURVEY_STATES))
    kind = fields.String(load_default=None, validate=validate.OneOf(SURVEY_KINDS))
    session_id = fields.String(load_default=None)
    course = fields.String(load_default=None)
    trainer_id = fields.String(load_default=None)


SurveyPageSchema = page_schema(SurveySchema)


class AnswersSchema(Schema):
    answers = fields.Dict(keys=fields.String(validate=validate.Length(max=40)), values=fields.Raw(allow_none=True),
                          required=True, metadata={"description": (
                              "item key → answer: an integer for likert (1-5) and rating (0-10), an option for "
                              "single_choice, a list of options for multiple_choice, text for text")})


class RecordingSchema(AnswersSchema):
    """Feedback staff collected themselves: said face to face, or a rating left online."""
    channel = fields.String(required=True, validate=validate.OneOf(RECORDING_CHANNELS))
    learner_id = text(200, required=False)
    source = text(200, required=False)


class ResponseSchema(Schema):
    id = fields.String(attribute="_id")
    survey_id = fields.String()
    session_id = fields.String(allow_none=True)
    respondent = fields.String(metadata={"description": "learner, supervisor, peer or staff"})
    channel = fields.String(metadata={"description": "online, face_to_face, online_rating or invitation"})
    learner_id = fields.String(allow_none=True, metadata={
        "description": "who answered, or whom a supervisor's or peer's answer is about; null when anonymous"})
    answers = fields.Dict()
    section_scores = fields.Dict(keys=fields.String(), values=fields.Float())
    nps = fields.Integer(allow_none=True, metadata={"description": "the 0-10 recommendation answer"})
    source = fields.String(allow_none=True)
    recorded_by = fields.String(allow_none=True)
    submitted_at = fields.DateTime(metadata={"description": "to the day when anonymous"})


class ResponseQuerySchema(PageQuerySchema):
    respondent = fields.String(load_default=None, validate=validate.OneOf(RESPONDENTS))


ResponsePageSchema = page_schema(ResponseSchema)


class InvitationCreateSchema(Schema):
    relation = fields.String(required=True, validate=validate.OneOf(RELATIONS))
    name = text(200)
    email = fields.Email(required=True)
    learner_id = text(200, required=False)


class InvitationSchema(Schema):
    id = fields.String(attribute="_id")
    survey_id = fields.String()
    learner_id = fields.String()
    relation = fields.String()
    name = fields.String()
    email = fields.String()
    status = fields.String(metadata={"description": "pending or answered"})
    delivery = fields.Nested(DeliverySchema, allow_none=True)
    created_at = fields.DateTime()
    answered_at = fields.DateTime(allow_none=True)


InvitationPageSchema = page_schema(InvitationSchema)


class InvitationFormSchema(Schema):
    """What an invited supervisor or peer sees behind their link."""
    survey_id = fields.String()
    title = fields.String()
    relation = fields.String()
    about = fields.String(allow_none=True, metadata={"description": "the learner's name"})
    questionnaire = fields.Nested(QuestionnaireSnapshotSchema)
    closes_at = fields.DateTime()


class AnswerReceiptSchema(Schema):
    """What an invited supervisor or peer gets back: their answers were recorded."""
    id = fields.String()
    survey_id = fields.String()


# ---- analysis ----

class QuestionStatsSchema(Schema):
    key = fields.String()
    section = fields.String()
    text = fields.String()
    type = fields.String()
    answered = fields.Integer()
    response_rate = fields.Float(allow_none=True, metadata={"description": "answered / invited, 0-1"})
    mean = fields.Float(allow_none=True)
    distribution = fields.Dict(keys=fields.String(), values=fields.Integer(),
                               metadata={"description": "answers per value or option"})
    nps = fields.Float(allow_none=True, metadata={"description": "0-10 items: % promoters (9-10) minus % "
                                                                  "detractors (0-6)"})


class SectionStatsSchema(Schema):
    key = fields.String()
    title = fields.String()
    mean = fields.Float(allow_none=True, metadata={"description": "1-5"})
    answered = fields.Integer()


class SurveyReportSchema(Schema):
    survey_id = fields.String()
    title = fields.String()
    kind = fields.String()
    session_id = fields.String(allow_none=True)
    course = fields.String(allow_none=True)
    trainer_ids = fields.List(fields.String())
    anonymous = fields.Boolean()
    status = fields.String()
    invited = fields.Integer()
    responses = fields.Integer()
    response_rate = fields.Float(allow_none=True)
    min_group_size = fields.Integer()
    withheld = fields.Boolean(metadata={"description": "true below the minimum group size: no results shown"})
    nps = fields.Float(allow_none=True)
    sections = fields.List(fields.Nested(SectionStatsSchema))
    questions = fields.List(fields.Nested(QuestionStatsSchema))
    by_respondent = fields.Dict(keys=fields.String(), values=fields.Dict(), metadata={
        "description": "follow-ups: responses and mean 1-5 score of self, supervisor and peer answers"})


class ScopeQuerySchema(Schema):
    course = fields.String(load_default=None, validate=validate.Length(min=1, max=200))
    trainer_id = fields.String(load_default=None, validate=validate.Length(min=1, max=200))

    @validates_schema
    def exactly_one(self, query, **kwargs):
        if (query.get("course") is None) == (query.get("trainer_id") is None):
            raise ValidationError("give either course or trainer_id", "course")


class TrendPointSchema(Schema):
    survey_id = fields.String()
    session_id = fields.String(allow_none=True)
    title = fields.String()
    held_at = fields.DateTime(allow_none=True)
    responses = fields.Integer()
    withheld = fields.Boolean()
    section_scores = fields.Dict(keys=fields.String(), values=fields.Float())
    nps = fields.Float(allow_none=True)


class TrendSchema(Schema):
    course = fields.String(allow_none=True)
    trainer_id = fields.String(allow_none=True)
    min_group_size = fields.Integer()
    sessions = fields.List(fields.Nested(TrendPointSchema))
    change = fields.Dict(keys=fields.String(), values=fields.Float(), metadata={
        "description": "per section: last shown session's mean minus the first's"})


class KeywordSchema(Schema):
    word = fields.String()
    language = fields.String(metadata={"description": "en or zh"})
    count = fields.Integer(metadata={"description": "how many answers use it"})


class ThemeSchema(Schema):
    theme = fields.String()
    count = fields.Integer(metadata={"description": "answers touching the theme"})
    positive = fields.Integer()
    negative = fields.Integer()


class SentimentSchema(Schema):
    positive = fields.Integer()
    negative = fields.Integer()
    neutral = fields.Integer()


class TextAnalysisSchema(Schema):
    survey_id = fields.String(allow_none=True)
    course = fields.String(allow_none=True)
    trainer_id = fields.String(allow_none=True)
    answers = fields.Integer(metadata={"description": "open answers analysed"})
    responses = fields.Integer()
    min_group_size = fields.Integer()
    withheld = fields.Boolean()
    languages = fields.Dict(keys=fields.String(), values=fields.Integer())
    keywords = fields.List(fields.Nested(KeywordSchema))
    themes = fields.List(fields.Nested(ThemeSchema))
    sentiment = fields.Nested(SentimentSchema)


# ---- evaluations (Kirkpatrick) ----

class IndicatorCreateSchema(Schema):
    course = text(200)
    name = text(200)
    unit = fields.String(load_default="", validate=validate.Length(max=50))
    better = fields.String(required=True, validate=validate.OneOf(BETTER),
                           metadata={"description": "whether a higher or a lower value is an improvement"})
    before = fields.Float(required=True, allow_nan=False)
    after = fields.Float(required=True, allow_nan=False)
    period_before = text(100, required=False)
    period_after = text(100, required=False)
    note = text(1000, required=False)


class IndicatorSchema(Schema):
    id = fields.String(attribute="_id")
    course = fields.String()
    name = fields.String()
    unit = fields.String()
    better = fields.String()
    before = fields.Float()
    after = fields.Float()
    period_before = fields.String(allow_none=True)
    period_after = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    change = fields.Float(metadata={"description": "after - before"})
    change_percent = fields.Float(allow_none=True)
    improved = fields.Boolean()
    recorded_by = fields.String()
    recorded_at = fields.DateTime()


class IndicatorQuerySchema(PageQuerySchema):
    course = fields.String(load_default=None)


IndicatorPageSchema = page_schema(IndicatorSchema)


class EvaluationCreateSchema(Schema):
    scope = fields.String(required=True, validate=validate.OneOf(SCOPES))
    session_id = text(200, required=False)
    course = text(200, required=False)
    plan_id = text(200, required=False)
    title = text(200, required=False)

    @validates_schema
    def names_its_subject(self, request, **kwargs):
        subject = {"session": "session_id", "course": "course", "plan": "plan_id"}[request["scope"]]
        if not request.get(subject):
            raise ValidationError(f"a {request['scope']} evaluation names its {subject}", subject)


class ReactionLevelSchema(Schema):
    surveys = fields.Integer()
    invited = fields.Integer()
    responses = fields.Integer()
    response_rate = fields.Float(allow_none=True)
    withheld = fields.Boolean()
    section_scores = fields.Dict(keys=fields.String(), values=fields.Float())
    nps = fields.Float(allow_none=True)


class LearningLevelSchema(Schema):
    results = fields.Integer()
    learners = fields.Integer()
    mean_score = fields.Float(allow_none=True)
    pass_rate = fields.Float(allow_none=True)
    pairs = fields.Integer(metadata={"description": "learners with both a pre-test and a later result"})
    mean_pre = fields.Float(allow_none=True)
    mean_post = fields.Float(allow_none=True)
    mean_gain = fields.Float(allow_none=True)
    weak_topics = fields.List(fields.String())


class BehaviourLevelSchema(Schema):
    responses = fields.Integer()
    withheld = fields.Boolean()
    by_respondent = fields.Dict(keys=fields.String(), values=fields.Dict())
    mean = fields.Float(allow_none=True)


class ResultsLevelSchema(Schema):
    indicators = fields.List(fields.Nested(IndicatorSchema))
    improved = fields.Integer()


class LevelScoreSchema(Schema):
    level = fields.Integer()
    name = fields.String()
    score = fields.Float(allow_none=True, metadata={"description": "0-100; null without data"})
    summary = fields.String()


class EvaluationSchema(Schema):
    id = fields.String(attribute="_id")
    scope = fields.String()
    session_id = fields.String(allow_none=True)
    course = fields.String(allow_none=True)
    plan_id = fields.String(allow_none=True)
    title = fields.String()
    status = fields.String()
    sessions = fields.List(fields.String())
    reaction = fields.Nested(ReactionLevelSchema)
    learning = fields.Nested(LearningLevelSchema)
    behaviour = fields.Nested(BehaviourLevelSchema)
    results = fields.Nested(ResultsLevelSchema)
    levels = fields.List(fields.Nested(LevelScoreSchema))
    weak_topics = fields.List(fields.String())
    conclusion = fields.String(allow_none=True)
    created_by = fields.String()
    created_at = fields.DateTime()
    computed_at = fields.DateTime()
    completed_by = fields.String(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)


class EvaluationQuerySchema(PageQuerySchema):
    scope = fields.String(load_default=None, validate=validate.OneOf(SCOPES))
    status = fields.String(load_default=None, validate=validate.OneOf(EVALUATION_STATES))
    course = fields.String(load_default=None)
    plan_id = fields.String(load_default=None)


EvaluationPageSchema = page_schema(EvaluationSchema)


class EvaluationCompletionSchema(Schema):
    conclusion = text(4000, required=False)
    weak_topics = fields.List(fields.String(validate=validate.Length(min=1, max=200)), load_default=None,
                              allow_none=True, validate=validate.Length(max=50),
                              metadata={"description": "default: the weak topics the report found"})


# ---- improvement actions ----

class ImprovementActionCreateSchema(Schema):
    topic = text(200)
    description = text(2000)
    cause = text(2000, required=False)
    owner = text(200)
    due_at = fields.Date(required=True)
    urgency = fields.String(load_default="medium", validate=validate.OneOf(URGENCIES))
    evaluation_id = text(200, required=False)
    session_id = text(200, required=False)
    product = text(200, required=False)


class ActionNoteSchema(Schema):
    note = text(2000, required=False)


class HistoryEntrySchema(Schema):
    action = fields.String()
    by = fields.String()
    at = fields.DateTime()
    note = fields.String(allow_none=True)


class ImprovementActionSchema(Schema):
    id = fields.String(attribute="_id")
    topic = fields.String()
    description = fields.String()
    cause = fields.String(allow_none=True)
    owner = fields.String()
    due_at = fields.Date()
    urgency = fields.String()
    evaluation_id = fields.String(allow_none=True)
    session_id = fields.String(allow_none=True)
    course = fields.String(allow_none=True)
    product = fields.String(allow_none=True)
    status = fields.String()
    overdue = fields.Boolean()
    raised_by = fields.String()
    raised_at = fields.DateTime()
    history = fields.List(fields.Nested(HistoryEntrySchema))


class ImprovementActionQuerySchema(PageQuerySchema):
    status = fields.String(load_default=None, validate=validate.OneOf(ACTION_STATES))
    owner = fields.String(load_default=None)
    evaluation_id = fields.String(load_default=None)


ImprovementActionPageSchema = page_schema(ImprovementActionSchema)
