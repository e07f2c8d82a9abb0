"""Assessing an AI system: impact questionnaires, bias audit and environmental footprint.

Independent of the procurement pipeline: nothing here reads the workspace or the sources.
"""
