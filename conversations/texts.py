"""Everything the bot says, in one place, so wording can be reviewed and changed together.

Texts are Telegram HTML. Placeholders are filled with :func:`fill`, which escapes every
value, so data (names, office names, catalogue text) can never break the markup.
"""

from __future__ import annotations

from html import escape

# --- general ---------------------------------------------------------------------------------

ERROR = (
    "Entschuldigung, da ist etwas schiefgelaufen. Bitte versuchen Sie es in einigen Minuten "
    "noch einmal."
)
ERROR_NOTICE = (
    "⚠️ <b>Unerwarteter Fehler im Bot</b>\n"
    "Art: <code>{kind}</code>\n"
    "{detail}\n\n"
    "Fehler dieser Art werden höchstens einmal pro Stunde gemeldet; Einzelheiten stehen im Log."
)
STALE_BUTTON = "Diese Schaltfläche ist nicht mehr gültig."
UNKNOWN_COMMAND = "Diesen Befehl kenne ich nicht. /hilfe zeigt, was Sie hier tun können."
NOT_UNDERSTOOD = "Das habe ich nicht verstanden. /hilfe zeigt, was Sie hier tun können."
COORDINATORS_ONLY = "Dieser Befehl ist der Koordinierungsstelle vorbehalten."
PRIVATE_ONLY = "Bitte nutzen Sie diesen Befehl im privaten Chat mit mir."

# --- strangers and onboarding ----------------------------------------------------------------

ABOUT = (
    "Guten Tag! Ich bin der Bot der Stadt Mainz für das <b>Monitoring des "
    "Integrationskonzepts</b>. Die zuständigen Ämter berichten hier über den Stand ihrer "
    "Maßnahmen, die Koordinierungsstelle behält den Überblick."
)
STRANGER = (
    "Sie sind noch nicht freigeschaltet. Bitte wenden Sie sich an die Koordinierungsstelle im "
    "Büro für Migration und Integration: Dort erhalten Sie einen persönlichen Einladungslink."
)
DEACTIVATED = (
    "Ihr Zugang ist deaktiviert. Wenn Sie wieder mitarbeiten möchten, bitten Sie die "
    "Koordinierungsstelle um eine neue Einladung."
)
INVITATION_UNKNOWN = (
    "Dieser Einladungslink ist ungültig. Bitte prüfen Sie, ob Sie den ganzen Link geöffnet "
    "haben, oder bitten Sie die Koordinierungsstelle um einen neuen."
)
INVITATION_USED = (
    "Dieser Einladungslink wurde bereits verwendet; jeder Link gilt nur einmal. Bitte bitten "
    "Sie die Koordinierungsstelle um einen neuen."
)
INVITATION_EXPIRED = (
    "Dieser Einladungslink ist abgelaufen. Bitte bitten Sie die Koordinierungsstelle um "
    "einen neuen."
)
WELCOME_CONTACT = "Willkommen, {name}! Sie sind jetzt Ansprechperson für: {offices}."
WELCOME_COORDINATOR = "Willkommen, {name}! Sie sind jetzt für die Koordinierungsstelle eingetragen."
GREETING = "Guten Tag, {name}!"
ROLE_CONTACT = "Sie berichten für: {offices}."
ROLE_COORDINATOR = "Sie sind für die Koordinierungsstelle eingetragen."
HELP_HEADER = "<b>Das können Sie hier tun:</b>"
HELP_LINE = "/{command} – {description}"
HELP_STRANGER = "/start – Einladungslink einlösen\n/datenschutz – Was gespeichert wird"

PRIVACY = (
    "<b>Datenschutz</b>\n\n"
    "Gespeichert wird nur, was für das Monitoring nötig ist:\n"
    "• Ihre Telegram-Kennung und Ihr Anzeigename, damit der Bot Sie erkennt und "
    "Berichte zuordnen kann;\n"
    "• Ihre Rolle und die Ämter, für die Sie berichten;\n"
    "• Ihre Berichte mit Datum, Amt und Verfasser, damit der Verlauf nachvollziehbar bleibt.\n\n"
    "Zweck ist allein die Begleitung des Integrationskonzepts durch die Koordinierungsstelle. "
    "Die Daten liegen auf Servern der Stadt; Nachrichten laufen über Telegram.\n\n"
    "Mit /abmelden löschen Sie Ihr Konto: Name und Telegram-Kennung werden entfernt. Ihre "
    "Berichte bleiben als Berichte Ihres Amtes erhalten."
)
SIGN_OFF_CONFIRM = (
    "Möchten Sie Ihr Konto wirklich löschen? Ihr Name und Ihre Telegram-Kennung werden "
    "entfernt; Ihre Berichte bleiben als Berichte Ihres Amtes erhalten."
)
SIGN_OFF_YES = "Ja, Konto löschen"
SIGN_OFF_NO = "Nein, behalten"
SIGN_OFF_DONE = "Ihr Konto wurde gelöscht. Vielen Dank für Ihre Mitarbeit!"
SIGN_OFF_KEPT = "Ihr Konto bleibt bestehen."

# --- coordinators: people ------------------------------------------------------------------

INVITE_CHOOSE = "Wen möchten Sie einladen? Bitte wählen Sie das Amt."
INVITE_COORDINATOR_BUTTON = "Koordinierungsstelle (Koordination)"
INVITE_CREATED = (
    "Einladung für <b>{target}</b>, gültig bis {until}.\n"
    "Bitte geben Sie diesen Link persönlich weiter; er gilt nur einmal:\n{link}"
)
INVITE_TARGET_COORDINATOR = "die Koordinierungsstelle"
INVITE_NO_OFFICES = "Es sind keine Ämter angelegt. Bitte zuerst 'monitoring-bot init' ausführen."
ROSTER_HEADER = "<b>Ansprechpersonen je Amt</b>"
ROSTER_OFFICE = "<b>{office}</b>"
ROSTER_PERSON = "• {name}"
ROSTER_NOBODY = "<b>Ämter ohne Ansprechperson ({count}):</b>"
ROSTER_NOBODY_LINE = "• {office}"
ROSTER_COORDINATORS = "<b>Koordinierungsstelle:</b> {names}"
ROSTER_HINT = "Einladen: /einladen · Zugang sperren: /deaktivieren"
DEACTIVATE_CHOOSE = "Wessen Zugang möchten Sie deaktivieren?"
DEACTIVATE_NOBODY = "Es gibt niemanden, den Sie deaktivieren könnten."
DEACTIVATE_CONFIRM = "Zugang von <b>{name}</b> ({offices}) deaktivieren?"
DEACTIVATE_YES = "Ja, deaktivieren"
DEACTIVATE_NO = "Abbrechen"
DEACTIVATE_DONE = (
    "Der Zugang von <b>{name}</b> ist deaktiviert. Mit /einladen können Sie die Person "
    "erneut einladen."
)
DEACTIVATE_CANCELLED = "Nichts geändert."
DEACTIVATE_SELF = "Sich selbst können Sie nicht deaktivieren; dafür gibt es /abmelden."
DEACTIVATE_GONE = "Diese Person ist nicht mehr aktiv."
NO_OFFICE = "ohne Amt"
COORDINATION = "Koordination"

# --- command line ----------------------------------------------------------------------------

CLI_INVITE_LINK = "Einladungslink für {target} (gültig bis {until}, nur einmal verwendbar):"


def fill(template: str, **values: object) -> str:
    """``template`` with each value HTML-escaped (templates themselves may hold markup)."""
    return template.format(
        **{key: escape(str(value), quote=False) for key, value in values.items()}
    )


def join_names(names: list[str]) -> str:
    """'A', 'A und B', 'A, B und C'."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " und " + names[-1]
