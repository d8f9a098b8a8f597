"""Protection casework: incidents, measures, no-contact orders, trafficking identification, support regimes."""
