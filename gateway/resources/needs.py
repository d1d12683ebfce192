"""The training needs backlog (planning service): record, import questionnaires, rank, forecast."""
from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from services.planning.contract import (NeedCreateSchema, NeedForecastSchema, NeedImportSchema, NeedPageSchema,
                                       NeedQuerySchema, NeedSchema)

from gateway.auth import roles_required, staff_only
from gateway.resources import call

blp = Blueprint("needs", __name__, description=(
    "Training needs from sales, marketing, customer service, questionnaires, interviews, online feedback, "
    "industry trends and the product roadmap, plus those other services' events reveal (weak exam topics). "
    "A need with the same topic, product and audience segment as an existing one merges into it."))

RECORDERS = ("supervisor", "manager", "trainer", "specialist")
CSV_EXAMPLE = ("topic,product,user_type,industry,level,tier,flags,urgency,comment,respondent\n"
               "Report builder,Analytics,administrator,retail,beginner,basic_operation,,high,"
               "Cannot build a monthly report,R-102\n")


@blp.route("/needs")
class Needs(MethodView):
    @staff_only
    @blp.arguments(NeedQuerySchema, location="query")
    @blp.alt_response(200, schema=NeedPageSchema, success=True)
    def get(self, query):
        """The needs backlog, best first.

        Ranked by urgency, then demand (requesters), then recency. Filter by source, tier, flag,
        product and audience (user_type, industry, level)."""
        return call("planning", "list_needs", query)

    @roles_required(*RECORDERS)
    @blp.arguments(NeedCreateSchema)
    @blp.alt_response(201, schema=NeedSchema, success=True)
    def post(self, need):
        """Record a need. Publishes NeedRecorded.v1 (with `merged` true if it joined an existing need)."""
        return call("planning", "record_need", need), 201


@blp.route("/needs/<need_id>")
class NeedById(MethodView):
    @staff_only
    @blp.alt_response(200, schema=NeedSchema, success=True)
    def get(self, need_id):
        """One need with all its evidence."""
        return call("planning", "get_need", need_id)


@blp.route("/needs/import")
class NeedImport(MethodView):
    @roles_required("supervisor", "specialist")
    @blp.doc(requestBody={"required": True, "content": {
        "text/csv": {"schema": {"type": "string"}, "example": CSV_EXAMPLE},
        "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                           "properties": {"file": {"type": "string", "format": "binary"}}}}}})
    @blp.alt_response(201, schema=NeedImportSchema, success=True)
    def post(self):
        """Import questionnaire answers (CSV) as needs.

        Send a UTF-8 CSV as the body (`Content-Type: text/csv`) or as the `file` field of a multipart
        form. A header row is required; `topic` is the one required column, optional ones are product,
        user_type, industry, level, tier, flags (`;`-separated), urgency, expected_quarter, comment and
        respondent. All or nothing: if any row is invalid, nothing is imported and the 422 lists each
        bad row (numbered as in a spreadsheet, header = 1) with its field messages. Importing the same
        file again counts no answer twice."""
        return call("planning", "import_questionnaire", uploaded_csv()), 201


@blp.route("/needs/forecast")
class NeedForecast(MethodView):
    @staff_only
    @blp.alt_response(200, schema=NeedForecastSchema, success=True)
    def get(self):
        """Roadmap and trend needs by product and expected quarter, soonest first."""
        return call("planning", "needs_forecast")


def uploaded_csv():
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            abort(400, message="the form has no `file` field")
        data = upload.read()
    elif request.mimetype in ("text/csv", "text/plain"):
        data = request.get_data()
    else:
        abort(415, message="send the CSV as text/csv or as the `file` field of multipart/form-data")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        abort(400, message="the CSV is not UTF-8 text")
