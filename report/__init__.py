"""The joint-meeting deck: the pages' numbers as slides with findings, written to PPTX and PDF."""
