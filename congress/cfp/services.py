"""Call for proposals: the business rules — the capability's face.

Plain functions over values; views call them, tests call them without HTTP. Every state change
writes an audit event. Rules that must hold under concurrency (the number of proposals per speaker,
single-use links) run inside :func:`write_transaction` with the guarding rows locked.

The rules live in one module per part of the call, along the sections this module once had:
:mod:`~congress.cfp.settings`, :mod:`~congress.cfp.speakers`, :mod:`~congress.cfp.proposals`,
:mod:`~congress.cfp.cospeakers`, :mod:`~congress.cfp.review`, :mod:`~congress.cfp.decisions`,
:mod:`~congress.cfp.slides`, :mod:`~congress.cfp.exchange` (and :mod:`~congress.cfp.questions`).
Callers import them from here.
"""

from __future__ import annotations

from congress.cfp.cospeakers import INVITATION_DAYS as INVITATION_DAYS
from congress.cfp.cospeakers import accept_invitation as accept_invitation
from congress.cfp.cospeakers import invitation_for as invitation_for
from congress.cfp.cospeakers import invite_co_speaker as invite_co_speaker
from congress.cfp.cospeakers import pending_invitations as pending_invitations
from congress.cfp.decisions import DECIDABLE as DECIDABLE
from congress.cfp.decisions import DECISIONS as DECISIONS
from congress.cfp.decisions import confirm_proposal as confirm_proposal
from congress.cfp.decisions import decide as decide
from congress.cfp.decisions import pending_decision_mails as pending_decision_mails
from congress.cfp.decisions import preview_decision_mail as preview_decision_mail
from congress.cfp.decisions import proposal_for_decision_token as proposal_for_decision_token
from congress.cfp.decisions import register_confirmed_speakers as register_confirmed_speakers
from congress.cfp.decisions import register_pending_speakers as register_pending_speakers
from congress.cfp.decisions import send_decision_mails as send_decision_mails
from congress.cfp.decisions import withdraw_by_token as withdraw_by_token
from congress.cfp.errors import CfpError as CfpError
from congress.cfp.exchange import C3VOC_TYPES as C3VOC_TYPES
from congress.cfp.exchange import accepted_submissions as accepted_submissions
from congress.cfp.exchange import c3voc_submission as c3voc_submission
from congress.cfp.exchange import export_csv as export_csv
from congress.cfp.exchange import export_json as export_json
from congress.cfp.proposals import LANGUAGES as LANGUAGES
from congress.cfp.proposals import WITHDRAWABLE as WITHDRAWABLE
from congress.cfp.proposals import ProposalData as ProposalData
from congress.cfp.proposals import create_proposal as create_proposal
from congress.cfp.proposals import is_speaker as is_speaker
from congress.cfp.proposals import proposals_of as proposals_of
from congress.cfp.proposals import submit_proposal as submit_proposal
from congress.cfp.proposals import update_proposal as update_proposal
from congress.cfp.proposals import validate_proposal as validate_proposal
from congress.cfp.proposals import withdraw_proposal as withdraw_proposal
from congress.cfp.questions import add_question as add_question  # the face re-exports
from congress.cfp.questions import answers_from_form as answers_from_form
from congress.cfp.questions import check_answers as check_answers
from congress.cfp.questions import questions as questions
from congress.cfp.questions import questions_text as questions_text
from congress.cfp.questions import sync_questions as sync_questions
from congress.cfp.recording import recording_consent_of as recording_consent_of
from congress.cfp.recording import recording_consented as recording_consented
from congress.cfp.recording import set_recording_consent as set_recording_consent
from congress.cfp.retention import anonymise_speakers as anonymise_speakers  # manage.retention
from congress.cfp.review import REDACTED as REDACTED
from congress.cfp.review import REDACTED_FIELDS as REDACTED_FIELDS
from congress.cfp.review import SCORE_MAX as SCORE_MAX
from congress.cfp.review import SCORE_MIN as SCORE_MIN
from congress.cfp.review import AnonymisedProposal as AnonymisedProposal
from congress.cfp.review import Progress as Progress
from congress.cfp.review import RankRow as RankRow
from congress.cfp.review import action_label as action_label
from congress.cfp.review import assign_reviewer as assign_reviewer
from congress.cfp.review import assignments as assignments
from congress.cfp.review import can_manage_track as can_manage_track
from congress.cfp.review import can_review as can_review
from congress.cfp.review import can_view as can_view
from congress.cfp.review import declare_conflict as declare_conflict
from congress.cfp.review import for_viewer as for_viewer
from congress.cfp.review import history as history
from congress.cfp.review import identifying_strings as identifying_strings
from congress.cfp.review import is_manager_view as is_manager_view
from congress.cfp.review import names_hidden as names_hidden
from congress.cfp.review import progress as progress
from congress.cfp.review import ranking as ranking
from congress.cfp.review import redactor as redactor
from congress.cfp.review import review_of as review_of
from congress.cfp.review import reviewer_proposals_query as reviewer_proposals_query
from congress.cfp.review import reviewers as reviewers
from congress.cfp.review import save_review as save_review
from congress.cfp.review import unassign as unassign
from congress.cfp.review import visible_proposals as visible_proposals
from congress.cfp.review import weighted_score as weighted_score
from congress.cfp.settings import criteria as criteria
from congress.cfp.settings import criteria_text as criteria_text
from congress.cfp.settings import ensure_settings as ensure_settings
from congress.cfp.settings import formats as formats
from congress.cfp.settings import formats_text as formats_text
from congress.cfp.settings import open_tracks as open_tracks
from congress.cfp.settings import save_call_settings as save_call_settings
from congress.cfp.settings import set_open_tracks as set_open_tracks
from congress.cfp.settings import settings_for as settings_for
from congress.cfp.settings import sync_criteria as sync_criteria
from congress.cfp.settings import sync_formats as sync_formats
from congress.cfp.settings import text_rows as text_rows
from congress.cfp.settings import update_settings as update_settings
from congress.cfp.slides import PDF as PDF
from congress.cfp.slides import PPTX as PPTX
from congress.cfp.slides import SLIDES_MAX_BYTES as SLIDES_MAX_BYTES
from congress.cfp.slides import SlideFile as SlideFile
from congress.cfp.slides import session_slides as session_slides
from congress.cfp.slides import slide_files as slide_files
from congress.cfp.slides import slide_key as slide_key
from congress.cfp.slides import slides_of as slides_of
from congress.cfp.slides import sniff_slides as sniff_slides
from congress.cfp.slides import upload_slides as upload_slides
from congress.cfp.speakers import PHOTO_MAX_BYTES as PHOTO_MAX_BYTES
from congress.cfp.speakers import PURPOSE_VERIFY as PURPOSE_VERIFY
from congress.cfp.speakers import VERIFY_DAYS as VERIFY_DAYS
from congress.cfp.speakers import PhotoRefused as PhotoRefused
from congress.cfp.speakers import clean_photo as clean_photo
from congress.cfp.speakers import person_for as person_for
from congress.cfp.speakers import photo_key as photo_key
from congress.cfp.speakers import remove_photo as remove_photo
from congress.cfp.speakers import save_profile as save_profile
from congress.cfp.speakers import set_photo as set_photo
from congress.cfp.speakers import sign_up_speaker as sign_up_speaker
from congress.cfp.speakers import update_profile as update_profile
from congress.cfp.speakers import verify_speaker as verify_speaker
