"""Job clubs: the bot inside a club's group chat (membership, schedule, posts, leads, buddies)."""
