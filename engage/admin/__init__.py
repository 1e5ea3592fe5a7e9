"""Administration: users and roles, departments, districts, invitations and settings."""
