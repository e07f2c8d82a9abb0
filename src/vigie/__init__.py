"""vigie: human-rights due diligence for public technology procurement and public-sector AI."""

__version__ = "0.1.0"
