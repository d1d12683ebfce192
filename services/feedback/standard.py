"""The questionnaires that ship with the service (installed at start, kept as the code has them).

`standard-reaction` is the level-1 questionnaire a session's survey uses unless
FEEDBACK_QUESTIONNAIRE names another: the four standard sections (content, format, trainer,
effect), a recommendation question (0-10, for the net promoter score) and open questions.
`standard-follow-up` is the level-3 questionnaire some weeks after a session, answered by the
learner, their supervisor and their peers about what the learner now does differently.
"""
REACTION, FOLLOW_UP = "reaction", "follow_up"
STANDARD_SECTIONS = ("content", "format", "trainer", "effect")


def likert(key, text):
    return {"key": key, "text": text, "type": "likert", "options": [], "required": True}


def choice(key, text, options, multiple=False):
    return {"key": key, "text": text, "type": "multiple_choice" if multiple else "single_choice",
            "options": list(options), "required": False}


def open_question(key, text):
    return {"key": key, "text": text, "type": "text", "options": [], "required": False}


STANDARD_REACTION = {
    "_id": "standard-reaction",
    "title": "Session feedback",
    "description": "How the session went for you: content, format, trainer and what it will change in your work.",
    "purpose": REACTION,
    "standard": True,
    "sections": [
        {"key": "content", "title": "Content", "items": [
            likert("content_clear", "The content was clear and well structured."),
            likert("content_relevant", "The content was relevant to how I use the product."),
        ]},
        {"key": "format", "title": "Format and organisation", "items": [
            likert("format_suitable", "The format (online, classroom, demo...) suited the content."),
            likert("format_organised", "The session was well organised (time, place, materials)."),
            choice("format_pace", "The pace was...", ("too slow", "about right", "too fast")),
        ]},
        {"key": "trainer", "title": "Trainer", "items": [
            likert("trainer_explains", "The trainer explained things clearly."),
            likert("trainer_answers", "The trainer answered questions well."),
        ]},
        {"key": "effect", "title": "Effect", "items": [
            likert("effect_apply", "I will be able to apply what I learnt."),
            choice("effect_useful_parts", "Which parts were most useful?",
                   ("presentation", "live demo", "exercises", "discussion", "materials"), multiple=True),
        ]},
        {"key": "recommendation", "title": "Recommendation", "items": [
            {"key": "recommend", "text": "How likely are you to recommend this training to a colleague? (0-10)",
             "type": "rating", "options": [], "required": True},
        ]},
        {"key": "open", "title": "Your words", "items": [
            open_question("liked", "What did you like most?"),
            open_question("improve", "What should we improve or add next time?"),
        ]},
    ],
}

STANDARD_FOLLOW_UP = {
    "_id": "standard-follow-up",
    "title": "Training follow-up: what changed at work",
    "description": "Some weeks after the training: does the learner apply it? Answered by the learner, "
                   "their supervisor and peers.",
    "purpose": FOLLOW_UP,
    "standard": True,
    "sections": [
        {"key": "behaviour", "title": "Applying the training", "items": [
            likert("applies_skills", "The learner applies what the training taught in their daily work."),
            likert("works_independently", "The learner now does these tasks without asking for help."),
            likert("shares_knowledge", "The learner shares what they learnt with colleagues."),
        ]},
        {"key": "open", "title": "Examples", "items": [
            open_question("examples", "An example of something done differently since the training?"),
            open_question("obstacles", "What keeps the learner from applying it more?"),
        ]},
    ],
}

STANDARD_QUESTIONNAIRES = (STANDARD_REACTION, STANDARD_FOLLOW_UP)
