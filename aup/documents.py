"""The exact text a person signs, built the same way for the page, the stored hash and the PDF copy."""

from .models import AgreementVersion, Signature

SEPARATOR = "\n\n" + "-" * 40 + "\n\n"


def version_text(version: AgreementVersion) -> str:
    return f"{version.title} (version {version.number})\n\n{version.text}"


def answers_text(answers: dict) -> str:
    lines = [f"{label}: {'Yes' if answers.get(field) else 'No'}" for field, label in Signature.IMAGE_USES]
    return "My answers\n\n" + "\n".join(lines)


def signed_text(version: AgreementVersion, pupil_version: AgreementVersion | None = None,
                image_answers: dict | None = None) -> str:
    """The document: the pupil agreement read with the child (if any), then the adult's agreement or form,
    then the image consent answers (if any)."""
    parts = [version_text(pupil_version)] if pupil_version else []
    parts.append(version_text(version))
    if image_answers is not None:
        parts.append(answers_text(image_answers))
    return SEPARATOR.join(parts)


def text_of(signature: Signature) -> str:
    answers = None
    if signature.audience == "image_consent":
        answers = {field: getattr(signature, field) for field, _ in Signature.IMAGE_USES}
    return signed_text(signature.version, signature.pupil_version, answers)
