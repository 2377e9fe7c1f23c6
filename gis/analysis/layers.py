"""Old name of :mod:`gis.analysis.runner` (issue #10), kept while other branches still import
it; remove once nothing does."""

from .runner import DISTRICTS_TITLE, KINDS, AnalysisResult, analysis_frames, run, run_analysis

__all__ = ["DISTRICTS_TITLE", "KINDS", "AnalysisResult", "analysis_frames", "run", "run_analysis"]
