"""sitegen: raw news in, a fast ad-free static reading site out."""

__version__ = "0.1.0"
