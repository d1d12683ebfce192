"""Vocabulary that events carry and more than one service speaks."""

# The department's delivery formats (DESIGN.md §1): plan items, sessions and their events.
FORMATS = ("online", "classroom", "on_site_demo", "group_discussion", "case_study", "simulation")
