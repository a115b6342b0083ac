"""Demo data of the event site (idempotent): the upcoming edition of the Agenda Veerkrachtige & Weerbare
Samenleving congress gets its practical information, an accent colour, a logo drawn here (no file from
elsewhere) and six questions and answers, in Dutch and English, through the services."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from congress.core import services as core

UPCOMING = "congres-2025"
ACCENT = "#00695c"  # white text on it: 6.6:1

TRAVEL_NL = (
    "De Jaarbeurs ligt naast station Utrecht Centraal: volg de borden ‘Jaarbeurszijde’, de ingang is vijf minuten "
    "lopen. Komt u met de auto, parkeer dan in de Jaarbeursgarage P1 (betaald; op de dag zelf is het druk, "
    "reserveer vooraf). Voor fietsen is er een bewaakte stalling onder het Jaarbeursplein.")
TRAVEL_EN = (
    "The Jaarbeurs is next to Utrecht Centraal station: follow the signs ‘Jaarbeurszijde’; the entrance is a "
    "five-minute walk. By car, park in the Jaarbeurs garage P1 (paid; it is busy on the day, book ahead). There "
    "is a guarded bicycle park under the Jaarbeursplein.")
ACCESSIBILITY_NL = (
    "Alle zalen zijn drempelvrij en met liften bereikbaar; er zijn aangepaste toiletten op elke verdieping. De "
    "plenaire zaal heeft een ringleiding en de opening wordt live ondertiteld. Er is een stiltekamer naast de "
    "registratiebalie. Parkeerplaatsen voor mensen met een beperking zijn bij de hoofdingang. Geef uw wensen op "
    "bij de aanmelding, dan houden wij er rekening mee.")
ACCESSIBILITY_EN = (
    "Every room is step-free and reached by lift; there are accessible toilets on each floor. The plenary hall "
    "has an induction loop and the opening is subtitled live. A quiet room is next to the registration desk. "
    "Disabled parking is by the main entrance. Tell us what you need when you register and we will arrange it.")

FAQS = [
    ("Wat kost deelname aan het congres?",
     "Deelname is kosteloos. Het congres wordt georganiseerd binnen de Agenda Veerkrachtige & Weerbare "
     "Samenleving; lunch en koffie zijn inbegrepen.",
     "What does taking part cost?",
     "Taking part is free of charge. The congress is organised within the Agenda for a Resilient Society; lunch "
     "and coffee are included."),
    ("Kan ik mijn workshopkeuze nog wijzigen?",
     "Ja. Via de persoonlijke link in uw bevestigingsmail kiest u andere workshops, zolang er plaats is en de "
     "aanmelding open staat.\n\nIs een workshop vol, dan kunt u zich op de wachtlijst zetten; komt er een plaats "
     "vrij, dan krijgt u bericht.",
     "Can I still change my choice of workshops?",
     "Yes. The personal link in your confirmation e-mail lets you choose other workshops while there are places "
     "and registration is open.\n\nWhen a workshop is full you can join its waiting list; you hear from us when "
     "a place comes free."),
    ("Ik ben verhinderd. Wat moet ik doen?",
     "Meld u af via uw persoonlijke link. Uw plaats gaat dan naar de eerste op de wachtlijst; zo kan een collega "
     "alsnog komen.",
     "I cannot come after all. What should I do?",
     "Cancel through your personal link. Your place then goes to the first person on the waiting list, so that "
     "a colleague can still come."),
    ("Krijg ik een bewijs van deelname of accreditatie?",
     "Na afloop ontvangt u een certificaat met de uren die u aanwezig was, op basis van het scannen van uw badge "
     "bij de zalen. Voor een aantal beroepsregisters is accreditatie aangevraagd; vermeld uw registratienummer "
     "bij de aanmelding.",
     "Do I get a certificate of attendance or accreditation?",
     "Afterwards you receive a certificate with the hours you attended, from the scans of your badge at the "
     "rooms. Accreditation has been requested for several professional registers; give your register number "
     "when you register."),
    ("Wordt er rekening gehouden met dieetwensen?",
     "Ja. Geef bij de aanmelding aan wat u niet eet of drinkt; de lunch is vegetarisch, met veganistische en "
     "glutenvrije keuzes.",
     "Are dietary requirements taken into account?",
     "Yes. Tell us when you register what you do not eat or drink; lunch is vegetarian, with vegan and "
     "gluten-free choices."),
    ("Worden de sessies opgenomen?",
     "De plenaire sessies worden opgenomen en daarna in de kennisbank gepubliceerd, als de sprekers daarvoor "
     "toestemming geven. Workshops worden niet opgenomen: daar is ruimte om vrijuit te praten over casuïstiek.",
     "Are the sessions recorded?",
     "The plenary sessions are recorded and published in the knowledge base afterwards, when the speakers agree. "
     "Workshops are not recorded: they leave room to talk freely about cases."),
]


def demo_logo() -> bytes:
    """A simple logo drawn with Pillow: three arcs rising from a base (growing resilience) beside the name."""
    width, height, scale = 540, 124, 2
    image = Image.new("RGBA", (width * scale, height * scale), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    accent, dark = (0x00, 0x69, 0x5c, 255), (0x0b, 0x2a, 0x4a, 255)
    cx, base = 92 * scale, 104 * scale
    for index, radius in enumerate((86, 61, 36)):
        r = radius * scale
        draw.arc((cx - r, base - r, cx + r, base + r), 180, 360, fill=dark if index == 1 else accent,
                 width=13 * scale)
    draw.rounded_rectangle((cx - 92 * scale, base, cx + 92 * scale, base + 13 * scale), radius=6 * scale,
                           fill=accent)
    draw.text((204 * scale, 14 * scale), "Veerkrachtig", font=ImageFont.load_default(size=50 * scale), fill=dark)
    draw.text((206 * scale, 78 * scale), "& Weerbaar · congres", font=ImageFont.load_default(size=30 * scale),
              fill=accent)
    image = image.resize((width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.quantize(colors=64, method=Image.Quantize.FASTOCTREE).save(out, "PNG", optimize=True)
    return out.getvalue()


def load(report: list[str]) -> None:
    congress = core.congress_by_slug(UPCOMING)
    if congress is None or congress.is_archived:
        return
    if congress.faqs:
        report.append(f"Event site of {UPCOMING} exists; left as it is.")
        return
    core.update_congress(congress, travel_nl=TRAVEL_NL, travel_en=TRAVEL_EN, accessibility_nl=ACCESSIBILITY_NL,
                         accessibility_en=ACCESSIBILITY_EN, accent_colour=ACCENT)
    core.set_logo(congress, demo_logo())
    for question_nl, answer_nl, question_en, answer_en in FAQS:
        core.add_faq(congress, question_nl=question_nl, answer_nl=answer_nl, question_en=question_en,
                     answer_en=answer_en)
    report.append(f"Event site of {UPCOMING}: practical information, accent colour, logo and {len(FAQS)} questions.")
