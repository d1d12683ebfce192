"""Teaching materials: review, publishing, revisions, files, review flags, copies and loans (resources service)."""
import base64

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields

from shared.config import setting
from shared.schemas import PageQuerySchema
from services.resources.contract import (FILE_TYPES, CopyCreateSchema, CopyPageSchema, CopySchema, LoanCreateSchema,
                                         LoanPageSchema, LoanQuerySchema, LoanReturnSchema,
                                         MaterialCommentCreateSchema, MaterialCreateSchema, MaterialPageSchema,
                                         MaterialPublicationSchema, MaterialQuerySchema, MaterialRetirementSchema,
                                         MaterialReviewDecisionSchema, MaterialReviewRequestSchema,
                                         MaterialRevisionCreateSchema, MaterialSchema, MaterialUpdateSchema,
                                         MaterialVersionSchema, ProductReleaseSchema)

from gateway.auth import roles_required, staff_only
from gateway.resources import call

blp = Blueprint("materials", __name__, description=(
    "Teaching materials: draft → in_review (named experts) → approved (all approve; any rejection sends it "
    "back to draft) → published with a catalogue number MAT-<year>-<nnnn> and a category "
    "(MaterialPublished.v1). A published material is revised as a new version that goes round again and is "
    "announced as MaterialRevised.v1; every published version stays readable. Materials not revised for "
    "MATERIAL_REVIEW_AFTER_DAYS, whose topics an evaluation found weak, or whose product had a release are "
    "flagged `review_due`. Physical copies are lent through the lending register."))

AUTHORS = ("supervisor", "specialist", "trainer")
KEEPERS = ("supervisor", "specialist")
# The gateway's ceiling for an uploaded file; the resources service applies its own
# MATERIAL_MAX_FILE_BYTES (default 10 MiB) below it.
UPLOAD_LIMIT_BYTES = setting(None, "MATERIAL_UPLOAD_MAX_BYTES", int, default=16 * 1024 * 1024)
FILE_BODY = {"required": True, "content": {
    **{content_type: {"schema": {"type": "string", "format": "binary"}} for content_type in FILE_TYPES},
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                       "properties": {"file": {"type": "string", "format": "binary"}}}}}}


class MaterialFileQuerySchema(Schema):
    filename = fields.String(load_default=None, metadata={"description": "The file's name, for a raw body."})


class MaterialVersionQuerySchema(Schema):
    version = fields.Integer(load_default=None,
                             metadata={"description": "Default: the version in use, else the draft."})


class FlaggedMaterialsSchema(Schema):
    material_ids = fields.List(fields.String())


@blp.route("/materials")
class Materials(MethodView):
    @staff_only
    @blp.arguments(MaterialQuerySchema, location="query")
    @blp.alt_response(200, schema=MaterialPageSchema, success=True)
    def get(self, query):
        """Materials in catalogue order; filter by status, category, topic, product, review_due, and
        `reviewer` (materials awaiting that expert's decision)."""
        return call("resources", "list_materials", query)

    @roles_required(*AUTHORS)
    @blp.arguments(MaterialCreateSchema)
    @blp.alt_response(201, schema=MaterialSchema, success=True)
    def post(self, material):
        """Write a new material: a draft, version 1 (numbered when first published)."""
        return call("resources", "create_material", material), 201


@blp.route("/materials/<material_id>")
class MaterialById(MethodView):
    @staff_only
    @blp.alt_response(200, schema=MaterialSchema, success=True)
    def get(self, material_id):
        """One material with its review, comments, versions, revision log, flags and history."""
        return call("resources", "get_material", material_id)

    @roles_required(*AUTHORS)
    @blp.arguments(MaterialUpdateSchema)
    @blp.alt_response(200, schema=MaterialSchema, success=True)
    def patch(self, changes, material_id):
        """Edit a draft (its author or resource staff); 409 once it is in review."""
        return call("resources", "update_material", material_id, changes)


@blp.route("/materials/<material_id>/file")
class MaterialFile(MethodView):
    @staff_only
    @blp.arguments(MaterialVersionQuerySchema, location="query")
    @blp.doc(responses={"200": {"description": "The file, with its SHA-256 as ETag.", "content": {
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}})
    def get(self, query, material_id):
        """Download a version's file."""
        found = call("resources", "get_material_file", material_id, query["version"])
        return Response(base64.b64decode(found["content_base64"]), mimetype=found["content_type"], headers={
            "ETag": f'"{found["sha256"]}"', "Content-Disposition": f'attachment; filename="{found["filename"]}"'})

    @roles_required(*AUTHORS)
    @blp.arguments(MaterialFileQuerySchema, location="query")
    @blp.doc(requestBody=FILE_BODY)
    @blp.alt_response(200, schema=MaterialSchema, success=True)
    def put(self, query, material_id):
        """Attach the draft's file: the body with its own Content-Type and `?filename=`, or the `file`
        field of a multipart form. Accepted types: PDF, Office and OpenDocument files, ZIP, PNG, JPEG,
        MP4 (checked against the file's signature) and UTF-8 text, Markdown and CSV. Stored with its
        SHA-256; replaces an earlier upload of the same draft."""
        return call("resources", "attach_material_file", material_id, uploaded_file(query["filename"]))


@blp.route("/materials/<material_id>/versions/<int:version>")
class MaterialVersion(MethodView):
    @staff_only
    @blp.alt_response(200, schema=MaterialVersionSchema, success=True)
    def get(self, material_id, version):
        """A published version as it was (or the version being drafted)."""
        return call("resources", "get_material_version", material_id, version)


@blp.route("/materials/<material_id>/reviews")
class Reviews(MethodView):
    @roles_required(*AUTHORS)
    @blp.arguments(MaterialReviewRequestSchema)
    @blp.alt_response(200, schema=MaterialSchema, success=True)
    def post(self, review, material_id):
        """Send a draft with its file to named experts (not its author) for review."""
        return call("resources", "request_review", material_id, review)


@blp.route("/materials/<material_id>/reviews/decision")
class ReviewDecision(MethodView):
    @staff_only
    @blp.arguments(MaterialReviewDecisionSchema)
    @blp.alt_response(200, schema=MaterialSchema, success=True)
    def post(self, decision, material_id):
        """A named reviewer approves, or rejects with a comment (back to draft). The last approval makes
        the material approved. 403 if you are not a named reviewer."""
        return call("resources", "decide_review", material_id, decision)


@blp.route("/materials/<material_id>/comments")
class Comments(MethodView):
    @staff_only
    @blp.arguments(MaterialCommentCreateSchema)
    @blp.alt_response(201, schema=MaterialSchema, success=True)
    def post(self, comment, material_id):
        """Comment on a material (kept with the version it was made on)."""
        return call("resources", "comment_on_material", material_id, comment), 201


@blp.route("/materials/<material_id>/publish")
class PublishMaterial(MethodView):
    @roles_required(*KEEPERS)
    @blp.arguments(MaterialPublicationSchema)
    @blp.alt_response(200, schema=MaterialSchema, success=True)
    def post(self, publication, material_id):
        """Publish an approved material: number and category at the first publishing
        (MaterialPublished.v1), MaterialRevised.v1 for a revision. 409 unless approved."""
        return call("resources", "publish_material", material_id, publication)


@blp.route("/materials/<material_id>/revisions")
class Revisions(MethodView):
    @roles_required(*AUTHORS)
    @blp.arguments(MaterialRevisionCreateSchema)
    @blp.alt_response(201, schema=MaterialSchema, success=True)
    def post(self, revision, material_id):
        """Start the next version of a published material (with a change summary for the revision log);
        the published version stays in use until the new one is published."""
        return call("resources", "revise_material", material_id, revision), 201


@blp.route("/materials/<material_id>/retirement")
class RetireMaterial(MethodView):
    @roles_required(*KEEPERS)
    @blp.arguments(MaterialRetirementSchema)
    @blp.alt_response(200, schema=MaterialSchema, success=True)
    def post(self, retirement, material_id):
        """Withdraw a material from use, with the reason."""
        return call("resources", "retire_material", material_id, retirement)


@blp.route("/materials/product-releases")
class ProductReleases(MethodView):
    @roles_required(*KEEPERS)
    @blp.arguments(ProductReleaseSchema)
    @blp.alt_response(200, schema=FlaggedMaterialsSchema, success=True)
    def post(self, release):
        """Flag the published materials of a product for revision after its release."""
        return call("resources", "flag_for_product_release", release)


@blp.route("/materials/<material_id>/copies")
class Copies(MethodView):
    @staff_only
    @blp.arguments(PageQuerySchema, location="query")
    @blp.alt_response(200, schema=CopyPageSchema, success=True)
    def get(self, query, material_id):
        """The material's physical copies by label, each with its current loan and history."""
        return call("resources", "list_copies", material_id, query)

    @roles_required(*KEEPERS)
    @blp.arguments(CopyCreateSchema)
    @blp.alt_response(201, schema=CopySchema, success=True)
    def post(self, copy, material_id):
        """Register a physical copy (labels are unique per material)."""
        return call("resources", "add_copy", material_id, copy), 201


@blp.route("/materials/<material_id>/copies/<copy_id>/loans")
class Loans(MethodView):
    @roles_required(*KEEPERS)
    @blp.arguments(LoanCreateSchema)
    @blp.alt_response(201, schema=CopySchema, success=True)
    def post(self, loan, material_id, copy_id):
        """Lend the copy to a person until a due date; 409 if it is out already."""
        return call("resources", "lend_copy", material_id, copy_id, loan), 201


@blp.route("/materials/<material_id>/copies/<copy_id>/return")
class ReturnCopy(MethodView):
    @roles_required(*KEEPERS)
    @blp.arguments(LoanReturnSchema)
    @blp.alt_response(200, schema=CopySchema, success=True)
    def post(self, returned, material_id, copy_id):
        """Take the copy back (its loan moves to the copy's history); 409 if it is not lent."""
        return call("resources", "return_copy", material_id, copy_id, returned)


@blp.route("/materials/loans")
class LoanRegister(MethodView):
    @staff_only
    @blp.arguments(LoanQuerySchema, location="query")
    @blp.alt_response(200, schema=LoanPageSchema, success=True)
    def get(self, query):
        """The lending register: active loans by due date, overdue ones, returned ones (latest first) or
        all; filter by borrower and material."""
        return call("resources", "list_loans", query)


def uploaded_file(filename):
    """The upload as the service takes it: name, type and base64 content."""
    request.max_content_length = UPLOAD_LIMIT_BYTES
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            abort(400, message="the form has no `file` field")
        filename, content_type, data = upload.filename, upload.mimetype, upload.read()
    else:
        content_type, data = request.mimetype, request.get_data()
    if not filename:
        abort(422, message="name the file: ?filename=... (or send it as a multipart form)",
              errors={"fields": {"filename": ["required"]}})
    return {"filename": filename, "content_type": content_type, "content_base64": base64.b64encode(data).decode()}
