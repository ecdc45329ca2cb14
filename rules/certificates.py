"""The certificate of name's life after it is issued ([D] Art. 4).

It is valid 60 full days from issue, for registration in a local register; it may be
extended once, for 60 more days, if all signatories ask within 7 full days after expiry.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from rules.calendar import full_days_deadline, local_day
from rules.reasons import Reason, Text, decree

VALIDITY_DAYS = 60  # [D] Art. 4
EXTENSION_DAYS = 60  # [D] Art. 4
EXTENSION_WINDOW_DAYS = 7  # [D] Art. 4


def last_day_to_ask(expired_at: datetime) -> date:
    """The last calendar day on which an extension may still be asked."""
    return local_day(full_days_deadline(expired_at, EXTENSION_WINDOW_DAYS)) - timedelta(days=1)


def extension_reasons(
    *, expired_at: datetime, requested_on: date, all_signatories: bool, already_extended: bool
) -> list[Reason]:
    """Why an extension may not be granted; empty when it may."""
    reasons: list[Reason] = []
    if already_extended:
        reasons.append(
            Reason(
                "certificate_already_extended",
                Text(
                    fr="Le certificat a déjà été prorogé une fois ; une seule prorogation est permise.",
                    ar="سبق تمديد الشهادة مرة واحدة؛ ولا يسمح إلا بتمديد واحد.",
                ),
                decree(4),
            )
        )
    last = last_day_to_ask(expired_at)
    if requested_on > last:
        late_by = (requested_on - last).days
        reasons.append(
            Reason(
                "extension_asked_too_late",
                Text(
                    fr=(
                        f"La prorogation doit être demandée dans les {EXTENSION_WINDOW_DAYS} jours "
                        f"francs suivant l'expiration, soit au plus tard le {last.isoformat()} ; "
                        f"demandée le {requested_on.isoformat()}, elle arrive {late_by} jour(s) trop tard."
                    ),
                    ar=(
                        f"يجب طلب التمديد داخل أجل {EXTENSION_WINDOW_DAYS} أيام كاملة الموالية "
                        f"لانتهاء الصلاحية، أي في أجل أقصاه {last.isoformat()}؛ وقد قدم الطلب "
                        f"بتاريخ {requested_on.isoformat()}، أي بتأخير {late_by} يوم."
                    ),
                ),
                decree(4),
            )
        )
    if requested_on < local_day(expired_at):
        reasons.append(
            Reason(
                "extension_asked_before_expiry",
                Text(
                    fr="La prorogation se demande après l'expiration du certificat.",
                    ar="يطلب التمديد بعد انتهاء صلاحية الشهادة.",
                ),
                decree(4),
            )
        )
    if not all_signatories:
        reasons.append(
            Reason(
                "extension_needs_all_signatories",
                Text(
                    fr="La demande de prorogation doit être signée par tous les signataires de la demande initiale.",
                    ar="يجب أن يوقع طلب التمديد جميع الموقعين على الطلب الأصلي.",
                ),
                decree(4),
            )
        )
    return reasons
