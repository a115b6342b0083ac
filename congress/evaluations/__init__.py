"""Session and congress evaluations: the people who were there rate what they attended, anonymously."""
