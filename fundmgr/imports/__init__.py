"""Income files checked row by row and recorded all-or-none (DESIGN 5.3).

files   reading: encodings, CSV or XLSX, the header mapped to our columns
rows    one row parsed into an IncomeDraft and checked; look-ups shared by a file
batch   the one pass and its transaction: check every row, record chunk by chunk,
        all or none; the per-row report
jobs    upload jobs of the officer's import page, run as Celery tasks
"""
