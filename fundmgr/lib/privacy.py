"""What of a person may appear in public: a payer's name masked to its first character."""


def mask_name(name: str) -> str:
    """'张三丰' -> '张**', 'Alice Wang' -> 'A**', '' -> ''. Digits are never shown, so a
    phone number typed as a name reveals nothing."""
    name = (name or "").strip()
    if not name:
        return ""
    first = name[0]
    if first.isdigit() or not first.isprintable():
        first = "*"
    return first + "*" * max(1, min(len(name) - 1, 2))
