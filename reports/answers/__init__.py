"""Every version of an answer to a resident's query, kept: an answer edited after it was
published shows "已修改" with the earlier versions beside it (issue 21: answers could be
silently rewritten). Its own app so its migrations stand apart from reports'."""
