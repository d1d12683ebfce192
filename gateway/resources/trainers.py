"""The trainer pool: profiles, leave, development, scorecards and evaluations (resources service)."""
from flask.views import MethodView
from flask_smorest import Blueprint

from services.resources.contract import (ScorecardQuerySchema, ScorecardSchema, TrainerCertificationCreateSchema,
                                         TrainerCertificationSchema, TrainerCreateSchema,
                                         TrainerEvaluationCreateSchema, TrainerLeaveCreateSchema, TrainerPageSchema,
                                         TrainerQuerySchema, TrainerSchema, TrainerUpdateSchema,
                                         TrainerTrainingCreateSchema, TrainerTrainingSchema)

from gateway.auth import roles_required, staff_only
from gateway.resources import call

blp = Blueprint("trainers", __name__, description=(
    "The trainer pool. A trainer's id is their sign-in subject (sessions name trainers by it). Trainers keep "
    "their own leave and development records; supervisors and specialists keep everyone's. Evaluations are "
    "seen by supervisors, managers, auditors and the trainer; scorecards by specialists too."))


@blp.route("/trainers")
class Trainers(MethodView):
    @staff_only
    @blp.arguments(TrainerQuerySchema, location="query")
    @blp.alt_response(200, schema=TrainerPageSchema, success=True)
    def get(self, query):
        """The pool by name; filter by topic, product, tier, language and status."""
        return call("resources", "list_trainers", query)

    @roles_required("supervisor", "specialist")
    @blp.arguments(TrainerCreateSchema)
    @blp.alt_response(201, schema=TrainerSchema, success=True)
    def post(self, trainer):
        """Add a trainer to the pool (409 if the id or email is taken)."""
        return call("resources", "register_trainer", trainer), 201


@blp.route("/trainers/<trainer_id>")
class TrainerById(MethodView):
    @staff_only
    @blp.alt_response(200, schema=TrainerSchema, success=True)
    def get(self, trainer_id):
        """One trainer with leave, development records and (if you may see them) evaluations."""
        return call("resources", "get_trainer", trainer_id)

    @staff_only
    @blp.arguments(TrainerUpdateSchema)
    @blp.alt_response(200, schema=TrainerSchema, success=True)
    def patch(self, changes, trainer_id):
        """Change a profile (the trainer or resource staff); upcoming bookings are checked again."""
        return call("resources", "update_trainer", trainer_id, changes)


@blp.route("/trainers/<trainer_id>/leave")
class Leave(MethodView):
    @staff_only
    @blp.arguments(TrainerLeaveCreateSchema)
    @blp.alt_response(201, schema=TrainerSchema, success=True)
    def post(self, leave, trainer_id):
        """Record leave (first and last day, in the trainer's time zone). Upcoming bookings of the trainer
        are checked again: one that falls in the leave turns into a conflict, published to delivery."""
        return call("resources", "add_leave", trainer_id, leave), 201


@blp.route("/trainers/<trainer_id>/leave/<leave_id>")
class LeaveById(MethodView):
    @staff_only
    @blp.alt_response(200, schema=TrainerSchema, success=True)
    def delete(self, trainer_id, leave_id):
        """Cancel recorded leave."""
        return call("resources", "remove_leave", trainer_id, leave_id)


@blp.route("/trainers/<trainer_id>/trainings")
class Trainings(MethodView):
    @staff_only
    @blp.arguments(TrainerTrainingCreateSchema)
    @blp.alt_response(201, schema=TrainerTrainingSchema, success=True)
    def post(self, record, trainer_id):
        """Record a training the trainer attended."""
        return call("resources", "add_training", trainer_id, record), 201


@blp.route("/trainers/<trainer_id>/certifications")
class Certifications(MethodView):
    @staff_only
    @blp.arguments(TrainerCertificationCreateSchema)
    @blp.alt_response(201, schema=TrainerCertificationSchema, success=True)
    def post(self, record, trainer_id):
        """Record a certification the trainer holds."""
        return call("resources", "add_certification", trainer_id, record), 201


@blp.route("/trainers/<trainer_id>/scorecard")
class Scorecard(MethodView):
    @staff_only
    @blp.arguments(ScorecardQuerySchema, location="query")
    @blp.alt_response(200, schema=ScorecardSchema, success=True)
    def get(self, query, trainer_id):
        """The trainer's figures for a period (default: this year): sessions and hours delivered, share
        delivered as planned, learners' trainer ratings (FeedbackSubmitted.v2), pass rate of their
        learners (ExamGraded.v1), and the outcome the figures suggest."""
        return call("resources", "get_scorecard", trainer_id, query)


@blp.route("/trainers/<trainer_id>/evaluations")
class Evaluations(MethodView):
    @roles_required("supervisor", "manager")
    @blp.arguments(TrainerEvaluationCreateSchema)
    @blp.alt_response(201, schema=TrainerSchema, success=True)
    def post(self, evaluation, trainer_id):
        """Decide the trainer's evaluation for a period (reward, keep, development_plan or remove) with its
        reason; the period's scorecard is kept with it. One per period (409). Publishes TrainerEvaluated.v1;
        `remove` takes the trainer out of the pool and their upcoming bookings turn into conflicts."""
        return call("resources", "evaluate_trainer", trainer_id, evaluation), 201
