"""Measuring the stance engine: labelled datasets in, accuracy, macro-F1 and FNC-1 score out."""
