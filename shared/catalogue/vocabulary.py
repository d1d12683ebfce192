"""Vocabulary that events carry and more than one service speaks."""

# The department's delivery formats (DESIGN.md §1): plan items, sessions and their events.
FORMATS = ("online", "classroom", "on_site_demo", "group_discussion", "case_study", "simulation")

# How a learner attended a session.
ATTENDANCE = ("present", "late", "absent", "excused")

# How a result was obtained (ExamGraded.v1 `method`): an online exam graded by the platform,
# homework, project work, practical operation, or a paper exam entered by a trainer.
ASSESSMENT_METHODS = ("online", "homework", "project", "practical", "paper")

# Who a learner is to the company (archive registry, LearnerRegistered.v1).
USER_TYPES = ("customer", "partner", "internal")
