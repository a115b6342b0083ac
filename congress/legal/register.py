"""The processing register: one declaration of what Congres stores about people, why, on which legal
basis (AVG/GDPR article 6), how long and who sees it.

The CSV export (``/manage/privacy/register.csv``) and the default privacy statement are both made
from :data:`PROCESSINGS`, so that they never disagree. The texts are the statement's content, not
the interface's: each is given in Dutch and English side by side (``nl``, ``en``).
"""

from __future__ import annotations

from dataclasses import dataclass

from congress.i18n import pick

RETENTION_AFTER_END = "after_end"  # anonymised the edition's retention period after its end
RETENTION_ACCOUNT = "account"  # as long as the account exists
RETENTION_ARCHIVE = "archive"  # kept in the knowledge archive (public by nature)


@dataclass(frozen=True)
class Text:
    nl: str
    en: str

    def __call__(self, locale: str) -> str:
        return pick(self.nl, self.en, locale)


@dataclass(frozen=True)
class Processing:
    key: str
    category: Text  # which people and which data
    fields: Text  # the fields stored
    purpose: Text
    legal_basis: Text
    retention: str  # one of the RETENTION_* kinds
    recipients: Text  # who sees it
    capability: str  # where it is stored (the capability that owns the table)


PUBLIC_TASK = Text("AVG art. 6 lid 1 sub e: taak van algemeen belang (het organiseren van het congres)",
                   "GDPR art. 6(1)(e): a task carried out in the public interest (organising the congress)")
CONSENT = Text("AVG art. 6 lid 1 sub a: toestemming, die u altijd kunt intrekken",
               "GDPR art. 6(1)(a): consent, which you may withdraw at any time")
EXPLICIT_CONSENT = Text(
    "AVG art. 6 lid 1 sub a en art. 9 lid 2 sub a: uw uitdrukkelijke toestemming (u vult dit vrijwillig in)",
    "GDPR art. 6(1)(a) and art. 9(2)(a): your explicit consent (filling this in is voluntary)")
LEGAL_OBLIGATION = Text("AVG art. 6 lid 1 sub c en e: wettelijke verplichting tot verantwoording en beveiliging",
                        "GDPR art. 6(1)(c) and (e): the legal obligation to account for and secure the system")

PROCESSINGS: tuple[Processing, ...] = (
    Processing(
        "registration",
        Text("Deelnemers: aanmelding", "Attendees: registration"),
        Text("naam, e-mailadres, organisatie, functie, sector, antwoorden op de vragen van het aanmeldformulier, "
             "taal, gekozen workshops en plaats op de wachtlijst, status en tijdstippen van de aanmelding",
             "name, e-mail address, organisation, job title, sector, answers to the registration form's questions, "
             "language, chosen workshops and waiting-list place, status and times of the registration"),
        Text("uw aanmelding verwerken, plaatsen in workshops toewijzen, u berichten over het congres sturen, "
             "uw badge en e-ticket maken",
             "handling your registration, assigning workshop places, sending you messages about the congress, "
             "making your badge and e-ticket"),
        PUBLIC_TASK, RETENTION_AFTER_END,
        Text("de organisatoren van deze editie; de medewerkers bij de ingang zien naam en organisatie",
             "the organisers of this edition; the staff at the entrance see name and organisation"),
        "registration",
    ),
    Processing(
        "registration_needs",
        Text("Deelnemers: dieetwensen en toegankelijkheid", "Attendees: dietary and accessibility needs"),
        Text("dieetwensen, toegankelijkheidsbehoeften", "dietary wishes, accessibility needs"),
        Text("de catering en de zalen op uw wensen en behoeften afstemmen",
             "adapting the catering and the rooms to your wishes and needs"),
        EXPLICIT_CONSENT, RETENTION_AFTER_END,
        Text("de organisatoren; cateraar en locatie krijgen alleen een overzicht zonder namen",
             "the organisers; the caterer and the venue receive a summary without names only"),
        "registration",
    ),
    Processing(
        "registration_consents",
        Text("Deelnemers: deelnemerslijst en foto's", "Attendees: attendee list and photos"),
        Text("toestemming voor de deelnemerslijst en voor foto's", "consent to the attendee list and to photos"),
        Text("uw naam en organisatie op de deelnemerslijst zetten; foto's van het congres gebruiken",
             "showing your name and organisation on the attendee list; using photos of the congress"),
        CONSENT, RETENTION_AFTER_END,
        Text("de andere deelnemers (deelnemerslijst); bezoekers van de website (foto's)",
             "the other attendees (attendee list); visitors of the website (photos)"),
        "registration",
    ),
    Processing(
        "checkin",
        Text("Deelnemers: aanwezigheid", "Attendees: attendance"),
        Text("tijdstip van binnenkomst en van de scan per sessie, scanstation, de medewerker die scande",
             "time of entry and of the scan per session, scanning station, the staff member who scanned"),
        Text("toegang tot het congres en de workshops, bezetting en veiligheid (ontruiming)",
             "access to the congress and the workshops, occupancy and safety (evacuation)"),
        PUBLIC_TASK, RETENTION_AFTER_END,
        Text("de organisatoren en de medewerkers bij de ingang", "the organisers and the staff at the entrance"),
        "checkin",
    ),
    Processing(
        "mail",
        Text("Deelnemers en sprekers: verzonden e-mail", "Attendees and speakers: e-mail sent"),
        Text("e-mailadres, onderwerp en inhoud van de berichten, bijlagen (e-ticket), afleverstatus",
             "e-mail address, subject and content of the messages, attachments (e-ticket), delivery status"),
        Text("berichten afleveren en aantonen dat ze verstuurd zijn", "delivering messages and showing they were sent"),
        PUBLIC_TASK, RETENTION_AFTER_END,
        Text("de organisatoren; de mailserver die de berichten aflevert",
             "the organisers; the mail server that delivers the messages"),
        "mail",
    ),
    Processing(
        "speaker_private",
        Text("Sprekers: contactgegevens en voorstellen", "Speakers: contact details and proposals"),
        Text("e-mailadres, notities voor de organisatie, antwoorden op de vragen van de call for proposals, "
             "uitnodigingen aan medesprekers",
             "e-mail address, notes for the organisers, answers to the call for proposals' questions, "
             "invitations to co-speakers"),
        Text("voorstellen beoordelen, het programma samenstellen en sprekers berichten sturen",
             "reviewing proposals, composing the programme and sending speakers messages"),
        PUBLIC_TASK, RETENTION_AFTER_END,
        Text("de organisatoren, spoorbeheerders en beoordelaars", "the organisers, track managers and reviewers"),
        "cfp",
    ),
    Processing(
        "speaker_public",
        Text("Sprekers: openbaar profiel", "Speakers: public profile"),
        Text("naam, organisatie, functie, korte biografie, foto, sessies en presentaties",
             "name, organisation, job title, short biography, photo, sessions and slides"),
        Text("het programma en de kennisbank laten zien wie wat vertelde",
             "showing in the programme and the knowledge base who said what"),
        Text("AVG art. 6 lid 1 sub e en art. 89: algemeen belang en archivering (kennisbank)",
             "GDPR art. 6(1)(e) and art. 89: public interest and archiving (knowledge base)"),
        RETENTION_ARCHIVE,
        Text("iedereen (openbaar)", "everyone (public)"),
        "archive",
    ),
    Processing(
        "staff",
        Text("Medewerkers: accounts en logboek", "Staff: accounts and audit log"),
        Text("naam, e-mailadres, rollen, wachtwoord (alleen als hash), wie wat wanneer deed",
             "name, e-mail address, roles, password (as a hash only), who did what and when"),
        Text("toegang tot het beheer en verantwoording van wijzigingen",
             "access to the back office and accountability for changes"),
        LEGAL_OBLIGATION, RETENTION_ACCOUNT,
        Text("de beheerders", "the administrators"),
        "accounts",
    ),
)


def retention_text(processing: Processing, locale: str, months: int | None = None) -> str:
    """How long, in words; ``months`` is the edition's period (None: "per edition")."""
    if processing.retention == RETENTION_ACCOUNT:
        return pick("zolang het account bestaat", "as long as the account exists", locale)
    if processing.retention == RETENTION_ARCHIVE:
        return pick("blijft in het archief van het congres (de kennisbank)",
                    "kept in the congress's archive (the knowledge base)", locale)
    if months is None:
        return pick("geanonimiseerd een per editie ingestelde termijn na afloop (standaard 12 maanden); "
                    "aantallen blijven bewaard",
                    "anonymised a period set per edition after it ends (12 months by default); counts are kept",
                    locale)
    return pick(f"geanonimiseerd {months} maanden na afloop van het congres; aantallen blijven bewaard",
                f"anonymised {months} months after the congress ends; counts are kept", locale)
