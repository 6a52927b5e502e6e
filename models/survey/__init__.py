"""Members' satisfaction survey (满意度测评): the county or a township asks the members of
its branches a few fixed-choice questions; one answer per member, anonymous tallies, a
quorum, and results only to the org above."""
