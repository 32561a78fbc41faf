"""Who sees and records requests for information: they are part of a case, so the case's
readers (the business unit and partner leads) see them, and the business unit records them."""

from safeguarding.accounts.permissions import is_business_unit, is_partner_lead

can_view_information_requests = is_business_unit | is_partner_lead
can_record_information_requests = is_business_unit
