"""zinebuild: turn a folder of messy texts into an EPUB, a reading PDF and a folded booklet."""

__version__ = "0.1.0"
