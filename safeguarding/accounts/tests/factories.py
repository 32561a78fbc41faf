import factory

from safeguarding.accounts.models import Agency, Membership, Partnership, Role, User


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Testshire Safeguarding Partnership {n}")
    slug = factory.Sequence(lambda n: f"testshire-{n}")
    kind = Partnership.Kind.COMBINED
    runs_cspr = True
    runs_safeguarding_adults_reviews = True
    runs_dhr = False
    area_name = "Testshire"
    contact_email = "reviews@testshire.example"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Testshire Agency {n}")
    slug = factory.Sequence(lambda n: f"agency-{n}")
    kind = Agency.Kind.POLICE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@testshire.example")
    full_name = factory.Sequence(lambda n: f"Test Person {n}")
    password = factory.django.Password("correct-horse-battery-staple")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    partnership = factory.SubFactory(PartnershipFactory)
    role = Role.BUSINESS_UNIT
    agency = factory.Maybe(
        factory.LazyAttribute(lambda o: o.role == Role.AGENCY_CONTRIBUTOR),
        yes_declaration=factory.SubFactory(AgencyFactory),
        no_declaration=None,
    )
