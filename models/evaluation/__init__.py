"""民主评议党员: a branch's yearly evaluation of its members — the round, self-assessments,
anonymous votes (online and on paper), the committee's determinations and the close."""
