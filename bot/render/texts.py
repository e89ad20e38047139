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
COORDINATORS_ONLY = "Dieser Befehl ist der Koordinierungsstelle vorbehalten."
PRIVATE_ONLY = "Bitte nutzen Sie diesen Befehl im privaten Chat mit mir."

# --- strangers and onboarding ----------------------------------------------------------------

# see about(): "{of_city}" is ABOUT_OF_CITY or nothing
ABOUT = (
    "Guten Tag! Ich bin der Bot{of_city} für das <b>Monitoring des "
    "Integrationskonzepts</b>. Die zuständigen Ämter berichten hier über den Stand ihrer "
    "Maßnahmen, die Koordinierungsstelle behält den Überblick."
)
# without the configured office and contact line; see stranger()
STRANGER = (
    "Sie sind noch nicht freigeschaltet. Bitte wenden Sie sich an die Koordinierungsstelle: "
    "Dort erhalten Sie einen persönlichen Einladungslink."
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
    "Dieser Einladungslink wurde bereits verwendet; jeder Link gilt nur einmal. Einen neuen "
    "erhalten Sie bei der Koordinierungsstelle."
)
INVITATION_EXPIRED = (
    "Dieser Einladungslink ist abgelaufen. Einen neuen erhalten Sie bei der Koordinierungsstelle."
)
WELCOME_CONTACT = "Willkommen, {name}! Sie sind jetzt Ansprechperson für: {offices}."
WELCOME_COORDINATOR = "Willkommen, {name}! Sie sind jetzt für die Koordinierungsstelle eingetragen."
INVITATION_USED_CONTACT = (
    "{name} hat Ihre Einladung angenommen und ist jetzt Ansprechperson für {office}."
)
INVITATION_USED_COORDINATOR = (
    "{name} hat Ihre Einladung angenommen und ist jetzt für die Koordinierungsstelle eingetragen."
)
GREETING = "Guten Tag, {name}!"
ROLE_CONTACT = "Sie berichten für: {offices}."
ROLE_COORDINATOR = "Sie sind für die Koordinierungsstelle eingetragen."
HELP_HEADER = "<b>Das können Sie hier tun:</b>"
HELP_LINE = "/{command} – {description}"
HELP_STRANGER = "/start – Einladungslink einlösen\n/datenschutz – Was gespeichert wird"

# see privacy(): "{officer}" is PRIVACY_OFFICER or nothing
PRIVACY = (
    "<b>Datenschutz</b>\n\n"
    "<b>Verantwortlich:</b> {controller}{officer}\n\n"
    "Gespeichert wird nur, was für das Monitoring nötig ist:\n"
    "• Ihre Telegram-Kennung und Ihr Anzeigename, damit der Bot Sie erkennt und "
    "Berichte zuordnen kann;\n"
    "• Ihre Rolle und die Ämter, für die Sie berichten;\n"
    "• Ihre Berichte und Belege (Fotos, Dokumente, Sprachnachrichten) mit Datum, Amt und "
    "Verfasser, damit der Verlauf nachvollziehbar bleibt.\n\n"
    "<b>Zweck:</b> {purpose}\n"
    "<b>Rechtsgrundlage:</b> {legal_basis}\n"
    "<b>Speicherdauer:</b> {retention}\n"
    "Die Daten liegen auf Servern der Stadt; Nachrichten laufen über Telegram.\n\n"
    "<b>Ihre Rechte:</b> Auskunft, Berichtigung, Löschung, Einschränkung der Verarbeitung, "
    "Widerspruch und Beschwerde bei der Aufsichtsbehörde ({authority}).\n\n"
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
ROSTER_UNREACHABLE = " ⚠️ nicht erreichbar (hat den Bot blockiert)"
ROSTER_ABSENT = " – abwesend bis {day}"
ABSENT_MARK = " (abwesend bis {day})"
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

# --- reporting ---------------------------------------------------------------------------------

STATUS_LABELS = {
    "achieved": "✅ erreicht",
    "on_track": "🟢 im Plan",
    "delayed": "🟡 verzögert",
    "at_risk": "🔴 gefährdet",
    "not_started": "⚪ nicht begonnen",
    "dropped": "⚫ entfällt",
}
OBSTACLE_LABELS = {
    "staff": "Personal",
    "funding": "Finanzierung",
    "legal": "Recht/Verwaltung",
    "cooperation": "Kooperation/Partner",
    "data": "Daten/Information",
    "other": "Sonstiges",
}
# Several obstacles in one line: "Personal, Sonstiges: Raum fehlt" (plain text, see
# bot.render.formatting.obstacles_text; escaped by fill where it goes into a message)
OBSTACLE_SEPARATOR = ", "
OBSTACLE_WITH_NOTE = "{label}: {note}"
TERM_LABELS = {"kurz": "Kurzfristig", "mittel": "Mittelfristig", "lang": "Langfristig"}
UNCHANGED = "Unverändert"
SKIP = "Überspringen"
SKIPPED = "übersprungen"
YES = "Ja"
NO = "Nein"
SUBMIT = "Absenden"
CHANGE = "Ändern"
LATER = "Später"
IN_ORDER = "Der Reihe nach"
BACK_TO_REVIEW = "Zurück zur Übersicht"

NO_ROUND = (
    "Derzeit ist keine Berichtsrunde geöffnet. Sie erhalten eine Nachricht, sobald es losgeht."
)
NO_ITEMS = "Für Ihre Ämter sind keine Maßnahmen hinterlegt. Bitte wenden Sie sich an die Koordinierungsstelle."
DUE_SUMMARY = (
    "<b>Berichtsrunde bis {due}</b>\n"
    "Offen: {measures} {measure_word}, {targets} {target_word}, etwa {minutes} {minute_word}."
)
ALL_DONE = "<b>Berichtsrunde bis {due}</b>\nAlles berichtet, vielen Dank! Zum Korrigieren wählen Sie eine Maßnahme."
CHOOSE_ITEM = "Der Reihe nach oder eine Maßnahme wählen:"
MEASURE_HEADER = "<b>Maßnahme {code}</b>{office}\n{title}"
MEASURE_HEADER_OFFICE = " · {office}"
MEASURE_HEADER_ENTERED = " · erfasst für {office}"
ENTER_FOR_ASK = (
    "Für welches Amt erfassen Sie einen Bericht (etwa eine Antwort per E-Mail oder Telefon)? "
    "Er wird als „erfasst von“ Ihnen gekennzeichnet, und die Ansprechpersonen des Amtes "
    "erfahren davon."
)
ENTER_FOR_OTHER = "Für ein Amt erfassen …"
ENTER_FOR_HEAD = "<b>Erfassung für {office}</b>"
WITHOUT_CONTACT_MARK = " (ohne Ansprechperson)"
ENTERED_ALL_DONE = "Für {office} ist in dieser Runde alles berichtet. Ein weiteres Amt: /bericht"
ENTERED_NOTICE = (
    "{name} (Koordinierungsstelle) hat für {office} den Bericht zu {code} erfasst "
    "(Version {version})."
)
TARGET_HEAD = "<b>{code} · {horizon}</b> ({number}/{count})\n<i>Ziel:</i> {target}"
TARGET_HEAD_SHORT = "<b>{code} · {horizon}</b>"
PREVIOUS = "Zuletzt ({day}): {status}"
HORIZON_MEANING = "<i>{horizon}:</i> {meaning}"
PREVIOUS_NOTE = " – „{note}“"
PREVIOUS_INDICATOR = "Zuletzt ({day}): „{note}“"
CURRENT_VALUE = "Bisher: {value}"
KEEP = "Beibehalten"
KEPT = "beibehalten"
REMOVE = "Entfernen"
REMOVED = "entfernt"
SENT_BEFORE = (
    "Version {version} wurde am {day} um {time} Uhr abgesendet; Ihre Änderungen werden "
    "Version {next}."
)
ASK_STATUS = "Wie ist der Stand? Was sich getan hat, können Sie vorher eintippen (freiwillig)."
NOTE_SO_FAR = "Ihre Notiz: {note}"
ASK_NOTE = "Was hat sich seit dem letzten Bericht getan? Schreiben Sie ein paar Worte."
ASK_OBSTACLE = "Was steht im Weg? Wählen Sie alles Zutreffende, dann „Fertig“."
ASK_OBSTACLE_NOTE = "Was steht sonst im Weg? Ein paar Worte genügen."
OBSTACLES_DONE = "Fertig"
OBSTACLE_CHOSEN = "☑ {label}"
OBSTACLE_NONE = "keins genannt"
ASK_SUPPORT = "Brauchen Sie Unterstützung durch die Koordination?"
ASK_SUPPORT_NOTE = "Wobei? Ein Satz genügt (oder überspringen)."
ASK_INDICATOR = (
    "<b>{code} · Erfolgsindikator</b>\n<i>{indicator}</i>\n\n"
    "Zahlen oder Belege dazu? Zum Beispiel eine Zahl mit Einheit, ein Link, ein Satz, oder "
    "ein Foto, ein Dokument oder eine Sprachnachricht."
)
REVIEW_INDICATOR_PROMPT = (
    "<i>Erfolgsindikator:</i> {indicator}\n"
    "Zahlen oder Belege dazu können Sie jetzt eintippen oder als Foto, Dokument oder "
    "Sprachnachricht senden (freiwillig). Dann „Absenden“."
)
REVIEW_INDICATOR_REPLACE = (
    "<i>Erfolgsindikator:</i> {indicator}\n"
    "Getippter Text ersetzt die Zahlen/Belege; Fotos, Dokumente und Sprachnachrichten kommen "
    "als Belege hinzu."
)
INDICATOR_UNCHANGED = "Zahlen/Belege unverändert"
REVIEW_EVIDENCE = "<b>📎 Dateien:</b> {files}"
EVIDENCE_PHOTO = "Foto"
EVIDENCE_VOICE = "Sprachnachricht"
EVIDENCE_DOCUMENT = "Dokument"
EVIDENCE_SAVED = "{code} · 📎 Beleg gespeichert: {name}"
EVIDENCE_NOT_HERE = (
    "Belege nehme ich bei der Frage nach dem Stand und am Ende der Maßnahme an. Bitte "
    "wählen Sie hier zuerst eine der Schaltflächen."
)
EVIDENCE_UNSUPPORTED = (
    "Diese Dateiart nehme ich nicht als Beleg an. Möglich sind Fotos, Sprachnachrichten, "
    "PDF- und Office-Dateien."
)
EVIDENCE_TOO_BIG = (
    "Diese Datei ist {size} groß; Telegram gibt Bots nur Dateien bis 20 MB heraus, "
    "deshalb kann ich sie nicht als Beleg aufbewahren. Bitte senden Sie eine kleinere "
    "Fassung (z. B. als PDF oder Foto) oder schicken Sie sie der Koordinierungsstelle per "
    "E-Mail."
)
EVIDENCE_CAPTION = "Beleg zu {code} · {office} · {author}"
REMOVED_PERSON = "gelöschtes Konto"
REPLY_PLACEHOLDER = "Ihre Antwort …"

# --- support requests ------------------------------------------------------------------------
SUPPORT_HEAD = "🆘 <b>Bitte um Unterstützung</b> · {where}"
SUPPORT_WHO = "{office} · {person} · {day}"
SUPPORT_TEXT = "„{text}“"
SUPPORT_NO_TEXT = "(ohne Worte dazu)"
SUPPORT_TAKEN = "🙋 {name} kümmert sich (seit {day})."
SUPPORT_RESOLVED = "✅ Erledigt von {name} am {day}{note}"
SUPPORT_NOTE = ": {note}"
SUPPORT_TAKE = "🙋 Ich kümmere mich"
SUPPORT_DONE = "✅ Erledigt"
SUPPORT_DONE_NOTE = "✅ Erledigt mit Notiz …"
SUPPORT_ASK_NOTE = (
    "📝 Notiz zur Bitte {where} ({office}): Antworten Sie auf diese Nachricht. Die Notiz "
    "erhält auch die Person, die gefragt hat."
)
SUPPORT_NOTE_PREFIX = "📝 Notiz zur Bitte"
SUPPORT_ALREADY_RESOLVED = "Diese Bitte ist bereits erledigt."
SUPPORT_TOLD_TAKEN = "🙋 {name} (Koordinierungsstelle) kümmert sich um Ihre Bitte zu {where}."
SUPPORT_TOLD_RESOLVED = "✅ Ihre Bitte zu {where} ist erledigt ({name}){note}"
SUPPORT_SENT = " Ihre Bitte um Unterstützung ist bei der Koordinierungsstelle angekommen."
SUPPORT_NONE_OPEN = "Keine offenen Bitten um Unterstützung."
SUPPORT_OPEN_HEAD = "<b>Offene Bitten um Unterstützung ({count})</b>"
SUPPORT_LIST_ITEM = "{number}. {where} · {office} · {day} · {state}\n   „{text}“"
SUPPORT_LIST_NEW = "neu"
SUPPORT_LIST_TAKEN = "🙋 {name}"
SUPPORT_SHOW = "{number}. {where}"
# Evidence as coordinators see it (bot.render.evidence): one line per file in a message,
# and one cell per measure and office in the export (plain text there).
EVIDENCE_ICONS = {"photo": "📷", "document": "📄", "voice": "🎤"}
EVIDENCE_HEAD = "<b>Belege</b> (mit den Schaltflächen erneut senden)"
EVIDENCE_BUTTON = "{icon} {number}: {name}"
EVIDENCE_LINE = "{icon} {name} · {office} · {author} · {day}{size}{caption}"
EVIDENCE_LINE_SIZE = " · {size}"
EVIDENCE_LINE_CAPTION = " – „{caption}“"
EVIDENCE_CELL_ITEM = "{name} ({author}, {day})"
EVIDENCE_CELL_SEPARATOR = "; "
SIZE_UNITS = ("Byte", "KB", "MB", "GB")  # steps of 1000, like the MB the bot names elsewhere
ANSWERED = "{code} · {what}: {answer}"
REVIEW_HEAD = "<b>{code} · Ihre Angaben</b>{office}"
REVIEW_TARGET = "<b>{horizon}:</b> {status}"
REVIEW_NOTE = "   Getan: {note}"
REVIEW_OBSTACLE = "   Hindernis: {obstacle}"
REVIEW_SUPPORT = "   Unterstützung gewünscht{note}"
REVIEW_INDICATOR = "<b>Zahlen/Belege:</b> {note}"
REVIEW_CARRIED = " (unverändert)"
REVIEW_EMPTY = "–"
CHANGE_CHOOSE = "Welche Angabe möchten Sie ändern?"
SUBMITTED = "✅ {code}{office} abgesendet (Version {version})."
ALL_UNCHANGED = "Alles unverändert"
ALL_UNCHANGED_DONE = (
    "✅ {code}{office}: alles wie zuletzt übernommen und abgesendet (Version {version})."
)
STILL_OPEN = " Noch offen: {count}."
ROUND_COMPLETE = "Alle Maßnahmen dieser Runde sind berichtet. Vielen Dank!"
PAUSED = (
    "Pausiert. Ihre Antworten sind gespeichert; mit /bericht geht es an derselben Stelle weiter."
)
NOTHING_RUNNING = "Es läuft gerade kein Bericht. Mit /bericht beginnen Sie."
NOT_TAKEN = (
    "Ihr Bericht ist pausiert, deshalb habe ich diese Nachricht nicht als Antwort "
    "gespeichert. Möchten Sie weitermachen?"
)
CONTINUE_REPORT = "Bericht fortsetzen"
NO_QUESTION_OPEN = (
    "Gerade ist keine Frage offen; Ihre Nachricht habe ich nicht gespeichert. Mit /bericht "
    "beginnen Sie einen Bericht oder setzen ihn fort."
)
AT_FIRST = "Sie sind schon bei der ersten Frage dieser Maßnahme."
STALE_QUESTION = "Diese Frage ist nicht mehr aktuell."
TEXT_TOO_LONG = (
    "Ihr Text hat {length} Zeichen; erlaubt sind höchstens {limit}. Bitte kürzen Sie ihn und "
    "senden Sie ihn noch einmal."
)
TEXT_EXPECTED = "Bitte antworten Sie hier mit Text (oder tippen Sie auf „Überspringen“)."
BUTTON_EXPECTED = "Bitte wählen Sie eine der Schaltflächen."
NOT_STORED_UNSEEN = (
    "Diese Nachricht habe ich nicht gespeichert: Die Frage, die jetzt dran ist, hatte Sie "
    "noch nicht erreicht. Hier ist sie; bitte antworten Sie darauf."
)
NO_OFFICE_FOR_REPORT = "Sie vertreten kein Amt und berichten daher nicht."
ROUNDS_NONE = (
    "Zurzeit läuft keine Berichtsrunde. Eine neue Runde liefe vom {opens} bis {due}; alle "
    "Ansprechpersonen erhielten eine Nachricht."
)
ROUNDS_RUNNING = (
    "<b>Laufende Berichtsrunde:</b> {opens} bis {due}\n"
    "Berichtet: {reported} von {expected} Meldungen (je Maßnahme und zuständigem Amt).\n"
    "Was möchten Sie tun?"
)
ROUND_OPEN = "Runde öffnen …"
ROUND_EXTEND = "Frist verlängern …"
ROUND_CLOSE = "Vorzeitig schließen …"
ROUND_NEXT = "Nächste Runde öffnen …"
CANCEL = "Abbrechen"
ROUND_UNCHANGED = "Abgebrochen; an der Berichtsrunde hat sich nichts geändert."
ROUND_CHANGED_MEANWHILE = (
    "Die Berichtsrunde hat sich inzwischen geändert; nichts wurde ausgeführt. Der aktuelle Stand:"
)
ROUND_OPEN_ASK = (
    "Neue Berichtsrunde vom {opens} bis {due} öffnen? Alle Ansprechpersonen erhalten eine "
    "Nachricht."
)
ROUND_OPEN_YES = "Ja, Runde öffnen"
ROUND_EXTEND_ASK = "Die Runde ist bis {due} fällig. Bis wann soll sie laufen?"
ROUND_EXTEND_BY = "+{days} Tage: bis {due}"
ROUND_EXTEND_CONFIRM = (
    "Frist von {old} auf {due} verlängern? Wer noch offen hat, erhält eine Nachricht mit "
    "der neuen Frist."
)
ROUND_EXTEND_YES = "Ja, verlängern"
ROUND_CLOSE_ASK = (
    "Die Runde vom {opens} (fällig {due}) jetzt schließen? Berichtet sind {reported} von "
    "{expected} Meldungen; danach kann niemand mehr für diese Runde berichten, und es gibt "
    "keine Erinnerungen mehr."
)
ROUND_CLOSE_YES = "Ja, schließen"
ROUND_NEXT_ASK = (
    "Neue Berichtsrunde vom {opens} bis {due} öffnen? Die laufende Runde ({old_opens} bis "
    "{old_due}, {reported} von {expected} Meldungen) wird dabei geschlossen, und alle "
    "Ansprechpersonen erhalten eine Nachricht."
)
ROUND_NEXT_YES = "Ja, nächste Runde öffnen"
ROUND_EXTENDED = "{name} hat die Frist der Berichtsrunde bis {due} verlängert."
ROUND_CLOSED = (
    "{name} hat die Berichtsrunde vom {opens} geschlossen ({reported} von {expected} "
    "Meldungen berichtet)."
)
ROUND_OPENED_BY = (
    "{name} hat die Berichtsrunde {opens} bis {due} geöffnet. {notified} {person_word} "
    "benachrichtigt."
)
ROUND_EXISTS_TODAY = (
    "Heute wurde bereits eine Berichtsrunde geöffnet; eine zweite am selben Tag geht nicht."
)
ROUND_EXTENDED_NOTICE = (
    "<b>Die Frist der Berichtsrunde wurde verlängert: bis {due}.</b>\n"
    "Für Sie offen: {measures} {measure_word}, etwa {minutes} {minute_word}."
)
ROUND_ANNOUNCEMENT = (
    "<b>Neue Berichtsrunde</b> bis {due}.\n"
    "Bitte berichten Sie zum Stand Ihrer Maßnahmen: {measures} {measure_word}, etwa {minutes} {minute_word}."
)
ROUND_RUNNING = (
    "<b>Die Berichtsrunde läuft bis {due}.</b>\n"
    "Für Sie offen: {measures} {measure_word}, etwa {minutes} {minute_word}."
)
REPORT_NOW = "Jetzt berichten"
ABSENCE_ASK = "Bis wann sind Sie abwesend? So lange erhalten Sie keine Erinnerungen."
ABSENCE_NOW = "Sie sind als abwesend eingetragen bis einschließlich {day}."
ABSENCE_UNTIL = "bis {weekday}, {day}"
ABSENCE_BACK_BUTTON = "Ich bin wieder da"
ABSENCE_SET = (
    "Eingetragen: abwesend bis einschließlich {day}. Bis dahin erinnere ich Sie nicht; "
    "berichten können Sie trotzdem jederzeit."
)
ABSENCE_ENDED = "Willkommen zurück! Erinnerungen erhalten Sie wieder wie gewohnt."
WEEKDAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")

# --- coordinators' views ---------------------------------------------------------------------

STATUS_EMOJI = {
    "achieved": "✅",
    "on_track": "🟢",
    "delayed": "🟡",
    "at_risk": "🔴",
    "not_started": "⚪",
    "dropped": "⚫",
}
NO_REPORT_MARK = "– ohne Bericht"
NO_REPORT_OFFICE = "– ohne Bericht · {office}"
OBSTACLE_MARK = "🧱"
SUPPORT_MARK = "🆘"
STALE_MARK = "⏳"
VIEW_LEGEND = "🧱 Hindernis · 🆘 Unterstützung erbeten · ⏳ Bericht älter als die laufende Runde"
OVERVIEW_HEAD = "<b>Stand des Integrationskonzepts</b>"
ROUND_LINE = "Berichtsrunde {opens} bis {due}"
NO_ROUND_LINE = "Keine Berichtsrunde geöffnet."
OVERVIEW_LINE = "<b>{numeral} {title}</b>: {counts} · berichtet: {reported} von {total} Meldungen"
OVERVIEW_OWN_LINE = (
    "<b>{numeral} {title}</b>: {counts} · Ihre Ämter: {reported} von {total} Meldungen berichtet"
)
MEASURE_PARTS = " · {reported} von {total} Ämtern berichtet"
BASED_ON = " (aus {based} von {offices} Ämtern)"
OVERVIEW_HINT = "Details: /status Handlungsfeld, z. B. /status Gesundheit, oder /status V.1.2"
CHART_BUTTON = "📊 Diagramm"
FIELD_HEAD = "<b>{numeral} {title}</b>"
GOAL_LINE = "<b>{code}</b> {title}"
MEASURE_LINE = "<b>{code}</b> {title}"
TARGET_LINE = "   {horizon}: {state}"
TARGET_OVERALL = "   {horizon}: {status}"  # status: HTML, with OVERALL_MARK or BASED_ON
OVERALL_MARK = " (gesamt)"
OFFICE_LINE = "      {office}: {state}"
REPORT_STATE = "{status}{marks} · {office}, {day}{stale}"
REPORT_STATE_SHORT = "{status}{marks}, {day}{stale}"
MEASURE_HEAD = "<b>Maßnahme {code}</b> – gesamt: {status}"
MEASURE_DETAIL = "{title}\n<i>Erfolgsindikator:</i> {indicator}\n<i>Zuständig:</i> {offices}"
TARGET_DETAIL = "<b>{horizon}:</b> {target}"
DETAIL_NOTE = "      Getan: {note}"
DETAIL_OBSTACLE = "      Hindernis: {obstacle}"
DETAIL_SUPPORT = "      Unterstützung erbeten{note}"
INDICATOR_NOTES = "<b>Zahlen und Belege zum Erfolgsindikator</b>"
INDICATOR_NOTE = "   {office}: {note}"
RECENT_REPORTS = "<b>Letzte Berichte</b>"
RECENT_REPORT = "   {day} · {office} · Version {version} · {author}: {states}"
GOAL_HEAD = "<b>Ziel {code}</b> ({field})\n{title}"
GOAL_MEASURE = "   <b>{code}</b> {status} · {reported} – {title}"
REPORTED_YES = "berichtet"
REPORTED_NO = "offen"
FORMER_CONTACT = "ehemalige Ansprechperson"
ENTERED_FOR = "erfasst von {name} für {office}"
ENTERED_MARK = " · erfasst von {name}"
FIELD_CHOICES = "„{query}“ ist nicht eindeutig oder unbekannt. Möglich sind:"
FIELD_CHOICE = "   /status {numeral} – {title}"
FIELD_CHOICE_OFFICE = "   /status {office}"
LOOKUP_HINT = (
    "Gefunden werden auch Codes (V.1.2 oder 5.1.2), Ämter und Wörter aus Titel oder "
    "Erfolgsindikator einer Maßnahme."
)
MEASURE_CHOICES = "„{query}“ steht in {count} Maßnahmen. Bitte wählen Sie:"
MEASURE_CHOICE = "<b>{code}</b> {title}"
MEASURE_CHOICE_BUTTON = "{code} {title}"  # a button's label: plain text, not escaped
MEASURE_CHOICES_MORE = "… und {count} weitere. Bitte suchen Sie genauer oder geben Sie den Code an."
KEYWORD_NOT_YOURS = "„{query}“ steht nur in Maßnahmen, die nicht zu Ihren Ämtern gehören."
OFFICE_HEAD = "<b>{office}</b>"
OFFICE_COUNT = "Zuständig für {count} {measure_word}"
OFFICE_REPORTED = "; in dieser Runde berichtet: {reported} von {count}"
OFFICE_MEASURE = "<b>{code}</b> {title}{shared}"
OFFICE_SHARED = " (mit {count} {word})"
OFFICE_OTHER = "weiteren Amt"
OFFICE_OTHERS = "weiteren Ämtern"
OFFICE_NOT_YOURS = "Die Maßnahmen von {office} gehören nicht zu denen Ihrer Ämter."
OFFICE_HINT = "Details zu einer Maßnahme: /status mit dem Code, z. B. /status {code}"
CODE_UNKNOWN = (
    "Den Code {code} gibt es nicht. Codes sehen so aus: V.1 (Ziel) oder V.1.2 (Maßnahme)."
)
NOT_YOURS = "{code} gehört nicht zu den Maßnahmen Ihrer Ämter."
NOTHING_VISIBLE = "Für Ihre Ämter sind keine Maßnahmen hinterlegt."
OUTSTANDING_HEAD = "<b>Noch offen in der Runde bis {due}</b>"
OUTSTANDING_OFFICE = "<b>{office}</b>: {codes}"
OUTSTANDING_CONTACTS = "   {label}: {names}"
OUTSTANDING_NOBODY = "   ⚠️ keine Ansprechperson"
OUTSTANDING_NONE = "Alle Ämter haben in dieser Runde berichtet."
OUTSTANDING_IN_FIELD = " · {numeral} {title}"
OUTSTANDING_REMIND_HINT = (
    "Mit den Schaltflächen erinnern Sie die Ansprechpersonen eines Amtes oder alle; wer heute "
    "schon eine Nachricht zur Runde erhielt, bekommt keine zweite."
)
BLOCKED_MARK = " (hat den Bot blockiert)"
REMIND_OFFICE = "🔔 {office}"
REMIND_ALL = "🔔 Alle erinnern"
REMINDED = "Erinnert: {names}."
REMINDED_NOBODY = "Niemand erinnert."
NOT_REMINDED_TODAY = "Heute schon benachrichtigt: {names}."
NOT_REMINDED_AWAY = "Abwesend oder nicht erreichbar: {names}."
NOT_REMINDED_NOBODY = "Ohne Ansprechperson: {offices}."
NO_ROUND_OUTSTANDING = "Derzeit ist keine Berichtsrunde geöffnet."
HISTORY_HEAD = "<b>Verlauf {code}</b>\n{title}"
HISTORY_STATE = "{horizon} {status}"
HISTORY_EMPTY = "Zu {code} gibt es noch keine Berichte."
HISTORY_USAGE = (
    "Bitte geben Sie eine Maßnahme an: den Code (z. B. /verlauf V.1.2), ein Wort aus dem "
    "Titel oder ein Amt."
)
HISTORY_GOAL = "{code} ist ein Ziel; der Verlauf gilt je Maßnahme. Bitte wählen Sie:"
HISTORY_CHOOSE = "<b>{name}</b>: Den Verlauf welcher Maßnahme möchten Sie sehen?"
HISTORY_NOT_FOUND = (
    "„{query}“ habe ich weder als Code noch als Handlungsfeld, Amt oder Wort aus einer "
    "Maßnahme gefunden. Beispiel: /verlauf V.1.2"
)
HISTORY_OFFICES = "<i>Zuständig:</i> {offices}"
HISTORY_OLDER = (
    "Hier die letzten {shown} Runden; {count} ältere enthält der Export der Koordinierungsstelle."
)
HISTORY_ROUND = "<b>Berichtsrunde ab {day}</b>"
HISTORY_VERSION = "<b>{office}</b> · {author}, {day}"
HISTORY_VERSION_FIRST = "<b>{office}</b> · Version {version} vom {day}, {time} Uhr · {author}"
HISTORY_VERSION_CORRECTED = (
    "<b>{office}</b> · Version {version}, korrigiert am {day}, {time} Uhr · {author}"
)
HISTORY_TARGET = "   {horizon}: {status}{carried}"
HISTORY_CARRIED = " (unverändert)"
HISTORY_INDICATOR = "   Zahlen/Belege: {note}"
HISTORY_FILE = "   {icon} {name}{size}{caption}"
HISTORY_CHART_CAPTION = "Verlauf {code}: Stand der Zielhorizonte je Berichtsrunde ({count} Runden)"
EXPORT_CAPTION = "Stand und Verlauf, {day}"
EXPORT_OTHER_FORMATS = "Als PDF: /export pdf · als CSV: /export csv"
EXPORT_USAGE = (
    "Mit /export erhalten Sie eine Excel-Datei, mit /export pdf ein PDF für den Stadtrat, "
    "mit /export csv zwei CSV-Dateien."
)
EXPORT_TOO_LARGE = (
    "Die Datei wäre mit {size} MB zu groß für Telegram (höchstens {limit} MB). "
    "Auf dem Server erstellt sie der Befehl "
    "<code>monitoring-bot export --format {format} -o {name}</code>; "
    "bitte wenden Sie sich an die Betreuung des Bots."
)

# --- scheduling: rounds, reminders, weekly summary --------------------------------------------

REMINDER = (
    "<b>Erinnerung:</b> Bis {due} sind für Ihre Ämter noch {count} {measure_word} offen. "
    "Es dauert etwa {minutes} {minute_word}."
)
REMINDER_DUE = (
    "<b>Heute ist der letzte Tag der Berichtsrunde.</b> Noch offen: {count} {measure_word}."
)
REMIND_LATER = "Später erinnern"
SNOOZED = "Gut, ich erinnere Sie am {day} wieder."
ROUND_OPENED_NOTICE = (
    "Neue Berichtsrunde {opens} bis {due} geöffnet; {notified} {person_word} benachrichtigt."
)
NO_CONTACT_OFFICES = "Ämter ohne aktive Ansprechperson: {offices}"
UNREACHABLE = "Nicht erreichbar (Bot blockiert): {names}"
OVERDUE_HEAD = "<b>Überfällig: Berichtsrunde bis {due}</b>"
OVERDUE_OFFICE = "• {office}: {codes}"
OVERDUE_NONE = "Alle Maßnahmen wurden rechtzeitig berichtet."
SUMMARY_HEAD = "<b>Wochenzusammenfassung KW {week}/{year}</b>"
SUMMARY_FIELD = "<b>{numeral} {title}</b>: {counts}"
SUMMARY_CHANGE = " ({changes} seit Vorwoche)"
SUMMARY_NO_CHANGE = " (unverändert)"
SUMMARY_TURNED = "<b>Neu {status}:</b> {codes}"
SUMMARY_CURRENT = "<b>Derzeit {status}:</b> {codes}"
SUMMARY_NOTHING_TURNED = "Keine Maßnahme ist neu verzögert oder gefährdet."
SUMMARY_SUPPORT_HEAD = "<b>🆘 Bitten um Unterstützung</b>"
SUMMARY_SUPPORT = "• {code} ({office}, {obstacle}){note}"
SUMMARY_SUPPORT_TAKEN = " · 🙋 {name}"
SUMMARY_NO_SUPPORT = "Keine offenen Bitten um Unterstützung."
SUMMARY_OUTSTANDING_HEAD = "<b>Noch offen in der Runde bis {due}</b>"
SUMMARY_OUTSTANDING = "• {office}: {count}"
SUMMARY_ALL_REPORTED = "Alle Ämter haben in dieser Runde berichtet."
SUMMARY_MORE = "… und {count} weitere (siehe /status)"
SUMMARY_ALREADY = "Die Zusammenfassung für KW {week}/{year} wurde bereits gepostet."
SUMMARY_POSTED = "Zusammenfassung für KW {week}/{year} in die Koordinationsgruppe gepostet."
SUMMARY_NO_CHAT = (
    "COORDINATION_CHAT_ID ist nicht gesetzt: Es gibt keine Gruppe, in die gepostet werden kann."
)
SUMMARY_BUSY = (
    "Die Zusammenfassung für KW {week}/{year} wird gerade von einem anderen Prozess gepostet."
)

# --- exports and charts ----------------------------------------------------------------------

STATUS_WORDS = {
    "achieved": "erreicht",
    "on_track": "im Plan",
    "delayed": "verzögert",
    "at_risk": "gefährdet",
    "not_started": "nicht begonnen",
    "dropped": "entfällt",
}
NO_REPORT = "ohne Bericht"
EXPORT_CURRENT_COLUMNS = (
    "Code", "Maßnahme", "Indikator", "Horizont", "Zielhorizont", "Amt", "Status",
    "Letzter Bericht", "In dieser Runde", "Von", "Was getan", "Hindernisse",
    "Unterstützung erbeten", "Unterstützung: wobei", "Zahlen/Belege", "Belege (Dateien)",
)  # fmt: skip
EXPORT_HISTORY_COLUMNS = (
    "Runde", "Code", "Amt", "Version", "Abgesendet", "Von", "Horizont", "Zielhorizont", "Status",
    "Unverändert übernommen", "Was getan", "Hindernisse", "Unterstützung erbeten",
    "Unterstützung: wobei", "Zahlen/Belege",
)  # fmt: skip
WORKBOOK_OVERVIEW_SHEET = "Übersicht"
REPORT_DATE = "Stand: {day}"
REPORT_ROUND = "Berichtsrunde vom {opens} bis {due}"
REPORT_NO_ROUND = "Zurzeit läuft keine Berichtsrunde."
REPORT_TOTAL = "Gesamt"
REPORT_OVERVIEW_COLUMNS_HEAD = "Handlungsfeld"
REPORT_OVERVIEW_COLUMNS_TAIL = ("Zielhorizonte", "Berichtet (Maßnahme je Amt)", "Ämter")
REPORT_PARTS = "{reported} von {total}"
REPORT_OFFICES = "berichtet von {reported} von {total} Ämtern"
REPORT_CHART_TITLE = "Stand der Zielhorizonte je Handlungsfeld"
REPORT_SUPPORT_HEAD = "Offene Bitten um Unterstützung: {count}"
REPORT_SUPPORT_COLUMNS = (
    "Amt", "Code", "Horizont", "Erbeten am", "Erbeten von", "Übernommen von", "Wobei",
)  # fmt: skip
REPORT_NO_SUPPORT = "Keine offenen Bitten um Unterstützung."
REPORT_NO_CONTACT_HEAD = "Ämter ohne Ansprechperson: {count}"
REPORT_EVERY_OFFICE_HAS_CONTACT = "Jedes Amt hat mindestens eine Ansprechperson."
REPORT_GOAL = "Ziel {code}: {title}"
REPORT_FIELD_SUBTITLE = "{date} · {round}"
REPORT_FOOTER_PAGE = "Seite {page} von {pages}"
HISTORY_TRUNCATED = (
    "Der Verlauf hat {rows} Zeilen, mehr als ein Excel-Blatt fasst. Hier stehen die "
    "neuesten {shown}. Den ganzen Verlauf enthält der CSV-Export (/export csv oder "
    "monitoring-bot export --format csv)."
)
EXPORT_HISTORY_SHEET = "Verlauf"
YES_WORD = "ja"
NO_WORD = "nein"
CURRENT_YES = "ja"
CURRENT_NO = "nein (älter)"
CHART_TITLE = "Stand der Zielhorizonte je Handlungsfeld ({day})"
CHART_AXIS = "Anzahl Zielhorizonte"
HISTORY_CHART_TITLE = "Verlauf {code}: Stand der Zielhorizonte je Berichtsrunde"
HISTORY_CHART_AXIS = "Angaben (je Zielhorizont und Amt)"
HISTORY_CHART_ROUNDS = "Berichtsrunde ab"
DEVELOPMENT_CHART_TITLE = "Entwicklung je Handlungsfeld: Stand der Zielhorizonte je Berichtsrunde"
DEVELOPMENT_CHART_CAPTION = (
    "Entwicklung je Handlungsfeld: Stand der Zielhorizonte in den letzten {count} Berichtsrunden"
)
EXPORT_FIELD_COLUMNS = ("Handlungsfeld", "Ziel-Code", "Ziel")  # before the sheet's columns in CSV
EXPORT_HISTORY_FILE_SUFFIX = "-verlauf"  # stand.csv → stand-verlauf.csv
EXPORT_WRITTEN = "Export geschrieben: {path}"
EXPORT_WRONG_ENDING = (
    "Der Dateiname {name} passt nicht zum Format {format}: Bitte einen Namen auf .{format} "
    "angeben oder --format passend wählen."
)
EXPORT_NO_DIRECTORY = (
    "Das Verzeichnis {directory} gibt es nicht. Bitte anlegen oder einen anderen Pfad angeben."
)
EXPORT_IS_DIRECTORY = "{path} ist ein Verzeichnis. Bitte einen Dateinamen angeben."
EXPORT_NOT_WRITABLE = "Die Datei {path} kann nicht geschrieben werden: {reason}"

# --- command line ----------------------------------------------------------------------------

TOKEN_REJECTED = (
    "Telegram lehnt TELEGRAM_BOT_TOKEN ab. Bitte den Token bei @BotFather prüfen (/mybots → "
    "API Token) und in .env eintragen."
)
TELEGRAM_UNREACHABLE = (
    "Telegram ist unter {url} nicht erreichbar ({error}). Bitte Netz, Proxy und Firewall "
    "prüfen (ausgehend HTTPS zu api.telegram.org) oder TELEGRAM_API_BASE_URL."
)
CLI_INVITE_LINK = "Einladungslink für {target} (gültig bis {until}, nur einmal verwendbar):"


def fill(template: str, **values: object) -> str:
    """``template`` with each value HTML-escaped (templates themselves may hold markup)."""
    return template.format(
        **{key: escape(str(value), quote=False) for key, value in values.items()}
    )


def plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


def join_names(names: list[str]) -> str:
    """'A', 'A und B', 'A, B und C'."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " und " + names[-1]


# --- PDF report ---

PDF_SUBTITLE = "Bericht zum Stand der Umsetzung"
PDF_OVERVIEW_HEAD = "Übersicht"
PDF_OVERVIEW_NOTE = (
    "Zielhorizonte nach ihrem Stand; wo mehrere Ämter zuständig sind, zählt der kritischste."
)
PDF_FIELD = "Handlungsfeld {label}"
PDF_MEASURE = "Maßnahme {code}: {title}"
PDF_INDICATOR = "Indikator: {indicator}"
PDF_SUPPORT_COLUMN = "Unterstützung"
PDF_SUPPORT_WITH_NOTE = "{answer}: {note}"
PDF_OLDER_ROUND = "(frühere Runde)"
PDF_NO_TARGETS = "Für diese Maßnahme sind keine Zielhorizonte hinterlegt."
PDF_NO_MEASURES = "Zu diesem Ziel sind keine Maßnahmen hinterlegt."
PDF_EVIDENCE_HEAD = "Belege (Dateien) zu {code}"

# --- invitations: attempts ---

INVITATION_ATTEMPTS_EXHAUSTED = (
    "Zu viele ungültige Einladungslinks. Bitte versuchen Sie es in einer Stunde erneut oder "
    "wenden Sie sich an die Koordinierungsstelle."
)
INVITATION_ATTEMPTS_NOTICE = (
    "⚠️ {name} (Telegram-ID {user_id}) hat innerhalb einer Stunde {count} ungültige "
    "Einladungslinks geöffnet. Weitere Versuche lehnt der Bot eine Stunde lang ab. Soll die "
    "Person mitarbeiten, erstellen Sie bitte mit /einladen einen neuen Link für sie."
)

# --- text hygiene ---

EDITED_MESSAGE = (
    "Geänderte Nachrichten übernehme ich nicht. Bitte senden Sie die Korrektur als neue Nachricht."
)

DATABASE_UNAVAILABLE = (
    "Das hat gerade nicht geklappt, die Datenbank ist kurz nicht erreichbar. "
    "Bitte versuchen Sie es gleich noch einmal."
)

# --- who the bot belongs to and whom to ask (city from the catalogue, the rest configured) ---

ABOUT_OF_CITY = " der Stadt {city}"
STRANGER_AT_OFFICE = (
    "Sie sind noch nicht freigeschaltet. Bitte wenden Sie sich an die Koordinierungsstelle "
    "({office}): Dort erhalten Sie einen persönlichen Einladungslink."
)
STRANGER_CONTACT = "Kontakt: {contact}"
PRIVACY_CONTROLLER = "Stadt {city}, {office}"  # unless PRIVACY_CONTROLLER is set
PRIVACY_OFFICER = "\n<b>Datenschutzbeauftragte/r:</b> {contact}"


def about(city: str | None) -> str:
    """What the bot is, for someone who does not know it; the city where the catalogue
    names one."""
    return ABOUT.format(of_city=fill(ABOUT_OF_CITY, city=city) if city else "")


def stranger(office: str, contact_line: str | None) -> str:
    """What a person without access is told: where to get an invitation, and how to reach
    that place where a contact line is configured."""
    text = fill(STRANGER_AT_OFFICE, office=office)
    if contact_line:
        text += "\n" + fill(STRANGER_CONTACT, contact=contact_line)
    return text


def privacy_controller(city: str | None, office: str) -> str:
    """The controller named by default: the city's coordination office (plain text)."""
    return PRIVACY_CONTROLLER.format(city=city, office=office) if city else office


def privacy(
    *,
    controller: str,
    purpose: str,
    legal_basis: str,
    retention: str,
    authority: str,
    officer: str | None = None,
) -> str:
    """The data protection notice of /datenschutz; every value is escaped."""
    return PRIVACY.format(
        officer=fill(PRIVACY_OFFICER, contact=officer) if officer else "",
        **{
            key: escape(value, quote=False)
            for key, value in {
                "controller": controller,
                "purpose": purpose,
                "legal_basis": legal_basis,
                "retention": retention,
                "authority": authority,
            }.items()
        },
    )


DATABASE_IN_USE = (
    "Die Datenbank {path} wird schon von einem laufenden Bot verwendet{pid}. "
    "Je SQLite-Datei läuft nur ein Bot; bitte {action}."
)
DATABASE_IN_USE_PID = " (Prozess {pid})"
IN_USE_RUN = "den anderen zuerst beenden"
IN_USE_MAINTENANCE = "den Bot zuerst anhalten (systemctl stop monitoring-bot)"


def database_in_use(path: str, pid: int | None, action: str) -> str:
    """One line for the operator: which process holds the SQLite file, and what to do."""
    holder = DATABASE_IN_USE_PID.format(pid=pid) if pid is not None else ""
    return DATABASE_IN_USE.format(path=path, pid=holder, action=action)
