"""述职评议: the secretaries' annual report and its four grades (自评, 点评, 帮评, 测评)."""
