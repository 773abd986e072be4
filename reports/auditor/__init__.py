"""The auditor area: pages, statements and their formats.

views       the pages (/auditor/, namespace `auditor:`)
statements  one builder per kind of statement: a title, a scope and tables of strings
formats     that same data drawn as PDF, CSV or XLSX
pdf         the PDF frame: embedded CJK font, page numbers, the digest on every page
pdfsign     optional PAdES signatures on PDF statements
"""
