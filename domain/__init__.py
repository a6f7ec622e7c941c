"""The ground floor: wgbot's rules as pure code, no I/O and no imports of the project.

Time (the clock, the <when> grammar, recurrence), the reminder rules and the digest
window, Telegram's rate arithmetic, the statuses and the words people use for them.
Every other floor (storage, then bot and scheduler, then wgbot) builds on this one.
"""
