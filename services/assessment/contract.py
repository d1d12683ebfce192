"""Assessment's contract: its RPC request and response schemas and the vocabulary they use.

The gateway imports assessment only through this module; it imports nothing but marshmallow and
the kit. Schema names start with Exam, BankQuestion, Attempt, Result, Remediation, Certificate or
Award: the gateway's OpenAPI document needs names unique across services.
"""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from shared.catalogue.vocabulary import ASSESSMENT_METHODS
from shared.schemas import PageQuerySchema, UtcDateTime, page_schema

# ---- vocabulary ----------------------------------------------------------------------------------

SINGLE, MULTIPLE, TRUE_FALSE, NUMERIC, SHORT = (
    "single_choice", "multiple_choice", "true_false", "numeric", "short_answer")
QUESTION_TYPES = (SINGLE, MULTIPLE, TRUE_FALSE, NUMERIC, SHORT)
CHOICE_TYPES = (SINGLE, MULTIPLE)
# Each type's answer key, and the one field of an answer that carries a learner's response.
KEY_FIELDS = {SINGLE: "correct_option", MULTIPLE: "correct_options", TRUE_FALSE: "correct_value",
              NUMERIC: "correct_number", SHORT: None}
RESPONSE_FIELDS = {SINGLE: "option", MULTIPLE: "options", TRUE_FALSE: "value", NUMERIC: "number", SHORT: "text"}
DIFFICULTIES = ("easy", "medium", "hard")
ACTIVE, RETIRED = "active", "retired"
QUESTION_STATUSES = (ACTIVE, RETIRED)

ONLINE, HOMEWORK, PROJECT, PRACTICAL, PAPER = ASSESSMENT_METHODS
QUESTION_METHODS = (ONLINE, HOMEWORK, PAPER)  # made of bank questions
RUBRIC_METHODS = (PROJECT, PRACTICAL)  # judged against a rubric
TAKEN_ONLINE = (ONLINE, HOMEWORK)  # learners answer in the platform
HANDED_IN = (PROJECT,)  # learners hand in their work in the platform
ENTERED = (PAPER, PRACTICAL)  # trainers enter the results (CSV)
WITH_ATTEMPTS = TAKEN_ONLINE + HANDED_IN

DRAFT, PUBLISHED, CLOSED = "draft", "published", "closed"
EXAM_STATUSES = (DRAFT, PUBLISHED, CLOSED)
IN_PROGRESS, SUBMITTED, GRADED, RELEASED = "in_progress", "submitted", "graded", "released"
ATTEMPT_STATUSES = (IN_PROGRESS, SUBMITTED, GRADED, RELEASED)
RESULT_STATUSES = (GRADED, RELEASED)
OPEN, DONE = "open", "closed"
REMEDIATION_STATUSES = (OPEN, DONE)

NAME = validate.Length(min=1, max=200)
LEARNER_ID = fields.String(validate=validate.Length(min=1, max=200))


def forbid(data, names, reason):
    """Field messages for each of `names` that `data` sets although `reason` says it must not."""
    return {name: [reason] for name in names if data.get(name) not in (None, [])}


# ---- question bank -------------------------------------------------------------------------------

class BankQuestionContentSchema(Schema):
    type = fields.String(required=True, validate=validate.OneOf(QUESTION_TYPES))
    text = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    topic = fields.String(required=True, validate=NAME)
    difficulty = fields.String(load_default="medium", validate=validate.OneOf(DIFFICULTIES))
    tags = fields.List(fields.String(validate=validate.Length(min=1, max=50)), load_default=list,
                       validate=validate.Length(max=20))
    points = fields.Integer(load_default=1, validate=validate.Range(1, 100),
                            metadata={"description": "The question's weight in an exam's score."})
    options = fields.List(fields.String(validate=validate.Length(min=1, max=500)), load_default=list,
                          validate=validate.Length(max=10), metadata={"description": "Choice questions only."})
    correct_option = fields.Integer(load_default=None, allow_none=True,
                                    metadata={"description": "single_choice: index of the right option."})
    correct_options = fields.List(fields.Integer(), load_default=None, allow_none=True,
                                  metadata={"description": "multiple_choice: indexes of every right option; "
                                                           "an answer scores only if it picks exactly these."})
    correct_value = fields.Boolean(load_default=None, allow_none=True, metadata={"description": "true_false."})
    correct_number = fields.Float(load_default=None, allow_none=True, metadata={"description": "numeric."})
    tolerance = fields.Float(load_default=0.0, validate=validate.Range(min=0),
                             metadata={"description": "numeric: an answer within ± tolerance is right."})
    model_answer = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000),
                                 metadata={"description": "short_answer: guidance for the trainer who grades it."})
    explanation = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000),
                                metadata={"description": "Shown to learners once their result is released."})

    @validates_schema
    def key_fits_the_type(self, question, **kwargs):
        kind, options = question["type"], question["options"]
        key_field = KEY_FIELDS[kind]
        errors = forbid(question, [field for field in KEY_FIELDS.values() if field and field != key_field],
                        f"not used by a {kind} question")
        if key_field and question[key_field] is None:
            errors[key_field] = [f"required for a {kind} question"]
        if kind in CHOICE_TYPES and len(options) < 2:
            errors["options"] = ["a choice question needs at least 2 options"]
        errors.update(forbid(question, ["options"] if kind not in CHOICE_TYPES else [],
                             f"not used by a {kind} question"))
        if kind != NUMERIC and question["tolerance"]:
            errors["tolerance"] = [f"not used by a {kind} question"]
        errors.update(forbid(question, ["model_answer"] if kind != SHORT else [], "only for short_answer questions"))
        if kind == SINGLE and question["correct_option"] is not None \
                and not 0 <= question["correct_option"] < len(options):
            errors["correct_option"] = [f"must be the index of one of the {len(options)} options"]
        if kind == MULTIPLE and question["correct_options"] is not None:
            chosen = question["correct_options"]
            if not chosen or len(set(chosen)) != len(chosen) or not all(0 <= index < len(options) for index in chosen):
                errors["correct_options"] = [f"distinct indexes of the {len(options)} options, at least one"]
        if errors:
            raise ValidationError(errors)


class BankQuestionRevisionSchema(BankQuestionContentSchema):
    version = fields.Integer(required=True, validate=validate.Range(min=1),
                             metadata={"description": "The version you revised; 409 if someone revised it since."})
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class BankQuestionSchema(Schema):
    """A bank question as staff see it, answer key included, at one version."""
    id = fields.String(attribute="question_id")
    version = fields.Integer()
    status = fields.String()
    type = fields.String()
    text = fields.String()
    topic = fields.String()
    difficulty = fields.String()
    tags = fields.List(fields.String())
    points = fields.Integer()
    options = fields.List(fields.String())
    correct_option = fields.Integer(allow_none=True)
    correct_options = fields.List(fields.Integer(), allow_none=True)
    correct_value = fields.Boolean(allow_none=True)
    correct_number = fields.Float(allow_none=True)
    tolerance = fields.Float()
    model_answer = fields.String(allow_none=True)
    explanation = fields.String(allow_none=True)
    versions = fields.Integer(metadata={"description": "How many versions the question has."})
    revised_by = fields.String()
    revised_at = fields.DateTime()
    note = fields.String(allow_none=True)


BankQuestionPageSchema = page_schema(BankQuestionSchema)


class BankQuestionQuerySchema(PageQuerySchema):
    topic = fields.String(load_default=None)
    difficulty = fields.String(load_default=None, validate=validate.OneOf(DIFFICULTIES))
    type = fields.String(load_default=None, validate=validate.OneOf(QUESTION_TYPES))
    tag = fields.String(load_default=None)
    status = fields.String(load_default=ACTIVE, validate=validate.OneOf(QUESTION_STATUSES))


class BankQuestionVersionQuerySchema(Schema):
    version = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1),
                             metadata={"description": "An earlier version; the current one if left out."})


# ---- assessments (exams) -------------------------------------------------------------------------

class ExamQuestionRefSchema(Schema):
    question_id = fields.String(required=True, validate=NAME)
    version = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1),
                             metadata={"description": "Pin an earlier version; the current one if left out."})


class ExamDrawRuleSchema(Schema):
    topic = fields.String(required=True, validate=NAME)
    difficulty = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(DIFFICULTIES),
                               metadata={"description": "Any difficulty if left out."})
    count = fields.Integer(required=True, validate=validate.Range(1, 100))


class ExamRubricLevelSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    points = fields.Float(required=True, validate=validate.Range(min=0))
    description = fields.String(load_default="", validate=validate.Length(max=1000))


class ExamRubricCriterionSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    topic = fields.String(load_default=None, allow_none=True, validate=NAME,
                          metadata={"description": "For topic scores and weak topics; the criterion's name if "
                                                   "left out."})
    weight = fields.Float(load_default=1.0, validate=validate.Range(min=0, min_inclusive=False))
    levels = fields.List(fields.Nested(ExamRubricLevelSchema), required=True, validate=validate.Length(min=2, max=10))

    @validates_schema
    def levels_are_distinct_and_score(self, criterion, **kwargs):
        names = [level["name"].lower() for level in criterion["levels"]]
        if len(set(names)) != len(names):
            raise ValidationError("level names must differ", "levels")
        if max(level["points"] for level in criterion["levels"]) <= 0:
            raise ValidationError("at least one level must score points", "levels")


class ExamRubricSchema(Schema):
    criteria = fields.List(fields.Nested(ExamRubricCriterionSchema), required=True,
                           validate=validate.Length(min=1, max=30))

    @validates_schema
    def criteria_are_distinct(self, rubric, **kwargs):
        names = [criterion["name"].lower() for criterion in rubric["criteria"]]
        if len(set(names)) != len(names):
            raise ValidationError("criterion names must differ", "criteria")


class ExamCertificateRuleSchema(Schema):
    topic = fields.String(required=True, validate=NAME, metadata={"description": "What the certificate certifies."})
    product = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    valid_months = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 120),
                                  metadata={"description": "Months until it expires; never if left out."})


class ExamRecognitionRuleSchema(Schema):
    top_count = fields.Integer(required=True, validate=validate.Range(1, 100),
                               metadata={"description": "Best N results (those tied with the N-th too)."})
    min_score = fields.Float(required=True, validate=validate.Range(0, 100))


class ExamCreateSchema(Schema):
    title = fields.String(required=True, validate=NAME)
    description = fields.String(load_default="", validate=validate.Length(max=4000))
    method = fields.String(required=True, validate=validate.OneOf(ASSESSMENT_METHODS))
    session_id = fields.String(load_default=None, allow_none=True, validate=NAME,
                               metadata={"description": "Its attendees (present or late) may take it once the "
                                                        "session is completed."})
    pre_test = fields.Boolean(load_default=False, metadata={"description": "Taken before the training."})
    pass_score = fields.Integer(required=True, validate=validate.Range(0, 100),
                                metadata={"description": "Percent of the weighted points needed to pass; a topic "
                                                         "scored below it is a weak topic."})
    questions = fields.List(fields.Nested(ExamQuestionRefSchema), load_default=list,
                            validate=validate.Length(max=200),
                            metadata={"description": "A fixed set of bank questions (online, homework, paper)."})
    draw = fields.List(fields.Nested(ExamDrawRuleSchema), load_default=list, validate=validate.Length(max=20),
                       metadata={"description": "Or: each attempt draws this many questions at random from the "
                                                "bank by topic and difficulty (online, homework)."})
    rubric = fields.Nested(ExamRubricSchema, load_default=None, allow_none=True,
                           metadata={"description": "Criteria × levels with points (project, practical)."})
    time_limit_minutes = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 1440),
                                        metadata={"description": "Online exams: the server's clock counts from the "
                                                                 "start of each attempt."})
    attempts_allowed = fields.Integer(load_default=1, validate=validate.Range(1, 10))
    opens_at = UtcDateTime(load_default=None, allow_none=True)
    closes_at = UtcDateTime(load_default=None, allow_none=True,
                            metadata={"description": "No attempt runs past it (homework: the due time)."})
    certificate = fields.Nested(ExamCertificateRuleSchema, load_default=None, allow_none=True,
                                metadata={"description": "Passing issues this certificate."})
    recognition = fields.Nested(ExamRecognitionRuleSchema, load_default=None, allow_none=True,
                                metadata={"description": "Who gets an award; RECOGNITION_TOP_COUNT and "
                                                         "RECOGNITION_MIN_SCORE if left out."})
    learner_ids = fields.List(LEARNER_ID, load_default=list, validate=validate.Length(max=1000),
                              metadata={"description": "Learners it is open to besides the session's attendees."})

    @validates_schema
    def fits_the_method(self, exam, **kwargs):
        method = exam["method"]
        errors = {}
        if method in QUESTION_METHODS:
            if bool(exam["questions"]) == bool(exam["draw"]):
                errors["questions"] = ["give either questions or draw rules"]
            errors.update(forbid(exam, ["rubric"], f"not used by a {method} assessment"))
        else:
            if not exam["rubric"]:
                errors["rubric"] = [f"required for a {method} assessment"]
            errors.update(forbid(exam, ["questions", "draw"], f"a {method} assessment is judged by its rubric"))
        if method != ONLINE:
            errors.update(forbid(exam, ["time_limit_minutes"], "only online exams have a time limit"))
        if method == PAPER:
            errors.update(forbid(exam, ["draw"], "a paper exam has a fixed set of questions"))
        if method not in WITH_ATTEMPTS and exam["attempts_allowed"] != 1:
            errors["attempts_allowed"] = ["trainers enter one result per learner for this method"]
        if exam["opens_at"] and exam["closes_at"] and exam["opens_at"] >= exam["closes_at"]:
            errors["closes_at"] = ["must be after opens_at"]
        ids = [ref["question_id"] for ref in exam["questions"]]
        if len(set(ids)) != len(ids):
            errors["questions"] = ["a question appears twice"]
        rules = [(rule["topic"].lower(), rule["difficulty"]) for rule in exam["draw"]]
        overlapping = any(topic == other and (level is None or other_level is None or level == other_level)
                          for index, (topic, level) in enumerate(rules) for other, other_level in rules[index + 1:])
        if overlapping:
            errors["draw"] = ["two rules could draw the same question: give distinct topics or difficulties"]
        if errors:
            raise ValidationError(errors)


class ExamLearnersSchema(Schema):
    learner_ids = fields.List(LEARNER_ID, required=True, validate=validate.Length(min=1, max=1000))


class ExamItemSchema(Schema):
    """A question as it appears in an assessment, pinned at one version (no answer key)."""
    question_id = fields.String()
    version = fields.Integer()
    type = fields.String()
    text = fields.String()
    topic = fields.String()
    difficulty = fields.String()
    points = fields.Integer()
    options = fields.List(fields.String())


class ExamKeyedItemSchema(ExamItemSchema):
    """The same question with its answer key, for staff and for a learner's released result."""
    correct_option = fields.Integer(allow_none=True)
    correct_options = fields.List(fields.Integer(), allow_none=True)
    correct_value = fields.Boolean(allow_none=True)
    correct_number = fields.Float(allow_none=True)
    tolerance = fields.Float()
    model_answer = fields.String(allow_none=True)
    explanation = fields.String(allow_none=True)


class ExamLearnerViewSchema(Schema):
    """An assessment as the learners it is open to see it: its rules, not its questions."""
    id = fields.String(attribute="_id")
    title = fields.String()
    description = fields.String()
    method = fields.String()
    session_id = fields.String(allow_none=True)
    pre_test = fields.Boolean()
    status = fields.String()
    pass_score = fields.Integer()
    question_count = fields.Integer(metadata={"description": "Questions in each attempt."})
    topics = fields.List(fields.String())
    rubric = fields.Nested(ExamRubricSchema, allow_none=True)
    time_limit_minutes = fields.Integer(allow_none=True)
    attempts_allowed = fields.Integer()
    opens_at = fields.DateTime(allow_none=True)
    closes_at = fields.DateTime(allow_none=True)
    certificate = fields.Nested(ExamCertificateRuleSchema, allow_none=True)
    published_at = fields.DateTime(allow_none=True)


class ExamHistoryEntrySchema(Schema):
    action = fields.String()
    by = fields.String()
    at = fields.DateTime()


class ExamSchema(ExamLearnerViewSchema):
    """An assessment as staff see it: questions with their keys, draw rules, who it is open to."""
    questions = fields.List(fields.Nested(ExamKeyedItemSchema),
                            metadata={"description": "Fixed questions, or the pool draw rules draw from."})
    draw = fields.List(fields.Nested(ExamDrawRuleSchema))
    recognition = fields.Nested(ExamRecognitionRuleSchema, allow_none=True)
    learner_ids = fields.List(fields.String())
    trainer_ids = fields.List(fields.String(), metadata={"description": "Trainers who manage it."})
    created_by = fields.String()
    created_at = fields.DateTime()
    published_by = fields.String(allow_none=True)
    history = fields.List(fields.Nested(ExamHistoryEntrySchema))


class ExamSummarySchema(Schema):
    id = fields.String(attribute="_id")
    title = fields.String()
    method = fields.String()
    session_id = fields.String(allow_none=True)
    status = fields.String()
    pass_score = fields.Integer()
    question_count = fields.Integer()
    topics = fields.List(fields.String())
    closes_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    published_at = fields.DateTime(allow_none=True)


ExamSummaryPageSchema = page_schema(ExamSummarySchema)


class ExamQuerySchema(PageQuerySchema):
    session_id = fields.String(load_default=None)
    method = fields.String(load_default=None, validate=validate.OneOf(ASSESSMENT_METHODS))
    status = fields.String(load_default=None, validate=validate.OneOf(EXAM_STATUSES))


# ---- attempts and results ------------------------------------------------------------------------

class AttemptAnswerSchema(Schema):
    """One answer; set the one field the question's type uses."""
    question_id = fields.String(required=True, validate=NAME)
    option = fields.Integer(load_default=None, allow_none=True, metadata={"description": "single_choice"})
    options = fields.List(fields.Integer(), load_default=None, allow_none=True, validate=validate.Length(max=10),
                          metadata={"description": "multiple_choice"})
    value = fields.Boolean(load_default=None, allow_none=True, metadata={"description": "true_false"})
    number = fields.Float(load_default=None, allow_none=True, metadata={"description": "numeric"})
    text = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=10000),
                         metadata={"description": "short_answer"})


class AttemptAnswersSchema(Schema):
    answers = fields.List(fields.Nested(AttemptAnswerSchema), load_default=list, validate=validate.Length(max=200))


class AttemptWorkSchema(Schema):
    """Project work handed in."""
    text = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    links = fields.List(fields.Url(), load_default=list, validate=validate.Length(max=20))


class AttemptItemSchema(ExamItemSchema):
    answer = fields.Nested(AttemptAnswerSchema, allow_none=True)


class AttemptSchema(Schema):
    """An attempt as its learner sees it before the result is released: no keys, no marks."""
    id = fields.String(attribute="_id")
    exam_id = fields.String()
    learner_id = fields.String()
    session_id = fields.String(allow_none=True)
    method = fields.String()
    number = fields.Integer(metadata={"description": "1 for the first attempt."})
    status = fields.String(metadata={"description": "in_progress, submitted (awaiting a trainer), graded, "
                                                    "released"})
    started_at = fields.DateTime(allow_none=True)
    deadline = fields.DateTime(allow_none=True, metadata={"description": "Answers saved after it do not count."})
    submitted_at = fields.DateTime(allow_none=True)
    late = fields.Boolean(metadata={"description": "Submitted after the deadline (by the learner or the "
                                                   "server): graded as of the deadline."})
    items = fields.List(fields.Nested(AttemptItemSchema))
    work = fields.Nested(AttemptWorkSchema, allow_none=True)


AttemptPageSchema = page_schema(AttemptSchema)


class ResultItemSchema(ExamKeyedItemSchema):
    answer = fields.Nested(AttemptAnswerSchema, allow_none=True)
    awarded = fields.Float(allow_none=True, metadata={"description": "Points given; null while a trainer has "
                                                                     "yet to grade it."})
    comment = fields.String(allow_none=True)


class ResultTopicSchema(Schema):
    topic = fields.String()
    score = fields.Float(metadata={"description": "Percent of the topic's weighted points."})


class ResultCriterionSchema(Schema):
    criterion = fields.String()
    topic = fields.String()
    level = fields.String()
    points = fields.Float()
    max_points = fields.Float()
    weight = fields.Float()


class ResultSchema(AttemptSchema):
    """A graded attempt, with marks and the answer key (staff; a learner once it is released)."""
    items = fields.List(fields.Nested(ResultItemSchema))
    score = fields.Float(allow_none=True, metadata={"description": "Percent of the weighted points."})
    pass_score = fields.Integer()
    passed = fields.Boolean(allow_none=True)
    topic_scores = fields.List(fields.Nested(ResultTopicSchema))
    weak_topics = fields.List(fields.String())
    rubric_scores = fields.List(fields.Nested(ResultCriterionSchema))
    comment = fields.String(allow_none=True)
    graded_by = fields.String(allow_none=True)
    graded_at = fields.DateTime(allow_none=True)
    released_at = fields.DateTime(allow_none=True)


ResultPageSchema = page_schema(ResultSchema)


class ResultQuerySchema(PageQuerySchema):
    status = fields.String(load_default=None, validate=validate.OneOf(ATTEMPT_STATUSES))
    learner_id = fields.String(load_default=None)


class ResultItemGradeSchema(Schema):
    question_id = fields.String(required=True, validate=NAME)
    points = fields.Float(required=True, validate=validate.Range(min=0))
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class ResultCriterionGradeSchema(Schema):
    criterion = fields.String(required=True, validate=validate.Length(min=1, max=100))
    level = fields.String(required=True, validate=validate.Length(min=1, max=100))


class ResultGradeSchema(Schema):
    """A trainer's marks: every short answer of a question-based attempt, or every rubric criterion."""
    items = fields.List(fields.Nested(ResultItemGradeSchema), load_default=list, validate=validate.Length(max=200))
    criteria = fields.List(fields.Nested(ResultCriterionGradeSchema), load_default=list,
                           validate=validate.Length(max=30))
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000))


class ResultGradingTaskSchema(Schema):
    """An attempt waiting in the grading queue."""
    id = fields.String(attribute="_id")
    exam_id = fields.String()
    exam_title = fields.String()
    method = fields.String()
    session_id = fields.String(allow_none=True)
    learner_id = fields.String()
    number = fields.Integer()
    submitted_at = fields.DateTime(allow_none=True)
    late = fields.Boolean()
    pending = fields.List(fields.String(), metadata={"description": "Question ids to grade, or `rubric`."})


ResultGradingTaskPageSchema = page_schema(ResultGradingTaskSchema)


class ResultGradingQueueQuerySchema(PageQuerySchema):
    exam_id = fields.String(load_default=None)
    session_id = fields.String(load_default=None)


class ResultReleaseSchema(Schema):
    learner_ids = fields.List(LEARNER_ID, load_default=None, allow_none=True, validate=validate.Length(min=1),
                              metadata={"description": "Only these learners' results; every graded result if "
                                                       "left out."})


class ResultReleaseOutcomeSchema(Schema):
    released = fields.Integer()
    result_ids = fields.List(fields.String())
    still_to_grade = fields.Integer(metadata={"description": "Submitted attempts a trainer has yet to grade."})


class SkippedRowSchema(Schema):
    learner_id = fields.String()
    reason = fields.String()


class ResultImportSchema(Schema):
    exam_id = fields.String()
    rows = fields.Integer(metadata={"description": "Rows entered."})
    result_ids = fields.List(fields.String())
    skipped = fields.List(fields.Nested(SkippedRowSchema), metadata={
        "description": "Rows not entered because the learner's result was released while the file was read."})


# ---- reports -------------------------------------------------------------------------------------

class ExamReportQuerySchema(Schema):
    top = fields.Integer(load_default=3, validate=validate.Range(1, 50),
                         metadata={"description": "How many best and worst results to list."})


class ExamScoreBandSchema(Schema):
    lower = fields.Integer(metadata={"description": "Scores from this percent ..."})
    upper = fields.Integer(metadata={"description": "... to below this one (the last band includes 100)."})
    count = fields.Integer()


class ExamRankedScoreSchema(Schema):
    learner_id = fields.String()
    score = fields.Float()
    passed = fields.Boolean()


class ExamTopicMeanSchema(Schema):
    topic = fields.String()
    mean = fields.Float()


class ExamScoreStatisticsSchema(Schema):
    count = fields.Integer(metadata={"description": "Learners with a graded result (their best attempt)."})
    mean = fields.Float(allow_none=True)
    median = fields.Float(allow_none=True)
    lowest = fields.Float(allow_none=True)
    highest = fields.Float(allow_none=True)
    pass_rate = fields.Float(allow_none=True, metadata={"description": "Percent of learners who passed."})
    distribution = fields.List(fields.Nested(ExamScoreBandSchema))
    top = fields.List(fields.Nested(ExamRankedScoreSchema))
    bottom = fields.List(fields.Nested(ExamRankedScoreSchema))
    topics = fields.List(fields.Nested(ExamTopicMeanSchema))


class ExamReportSchema(ExamScoreStatisticsSchema):
    exam_id = fields.String()
    title = fields.String()
    method = fields.String()
    session_id = fields.String(allow_none=True)
    pass_score = fields.Integer()


class ExamSessionReportSchema(Schema):
    session_id = fields.String()
    exams = fields.List(fields.Nested(ExamReportSchema))
    overall = fields.Nested(ExamScoreStatisticsSchema,
                            metadata={"description": "Every learner's result on every exam of the session."})


class ExamOptionCountSchema(Schema):
    option = fields.String(metadata={"description": "The option's index, or true/false."})
    text = fields.String()
    correct = fields.Boolean()
    count = fields.Integer(metadata={"description": "Learners who chose it."})


class ExamItemStatisticsSchema(Schema):
    question_id = fields.String()
    version = fields.Integer()
    type = fields.String()
    topic = fields.String()
    text = fields.String()
    responses = fields.Integer(metadata={"description": "Learners whose attempt had this question."})
    facility = fields.Float(allow_none=True, metadata={"description": "Mean share of the points learners got (0-1)."})
    discrimination = fields.Float(allow_none=True,
                                  metadata={"description": "Facility in the upper 27 % minus facility in the "
                                                           "lower 27 % (ranked by total score)."})
    options = fields.List(fields.Nested(ExamOptionCountSchema), metadata={"description": "Distractor counts."})
    omitted = fields.Integer()
    flags = fields.List(fields.String(), metadata={"description": "not_discriminating: discrimination below "
                                                                  "0.2 (a question to review)."})


class ExamItemAnalysisSchema(Schema):
    exam_id = fields.String()
    learners = fields.Integer()
    group_size = fields.Integer(metadata={"description": "Learners in each of the upper and lower groups."})
    items = fields.List(fields.Nested(ExamItemStatisticsSchema))


# ---- follow-up: remediation, recognition, certificates -------------------------------------------

class RemediationSchema(Schema):
    id = fields.String(attribute="_id")
    learner_id = fields.String()
    exam_id = fields.String()
    exam_title = fields.String()
    session_id = fields.String(allow_none=True)
    result_id = fields.String()
    topics = fields.List(fields.String())
    reason = fields.String(metadata={"description": "failed, or weak_topics (passed, but weak on some)."})
    status = fields.String()
    assigned_at = fields.DateTime()
    due_at = fields.DateTime(allow_none=True)
    closed_by = fields.String(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    note = fields.String(allow_none=True)


RemediationPageSchema = page_schema(RemediationSchema)


class RemediationQuerySchema(PageQuerySchema):
    status = fields.String(load_default=None, validate=validate.OneOf(REMEDIATION_STATUSES))
    exam_id = fields.String(load_default=None)
    session_id = fields.String(load_default=None)
    learner_id = fields.String(load_default=None)


class RemediationCloseSchema(Schema):
    note = fields.String(required=True, validate=validate.Length(min=1, max=4000),
                         metadata={"description": "What the tutoring covered."})


class AwardSchema(Schema):
    id = fields.String(attribute="_id")
    exam_id = fields.String()
    learner_id = fields.String()
    rank = fields.Integer()
    score = fields.Float()
    rule = fields.Nested(ExamRecognitionRuleSchema)
    awarded_by = fields.String()
    awarded_at = fields.DateTime()


AwardPageSchema = page_schema(AwardSchema)


class CertificateSchema(Schema):
    id = fields.String(attribute="_id")
    number = fields.String()
    learner_id = fields.String()
    exam_id = fields.String()
    result_id = fields.String()
    title = fields.String()
    topic = fields.String()
    product = fields.String(allow_none=True)
    score = fields.Float()
    issued_at = fields.DateTime()
    expires_at = fields.String(allow_none=True, metadata={"description": "ISO date; null: never expires."})
    expiry_announced_at = fields.DateTime(allow_none=True)


CertificatePageSchema = page_schema(CertificateSchema)


class CertificateQuerySchema(PageQuerySchema):
    learner_id = fields.String(load_default=None)
    exam_id = fields.String(load_default=None)
    expiring_within_days = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(0, 3650))
