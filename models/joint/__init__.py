"""双联双促: county offices paired with village branches, their joint meetings (联过),
the pair's 联促 items and the assessment's joint-sessions measure (issue 28, section 5)."""
