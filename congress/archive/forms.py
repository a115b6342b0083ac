"""Forms of the archive: editing items, status changes, uploads and the speaker's contribution."""

from __future__ import annotations

from urllib.parse import urlparse

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import DateField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from congress.archive.labels import EVIDENCE_LABELS, LANGUAGE_LABELS, TYPE_LABELS
from congress.archive.services import PROTECTIVE_FACTORS
from congress.uploads import PublicationRightsFields


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def parse_links(text: str) -> list[dict[str, str]]:
    links = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        title, _, url = line.rpartition("|") if "|" in line else ("", "", line)
        links.append({"title": title.strip(), "url": url.strip()})
    return links


class ItemForm(FlaskForm):
    type = SelectField(_l("Type"), choices=[])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    summary = TextAreaField(_l("Summary"), validators=[Length(max=5000)],
                            description=_l("Plain text, shown in search results."))
    body = TextAreaField(_l("Text"), validators=[Length(max=100_000)],
                         description=_l("Markdown: headings, lists, links and emphasis."))
    congress_id = SelectField(_l("Edition"), coerce=int, choices=[])
    track_id = SelectField(_l("Track"), coerce=int, choices=[])
    authors = StringField(_l("Authors and speakers"), description=_l("Separate names with commas."))
    organisations = StringField(_l("Organisations"), description=_l("Separate names with commas."))
    tags = StringField(_l("Tags"), description=_l("Separate tags with commas."))
    factors = CheckboxListField(_l("Protective factors"), choices=[(f, f) for f in PROTECTIVE_FACTORS])
    target_groups = StringField(_l("Target groups"), description=_l("Separate target groups with commas."))
    language = SelectField(_l("Language"), choices=[])
    licence = StringField(_l("Licence"), default="CC BY 4.0", validators=[Length(max=64)])
    publication_date = DateField(_l("Publication date"), validators=[Optional()])
    evidence_status = SelectField(_l("Evidence status (interventions)"), choices=[])
    setting = StringField(_l("Setting (interventions)"), validators=[Length(max=300)])
    links = TextAreaField(_l("Links"), description=_l("One per line: title | https://…"))
    related = StringField(_l("Related items"),
                          description=_l("Permalink keys of related items (e.g. an intervention's evaluations), "
                                         "separated by commas."))
    note = StringField(_l("What did you change?"), validators=[Length(max=300)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.type.choices = [(k, str(v)) for k, v in TYPE_LABELS.items()]
        self.language.choices = [(k, str(v)) for k, v in LANGUAGE_LABELS.items()]
        self.evidence_status.choices = [("", "—")] + [(k, str(v)) for k, v in EVIDENCE_LABELS.items()]

    def validate_links(self, field: TextAreaField) -> None:
        for link in parse_links(field.data):
            parsed = urlparse(link["url"])
            if parsed.scheme not in ("https", "http") or not parsed.netloc or any(c.isspace() for c in link["url"]):
                raise ValidationError(_l("Each link needs an address starting with https://."))


class StatusForm(FlaskForm):
    status = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(_l("Reason (shown on the withdrawn item's page)"), validators=[Length(max=1000)])


class UploadForm(FlaskForm):
    file = FileField(_l("File"), validators=[DataRequired()],
                     description=_l("PDF, PPTX, DOCX, PNG or JPEG."))
    description = StringField(_l("Description"), validators=[Length(max=300)])


class ContributeForm(PublicationRightsFields, FlaskForm):
    summary = TextAreaField(_l("Summary of your session"), validators=[Length(max=5000)])
    files = MultipleFileField(_l("Slides and other files"), description=_l("PDF, PPTX, DOCX, PNG or JPEG."))


class ArchiveSessionsForm(FlaskForm):
    sessions = CheckboxListField(_l("Sessions"), coerce=int, choices=[])
