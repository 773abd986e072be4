"""Pure helpers: no ORM, no request. Tested exhaustively and fast."""
