"""The one registry of what the audit log's codes mean, in Dutch and English.

Every action code a service records (``record("registration.cancel", …)``) has a label here;
``tests/audit/test_labels.py`` reads the code base and fails when one is missing. The names of the
fields that events carry in their details, the kinds of objects and a few values (statuses, sources)
have labels too, so that the log and the knowledge base's history read as sentences, not as codes.
"""

from __future__ import annotations

from congress.i18n import pick

# action code -> (Dutch, English)
ACTIONS: dict[str, tuple[str, str]] = {
    # accounts
    # editions (issue 14: lifecycle, cloning), roles per edition, legal pages and retention, edition waiting list
    "congress.update": ("Editie gewijzigd", "Edition changed"),
    "congress.status": ("Status van de editie gewijzigd", "Edition status changed"),
    "congress.clone": ("Editie gekloond", "Edition cloned"),
    "user.role_granted": ("Rol gegeven", "Role granted"),
    "user.role_revoked": ("Rol ingetrokken", "Role revoked"),
    "user.deactivated": ("Account gedeactiveerd", "Account deactivated"),
    "user.reactivated": ("Account weer actief", "Account reactivated"),
    "legal.privacy_saved": ("Privacyverklaring opgeslagen", "Privacy statement saved"),
    "retention.anonymised": ("Persoonsgegevens geanonimiseerd (bewaartermijn)", "Personal data anonymised (retention)"),
    "registration.waiting_list": ("Op de wachtlijst van de editie gezet", "Put on the edition's waiting list"),
    "registration.edition_waitlist_promoted": ("Van de wachtlijst van de editie naar een plaats",
                                               "Promoted from the edition's waiting list"),
    "user.login": ("Ingelogd", "Logged in"),
    "user.login_failed": ("Inloggen mislukt", "Sign-in refused"),
    "user.password_changed": ("Wachtwoord gewijzigd", "Password changed"),
    "user.mfa_enrolled": ("Inloggen in twee stappen aangezet", "Two-factor sign-in turned on"),
    "user.mfa_disabled": ("Inloggen in twee stappen uitgezet", "Two-factor sign-in turned off"),
    "user.mfa_reset": ("Inloggen in twee stappen hersteld door een beheerder",
                       "Two-factor sign-in reset by an administrator"),
    "user.recovery_code_used": ("Herstelcode gebruikt", "Recovery code used"),
    "user.identity_linked": ("Account gekoppeld aan het account bij de organisatie (single sign-on)",
                             "Account linked to the organisation's account (single sign-on)"),
    "user.email_changed": ("E-mailadres bijgewerkt door de organisatie (single sign-on)",
                           "E-mail address updated by the organisation (single sign-on)"),
    "session.ended": ("Sessie beëindigd", "Session ended"),
    "sessions.ended_everywhere": ("Sessies beëindigd", "Sessions ended"),
    "user.create": ("Account aangemaakt", "Account created"),
    "user.invited": ("Medewerker uitgenodigd", "Staff member invited"),
    "user.password_reset_requested": ("Nieuw wachtwoord aangevraagd", "Password reset requested"),
    "user.reset_redeemed": ("Wachtwoord opnieuw ingesteld", "Password reset"),
    "user.invite_redeemed": ("Uitnodiging aanvaard", "Invitation accepted"),
    "user.verify_redeemed": ("E-mailadres bevestigd", "E-mail address verified"),
    "api_token.create": ("API-sleutel aangemaakt", "API token created"),
    "api_token.revoke": ("API-sleutel ingetrokken", "API token revoked"),
    # core
    "congress.create": ("Editie aangemaakt", "Edition created"),
    # registration
    "registration.create": ("Aangemeld", "Registered"),
    "registration.confirm": ("Aanmelding bevestigd", "Registration confirmed"),
    "registration.cancel": ("Aanmelding geannuleerd", "Registration cancelled"),
    "registration.expire": ("Aanmelding verlopen (niet bevestigd)", "Registration expired (not confirmed)"),
    "registration.update": ("Aanmelding gewijzigd", "Registration changed"),
    "registration.role": ("Badgerol gewijzigd", "Badge role changed"),
    "registration.erase": ("Persoonsgegevens gewist", "Personal data erased"),
    "registration.change_sessions": ("Sessiekeuze gewijzigd", "Sessions changed"),
    "registration.move": ("Verplaatst naar andere sessie", "Moved to another session"),
    "registration.enrolment_override": ("Ingeschreven boven de capaciteit", "Enrolled beyond capacity"),
    "registration.waitlist_promoted": ("Van de wachtlijst geplaatst", "Promoted from the waiting list"),
    "registration.session_capacity": ("Capaciteit van sessie gewijzigd", "Session capacity changed"),
    "registration.programme_change_mailed": ("Programmawijziging gemaild", "Programme change mailed"),
    "registration.link_sent": ("Persoonlijke link verstuurd", "Personal link sent"),
    "registration.link_replaced": ("Persoonlijke link vervangen", "Personal link replaced"),
    "registration.speaker": ("Spreker aangemeld", "Speaker registered"),
    "registration.sectors": ("Sectoren gewijzigd", "Sectors changed"),
    "registration.window": ("Aanmeldperiode gewijzigd", "Registration window changed"),
    "registration.question_add": ("Vraag toegevoegd (aanmelding)", "Question added (registration)"),
    "registration.question_update": ("Vraag gewijzigd (aanmelding)", "Question changed (registration)"),
    "registration.question_delete": ("Vraag verwijderd (aanmelding)", "Question deleted (registration)"),
    "evaluation.question_add": ("Vraag toegevoegd (evaluatie)", "Question added (evaluation)"),
    "evaluation.question_update": ("Vraag gewijzigd (evaluatie)", "Question changed (evaluation)"),
    "evaluation.question_delete": ("Vraag verwijderd (evaluatie)", "Question deleted (evaluation)"),
    # programme
    "programme.publish": ("Programmaversie gepubliceerd", "Programme version published"),
    "programme.track.create": ("Track aangemaakt", "Track created"),
    "programme.track.update": ("Track gewijzigd", "Track changed"),
    "programme.room.create": ("Zaal aangemaakt", "Room created"),
    "programme.room.update": ("Zaal gewijzigd", "Room changed"),
    "programme.round.create": ("Inschrijfronde aangemaakt", "Sign-up round created"),
    "programme.round.update": ("Inschrijfronde gewijzigd", "Sign-up round changed"),
    "programme.session.create": ("Sessie aangemaakt", "Session created"),
    "programme.session.update": ("Sessie gewijzigd", "Session changed"),
    "programme.session.move": ("Sessie verplaatst", "Session moved"),
    "programme.session.delete": ("Sessie verwijderd", "Session deleted"),
    "programme.session_created": ("Sessie aangemaakt uit voorstel", "Session created from a proposal"),
    "programme.speaker.create": ("Spreker toegevoegd", "Speaker added"),
    # badges and check-in
    "badge.print_run": ("Badges afgedrukt", "Badges printed"),
    "badge.reissue": ("Badge opnieuw uitgegeven", "Badge reissued"),
    "checkin.admit": ("Binnengelaten", "Checked in"),
    "checkin.by_name": ("Op naam ingecheckt (zonder badge)", "Checked in by name (without a badge)"),
    "checkin.undo": ("Check-in ongedaan gemaakt", "Check-in undone"),
    "checkin.checkout": ("Uitgecheckt", "Checked out"),
    "checkin.station_create": ("Scanstation aangemaakt", "Scanning station created"),
    "checkin.station_revoke": ("Scanstation ingetrokken", "Scanning station revoked"),
    # certificates of attendance
    "certificates.accreditation_add": ("Accreditatie toegevoegd", "Accreditation added"),
    "certificates.accreditation_delete": ("Accreditatie verwijderd", "Accreditation deleted"),
    "certificates.register_number": ("Registratienummer opgegeven", "Registration number given"),
    "certificates.register_number_clear": ("Registratienummer gewist", "Registration number cleared"),
    "certificates.issue": ("Bewijs van deelname uitgegeven", "Certificate of attendance issued"),
    "certificates.records_expired": ("Verificatiegegevens van certificaten verwijderd (bewaartermijn)",
                                     "Certificate verification records removed (retention period)"),
    # call for proposals
    "cfp.settings": ("Instellingen oproep gewijzigd", "Call settings changed"),
    "cfp.tracks": ("Tracks van de oproep gewijzigd", "Tracks of the call changed"),
    "cfp.question_add": ("Vraag toegevoegd (oproep)", "Question added (call)"),
    "cfp.question_update": ("Vraag gewijzigd (oproep)", "Question changed (call)"),
    "cfp.question_delete": ("Vraag verwijderd (oproep)", "Question deleted (call)"),
    "cfp.signup": ("Spreker heeft een account gemaakt", "Speaker signed up"),
    "cfp.signup_existing": ("Aanmelding met bestaand account", "Sign-up with an existing account"),
    "cfp.profile": ("Sprekersprofiel gewijzigd", "Speaker profile changed"),
    "cfp.photo": ("Sprekersfoto gewijzigd", "Speaker photo changed"),
    "cfp.proposal_created": ("Voorstel opgeslagen als concept", "Proposal saved as draft"),
    "cfp.proposal_updated": ("Voorstel gewijzigd", "Proposal changed"),
    "cfp.proposal_submitted": ("Voorstel ingediend", "Proposal submitted"),
    "cfp.proposal_withdrawn": ("Voorstel ingetrokken", "Proposal withdrawn"),
    "cfp.proposal_confirmed": ("Deelname bevestigd door spreker", "Participation confirmed by the speaker"),
    "cfp.co_speaker_invited": ("Medespreker uitgenodigd", "Co-speaker invited"),
    "cfp.co_speaker_joined": ("Medespreker aangesloten", "Co-speaker joined"),
    "cfp.reviewer_assigned": ("Beoordelaar toegewezen", "Reviewer assigned"),
    "cfp.reviewer_unassigned": ("Beoordelaar niet meer toegewezen", "Reviewer unassigned"),
    "cfp.conflict_declared": ("Belangenconflict gemeld", "Conflict of interest declared"),
    "cfp.review_saved": ("Beoordeling opgeslagen", "Review saved"),
    "cfp.decision": ("Besluit genomen", "Decision taken"),
    "cfp.decision_mailed": ("Besluit gemaild", "Decision mailed"),
    "cfp.slides_uploaded": ("Presentatie geüpload", "Slides uploaded"),
    "cfp.speaker_registered": ("Spreker aangemeld voor het congres", "Speaker registered for the congress"),
    # knowledge base
    "archive.item.create": ("Kennisbankitem aangemaakt", "Knowledge item created"),
    "archive.item.edit": ("Kennisbankitem bewerkt", "Knowledge item edited"),
    "archive.item.relate": ("Verwante items gewijzigd", "Related items changed"),
    "archive.item.level_confirm": ("Omgezet erkenningsniveau bevestigd", "Converted recognition level confirmed"),
    "archive.item.draft": ("Teruggezet naar concept", "Set back to draft"),
    "archive.item.in_review": ("Ter redactie aangeboden", "Sent for review"),
    "archive.item.published": ("Kennisbankitem gepubliceerd", "Knowledge item published"),
    "archive.item.withdrawn": ("Kennisbankitem teruggetrokken", "Knowledge item withdrawn"),
    "archive.item.restore": ("Eerdere versie teruggezet", "Earlier version restored"),
    "archive.file.add": ("Bestand toegevoegd", "File added"),
    "archive.file.remove": ("Bestand verwijderd", "File removed"),
    "archive.session.archive": ("Sessie gearchiveerd", "Session archived"),
    "archive.speakers.invite": ("Sprekers uitgenodigd om bij te dragen", "Speakers invited to contribute"),
    "archive.speaker.contribute": ("Bijdrage van spreker ontvangen", "Speaker's contribution received"),
    # mail outbox
    "mail.retry": ("Mislukt bericht opnieuw geprobeerd", "Failed message retried"),
    "mail.resend": ("Bericht opnieuw verstuurd", "Message sent again"),
    # communications: mailings (issue 16)
    "mailing.created": ("Mailing aangemaakt", "Mailing created"),
    "mailing.changed": ("Mailing gewijzigd", "Mailing changed"),
    "mailing.deleted": ("Conceptmailing verwijderd", "Draft mailing deleted"),
    "mailing.sent": ("Mailing verstuurd", "Mailing sent"),
    "mailing.completed": ("Mailing helemaal in de wachtrij gezet", "Mailing fully queued"),
    "mailing.scheduled": ("Geplande mail aangemaakt", "Scheduled mail created"),
    "mailing.schedule_changed": ("Geplande mail gewijzigd", "Scheduled mail changed"),
    "mailing.schedule_paused": ("Geplande mail gepauzeerd", "Scheduled mail paused"),
    "mailing.schedule_resumed": ("Geplande mail hervat", "Scheduled mail resumed"),
    "mailing.schedule_deleted": ("Geplande mail verwijderd", "Scheduled mail deleted"),
    "mailing.schedule_fired": ("Geplande mail verstuurd", "Scheduled mail sent"),
    "mailing.schedule_empty": ("Geplande mail had niemand om naar te sturen", "Scheduled mail had nobody to send to"),
    "mail_text.saved": ("Mailtekst opgeslagen", "Mail text saved"),
    "mail_text.reset": ("Mailtekst teruggezet naar de standaardtekst", "Mail text reset to the default"),
    "mail_text.test_sent": ("Testmail van een mailtekst verstuurd", "Test of a mail text sent"),
    # invitations (issue 16)
    "invitations.import": ("Genodigden geïmporteerd", "Invitees imported"),
    "invitations.list_created": ("Uitnodigingslijst aangemaakt", "Invitation list created"),
    "invitations.list_changed": ("Uitnodigingslijst gewijzigd", "Invitation list changed"),
    "invitations.sent": ("Uitnodigingen verstuurd", "Invitations sent"),
    "invitations.reminded": ("Herinneringen aan genodigden verstuurd", "Reminders sent to invitees"),
    "invitations.declined": ("Uitnodiging afgeslagen", "Invitation declined"),
    # exports of personal data (audit.services.record_export)
    "export.registrations": ("Aanmeldingen geëxporteerd", "Registrations exported"),
    "export.attendance": ("Presentielijst geëxporteerd", "Attendance list exported"),
    "export.attendance_scanned": ("Lijst van wie is gescand geëxporteerd", "List of who was scanned in exported"),
    "export.badges": ("Badges (pdf) gedownload", "Badges (PDF) downloaded"),
    "export.badge": ("Badge (pdf) gedownload", "Badge (PDF) downloaded"),
    "export.certificate_attendance": ("Presentielijst voor een register geëxporteerd",
                                      "Attendance list for a register exported"),
    "export.proposals": ("Voorstellen geëxporteerd", "Proposals exported"),
    "export.submissions": ("Voorstellen geëxporteerd (uitwisseling)", "Proposals exported (exchange)"),
    "export.audit": ("Auditlog geëxporteerd", "Audit log exported"),
    "export.attachment": ("Bijlage van e-mail gedownload", "E-mail attachment downloaded"),
}

# object kind (the model's class name) -> (Dutch, English)
KINDS: dict[str, tuple[str, str]] = {
    "Registration": ("Aanmelding", "Registration"),
    "InvitationList": ("Uitnodigingslijst", "Invitation list"),
    "Invitee": ("Genodigde", "Invitee"),
    "Congress": ("Editie", "Edition"),
    "User": ("Account", "Account"),
    "ApiToken": ("API-sleutel", "API token"),
    "Track": ("Track", "Track"),
    "Room": ("Zaal", "Room"),
    "SignupRound": ("Inschrijfronde", "Sign-up round"),
    "ProgrammeSession": ("Sessie", "Session"),
    "ProgrammeVersion": ("Programmaversie", "Programme version"),
    "Person": ("Persoon", "Person"),
    "Question": ("Vraag", "Question"),
    "PrintRun": ("Printopdracht", "Print run"),
    "Station": ("Scanstation", "Scanning station"),
    "CheckIn": ("Check-in", "Check-in"),
    "Proposal": ("Voorstel", "Proposal"),
    "ReviewAssignment": ("Toewijzing beoordelaar", "Reviewer assignment"),
    "CfpSettings": ("Instellingen oproep", "Call settings"),
    "KnowledgeItem": ("Kennisbankitem", "Knowledge item"),
    "OutboxMessage": ("E-mailbericht", "E-mail message"),
    "Mailing": ("Mailing", "Mailing"),
    "MailText": ("Mailtekst", "Mail text"),
}

# a detail's or a field's name -> (Dutch, English)
FIELDS: dict[str, tuple[str, str]] = {
    # invitations
    "rows": ("Rijen", "Rows"), "imported": ("Geïmporteerd", "Imported"), "refused": ("Geweigerd", "Refused"),
    "queued": ("In de wachtrij", "Queued"), "reserved_places": ("Gereserveerde plaatsen", "Reserved places"),
    "reserved_until": ("Gereserveerd tot", "Reserved until"),
    # mailings
    "subject": ("Onderwerp", "Subject"), "recipients": ("Ontvangers", "Recipients"),
    "skipped_unsubscribed": ("Overgeslagen (afgemeld)", "Skipped (unsubscribed)"),
    "audience": ("Doelgroep", "Audience"),
    "kind": ("Soort mail", "Kind of mail"),
    "count": ("Aantal", "Count"), "format": ("Formaat", "Format"), "layout": ("Opmaak", "Layout"),
    "reason": ("Reden", "Reason"), "source": ("Bron", "Source"), "status": ("Status", "Status"),
    "sessions": ("Sessies", "Sessions"), "session_id": ("Sessie", "Session"), "target": ("Doel", "Target"),
    "override": ("Boven capaciteit", "Beyond capacity"), "removed": ("Verwijderd", "Removed"),
    "added": ("Toegevoegd", "Added"), "fields": ("Velden", "Fields"), "old": ("Was", "Was"),
    "new": ("Wordt", "Now"), "roles": ("Rollen", "Roles"), "name": ("Naam", "Name"), "scope": ("Bereik", "Scope"),
    "slug": ("Korte naam", "Slug"), "sectors": ("Sectoren", "Sectors"), "label": ("Vraag", "Question"),
    "changed": ("Gewijzigd", "Changed"), "track_ids": ("Tracks", "Tracks"), "number": ("Nummer", "Number"),
    "title": ("Titel", "Title"), "room_before": ("Zaal eerst", "Room before"), "decision": ("Besluit", "Decision"),
    "reviewer_id": ("Beoordelaar", "Reviewer"), "review_id": ("Beoordeling", "Review"),
    "invitation_id": ("Uitnodiging", "Invitation"), "upload_id": ("Upload", "Upload"), "size": ("Grootte", "Size"),
    "person_id": ("Persoon", "Person"), "proposal_id": ("Voorstel", "Proposal"), "list": ("Lijst", "List"),
    "checkin": ("Check-in", "Check-in"), "registration": ("Aanmelding", "Registration"),
    "key": ("Sleutel", "Key"), "type": ("Soort", "Type"), "version": ("Versie", "Version"),
    "related": ("Verwante items", "Related items"), "previous": ("Vorige status", "Previous status"),
    "restored": ("Teruggezette versie", "Restored version"), "file": ("Bestand", "File"),
    "sha256": ("Controlegetal (SHA-256)", "Checksum (SHA-256)"), "message_id": ("Bericht", "Message"),
    "recipient": ("Ontvanger", "Recipient"), "filters": ("Filters", "Filters"),
    "demo": ("Demogegevens", "Demo data"),
    "signin_session": ("Inlogsessie", "Sign-in session"),
    "except_current": ("Behalve deze sessie", "Except this session"),
    "reset_links": ("Links voor een nieuw wachtwoord ingetrokken", "Password-reset links ended"),
    "method": ("Manier van inloggen", "Sign-in method"),
    "left": ("Ongebruikte herstelcodes over", "Unused recovery codes left"),
    "reset_by": ("Hersteld door (gebruiker)", "Reset by (user)"),
    # the knowledge base's versioned fields (archive.services.VERSIONED)
    "summary": ("Samenvatting", "Summary"), "body": ("Tekst", "Text"), "congress_id": ("Editie", "Edition"),
    "track_id": ("Track", "Track"), "authors": ("Auteurs", "Authors"),
    "organisations": ("Organisaties", "Organisations"),
    "links": ("Links", "Links"), "language": ("Taal", "Language"), "licence": ("Licentie", "Licence"),
    "publication_date": ("Publicatiedatum", "Publication date"),
    "evidence_status": ("Erkenningsniveau", "Recognition level"), "setting": ("Setting", "Setting"),
    "aim": ("Doel", "Aim"), "approach": ("Aanpak", "Approach"),
    "active_ingredients": ("Werkzame elementen", "Active ingredients"),
    "implementers": ("Uitvoerende organisaties", "Implementing organisations"),
    "tested_at": ("Waar getest", "Where it was tested"), "manual": ("Handboek of handleiding", "Handbook or manual"),
    "manual_url": ("Adres van het handboek", "Address of the handbook"),
    "databank_url": ("Databank effectieve interventies", "Databank of effective interventions"),
    "level": ("Erkenningsniveau", "Recognition level"),
    "evaluations": ("Evaluaties", "Evaluations"),
    "tags": ("Trefwoorden", "Tags"), "factors": ("Beschermende factoren", "Protective factors"),
    "target_groups": ("Doelgroepen", "Target groups"), "at": ("Tijdstip", "Time"),
    # a registration's fields (registration.update names them)
    "email": ("E-mailadres", "E-mail address"), "organisation": ("Organisatie", "Organisation"),
    "function": ("Functie", "Function"), "sector_id": ("Sector", "Sector"),
    "dietary": ("Dieetwensen", "Dietary wishes"),
    "accessibility": ("Toegankelijkheid", "Accessibility needs"), "answers": ("Antwoorden", "Answers"),
    "consent_attendee_list": ("Op de deelnemerslijst", "On the attendee list"),
    "consent_photos": ("Toestemming foto's", "Consent to photos"), "role": ("Badgerol", "Badge role"),
}

# details whose values are themselves field names ("fields": ["dietary"]) -> shown by their labels
FIELD_LISTS = frozenset({"fields", "changed"})

# values worth a word, whatever field they are in -> (Dutch, English)
VALUES: dict[str, tuple[str, str]] = {
    "confirmed": ("bevestigd", "confirmed"), "pending": ("onbevestigd", "unconfirmed"),
    "waitlisted": ("op de wachtlijst", "on the waiting list"), "cancelled": ("geannuleerd", "cancelled"),
    "enrolled": ("ingeschreven", "enrolled"), "draft": ("concept", "draft"), "in_review": ("ter redactie", "in review"),
    "published": ("gepubliceerd", "published"), "withdrawn": ("teruggetrokken", "withdrawn"),
    "accepted": ("geaccepteerd", "accepted"), "rejected": ("afgewezen", "rejected"),
    "submitted": ("ingediend", "submitted"),
    "web": ("website", "website"), "form": ("aanmeldformulier", "registration form"),
    "manual": ("door de organisatie", "by the organisers"), "expired": ("verlopen", "expired"),
    "erased": ("gewist", "erased"), "deelnemer": ("deelnemer", "attendee"), "spreker": ("spreker", "speaker"),
    "api": ("API", "API"), "speaker": ("spreker", "speaker"), "cfp": ("oproep", "call"),
    "admin": ("beheerder", "administrator"), "organiser": ("organisator", "organiser"),
    "track_manager": ("trackmanager", "track manager"), "reviewer": ("beoordelaar", "reviewer"),
    "checkin": ("check-inmedewerker", "check-in staff"), "attendee": ("deelnemer", "attendee"),
    "venue": ("entree", "venue entrance"), "csv": ("CSV", "CSV"), "xlsx": ("Excel (XLSX)", "Excel (XLSX)"),
    "pdf": ("PDF", "PDF"), "json": ("JSON", "JSON"), "in_ontwikkeling": ("in ontwikkeling", "in development"),
    "getest": ("getest", "tested"), "bewezen_effectief": ("bewezen effectief", "proven effective"),
    "nog_niet_beoordeeld": ("nog niet beoordeeld", "not yet assessed"),
    "goed_beschreven": ("goed beschreven", "well described"), "goed_onderbouwd": ("goed onderbouwd", "well founded"),
    "effectief_eerste": ("effectief – eerste aanwijzingen", "effective – first indications"),
    "effectief_goede": ("effectief – goede aanwijzingen", "effective – good indications"),
    "effectief_sterke": ("effectief – sterke aanwijzingen", "effective – strong indications"),
    # why a sign-in session ended (accounts.sessions.REASONS)
    "signed-out": ("afgemeld", "signed out"),
    "ended": ("afgemeld vanuit een andere sessie", "signed out from another session"),
    "signed-out-everywhere": ("overal afgemeld", "signed out everywhere"),
    "ended-by-staff": ("door de organisatie beëindigd", "ended by the organisers"),
    "password-changed": ("wachtwoord gewijzigd", "password changed"),
    "roles-changed": ("rollen gewijzigd", "roles changed"),
    "deactivated": ("account gedeactiveerd", "account deactivated"),
    "renewed": ("vernieuwd", "renewed"), "idle": ("te lang niet gebruikt", "idle too long"),
    "password": ("wachtwoord", "password"),
    # how someone signed in (accounts.signin.METHODS) and why a code was refused
    "link": ("link uit een e-mail", "link from an e-mail"),
    "password+totp": ("wachtwoord en code uit de app", "password and app code"),
    "password+recovery-code": ("wachtwoord en herstelcode", "password and recovery code"),
    "totp": ("code uit een authenticator-app", "authenticator app code"),
    "wrong-code": ("verkeerde code", "wrong code"), "wrong-password": ("verkeerd wachtwoord", "wrong password"),
    # single sign-on (accounts.oidc): the methods, where a grant came from, why a sign-on was refused
    "oidc": ("single sign-on van de organisatie", "the organisation's single sign-on"),
    "oidc+mfa": ("single sign-on met tweede factor bij de organisatie",
                 "single sign-on with the organisation's second factor"),
    "oidc+totp": ("single sign-on en code uit de app", "single sign-on and app code"),
    "oidc+recovery-code": ("single sign-on en herstelcode", "single sign-on and recovery code"),
    "local-login-off": ("inloggen met wachtwoord staat uit voor medewerkers", "password sign-in is off for staff"),
    "state": ("onbekende, verlopen of herhaalde aanvraag", "unknown, expired or replayed request"),
    "provider-error": ("geweigerd door de aanbieder", "refused by the provider"),
    "audience": ("token voor een andere toepassing", "token for another application"),
    "token": ("token niet te controleren", "token could not be verified"),
    "no-group": ("geen groep met een rol", "no group that gives a role"),
    "no-email": ("geen e-mailadres", "no e-mail address"),
    "email-taken": ("e-mailadres al in gebruik", "e-mail address already in use"),
    "inactive": ("account gedeactiveerd", "account deactivated"),
    "unavailable": ("aanbieder niet bereikbaar", "provider unreachable"),
    "conflict": ("twee keer tegelijk", "twice at the same time"),
}


def action_label(code: str, locale: str | None = None) -> str:
    """The action's name in ``locale``; an unknown code is shown as it is (never an error)."""
    pair = ACTIONS.get(code)
    return pick(*pair, locale) if pair else code


def kind_label(kind: str, locale: str | None = None) -> str:
    pair = KINDS.get(kind)
    return pick(*pair, locale) if pair else kind


def field_label(name: str, locale: str | None = None) -> str:
    pair = FIELDS.get(name)
    return pick(*pair, locale) if pair else name.replace("_", " ").capitalize()


def value_label(value: str, locale: str | None = None) -> str | None:
    pair = VALUES.get(value)
    return pick(*pair, locale) if pair else None
