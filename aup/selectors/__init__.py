"""Reads of agreements, signatures, campaigns and the registers, scoped to the school and to who is asking.

One module per part: ``agreements`` (agreements, versions, who signs which personal agreement), ``rounds`` (the
versions in force for families and each child's status), ``family`` (a signed-in parent's children and answers),
``campaigns``, ``coverage`` (and the governors' report figures), ``registers`` and ``links`` (the emailed
signing links). Other apps and the tests use the names below; inside aup, import from the modules.
"""

from .agreements import (
    PersonalAgreement,
    account_holders,
    agreements_of,
    current_versions,
    get_agreement_for_user,
    get_version,
    get_version_to_sign,
    kiosk_signatures,
    people_who_sign,
    personal_agreements,
    signatures_of_user,
    unsigned_agreements,
    versions_of,
)
from .campaigns import (
    CampaignProgress,
    campaign_progress,
    campaigns_of,
    get_campaign_for_user,
    invitations_to_remind,
    parent_links_for,
    pupils_in_cohort,
    recently_invited,
)
from .coverage import (
    AgreementFigures,
    CoverageRow,
    FamilyCoverage,
    family_coverage,
    outstanding_pupils,
    personal_coverage,
    pupil_status_rows,
    term_figures,
    unsigned_people,
)
from .family import (
    answers_for,
    children_to_answer,
    family_outstanding_count,
    get_child_for_parent,
    get_signature_for_parent,
    relationship_of,
    with_own_answers,
)
from .links import answer_on_link, child_on_link, children_on_link, signing_link, still_to_answer
from .registers import (
    ImageRow,
    Restriction,
    active_restrictions,
    get_restriction_for_user,
    grace_days,
    image_register,
    image_rows,
    technology_register,
)
from .rounds import PupilStatus, Round, current_round, outstanding_filter, pupils_of, with_statuses

__all__ = [
    # agreements, versions, personal agreements
    "PersonalAgreement", "account_holders", "agreements_of", "current_versions", "get_agreement_for_user",
    "get_version", "get_version_to_sign", "kiosk_signatures", "people_who_sign", "personal_agreements",
    "signatures_of_user", "unsigned_agreements", "versions_of",
    # the current round
    "PupilStatus", "Round", "current_round", "outstanding_filter", "pupils_of", "with_statuses",
    # a signed-in parent
    "answers_for", "children_to_answer", "family_outstanding_count", "get_child_for_parent",
    "get_signature_for_parent", "relationship_of", "with_own_answers",
    # campaigns
    "CampaignProgress", "campaign_progress", "campaigns_of", "get_campaign_for_user", "invitations_to_remind",
    "parent_links_for", "pupils_in_cohort", "recently_invited",
    # coverage and the report figures (read by governors)
    "AgreementFigures", "CoverageRow", "FamilyCoverage", "family_coverage", "outstanding_pupils",
    "personal_coverage", "pupil_status_rows", "term_figures", "unsigned_people",
    # the registers
    "ImageRow", "Restriction", "active_restrictions", "get_restriction_for_user", "grace_days", "image_register",
    "image_rows", "technology_register",
    # signing links
    "answer_on_link", "child_on_link", "children_on_link", "signing_link", "still_to_answer",
]
