"""Culture surveys: Westrum organisational culture and Edmondson psychological safety."""
