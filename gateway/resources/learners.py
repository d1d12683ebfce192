"""Learners and their training archives (archive service).

Who may read an archive is decided by the archive service, by role and relation: a learner reads
their own, a trainer those of the learners in their sessions, supervisors and auditors all, others
none. Every read and change is written to the audit log (`/audit`); `reason` says why you read.
"""
import base64

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from shared.schemas import instance
from services.archive.contract import (ArchiveSchema, ErasureRequestSchema, ErasureSchema, LearnerCreateSchema,
                                      LearnerImportSchema, LearnerPageSchema, LearnerQuerySchema, LearnerSchema,
                                      LearnerUpdateSchema, PersonalDataExportSchema, ReadQuerySchema,
                                      StatementListSchema)

from gateway.auth import any_role, roles_required
from gateway.resources import call
from gateway.resources.needs import uploaded_csv

blp = Blueprint("learners", __name__, description=__doc__.split("\n\n")[1].replace("\n", " "))

REGISTRARS = ("supervisor", "specialist")
READ_ALL = ("supervisor", "auditor")
CSV_EXAMPLE = ("learner_id,first_name,last_name,email,phone,language,organisation,department,user_type,industry\n"
               "ada.lovelace,Ada,Lovelace,ada@example.com,+44 20 7946 0001,en,Engines Ltd,Analytics,customer,"
               "manufacturing\n")
BINARY = {"schema": {"type": "string", "format": "binary"}}


@blp.route("/learners")
class Learners(MethodView):
    @roles_required(*READ_ALL)
    @blp.arguments(LearnerQuerySchema, location="query")
    @blp.alt_response(200, schema=LearnerPageSchema, success=True)
    def get(self, query):
        """The registry, newest first (supervisors and auditors).

        Filter by organisation (company), department, user_type and industry; `email` and `name`
        (first and last) find a learner by exact value, case and spacing aside."""
        return call("archive", "list_learners", query)

    @roles_required(*REGISTRARS)
    @blp.arguments(LearnerCreateSchema)
    @blp.alt_response(201, schema=LearnerSchema, success=True)
    def post(self, learner):
        """Register a learner and open their archive.

        `learner_id` is their sign-in subject. Names and contact details are stored encrypted.
        Publishes LearnerRegistered.v1 with the id and company, department, user type and
        industry only. 409 if the id or the email is registered already."""
        return call("archive", "register_learner", instance(LearnerCreateSchema).dump(learner)), 201


@blp.route("/learners/import")
class LearnerImport(MethodView):
    @roles_required(*REGISTRARS)
    @blp.doc(requestBody={"required": True, "content": {
        "text/csv": {"schema": {"type": "string"}, "example": CSV_EXAMPLE},
        "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                           "properties": {"file": {"type": "string", "format": "binary"}}}}}})
    @blp.alt_response(201, schema=LearnerImportSchema, success=True)
    def post(self):
        """Register many learners from a CSV, all or nothing.

        Send a UTF-8 CSV as the body (`Content-Type: text/csv`) or as the `file` field of a
        multipart form, with a header row naming the fields of a registration (required:
        learner_id, first_name, last_name, email, organisation, user_type). If any row is
        invalid or names a learner id or email already registered (or twice in the file),
        nothing is registered and the 422 lists each bad row (the header is row 1)."""
        return call("archive", "import_learners", uploaded_csv()), 201


@blp.route("/learners/<learner_id>")
class LearnerById(MethodView):
    @any_role
    @blp.arguments(ReadQuerySchema, location="query")
    @blp.alt_response(200, schema=LearnerSchema, success=True)
    def get(self, query, learner_id):
        """A learner's registry entry (who may read it: see above)."""
        return call("archive", "get_learner", learner_id, query)

    @roles_required(*REGISTRARS)
    @blp.arguments(LearnerUpdateSchema)
    @blp.alt_response(200, schema=LearnerSchema, success=True)
    def patch(self, request, learner_id):
        """Change some of a learner's details, saying why (kept in the audit log)."""
        return call("archive", "update_learner", learner_id, instance(LearnerUpdateSchema).dump(request))


@blp.route("/learners/<learner_id>/archive")
class LearnerArchive(MethodView):
    @any_role
    @blp.arguments(ReadQuerySchema, location="query")
    @blp.alt_response(200, schema=ArchiveSchema, success=True)
    def get(self, query, learner_id):
        """A learner's training archive: every session (course, time, place, trainers, enrolment,
        attendance, participation, result), assessment result (score, method, time), certificate
        and named feedback, with a summary. Kept current from the other services' events."""
        return call("archive", "get_archive", learner_id, query)


@blp.route("/learners/<learner_id>/transcript")
class LearnerTranscript(MethodView):
    @any_role
    @blp.arguments(ReadQuerySchema, location="query")
    @blp.alt_response(200, success=True)
    @blp.doc(responses={"200": {"description": "The transcript as a PDF file",
                                "content": {"application/pdf": BINARY}}})
    def get(self, query, learner_id):
        """A printable transcript (PDF) of the learner's training, results and certificates."""
        return file_response(call("archive", "transcript", learner_id, query))


@blp.route("/learners/<learner_id>/export")
class LearnerExport(MethodView):
    @any_role
    @blp.arguments(ReadQuerySchema, location="query")
    @blp.alt_response(200, schema=PersonalDataExportSchema, success=True)
    def get(self, query, learner_id):
        """Everything the archive holds on the learner (JSON), with the log of who read or changed
        it: a learner's own export of their data."""
        return call("archive", "export_archive", learner_id, query)


@blp.route("/learners/<learner_id>/export/csv")
class LearnerCsvExport(MethodView):
    @any_role
    @blp.arguments(ReadQuerySchema, location="query")
    @blp.alt_response(200, success=True)
    @blp.doc(responses={"200": {"description": "One row per training record, result and certificate",
                                "content": {"text/csv": BINARY}}})
    def get(self, query, learner_id):
        """The learner's archive as CSV: one row per training record, result and certificate."""
        return file_response(call("archive", "export_archive_csv", learner_id, query))


@blp.route("/learners/<learner_id>/export/xapi")
class LearnerStatements(MethodView):
    @any_role
    @blp.arguments(ReadQuerySchema, location="query")
    @blp.alt_response(200, schema=StatementListSchema, success=True)
    def get(self, query, learner_id):
        """The learner's training as xAPI 1.0.3 statements (registered, attended, completed,
        passed, failed) for a learning record store; the learner is named by an account, and
        statement ids are stable, so sending them again changes nothing."""
        return call("archive", "learner_statements", learner_id, query)


@blp.route("/learners/<learner_id>/erasure")
class LearnerErasure(MethodView):
    @roles_required("supervisor")
    @blp.arguments(ErasureRequestSchema)
    @blp.alt_response(200, schema=ErasureSchema, success=True)
    def post(self, request, learner_id):
        """Erase a learner's personal data on their request (irreversible).

        Deletes the learner's key and personal data and puts a pseudonym where their id was, so
        anonymous statistics remain. Publishes LearnerErased.v1; every service then removes or
        pseudonymises what it holds on the learner. Later events about the learner are dropped,
        and the id cannot be registered again. 409 if the learner is erased already."""
        return call("archive", "erase_learner", learner_id, request)


def file_response(file):
    return Response(base64.b64decode(file["content_base64"]), content_type=file["content_type"],
                    headers={"Content-Disposition": f'attachment; filename="{file["filename"]}"'})
