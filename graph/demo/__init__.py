"""The demo data set: a synthetic city of 13,000 IKM that behaves like the real programmes."""
