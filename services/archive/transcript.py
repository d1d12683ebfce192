"""The printable transcript of a learner's archive (PDF, with fpdf2).

Names in any script need a Unicode font: TRANSCRIPT_FONT names a TrueType file, else DejaVu Sans
is used where the system has it; without either, the PDF core font shows what Latin-1 can.
"""
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

DEJAVU = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans.ttf")
HEADINGS = FontFace(emphasis="BOLD", fill_color=(230, 230, 230))


def transcript_pdf(archive, issued_on, font_path=None):
    pdf = FPDF(format="A4")
    pdf.set_title("Training transcript")
    pdf.set_creator("Training platform archive")
    family = use_font(pdf, font_path)
    text = (lambda value: value) if family != "helvetica" else latin1
    pdf.add_page()
    learner = archive["learner"] or {}
    pdf.set_font(family, size=16)
    pdf.cell(text="Training transcript", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(family, size=10)
    name = " ".join(part for part in (learner.get("first_name"), learner.get("last_name")) if part)
    for label, value in (("Learner", name or archive["learner_id"]), ("Learner id", archive["learner_id"]),
                         ("Company", learner.get("organisation")), ("Department", learner.get("department")),
                         ("Issued", issued_on.isoformat())):
        if value:
            pdf.cell(text=text(f"{label}: {value}"), new_x="LMARGIN", new_y="NEXT")
    summary = archive["summary"]
    pdf.ln(2)
    pdf.cell(text=f"Sessions completed: {summary['sessions_completed']}    Training hours: "
                  f"{summary['training_hours']:g}    Assessments passed: {summary['passed']} of {summary['results']}",
             new_x="LMARGIN", new_y="NEXT")
    section(pdf, family, text, "Training", ("Date", "Course", "Format", "Attendance", "Hours"), (
        (day(record.get("starts_at")), record.get("title") or record["session_id"],
         (record.get("format") or "").replace("_", " "),
         (record.get("attendance") or {}).get("status") or (record.get("enrolment") or {}).get("status") or "",
         f"{record['hours']:g}") for record in archive["records"]), (22, 88, 30, 30, 20))
    section(pdf, family, text, "Assessments", ("Date", "Assessment", "Method", "Score", "Result"), (
        (day(result["graded_at"]), result.get("title") or result["exam_id"], result["method"], f"{result['score']:g}",
         "passed" if result["passed"] else "not passed") for result in archive["results"]), (22, 88, 30, 20, 30))
    section(pdf, family, text, "Certificates", ("Number", "Certificate", "Issued", "Expires"), (
        (certificate["number"], certificate["title"], day(certificate["issued_at"]), certificate.get("expires_at") or "-")
        for certificate in archive["certificates"]), (35, 95, 30, 30))
    return bytes(pdf.output())


def section(pdf, family, text, title, headings, rows, widths):
    rows = list(rows)
    pdf.ln(4)
    pdf.set_font(family, size=12)
    pdf.cell(text=title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=9)
    if not rows:
        pdf.cell(text="None recorded.", new_x="LMARGIN", new_y="NEXT")
        return
    with pdf.table(col_widths=widths, headings_style=HEADINGS, line_height=5) as table:
        for values in [headings, *rows]:
            row = table.row()
            for value in values:
                row.cell(text(str(value)))


def use_font(pdf, font_path):
    for candidate in ([font_path] if font_path else []) + list(DEJAVU):
        if candidate and Path(candidate).is_file():
            bold = Path(candidate).with_name(Path(candidate).stem + "-Bold.ttf")
            pdf.add_font("body", fname=candidate)
            pdf.add_font("body", style="B", fname=str(bold) if bold.is_file() else candidate)
            return "body"
    return "helvetica"


def latin1(value):
    return value.encode("latin-1", "replace").decode("latin-1")


def day(moment):
    return moment.date().isoformat() if moment else ""
