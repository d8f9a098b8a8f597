"""The installation's own working-day calendar: the days off and the working days the government announces each
year (swaps around Tết, 30/4, 2/9) that the `holidays` package may not know yet. An administrator keeps the
list; app/deadlines counts it through the provider installed by `install()`."""
