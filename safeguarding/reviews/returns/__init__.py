"""National returns of a review (issue 17): the facts a national body asks for about each review,
recorded by the business unit and exported for a financial year (docs/national-returns.md)."""
