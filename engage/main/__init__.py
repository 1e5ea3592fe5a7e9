"""Home page, health check and the legal and help pages."""
