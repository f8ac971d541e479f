"""Staff accounts of the admin panel: users, roles, password hashing, sign-in."""
