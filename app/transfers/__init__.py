"""Case transfer: a counsellor hands a case to another counsellor or commune (the survivor moved); the
receiving side accepts, and only then does the case move (history and keys go with it)."""
