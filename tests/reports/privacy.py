import re

# A mainland mobile number standing alone - not digits inside a hex hash or signature.
PHONE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")
