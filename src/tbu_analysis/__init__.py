"""tbu-analysis: NHN's tallgrunnlag for TBU, cleaned, reconciled and reported."""

__version__ = "0.1.0"
