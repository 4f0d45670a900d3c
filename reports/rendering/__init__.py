"""Rendering of analysis results: SVG charts, the CONSORT diagram and the PDF report."""
