"""The shared kernel: database base and unit of work, users and chats, money, clock, translations."""
