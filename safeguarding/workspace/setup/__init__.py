"""Partnership setup (issue 13): the business unit keeps its partnership's agencies and named
decision makers up to date from the service, without the Django admin or the shell."""
