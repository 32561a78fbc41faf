# ruff: noqa: E501  (prose for the demo pages)
"""Fictional demo content for "Riverton", a place that does not exist. Nothing here is real."""

import datetime

DEMO_PASSWORD = "safeguarding-demo-2026"  # noqa: S105 - printed by `make run`; demo only

AGENCIES = [
    ("Riverton Police", "riverton-police", "police"),
    ("Riverton and District Integrated Care Board", "riverton-icb", "icb"),
    ("Riverton Council Children's Services", "riverton-childrens-services", "childrens_services"),
    ("Riverton Council Adult Social Care", "riverton-adult-social-care", "adult_social_care"),
    ("Riverton General Hospital NHS Trust", "riverton-general-hospital", "health_provider"),
    ("Riverton Academy Trust", "riverton-academy-trust", "school"),
    ("Probation Service, Riverton", "riverton-probation", "probation"),
    ("Riverton Homes", "riverton-homes", "housing"),
    ("Riverton Ambulance Service", "riverton-ambulance", "ambulance"),
    ("Riverton Domestic Abuse Support", "riverton-domestic-abuse-support", "voluntary"),
]

PARTNERSHIPS = [
    {
        "name": "Riverton Safeguarding Partnership",
        "slug": "riverton-safeguarding",
        "kind": "combined",
        "runs_cspr": True,
        "runs_safeguarding_adults_reviews": True,
        "runs_dhr": True,
        "area_name": "Riverton",
        "contact_email": "reviews@riverton-safeguarding.example",
    },
    {
        "name": "Riverton Community Safety Partnership",
        "slug": "riverton-community-safety",
        "kind": "community_safety",
        "runs_cspr": False,
        "runs_safeguarding_adults_reviews": False,
        "runs_dhr": True,
        "area_name": "Riverton",
        "contact_email": "dhr@riverton-community-safety.example",
    },
]

# (email, full name, job title, is_staff, [(partnership slug, role, agency slug or None)])
USERS = [
    (
        "business.unit@riverton.example",
        "Priya Shah",
        "Partnership business manager",
        False,
        [
            ("riverton-safeguarding", "business_unit", None),
            ("riverton-community-safety", "business_unit", None),
        ],
    ),
    (
        "partner.lead@riverton.example",
        "Tom Okafor",
        "Director of Children's Services",
        False,
        [("riverton-safeguarding", "partner_lead", None)],
    ),
    (
        "police.lead@riverton.example",
        "Dana Reid",
        "Chief Superintendent, Riverton Police",
        False,
        [("riverton-safeguarding", "partner_lead", None)],
    ),
    (
        "icb.lead@riverton.example",
        "Fiona Hale",
        "Chief Nurse, Riverton and District Integrated Care Board",
        False,
        [("riverton-safeguarding", "partner_lead", None)],
    ),
    (
        "csp.chair@riverton.example",
        "Helen Marsh",
        "Chair, Community Safety Partnership",
        False,
        [
            ("riverton-community-safety", "partner_lead", None),
            ("riverton-safeguarding", "partner_lead", None),
        ],
    ),
    (
        "panel.member@riverton.example",
        "Gareth Lloyd",
        "Designated nurse for safeguarding",
        False,
        [("riverton-safeguarding", "panel_member", None)],
    ),
    (
        "reviewer@riverton.example",
        "Ruth Adeyemi",
        "Independent reviewer",
        False,
        [
            ("riverton-safeguarding", "reviewer", None),
            ("riverton-community-safety", "reviewer", None),
        ],
    ),
    (
        "agency.police@riverton.example",
        "Sam Patel",
        "Detective Inspector, safeguarding",
        False,
        [
            ("riverton-safeguarding", "agency_contributor", "riverton-police"),
            ("riverton-community-safety", "agency_contributor", "riverton-police"),
        ],
    ),
    (
        "admin@riverton.example",
        "Alex Morgan",
        "System administrator",
        False,  # manages people, not /admin/ (superusers only: manage.py grant_system_admin)
        [
            ("riverton-safeguarding", "administrator", None),
            ("riverton-community-safety", "administrator", None),
        ],
    ),
]

BLOCKS = {
    "riverton-safeguarding": [
        (
            "What a safeguarding review is",
            "",
            (
                "When a child or an adult with care and support needs dies or is seriously harmed, "
                "and abuse or neglect is known or suspected, the agencies that worked with them look "
                "together at what happened.\n\n"
                "A review is not about blame. It asks how agencies worked together, what went well, "
                "and what must change so that other people are safer."
            ),
        ),
        (
            "Child Safeguarding Practice Reviews",
            "cspr",
            (
                "The council tells the national Child Safeguarding Practice Review Panel about a "
                "serious incident within 5 working days of hearing of it. The safeguarding partners "
                "then hold a rapid review, normally within 15 working days.\n\n"
                "The rapid review decides whether a local Child Safeguarding Practice Review is "
                "needed, or whether the national Panel should consider a national review.\n\n"
                "Any professional who is worried that a case meets these tests should refer it to "
                "the business unit straight away."
            ),
        ),
        (
            "Safeguarding Adults Reviews",
            "sar",
            (
                "The Safeguarding Adults Board must arrange a review when all of these apply:\n\n"
                "- an adult in Riverton has needs for care and support\n"
                "- there is reasonable cause for concern about how agencies worked together\n"
                "- the adult has died, or is alive and has experienced serious abuse or neglect, "
                "and abuse or neglect is known or suspected\n\n"
                "The Board may also review other cases where it believes there is learning."
            ),
        ),
        (
            "Domestic Homicide Reviews",
            "dhr",
            (
                "The partnership also holds Domestic Homicide Reviews when a person aged 16 or "
                "over has died and the death appears to have resulted from violence, abuse or "
                "neglect by a relative, a partner or former partner, or a member of the same "
                "household. When a child or an adult with care and support needs is involved, one "
                "joint review may look at both."
            ),
        ),
        (
            "How a review works",
            "",
            (
                "An independent reviewer leads the review with a panel of senior people from the "
                "agencies involved. Each agency looks at its own records and tells the review what "
                "it did. The reviewer brings this together in one report.\n\n"
                "Reports are published, usually for at least 12 months, without naming the people "
                "involved."
            ),
        ),
        (
            "Families",
            "",
            (
                "We invite the family to take part and to tell us what they think the review should "
                "look at. Our leaflets explain what happens and where to find support."
            ),
        ),
    ],
    "riverton-community-safety": [
        (
            "Domestic Homicide Reviews",
            "dhr",
            (
                "When a person aged 16 or over has died and the death appears to have resulted from "
                "violence, abuse or neglect by a relative, a partner or former partner, or a member "
                "of the same household, the Community Safety Partnership holds a Domestic Homicide "
                "Review.\n\n"
                "These reviews are being renamed Domestic Abuse Related Death Reviews."
            ),
        ),
        (
            "How a review is decided",
            "dhr",
            (
                "The police tell the partnership in writing about a death that may qualify. The "
                "chair of the Community Safety Partnership decides within one month whether to hold "
                "a review, and the Home Office is told of the decision.\n\n"
                "The finished report goes to the Home Office Quality Assurance Panel before it is "
                "published."
            ),
        ),
        (
            "Support for families",
            "dhr",
            (
                "Families are offered support from a specialist, independent advocate of their "
                "choosing, and can tell the review about the person they have lost."
            ),
        ),
    ],
}

# National reviews the partnership shares (fictional titles and addresses).
NATIONAL_REVIEWS = [
    (
        "Keeping babies safe at home: a fictional national review",
        datetime.date(2025, 6, 12),
        "https://panel.example/national-reviews/keeping-babies-safe",
        "Learning about support for parents under stress.",
    ),
    (
        "Young people at risk outside the home: a fictional national review",
        datetime.date(2024, 11, 5),
        "https://panel.example/national-reviews/young-people-at-risk",
        "How agencies can work together on exploitation.",
    ),
]

# Who signs decisions: (partnership slug, review type, capacity, email)
DECISION_MAKERS = [
    *[
        ("riverton-safeguarding", review_type, capacity, email)
        for review_type in ("cspr", "sar")
        for capacity, email in (
            ("Local authority", "partner.lead@riverton.example"),
            ("Police", "police.lead@riverton.example"),
            ("Integrated care board", "icb.lead@riverton.example"),
        )
    ],
    (
        "riverton-safeguarding",
        "dhr",
        "Community Safety Partnership chair",
        "csp.chair@riverton.example",
    ),
    (
        "riverton-community-safety",
        "dhr",
        "Community Safety Partnership chair",
        "csp.chair@riverton.example",
    ),
]

# (partnership slug, title, category, review type, kind "pdf"/"docx", paragraphs)
DOCUMENTS = [
    (
        "riverton-safeguarding",
        "Child Safeguarding Practice Review procedure",
        "procedure",
        "cspr",
        "pdf",
        [
            "How Riverton Safeguarding Partnership notifies serious incidents, holds rapid "
            "reviews and commissions local reviews.",
            "Fictional demo document.",
        ],
    ),
    (
        "riverton-safeguarding",
        "Safeguarding Adults Review referral form",
        "referral_form",
        "sar",
        "docx",
        [
            "Use this form to refer a case for a Safeguarding Adults Review.",
            "Fictional demo document.",
        ],
    ),
    (
        "riverton-safeguarding",
        "A review about your family: a guide",
        "leaflet",
        "",
        "pdf",
        [
            "What happens in a safeguarding review, and how you can take part.",
            "Fictional demo document.",
        ],
    ),
    (
        "riverton-community-safety",
        "Domestic Homicide Review protocol",
        "procedure",
        "dhr",
        "pdf",
        [
            "How Riverton Community Safety Partnership decides on and runs a review.",
            "Fictional demo document.",
        ],
    ),
    (
        "riverton-community-safety",
        "Domestic Homicide Review notification form",
        "referral_form",
        "dhr",
        "docx",
        [
            "Use this form to tell the partnership about a death that may need a review.",
            "Fictional demo document.",
        ],
    ),
]
