"""Teams of analysts: each one's work, how far two agree, conflicts, adjudication."""
