"""Telling residents when to look: an Atom feed per community, e-mail notices (double
opt-in, one-click unsubscribe) and the notice-board poster of each published month."""
