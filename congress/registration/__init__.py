"""Registration: sign-up per edition, workshop choice with seats that never overbook, an instant
waiting list, double opt-in, self-service through a secret link, and the organisers' back office."""
