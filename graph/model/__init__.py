"""The core every other part speaks: the records (IKM, trainings, teachings, …), the Kota Malang
gazetteer, the skill vocabulary, dates, domain errors and settings. Imports no store."""
