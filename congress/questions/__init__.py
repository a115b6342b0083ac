"""Custom questions: one component for the registration form, the call for proposals and the session evaluations."""
