"""Forms of the archive: editing items, status changes, uploads and the speaker's contribution."""

from __future__ import annotations

from urllib.parse import urlparse

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from congress.archive.labels import EVIDENCE_LABELS, LANGUAGE_LABELS, TYPE_LABELS
from congress.archive.services import (
    DATABANK_TEXTS,
    PROTECTIVE_FACTORS,
    interventions_by_keys,
    is_web_address,
    item_by_key,
)
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
    title = StringField(_l("Title (Dutch)"), validators=[DataRequired(), Length(max=300)])
    title_en = StringField(_l("Title (English)"), validators=[Length(max=300)],
                           description=_l("Optional: English readers see the Dutch title without it."))
    summary = TextAreaField(_l("Summary (Dutch)"), validators=[Length(max=5000)],
                            description=_l("Plain text, shown in search results."))
    summary_en = TextAreaField(_l("Summary (English)"), validators=[Length(max=5000)])
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
    evidence_status = RadioField(_l("Recognition level (interventions)"), choices=[], default="",
                                 description=_l("As the Dutch databanks of effective interventions assess it."))
    setting = StringField(_l("Setting (interventions)"), validators=[Length(max=300)],
                          description=_l("Where it is carried out, e.g. youth work in the neighbourhood, school."))
    aim = TextAreaField(_l("Aim"), validators=[Length(max=DATABANK_TEXTS["aim"])],
                        description=_l("What the intervention wants to reach, and for whom."))
    approach = TextAreaField(_l("Approach"), validators=[Length(max=DATABANK_TEXTS["approach"])],
                             description=_l("What is done: activities, duration, who carries it out."))
    active_ingredients = TextAreaField(_l("Active ingredients"),
                                       validators=[Length(max=DATABANK_TEXTS["active_ingredients"])],
                                       description=_l("The elements that make it work (werkzame elementen)."))
    implementers = StringField(_l("Implementing organisations"), validators=[Length(max=2000)],
                               description=_l("Separate names with commas."))
    tested_at = TextAreaField(_l("Where it was tested"), validators=[Length(max=DATABANK_TEXTS["tested_at"])],
                              description=_l("Municipalities, neighbourhoods or organisations, and when."))
    manual = TextAreaField(_l("Handbook or manual"), validators=[Length(max=DATABANK_TEXTS["manual"])],
                           description=_l("What exists to carry it out, and where to get it."))
    manual_url = StringField(_l("Address of the handbook"), validators=[Length(max=500)],
                             description=_l("Optional: https://…"))
    databank_url = StringField(_l("Entry in the national databank"), validators=[Length(max=500)],
                               description=_l("The address of its description in a databank of effective "
                                              "interventions: https://…"))
    process_evaluations = StringField(_l("Process evaluations"),
                                      description=_l("Permalink keys of the evaluation items, separated by commas."))
    effect_evaluations = StringField(_l("Effect evaluations"),
                                     description=_l("Permalink keys of the evaluation items, separated by commas."))
    presents = StringField(_l("Intervention presented"),
                           description=_l("For a session's item: the permalink key of the intervention the "
                                          "session presented. Its evaluations become the intervention's "
                                          "process evaluations."))
    links = TextAreaField(_l("Links"), description=_l("One per line: title | https://…"))
    related = StringField(_l("Related items"),
                          description=_l("Permalink keys of related items (e.g. an intervention's evaluations), "
                                         "separated by commas."))
    note = StringField(_l("What did you change?"), validators=[Length(max=300)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.type.choices = [(k, str(v)) for k, v in TYPE_LABELS.items()]
        self.language.choices = [(k, str(v)) for k, v in LANGUAGE_LABELS.items()]
        self.evidence_status.choices = [("", str(_l("No level (not an intervention)")))] + [
            (k, str(v)) for k, v in EVIDENCE_LABELS.items()]

    def validate_manual_url(self, field: StringField) -> None:
        if (field.data or "").strip() and not is_web_address(field.data.strip()):
            raise ValidationError(_l("Give an address starting with https://."))

    def validate_databank_url(self, field: StringField) -> None:
        self.validate_manual_url(field)

    @staticmethod
    def _known_keys(field: StringField) -> None:
        keys = [k.strip() for k in (field.data or "").replace("\n", ",").split(",") if k.strip()]
        if len(keys) > 50:
            raise ValidationError(_l("At most 50 items."))
        unknown = [k for k in keys if len(k) > 16 or item_by_key(k) is None]
        if unknown:
            raise ValidationError(_l("No item has the key %(keys)s.", keys=", ".join(k[:20] for k in unknown[:5])))

    def validate_process_evaluations(self, field: StringField) -> None:
        self._known_keys(field)

    def validate_effect_evaluations(self, field: StringField) -> None:
        self._known_keys(field)

    def validate_presents(self, field: StringField) -> None:
        _found, wrong = interventions_by_keys(field.data or "")
        if wrong:
            raise ValidationError(_l("No intervention has the key %(keys)s.", keys=", ".join(wrong[:5])))

    def validate_links(self, field: TextAreaField) -> None:
        for link in parse_links(field.data):
            parsed = urlparse(link["url"])
            if parsed.scheme not in ("https", "http") or not parsed.netloc or any(c.isspace() for c in link["url"]):
                raise ValidationError(_l("Each link needs an address starting with https://."))


class StatusForm(FlaskForm):
    status = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(_l("Reason (shown on the withdrawn item's page)"), validators=[Length(max=1000)])


class ConfirmLevelForm(FlaskForm):
    """Keeping the level migration archive_0006 converted (the CSRF token only)."""


class UploadForm(FlaskForm):
    file = FileField(_l("File"), validators=[DataRequired()],
                     description=_l("PDF, PPTX, DOCX, PNG or JPEG."))
    description = StringField(_l("Description"), validators=[Length(max=300)])


class ContributeForm(PublicationRightsFields, FlaskForm):
    summary = TextAreaField(_l("Summary of your session"), validators=[Length(max=5000)])
    files = MultipleFileField(_l("Slides and other files"), description=_l("PDF, PPTX, DOCX, PNG or JPEG."))


class ArchiveSessionsForm(FlaskForm):
    sessions = CheckboxListField(_l("Sessions"), coerce=int, choices=[])


class SynonymForm(FlaskForm):
    """One group of the search's synonym list: words or phrases separated by commas."""

    words = StringField(_l("Words that mean the same"), validators=[DataRequired(), Length(max=500)],
                        description=_l("Two or more words or phrases, separated by commas, e.g. jongeren, jeugd."))


class DeleteSynonymForm(FlaskForm):
    """Removing a group (the CSRF token only)."""


class RecordingForm(FlaskForm):
    """A recording for the item: an uploaded video or the address on the video platform, its captions."""

    title = StringField(_l("Title of the recording (Dutch)"), validators=[Length(max=200)],
                        description=_l("Optional, e.g. \"Opening plenary\"; without it the item's title is used."))
    title_en = StringField(_l("Title of the recording (English)"), validators=[Length(max=200)])
    video = FileField(_l("Video file"))
    url = StringField(_l("Or: address on the organisation's video platform"), validators=[Length(max=2000)],
                      description=_l("https://… — shown as a link, never embedded."))
    captions_nl = FileField(_l("Captions in Dutch (WebVTT)"))
    captions_en = FileField(_l("Captions in English (WebVTT)"))
    publish = BooleanField(_l("Publish the recording with the item now (only when every speaker of the session "
                              "consented to its publication)"))


class CaptionsForm(FlaskForm):
    language = SelectField(_l("Language of the captions"), choices=[("nl", _l("Dutch")), ("en", _l("English"))],
                           validators=[AnyOf(("nl", "en"))])
    file = FileField(_l("Captions file (WebVTT)"), validators=[DataRequired()], description=_l("A .vtt file."))


class RecordingActionForm(FlaskForm):
    """Publish, unpublish or remove a recording, or remove its captions: a button with its CSRF token."""
