"""Internal notices (planning service): announcements posted to the office system, e.g. published plans."""
from flask.views import MethodView
from flask_smorest import Blueprint

from services.planning.contract import NoticePageSchema
from shared.schemas import PageQuerySchema

from gateway.auth import any_role
from gateway.resources import call

blp = Blueprint("notices", __name__, description="Announcements in the internal office system.")


@blp.route("/notices")
class Notices(MethodView):
    @any_role
    @blp.arguments(PageQuerySchema, location="query")
    @blp.alt_response(200, schema=NoticePageSchema, success=True)
    def get(self, query):
        """Notices, newest first."""
        return call("planning", "list_notices", query)
