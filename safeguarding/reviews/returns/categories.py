"""The national returns a review is counted in, as data (docs/national-returns.md, issue 17).

A national body asks partnerships for a few facts about each review, so that reviews can be
analysed across England. The questions and their answers are held here, one scheme per body:

- SAR: the categories of the LGA/ADASS national analyses of Safeguarding Adults Reviews (the
  second analysis covers SARs completed April 2019 to March 2023, Partners in Care and Health,
  2024): whether the review was mandatory (Care Act 2014 s44(1)-(3)) or discretionary (s44(4),
  R21), whether the person died or was seriously harmed, the types of abuse and neglect (the
  Care and Support Statutory Guidance's list, self-neglect included), where the person lived
  and the review's approach.
- CSPR: the facts the Child Safeguarding Practice Review Panel's annual reports count (death or
  serious harm, the kinds of harm, the child's age and where the harm happened).
- DHR: the facts the Home Office's analyses of DHRs count (the victim's relationship to the
  perpetrator, homicide or suicide, the kinds of domestic abuse, where it happened).

Labels are our own words. The CSPR and DHR lists are "default to confirm" with the partnership
(docs/national-returns.md): neither body publishes a return form.
"""

from dataclasses import dataclass

SINGLE = "single"
MULTIPLE = "multiple"
NUMBER = "number"


@dataclass(frozen=True)
class Question:
    code: str
    label: str
    kind: str  # SINGLE, MULTIPLE or NUMBER
    options: tuple[tuple[str, str], ...] = ()
    hint: str = ""
    required: bool = True
    # Only for NUMBER
    minimum: int = 0
    maximum: int = 100

    def label_for(self, value: str) -> str:
        return dict(self.options).get(value, value)

    def answer_text(self, answer) -> str:
        """The answer in words, as shown and exported."""
        if answer is None or answer == "" or answer == []:
            return ""
        if self.kind == MULTIPLE:
            return "; ".join(self.label_for(v) for v in answer)
        if self.kind == NUMBER:
            return str(answer)
        return self.label_for(answer)


@dataclass(frozen=True)
class Scheme:
    code: str  # also the review type it is for (accounts.ReviewType)
    title: str
    body: str  # who asks for it
    source: str  # where its categories come from
    questions: tuple[Question, ...]

    def question(self, code: str) -> Question:
        return next(q for q in self.questions if q.code == code)


SAR_ABUSE_TYPES = (
    ("physical", "Physical abuse"),
    ("domestic", "Domestic abuse"),
    ("sexual", "Sexual abuse"),
    ("psychological", "Psychological abuse"),
    ("financial", "Financial or material abuse"),
    ("modern_slavery", "Modern slavery"),
    ("discriminatory", "Discriminatory abuse"),
    ("organisational", "Organisational abuse"),
    ("neglect", "Neglect and acts of omission"),
    ("self_neglect", "Self-neglect"),
    ("sexual_exploitation", "Sexual exploitation"),
)

SAR = Scheme(
    code="sar",
    title="National analysis of Safeguarding Adults Reviews",
    body="Local Government Association and ADASS (Partners in Care and Health)",
    source=(
        "https://www.local.gov.uk/our-support/partners-care-and-health/safeguarding-resources/"
        "analysis-safeguarding-adult-reviews-5"
    ),
    questions=(
        Question(
            "basis",
            "Was the review mandatory or discretionary?",
            SINGLE,
            (
                ("mandatory", "Mandatory: the criteria of section 44(1) to (3) were met"),
                ("discretionary", "Discretionary: arranged under section 44(4)"),
            ),
            hint="Care Act 2014 section 44",
        ),
        Question(
            "harm",
            "What happened to the person?",
            SINGLE,
            (
                ("died", "They died"),
                ("serious_harm", "They experienced serious abuse or neglect and lived"),
                ("other", "Neither (a discretionary review)"),
            ),
        ),
        Question(
            "abuse_types",
            "Which types of abuse or neglect were known or suspected?",
            MULTIPLE,
            SAR_ABUSE_TYPES,
            hint="Select all that apply",
        ),
        Question(
            "setting",
            "Where was the person living?",
            SINGLE,
            (
                ("own_home", "Their own home, alone"),
                ("own_home_family", "Their own home, with family or others"),
                ("care_home", "A care home (residential or nursing)"),
                ("supported_living", "Supported living or extra care housing"),
                ("hospital", "A hospital or mental health inpatient setting"),
                ("homeless", "Homeless, rough sleeping or in temporary accommodation"),
                ("prison", "A prison or other custody"),
                ("other", "Somewhere else"),
            ),
        ),
        Question(
            "individuals",
            "How many people is the review about?",
            NUMBER,
            hint="A thematic review may be about several people",
            minimum=1,
            maximum=100,
        ),
        Question(
            "approach",
            "Which approach did the review take?",
            SINGLE,
            (
                ("systems", "A systems approach (for example Learning Together)"),
                ("learning_event", "A learning event or practitioner workshop"),
                ("agency_reports", "Agency reports and a chronology, analysed by an author"),
                ("thematic", "A thematic review of several people"),
                ("other", "Another approach"),
            ),
        ),
    ),
)

CSPR = Scheme(
    code="cspr",
    title="Child Safeguarding Practice Review Panel",
    body="The Child Safeguarding Practice Review Panel",
    source=("https://www.gov.uk/government/organisations/child-safeguarding-practice-review-panel"),
    questions=(
        Question(
            "harm",
            "What happened to the child?",
            SINGLE,
            (("died", "They died"), ("serious_harm", "They were seriously harmed")),
        ),
        Question(
            "abuse_types",
            "What kinds of harm were known or suspected?",
            MULTIPLE,
            (
                ("physical", "Physical abuse"),
                ("neglect", "Neglect"),
                ("sexual", "Sexual abuse"),
                ("emotional", "Emotional abuse"),
                ("domestic", "Domestic abuse in the household"),
                ("extra_familial", "Harm outside the home (exploitation, serious violence)"),
                ("online", "Online harm"),
                ("sudi", "Sudden unexpected death in infancy"),
                ("suicide", "Suicide or self-harm"),
            ),
            hint="Select all that apply",
        ),
        Question(
            "age_band",
            "How old was the child?",
            SINGLE,
            (
                ("under_1", "Under 1"),
                ("1_to_5", "1 to 5"),
                ("6_to_10", "6 to 10"),
                ("11_to_15", "11 to 15"),
                ("16_plus", "16 or 17"),
            ),
        ),
        Question(
            "setting",
            "Where did the harm happen?",
            SINGLE,
            (
                ("family_home", "The family home"),
                ("other_home", "Another home (relatives, friends)"),
                ("care", "Foster, residential or other care"),
                ("education", "A school or other education setting"),
                ("community", "In the community or a public place"),
                ("custody", "Custody or a secure setting"),
                ("other", "Somewhere else"),
            ),
        ),
        Question(
            "individuals",
            "How many children is the review about?",
            NUMBER,
            minimum=1,
            maximum=100,
        ),
    ),
)

DHR = Scheme(
    code="dhr",
    title="Home Office analysis of Domestic Homicide Reviews",
    body="The Home Office",
    source=(
        "https://www.gov.uk/government/publications/"
        "revised-statutory-guidance-for-the-conduct-of-domestic-homicide-reviews"
    ),
    questions=(
        Question(
            "death",
            "How did the victim die?",
            SINGLE,
            (
                ("homicide", "Homicide"),
                ("suicide", "Suicide following domestic abuse"),
                ("other", "Another unexpected death"),
            ),
        ),
        Question(
            "relationship",
            "Who was the perpetrator to the victim?",
            SINGLE,
            (
                ("partner", "Current intimate partner"),
                ("former_partner", "Former intimate partner"),
                ("child", "Their son or daughter"),
                ("parent", "Their parent"),
                ("other_family", "Another family member"),
                ("household", "Someone else in the household"),
                ("none", "No perpetrator (a suicide review)"),
            ),
        ),
        Question(
            "abuse_types",
            "Which kinds of domestic abuse were known or suspected?",
            MULTIPLE,
            (
                ("coercive_control", "Controlling or coercive behaviour"),
                ("physical", "Physical abuse"),
                ("sexual", "Sexual abuse"),
                ("economic", "Economic abuse"),
                ("psychological", "Psychological or emotional abuse"),
                ("stalking", "Stalking or harassment"),
                ("honour", "So-called honour-based abuse"),
            ),
            hint="Select all that apply",
        ),
        Question(
            "setting",
            "Where did the death happen?",
            SINGLE,
            (
                ("shared_home", "A home the victim shared with the perpetrator"),
                ("victim_home", "The victim's own home"),
                ("other_home", "Another home"),
                ("public", "A public place"),
                ("other", "Somewhere else"),
            ),
        ),
        Question(
            "victims",
            "How many people died?",
            NUMBER,
            minimum=1,
            maximum=100,
        ),
    ),
)

SCHEMES = {s.code: s for s in (SAR, CSPR, DHR)}
