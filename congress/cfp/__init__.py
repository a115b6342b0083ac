"""Call for proposals: speakers submit, reviewers score, organisers decide, sessions follow."""
