"""A generated learning library for the search benchmarks (fictional throughout).

Each record is about one topic (its *primary* topic; some have a second one too), written the
way reports are written: formal terms ("sudden unexpected death in infancy", "coercive
control", "self-neglect"), from per-topic sentence banks, with the general practice language
every review shares (information sharing, professional curiosity …) mixed in. The query set
(``QUERIES``) is written the way practitioners search: their own words, misspellings,
abbreviations. A record is relevant to a query when its primary topic is one of the query's.

``library_records(count, rng, full_text_words)`` gives the records as dicts;
``fast_full_text`` builds long full texts quickly for the speed scenario.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Topic:
    review_types: tuple[str, ...]
    age_groups: tuple[str, ...]
    themes: tuple[str, ...]  # names from actions.default_themes
    titles: tuple[str, ...]
    facts: tuple[str, ...]
    learning: tuple[str, ...]
    recommendations: tuple[str, ...]
    related: tuple[str, ...] = field(default=())  # likely second topics


T = Topic
TOPICS: dict[str, Topic] = {
    "sudi": T(
        ("cspr", "scr"),
        ("infant",),
        ("Sudden unexpected death in infancy (SUDI)", "Parental substance misuse"),
        (
            "{child}: sudden unexpected death in infancy",
            "{child}: an infant who died in an unsafe sleeping environment",
            "Unexpected death of {child} aged {months} months",
        ),
        (
            "{child} was found unresponsive in the early hours after sharing a sleeping surface "
            "with both parents.",
            "The parents had consumed alcohol during the evening before the infant's death.",
            "Safer sleep advice had been given by the midwife and repeated by the health "
            "visitor, but co-sleeping continued when the family were under stress.",
            "The infant had been placed to sleep on a sofa with the father, who had used "
            "cannabis that night.",
            "Paramedics attended and resuscitation was attempted, but {child} was pronounced "
            "dead at the hospital.",
            "The post-mortem found no natural cause and the death was recorded as sudden "
            "unexpected death in infancy.",
            "The family had no cot for the infant after moving to temporary accommodation.",
            "Professionals did not ask where the infant slept on the nights the household was "
            "disrupted.",
            "The risk of bed sharing after parental alcohol or drug use was not discussed with "
            "the father.",
        ),
        (
            "Safer sleep conversations need to cover the unplanned nights, not only the "
            "planned routine.",
            "Practitioners should see where an infant sleeps and ask about alcohol and drug use "
            "in the same conversation.",
            "Fathers and male carers need to be given safer sleep advice directly.",
            "Temporary accommodation should be checked for a safe sleeping space for the baby.",
        ),
        (
            "The partnership should refresh its safer sleep assessment tool for use in all "
            "home visits.",
            "Health visiting should record where the infant sleeps at every contact.",
        ),
        ("parental_mental_health", "neglect", "domestic_abuse_children"),
    ),
    "nai_infant": T(
        ("cspr", "scr"),
        ("infant",),
        ("Non-accidental injury in infants", "Physical abuse"),
        (
            "{child}: non-accidental injuries to a non-mobile infant",
            "{child}: bruising in a baby who was not yet crawling",
            "Serious injury to {child} aged {months} months",
        ),
        (
            "A bruise on the infant's cheek was seen by a health professional six weeks before "
            "the serious injury.",
            "The explanation that the baby had caught herself with her own hand was accepted "
            "without challenge.",
            "Skeletal survey found healing rib fractures of different ages.",
            "The infant was admitted with a subdural haemorrhage and retinal bleeding "
            "consistent with abusive head trauma.",
            "The bruising protocol for non-mobile babies was not followed and no referral was "
            "made to children's social care.",
            "The mother's new partner had a history of violence that was not known to "
            "health professionals.",
            "The infant cried inconsolably and the parents had told the GP that they were not "
            "coping with the crying.",
        ),
        (
            "Any bruise on a baby who is not independently mobile must lead to a referral "
            "under the bruising protocol.",
            "Practitioners should consider the men in the household and their histories.",
            "Coping with a crying baby should be discussed with both parents before discharge "
            "from maternity care.",
        ),
        (
            "All agencies should audit compliance with the bruising in non-mobile babies protocol.",
            "The partnership should deliver the ICON programme on coping with infant crying.",
        ),
        ("domestic_abuse_children", "invisible_men"),
    ),
    "neglect": T(
        ("cspr", "scr"),
        ("young_child", "child"),
        ("Neglect", "Poverty and housing"),
        (
            "{child}: long-term neglect of a family of five children",
            "{child}: chronic neglect and poor home conditions",
            "The {family} family: cumulative harm from neglect",
        ),
        (
            "The home was found to be unhygienic, with little food and no working heating.",
            "The children were frequently absent from school and arrived hungry and in "
            "unwashed clothes.",
            "Dental decay in the younger children went untreated for over a year.",
            "Health appointments were repeatedly missed and the children were recorded as was "
            "not brought.",
            "The family moved between child in need and child protection plans over eight "
            "years without lasting change.",
            "Each episode was assessed on its own and the cumulative impact of neglect was "
            "not recognised.",
            "Professionals described the mother as loving and were reassured by short-lived "
            "improvements.",
        ),
        (
            "Neglect is cumulative: chronologies and the Graded Care Profile help to see the "
            "pattern over time.",
            "Start again syndrome led to each new worker resetting the threshold.",
            "A child who is not brought to appointments is a child whose needs are not met.",
        ),
        (
            "Agencies should use the Graded Care Profile 2 when neglect is suspected.",
            "Case closure should include a review of the family's history, not only the "
            "current episode.",
        ),
        ("parental_substance", "disguised_compliance"),
    ),
    "cse": T(
        ("cspr", "scr", "other"),
        ("adolescent",),
        ("Child sexual exploitation (CSE)", "Extrafamilial harm and serious youth violence"),
        (
            "{child}: sexual exploitation of a fifteen year old girl",
            "{child}: child sexual exploitation and repeated missing episodes",
            "Thematic review: child sexual exploitation in {place}",
        ),
        (
            "{child} was repeatedly reported missing from her children's home and was found "
            "in the company of adult men.",
            "She was given alcohol, cannabis and a mobile phone by men who were much older "
            "than her.",
            "Professionals described her as making lifestyle choices and being promiscuous.",
            "Return home interviews were not completed after most missing episodes.",
            "Taxi drivers and hotel staff had seen her with different men late at night.",
            "A strategy meeting considered child sexual exploitation but no disruption plan "
            "was agreed.",
            "Her disclosures of sexual assault were not followed by an achieving best "
            "evidence interview.",
        ),
        (
            "The language of choice must not be used about children who are being sexually "
            "exploited.",
            "Missing episodes are an indicator of exploitation and return interviews matter.",
            "Disruption tactics against perpetrators should be used early.",
        ),
        (
            "The partnership should agree a single exploitation screening tool across agencies.",
            "Police should use child abduction warning notices to disrupt adults who harbour "
            "missing children.",
        ),
        ("missing", "online_abuse", "looked_after"),
    ),
    "cce": T(
        ("cspr", "other"),
        ("adolescent",),
        (
            "Child criminal exploitation and county lines",
            "Extrafamilial harm and serious youth violence",
        ),
        (
            "{child}: criminal exploitation and county lines drug supply",
            "{child}: a sixteen year old boy exploited to sell drugs",
            "{child}: knife crime and child criminal exploitation",
        ),
        (
            "{child} was arrested in a coastal town over a hundred miles from home carrying "
            "class A drugs.",
            "He had been recruited by an older group to transport drugs along a county line "
            "and was held in debt bondage.",
            "He was treated as an offender rather than a victim of exploitation.",
            "He was excluded from school and spent his days unsupervised.",
            "A National Referral Mechanism referral was not made.",
            "He was fatally stabbed in a dispute between rival groups.",
            "His mother had asked for help to keep him at home and to move the family away.",
        ),
        (
            "Children found far from home with drugs should be seen first as victims of "
            "exploitation.",
            "School exclusion is a point of heightened risk of criminal exploitation.",
            "Contextual safeguarding looks at the places and peer groups, not only the family.",
        ),
        (
            "Agencies should refer children found in county lines activity to the National "
            "Referral Mechanism.",
            "The partnership should adopt a contextual safeguarding approach to extrafamilial "
            "harm.",
        ),
        ("missing", "education_exclusion"),
    ),
    "teen_suicide": T(
        ("cspr", "other"),
        ("adolescent",),
        ("Suicide and self-harm", "Children's mental health"),
        (
            "{child}: the death by suicide of a fourteen year old",
            "{child}: self-harm and suicide of a young person",
            "Thematic review: suicide of young people in {place}",
        ),
        (
            "{child} had harmed herself by cutting for over a year and had told a friend she "
            "wanted to die.",
            "A referral to child and adolescent mental health services was declined as not "
            "meeting the threshold.",
            "She was on a waiting list for counselling at the time of her death.",
            "She had been bullied online and at school.",
            "Her parents were not told about the self-harm that school staff had seen.",
            "She attended the emergency department after an overdose of paracetamol and was "
            "discharged the same night.",
        ),
        (
            "Self-harm should always be seen as a sign of distress and a risk of suicide.",
            "A young person on a waiting list still needs a named professional who checks in.",
            "Parents should be involved in safety planning wherever it is safe to do so.",
        ),
        (
            "CAMHS and schools should agree a joint self-harm pathway.",
            "The emergency department should complete a psychosocial assessment before a "
            "young person is discharged after self-harm.",
        ),
        ("online_abuse", "bullying"),
    ),
    "online_abuse": T(
        ("cspr", "other"),
        ("child", "adolescent"),
        ("Online abuse", "Sexual abuse"),
        (
            "{child}: online grooming and sexual abuse of a twelve year old",
            "{child}: abuse through social media and image sharing",
        ),
        (
            "{child} was contacted through a gaming platform by an adult posing as a boy of "
            "her age.",
            "She was persuaded to send indecent images of herself and was then threatened "
            "with their release.",
            "The abuser later arranged to meet her and sexually assaulted her.",
            "Her parents had not known that she was using the platform late at night.",
            "School had delivered online safety lessons, but she did not feel able to tell anyone.",
            "The police investigation identified more than forty other children contacted by "
            "the same man.",
        ),
        (
            "Children need to know that they will not be blamed if they tell someone about "
            "images they were pressured to share.",
            "Online harm is real harm and should be assessed like any other abuse.",
        ),
        (
            "Schools should teach pupils how to report online sextortion.",
            "The partnership should publish guidance for parents on gaming platforms.",
        ),
        ("cse", "teen_suicide"),
    ),
    "fii": T(
        ("cspr", "scr"),
        ("child",),
        ("Fabricated or induced illness",),
        (
            "{child}: fabricated or induced illness in a seven year old",
            "{child}: perplexing presentations and medical harm",
        ),
        (
            "{child} had more than sixty hospital attendances and three surgical procedures "
            "for symptoms that were never seen by staff.",
            "His mother reported seizures and feeding problems that clinicians could not find.",
            "He was fed through a gastrostomy tube that was later found to be unnecessary.",
            "Different hospitals held separate records and no one saw the whole history.",
            "Concerns about fabricated or induced illness were discussed between doctors but "
            "not shared with children's social care.",
            "When he was admitted without his mother, his symptoms stopped.",
        ),
        (
            "Perplexing presentations should be managed under the partnership's fabricated or "
            "induced illness guidance.",
            "A single lead paediatrician should hold the whole medical history.",
        ),
        (
            "The designated doctor should lead a review of children with many attendances at "
            "different hospitals.",
        ),
        ("disabled_child",),
    ),
    "home_education": T(
        ("cspr", "scr"),
        ("child",),
        ("Not in school or elective home education",),
        (
            "{child}: a child withdrawn from school and not seen",
            "{child}: elective home education and invisibility to services",
        ),
        (
            "{child} was removed from the school roll for elective home education after "
            "staff raised concerns about bruising.",
            "The local authority's home education officer was refused entry to the home.",
            "No professional saw {child} for the final eighteen months of her life.",
            "Her GP registration lapsed and immunisations were not given.",
            "Neighbours had noticed that the children were never seen outside.",
        ),
        (
            "Withdrawal from school to home education after safeguarding concerns should "
            "prompt a multi-agency discussion.",
            "A child who is not seen by anyone is a child at risk.",
        ),
        (
            "The local authority should keep a register of children not in school and check "
            "that each has been seen.",
        ),
        ("physical_abuse_child", "neglect"),
    ),
    "fgm_honour": T(
        ("cspr", "dhr", "other"),
        ("adolescent", "young_adult"),
        ("FGM and honour-based abuse",),
        (
            "{child}: female genital mutilation and travel abroad",
            "{adult}: honour-based abuse and forced marriage",
        ),
        (
            "{child} was taken abroad during the school holidays and was found on return to "
            "have undergone female genital mutilation.",
            "Her school had noticed that an older sister had been taken out of school for a "
            "long trip.",
            "The mandatory reporting duty for female genital mutilation was not followed by "
            "the practice nurse.",
            "She told a teacher that she was to be married to a cousin she had never met.",
            "The family considered that she had brought shame on them by having a boyfriend.",
        ),
        (
            "Practitioners must know the mandatory reporting duty for female genital mutilation.",
            "Honour-based abuse may involve several family members and mediation can "
            "increase risk.",
        ),
        (
            "Schools should make referrals to the Forced Marriage Unit when there is a "
            "concern about a planned marriage abroad.",
        ),
        ("coercive_control",),
    ),
    "coercive_control": T(
        ("dhr",),
        ("adult",),
        ("Coercive control and economic abuse", "Domestic abuse"),
        (
            "Domestic homicide review: the death of {adult}",
            "{adult}: coercive control and economic abuse before her death",
            "Domestic homicide review into the killing of {adult}",
        ),
        (
            "Over many years {adult}'s husband controlled the household finances and gave her "
            "a small weekly allowance.",
            "He checked her phone, tracked her movements and stopped her from seeing her "
            "friends and family.",
            "Friends described her as increasingly isolated and frightened of making him angry.",
            "She told her GP she was low and tired, but was not asked about her relationship.",
            "Coercive and controlling behaviour was not recognised by agencies because there "
            "was little physical violence.",
            "She was killed by her husband shortly after she told him she intended to leave.",
        ),
        (
            "Coercive control can exist without physical violence and is a strong predictor "
            "of homicide.",
            "Separation is a time of heightened risk.",
            "Routine enquiry about domestic abuse should happen in primary care.",
        ),
        (
            "GP practices should take part in the IRIS programme for identifying domestic abuse.",
            "Training on coercive control should be delivered to all front-line staff.",
        ),
        ("strangulation", "financial_abuse"),
    ),
    "strangulation": T(
        ("dhr",),
        ("adult", "young_adult"),
        ("Non-fatal strangulation", "Domestic abuse"),
        (
            "Domestic homicide review: {adult}",
            "{adult}: escalating domestic abuse and non-fatal strangulation",
        ),
        (
            "Police were called to the couple's home five times in the year before {adult}'s "
            "death.",
            "On two occasions she reported that her partner had put his hands around her neck "
            "until she could not breathe.",
            "The DASH risk assessment was scored as medium risk and the case was not referred "
            "to the multi-agency risk assessment conference.",
            "Non-fatal strangulation was not recognised as a marker of high risk.",
            "Her partner had a history of violence against previous partners that was not "
            "disclosed under the domestic violence disclosure scheme.",
            "She was killed by her partner in the flat they shared.",
        ),
        (
            "Non-fatal strangulation is a significant indicator of future homicide and should "
            "lead to a high-risk response.",
            "Professional judgement should raise a risk assessment when the score does not "
            "reflect the danger.",
        ),
        (
            "All referrals involving strangulation should be heard at the multi-agency risk "
            "assessment conference.",
            "Police should record non-fatal strangulation as a specific offence.",
        ),
        ("coercive_control", "repeat_victim"),
    ),
    "adult_family_homicide": T(
        ("dhr", "sar"),
        ("older_adult",),
        ("Mental health, alcohol and drugs", "Domestic abuse (adult)"),
        (
            "Domestic homicide review: the death of {adult}, aged {old_age}",
            "{adult}: an older mother killed by her adult son",
        ),
        (
            "{adult}, aged {old_age}, was killed by her son, who lived with her and was "
            "dependent on alcohol and heroin.",
            "She had told her neighbour that he took her pension and shouted at her when he "
            "needed money for drugs.",
            "Her son was known to mental health services but had been discharged after missed "
            "appointments.",
            "Agencies saw her as his carer and did not recognise the abuse as domestic abuse.",
            "Adult family violence against older parents was not covered by the local "
            "domestic abuse strategy.",
        ),
        (
            "Domestic abuse by adult children against older parents is domestic abuse and "
            "needs the same response.",
            "A carer's assessment is an opportunity to ask about safety.",
        ),
        ("The domestic abuse strategy should include abuse of older people by family members.",),
        ("financial_abuse", "substance_adult"),
    ),
    "dhr_suicide": T(
        ("dhr",),
        ("adult",),
        ("Death by suicide following domestic abuse", "Domestic abuse"),
        (
            "Domestic homicide review: the suicide of {adult}",
            "{adult}: domestic abuse and death by suicide",
        ),
        (
            "{adult} took her own life after years of abuse from her former partner.",
            "She had told her counsellor that she felt trapped and that there was no way out.",
            "Her former partner continued to harass her through the family court and by "
            "text messages after they separated.",
            "Mental health services treated her depression without asking about the abuse.",
            "Her suicide was not initially recognised as a domestic abuse-related death.",
        ),
        (
            "Suicide can be the result of domestic abuse and should trigger a review.",
            "Mental health assessments should include questions about domestic abuse.",
        ),
        (
            "The community safety partnership should review all suicides where domestic abuse "
            "was known.",
        ),
        ("coercive_control",),
    ),
    "self_neglect": T(
        ("sar",),
        ("older_adult", "adult"),
        ("Self-neglect and hoarding",),
        (
            "Safeguarding adults review: {adult}",
            "{adult}: self-neglect and hoarding",
            "{adult}: a man who declined care and support",
        ),
        (
            "{adult}, aged {old_age}, lived alone in a house filled with belongings, with no "
            "working toilet or heating.",
            "He repeatedly declined offers of care and support and told professionals he "
            "wanted to be left alone.",
            "His mental capacity to make decisions about his living conditions was assumed "
            "and never formally assessed.",
            "Fire service staff found that the hoarding blocked the stairs and exits.",
            "Cases were closed each time he refused help, only to be referred again months later.",
            "He died of hypothermia during a cold spell.",
        ),
        (
            "Self-neglect needs persistent, relationship-based work rather than closure when "
            "help is refused.",
            "Capacity assessments should consider executive function, not only what a person says.",
            "The self-neglect and hoarding protocol should be used with a lead professional.",
        ),
        (
            "The safeguarding adults board should relaunch its self-neglect and hoarding protocol.",
            "Agencies should hold multi-agency risk management meetings when an adult who "
            "self-neglects declines services.",
        ),
        ("substance_adult", "homelessness"),
    ),
    "cuckooing": T(
        ("sar",),
        ("adult", "young_adult"),
        ("Financial or material abuse", "Modern slavery"),
        (
            "Safeguarding adults review: {adult}",
            "{adult}: exploitation of an adult with a learning disability in his own home",
        ),
        (
            "{adult}, who had a learning disability, had his flat taken over by a group "
            "dealing drugs.",
            "Neighbours reported many visitors at all hours and the smell of cannabis.",
            "He was made to hold drugs and money and was assaulted when he tried to refuse.",
            "The housing provider treated the situation as antisocial behaviour and began "
            "eviction proceedings.",
            "Police recognised the property as a cuckooed address but no safeguarding adults "
            "enquiry was started.",
            "He was found seriously injured after a fall from the balcony.",
        ),
        (
            "Cuckooing is exploitation of an adult at risk and needs a safeguarding response, "
            "not an enforcement one.",
            "Adults with learning disabilities who live alone may be targeted for their homes.",
        ),
        (
            "Housing providers should refer suspected cuckooing to adult social care.",
            "The partnership should agree a joint protocol on the exploitation of adults.",
        ),
        ("learning_disability", "cce"),
    ),
    "pressure_ulcers": T(
        ("sar",),
        ("older_adult",),
        ("Neglect and acts of omission", "Organisational abuse"),
        (
            "Safeguarding adults review: {adult}",
            "{adult}: neglect in a nursing home",
        ),
        (
            "{adult}, aged {old_age}, developed grade four pressure ulcers while living in a "
            "nursing home.",
            "Repositioning charts were incomplete and the specialist mattress was not in use.",
            "She lost a large amount of weight and fluid charts were not kept.",
            "The home was short of staff and relied on agency workers who did not know the "
            "residents.",
            "Concerns raised by her daughter were treated as complaints rather than "
            "safeguarding concerns.",
            "The regulator had rated the home as requiring improvement.",
        ),
        (
            "Pressure ulcers can indicate neglect and should be considered under the "
            "safeguarding adults process.",
            "Family concerns are safeguarding information, not only complaints.",
        ),
        (
            "Commissioners should share intelligence about provider concerns with the "
            "safeguarding adults board.",
        ),
        ("dementia",),
    ),
    "financial_abuse": T(
        ("sar",),
        ("older_adult",),
        ("Financial or material abuse",),
        (
            "Safeguarding adults review: {adult}",
            "{adult}: financial abuse of an older person",
        ),
        (
            "{adult}, aged {old_age}, lost her savings to a series of scams and to a man who "
            "befriended her.",
            "Her grandson held her bank card and withdrew money from her pension each week.",
            "The bank noticed unusual withdrawals but did not contact adult social care.",
            "She was unable to pay for food and heating, and her health declined.",
            "Her lasting power of attorney was used for the attorney's own benefit.",
        ),
        (
            "Financial abuse often happens alongside neglect and psychological abuse.",
            "Banks are partners in safeguarding and should know how to raise a concern.",
        ),
        ("The board should agree an information sharing protocol with local banks.",),
        ("dementia", "adult_family_homicide"),
    ),
    "homelessness": T(
        ("sar",),
        ("adult",),
        ("Self-neglect and hoarding", "Mental health, alcohol and drugs"),
        (
            "Safeguarding adults review: {adult}",
            "{adult}: the death of a man sleeping rough",
            "Thematic review: deaths of people experiencing homelessness",
        ),
        (
            "{adult} was sleeping rough in the town centre and was dependent on alcohol.",
            "He was repeatedly evicted from hostels for behaviour linked to his drinking.",
            "He attended the emergency department many times with injuries from falls and "
            "seizures.",
            "No agency held responsibility for coordinating his care.",
            "He died on the street during winter.",
        ),
        (
            "Multiple exclusion homelessness needs a coordinated multi-agency response.",
            "Repeated emergency attendances should prompt a safeguarding adults referral.",
        ),
        ("The council should fund a multi-agency panel for people with multiple disadvantage.",),
        ("substance_adult", "self_neglect"),
    ),
    "learning_disability": T(
        ("sar",),
        ("young_adult", "adult"),
        ("Disability and complex health needs", "Organisational abuse"),
        (
            "Safeguarding adults review: {adult}",
            "{adult}: an autistic young man in a hospital unit",
        ),
        (
            "{adult}, an autistic man with a learning disability, spent two years in an "
            "assessment and treatment unit far from home.",
            "He was restrained and secluded many times and lost contact with his family.",
            "His deprivation of liberty authorisation had lapsed.",
            "Staff did not understand his communication and treated distress as challenging "
            "behaviour.",
            "His physical health needs, including constipation, were missed until he became "
            "seriously ill.",
        ),
        (
            "Reasonable adjustments are a legal duty and must be planned for each person.",
            "Restrictive practice should be reviewed and reduced.",
            "Diagnostic overshadowing leads to physical illness being missed.",
        ),
        (
            "Commissioners should review every out-of-area hospital placement.",
            "The learning disability mortality review findings should be shared with all "
            "providers.",
        ),
        ("cuckooing",),
    ),
    "modern_slavery": T(
        ("sar", "other"),
        ("adult",),
        ("Modern slavery",),
        (
            "Safeguarding adults review: {adult}",
            "{adult}: forced labour and modern slavery",
        ),
        (
            "{adult} was brought to the country with the promise of work and made to work "
            "long hours at a hand car wash for no pay.",
            "He lived in a caravan with six other men and his passport was held by his employer.",
            "He attended hospital with an untreated injury and was accompanied by a man who "
            "answered questions for him.",
            "No interpreter was used and the indicators of modern slavery were not recognised.",
        ),
        (
            "Someone who always speaks for a patient may be controlling them.",
            "Professional interpreters should always be used.",
        ),
        ("Agencies should train staff as first responders under the National Referral Mechanism.",),
        ("cuckooing",),
    ),
    "transition": T(
        ("sar", "cspr"),
        ("young_adult",),
        ("Looked-after child or care leaver", "Case transfer between areas"),
        (
            "{adult}: a care leaver who died aged nineteen",
            "Safeguarding adults review: {adult}, transition to adulthood",
        ),
        (
            "{adult} had been in care from the age of twelve and moved to semi-independent "
            "accommodation at seventeen.",
            "When she turned eighteen her children's services support ended and adult "
            "services had not accepted her case.",
            "Her personal adviser changed three times in a year.",
            "She was being exploited by older men, but adult services saw her as making choices.",
            "She died from an overdose in her flat.",
        ),
        (
            "Transition planning should start at fourteen and not end at eighteen.",
            "Exploitation does not stop at the eighteenth birthday.",
        ),
        ("Children's and adult services should agree a transitional safeguarding protocol.",),
        ("cse", "looked_after"),
    ),
    "physical_abuse_child": T(
        ("cspr", "scr"),
        ("child",),
        ("Physical abuse", "Voice and lived experience"),
        (
            "{child}: physical abuse of a nine year old boy",
            "{child}: physical chastisement and disclosures at school",
        ),
        (
            "{child} told his teacher that his stepfather beat him with a belt when he was "
            "naughty.",
            "Marks on his legs were seen during a PE lesson.",
            "The strategy discussion concluded that this was reasonable chastisement and "
            "took no further action.",
            "He later withdrew his account after his mother spoke to him.",
            "He was admitted to hospital with a broken arm and bruising to his back.",
        ),
        (
            "A child's first account should be recorded carefully and acted upon.",
            "Withdrawal of an allegation does not mean the abuse did not happen.",
        ),
        ("Schools should be part of every strategy discussion about a pupil.",),
        ("invisible_men", "domestic_abuse_children"),
    ),
    "parental_mental_health": T(
        ("cspr", "scr"),
        ("infant", "young_child"),
        ("Parental mental health",),
        (
            "{child}: parental mental illness and the death of a young child",
            "{child}: perinatal mental health and the safety of an infant",
        ),
        (
            "{child}'s mother had severe postnatal depression and psychotic symptoms after "
            "the birth.",
            "She told her health visitor that she had thoughts of harming herself and the baby.",
            "The perinatal mental health team assessed her but did not consider the baby's safety.",
            "Adult mental health services and children's services did not share information.",
            "The father worked long hours and was not involved in the plan.",
        ),
        (
            "Think family: adult mental health services should consider the children in the "
            "household.",
            "Perinatal mental illness can escalate quickly and needs urgent review.",
        ),
        (
            "Perinatal mental health services should complete a safeguarding assessment for "
            "every infant.",
        ),
        ("sudi", "invisible_men"),
    ),
    "disabled_child": T(
        ("cspr", "scr"),
        ("child", "adolescent"),
        ("Disability and complex health needs", "Neglect"),
        (
            "{child}: a disabled child with complex health needs",
            "{child}: neglect of medical needs of a child with cerebral palsy",
        ),
        (
            "{child} had cerebral palsy, was fed through a tube and could not speak.",
            "Her parents were her main carers and repeatedly cancelled respite and therapy.",
            "She lost weight and developed pressure sores that went unnoticed.",
            "Professionals focused on the parents' exhaustion and did not see the child's "
            "experience.",
            "Nobody used her communication aids to hear her views.",
        ),
        (
            "Disabled children are more likely to be abused and less likely to be protected.",
            "Empathy for exhausted carers must not obscure the child's needs.",
        ),
        (
            "Children's disability services should use child protection procedures when "
            "medical needs are neglected.",
        ),
        ("neglect", "fii"),
    ),
    "parental_substance": T(
        ("cspr", "scr"),
        ("young_child", "child"),
        ("Parental substance misuse", "Toxic trio"),
        (
            "{child}: parental drug and alcohol misuse",
            "{child}: the toxic trio and a young child's death",
        ),
        (
            "Both parents were dependent on heroin and were prescribed methadone.",
            "{child} swallowed methadone that had been left within reach and died.",
            "Drug treatment services did not ask about children in the home or about safe storage.",
            "Domestic abuse, parental mental ill health and substance misuse were all present "
            "in the household.",
            "Drug testing results were not shared with the child protection conference.",
        ),
        (
            "Substance misuse services should always ask about children and safe storage of "
            "medication.",
            "The combination of domestic abuse, mental ill health and substance misuse "
            "greatly increases risk.",
        ),
        ("Drug and alcohol services should attend child protection conferences.",),
        ("neglect", "domestic_abuse_children"),
    ),
    "domestic_abuse_children": T(
        ("cspr", "scr"),
        ("young_child", "child"),
        ("Domestic abuse", "Whole-family approach"),
        (
            "{child}: a child living with domestic abuse",
            "{child}: the impact of domestic abuse on young children",
        ),
        (
            "Police attended the family home many times after reports of the father "
            "assaulting the mother.",
            "The children were present during the incidents but were not spoken to.",
            "Police notifications to children's services were screened out as no further action.",
            "The mother was expected to protect the children by leaving, but no safety plan "
            "was made.",
            "The father was never engaged with by children's services.",
        ),
        (
            "Children who live with domestic abuse are victims in their own right.",
            "Responsibility should be placed on the abuser, not on the victim to protect.",
        ),
        ("Operation Encompass notifications should reach schools before the next school day.",),
        ("invisible_men", "coercive_control"),
    ),
    "invisible_men": T(
        ("cspr", "other"),
        ("infant", "young_child"),
        ("Male carers (invisible men)",),
        (
            "{child}: the unknown man in the household",
            "National review: the involvement of fathers and male carers",
        ),
        (
            "The mother's new partner moved into the home but was not known to professionals.",
            "Assessments described the household as the mother and children only.",
            "Checks on the partner's history were not completed.",
            "Health visitors addressed their advice only to the mother.",
        ),
        (
            "Practitioners should find out who lives in the household and who cares for the child.",
            "Fathers and male carers should be engaged and assessed.",
        ),
        ("Assessment templates should include all adults in the household.",),
        ("nai_infant",),
    ),
}

GENERIC = {
    "facts": (
        "Agencies held pieces of information that were not shared with each other.",
        "There was no single multi-agency chronology until the review began.",
        "Several agencies were involved but no one had an overview of the family's history.",
        "Staff turnover meant that the family had five social workers in two years.",
        "The case was transferred between local authorities when the family moved.",
        "Supervision did not provide an opportunity to reflect on the case.",
        "Practitioners were working under pressure of high caseloads.",
        "Referrals were made but not followed up when no reply was received.",
        "Records were brief and did not show the reasons for decisions.",
        "Interpreters were not always used in meetings with the family.",
    ),
    "learning": (
        "Professional curiosity means asking further questions rather than accepting what is said.",
        "Information should be shared when it is needed to keep someone safe.",
        "Escalation and professional challenge should be used when a practitioner disagrees "
        "with a decision.",
        "The lived experience of the person should be at the centre of assessments.",
        "Multi-agency working needs clear leadership and a shared plan.",
        "Good practice by individual practitioners was also found.",
    ),
    "recommendations": (
        "The partnership should seek assurance that the learning from this review has been "
        "disseminated.",
        "Agencies should review their information sharing arrangements.",
        "Training should be updated to reflect the learning from this review.",
        "The partnership should audit the use of the escalation policy.",
    ),
    "process": (
        "This review was commissioned by the partnership following the notification of a "
        "serious incident.",
        "The review was led by an independent reviewer and supported by a panel of senior "
        "managers from the agencies involved.",
        "Agencies provided chronologies and individual management reviews.",
        "Practitioners took part in a learning event and their views are reflected in the "
        "findings.",
        "The family were invited to contribute and their views were included.",
        "The terms of reference set the period under review.",
        "The review followed the statutory guidance in force at the time.",
        "The report was agreed by the partnership and published with an action plan.",
    ),
}

PLACES = [
    "Northmoor",
    "Eastvale",
    "Westbridge",
    "Southholm",
    "Riverton",
    "Hillcrest",
    "Marshford",
    "Oakleigh",
    "Stonebury",
    "Ashcombe",
    "Kingsmere",
    "Lowdale",
]
PUBLISHERS = (
    [f"{p} Safeguarding Partnership" for p in PLACES[:8]]
    + [f"{p} Community Safety Partnership" for p in PLACES[8:]]
    + ["Child Safeguarding Practice Review Panel"]
)
FAMILY = [
    "Adams",
    "Brook",
    "Carter",
    "Dale",
    "Ellis",
    "Finch",
    "Grey",
    "Hart",
    "Irwin",
    "Jones",
    "Kerr",
    "Lane",
    "Moss",
    "North",
    "Owen",
    "Price",
]
ADULT_NAMES = [
    "Mrs A",
    "Mr B",
    "Ms C",
    "Mr D",
    "Mrs E",
    "Ms F",
    "Mr G",
    "Mrs H",
    "Ann",
    "Brian",
    "Carol",
    "David",
    "Eileen",
    "Frank",
    "Grace",
    "Harry",
    "Irene",
    "James",
    "Kath",
    "Leon",
    "Mary",
    "Neil",
    "Olive",
    "Peter",
]

# The query set: (query, relevant topics, kind). Written as practitioners search.
QUERIES: list[tuple[str, tuple[str, ...], str]] = [
    ("baby died in the parents' bed after they had been drinking", ("sudi",), "practitioner"),
    ("infant found not breathing on the sofa with dad", ("sudi",), "practitioner"),
    ("SUDI", ("sudi",), "abbreviation"),
    ("cot death co sleaping", ("sudi",), "misspelt"),
    ("bruises on a baby who can't crawl yet", ("nai_infant",), "practitioner"),
    ("shaken baby brain bleed", ("nai_infant",), "practitioner"),
    ("NAI non mobile", ("nai_infant",), "abbreviation"),
    ("house was filthy and the kids were always hungry", ("neglect",), "practitioner"),
    ("neglact over many years, rotten teeth", ("neglect",), "misspelt"),
    ("teenage girl keeps going missing and is seen with older men", ("cse",), "practitioner"),
    ("CSE missing from care", ("cse",), "abbreviation"),
    ("groomed girl given drink and drugs by men", ("cse",), "practitioner"),
    ("boy selling drugs for a gang in another town", ("cce",), "practitioner"),
    ("county lines", ("cce",), "formal"),
    ("CCE knife", ("cce",), "abbreviation"),
    ("teenager killed herself after cutting herself", ("teen_suicide",), "practitioner"),
    ("young person sucide waiting list for CAMHS", ("teen_suicide",), "misspelt"),
    ("child sent naked pictures to a stranger on a game", ("online_abuse",), "practitioner"),
    ("sextortion of a girl online", ("online_abuse",), "practitioner"),
    ("mum making her child ill to get hospital attention", ("fii",), "practitioner"),
    ("FII", ("fii",), "abbreviation"),
    ("child taken out of school and nobody saw her", ("home_education",), "practitioner"),
    ("elective home eduction", ("home_education",), "misspelt"),
    ("girl taken abroad to be cut", ("fgm_honour",), "practitioner"),
    ("FGM", ("fgm_honour",), "abbreviation"),
    ("forced to marry her cousin", ("fgm_honour",), "practitioner"),
    (
        "husband controlled all her money and stopped her seeing friends",
        ("coercive_control",),
        "practitioner",
    ),
    ("coersive control", ("coercive_control",), "misspelt"),
    ("he choked her before he killed her", ("strangulation",), "practitioner"),
    ("non fatal strangulaton MARAC", ("strangulation",), "misspelt"),
    ("DASH scored medium risk but she was murdered", ("strangulation",), "abbreviation"),
    ("son on heroin killed his elderly mum", ("adult_family_homicide",), "practitioner"),
    ("woman took her own life after years of abuse from her ex", ("dhr_suicide",), "practitioner"),
    (
        "old man refused all help and his house was full of rubbish",
        ("self_neglect",),
        "practitioner",
    ),
    ("self neglact hoarding", ("self_neglect",), "misspelt"),
    ("drug dealers took over a vulnerable man's flat", ("cuckooing",), "practitioner"),
    ("cuckooing", ("cuckooing",), "formal"),
    ("bed sores in a nursing home", ("pressure_ulcers",), "practitioner"),
    ("grandson stealing his gran's pension", ("financial_abuse",), "practitioner"),
    ("scams financial abuse older person", ("financial_abuse",), "formal"),
    ("man sleeping on the streets died from drink", ("homelessness",), "practitioner"),
    (
        "autistic lad restrained in a hospital unit miles from home",
        ("learning_disability",),
        "practitioner",
    ),
    ("DoLS lapsed learning disability", ("learning_disability",), "abbreviation"),
    ("men forced to work at a car wash for no pay", ("modern_slavery",), "practitioner"),
    ("care leaver turned 18 and lost all support", ("transition",), "practitioner"),
    (
        "kid told his teacher his stepdad hits him with a belt",
        ("physical_abuse_child",),
        "practitioner",
    ),
    (
        "mum with postnatal depression thought about harming the baby",
        ("parental_mental_health",),
        "practitioner",
    ),
    (
        "disabled girl with a feeding tube, parents cancelling appointments",
        ("disabled_child",),
        "practitioner",
    ),
    ("toddler drank his parents' methadone", ("parental_substance",), "practitioner"),
    ("toxic trio", ("parental_substance",), "formal"),
    ("kids witnessing dad beating up mum", ("domestic_abuse_children",), "practitioner"),
    ("mum's new boyfriend nobody knew about", ("invisible_men",), "practitioner"),
    # Paraphrases: the meaning of a topic with almost none of its report's words
    ("little one passed away next to mum and dad after a night out", ("sudi",), "paraphrase"),
    ("tiny baby with a head injury and a story that did not add up", ("nai_infant",), "paraphrase"),
    ("lad running errands for dealers in a seaside town", ("cce",), "paraphrase"),
    (
        "pensioner ripped off by a conman and by her own grandson",
        ("financial_abuse",),
        "paraphrase",
    ),
    ("gentleman living in squalor who would not let anyone in", ("self_neglect",), "paraphrase"),
    ("mother hearing voices after giving birth", ("parental_mental_health",), "paraphrase"),
    ("toddler got hold of the heroin substitute", ("parental_substance",), "paraphrase"),
    (
        "resident left in the same position for days and her skin broke down",
        ("pressure_ulcers",),
        "paraphrase",
    ),
    ("workers kept in a caravan and paid nothing", ("modern_slavery",), "paraphrase"),
    (
        "teen hurting herself while waiting months for mental health help",
        ("teen_suicide",),
        "paraphrase",
    ),
    ("stranger online tricked a schoolgirl into sending photos", ("online_abuse",), "paraphrase"),
    (
        "rough sleeper with a drink problem kept being thrown out of hostels",
        ("homelessness",),
        "paraphrase",
    ),
    ("she was turning eighteen and everything stopped", ("transition",), "paraphrase"),
    ("boy kept off school, family refused visits, never seen", ("home_education",), "paraphrase"),
    # More misspellings
    ("domestic abuce and coersive controll", ("coercive_control",), "misspelt"),
    ("hording and selfneglect", ("self_neglect",), "misspelt"),
    ("criminal exploitaton of a teenage boy", ("cce",), "misspelt"),
    ("fabricated ilness in a child", ("fii",), "misspelt"),
]


def _fill(text: str, slots: dict) -> str:
    return text.format(**slots)


def _slots(rng: random.Random) -> dict:
    letter = chr(ord("A") + rng.randrange(26))
    return {
        "child": rng.choice(["Child", "Baby", "Child", "Child"])
        + f" {letter}"
        + (str(rng.randrange(2, 9)) if rng.random() < 0.3 else ""),
        "adult": rng.choice(ADULT_NAMES),
        "months": rng.randrange(2, 11),
        "old_age": rng.randrange(68, 94),
        "place": rng.choice(PLACES),
        "family": rng.choice(FAMILY),
    }


def library_records(count: int, rng: random.Random, full_text_words: int = 900) -> list[dict]:
    """``count`` records spread across the topics, each a dict of LibraryRecord fields plus
    ``topic`` (its primary topic) and ``theme_names``."""
    names = sorted(TOPICS)
    records = []
    for number in range(count):
        topic_name = names[number % len(names)]
        topic = TOPICS[topic_name]
        second = None
        related = [name for name in topic.related if name in TOPICS]
        if related and rng.random() < 0.4:
            second = TOPICS[rng.choice(related)]
        slots = _slots(rng)
        facts = rng.sample(topic.facts, k=min(len(topic.facts), rng.randrange(3, 6)))
        if second:
            facts.append(rng.choice(second.facts))
        facts.append(rng.choice(GENERIC["facts"]))
        learning = rng.sample(topic.learning, k=min(len(topic.learning), 2)) + rng.sample(
            GENERIC["learning"], k=2
        )
        recommendations = list(topic.recommendations) + rng.sample(GENERIC["recommendations"], k=2)
        themes = list(topic.themes) + (list(second.themes[:1]) if second else [])
        record = {
            "external_id": f"GEN-{number + 1:05d}",
            "topic": topic_name,
            "title": _fill(rng.choice(topic.titles), slots),
            "review_type": rng.choice(topic.review_types),
            "age_group": rng.choice(topic.age_groups),
            "publisher": rng.choice(PUBLISHERS),
            "year": rng.randrange(2008, 2027),
            "summary": " ".join(_fill(s, slots) for s in facts),
            "learning": "\n".join("- " + _fill(s, slots) for s in learning),
            "recommendations": "\n".join(
                f"{i}. {_fill(s, slots)}" for i, s in enumerate(recommendations, start=1)
            ),
            "theme_names": themes,
        }
        record["full_text"] = full_text(rng, topic, second, slots, full_text_words)
        records.append(record)
    return records


def full_text(rng, topic: Topic, second: Topic | None, slots: dict, words: int) -> str:
    """A report of about ``words`` words: process, the topic's facts and learning, the general
    practice sentences, a little of the second topic."""
    parts = list(GENERIC["process"][:3])
    own = list(topic.facts) + list(topic.learning) + list(topic.recommendations)
    pool_generic = list(GENERIC["facts"] + GENERIC["learning"] + GENERIC["process"])
    extra = list(second.facts) if second else []
    total = sum(len(p.split()) for p in parts)
    while total < words:
        roll = rng.random()
        if roll < 0.45:
            sentence = rng.choice(own)
        elif roll < 0.55 and extra:
            sentence = rng.choice(extra)
        else:
            sentence = rng.choice(pool_generic)
        parts.append(sentence)
        total += len(sentence.split())
    paragraphs = []
    for start in range(0, len(parts), 6):
        paragraphs.append(" ".join(_fill(s, slots) for s in parts[start : start + 6]))
    return "\n\n".join(paragraphs)


class FastFullText:
    """Long full texts fast (the speed scenario: 5,000 texts of about 20,000 words): sentences
    drawn with numpy from the topic's bank (45%), a second topic (10%) and the general
    practice language (45%), plus words from a wider vocabulary so that texts differ."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)
        self.generic = np.array(
            GENERIC["facts"] + GENERIC["learning"] + GENERIC["process"], dtype=object
        )
        vocabulary = sorted(
            {
                w.strip(".,:;'").lower()
                for t in TOPICS.values()
                for s in t.facts + t.learning + t.recommendations
                for w in s.split()
            }
        )
        self.vocabulary = np.array(vocabulary, dtype=object)

    def text(self, topic: Topic, second: Topic | None, slots: dict, words: int) -> str:
        own = np.array(
            [_fill(s, slots) for s in topic.facts + topic.learning + topic.recommendations],
            dtype=object,
        )
        extra = np.array([_fill(s, slots) for s in second.facts], dtype=object) if second else own
        sentences = max(1, words // 14)
        roll = self.rng.random(sentences)
        pick_own = own[self.rng.integers(0, len(own), sentences)]
        pick_extra = extra[self.rng.integers(0, len(extra), sentences)]
        pick_generic = self.generic[self.rng.integers(0, len(self.generic), sentences)]
        chosen = np.where(roll < 0.45, pick_own, np.where(roll < 0.55, pick_extra, pick_generic))
        # one sentence in four gets a few words of wider vocabulary, so documents differ
        noise = self.vocabulary[self.rng.integers(0, len(self.vocabulary), (sentences, 4))]
        parts = []
        for i, sentence in enumerate(chosen):
            parts.append(sentence)
            if i % 4 == 3:
                parts.append(" ".join(noise[i]).capitalize() + ".")
            if i % 12 == 11:
                parts.append("\n\n")
        return " ".join(parts)
