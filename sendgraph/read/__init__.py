"""Files people write become rows that remember where they came from."""
